"""Two LOCO runs compared: case pairing, the truth split and the bootstrap, on records by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_loco_compare  # noqa: E402


def _run(chosen: list[float], oracle: list[float]) -> pd.DataFrame:
    # held-out "a" has one case at 4 s and one at 16 s, held-out "b" one at 4 s
    return pd.DataFrame({
        "seed": [0, 0, 0],
        "held_out": ["a", "a", "b"],
        "task_id": ["0-a", "0-a", "0-b"],
        "budget": [4.0, 16.0, 4.0],
        "chosen_alc": chosen,
        "oracle_alc": oracle,
        "random_alc": [0.5, 0.5, 0.5],
        "n_observed": [3, 3, 3],
    })  # fmt: skip


def _cases() -> pd.DataFrame:
    # the 16-s case's truth moved (oracle 0.9 -> 0.8); at 4 s only "b"'s pick changed
    old = _run(chosen=[0.9, 0.7, 1.0], oracle=[1.0, 0.9, 1.0])
    new = _run(chosen=[0.9, 0.7, 0.8], oracle=[1.0, 0.8, 1.0])
    return bench_loco_compare.paired_cases(old, new)


def test_cases_whose_oracle_moved_are_split_off():
    cases = _cases()
    assert cases["comparable"].tolist() == [True, False, True]


def test_regret_change_on_unchanged_truth_is_worked_out_by_hand():
    table = bench_loco_compare.comparison(_cases(), n_boot=200)
    # 4 s: old (1 - 0.95) / (1 - 0.5) = 0.1, new (1 - 0.85) / 0.5 = 0.3
    assert table.loc["4 s", "regret_old"] == pytest.approx(0.1)
    assert table.loc["4 s", "regret_new"] == pytest.approx(0.3)
    assert table.loc["all", "change"] == pytest.approx(0.2)
    # the moved 16-s case: old (0.9 - 0.7) / 0.4 = 0.5, new (0.8 - 0.7) / 0.3
    assert table.loc["16 s", "comparable"] == 0
    assert table.loc["16 s", "moved_regret_old"] == pytest.approx(0.5)
    assert table.loc["16 s", "moved_regret_new"] == pytest.approx(1 / 3)


def test_budgets_alike_weigh_each_budget_the_same():
    cases = _cases().assign(comparable=True)
    table = bench_loco_compare.comparison(cases, n_boot=200)
    # old: 4 s, the ratio of means of its two cases, (0.1 + 0) / (0.5 + 0.5) = 0.1; 16 s 0.2 / 0.4
    # new: 4 s 0.3, 16 s 0.1 / 0.3; each budget weighs a half however many cases it holds
    assert table.loc["budgets alike", "regret_old"] == pytest.approx((0.1 + 0.5) / 2)
    assert table.loc["budgets alike", "regret_new"] == pytest.approx((0.3 + 1 / 3) / 2)
    assert table.loc["budgets alike", "change"] == pytest.approx((0.3 + 1 / 3 - 0.6) / 2)
    # over all three cases the old regret is one ratio of means: (0.1 + 0.2 + 0) / 1.4
    assert table.loc["all", "regret_old"] == pytest.approx(0.3 / 1.4)


def test_bootstrap_interval_spans_the_held_out_datasets_alone():
    same = _cases().query("comparable")
    # resampling {a, b}: a alone changes nothing (0), b alone 0.4 (0 -> 0.4), both 0.2
    low, high = bench_loco_compare.bootstrap_interval(same, n_boot=500)
    assert low == pytest.approx(0.0)
    assert high == pytest.approx(0.4)


def test_runs_without_common_cases_are_refused():
    old = _run([0.9, 0.7, 1.0], [1.0, 0.9, 1.0])
    with pytest.raises(SystemExit, match="share no"):
        bench_loco_compare.paired_cases(old, old.assign(seed=1))


def test_a_case_with_more_pipelines_to_choose_from_is_not_comparable():
    old = _run([0.9, 0.7, 1.0], [1.0, 0.9, 1.0])
    cases = bench_loco_compare.paired_cases(old, old.assign(n_observed=[3, 3, 4]))
    assert cases["comparable"].tolist() == [True, True, False]


def test_rescored_reads_pick_oracle_and_mean_from_the_store_matrix():
    perf = pd.DataFrame(
        {"p1": [0.2, 0.6], "p2": [0.8, float("nan")], "p3": [0.5, 0.4]},
        index=["0-a@4", "0-a@16"],
    )
    records = pd.DataFrame({"task_id": ["0-a@4", "0-a@16"], "chosen_pipeline": ["p3", "p1"]})
    scored = bench_loco_compare.rescored(records, perf)
    assert scored["chosen_alc"].tolist() == pytest.approx([0.5, 0.6])
    assert scored["oracle_alc"].tolist() == pytest.approx([0.8, 0.6])
    assert scored["random_alc"].tolist() == pytest.approx([0.5, 0.5])  # NaN is not observed
    with pytest.raises(SystemExit, match="not observed"):
        bench_loco_compare.rescored(records.assign(chosen_pipeline=["p1", "p2"]), perf)


def test_records_without_a_needed_column_are_refused_by_name(tmp_path):
    path = tmp_path / "old.pkl"
    _run(chosen=[0.9, 0.7, 1.0], oracle=[1.0, 0.9, 1.0]).to_pickle(path)
    assert len(bench_loco_compare.read_records(path, rescoring=False)) == 3
    with pytest.raises(SystemExit, match="lacks the record column.s. objective"):
        bench_loco_compare.read_records(path, rescoring=True)
    _run(chosen=[0.9, 0.7, 1.0], oracle=[1.0, 0.9, 1.0]).drop(columns="n_observed").to_pickle(path)
    with pytest.raises(SystemExit, match="n_observed"):
        bench_loco_compare.read_records(path, rescoring=False)


def test_runs_of_two_objectives_are_refused():
    final = _run(chosen=[0.9, 0.7, 1.0], oracle=[1.0, 0.9, 1.0]).assign(objective="final")
    assert bench_loco_compare.common_objective(final, final) == "final"
    with pytest.raises(SystemExit, match=r"\['alc', 'final'\]"):
        bench_loco_compare.common_objective(final, final.assign(objective="alc"))
