"""How far apart are two seeds of one meta-dataset cell, next to the gaps a selector must judge?

The store's targets are single runs on test splits of a few hundred images. Where a cell was run
with two or more seeds (``repeats`` in a build spec, e.g. ``specs/v2-seeds.yaml``), this prints,
at one budget: the mean absolute seed-to-seed difference of a cell's final accuracy, the mean
absolute difference between two of those pipelines on the same task and seed (what a ranking
must separate),
how often the best of the hold-out's fixed arms (default pipeline and both recipes) is the same
pipeline for every seed of a task, and for each other pipeline with every seed, how often its
verdict "beats all three arms" is the same for every seed.

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


if __name__ == "__main__":
    main()
