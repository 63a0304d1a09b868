"""``load_metadataset`` for every format, and the ``export`` / ``import_`` commands.

Formats: an SQLite store (``.sqlite``/``.db``), a ZAP folder (``perf_matrix.csv`` inside), a long
table (``.csv`` / ``.parquet``).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from zapml.errors import ArtifactError
from zapml.metadataset.io_long import (
    long_from_metadataset,
    long_from_store,
    read_long,
    write_long,
)
from zapml.metadataset.io_zap import export_zap, import_zap
from zapml.metadataset.metadataset import MetaDataset
from zapml.metadataset.planner import Cell
from zapml.metadataset.store import Store

STORE_SUFFIXES = (".sqlite", ".db", ".sqlite3")
EXPORT_FORMATS = ("zap", "csv", "parquet")


def load_metadataset(path: str | Path) -> MetaDataset:
    """Load a meta-dataset from a store, a ZAP folder or a long CSV/Parquet table."""
    path = Path(path)
    if path.is_dir():
        return import_zap(path)
    if not path.is_file():
        raise ArtifactError(f"Meta-dataset '{path}' does not exist.")
    if path.suffix in STORE_SUFFIXES:
        with Store(path, create=False) as store:
            return store.to_metadataset()
    if path.suffix in (".csv", ".parquet"):
        return read_long(path)
    raise ArtifactError(
        f"Cannot tell the format of '{path}': use a {'/'.join(STORE_SUFFIXES)} store, a ZAP "
        "folder, or a .csv/.parquet long table."
    )


def export(db: str | Path, out: str | Path, fmt: str = "zap") -> Path:
    """Write a meta-dataset (any loadable source) as a ZAP folder or a long CSV/Parquet table.

    From a store, the long table has one row per run (repeats and failures included); from other
    sources one row per filled cell."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"The 'fmt' parameter must be one of {EXPORT_FORMATS}. Got {fmt!r}.")
    src = Path(db)
    out = Path(out)
    if fmt == "zap":
        return export_zap(load_metadataset(src), out)
    if out.suffix != f".{fmt}":
        out = out.with_suffix(f".{fmt}")
    if src.suffix in STORE_SUFFIXES:
        with Store(src, create=False) as store:
            frame = long_from_store(store)
    else:
        frame = long_from_metadataset(load_metadataset(src))
    return write_long(frame, out)


def import_(src: str | Path, db: str | Path) -> dict[str, int]:
    """Copy a meta-dataset (ZAP folder, long table, or another store) into a store.

    Imported runs are keyed ``{task}|{pipeline}|{seed}|{budget}|{clock}`` when the source has
    those fields and ``...|imported`` otherwise, so importing twice adds nothing."""
    src = Path(src)
    mds = load_metadataset(src)
    rows = _run_rows(src, mds)
    with Store(db) as store:
        before = store.counts()["runs"]
        for tid in mds.task_ids:
            core = str(mds.tasks.loc[tid, "core_dataset"])
            mf = {k: float(v) for k, v in mds.tasks.loc[tid].drop("core_dataset").items()}
            store.add_task(tid, core, mf, domain=mds.domains.get(core))
        for pid, pipeline in mds.pipelines.items():
            store.add_pipeline(pipeline, "imported", mds.incumbent_of.get(pid), pipeline_id=pid)
        for row in rows:
            store.add_run(row)
        after = store.counts()["runs"]
    return {"tasks": len(mds.tasks), "pipelines": len(mds.pipelines), "runs_added": after - before}


def _run_rows(src: Path, mds: MetaDataset) -> list[dict[str, Any]]:
    if src.suffix in STORE_SUFFIXES:
        with Store(src, create=False) as store:
            frame = store.runs().drop(columns=["run_id", "build_id"])
        return [_nan_to_none(r) for r in frame.to_dict("records")]
    if src.is_file():  # long table: keep repeats and failures
        frame = pd.read_parquet(src) if src.suffix == ".parquet" else pd.read_csv(src)
        return [_long_row(r) for r in frame.to_dict("records")]
    return [
        {"cell_key": f"{t}|{p}|imported", "task_id": t, "pipeline_id": p, "seed": 0,
         "status": "ok", "alc": float(v), "clock": "imported"}
        for t, p, v in mds.to_long().dropna(subset=["alc"]).itertuples(index=False)
    ]  # fmt: skip


def _long_row(r: dict[str, Any]) -> dict[str, Any]:
    r = _nan_to_none(r)
    seed = int(r["seed"]) if r.get("seed") is not None else 0
    if r.get("budget") is not None and r.get("clock"):
        key = Cell(
            str(r["task_id"]), str(r["pipeline_id"]), seed, float(r["budget"]), r["clock"]
        ).key
    else:
        key = f"{r['task_id']}|{r['pipeline_id']}|{seed}|imported"
    fields = ("status", "alc", "final_nauc", "final_accuracy", "wall_seconds",
              "compute_seconds", "error", "budget", "clock")  # fmt: skip
    row = {f: r.get(f) for f in fields}
    row.update(cell_key=key, task_id=str(r["task_id"]), pipeline_id=str(r["pipeline_id"]))
    row.update(seed=seed, curve_json=r.get("curve"), status=row["status"] or "ok")
    return row


def _nan_to_none(r: dict[str, Any]) -> dict[str, Any]:
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()}
