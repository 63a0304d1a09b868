"""LOCO on a multi-budget meta-dataset: per-budget records and tables, both single-best
baselines, and no leakage of a held-out core dataset through another budget. Values by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zapml.evaluation import (
    factory,
    leave_one_core_out,
    run_benchmark,
    summarize,
    summarize_by_budget,
)
from zapml.metadataset.metadataset import BUDGET_FEATURE, MetaDataset
from zapml.selectors.baselines import SingleBestSelector
from zapml.space import sample_pipelines

# Three core datasets, one task each, two pipelines. At budget 4 pipeline 0 wins every task, at
# 16 pipeline 1 does.
AT_4 = [[0.6, 0.4], [0.5, 0.3], [0.7, 0.2]]
AT_16 = [[0.5, 0.9], [0.4, 0.8], [0.6, 0.7]]


@pytest.fixture()
def switching() -> MetaDataset:
    pipes = {p.id: p for p in sample_pipelines(2, seed=0)}
    tasks = pd.DataFrame(
        {"core_dataset": ["a", "b", "c"], "num_classes": [2.0, 5.0, 9.0]}, index=["ta", "tb", "tc"]
    )
    frames = {b: pd.DataFrame(v, index=tasks.index, columns=list(pipes)) for b, v in
              ((4.0, AT_4), (16.0, AT_16))}  # fmt: skip
    return MetaDataset.from_budgets(tasks, pipes, frames)


def test_records_hold_each_budget_and_both_single_best_baselines(switching):
    lineup = {n: factory(n) for n in ("single_best", "single_best_per_budget")}
    records = leave_one_core_out(switching, lineup, seeds=[0], include_oracle=False)
    per_budget = records[records["selector"] == "single_best_per_budget"].set_index("task_id")
    assert sorted(per_budget.index) == ["ta@16", "ta@4", "tb@16", "tb@4", "tc@16", "tc@4"]
    assert per_budget.loc["ta@16", "budget"] == 16.0
    # Per-budget single best: pipeline 0 at 4, pipeline 1 at 16 on every fold = the oracle.
    np.testing.assert_allclose(per_budget["chosen_alc"], per_budget["oracle_alc"])
    # Budget-blind single best, by hand: without a, mean(p0) = (.5+.7+.4+.6)/4 = .55 > .5 = p1;
    # without b, .6 > .55; without c, p0 = .5 < .6 = p1.
    blind = per_budget["single_best_alc"]
    assert blind.to_dict() == pytest.approx(
        {"ta@4": 0.6, "ta@16": 0.5, "tb@4": 0.5, "tb@16": 0.4, "tc@4": 0.2, "tc@16": 0.7}
    )
    assert per_budget["single_best_per_budget_alc"].to_dict() == pytest.approx(
        per_budget["oracle_alc"].to_dict()
    )


def test_per_budget_tables_by_hand(switching):
    lineup = {n: factory(n) for n in ("single_best", "single_best_per_budget")}
    records = leave_one_core_out(switching, lineup, seeds=[0, 1])
    tables = summarize_by_budget(records)
    assert list(tables) == [4.0, 16.0]
    at16 = tables[16.0]
    # blind single best at 16 chooses .5, .4, .7: mean .5333; oracle mean .8; random (row
    # means .7, .6, .65) .65 -> regret (.8 - .5333) / (.8 - .65) = 1.778; gap closed 0 by
    # definition. The per-budget single best is the oracle here: regret 0, gap closed 1.
    assert at16.loc["single_best", "mean_alc"] == pytest.approx(1.6 / 3)
    assert at16.loc["single_best", "normalized_regret"] == pytest.approx((0.8 - 1.6 / 3) / 0.15)
    assert at16.loc["single_best", "gap_closed"] == pytest.approx(0.0)
    assert at16.loc["single_best_per_budget", "normalized_regret"] == pytest.approx(0.0)
    assert at16.loc["single_best_per_budget", "gap_closed"] == pytest.approx(1.0)
    assert np.isnan(at16.loc["single_best_per_budget", "gap_closed_budget_sb"])  # 0 / 0
    assert at16.loc["oracle", "n_cases"] == 3 * 2  # 3 tasks x 2 seeds
    pooled = summarize(records)  # all budgets together: 4 at 4 s (blind picks .6 .5 .2) + 16
    assert pooled.loc["single_best", "mean_alc"] == pytest.approx((1.3 + 1.6) / 6)


class _Spy(SingleBestSelector):
    """Records what each fit saw."""

    seen: list[pd.DataFrame] = []

    def _fit(self, md):
        _Spy.seen.append(md.tasks.copy())
        super()._fit(md)


def test_a_held_out_core_dataset_leaves_training_at_every_budget(switching):
    _Spy.seen = []
    leave_one_core_out(switching, {"spy": lambda seed: _Spy()}, seeds=[0], cores=["a"])
    (tasks,) = _Spy.seen
    assert "a" not in set(tasks["core_dataset"])
    assert sorted(tasks.index) == ["tb@16", "tb@4", "tc@16", "tc@4"]
    assert sorted(set(tasks[BUDGET_FEATURE])) == [4.0, 16.0]


def test_one_budget_records_name_it_and_the_report_has_per_budget_tables(switching, tmp_path):
    lineup = {n: factory(n) for n in ("single_best", "single_best_per_budget")}
    one = leave_one_core_out(switching.at_budget(4.0), lineup, seeds=[0])
    assert set(one["budget"]) == {4.0}
    np.testing.assert_allclose(one["single_best_alc"], one["single_best_per_budget_alc"])
    run_benchmark(switching, lineup, seeds=[0], out_dir=tmp_path, png=False)
    text = (tmp_path / "summary.md").read_text()
    assert "All budgets:" in text and "Budget 4 compute-s:" in text and "Budget 16" in text
    long = pd.read_csv(tmp_path / "summary_by_budget.csv")
    assert sorted(set(long["budget"])) == [4.0, 16.0]
    assert "gap_closed_budget_sb" in long.columns


def test_selectors_that_read_the_budget_join_the_line_up_only_with_several_budgets(switching):
    from zapml.evaluation import applicable, default_selectors
    from zapml.evaluation.loco import NEEDS_BUDGETS

    lineup = default_selectors("fast")
    assert set(lineup) >= NEEDS_BUDGETS
    assert applicable(lineup, switching) == lineup
    one = applicable(lineup, switching.at_budget(16.0))
    assert set(one) == set(lineup) - NEEDS_BUDGETS and "zap_hpo_log" in one
