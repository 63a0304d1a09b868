"""How far apart are two seeds of one meta-dataset cell, next to the gaps a selector must judge?

The store's targets are single runs on test splits of a few hundred images. Where a cell was run
with two or more seeds (``repeats`` in a build spec, e.g. ``specs/v2-seeds.yaml``), this prints,
at one budget: the mean absolute seed-to-seed difference of a cell's final accuracy, the mean
absolute difference between two of those pipelines on the same task and seed (what a ranking
must separate),
how often the best of the hold-out's fixed arms (default pipeline and both recipes) is the same
pipeline for every seed of a task, and for each other pipeline with every seed, how often its
verdict "beats all three arms" is the same for every seed. Last, what that noise means for the
hold-out's question: the chance that a pipeline better than each task's best arm by ``delta`` on
average has a higher two-seed mean than all three arms, each run's accuracy normal around its
mean with the seed noise measured here (the arms' means: their seed means in the store). And
measured rather than modelled, the split-seed oracle: on each task with two seeds of every arm,
the pipeline best on one seed (among those run with both), scored on the other seed against the
arm best on the first seed and against all three arms: how much knowing the task's results on one
seed is worth on another, the most any zero-shot choice could hope for.

    PYTHONPATH=src python benchmarks/bench_seed_spread.py STORE [--budget 16]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

from zapml.metadataset.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parent / "holdout"))
from recipes import ACCURACY_TIE, arm_ids  # noqa: E402


@dataclass(frozen=True)
class Spread:
    tasks: int  # tasks with every arm at every seed
    cells: int  # (task, pipeline) cells with two seeds or more
    seed_gap: float  # mean |accuracy difference| between two seeds of a cell
    pipeline_gap: float  # the same between two of those pipelines, same task and seed
    same_best_arm: float  # share of tasks whose best arm is one pipeline at every seed
    same_verdict: dict[
        str, float
    ]  # other pipeline -> share of tasks with one verdict at every seed


def seed_spread(runs: pd.DataFrame, arms: list[str]) -> Spread:
    """``runs``: one row per run with task_id, pipeline_id, seed, final_accuracy (one budget)."""
    table = runs.pivot_table(
        index=["task_id", "seed"], columns="pipeline_id", values="final_accuracy"
    )
    per_cell = runs.groupby(["task_id", "pipeline_id"])["final_accuracy"]
    multi = per_cell.count() >= 2
    seed_gaps = [
        abs(a - b)
        for key in multi[multi].index
        for a, b in combinations(per_cell.get_group(key).to_numpy(), 2)
    ]
    # between the pipelines run with several seeds: the ones whose seed gaps are measured
    repeated = multi[multi].reset_index().groupby("task_id")["pipeline_id"].apply(list)
    pipeline_gaps = [
        abs(a - b)
        for (task, _), row in table.iterrows()
        if task in repeated.index
        for a, b in combinations(row[repeated[task]].dropna(), 2)
    ]
    complete = table[arms].notna().all(axis=1)
    seeds_of = complete.groupby(level="task_id").sum()
    tasks = seeds_of[seeds_of >= 2].index
    best: list[bool] = []
    verdicts: dict[str, list[bool]] = {}
    for task in tasks:
        rows = table.loc[task][complete.loc[task]]
        best.append(rows[arms].idxmax(axis=1).nunique() == 1)
        for other in rows.columns.difference(arms):
            if rows[other].notna().all():
                beats = rows[other] > rows[arms].max(axis=1) + ACCURACY_TIE
                verdicts.setdefault(other, []).append(beats.nunique() == 1)
    return Spread(
        tasks=len(tasks),
        cells=int(multi.sum()),
        seed_gap=float(np.mean(seed_gaps)) if seed_gaps else float("nan"),
        pipeline_gap=float(np.mean(pipeline_gaps)) if pipeline_gaps else float("nan"),
        same_best_arm=float(np.mean(best)) if best else float("nan"),
        same_verdict={p: float(np.mean(v)) for p, v in sorted(verdicts.items())},
    )


@dataclass(frozen=True)
class SplitSeedOracle:
    cases: int  # (task, selecting seed) pairs: each task twice, each seed selecting once
    margin_over_chosen_arm: float  # mean, other seed: the oracle's pick minus the arm chosen
    beats_chosen_arm: float  # share of cases where that margin is > 0
    margin_over_best_arm: float  # mean, other seed: the pick minus the best of the three there
    beats_all_three: float  # share of cases where that margin is > 0


def split_seed_oracle(runs: pd.DataFrame, arms: list[str]) -> SplitSeedOracle:
    """``runs`` as ``seed_spread``'s. Per task with seeds 0 and 1 of every arm, over the pipelines
    run with both: pick the best on one seed (an arm if an arm is best) and the best arm on that
    seed, then score both on the other seed."""
    table = runs[runs["seed"].isin((0, 1))].pivot_table(
        index=["task_id", "pipeline_id"], columns="seed", values="final_accuracy"
    )
    over_chosen: list[float] = []
    over_best: list[float] = []
    for _, cells in table.reindex(columns=[0, 1]).dropna().groupby(level="task_id"):
        cells = cells.droplevel("task_id")
        if not set(arms) <= set(cells.index):
            continue
        for select, score in ((0, 1), (1, 0)):
            pick = cells[select].idxmax()
            arm = cells.loc[arms, select].idxmax()
            over_chosen.append(cells.loc[pick, score] - cells.loc[arm, score])
            over_best.append(cells.loc[pick, score] - cells.loc[arms, score].max())
    gained, ahead = np.array(over_chosen), np.array(over_best)
    return SplitSeedOracle(
        cases=len(over_chosen),
        margin_over_chosen_arm=_mean_or_nan(gained),
        beats_chosen_arm=_mean_or_nan(gained > ACCURACY_TIE),
        margin_over_best_arm=_mean_or_nan(ahead),
        beats_all_three=_mean_or_nan(ahead > ACCURACY_TIE),
    )


def _mean_or_nan(values: np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else float("nan")


#: Margins over the best arm asked about: none, and the 0.01-0.035 that the store's strongest
#: neighbours show on average at 64 s (README, bench_neighbours), up to twice the seed gap.
DELTAS = (0.0, 0.01, 0.02, 0.035, 0.05)
SEEDS_PER_CASE = 2  # the hold-out benchmark's seeds per (set, budget) case
DRAWS = 20_000


def seed_sigma(seed_gap: float) -> float:
    """The standard deviation of one run around its cell's mean, from the mean absolute
    difference of two seeds (for two independent normal draws, E|x - y| = 2 sigma / sqrt(pi))."""
    return seed_gap * float(np.sqrt(np.pi)) / 2.0


def beat_all_probability(
    arm_means: np.ndarray, delta: float, sigma: float, rng: np.random.Generator
) -> float:
    """Chance that a pipeline whose mean is ``max(arm_means) + delta`` has a higher mean over
    ``SEEDS_PER_CASE`` runs than every arm has over its own, runs normal with ``sigma``."""
    spread = sigma / np.sqrt(SEEDS_PER_CASE)
    arms = arm_means[None, :] + rng.normal(0.0, spread, (DRAWS, len(arm_means)))
    other = arm_means.max() + delta + rng.normal(0.0, spread, DRAWS)
    return float(np.mean(other > arms.max(axis=1)))


def arm_means_per_task(runs: pd.DataFrame, arms: list[str]) -> list[np.ndarray]:
    """Each task's arm means over seeds, for tasks where every arm ran."""
    means = runs[runs["pipeline_id"].isin(arms)].pivot_table(
        index="task_id", columns="pipeline_id", values="final_accuracy"
    )
    return [row.to_numpy() for _, row in means[arms].dropna().iterrows()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--budget", type=float, default=16.0)
    args = parser.parse_args()
    with open_store(args.store, create=False) as store:
        runs = store.runs()
    runs = runs[(runs["budget"] == args.budget) & (runs["status"] == "ok")]
    if runs.empty:
        parser.error(f"no finished run at budget {args.budget:g} in {args.store}")
    spread = seed_spread(runs, arm_ids())
    print(f"budget {args.budget:g} s: {spread.cells} cells with two seeds or more")
    print(
        f"mean |final accuracy difference|: two seeds of a cell {spread.seed_gap:.4f}; two "
        f"of those pipelines on a task, same seed {spread.pipeline_gap:.4f}"
    )
    print(
        f"{spread.tasks} tasks with every arm at two seeds or more: the best arm is the same "
        f"pipeline at every seed on {spread.same_best_arm:.0%}"
    )
    for pipeline, share in spread.same_verdict.items():
        print(f"  {pipeline}: 'beats all three arms' the same at every seed on {share:.0%}")
    print_power(runs, spread.seed_gap)
    print_split_seed_oracle(split_seed_oracle(runs, arm_ids()))


def print_split_seed_oracle(oracle: SplitSeedOracle) -> None:
    print(
        f"split-seed oracle ({oracle.cases} cases: a task's best pipeline on one seed, scored on "
        f"the other): over the arm best on the same seed {oracle.margin_over_chosen_arm:+.4f} on "
        f"average, ahead on {oracle.beats_chosen_arm:.0%}; over the best of the three on the "
        f"scoring seed {oracle.margin_over_best_arm:+.4f}, beats all three on "
        f"{oracle.beats_all_three:.0%}"
    )


def print_power(runs: pd.DataFrame, seed_gap: float) -> None:
    sigma = seed_sigma(seed_gap)
    tasks = arm_means_per_task(runs, arm_ids())
    rng = np.random.default_rng(0)
    print(
        f"a pipeline delta above each task's best arm, runs normal with sigma {sigma:.4f}: share "
        f"of cases where its {SEEDS_PER_CASE}-seed mean beats all three arms' ({len(tasks)} tasks)"
    )
    for delta in DELTAS:
        share = np.mean([beat_all_probability(m, delta, sigma, rng) for m in tasks])
        print(f"  delta {delta:.3f}: {share:.0%}")


if __name__ == "__main__":
    main()
