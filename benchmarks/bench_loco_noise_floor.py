"""How much of the LOCO gap can a selector close at all, when the truth it is scored by is noisy?

Leave-one-core-dataset-out (``bench_shipped_loco.py``) scores a pick by its cell's value, the mean
of two seeds' runs on test splits of a few hundred images, and its oracle is the best of those
noisy means. Part of the oracle's lead is therefore noise that no selector can know in advance:
even one that knew every cell's true mean would trail the oracle. This prints, per budget, over
all budgets and on the focused cases (at least --focused observed pipelines), for one objective:

- the modelled floor: the expected normalised regret and gap closed (against the budget-blind and
  the per-budget single best, whose picks come from a leave-one-core-out run of those baselines)
  of a selector that knows each cell's true mean, scored against two-seed means drawn around those
  true means with the noise measured between the seeds of the store's cells (pooled per task and
  budget). Only the oracle's value needs drawing: a fixed pick's expected value is its true mean.
  Two readings of the true means: the observed means themselves ("as observed"; they spread the
  pipelines further apart than the truth does, so this floor is a lower bound) and the means
  shrunk towards their task's average by the share of their spread that noise explains
  ("shrunk", an empirical-Bayes estimate);
- the measured split-seed floor: a task's best pipeline on one seed, scored on the other seed
  against that seed's oracle, random pick and single bests: what knowing one seed of the task is
  worth, under one-seed truth (noisier than LOCO's two-seed means, so its regret runs higher);
- with ``--records`` (a ``bench_shipped_loco.py`` pickle), the selector's own regret and gap
  closed on the same cases, and the share of the reachable gap it closes (its gap closed divided by
  the shrunk floor's).

    PYTHONPATH=src python benchmarks/bench_loco_noise_floor.py STORE [--objective final|alc]
        [--records PKL] [--focused 10] [--draws 4000] [--bins 10]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from zapml.evaluation.loco import factory, leave_one_core_out
from zapml.evaluation.metrics import gap_closed, normalized_regret
from zapml.metadataset.loading import load_metadataset
from zapml.metadataset.metadataset import budget_row_id
from zapml.metadataset.objectives import MEASURE_FIELDS, OBJECTIVES
from zapml.metadataset.record import run_values
from zapml.metadataset.store import open_store

#: the baselines whose gap to the oracle a selector closes, as the LOCO records name them
BASELINES = ("single_best", "single_best_per_budget")


#: how many bins of a budget's cell means share one pooled run variance: the seed noise shrinks
#: steeply as a cell nears the measure's ceiling (final NAUC at 4 s: a run's standard deviation
#: is ~0.18 among the weakest tenth of cells, ~0.005 among the strongest, where NAUC saturates),
#: and the oracle's value is decided by the strong cells, so one variance per task overstates it
LEVEL_BINS = 10


def with_rows(runs: pd.DataFrame) -> pd.DataFrame:
    """``runs`` with each run's (task at budget) row id, as the LOCO records name it."""
    rows = [budget_row_id(t, b) for t, b in zip(runs["task_id"], runs["budget"], strict=True)]
    return runs.assign(row=rows)


@dataclass(frozen=True)
class CellNoise:
    """Per (task at budget) row: each observed pipeline's mean over seeds and the variance of
    that mean (one run's variance, pooled over the cells of its budget and level, over the
    cell's seed count)."""

    means: pd.DataFrame  # row x pipeline, NaN where not run
    mean_variance: pd.DataFrame  # same shape


def cell_noise(runs: pd.DataFrame, bins: int = LEVEL_BINS) -> CellNoise:
    """``runs``: one row per run with task_id, budget, pipeline_id, seed and value (``measured``).
    A run's variance is pooled over the repeated cells of its budget whose means fall in the
    same of ``bins`` equal-count bins."""
    grouped = with_rows(runs).groupby(["budget", "row", "pipeline_id"])["value"]
    cells = grouped.agg(["mean", "var", "count"])
    ranks = cells.groupby(level="budget")["mean"].rank(method="first", pct=True)
    level = np.ceil(ranks.to_numpy() * bins).astype(int) - 1  # ranks lie in (0, 1]
    pooled = cells["var"].groupby([cells.index.get_level_values("budget"), level]).transform("mean")
    cells = cells.assign(mean_variance=pooled / cells["count"]).droplevel("budget")
    return CellNoise(
        means=cells["mean"].unstack("pipeline_id"),
        mean_variance=cells["mean_variance"].unstack("pipeline_id"),
    )


