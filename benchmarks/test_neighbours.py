"""bench_neighbours' paired arithmetic, on runs worked out by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_neighbours  # noqa: E402


def test_changes_name_what_differs_and_what_is_not_set():
    ref = {"lr": 0.001, "simple_model": "LR", "freeze_portion": 0.0}
    other = {"lr": 0.001, "freeze_portion": 0.3}
    assert bench_neighbours.changes(ref, other) == {"freeze_portion": 0.3, "simple_model": None}


def test_paired_table_pairs_by_task_averages_seeds_and_sign_tests():
    rows = [
        # budget 16: ref vs "n" on t1 (two seeds of n: 0.6, 0.8 -> 0.7), t2, t3; t4 has only ref
        (16.0, "t1", "ref", 0, 0.5), (16.0, "t1", "n", 0, 0.6), (16.0, "t1", "n", 1, 0.8),
        (16.0, "t2", "ref", 0, 0.9), (16.0, "t2", "n", 0, 0.8),
        (16.0, "t3", "ref", 0, 0.4), (16.0, "t3", "n", 0, 0.4),
        (16.0, "t4", "ref", 0, 0.1),
        # budget 64: "n" only, no pair
        (64.0, "t1", "n", 0, 0.9),
    ]  # fmt: skip
    runs = pd.DataFrame(rows, columns=["budget", "task_id", "pipeline_id", "seed", "alc"])
    runs["status"] = "ok"
    table = bench_neighbours.paired_table(runs, "ref", {"n": "lr=0.1"}, "alc")
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["tasks"], row["wins"], row["ties"], row["losses"]) == (3, 1, 1, 1)
    assert row["reference"] == pytest.approx((0.5 + 0.9 + 0.4) / 3)
    assert row["neighbour_mean"] == pytest.approx((0.7 + 0.8 + 0.4) / 3)
    assert row["mean_diff"] == pytest.approx((0.2 - 0.1 + 0.0) / 3)
    assert row["sign_test_p"] == pytest.approx(1.0)  # 1 win, 1 loss: P = 2 * 0.75 capped at 1
