"""Out-of-range marking and the comparison with the default, on records made by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_out_of_range  # noqa: E402

# one meta-feature; tasks a1, a2 of core a, b1 of core b, c1 of core c
FEATURES = pd.DataFrame({"x": [1.0, 2.0, 3.0, 10.0]}, index=["a1", "a2", "b1", "c1"])
CORES = pd.Series(["a", "a", "b", "c"], index=FEATURES.index)


def _records() -> pd.DataFrame:
    return pd.DataFrame({
        "held_out": ["a", "a", "b", "c"],
        "task_id": ["a1", "a2", "b1", "c1"],
        "chosen_alc": [0.8, 0.6, 0.9, 0.5],
    })  # fmt: skip


def test_a_task_is_out_of_range_of_the_other_cores_tasks():
    marked = bench_out_of_range.mark_out_of_range(_records(), FEATURES, CORES)
    # held out a: others span [3, 10], so a1 = 1 and a2 = 2 are below; held out b: [1, 10]
    # holds 3; held out c: [1, 3], and 10 is above
    assert marked["out_of_range"].tolist() == [True, True, False, True]
    assert marked["features_out"].tolist() == ["x", "x", "", "x"]


def test_the_default_is_compared_where_it_has_a_value():
    marked = bench_out_of_range.mark_out_of_range(_records(), FEATURES, CORES)
    default = pd.Series([0.9, 0.5, 0.7, None])  # no default value on c1
    table = bench_out_of_range.against_default(marked, default)
    out = table.loc["out of range"]
    # a1 and a2, both of core a: gains +0.1 and -0.1
    assert out["cases"] == 2 and out["cores"] == 1
    assert out["chosen"] == pytest.approx(0.7) and out["default"] == pytest.approx(0.7)
    assert out["default_minus_chosen"] == pytest.approx(0.0)
    assert (out["default_ahead"], out["default_behind"]) == (1, 1)
    assert pd.isna(out["low"])  # one core: no interval
    inside = table.loc["in range"]
    assert inside["default_minus_chosen"] == pytest.approx(-0.2)


def test_the_interval_is_over_held_out_cores():
    records = _records().assign(held_out=["a", "b", "c", "c"])
    marked = records.assign(out_of_range=True, features_out="x")
    default = pd.Series([0.9, 0.7, 0.9, 0.6])  # gains +0.1, +0.1, 0.0, +0.1
    out = bench_out_of_range.against_default(marked, default).loc["out of range"]
    per_core = pd.Series([0.1, 0.1, 0.05])  # a, b, and c's two cases averaged
    low, high = stats.t.interval(0.95, 2, per_core.mean(), stats.sem(per_core))
    assert (out["low"], out["high"]) == (pytest.approx(low), pytest.approx(high))
    assert out["default_minus_chosen"] == pytest.approx(0.075)  # over cases, not cores
