"""The meta-dataset replay on a hand-made meta-dataset whose costs and TRE are worked out by
hand (the comments below), and on orders drawn by a seed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zapml.errors import DataError
from zapml.metadataset.metadataset import MetaDataset
from zapml.space import Pipeline
from zapml.transfer.metareplay import (
    KeyGrouper,
    MetaReplaySettings,
    meta_stream,
    replay_meta_stream,
    sample_search,
)
from zapml.transfer.replay import replay

NaN = float("nan")
# Architecture of each pipeline: families "fa" and "fb" are recorded on every task, "xc" not on t5.
ARCH = {"fa1": "fa", "fa2": "fa", "fb1": "fb", "fb2": "fb", "x1": "xc", "x2": "xc"}
# ALC per task (rows) and pipeline; errors are 1 - ALC. Exactly one pipeline of each family is
# recorded per task, so every trial of a task repeats the same (fa, fb) values.
VALUES = {
    "t1": {"fa1": 0.5, "fb1": 0.6, "x1": 0.8, "x2": 0.7},
    "t2": {"fa1": 0.5, "fb1": 0.6, "x1": 0.75, "x2": 0.8},
    "t3": {"fa2": 0.2, "fb1": 0.1, "x1": 0.3},
    "t4": {"fa2": 0.2, "fb1": 0.1, "x2": 0.5},
    "t5": {"fa1": 0.2, "fb2": 0.1},
}
BUDGET = 4.0


def _metadataset(values=VALUES) -> MetaDataset:
    perf = pd.DataFrame(values).T.reindex(columns=list(ARCH)).astype(float)
    tasks = pd.DataFrame({"core_dataset": ["core"] * len(perf)}, index=perf.index)
    pipelines = {pid: Pipeline({"architecture": arch}) for pid, arch in ARCH.items()}
    return MetaDataset(tasks, pipelines, perf, budget_perf={BUDGET: perf})


def test_the_stream_is_replayed_as_worked_out_by_hand():
    settings = MetaReplaySettings(num_trials=8, sample_size=10)  # a sample of all recorded runs
    stream = meta_stream(_metadataset(), settings)
    assert stream.families == ("fa", "fb") and stream.cell_budget == BUDGET
    assert stream.datasets[0].representation.trials.tolist() == [[0.5, 0.6]] * 8
    report = replay(
        stream.datasets,
        lambda d: sample_search(d, settings.sample_size, stream.cell_budget, 0),
        on_unrecorded="search",
    )
    # t1 opens group 0; its search runs 4 cells (16 s) and ranks x1 (err 0.2), x2, fb1, fa1.
    # t2 has t1's representation and shares x1: error 0.25 against its own best x2 (0.2): +0.25.
    # t3 opens group 1 (3 cells, 12 s): x1 (0.7), then fa2 (0.8), fb1 (0.9).
    # t4 shares group 1; x1 was not run on t4, the runner-up fa2 was: 0.8 vs its best x2 0.5:
    # +0.6. t5 shares group 1 too but ran none of x1, fa2, fb1: it pays its own search of its
    # two runs (8 s) and uses its best, fa1.
    # Standalone: 16 + 16 + 12 + 12 + 8 = 64 s; transfer: 16 + 12 + 8 = 36 s.
    steps = report.steps
    assert [(s.group_id, s.shared, s.fallback) for s in steps] == [
        (0, False, False),
        (0, True, False),
        (1, False, False),
        (1, True, False),
        (1, True, True),
    ]
    assert [s.pipeline for s in steps] == ["x1", "x1", "x1", "fa2", "fa1"]
    assert report.standalone_cost == pytest.approx(64.0)
    assert report.transfer_cost == pytest.approx(36.0)
    assert [s.relative_error for s in steps] == pytest.approx([0.0, 0.25, 0.0, 0.6, 0.0])
    assert report.total_relative_error == pytest.approx(0.85 / 5)
    # B = 2 families x T = 8 trials x 4 s per task, five tasks.
    assert report.benchmark_cost == pytest.approx(5 * 2 * 8 * BUDGET)


def test_a_seeded_order_is_a_permutation_and_searches_sample_recorded_runs():
    settings = MetaReplaySettings(num_trials=8, sample_size=2)
    stream = meta_stream(_metadataset(), settings)
    report = replay_meta_stream(stream, order_seed=3, settings=settings)
    expected = [f"t{i + 1}" for i in np.random.default_rng(3).permutation(5)]
    assert [s.dataset_id for s in report.steps] == expected
    assert all(s.standalone_search_cost == 2 * BUDGET for s in report.steps)
    assert all(s.pipeline in VALUES[s.dataset_id] for s in report.steps)
    again = replay_meta_stream(stream, order_seed=3, settings=settings)
    assert again.steps == report.steps


def test_a_meta_dataset_without_a_family_on_every_task_is_refused():
    # fa is missing on t5, fb on t3, xc on t5.
    values = {**VALUES, "t3": {"fa2": 0.2, "x1": 0.3}, "t5": {"fb2": 0.1}}
    with pytest.raises(DataError, match="no architecture has a recorded run on every task"):
        meta_stream(_metadataset(values), MetaReplaySettings())


def test_the_key_grouping_shares_within_a_key_only():
    settings = MetaReplaySettings(num_trials=8, sample_size=10)
    stream = meta_stream(_metadataset(), settings)
    keys = {"t1": "k1", "t2": "k2", "t3": "k1", "t4": "k2", "t5": "k1"}
    report = replay(
        stream.datasets,
        lambda d: sample_search(d, settings.sample_size, stream.cell_budget, 0),
        on_unrecorded="search",
        grouper=KeyGrouper(keys),
    )
    # t1 opens k1 (x1 first, then x2, fb1, fa1) and t2 opens k2 (x2, x1, fb1, fa1). t3 shares
    # k1's x1, its own best: 0. t4 shares k2's x2, its best: 0. t5 (k1) ran none of x1, x2, fb1
    # but fa1: 0.8 against its best fa1, 0. Only t1 and t2 search: 16 + 16 = 32 s of 64.
    assert [s.pipeline for s in report.steps] == ["x1", "x2", "x1", "x2", "fa1"]
    assert report.num_groups == 2 and report.transfer_cost == pytest.approx(32.0)
    assert report.total_relative_error == pytest.approx(0.0)


def test_the_cell_budget_picks_the_matrix_and_prices_the_search():
    # The same table at 16 s with every value lowered by 0.1: errors rise by 0.1, a search of
    # all four runs of t1 costs 4 x 16 s, and a budget the store lacks is refused by name.
    values = _metadataset()
    lower = values.perf - 0.1
    mds = MetaDataset(
        values.tasks, values.pipelines, values.perf, budget_perf={BUDGET: values.perf, 16.0: lower}
    )
    settings = MetaReplaySettings(num_trials=8, sample_size=10, budget=16.0)
    stream = meta_stream(mds, settings)
    t1 = stream.datasets[0]
    assert stream.cell_budget == 16.0 and t1.errors["x1"] == pytest.approx(0.3)
    assert sample_search(t1, 10, stream.cell_budget, 0).cost == pytest.approx(64.0)
    assert t1.benchmark_cost == pytest.approx(2 * 8 * 16.0)
    with pytest.raises(DataError, match="no cells at budget 8 compute-s; pick one of 4, 16"):
        meta_stream(mds, MetaReplaySettings(budget=8.0))
