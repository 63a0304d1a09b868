"""Builds the SAT-DEB-2026 ASlib scenario: seeded instances, their features, every Debian solver
on every instance under a CPU-time cutoff, answers checked, 10 seeded CV folds.

    PYTHONPATH=src nice -n 5 python benchmarks/aslib_sat/build.py --work /tmp/satscen

Resumes: finished (instance, solver) runs live in WORK/runs.csv and are not run again. The
instances are regenerated from the seed (they are not committed); the scenario folder is.
``--pilot N`` runs only the first N instances of every family and writes no scenario.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from features import features
from instances import Cnf, plan, read_dimacs, write_dimacs
from scenario import COST, write_scenario
from solvers import SOLVERS, Run, run

#: the scenario's seed: instances and folds are drawn from it
SEED = 2026
#: CPU seconds: a pilot (14 instances, 56 runs, 25 CPU-s at a 3 s cutoff) put one run at about
#: 0.5 CPU-s on average, so 2 s keeps ~160 instances x 4 solvers well under 25 CPU minutes
#: (and this shared machine runs at a third of a core per process: ~3x that in wall time)
CUTOFF = 2.0
#: two solver processes at once: the machine has two cores (CPU time is per process, so
#: running side by side does not change what is measured beyond cache sharing)
WORKERS = 2
HERE = Path(__file__).resolve().parent
FIELDS = [f.name for f in dataclasses.fields(Run)]


def instances(work: Path, pilot: int | None) -> dict[str, tuple[str, Path]]:
    """instance id -> (family, DIMACS path), generated into ``work`` when missing."""
    out: dict[str, tuple[str, Path]] = {}
    taken: Counter[str] = Counter()
    for instance_id, family, make in plan(SEED):
        taken[family] += 1
        if pilot is not None and taken[family] > pilot:
            continue
        path = work / "cnf" / instance_id
        if not path.is_file():
            write_dimacs(path, make(), f"{instance_id} (SAT-DEB-2026, seed {SEED})")
        out[instance_id] = (family, path)
    return out


def done_runs(log: Path) -> dict[tuple[str, str], Run]:
    if not log.is_file():
        return {}
    with log.open() as fh:
        rows = list(csv.DictReader(fh))
    return {(r["instance_id"], r["solver"]): Run(**{**r, "cpu_s": float(r["cpu_s"])})
            for r in rows}  # fmt: skip


def run_all(todo: dict[str, tuple[str, Path]], cnfs: dict[str, Cnf], log: Path) -> list[Run]:
    """Every solver on every instance, skipping the runs ``log`` already holds."""
    finished = done_runs(log)
    pairs = [(s, i) for i in todo for s in SOLVERS if (i, s) not in finished]
    print(f"{len(finished)} runs logged, {len(pairs)} to run (cutoff {CUTOFF} CPU-s)")
    new = not log.is_file()
    with log.open("a", newline="") as fh, ThreadPoolExecutor(WORKERS) as pool:
        writer = csv.DictWriter(fh, FIELDS)
        if new:
            writer.writeheader()
        jobs = [pool.submit(run, s, i, todo[i][1], cnfs[i], CUTOFF) for s, i in pairs]
        for n, job in enumerate(jobs, 1):
            result = job.result()
            writer.writerow(dataclasses.asdict(result))
            fh.flush()  # a crash loses at most the runs in flight
            finished[(result.instance_id, result.solver)] = result
            if n % 50 == 0:
                print(f"  {n}/{len(pairs)} runs", flush=True)
    return [finished[(i, s)] for i in todo for s in SOLVERS]


def summary(runs: list[Run], families: dict[str, str]) -> None:
    total = sum(r.cpu_s for r in runs)
    print(f"total solver CPU time {total:.0f} s over {len(runs)} runs")
    for family in dict.fromkeys(families.values()):
        for solver in SOLVERS:
            rs = [r for r in runs if r.solver == solver and families[r.instance_id] == family]
            times = np.array([r.cpu_s for r in rs])
            status = Counter(r.status for r in rs)
            print(f"  {family:8s} {solver:15s} median {np.median(times):6.2f}s "
                  f"max {times.max():5.2f}s {dict(status)}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/satscen"))
    parser.add_argument("--pilot", type=int, default=None)
    parser.add_argument("--out", type=Path, default=HERE / "SAT-DEB-2026")
    args = parser.parse_args()
    todo = instances(args.work, args.pilot)
    cnfs = {i: read_dimacs(path) for i, (_, path) in todo.items()}
    started = time.perf_counter()
    feats = {}
    for i in todo:
        begin = time.process_time()
        feats[i] = {**features(cnfs[i]), COST: time.process_time() - begin}
    print(f"{len(todo)} instances, features in {time.perf_counter() - started:.1f} s")
    log = args.work / ("pilot_runs.csv" if args.pilot else "runs.csv")
    runs = run_all(todo, cnfs, log)
    summary(runs, {i: f for i, (f, _) in todo.items()})
    if args.pilot is None:
        write_scenario(args.out, runs, feats, CUTOFF, SEED)
        print(f"scenario written to {args.out}")


if __name__ == "__main__":
    sys.exit(main())
