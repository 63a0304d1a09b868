"""What a wall-clock `zap fit` gets done beside another busy process, by how it counts free cores.

A wall-clock fit runs one thread per core other processes leave free (``fit.free_threads``). How
busy the others are is measured from the kernel's CPU counters over the command's loading and
ranking (``runtime.cpu_load``); the fallback, where the counters are missing, is the 1-minute load
average less one core for this process. This script runs the same `zap fit` three times, each a
fresh process: on the machine as it is, then beside one single-threaded matrix-multiplying
process started ``--lead`` seconds before, once with the measured count and once with the
load-average fallback forced, each once the load average has settled (``settle``). It prints,
per run, the threads used, the training steps, the final test accuracy and the wall seconds. Run
it on an otherwise idle machine.

    PYTHONPATH=src python benchmarks/bench_busy_machine.py [--data animal_mnist] [--budget 60] \
        [--lead 20] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: One core kept busy the way a one-thread numerical job keeps it (BLAS limited to one thread).
BUSY_CODE = "import numpy as np\na = np.random.rand(1500, 1500)\nwhile True:\n    a @ a\n"
#: ``zap fit`` with the load-average fallback forced (the counters reported missing), or as is.
FIT_CODE = (
    "import sys\nfrom zapml.runtime import cpu_load\n{patch}\nfrom zapml.cli.app import main\n"
    "sys.argv = ['zap', 'fit', *sys.argv[1:]]\nmain()\n"
)
FORCE_LOAD_AVERAGE = "cpu_load.others_busy_cores = lambda: None"
#: Each run starts once the 1-minute load average has fallen below this, so no run inherits the
#: previous one's load (a fit keeps both cores busy for a minute: the average reads ~1.5 after it,
#: and the fallback would then see a busy machine that is not).
QUIET_LOAD = 0.3
QUIET_WAIT_SECONDS = 300.0


def settle() -> float:
    """Wait (at most ``QUIET_WAIT_SECONDS``) for the load average to fall below ``QUIET_LOAD``;
    the load average at the end."""
    deadline = time.monotonic() + QUIET_WAIT_SECONDS
    while os.getloadavg()[0] >= QUIET_LOAD and time.monotonic() < deadline:
        time.sleep(5.0)
    return os.getloadavg()[0]


@contextmanager
def busy_process(lead: float) -> Iterator[None]:
    """One single-threaded busy process, running ``lead`` seconds before the block starts."""
    one = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    env = {**os.environ, **one}
    proc = subprocess.Popen([sys.executable, "-c", BUSY_CODE], env=env)
    try:
        time.sleep(lead)
        yield
    finally:
        proc.kill()
        proc.wait()


def run_fit(data: str, budget: float, out: Path, force_load_average: bool) -> dict[str, Any]:
    """One `zap fit` in a fresh process; its result.json's threads, steps and accuracy."""
    code = FIT_CODE.format(patch=FORCE_LOAD_AVERAGE if force_load_average else "")
    args = [data, "--budget", str(budget), "--output", str(out), "--overwrite"]
    args += ["--no-history", "--no-progress"]
    subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True)
    result = json.loads((out / "result.json").read_text())
    return {
        "threads": result["num_threads"],
        "steps": result["num_train_steps"],
        "test_accuracy": result["final_accuracy"],
        "wall_s": result["wall_seconds"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="animal_mnist")
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--lead", type=float, default=20.0, help="seconds the load runs first")
    parser.add_argument("--out", type=Path, default=None, help="where the fits write")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_busy_"))
    print(f"load average {settle():.2f}", flush=True)
    rows = [("as is", "measured", run_fit(args.data, args.budget, out / "idle", False))]
    for label, forced in (("measured", False), ("load average", True)):
        print(f"load average {settle():.2f}", flush=True)
        with busy_process(args.lead):
            fitted = run_fit(args.data, args.budget, out / label.replace(" ", "_"), forced)
        rows.append(("one busy process", label, fitted))
    print(f"zap fit {args.data} --budget {args.budget:g} (wall clock), {os.cpu_count()} cores")
    print(f"{'machine':<18} {'free cores by':<14} threads  steps  test accuracy  wall s")
    for machine, estimate, r in rows:
        print(
            f"{machine:<18} {estimate:<14} {r['threads']:>7}  {r['steps']:>5}  "
            f"{r['test_accuracy']:>13.3f}  {r['wall_s']:>6.1f}"
        )


if __name__ == "__main__":
    main()
