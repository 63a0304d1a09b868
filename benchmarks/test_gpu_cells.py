"""bench_gpu_cells on hand-made records and rows."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from zapml.metadataset.record import RunRecord

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_gpu_cells as bench  # noqa: E402


def run(task, pipe, seed=0, budget=64.0, acc=0.5, start=0.0, end=10.0, build=1, ok=True):
    return RunRecord(
        cell_key=f"{task}|{pipe}|{seed}|{budget}", task_id=task, pipeline_id=pipe, seed=seed,
        budget=budget, clock="compute", status="ok" if ok else "failed", final_accuracy=acc,
        started_at=start, finished_at=end, build_id=build,
    )  # fmt: skip


def test_sample_spreads_each_architecture_over_core_datasets():
    records = [
        run("0-digits", "a1"), run("1-digits", "a1"), run("0-lfw", "a1"), run("0-lfw", "b1"),
        run("2-digits", "b1", seed=1), run("3-digits", "b1", budget=16.0),
        run("4-digits", "b1", ok=False),
    ]  # fmt: skip
    arch = {"a1": "A", "b1": "B"}
    two = bench.sample_runs(records, arch, [64.0], per_arch=2, seed=0)
    a_runs = [r for r in two if arch[r.pipeline_id] == "A"]
    assert len(a_runs) == 2 and {r.task_id.split("-")[1] for r in a_runs} == {"digits", "lfw"}
    # B has one ok seed-0 run at 64 s: the other seed, budget and the failed run are left out
    assert [r.task_id for r in two if arch[r.pipeline_id] == "B"] == ["0-lfw"]
    # more than there are cores: a second run of a core is taken
    assert (
        len([r for r in bench.sample_runs(records, arch, [64.0], 3, 0) if r.pipeline_id == "a1"])
        == 3
    )


def test_seed_gap_and_build_throughput_by_hand():
    records = [
        run("t", "p", seed=0, acc=0.50, start=0, end=1800),
        run("t", "p", seed=1, acc=0.56, start=1800, end=3600),
        run("u", "p", seed=0, acc=0.9, start=100, end=200),
        run("u", "p", seed=1, acc=0.8, start=0, end=1800, build=2),
        run("v", "p", seed=0, acc=0.7, budget=16.0, build=3, start=0, end=3600),
    ]
    assert bench.seed_gap(records, [64.0]) == pytest.approx((0.06 + 0.1) / 2)
    # build 1: 3 runs over 3600 s, build 2: 1 run over 1800 s; build 3 has no 64-s run
    assert bench.build_throughput(records, [64.0]) == pytest.approx(4 / 1.5)


def test_summarise_by_hand():
    rows = pd.DataFrame(
        {
            "cell_key": ["a", "b", "c", "d"],
            "architecture": ["A", "A", "B", "B"],
            "status": ["ok", "ok", "ok", "failed"],
            "old_seconds": [100.0, 60.0, 30.0, 10.0],
            "new_seconds": [10.0, 20.0, 30.0, 1.0],
            "same_times": [True, False, True, True],
            "old_accuracy": [0.5, 0.6, 0.7, 0.1],
            "new_accuracy": [0.5, 0.5, 0.8, 0.9],
            "old_nauc": [0.1, 0.2, 0.3, 0.0],
            "new_nauc": [0.1, 0.1, 0.3, 0.0],
            "old_alc": [0.0, 0.0, 0.0, 0.0],
            "new_alc": [0.03, 0.0, 0.0, 0.0],
        }
    )
    out = bench.summarise(rows, wall=36.0)
    assert (out["cells"], out["failed"]) == (4, 1)
    assert out["speedup_median"] == pytest.approx(3.0)  # 10, 3, 1
    assert out["speedup_range"] == pytest.approx([1.0, 10.0])
    assert out["same_times_share"] == pytest.approx(2 / 3)
    assert out["accuracy_diff"] == pytest.approx(0.0)  # 0, -0.1, +0.1
    assert out["accuracy_abs_diff"] == pytest.approx(0.2 / 3)
    assert out["nauc_abs_diff"] == pytest.approx(0.1 / 3)
    assert out["alc_abs_diff"] == pytest.approx(0.01)
    assert out["sample_cells_per_hour"] == pytest.approx(400.0)
    table = bench.per_architecture(rows)
    assert table.loc["A", "speedup"] == pytest.approx(6.5) and table.loc["B", "cells"] == 1
