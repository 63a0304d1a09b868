"""Metrics and the LOCO replay on hand-made matrices with hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zapml.evaluation import (
    average_ranks,
    factory,
    gap_closed,
    leave_one_core_out,
    normalized_regret,
    per_task_regret,
    rich_table,
    save_report,
    summarize,
    to_markdown,
)
from zapml.metadataset.metadataset import MetaDataset
from zapml.space import sample_pipelines


def test_metrics_by_hand():
    chosen, oracle = np.array([0.5, 0.7]), np.array([0.8, 0.9])
    rand, sb = np.array([0.4, 0.5]), np.array([0.6, 0.7])
    # (0.85 - 0.60) / (0.85 - 0.45) = 0.625 ; (0.60 - 0.65) / (0.85 - 0.65) = -0.25
    assert normalized_regret(chosen, oracle, rand) == pytest.approx(0.625)
    assert gap_closed(chosen, sb, oracle) == pytest.approx(-0.25)
    np.testing.assert_allclose(per_task_regret(chosen, oracle, rand), [0.75, 0.5])
    assert np.isnan(gap_closed(chosen, oracle, oracle))  # oracle == single best: undefined


def test_average_ranks_by_hand():
    table = pd.DataFrame({"A": [0.5, 0.7], "B": [0.6, 0.6], "C": [0.5, 0.8]})
    # case 1: B 1, A/C tie 2.5 ; case 2: C 1, A 2, B 3
    ranks = average_ranks(table)
    assert ranks.to_dict() == pytest.approx({"A": 2.25, "B": 2.0, "C": 1.75})


@pytest.fixture()
def tiny():
    perf = np.array([[0.1, 0.5, 0.3], [0.2, 0.4, 0.9], [0.6, 0.2, 0.1], [0.7, 0.3, 0.2]])
    tasks = pd.DataFrame(
        {
            "core_dataset": ["a", "a", "b", "b"],
            "num_channels": [3, 3, 1, 1],
            "num_classes": [2, 5, 3, 4],
            "num_train": [100, 200, 300, 400],
            "resolution_0": [32, 32, 28, 28],
        },
        index=["t1", "t2", "t3", "t4"],
    )
    pipes = sample_pipelines(3, seed=0)
    ids = ["p0", "p1", "p2"]
    return MetaDataset(
        tasks, dict(zip(ids, pipes, strict=True)), pd.DataFrame(perf, tasks.index, ids)
    )


def test_loco_single_best_by_hand(tiny):
    records = leave_one_core_out(tiny, {"single_best": factory("single_best")}, seeds=(0,))
    sb = records[records["selector"] == "single_best"].set_index("task_id")
    # held out a: train on b -> means p0 .65 -> picks p0: t1 0.1, t2 0.2
    # held out b: train on a -> means p2 .6 -> picks p2: t3 0.1, t4 0.2
    assert sb["chosen_pipeline"].to_dict() == {"t1": "p0", "t2": "p0", "t3": "p2", "t4": "p2"}
    np.testing.assert_allclose(sb["oracle_alc"], [0.5, 0.9, 0.6, 0.7])
    np.testing.assert_allclose(sb["random_alc"], [0.3, 0.5, 0.3, 0.4])
    table = summarize(records)
    assert table.loc["single_best", "mean_alc"] == pytest.approx(0.15)
    # (0.675 - 0.15) / (0.675 - 0.375) = 1.75 ; gap closed of single best is 0 by definition
    assert table.loc["single_best", "normalized_regret"] == pytest.approx(1.75)
    assert table.loc["single_best", "gap_closed"] == pytest.approx(0.0)
    assert table.loc["oracle", "normalized_regret"] == pytest.approx(0.0)
    assert table.loc["oracle", "gap_closed"] == pytest.approx(1.0)


def test_loco_records_hold_ranking_correlations_by_hand(tiny):
    records = leave_one_core_out(tiny, {"single_best": factory("single_best")}, seeds=(0,))
    t1 = records[(records["selector"] == "single_best") & (records["task_id"] == "t1")].iloc[0]
    # held out a: scores = b's means (.65, .25, .15) vs t1's values (.1, .5, .3): score ranks
    # (3, 2, 1), value ranks (1, 3, 2): sum d^2 = 6 -> rho = 1 - 36/24 = -0.5 ; Pearson: sum of
    # deviation products -.08, squares .14 and .08 -> -.08 / sqrt(.14 * .08)
    assert t1["spearman"] == pytest.approx(-0.5)
    assert t1["pearson"] == pytest.approx(-0.08 / np.sqrt(0.14 * 0.08))
    # weighted tau, weights 1/(r+1) from the top: ranked by score, pairs (0,1) - 3/2, (0,2) - 4/3,
    # (1,2) + 5/6 -> -12/22 ; ranked by value, (0,1) - 4/3, (0,2) - 5/6, (1,2) + 3/2 -> -4/22
    assert t1["weighted_tau"] == pytest.approx((-12 / 22 - 4 / 22) / 2)
    assert records.loc[records["selector"] == "oracle", "spearman"].isna().all()


def test_sparse_cells_are_never_chosen(tiny):
    sparse = tiny.subset()
    sparse.perf.loc["t3", "p2"] = np.nan  # single best on a's tasks is p2, missing on t3
    records = leave_one_core_out(sparse, {"single_best": factory("single_best")}, seeds=(0,))
    row = records[(records["selector"] == "single_best") & (records["task_id"] == "t3")].iloc[0]
    assert row["chosen_pipeline"] == "p1" and row["chosen_alc"] == pytest.approx(0.2)
    assert row["oracle_alc"] == pytest.approx(0.6) and row["random_alc"] == pytest.approx(0.4)


def test_report_files(tiny, tmp_path):
    lineup = {"single_best": factory("single_best"), "random": factory("random")}
    records = leave_one_core_out(tiny, lineup, seeds=(0, 1))
    table = summarize(records)
    assert set(table.index) == {"single_best", "random", "oracle"}
    paths = save_report(records, table, tmp_path)
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths.values())
    assert "| single_best |" in to_markdown(table)
    assert rich_table(table).row_count == 3


def test_unseen_pipelines_rank_last_but_the_choice_stays_observed():
    from zapml.evaluation.loco import chosen_observed

    nan, inf = np.nan, np.inf
    perf = np.array([[nan, 0.2, 0.4, 0.9], [nan, 0.5, nan, 0.3], [0.1, nan, 0.6, nan]])
    # row 0: pipelines 2 and 3 were never seen by the selector (-inf, NaN): the seen one (1) wins
    # row 1: every observed pipeline unseen: the first observed (1), not the unobserved best (0)
    # row 2: ordinary argmax among the observed (2 beats 0; 1 is not observed)
    scores = np.array([[9.0, 0.0, -inf, nan], [5.0, -inf, 7.0, nan], [0.0, 9.0, 1.0, 8.0]])
    assert chosen_observed(scores, perf).tolist() == [1, 1, 2]
    # the probe-feature benchmark's case: an observed pipeline nobody scored beats unobserved ones
    perf = np.array([[nan, 0.7, nan, 0.4], [0.2, nan, nan, nan]])
    scores = np.array([[5.0, -inf, 9.0, nan], [1.0, 2.0, 3.0, 4.0]])
    chosen = chosen_observed(scores, perf)
    assert chosen.tolist() == [1, 0]
    assert np.isfinite(perf[np.arange(2), chosen]).all()


def test_the_unrestricted_top_pick_is_recorded_beside_the_scored_choice():
    from zapml.evaluation.loco import chosen_observed, top_scored

    nan, inf = np.nan, np.inf
    perf = np.array([[nan, 0.2, 0.4], [0.5, nan, 0.3], [0.1, 0.2, 0.3]])
    # row 0: the best score (0) was never run on the task: top 0, scored choice 2
    # row 1: NaN and -inf never top; the finite best (2) is observed, so both agree
    # row 2: nothing has a finite score: no top pick (-1)
    scores = np.array([[9.0, 1.0, 2.0], [nan, -inf, 0.5], [nan, -inf, nan]])
    assert top_scored(scores).tolist() == [0, 2, -1]
    assert chosen_observed(scores, perf).tolist() == [2, 2, 0]


def test_loco_records_say_whether_the_top_pick_was_observed(tiny):
    records = leave_one_core_out(tiny, {"single_best": factory("single_best")}, seeds=(0,))
    rows = records[records["selector"] == "single_best"]
    # on a dense matrix every top pick is observed, so it is the scored choice
    assert rows["top_observed"].all()
    assert (rows["top_pipeline"] == rows["chosen_pipeline"]).all()
