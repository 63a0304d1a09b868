"""Does a wall-clock ``fit`` end on time?

Runs ``zapml.runtime.fit`` with the wall clock on Animal-MNIST (8,000 train / 2,000 test images,
default pipeline) for several budgets and prints, per budget: the start-up before the clock starts
(model construction and FLOP counting, not counted, as in AutoDL), when the last prediction was
made, when ``fit`` returned (artifacts written) and the overrun against the budget. Target: the
end lies within 5% of the budget after the clock started, i.e. total call time <= start-up +
1.05 * budget.

    python benchmarks/bench_budget.py [--budgets 20 40 80] [--threads N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time

import torch

from zapml.data import load_data
from zapml.runtime import fit
from zapml.space import default_pipeline


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--budgets", type=float, nargs="+", default=[20.0, 40.0, 80.0])
    parser.add_argument("--dataset", default="animal_mnist")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: fit's free_threads())"
    )
    args = parser.parse_args()

    t = time.perf_counter()
    imports = (
        "import zapml.runtime, zapml.zoo, zapml.data, zapml._torch_import as ti; ti.import_timm()"
    )
    subprocess.run([sys.executable, "-c", imports], check=True)
    print(
        f"process start-up (python + torch + timm + zapml imports): {time.perf_counter() - t:.2f} s"
    )
    t = time.perf_counter()
    split = load_data(args.dataset)
    print(
        f"data load (not part of fit): {time.perf_counter() - t:.2f} s; "
        f"{len(split.train)} train / {len(split.test)} test images; "
        f"torch threads {args.threads or 'free_threads()'}"
    )
    header = (
        f"{'budget':>7} {'start-up':>9} {'last pred':>9} {'end':>8} {'overrun':>8} "
        f"{'call':>7} {'preds':>5} {'steps':>6} {'acc':>6} {'ALC':>6} {'threads':>7} {'counted':>8}"
    )
    print(header)
    worst = -1.0
    for budget in args.budgets:
        with tempfile.TemporaryDirectory() as out:
            t = time.perf_counter()
            result = fit(
                default_pipeline(),
                split.train,
                split.test,
                budget=budget,
                clock="wall",
                seed=0,
                output_dir=out,
                progress=False,
                num_threads=args.threads,
            )
            call = time.perf_counter() - t
        overrun = result.wall_seconds / budget - 1.0
        worst = max(worst, overrun)
        last = result.timestamps[-1] if result.timestamps else float("nan")
        print(
            f"{budget:7.0f} {result.startup_seconds:9.2f} {last:9.2f} "
            f"{result.wall_seconds:8.2f} {100 * overrun:+7.1f}% {call:7.2f} "
            f"{len(result.timestamps):5d} {result.num_train_steps:6d} "
            f"{result.final_accuracy or 0:6.3f} {result.alc or 0:6.3f} {result.num_threads:7d} "
            f"{result.compute_seconds:8.2f}"
        )
    verdict = "OK" if worst <= 0.05 else "OVER"
    print(f"worst overrun {100 * worst:+.1f}% of the budget (target <= +5%): {verdict}")
    print(
        f"(torch {torch.__version__}; 'end' = seconds from clock start to fit's return, "
        "artifacts included; 'call' adds the start-up; 'counted' = compute-clock seconds of the "
        "same work, what clock='compute' would have shown)"
    )


if __name__ == "__main__":
    main()
