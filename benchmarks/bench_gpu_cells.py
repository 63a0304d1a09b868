"""Re-run a sample of a store's CPU cells on another device (a GPU) and compare the two runs.

Under the compute clock a cell's run is charged counted work, not time, so a GPU run of a cell
should be the CPU run up to rounding: the same prediction times (unless a decision that reads a
score flipped), final scores within the spread two seeds show, and much less wall time. This
picks ``--per-arch`` stored seed-0 runs of each architecture at the chosen budgets (spread over
core datasets, drawn with ``--seed``), re-runs each with ``--device`` in ``--workers`` spawned
processes, and writes one row per cell to ``OUT/gpu_cells.csv`` plus ``OUT/summary.json``:

- speed-up per cell: the stored run's cell time (``finished_at - started_at``: task, model,
  training, predictions; on the machine and load it was built with) over the new run's;
- throughput: cells per hour of the whole sample at ``--workers`` against the stored builds'
  cells per hour (each build's runs over its first start to last finish);
- agreement: the share of cells with identical prediction times, the mean absolute difference of
  final accuracy / NAUC and ALC, and the mean signed difference (GPU minus CPU), next to the
  store's seed-to-seed gap of final accuracy at the same budgets.

    PYTHONPATH=src python benchmarks/bench_gpu_cells.py STORE --device cuda --budgets 64 \\
        --per-arch 4 --workers 12 --out OUT
    PYTHONPATH=src python benchmarks/bench_gpu_cells.py --summarise OUT/gpu_cells.csv [...]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zapml.metadataset.cell import CellJob, evaluate_cell
from zapml.metadataset.record import RunRecord
from zapml.metadataset.store import open_store
from zapml.metadataset.tasks import core_of_task_id


def sample_runs(
    records: Sequence[RunRecord],
    architecture: dict[str, str],
    budgets: Sequence[float],
    per_arch: int,
    seed: int,
) -> list[RunRecord]:
    """Up to ``per_arch`` ok seed-0 runs per architecture at ``budgets``, each from another core
    dataset while there are unused ones (``architecture``: pipeline id -> architecture)."""
    rng = np.random.default_rng(seed)
    wanted = {float(b) for b in budgets}
    pool = [r for r in records if r.ok and r.seed == 0 and r.budget in wanted]
    chosen: list[RunRecord] = []
    for arch in sorted({architecture[r.pipeline_id] for r in pool}):
        runs = [pool[i] for i in rng.permutation(len(pool))]
        runs = [r for r in runs if architecture[r.pipeline_id] == arch]
        cores: set[str] = set()
        picked: list[RunRecord] = []
        for fresh_core_only in (True, False):
            for run in runs:
                if len(picked) == per_arch:
                    break
                core = core_of_task_id(run.task_id)
                if run in picked or (fresh_core_only and core in cores):
                    continue
                picked.append(run)
                cores.add(core)
        chosen.extend(picked)
    return chosen


def _timed_cell(job: CellJob) -> tuple[RunRecord, float]:
    start = time.perf_counter()
    record = evaluate_cell(job)
    return record, time.perf_counter() - start


def rerun(jobs: Sequence[CellJob], workers: int) -> tuple[list[tuple[RunRecord, float]], float]:
    """Each job's new record and its seconds in the worker; and the wall seconds of them all."""
    start = time.perf_counter()
    if workers == 0:
        out = [_timed_cell(job) for job in jobs]
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            out = list(pool.map(_timed_cell, jobs))
    return out, time.perf_counter() - start


def cell_seconds(record: RunRecord) -> float | None:
    """A stored run's seconds in its worker (task, model, training, predictions)."""
    if record.started_at is None or record.finished_at is None:
        return None
    return record.finished_at - record.started_at


def compare(old: RunRecord, new: RunRecord, new_seconds: float, arch: str) -> dict[str, Any]:
    """One row: the stored run against its re-run."""
    old_times = [t for t, _ in old.curve]
    new_times = [t for t, _ in new.curve]
    return {
        "cell_key": old.cell_key,
        "task_id": old.task_id,
        "architecture": arch,
        "budget": old.budget,
        "status": new.status,
        "device": (new.versions or {}).get("device", "cpu"),
        "old_seconds": cell_seconds(old),
        "new_seconds": new_seconds,
        "same_times": old_times == new_times,
        "old_points": len(old_times),
        "new_points": len(new_times),
        "old_accuracy": old.final_accuracy,
        "new_accuracy": new.final_accuracy,
        "old_nauc": old.final_nauc,
        "new_nauc": new.final_nauc,
        "old_alc": old.alc,
        "new_alc": new.alc,
        "error": (new.error or "")[-300:],
    }


def seed_gap(records: Sequence[RunRecord], budgets: Sequence[float]) -> float | None:
    """Mean |final accuracy difference| between seeds 0 and 1 of the same cell at ``budgets``."""
    wanted = {float(b) for b in budgets}
    by_cell: dict[tuple[str, str, float], dict[int, float]] = {}
    for r in records:
        if r.ok and r.budget in wanted and r.final_accuracy is not None:
            key = (r.task_id, r.pipeline_id, float(r.budget))
            by_cell.setdefault(key, {})[r.seed] = r.final_accuracy
    gaps = [abs(s[0] - s[1]) for s in by_cell.values() if 0 in s and 1 in s]
    return float(np.mean(gaps)) if gaps else None


