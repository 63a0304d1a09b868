"""bench_handover on a hand-worked frame of runs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_handover  # noqa: E402

PIPELINES = {
    "lr": {"first_simple_model": True, "cv_valid_ratio": 0.1, "max_valid_count": 256},
    "net": {"first_simple_model": False, "cv_valid_ratio": 0.1, "max_valid_count": 256},
    "capped": {"first_simple_model": True, "cv_valid_ratio": 0.5, "max_valid_count": 40},
}
NUM_TRAIN = pd.Series({"small": 150, "large": 1000})


def run(task: str, pipeline: str, budget: float, points: int, status: str = "ok") -> dict:
    curve = [[float(i + 1), 0.5] for i in range(points)]
    return {
        "task_id": task,
        "pipeline_id": pipeline,
        "budget": budget,
        "status": status,
        "curve_json": json.dumps(curve),
    }


def runs_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            run("small", "lr", 16, 1),
            run("small", "lr", 64, 1),
            run("large", "lr", 16, 1),
            run("large", "lr", 64, 3),
            run("large", "capped", 64, 2),
            run("small", "net", 64, 1),  # no simple model: left out
            run("large", "lr", 4, 1, status="failed"),  # not finished: left out
        ]
    )


def test_one_prediction_runs_keeps_finished_simple_model_runs_with_their_validation_size():
    found = bench_handover.one_prediction_runs(runs_frame(), PIPELINES, NUM_TRAIN)
    assert list(found["pipeline_id"]) == ["lr", "lr", "lr", "lr", "capped"]
    assert list(found["one_prediction"]) == [True, True, True, False, False]
    # int(150 * 0.1) = 15, int(1000 * 0.1) = 100, min(1000 * 0.5, 40) = 40
    assert list(found["valid_images"]) == [15, 15, 100, 100, 40]


def test_summary_shares_per_budget_arm_and_validation_size():
    found = bench_handover.one_prediction_runs(runs_frame(), PIPELINES, NUM_TRAIN)
    table = bench_handover.summary(found, {"the lr arm": "lr"})
    overall = table.loc["all simple-model pipelines"]
    assert overall["16 s share"] == pytest.approx(1.0)
    assert overall["16 s runs"] == 2
    assert overall["64 s share"] == pytest.approx(1 / 3)  # small/lr yes, large/lr and capped no
    assert overall["64 s runs"] == 3
    assert table.loc["the lr arm", "64 s share"] == pytest.approx(0.5)
    assert table.loc["validation 1-16 images", "64 s share"] == pytest.approx(1.0)
    assert table.loc["validation 33-64 images", "64 s share"] == pytest.approx(0.0)  # capped, 40
    assert table.loc["validation 65+ images", "16 s share"] == pytest.approx(1.0)
    assert table.loc["validation 65+ images", "64 s share"] == pytest.approx(0.0)
    assert pd.isna(table.loc["validation 17-32 images", "64 s share"])  # no run of that size
