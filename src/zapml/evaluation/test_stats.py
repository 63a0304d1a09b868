"""Benchmark statistics against values worked out by hand (Friedman's formula, exact Wilcoxon
counts, Holm's step-down, tied ranks, Vigna's weighted tau) and against scipy."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as ss

from zapml.evaluation import (
    benchmark_stats,
    ranking_correlations,
    save_report,
    summarize,
)
from zapml.evaluation.stats import friedman, task_table, why_not, wilcoxon_holm

#: six tasks, three selectors. B - A = (.01, .02, .03, .04, .05, -.06): W- = 6, and 14 of the 64
#: sign patterns have a sum <= 6, so the exact two-sided p = 28/64. C beats A and B on every task
#: with distinct gaps: p = 2/64 for both. Ranks (1 = best): C 1 everywhere; B 2 on tasks 1-5 and
#: 3 on task 6; A the rest.
A = np.full(6, 0.5)
B = A + np.array([0.01, 0.02, 0.03, 0.04, 0.05, -0.06])
C = A + np.array([0.2, 0.3, 0.4, 0.5, 0.6, 0.7])


def _records(columns: dict[str, np.ndarray], seeds: int = 1) -> pd.DataFrame:
    """LOCO-shaped records: each selector's value on task i is columns[name][i] for every seed."""
    rows = [
        {
            "selector": name,
            "seed": seed,
            "task_id": f"t{i}",
            "chosen_alc": float(v),
            "oracle_alc": 1.0,
            "random_alc": 0.0,
            "single_best_alc": 0.5,
        }
        for seed in range(seeds)
        for name, values in columns.items()
        for i, v in enumerate(values)
    ]
    return pd.DataFrame(rows)


def test_friedman_by_hand_on_3x4():
    # ranks per task (1 = highest): A 1,2,1,1  B 2,1,3,2  C 3,3,2,3 -> rank sums 5, 8, 11
    # chi2 = 12 / (N k (k+1)) * sum R^2 - 3 N (k+1) = 12/48 * 210 - 48 = 4.5 ; df 2: p = e^-2.25
    table = pd.DataFrame(
        {"A": [0.9, 0.8, 0.9, 0.9], "B": [0.8, 0.9, 0.7, 0.8], "C": [0.7, 0.7, 0.8, 0.7]}
    )
    statistic, pvalue = friedman(table)
    assert statistic == pytest.approx(4.5)
    assert pvalue == pytest.approx(math.exp(-2.25))
    assert why_not(table) is not None and "at least 5" in str(why_not(table))


def test_ranks_friedman_and_holm_by_hand():
    result = benchmark_stats(_records({"A": A, "B": B, "C": C, "oracle": A + 1}))
    assert list(result.table.columns) == ["A", "B", "C"]  # the oracle is never ranked
    # rank sums C 6, B 13, A 17 ; chi2 = 12/72 * (36 + 169 + 289) - 72 = 10.333 ; p = e^(-chi2/2)
    assert result.ranks.to_dict() == pytest.approx({"C": 1.0, "B": 13 / 6, "A": 17 / 6})
    assert list(result.ranks.index) == ["C", "B", "A"]
    assert result.friedman_statistic == pytest.approx(31 / 3)
    assert result.friedman_pvalue == pytest.approx(math.exp(-31 / 6))
    # Holm: raw (2/64, 2/64, 28/64) sorted -> 3 * 2/64, max(2 * 2/64, previous), 1 * 28/64
    p = result.pairwise
    assert p.loc["A", "C"] == pytest.approx(6 / 64) and p.loc["C", "B"] == pytest.approx(6 / 64)
    assert p.loc["A", "B"] == pytest.approx(28 / 64) and p.loc["B", "A"] == p.loc["A", "B"]
    assert np.diag(p.to_numpy()).tolist() == [1.0, 1.0, 1.0]


