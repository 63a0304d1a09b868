"""Selector metrics on the held-out tasks.

Aggregates are ratios of means over all (task, seed) records rather than means of per-task
ratios: a per-task ratio is undefined when oracle == random (or == single best) on that task,
which happens on easy tasks, and would otherwise be dropped or explode.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

if TYPE_CHECKING:
    from zapml.metadataset.values import ValueSpec


def normalized_regret(chosen: np.ndarray, oracle: np.ndarray, random: np.ndarray) -> float:
    """(oracle - chosen) / (oracle - random) on the means: 0 = oracle, 1 = random pick."""
    denom = float(np.mean(oracle) - np.mean(random))
    return float((np.mean(oracle) - np.mean(chosen)) / denom) if denom > 0 else float("nan")


def gap_closed(chosen: np.ndarray, single_best: np.ndarray, oracle: np.ndarray) -> float:
    """(chosen - single best) / (oracle - single best) on the means: 1 = oracle, 0 = single best,
    negative = worse than always using the single best pipeline."""
    denom = float(np.mean(oracle) - np.mean(single_best))
    return float((np.mean(chosen) - np.mean(single_best)) / denom) if denom > 0 else float("nan")


def per_task_regret(chosen: np.ndarray, oracle: np.ndarray, random: np.ndarray) -> np.ndarray:
    """Per-task normalised regret (NaN where oracle == random), for box plots."""
    denom = np.asarray(oracle, float) - np.asarray(random, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denom > 0, (np.asarray(oracle) - np.asarray(chosen)) / denom, np.nan)


def average_ranks(chosen: pd.DataFrame) -> pd.Series:
    """``chosen``: rows = (task, seed) cases, columns = selectors, values = chosen ALC. Per row,
    rank 1 = highest ALC, ties share the average rank; returns the mean rank per selector."""
    ranks = chosen.rank(axis=1, ascending=False, method="average")
    return ranks.mean(axis=0)


#: gap-closed columns of ``summarize``: column -> the records' baseline column it closes the gap
#: from (the budget-blind single best, and the per-budget one where the records hold it)
GAP_BASELINES = {
    "gap_closed": "single_best_alc",
    "gap_closed_budget_sb": "single_best_per_budget_alc",
}


def _summary_row(name: str, grp: pd.DataFrame) -> dict[str, object]:
    chosen, oracle = grp["chosen_alc"].to_numpy(), grp["oracle_alc"].to_numpy()
    row: dict[str, object] = {
        "selector": name,
        "mean_alc": float(grp["chosen_alc"].mean()),
        "normalized_regret": normalized_regret(chosen, oracle, grp["random_alc"].to_numpy()),
    }
    for column, baseline in GAP_BASELINES.items():
        if baseline in grp:
            row[column] = gap_closed(chosen, grp[baseline].to_numpy(), oracle)
    row["n_cases"] = len(grp)
    row["fit_seconds"] = float(grp["fit_seconds"].mean()) if "fit_seconds" in grp else 0.0
    return row


def summarize(records: pd.DataFrame, rank_exclude: tuple[str, ...] = ("oracle",)) -> pd.DataFrame:
    """One row per selector: mean chosen ALC, normalised regret, gap closed over the single best
    (and over the per-budget single best where the records hold it), average rank (among the
    selectors except ``rank_exclude``), number of cases."""
    rows = [_summary_row(str(name), grp) for name, grp in records.groupby("selector", sort=False)]
    table = pd.DataFrame(rows).set_index("selector")
    wide = records[~records["selector"].isin(rank_exclude)].pivot_table(
        index=["task_id", "seed"], columns="selector", values="chosen_alc"
    )
    table["avg_rank"] = average_ranks(wide).reindex(table.index)
    return table.sort_values(["avg_rank", "normalized_regret"], na_position="last")


def summarize_by_budget(
    records: pd.DataFrame, rank_exclude: tuple[str, ...] = ("oracle",)
) -> dict[float, pd.DataFrame]:
    """``summarize`` of each budget's records, by ascending budget (records without a
    ``budget`` column, or with none known, give {})."""
    if "budget" not in records:
        return {}
    return {
        float(b): summarize(grp, rank_exclude)
        for b, grp in records.dropna(subset=["budget"]).groupby("budget", sort=True)
    }


#: how well a selector's scores of the candidate pipelines on one task agree with their true
#: values: linear (Pearson), monotone (Spearman), and Kendall's tau weighted towards the top of
#: both rankings (Vigna's hyperbolic weights, scipy's default), which is what a zero-shot pick
#: needs: swapping the two worst pipelines matters less than swapping the two best
RANKING_CORRELATIONS: dict[str, Callable[..., Any]] = {
    "pearson": stats.pearsonr,
    "spearman": stats.spearmanr,
    "weighted_tau": stats.weightedtau,
}


def ranking_correlations(scores: np.ndarray, perf: np.ndarray) -> dict[str, float]:
    """Each of ``RANKING_CORRELATIONS`` between one task's selector scores and the pipelines'
    true values, over the pipelines observed on that task with a finite score (NaN perf cells
    are skipped). NaN when fewer than 2 remain or either side is constant (a correlation is
    undefined there)."""
    x, y = np.asarray(scores, dtype=np.float64), np.asarray(perf, dtype=np.float64)
    seen = ~np.isnan(y) & np.isfinite(x)
    x, y = x[seen], y[seen]
    if len(y) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return {name: float("nan") for name in RANKING_CORRELATIONS}
    with warnings.catch_warnings():  # scipy warns on near-constant input; NaN says it already
        warnings.simplefilter("ignore")
        return {name: float(fn(x, y).statistic) for name, fn in RANKING_CORRELATIONS.items()}


#: ``summarize`` columns whose spread over seeds ``summarize_over_seeds`` reports
SEED_SPREAD_COLUMNS: tuple[str, ...] = (
    "mean_alc",
    "normalized_regret",
    *GAP_BASELINES,
    "avg_rank",
)


def summarize_over_seeds(
    records: pd.DataFrame, rank_exclude: tuple[str, ...] = ("oracle",)
) -> pd.DataFrame:
    """``summarize`` of each seed's records on its own, then per selector the mean and the sample
    standard deviation (ddof 1; NaN with one seed) over seeds of each ``SEED_SPREAD_COLUMNS``
    column, as ``<column>_mean`` / ``<column>_std``. Under a randomised protocol the spread
    covers the split as well as the selector's seed."""
    per_seed = pd.concat(
        {int(s): summarize(grp, rank_exclude) for s, grp in records.groupby("seed", sort=True)},
        names=["seed"],
    )
    columns = [c for c in SEED_SPREAD_COLUMNS if c in per_seed.columns]
    spread = per_seed[columns].groupby(level="selector", sort=False).agg(["mean", "std"])
    spread.columns = [f"{column}_{stat}" for column, stat in spread.columns]
    spread["n_seeds"] = per_seed.groupby(level="selector", sort=False).size()
    return spread.sort_values("avg_rank_mean", na_position="last")


