"""Tr-AutoML replayed on the shipped v1 meta-dataset: how much search does sharing save, and how
much worse are the shared pipelines? (issue 9, item 3; paper Sec. 3.1.2)

The tasks arrive in a shuffled order (one row per order seed); each is represented by benchmark
families (see ``zapml.transfer.metareplay`` for what stands in for the paper's B x T benchmark
runs), grouped, and shares its group's pipeline or pays a standalone search (the best of S
random recorded pipelines). Printed per order seed and grouping setting: groups, standalone and
Tr-AutoML search cost (compute-s), their ratio, TRE (Eq. 17), fallbacks (shared members that ran
none of their group's searched pipelines and searched themselves), and the representation's cost
next to the search's. A reference grouping (one group per core dataset) shows what sharing one
pipeline per group can reach on this stream whatever the representation.
Target (issue 9): >= 2x less search cost at TRE < 5%.

    python benchmarks/bench_transfer_replay.py [--seeds 5] [--sample-size 5] [--alphas 0.005 0.05]
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from zapml.metadataset import load_metadataset
from zapml.transfer.grouping import GroupingConfig
from zapml.transfer.metareplay import (
    KeyGrouper,
    MetaReplaySettings,
    meta_stream,
    replay_meta_stream,
)
from zapml.transfer.replay import ReplayReport

SHIPPED_V1 = (
    Path(__file__).resolve().parents[1] / "src/zapml/metadataset/shipped/zapml-offline-v1.sqlite"
)
COLUMNS = ("grouping", "seed", "groups", "standalone s", "transfer s", "ratio", "TRE", "fallbacks")


def row(grouping: str, seed: int, report: ReplayReport) -> tuple[str, ...]:
    fallbacks = sum(step.fallback for step in report.steps)
    return (
        grouping,
        str(seed),
        str(report.num_groups),
        f"{report.standalone_cost:.0f}",
        f"{report.transfer_cost:.0f}",
        f"{report.cost_ratio:.2f}x",
        f"{report.total_relative_error:+.3f}",
        str(fallbacks),
    )


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]
    print("  ".join(c.rjust(w) for c, w in zip(COLUMNS, widths, strict=True)))
    for values in rows:
        print("  ".join(v.rjust(w) for v, w in zip(values, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metadataset", type=Path, default=SHIPPED_V1)
    parser.add_argument("--seeds", type=int, default=5, help="shuffled orders of the stream")
    parser.add_argument("--sample-size", type=int, default=MetaReplaySettings.sample_size)
    parser.add_argument("--objective", default=MetaReplaySettings.objective)
    parser.add_argument(
        "--budget", type=float, default=None,
        help="the cells' budget in compute seconds (default: the meta-dataset's smallest)",
    )  # fmt: skip
    parser.add_argument(
        "--alphas", type=float, nargs="+", default=[GroupingConfig.alpha, 0.05, 0.2],
        help="significance levels of the sharing test (the paper's is the first)",
    )  # fmt: skip
    args = parser.parse_args()
    settings = MetaReplaySettings(
        objective=args.objective, sample_size=args.sample_size, budget=args.budget
    )
    mds = load_metadataset(args.metadataset)
    stream = meta_stream(mds, settings)
    print(
        f"{args.metadataset.name}: {len(stream.datasets)} tasks, cell budget "
        f"{stream.cell_budget:g} compute-s, objective {settings.objective}, benchmark families "
        f"{list(stream.families)} x T={settings.num_trials}, standalone search = best of "
        f"{settings.sample_size} random recorded runs"
    )
    rows, summary = [], []
    for alpha in args.alphas:
        config = replace(GroupingConfig(), alpha=alpha)
        reports = [replay_meta_stream(stream, s, settings, config) for s in range(args.seeds)]
        rows += [row(f"alpha {alpha:g}", s, r) for s, r in enumerate(reports)]
        summary.append((f"Tr-AutoML, alpha {alpha:g}", reports))
    # The reference: one group per core dataset, as if the grouping knew each task's source.
    cores = mds.tasks["core_dataset"].astype(str).to_dict()
    reports = [
        replay_meta_stream(stream, s, settings, grouper=KeyGrouper(cores))
        for s in range(args.seeds)
    ]
    rows += [row("by core dataset", s, r) for s, r in enumerate(reports)]
    summary.append(("one group per core dataset (reference)", reports))
    print_table(rows)
    for name, reports in summary:
        ratio = np.mean([r.cost_ratio for r in reports])
        tre = np.mean([r.total_relative_error for r in reports])
        print(f"{name}: mean ratio {ratio:.2f}x, mean TRE {tre:+.3f}")
    first = summary[0][1][0]
    print(
        f"representation cost (reported apart, as the paper does): {first.benchmark_cost:.0f} "
        f"compute-s for the stream, {first.benchmark_cost / first.standalone_cost:.1f}x the "
        "whole standalone search"
    )


if __name__ == "__main__":
    main()
