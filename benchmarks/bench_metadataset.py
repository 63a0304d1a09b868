"""Benchmark of the meta-dataset build machinery (not of fine-tuning itself).

1. Driver overhead per cell: a build whose cell function does no work, run in-process, so all
   the time measured is what a cell costs outside its own fine-tuning (planning, job creation,
   rebuilding the task from (core, seed), the result transaction, progress). Target < 0.5 s.
2. Throughput with 1 vs 2 local workers, each cell burning one CPU core for a fixed time (a
   stand-in for fine-tuning). Target >= 1.7x. Needs 2 idle cores to be meaningful.

    python benchmarks/bench_metadataset.py [--cells-overhead 200] [--cells-scaling 16]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import yaml

from zapml.metadataset import build
from zapml.metadataset.testing import busy_fit, synthetic_fit

CORES = [
    {"name": "blobs", "path": "synthetic:40:150:32:3"},
    {"name": "blobs_small", "path": "synthetic:10:100:16"},
]


def _spec(folder: Path, name: str, *, tasks: int, pipelines: int, budget: float) -> Path:
    spec = {
        "name": name,
        "core_datasets": CORES,
        "tasks_per_core": tasks,
        "candidates": [{"source": "sobol", "n": pipelines, "seed": 0}],
        "budget": budget,
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def driver_overhead(cells: int) -> float:
    """Seconds per cell spent outside the cell function (budget 0: the fake fit is instant)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pipelines = 10
        tasks = max(1, cells // (pipelines * len(CORES)))
        spec = _spec(folder, "overhead", tasks=tasks, pipelines=pipelines, budget=0.0001)
        report = build(spec, folder / "o.sqlite", workers=0, progress=False, cell_fn=synthetic_fit)
        return report.seconds / max(report.done, 1)


def throughput(workers: int, cells: int, seconds_per_cell: float) -> float:
    """Cells per second for a build of CPU-bound cells (pool start-up included)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pipelines = max(1, cells // len(CORES))
        spec = _spec(folder, "scale", tasks=1, pipelines=pipelines, budget=100 * seconds_per_cell)
        start = time.perf_counter()
        report = build(spec, folder / "s.sqlite", workers=workers, progress=False, cell_fn=busy_fit)
        return report.done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells-overhead", type=int, default=200)
    parser.add_argument("--cells-scaling", type=int, default=16)
    parser.add_argument("--seconds-per-cell", type=float, default=1.0)
    args = parser.parse_args()

    per_cell = driver_overhead(args.cells_overhead)
    print(f"driver overhead per cell: {per_cell * 1000:.1f} ms (target < 500 ms)")
    one = throughput(1, args.cells_scaling, args.seconds_per_cell)
    two = throughput(2, args.cells_scaling, args.seconds_per_cell)
    print(f"throughput, 1 worker : {one * 60:.1f} cells/min")
    print(f"throughput, 2 workers: {two * 60:.1f} cells/min")
    print(f"speed-up 2 vs 1 workers: {two / one:.2f}x (target >= 1.7x)")


if __name__ == "__main__":
    main()