def build_throughput(records: Sequence[RunRecord], budgets: Sequence[float]) -> float | None:
    """Cells per hour of the stored builds that ran cells at ``budgets`` (their runs at every
    budget, over each build's first start to last finish, summed over builds)."""
    wanted = {float(b) for b in budgets}
    builds = {r.build_id for r in records if r.budget in wanted and r.build_id is not None}
    cells, hours = 0, 0.0
    for build in builds:
        spans = [
            (r.started_at, r.finished_at)
            for r in records
            if r.build_id == build and r.started_at is not None and r.finished_at is not None
        ]
        if spans:
            cells += len(spans)
            hours += (max(end for _, end in spans) - min(start for start, _ in spans)) / 3600
    return cells / hours if hours > 0 else None


def summarise(rows: pd.DataFrame, wall: float | None = None) -> dict[str, Any]:
    """Speed-up and agreement over the rows of ok re-runs (``wall``: the sample's seconds)."""
    ok = rows[rows["status"] == "ok"]
    speed = ok["old_seconds"] / ok["new_seconds"]
    out: dict[str, Any] = {
        "cells": int(len(rows)),
        "failed": int(len(rows) - len(ok)),
        "speedup_median": float(speed.median()),
        "speedup_range": [float(speed.min()), float(speed.max())],
        "old_seconds_mean": float(ok["old_seconds"].mean()),
        "new_seconds_mean": float(ok["new_seconds"].mean()),
        "same_times_share": float(ok["same_times"].astype(bool).mean()),
        "accuracy_abs_diff": float((ok["new_accuracy"] - ok["old_accuracy"]).abs().mean()),
        "accuracy_diff": float((ok["new_accuracy"] - ok["old_accuracy"]).mean()),
        "nauc_abs_diff": float((ok["new_nauc"] - ok["old_nauc"]).abs().mean()),
        "alc_abs_diff": float((ok["new_alc"] - ok["old_alc"]).abs().mean()),
    }
    if wall:
        out["sample_cells_per_hour"] = len(rows) / wall * 3600
    return out


def per_architecture(rows: pd.DataFrame) -> pd.DataFrame:
    ok = rows[rows["status"] == "ok"].assign(
        speedup=lambda d: d["old_seconds"] / d["new_seconds"],
        acc_diff=lambda d: d["new_accuracy"] - d["old_accuracy"],
    )
    return ok.groupby("architecture").agg(
        cells=("cell_key", "size"),
        cpu_s=("old_seconds", "mean"),
        gpu_s=("new_seconds", "mean"),
        speedup=("speedup", "median"),
        same_times=("same_times", "mean"),
        acc_diff=("acc_diff", "mean"),
        acc_abs=("acc_diff", lambda s: s.abs().mean()),
    )


def run_sample(args: argparse.Namespace) -> tuple[pd.DataFrame, dict[str, Any]]:
    with open_store(args.store, create=False) as store:
        records = store.records()
        archs = {pid: p.architecture for pid, p in store.pipelines().items()}
        sample = sample_runs(records, archs, args.budgets, args.per_arch, args.seed)
        if args.architectures:
            sample = [r for r in sample if archs[r.pipeline_id] in set(args.architectures)]
        jobs = [replace(store.cell_job(r), device=args.device) for r in sample]
    if not jobs:
        raise SystemExit("no stored run matches --budgets/--architectures: nothing to re-run")
    results, wall = rerun(jobs, args.workers)
    rows = pd.DataFrame(
        [compare(old, new, secs, archs[old.pipeline_id]) for old, (new, secs) in zip(
            sample, results, strict=True)]
    )  # fmt: skip
    summary = summarise(rows, wall)
    summary["store_seed_gap"] = seed_gap(records, args.budgets)
    summary["store_cells_per_hour"] = build_throughput(records, args.budgets)
    summary["workers"] = args.workers
    return rows, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("store", nargs="?", type=Path)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--budgets", type=float, nargs="+", default=[64.0])
    parser.add_argument("--per-arch", type=int, default=4)
    parser.add_argument("--architectures", nargs="*", help="only these (default: all)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--summarise", type=Path, nargs="*", help="read back gpu_cells.csv files")
    args = parser.parse_args()
    pd.set_option("display.width", 140)
    if args.summarise:
        rows = pd.concat([pd.read_csv(p) for p in args.summarise], ignore_index=True)
        summary = summarise(rows)
    else:
        if args.store is None:
            parser.error("give a STORE to sample, or --summarise CSV files")
        rows, summary = run_sample(args)
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            rows.to_csv(args.out / "gpu_cells.csv", index=False)
            (args.out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(per_architecture(rows).round(3).to_string())
    print(json.dumps(summary, indent=2))
    failed = rows[rows["status"] != "ok"]
    for _, row in failed.head(3).iterrows():
        print(f"failed {row['cell_key']}: {row['error']}")


if __name__ == "__main__":
    main()