def shrunk(means: np.ndarray, mean_variance: np.ndarray) -> np.ndarray:
    """One row's true means estimated from its observed means (NaN = not run): each pulled
    towards the row's average by the share of their spread that the noise explains (all the way
    when the noise explains it all, not at all with one pipeline)."""
    seen = ~np.isnan(means)
    if seen.sum() < 2:
        return means.copy()
    spread = float(np.var(means[seen], ddof=1))
    noise = float(np.mean(mean_variance[seen]))
    keep = 0.0 if spread <= 0 else min(1.0, max(0.0, 1.0 - noise / spread))
    centre = float(np.mean(means[seen]))
    return np.where(seen, centre + keep * (means - centre), np.nan)


def expected_oracle(
    truth: np.ndarray, mean_variance: np.ndarray, draws: int, rng: np.random.Generator
) -> float:
    """E[max over observed pipelines of truth + noise], the noise normal with ``mean_variance``."""
    seen = ~np.isnan(truth)
    noise = rng.normal(0.0, 1.0, (draws, int(seen.sum()))) * np.sqrt(mean_variance[seen])
    return float(np.mean(np.max(truth[seen][None, :] + noise, axis=1)))


def modelled_cases(
    noise: CellNoise,
    picks: pd.DataFrame,
    shrink: bool,
    draws: int,
    seed: int = 0,
) -> pd.DataFrame:
    """Per row of ``picks`` (index: row ids; columns: each baseline's pipeline): the expected
    values of the oracle, a random pick, the true-mean selector and each baseline."""
    rng = np.random.default_rng(seed)
    out = []
    for row, chosen in picks.iterrows():
        means = noise.means.loc[row].to_numpy(dtype=np.float64)
        variance = noise.mean_variance.loc[row].to_numpy(dtype=np.float64)
        truth = shrunk(means, variance) if shrink else means
        columns = noise.means.columns
        out.append({
            "row": row,
            "oracle": expected_oracle(truth, variance, draws, rng),
            "random": float(np.nanmean(truth)),
            "chosen": float(np.nanmax(truth)),
            **{b: float(truth[columns.get_loc(chosen[b])]) for b in BASELINES},
        })  # fmt: skip
    return pd.DataFrame(out).set_index("row")


def split_seed_cases(runs: pd.DataFrame, picks: pd.DataFrame) -> pd.DataFrame:
    """Per row of ``picks`` and selecting seed (0 or 1): the pipeline best on that seed, and the
    oracle, random pick and baselines, all scored on the other seed (pipelines run with both)."""
    runs = with_rows(runs)
    table = runs[runs["seed"].isin((0, 1))].pivot_table(
        index=["row", "pipeline_id"], columns="seed", values="value"
    )
    table = table.reindex(columns=[0, 1]).dropna()
    out = []
    for row, cells in table.groupby(level="row"):
        if row not in picks.index:
            continue
        cells = cells.droplevel("row")
        for select, score in ((0, 1), (1, 0)):
            scored = cells[score]
            out.append({
                "row": row,
                "oracle": float(scored.max()),
                "random": float(scored.mean()),
                "chosen": float(scored[cells[select].idxmax()]),
                **{b: float(scored.get(picks.loc[row, b], np.nan)) for b in BASELINES},
            })  # fmt: skip
    return pd.DataFrame(out).set_index("row")


def baseline_picks(store: Path, objective: str) -> pd.DataFrame:
    """Per (task at budget) row: each baseline's pick when its core dataset is held out, with the
    row's budget and number of observed pipelines (the baselines are deterministic: one seed)."""
    mds = load_metadataset(store).for_objective(objective)
    records = leave_one_core_out(
        mds, {b: factory(b) for b in BASELINES}, seeds=(0,), include_oracle=False
    )
    picks = records.pivot_table(
        index="task_id", columns="selector", values="chosen_pipeline", aggfunc="first"
    )
    about = records.groupby("task_id")[["budget", "n_observed"]].first()
    return picks[list(BASELINES)].join(about)