#: the per-task value columns given back in a declared measure's units (``per_task_results``)
RAW_COLUMNS: tuple[str, ...] = ("value", "oracle_value", "single_best_value", "random_value")
#: record column -> its name in ``per_task_results`` (the records keep their historical
#: ``*_alc`` names; the values are the objective's, whatever it is)
PER_TASK_COLUMNS: dict[str, str] = {
    "task_id": "task_id",
    "held_out": "held_out",
    "selector": "selector",
    "seed": "seed",
    "budget": "budget",
    "chosen_pipeline": "chosen_candidate",
    "chosen_alc": "value",
    "oracle_alc": "oracle_value",
    "single_best_alc": "single_best_value",
    "random_alc": "random_value",
}


def per_task_results(records: pd.DataFrame, values: ValueSpec | None = None) -> pd.DataFrame:
    """One row per (task, selector, seed, budget): the chosen candidate, its value, the oracle's,
    the single best's and a random pick's, the ``regret`` (oracle - value, 0 = the best
    candidate) and the ``normalized_regret`` (``per_task_regret``: 0 = oracle, 1 = random).
    Values are scores (higher is better); with a declared measure (``values.name``, e.g. an
    ASlib scenario's runtime) ``raw_<column>`` gives them back in its units and direction."""
    table = records[[c for c in PER_TASK_COLUMNS if c in records]].rename(columns=PER_TASK_COLUMNS)
    table["regret"] = table["oracle_value"] - table["value"]
    table["normalized_regret"] = per_task_regret(
        table["value"], table["oracle_value"], table["random_value"]
    )
    if values is not None and values.name is not None:
        for column in RAW_COLUMNS:
            table[f"raw_{column}"] = values.raw(table[column])
    return table.reset_index(drop=True)