def test_average_ranks_with_ties_after_seed_means():
    # seed means: A (0.4+0.6)/2 = 0.5 ties B 0.5 on t0 -> C 1, A/B 2.5 ; t1..t5: C 1, B 2, A 3
    records = _records({"A": A, "B": B, "C": C}, seeds=2)
    records.loc[(records["selector"] == "A") & (records["task_id"] == "t0"), "chosen_alc"] = [
        0.4,
        0.6,
    ]
    records.loc[(records["selector"] == "B") & (records["task_id"] == "t0"), "chosen_alc"] = 0.5
    table = task_table(records)
    assert table.loc["t0"].to_dict() == pytest.approx({"A": 0.5, "B": 0.5, "C": 0.7})
    ranks = benchmark_stats(records).ranks
    # A: 2.5 + 3*4 + 2 = 16.5 ; B: 2.5 + 2*4 + 3 = 13.5 ; over 6 tasks
    assert ranks.to_dict() == pytest.approx({"C": 1.0, "B": 13.5 / 6, "A": 16.5 / 6})


def test_identical_selectors_are_not_called_different():
    pairwise = wilcoxon_holm(pd.DataFrame({"A": A, "A2": A, "C": C}))
    assert pairwise.loc["A", "A2"] == pytest.approx(1.0)


def test_too_few_selectors_or_tasks_say_why():
    assert "2 selector(s)" in str(why_not(task_table(_records({"A": A, "C": C}))))
    four_tasks = _records({"A": A[:4], "B": B[:4], "C": C[:4]})
    assert "4 held-out task(s)" in str(why_not(task_table(four_tasks)))
    with pytest.raises(ValueError, match="at least 3"):
        benchmark_stats(_records({"A": A, "C": C}))


def test_ranking_correlations_by_hand_and_vs_scipy():
    # perf ranks (4, 1, 3, 2) vs score ranks (3, 1, 2, 4): sum d^2 = 6 -> rho = 1 - 36/60 = 0.4;
    # Pearson: sum xy = 0.2, sum x^2 = 5, sum y^2 = 0.05 -> 0.2 / 0.5 = 0.4. The NaN cell is
    # unobserved and skipped.
    scores = np.array([3.0, 1.0, 2.0, 4.0, 9.0])
    perf = np.array([0.4, 0.1, 0.3, 0.2, np.nan])
    got = ranking_correlations(scores, perf)
    assert got["spearman"] == pytest.approx(0.4) and got["pearson"] == pytest.approx(0.4)
    assert got["weighted_tau"] == pytest.approx(ss.weightedtau(scores[:4], perf[:4]).statistic)
    # Vigna's hyperbolic weights 1/(r+1) by rank r from the top: pairs (0,1) + 3/2, (0,2) + 4/3,
    # (1,2) - 5/6 -> (12/6) / (22/6) = 6/11, the same when ranked by perf first
    assert ranking_correlations(np.array([3, 2, 1]), np.array([0.3, 0.1, 0.2]))[
        "weighted_tau"
    ] == pytest.approx(6 / 11)
    assert all(np.isnan(v) for v in ranking_correlations(np.ones(3), perf[:3]).values())


def test_report_writes_stats_and_a_cd_diagram(tmp_path):
    import matplotlib.image

    records = _records({"A": A, "B": B, "C": C})
    paths = save_report(records, summarize(records), tmp_path)
    text = paths["stats"].read_text()
    assert "p = 0.0057" in text  # e^(-31/6), the Friedman p above
    assert "| A | 0.0938 | 0.4375 |  |" in text  # Holm-adjusted row of A (ordered C, B, A)
    image = matplotlib.image.imread(paths["cd_diagram"])
    assert paths["cd_diagram"].name == "cd_diagram.png" and image.shape[0] > 50
    assert (image[..., :3] < 0.5).mean() > 0.005  # dark ink: labels, axis and markers drawn


def test_report_says_why_stats_are_skipped(tmp_path):
    records = _records({"A": A, "C": C})
    paths = save_report(records, summarize(records), tmp_path)
    assert "cd_diagram" not in paths and not (tmp_path / "cd_diagram.png").exists()
    assert "skipped" in paths["stats"].read_text() and "--methods" in paths["stats"].read_text()
