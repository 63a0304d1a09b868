"""Builder throughput in the two memory layouts, on real stored cells of a meta-dataset.

Re-runs a deterministic sample of a store's cells (every k-th successful run by cell key, at the
budgets asked for) through the builder's own cell function, once channels-last (the runtime's
default) and once contiguous (NCHW, what every cell stored before layouts were recorded ran in),
interleaved in one process with one torch thread, as a build worker runs them. Prints the wall
seconds per cell, cells per hour per layout and their ratio, and whether each cell's timestamps
are identical in both layouts (the compute clock counts the same work; they differ only where a
decision reading a score flipped, such as when the network first beats the simple model on
validation) and the largest ALC difference (rounding that training amplifies).

    python benchmarks/bench_cell_layout.py [--db STORE] [--budget 4] [--cells 12]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from pathlib import Path

from zapml.metadataset.cell import evaluate_cell
from zapml.metadataset.store import Store
from zapml.runtime.layout import CHANNELS_LAST, CONTIGUOUS

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "src/zapml/metadataset/shipped/zapml-offline-v1.sqlite"


def sample_jobs(db: Path, budgets: list[float], cells: int) -> list:
    with Store(db, create=False) as store:
        runs = sorted(
            (r for r in store.records() if r.ok and r.budget in budgets),
            key=lambda r: r.cell_key,
        )
        step = max(1, len(runs) // cells)
        return [store.cell_job(r) for r in runs[::step][:cells]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--budget", type=float, nargs="+", default=[4.0])
    parser.add_argument("--cells", type=int, default=12)
    args = parser.parse_args()
    jobs = sample_jobs(args.db, args.budget, args.cells)
    if not jobs:
        raise SystemExit(f"{args.db} has no successful runs at budget(s) {args.budget}.")
    evaluate_cell(dataclasses.replace(jobs[0], layout=CHANNELS_LAST))  # imports, first kernels
    seconds: dict[str, list[float]] = {CHANNELS_LAST: [], CONTIGUOUS: []}
    worst_alc, same_times = 0.0, 0
    print(f"{len(jobs)} cells of {args.db.name} at budget(s) {args.budget}")
    for i, job in enumerate(jobs):
        records = {}
        order = (CHANNELS_LAST, CONTIGUOUS) if i % 2 == 0 else (CONTIGUOUS, CHANNELS_LAST)
        for layout in order:
            start = time.perf_counter()
            records[layout] = evaluate_cell(dataclasses.replace(job, layout=layout))
            seconds[layout].append(time.perf_counter() - start)
        fast, plain = records[CHANNELS_LAST], records[CONTIGUOUS]
        times_equal = [t for t, _ in fast.curve] == [t for t, _ in plain.curve]
        same_times += times_equal
        diff = abs((fast.alc or 0.0) - (plain.alc or 0.0))
        worst_alc = max(worst_alc, diff)
        print(
            f"  {job.key:48} NCHW {seconds[CONTIGUOUS][-1]:6.1f} s  channels-last "
            f"{seconds[CHANNELS_LAST][-1]:6.1f} s  timestamps equal: {times_equal}  "
            f"|dALC| {diff:.4f}"
        )
    per_hour = {k: 3600.0 * len(v) / sum(v) for k, v in seconds.items()}
    ratios = [a / b for a, b in zip(seconds[CONTIGUOUS], seconds[CHANNELS_LAST], strict=True)]
    print(
        f"cells per hour, one worker: NCHW {per_hour[CONTIGUOUS]:.0f}, channels-last "
        f"{per_hour[CHANNELS_LAST]:.0f} ({per_hour[CHANNELS_LAST] / per_hour[CONTIGUOUS]:.2f}x); "
        f"median per-cell ratio {statistics.median(ratios):.2f}x"
    )
    print(
        f"timestamps identical in {same_times} of {len(jobs)} cells; largest |dALC| {worst_alc:.4f}"
    )


if __name__ == "__main__":
    main()
