"""Re-run a sample of the shipped meta-dataset's cells and compare their curves EXACTLY.

The shipped meta-dataset (``src/zapml/metadataset/shipped/zapml-offline-v1.sqlite``) was built
from ``specs/shipped.yaml`` under the compute clock, so every stored run is a deterministic
function of its task, pipeline and seed. This script picks a deterministic sample of stored runs
(stratified over architectures; cells with an empty curve included), rebuilds each job from the
store's own task spec, pipeline, seed and budget (``Store.cell_job``), runs it through the
builder's cell function (``metadataset.cell.evaluate_cell``) and compares status, every
timestamp and score of the learning curve, and the ALC with ``==`` (no tolerance). Each run is
charged with the compute-clock version it recorded (``cell.recorded_clock_version``): version 1
for the shipped v1 store, whose records predate clock versions.

    PYTHONPATH=src python scripts/verify_shipped_curves.py --cells 10 --seed 0
    PYTHONPATH=src python scripts/verify_shipped_curves.py \
        --cell-key '6-glyphs|4e8d7578db43|0|4|compute'

Exit status 0 when every re-run cell reproduced exactly, 1 otherwise.

The timestamps (compute clock) are machine-independent; the scores are bit-exact only in the
numeric environment of the build: CPU SIMD dispatch (ATEN_CPU_CAPABILITY, ONEDNN_MAX_CPU_ISA,
MKL) changes float rounding, and chaotic runs (saturated softmax, high learning rates) then score
differently. Within one environment re-runs are bit-identical. The script caps oneDNN at AVX2
(``ONEDNN_MAX_CPU_ISA=AVX2`` unless set): the v1 store was built where oneDNN ran AVX2
kernels, and on an AVX-512 CPU its default kernels round differently (on an AMD EPYC,
2026-12-02: the NAUC of ``6-glyphs|4e8d7578db43|0|4|compute``'s second point moved by 2.4e-4;
with the cap both cells of ``runtime/test_shipped_curves.py`` reproduce exactly). The variable is
read when oneDNN starts, so it is set before torch is imported.
"""

from __future__ import annotations

import os

os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")

import argparse  # noqa: E402  (after the oneDNN cap above)
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from zapml.metadataset import RunRecord  # noqa: E402
from zapml.metadataset.cell import evaluate_cell  # noqa: E402
from zapml.metadataset.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DB = ROOT / "src/zapml/metadataset/shipped/zapml-offline-v1.sqlite"


def stored_runs(db: Path = DB) -> list[RunRecord]:
    """Every stored run, ordered by cell key (a stable order to sample from)."""
    with Store(db, create=False) as store:
        return sorted(store.records(), key=lambda r: r.cell_key)


def architectures(db: Path = DB) -> dict[str, str]:
    """pipeline id -> architecture."""
    with Store(db, create=False) as store:
        return {pid: p.architecture for pid, p in store.pipelines().items()}


def sample_runs(runs: list[RunRecord], count: int, seed: int) -> list[RunRecord]:
    """``count`` runs, round-robin over architectures (so every backbone is covered), at least
    one with an empty curve when the store has one; deterministic in ``seed``."""
    rng = np.random.default_rng(seed)
    arch_of = architectures()
    by_arch: dict[str, list[RunRecord]] = {}
    for run in runs:
        by_arch.setdefault(arch_of[run.pipeline_id], []).append(run)
    queues = {
        arch: [group[i] for i in rng.permutation(len(group))] for arch, group in by_arch.items()
    }
    chosen: list[RunRecord] = []
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


def rerun(run: RunRecord, db: Path = DB) -> RunRecord:
    """The cell re-run through the builder's own path (``Store.cell_job`` + ``evaluate_cell``)."""
    with Store(db, create=False) as store:
        job = store.cell_job(run)
    return evaluate_cell(job)


def compare(run: RunRecord, fresh: RunRecord) -> list[str]:
    """Differences between the stored run and the fresh one (empty: reproduced exactly)."""
    problems = []
    if fresh.status != run.status:
        problems.append(f"status {run.status} -> {fresh.status} ({fresh.error!s:.300})")
    if len(fresh.curve) != len(run.curve):
        problems.append(f"curve length {len(run.curve)} -> {len(fresh.curve)}")
    for i, (old, new) in enumerate(zip(run.curve, fresh.curve, strict=False)):
        if old != new:
            problems.append(f"point {i}: (t, nauc) {old!r} -> {new!r}")
    if fresh.alc != run.alc:
        problems.append(f"alc {run.alc!r} -> {fresh.alc!r}")
    return problems


def verify(sample: list[RunRecord]) -> tuple[int, int]:
    """Re-run ``sample``'s cells; prints one line per cell; returns (reproduced, total)."""
    arch_of = architectures()
    reproduced = same_times = 0
    for run in sample:
        start = time.perf_counter()
        fresh = rerun(run)
        problems = compare(run, fresh)
        same_times += [t for t, _ in run.curve] == [t for t, _ in fresh.curve]
        took = time.perf_counter() - start
        label = f"{run.cell_key} [{arch_of[run.pipeline_id]}, {len(run.curve)} points]"
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
    parser.add_argument(
        "--cell-key",
        action="append",
        default=[],
        help="re-run this stored cell instead of a sample (repeatable)",
    )
    args = parser.parse_args(argv)
    runs = stored_runs()
    if args.cell_key:
        by_key = {run.cell_key: run for run in runs}
        unknown = [k for k in args.cell_key if k not in by_key]
        if unknown:
            parser.error(f"no stored run has the cell key(s) {unknown}")
        sample = [by_key[k] for k in args.cell_key]
    else:
        sample = sample_runs(runs, args.cells, args.seed)
    reproduced, total = verify(sample)
    return 0 if reproduced == total else 1


if __name__ == "__main__":
    sys.exit(main())
