"""LOCO benchmark of every selector on a generated meta-dataset (the real one is not built yet).

    python benchmarks/bench_selectors_loco.py [--cores 8] [--tasks 5] [--pipelines 40]
        [--seeds 2] [--budget fast] [--density 1.0] [--out bench_out/loco]

Prints the rich table and writes records/summary CSV, markdown and the box plot to --out.
"""

from __future__ import annotations

import argparse
import time

from rich.console import Console

from zapml.evaluation import default_selectors, rich_table, run_benchmark
from zapml.selectors import make_synthetic_metadataset


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cores", type=int, default=8)
    ap.add_argument("--tasks", type=int, default=5)
    ap.add_argument("--pipelines", type=int, default=40)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--budget", default="fast", choices=["fast", "full"])
    ap.add_argument("--density", type=float, default=1.0)
    ap.add_argument("--data-seed", type=int, default=0)
    ap.add_argument("--out", default="bench_out/loco")
    args = ap.parse_args()
    md = make_synthetic_metadataset(
        args.cores, args.tasks, args.pipelines, seed=args.data_seed, density=args.density
    )
    console = Console()
    console.print(md.summary())
    start = time.perf_counter()
    summary, _ = run_benchmark(
        md,
        default_selectors(args.budget),
        seeds=range(args.seeds),
        out_dir=args.out,
        progress=lambda msg: console.print(f"[dim]{msg} ({time.perf_counter() - start:.0f}s)"),
    )
    console.print(rich_table(summary, title=f"LOCO on synthetic ({args.budget} budget)"))
    console.print(f"total {time.perf_counter() - start:.0f}s; files in {args.out}")


if __name__ == "__main__":
    main()
