"""Selector metrics on the held-out tasks.

Aggregates are ratios of means over all (task, seed) records rather than means of per-task
ratios: a per-task ratio is undefined when oracle == random (or == single best) on that task,
which happens on easy tasks, and would otherwise be dropped or explode.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


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


def summarize(records: pd.DataFrame, rank_exclude: tuple[str, ...] = ("oracle",)) -> pd.DataFrame:
    """One row per selector: mean chosen ALC, normalised regret, gap closed over single best,
    average rank (among the selectors except ``rank_exclude``), number of cases."""
    rows = []
    for name, grp in records.groupby("selector", sort=False):
        rows.append(
            {
                "selector": name,
                "mean_alc": float(grp["chosen_alc"].mean()),
                "normalized_regret": normalized_regret(
                    grp["chosen_alc"].to_numpy(),
                    grp["oracle_alc"].to_numpy(),
                    grp["random_alc"].to_numpy(),
                ),
                "gap_closed": gap_closed(
                    grp["chosen_alc"].to_numpy(),
                    grp["single_best_alc"].to_numpy(),
                    grp["oracle_alc"].to_numpy(),
                ),
                "n_cases": len(grp),
                "fit_seconds": float(grp["fit_seconds"].mean()) if "fit_seconds" in grp else 0.0,
            }
        )
    table = pd.DataFrame(rows).set_index("selector")
    wide = records[~records["selector"].isin(rank_exclude)].pivot_table(
        index=["task_id", "seed"], columns="selector", values="chosen_alc"
    )
    table["avg_rank"] = average_ranks(wide).reindex(table.index)
    return table.sort_values(["avg_rank", "normalized_regret"], na_position="last")
