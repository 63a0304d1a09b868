"""Re-run a sample of the shipped meta-dataset's cells and compare their curves EXACTLY.

The shipped meta-dataset (``src/zapml/metadataset/shipped/zapml-offline-v1.sqlite``) was built
from ``specs/shipped.yaml`` under the compute clock, so every stored run is a deterministic
function of its task, pipeline and seed. This script picks a deterministic sample of stored runs
(stratified over architectures; cells with an empty curve included), rebuilds each task from the
spec the way the builder does (``tasks_from_spec``), runs it through the builder's own cell
function (``metadataset.cell.evaluate_cell``) and compares status, every timestamp and score of
the learning curve, and the ALC with ``==`` (no tolerance).

    PYTHONPATH=src python scripts/verify_shipped_curves.py --cells 10 --seed 0

Exit status 0 when every sampled cell reproduced exactly, 1 otherwise.

The timestamps (compute clock) are machine-independent; the scores are bit-exact only in the
numeric environment of the build: CPU SIMD dispatch (ATEN_CPU_CAPABILITY, ONEDNN_MAX_CPU_ISA,
MKL) changes float rounding, and chaotic runs (saturated softmax, high learning rates) then score
differently. Within one environment re-runs are bit-identical.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DB = ROOT / "src/zapml/metadataset/shipped/zapml-offline-v1.sqlite"
SPEC = ROOT / "src/zapml/metadataset/specs/shipped.yaml"


@dataclass(frozen=True)
class StoredRun:
    cell_key: str
    task_id: str
    pipeline_id: str
    architecture: str
    pipeline: dict[str, Any]
    seed: int
    budget: float
    clock: str
    status: str
    alc: float | None
    curve: list[list[float]]


def stored_runs(db: Path = DB) -> list[StoredRun]:
    """Every stored run, ordered by cell key (a stable order to sample from)."""
    con = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    try:
        rows = con.execute(
            "SELECT r.cell_key, r.task_id, r.pipeline_id, p.architecture, p.config_json, r.seed,"
            " r.budget, r.clock, r.status, r.alc, r.curve_json FROM runs r"
            " JOIN pipelines p USING (pipeline_id) ORDER BY r.cell_key"
        ).fetchall()
    finally:
        con.close()
    return [
        StoredRun(
            cell_key=r[0],
            task_id=r[1],
            pipeline_id=r[2],
            architecture=r[3],
            pipeline=json.loads(r[4]),
            seed=int(r[5]),
            budget=float(r[6]),
            clock=str(r[7]),
            status=str(r[8]),
            alc=r[9],
            curve=json.loads(r[10] or "[]"),
        )  # fmt: skip
        for r in rows
    ]


def sample_runs(runs: list[StoredRun], count: int, seed: int) -> list[StoredRun]:
    """``count`` runs, round-robin over architectures (so every backbone is covered), at least
    one with an empty curve when the store has one; deterministic in ``seed``."""
    rng = np.random.default_rng(seed)
    by_arch: dict[str, list[StoredRun]] = {}
    for run in runs:
        by_arch.setdefault(run.architecture, []).append(run)
    queues = {
        arch: [group[i] for i in rng.permutation(len(group))] for arch, group in by_arch.items()
    }
    chosen: list[StoredRun] = []
    empty = [r for r in runs if not r.curve]
    if empty and count > 0:
        chosen.append(empty[int(rng.integers(len(empty)))])
    archs = sorted(queues)
    while len(chosen) < count and any(queues.values()):
        for arch in archs:
            if queues[arch] and len(chosen) < count:
                run = queues[arch].pop()
                if run not in chosen:
                    chosen.append(run)
    return chosen


def rerun(run: StoredRun, tasks: dict[str, Any]) -> dict[str, Any]:
    """The cell re-run through the builder's own path: a ``CellJob`` for ``evaluate_cell``."""
    from zapml.metadataset.cell import CellJob, evaluate_cell

    job = CellJob(
        key=run.cell_key, task=tasks[run.task_id], pipeline=run.pipeline, seed=run.seed,
        budget=run.budget, clock=run.clock,
    )  # fmt: skip
    return evaluate_cell(job)


def compare(run: StoredRun, fresh: dict[str, Any]) -> list[str]:
    """Differences between the stored run and the fresh one (empty: reproduced exactly)."""
    problems = []
    if fresh["status"] != run.status:
        problems.append(f"status {run.status} -> {fresh['status']} ({fresh.get('error')!s:.300})")
    curve = fresh.get("curve") or []
    if len(curve) != len(run.curve):
        problems.append(f"curve length {len(run.curve)} -> {len(curve)}")
    for i, (old, new) in enumerate(zip(run.curve, curve, strict=False)):
        if old[0] != new[0] or old[1] != new[1]:
            problems.append(
                f"point {i}: (t={old[0]!r}, nauc={old[1]!r}) -> ({new[0]!r}, {new[1]!r})"
            )
    if fresh.get("alc") != run.alc:
        problems.append(f"alc {run.alc!r} -> {fresh.get('alc')!r}")
    return problems


def spec_tasks() -> dict[str, Any]:
    """The shipped spec's tasks by id, rebuilt as the builder does (``register_tasks``)."""
    from zapml.metadataset.spec import load_spec
    from zapml.metadataset.tasks import tasks_from_spec

    return {task.id: task for task in tasks_from_spec(load_spec(SPEC))}


def verify(count: int, seed: int) -> tuple[int, int]:
    """Re-run ``count`` sampled cells; prints one line per cell; returns (reproduced, total)."""
    tasks = spec_tasks()
    sample = sample_runs(stored_runs(), count, seed)
    reproduced = same_times = 0
    for run in sample:
        start = time.perf_counter()
        fresh = rerun(run, tasks)
        problems = compare(run, fresh)
        same_times += [t for t, _ in run.curve] == [t for t, _ in fresh.get("curve") or []]
        took = time.perf_counter() - start
        label = f"{run.cell_key} [{run.architecture}, {len(run.curve)} points]"
        if problems:
            print(f"MISMATCH {label} ({took:.1f} s)")
            for line in problems[:6]:
                print(f"    {line}")
        else:
            reproduced += 1
            print(f"match    {label} ({took:.1f} s)")
        sys.stdout.flush()
    print(f"{reproduced} of {len(sample)} cells reproduced exactly")
    print(f"{same_times} of {len(sample)} cells reproduced their timestamps exactly")
    return reproduced, len(sample)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cells", type=int, default=10, help="how many cells to re-run")
    parser.add_argument("--seed", type=int, default=0, help="seed of the cell sample")
    args = parser.parse_args(argv)
    reproduced, total = verify(args.cells, args.seed)
    return 0 if reproduced == total else 1


if __name__ == "__main__":
    sys.exit(main())
