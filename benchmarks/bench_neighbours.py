"""Paired comparison of a reference pipeline with its neighbours in a meta-dataset store.

A neighbour is a stored pipeline whose configuration differs from the reference's in at most
``--max-changes`` hyperparameters (inactive ones count as absent). For each budget and neighbour,
on the tasks where both ran (seeds averaged): the mean of a measure for both, the mean paired
difference, wins / ties / losses and a two-sided sign test on wins against losses. Written for
the question "does any small change beat v2's strongest recipe?" (specs/v2-recipe-local.yaml):

    PYTHONPATH=src python benchmarks/bench_neighbours.py STORE [--reference 24c354c0d871]
        [--measure final_accuracy|final_nauc|alc] [--max-changes 3] [--out table.csv]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd
from scipy.stats import binomtest

from zapml.metadataset.store import open_store

RECIPE = "24c354c0d871"  # MobileNetV2 at 128 px, Adam 1e-3: the grid pipeline v2 ranks first
MEASURES = ("final_accuracy", "final_nauc", "alc")


def changes(reference: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """The hyperparameters ``other`` sets differently from ``reference`` (None: not set)."""
    names = sorted(set(reference) | set(other))
    return {n: other.get(n) for n in names if reference.get(n) != other.get(n)}


def paired_table(
    runs: pd.DataFrame, reference: str, labels: dict[str, str], measure: str
) -> pd.DataFrame:
    """One row per (budget, neighbour) from ok runs with columns task_id, pipeline_id, budget
    and ``measure``; ``labels`` maps each neighbour id to how it differs from the reference."""
    ok = runs[runs["status"] == "ok"]
    means = ok.groupby(["budget", "task_id", "pipeline_id"])[measure].mean().unstack("pipeline_id")
    rows = []
    for budget, block in means.groupby(level="budget"):
        if reference not in block:
            continue
        for pid, label in labels.items():
            if pid not in block:
                continue
            both = block[[reference, pid]].dropna()
            if both.empty:
                continue
            diff = both[pid] - both[reference]
            wins, losses = int((diff > 0).sum()), int((diff < 0).sum())
            p = binomtest(wins, wins + losses).pvalue if wins + losses else 1.0
            rows.append({
                "budget": float(budget), "neighbour": label, "tasks": len(both),
                "reference": both[reference].mean(), "neighbour_mean": both[pid].mean(),
                "mean_diff": diff.mean(), "wins": wins, "ties": len(both) - wins - losses,
                "losses": losses, "sign_test_p": p,
            })  # fmt: skip
    return pd.DataFrame(rows)


def neighbours(pipelines: dict[str, Any], reference: str, max_changes: int) -> dict[str, str]:
    """Neighbour id -> a label naming its changes, for pipelines within ``max_changes``."""
    ref = pipelines[reference].to_dict()
    out = {}
    for pid, pipe in pipelines.items():
        delta = changes(ref, pipe.to_dict())
        if pid != reference and len(delta) <= max_changes:
            out[pid] = ", ".join(f"{k}={v}" for k, v in delta.items())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("store", type=Path)
    ap.add_argument("--reference", default=RECIPE, help="pipeline id (default: %(default)s)")
    ap.add_argument("--measure", choices=MEASURES, default="final_accuracy")
    ap.add_argument("--max-changes", type=int, default=3)
    ap.add_argument("--out", type=Path, help="also write the table as CSV")
    args = ap.parse_args()
    with open_store(args.store, create=False) as store:
        pipelines, runs = store.pipelines(), store.runs()
    if args.reference not in pipelines:
        raise SystemExit(f"Pipeline '{args.reference}' is not in {args.store}; pass --reference.")
    labels = neighbours(pipelines, args.reference, args.max_changes)
    table = paired_table(runs, args.reference, labels, args.measure)
    print(f"{args.measure}, neighbour minus reference {args.reference}, paired by task")
    with pd.option_context("display.width", 200, "display.max_colwidth", 70):
        print(table.round(4).to_string(index=False))
    if args.out:
        table.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
