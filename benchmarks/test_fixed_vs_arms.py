"""bench_fixed_vs_arms on hand-worked tables."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_fixed_vs_arms as bench  # noqa: E402

ARMS = ["a1", "a2"]
ACCURACY = pd.DataFrame(
    {
        "a1": [0.5, 0.9, 0.2, None],
        "a2": [0.6, 0.8, 0.3, 0.5],
        "p": [0.7, 0.85, 0.4, 0.9],
        "q": [0.6, None, None, 0.1],
    },
    index=["t1", "t2", "t3", "t4"],
)


def test_fixed_vs_arms_counts_strict_wins_over_the_best_arm_on_rows_with_every_arm():
    rows = bench.arm_rows(ACCURACY, ARMS)
    assert list(rows.index) == ["t1", "t2", "t3"]  # t4 lacks a1
    table = bench.fixed_vs_arms(rows, ARMS, min_share=0.3)
    # p: margins over the best arm 0.1, -0.05, 0.1 -> beats on 2 of 3, mean 0.05
    assert table.loc["p", "beats_all_three"] == pytest.approx(2 / 3)
    assert table.loc["p", "mean_margin"] == pytest.approx(0.05)
    # q: observed on t1 only, where it ties a2 (a tie is not a win)
    assert table.loc["q", "tasks"] == 1 and table.loc["q", "beats_all_three"] == 0.0
    assert list(table.index[:1]) == ["p"] and bool(table.loc["a2", "is_arm"])
    # with min_share 0.5, q (1 of 3 rows) is left out
    assert "q" not in bench.fixed_vs_arms(rows, ARMS, min_share=0.5).index


def test_twins_differ_in_the_setting_and_in_settings_only_one_of_them_has():
    configs = {
        "on": {"arch": "m", "lr": 1e-3, "flag": True, "child": "LR"},
        "off": {"arch": "m", "lr": 1e-3, "flag": False},
        "off_other_lr": {"arch": "m", "lr": 3e-4, "flag": False},
        "on_other_child": {"arch": "m", "lr": 1e-3, "flag": True, "child": "SVM"},
        "no_flag": {"arch": "m", "lr": 1e-3},
    }
    # both "on" pipelines pair with "off" (child is active in one of each pair only); the other
    # lr differs in a shared setting; two pipelines with the same flag are never twins
    assert bench.twin_pairs(configs, "flag") == [("off", "on"), ("off", "on_other_child")]


def test_twin_table_pairs_tasks_and_drops_those_the_old_store_already_had():
    accuracy = pd.DataFrame(
        {"off": [0.5, 0.4, 0.9], "on": [0.6, 0.4, 0.8]}, index=["t1", "t2", "t3"]
    )
    table = bench.twin_table(accuracy, [("off", "on")]).iloc[0]
    assert table["tasks"] == 3
    assert table["mean_second_minus_first"] == pytest.approx((0.1 + 0.0 - 0.1) / 3)
    assert table["second_wins"] == pytest.approx(1 / 3)  # t2 is a tie
    old = accuracy.loc[["t1", "t2"]].assign(on=[0.6, None])  # t2 was not observed in pairs
    fresh = bench.twin_table(accuracy, [("off", "on")], old).iloc[0]
    assert fresh["tasks"] == 2 and fresh["second_wins"] == pytest.approx(0.0)


def test_fresh_rows_keeps_only_rows_whose_arms_the_old_store_lacked():
    rows = bench.arm_rows(ACCURACY, ARMS)
    old = ACCURACY.loc[["t1", "t2"]].assign(a1=[0.5, None])
    assert list(bench.fresh_rows(rows, old, ARMS).index) == ["t2", "t3"]
    assert bench.fresh_rows(rows, None, ARMS).equals(rows)