def scores(cases: pd.DataFrame) -> dict[str, float]:
    """Normalised regret and gap closed against each baseline of ``cases``' chosen column."""
    oracle, chosen = cases["oracle"].to_numpy(), cases["chosen"].to_numpy()
    out = {"regret": normalized_regret(chosen, oracle, cases["random"].to_numpy())}
    for b in BASELINES:
        out[f"gap_closed_vs_{b}"] = gap_closed(chosen, cases[b].to_numpy(), oracle)
    return out | {"cases": float(len(cases))}


def parts(picks: pd.DataFrame, focused: int) -> list[tuple[str, pd.Index]]:
    """The row sets reported: all, each budget, each budget's focused rows where a subset."""
    out = [("all", picks.index)]
    out += [(f"{b:g} s", g.index) for b, g in picks.groupby("budget", sort=True)]
    for b, g in picks.groupby("budget", sort=True):
        kept = g[g["n_observed"] >= focused]
        if 0 < len(kept) < len(g):
            out.append((f"{b:g} s, >= {focused} observed", kept.index))
    return out


def records_cases(records: pd.DataFrame) -> pd.DataFrame:
    """A ``bench_shipped_loco.py`` pickle in this script's columns (one row per seed and row)."""
    return pd.DataFrame({
        "row": records["task_id"],
        "oracle": records["oracle_alc"],
        "random": records["random_alc"],
        "chosen": records["chosen_alc"],
        "single_best": records["single_best_alc"],
        "single_best_per_budget": records["single_best_per_budget_alc"],
    }).set_index("row")  # fmt: skip


def floor_table(
    readings: dict[str, pd.DataFrame], picks: pd.DataFrame, focused: int
) -> pd.DataFrame:
    """One row per (reading, part of the cases) with ``scores``."""
    rows = []
    for label, index in parts(picks, focused):
        for reading, cases in readings.items():
            rows.append({"cases_of": label, "reading": reading,
                         **scores(cases[cases.index.isin(index)])})  # fmt: skip
    return pd.DataFrame(rows)


def reachable_share(table: pd.DataFrame, selector: str, ceiling: str) -> pd.Series:
    """Per part: the selector's gap closed (against the budget-blind single best) over the
    ``ceiling`` reading's: the share of the reachable gap it closes."""
    wide = table.pivot_table(
        index="reading", columns="cases_of", values="gap_closed_vs_single_best", sort=False
    )
    return wide.loc[selector] / wide.loc[ceiling]


def measured(store: Path, objective: str) -> pd.DataFrame:
    """The store's runs with each one's ``value`` for ``objective`` as the loader computes it (a
    run that made no prediction scores 0), runs without one left out."""
    with open_store(store, create=False) as opened:
        runs = opened.runs()
    finals = runs[MEASURE_FIELDS[objective]]
    values = run_values(objective, runs["status"], runs["alc"], finals)
    return runs.assign(value=values).dropna(subset=["value"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--objective", default="final", choices=list(OBJECTIVES))
    parser.add_argument("--records", type=Path, help="a bench_shipped_loco.py pickle")
    parser.add_argument("--focused", type=int, default=10, help="observed pipelines, at least")
    parser.add_argument("--draws", type=int, default=4000, help="noise draws per case")
    parser.add_argument(
        "--bins", type=int, default=LEVEL_BINS, help="levels of a budget's cells sharing a variance"
    )
    args = parser.parse_args()
    field = MEASURE_FIELDS[args.objective]
    runs = measured(args.store, args.objective)
    noise = cell_noise(runs, bins=args.bins)
    picks = baseline_picks(args.store, args.objective)
    readings = {
        "true means as observed": modelled_cases(noise, picks, shrink=False, draws=args.draws),
        "true means shrunk": modelled_cases(noise, picks, shrink=True, draws=args.draws),
        "split-seed (measured)": split_seed_cases(runs, picks).dropna(),
    }
    if args.records is not None:
        readings["selector (records)"] = records_cases(pd.read_pickle(args.records))
    table = floor_table(readings, picks, args.focused)
    pd.set_option("display.width", 200)
    for value in ("regret", "gap_closed_vs_single_best", "gap_closed_vs_single_best_per_budget"):
        wide = table.pivot_table(index="reading", columns="cases_of", values=value, sort=False)
        print(f"\n{value} ({args.objective}, scored by {field})")
        print(wide.round(3).to_string())
    if args.records is not None:
        share = reachable_share(table, "selector (records)", "true means shrunk")
        print("\nshare of the reachable gap (vs budget-blind single best) the selector closes")
        print(share.round(2).to_string())


if __name__ == "__main__":
    main()
