"""Budget-aware selectors on a generated multi-budget meta-dataset whose best pipeline changes
with the budget (``make_budget_metadataset``): LOCO per budget, and the calibration's cost.

    python benchmarks/bench_budget_selectors.py [--budgets 4 16 64] [--cores 6] [--tasks 4]
        [--pipelines 30] [--seeds 3] [--methods single_best,single_best_per_budget,knn,...]
        [--out bench_out/budget] [--calibrate]

Prints, per budget and over all budgets, mean value, normalised regret, the gap closed versus
the budget-blind single best and versus the per-budget single best, and the oracle; then, for one
held-out task, the architecture each selector picks at the smallest and the largest budget. With
``--calibrate`` it also measures this machine's wall -> compute ratio (not cached) and prints how
long the probe took.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Console

from zapml.evaluation import default_selectors, rich_table, run_benchmark, summarize_by_budget
from zapml.metadataset.metadataset import BUDGET_FEATURE
from zapml.selectors import make_budget_metadataset


def picks(md, lineup, budgets) -> dict[str, tuple[str, ...]]:
    """Architecture each selector picks for the first task of the first core dataset (held out)
    at each budget."""
    core = sorted(md.core_datasets().unique())[0]
    train = md.without_core_dataset(core)
    row = md.only_core_dataset(core).metafeatures().iloc[0].to_dict()
    out = {}
    for name, make in lineup.items():
        sel = make(0).fit(train)
        scores = [sel.rank({**row, BUDGET_FEATURE: b}) for b in budgets]
        out[name] = tuple(sel.pipelines_[int(np.argmax(s))].architecture for s in scores)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budgets", type=float, nargs="+", default=[4.0, 16.0, 64.0])
    ap.add_argument("--cores", type=int, default=6)
    ap.add_argument("--tasks", type=int, default=4)
    ap.add_argument("--pipelines", type=int, default=30)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--methods", default=None, help="comma-separated (default: the fast line-up)")
    ap.add_argument("--out", default="bench_out/budget")
    ap.add_argument("--calibrate", action="store_true")
    args = ap.parse_args()
    console = Console(width=160)
    md = make_budget_metadataset(tuple(args.budgets), args.cores, args.tasks, args.pipelines)
    console.print(md.summary())
    lineup = default_selectors("fast")
    if args.methods:
        lineup = {m: lineup[m] for m in args.methods.split(",")}
    start = time.perf_counter()
    summary, records = run_benchmark(md, lineup, seeds=range(args.seeds), out_dir=args.out)
    console.print(f"LOCO in {time.perf_counter() - start:.0f} s")
    console.print(rich_table(summary, title="all budgets together", objective=md.objective))
    for budget, table in summarize_by_budget(records).items():
        console.print(rich_table(table, title=f"budget {budget:g}", objective=md.objective))
    smallest, largest = min(args.budgets), max(args.budgets)
    for name, chosen in picks(md, lineup, (smallest, largest)).items():
        console.print(
            f"{name:24s} picks {chosen[0]} at {smallest:g} s, {chosen[1]} at {largest:g} s"
        )
    if args.calibrate:
        from zapml.runtime.calibration import calibrate

        start = time.perf_counter()
        found = calibrate(recalibrate=True, cache_dir=Path(tempfile.mkdtemp()))
        console.print(f"{found.describe(60)}; whole call {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
