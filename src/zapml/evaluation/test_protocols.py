"""Protocols on a hand-made 6-task meta-dataset, with the single best's choices worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zapml.errors import DataError
from zapml.evaluation import (
    Protocol,
    evaluate,
    factory,
    leave_one_core_out,
    per_task_results,
    summarize_over_seeds,
)
from zapml.metadataset.metadataset import MetaDataset
from zapml.space import sample_pipelines

TASKS = ["t1", "t2", "t3", "t4", "t5", "t6"]
SB = {"single_best": factory("single_best")}


@pytest.fixture()
def six() -> MetaDataset:
    perf = [
        [0.9, 0.1, 0.5],
        [0.8, 0.2, 0.6],
        [0.1, 0.9, 0.4],
        [0.2, 0.7, 0.45],
        [0.3, 0.4, 0.8],
        [0.5, 0.3, 0.7],
    ]
    tasks = pd.DataFrame(
        {"core_dataset": ["a", "a", "b", "b", "c", "c"], "n_rows": [10, 20, 30, 40, 50, 60]},
        index=TASKS,
    )
    ids = ["p0", "p1", "p2"]
    pipes = dict(zip(ids, sample_pipelines(3, seed=0), strict=True))
    return MetaDataset(tasks, pipes, pd.DataFrame(perf, index=TASKS, columns=ids))


def _single_best(records: pd.DataFrame) -> pd.DataFrame:
    table = per_task_results(records)
    return table[table["selector"] == "single_best"].set_index("task_id").loc[TASKS]


def test_per_task_regret_of_single_best_by_hand(six):
    rows = _single_best(evaluate(six, SB, seeds=(0,)))
    # held out a: means on b, c: p0 .275, p1 .575, p2 .5875 -> p2 (t1 .5, t2 .6)
    # held out b: means on a, c: p0 .625, p1 .25, p2 .65 -> p2 (t3 .4, t4 .45)
    # held out c: means on a, b: p0 .5, p1 .475, p2 .4875 -> p0 (t5 .3, t6 .5)
    assert rows["chosen_candidate"].tolist() == ["p2", "p2", "p2", "p2", "p0", "p0"]
    assert rows["held_out"].tolist() == ["a", "a", "b", "b", "c", "c"]
    np.testing.assert_allclose(rows["value"], [0.5, 0.6, 0.4, 0.45, 0.3, 0.5])
    np.testing.assert_allclose(rows["oracle_value"], [0.9, 0.8, 0.9, 0.7, 0.8, 0.7])
    np.testing.assert_allclose(rows["regret"], [0.4, 0.2, 0.5, 0.25, 0.5, 0.2])
    # t1: random pick .5 -> (.9 - .5) / (.9 - .5) = 1 ; t5: random .5 -> (.8 - .3) / (.8 - .5)
    assert rows.loc["t1", "normalized_regret"] == pytest.approx(1.0)
    assert rows.loc["t5", "normalized_regret"] == pytest.approx(0.5 / 0.3)
    assert (rows["value"] == rows["single_best_value"]).all()


def test_groups_protocol_gives_the_loco_records(six):
    lineup = {"random": factory("random"), "knn": factory("knn"), **SB}
    ours = evaluate(six, lineup, seeds=(0, 1), protocol="groups")
    assert (ours["protocol"] == "groups").all()
    loco = leave_one_core_out(six, lineup, seeds=(0, 1))
    timing = ["fit_seconds"]  # wall time: the one column two identical runs disagree on
    ours = ours.drop(columns=["protocol", *timing])
    pd.testing.assert_frame_equal(ours, loco.drop(columns=timing))


def test_folds_protocol_uses_exactly_the_given_folds(six):
    folds = {"t1": 1, "t3": 1, "t5": 1, "t2": 2, "t4": 2, "t6": 2, "not_here": 3}
    rows = _single_best(evaluate(six, SB, seeds=(0,), protocol=Protocol("folds", folds=folds)))
    assert rows["held_out"].tolist() == ["fold 1", "fold 2"] * 3
    # fold 1 out: means on t2, t4, t6: p0 .5, p1 .4, p2 .5833 -> p2 ;
    # fold 2 out: means on t1, t3, t5: p0 .4333, p1 .4667, p2 .5667 -> p2
    assert set(rows["chosen_candidate"]) == {"p2"}
    np.testing.assert_allclose(rows["regret"], [0.4, 0.2, 0.5, 0.25, 0.0, 0.0])


def test_folds_protocol_reads_the_metadatasets_own_folds(six):
    six.folds = pd.Series([0, 0, 0, 1, 1, 1], index=TASKS)  # type: ignore[attr-defined]
    split = Protocol("folds").split(six)
    assert split == [("fold 0", ["t1", "t2", "t3"]), ("fold 1", ["t4", "t5", "t6"])]


def test_kfold_partitions_the_tasks(six):
    for seed in range(4):
        split = Protocol("kfold", k=4).split(six, seed)
        assert len(split) == 4
        held = [t for _, tasks in split for t in tasks]
        assert sorted(held) == TASKS  # each task in exactly one test fold
    records = evaluate(six, SB, seeds=(0, 1), protocol=Protocol("kfold", k=3))
    counts = records.groupby(["selector", "seed", "task_id"]).size()
    assert (counts == 1).all() and len(counts) == 2 * 2 * 6  # single best + oracle, 2 seeds


def _fold_sets(records: pd.DataFrame, seed: int) -> set[frozenset[str]]:
    part = records[(records["seed"] == seed) & (records["selector"] == "single_best")]
    return {frozenset(g["task_id"]) for _, g in part.groupby("held_out")}


def test_seeds_change_kfold_splits_but_not_groups(six):
    seeds = (0, 1, 2)
    kfold = evaluate(six, SB, seeds=seeds, protocol=Protocol("kfold", k=3))
    assert len({frozenset(_fold_sets(kfold, s)) for s in seeds}) > 1
    groups = evaluate(six, SB, seeds=seeds, protocol="groups")
    assert len({frozenset(_fold_sets(groups, s)) for s in seeds}) == 1


def test_kfold_keeps_a_tasks_budgets_together(six):
    later = six.perf + 0.05
    md = MetaDataset.from_budgets(six.tasks, six.pipelines, {10.0: six.perf, 20.0: later})
    records = evaluate(md, SB, seeds=(0,), protocol=Protocol("kfold", k=3))
    sb = records[records["selector"] == "single_best"]
    fold_of = sb.assign(task=sb["task_id"].str.split("@").str[0]).groupby("task")["held_out"]
    assert len(sb) == 12 and (fold_of.nunique() == 1).all()
    assert sorted(sb["budget"].unique()) == [10.0, 20.0]


def test_summary_over_seeds_by_hand():
    records = pd.DataFrame(
        {
            "selector": ["s"] * 4,
            "seed": [0, 0, 1, 1],
            "task_id": ["t1", "t2", "t1", "t2"],
            "chosen_alc": [0.2, 0.4, 0.6, 0.8],
            "oracle_alc": [1.0] * 4,
            "random_alc": [0.0] * 4,
        }
    )
    table = summarize_over_seeds(records)
    # seed 0: mean .3, regret (1 - .3) / 1 = .7 ; seed 1: mean .7, regret .3 ; std of two
    # values x, y (ddof 1) = |x - y| / sqrt(2)
    assert table.loc["s", "mean_alc_mean"] == pytest.approx(0.5)
    assert table.loc["s", "mean_alc_std"] == pytest.approx(0.4 / np.sqrt(2))
    assert table.loc["s", "normalized_regret_mean"] == pytest.approx(0.5)
    assert table.loc["s", "n_seeds"] == 2


@pytest.mark.parametrize(
    ("protocol", "message"),
    [
        (Protocol("folds"), "has none. Use --protocol groups"),
        (Protocol("kfold", k=7), "needs at least 7 tasks; the meta-dataset has 6"),
        (Protocol("folds", folds={"t1": 0, "t2": 1}), "no fold for 4 task(s)"),
        (Protocol("folds", folds=dict.fromkeys(TASKS, "x")), "every task in one fold"),
    ],
)
def test_protocol_errors_name_the_problem(six, protocol, message):
    with pytest.raises(DataError) as err:
        evaluate(six, SB, seeds=(0,), protocol=protocol)
    assert message in str(err.value)


def test_bad_protocol_settings_are_refused(six):
    with pytest.raises(DataError, match="Unknown protocol 'loo'"):
        Protocol("loo")
    with pytest.raises(DataError, match="at least 2 folds"):
        Protocol("kfold", k=1)
    with pytest.raises(DataError, match="at least one seed"):
        evaluate(six, SB, seeds=(), protocol="kfold")
    one_group = six.subset(["t1", "t2"])
    with pytest.raises(DataError, match="--protocol kfold"):
        evaluate(one_group, SB, seeds=(0,), protocol="groups")


def test_html_report_names_the_protocol_the_records_were_made_by(six):
    from zapml.evaluation.html import protocol_facts
    from zapml.evaluation.protocols import PROTOCOLS

    kfold = evaluate(six, SB, seeds=(0,), protocol=Protocol("kfold", k=3))
    assert protocol_facts(kfold, "alc")["protocol"] == PROTOCOLS["kfold"]
    loco = leave_one_core_out(six, SB, seeds=(0,))  # no protocol column: LOCO's records
    assert protocol_facts(loco, "alc")["protocol"] == PROTOCOLS["groups"]
