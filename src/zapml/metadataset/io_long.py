"""The long table: one row per run, self-contained (task meta-features and pipeline configs
ride along), as CSV or Parquet.

Columns: ``task_id, core_dataset, domain, pipeline_id, architecture, incumbent_of,
pipeline_config`` (JSON), ``seed, budget, clock, status, alc, final_nauc, final_accuracy,
wall_seconds, compute_seconds, curve`` (JSON), ``error``, and one ``mf_<name>`` per meta-feature.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from zapml.errors import ArtifactError
from zapml.metadataset.metadataset import MetaDataset
from zapml.metadataset.store import Store
from zapml.metadataset.tasks import core_of_task_id
from zapml.space.pipeline import Pipeline

MF_PREFIX = "mf_"
_RUN_COLUMNS = [
    "seed", "budget", "clock", "status", "alc", "final_nauc", "final_accuracy",
    "wall_seconds", "compute_seconds", "curve", "error",
]  # fmt: skip


def _task_columns(mds: MetaDataset) -> pd.DataFrame:
    tasks = mds.tasks.copy()
    tasks.columns = [c if c == "core_dataset" else MF_PREFIX + c for c in tasks.columns]
    tasks["domain"] = [mds.domains.get(c) for c in tasks["core_dataset"]]
    return tasks.rename_axis("task_id").reset_index()


def _pipeline_columns(mds: MetaDataset) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pipeline_id": mds.pipeline_ids,
            "architecture": [p.get("architecture") for p in mds.pipelines.values()],
            "incumbent_of": [mds.incumbent_of.get(pid) for pid in mds.pipeline_ids],
            "pipeline_config": [
                json.dumps(p.to_dict(), sort_keys=True) for p in mds.pipelines.values()
            ],
        }
    )


def long_from_store(store: Store) -> pd.DataFrame:
    """Every stored run (failed ones included, with their error)."""
    mds = store.to_metadataset(with_curves=False)
    runs = store.runs().rename(columns={"curve_json": "curve"})
    runs = runs[["task_id", "pipeline_id", *_RUN_COLUMNS]]
    out = runs.merge(_task_columns(mds), on="task_id", how="left")
    return out.merge(_pipeline_columns(mds), on="pipeline_id", how="left")


def long_from_metadataset(mds: MetaDataset) -> pd.DataFrame:
    """One row per filled cell of a ``MetaDataset`` (its mean ALC; no seed)."""
    cells = mds.to_long().dropna(subset=["alc"])
    cells["status"] = "ok"
    out = cells.merge(_task_columns(mds), on="task_id", how="left")
    return out.merge(_pipeline_columns(mds), on="pipeline_id", how="left")


def write_long(frame: pd.DataFrame, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        raise ValueError(f"Long table '{path}' must end in .csv or .parquet.")
    return path


def read_long(path: str | Path) -> MetaDataset:
    """A long table back into a ``MetaDataset`` (mean ALC over the ``ok`` runs of each cell)."""
    path = Path(path)
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    missing = {"task_id", "pipeline_id", "alc"} - set(frame.columns)
    if missing:
        raise ArtifactError(f"Long table '{path}' lacks column(s) {sorted(missing)}.")
    if "pipeline_config" not in frame.columns:
        raise ArtifactError(f"Long table '{path}' lacks 'pipeline_config' (JSON per pipeline).")
    frame["task_id"] = frame["task_id"].astype(str)
    frame["pipeline_id"] = frame["pipeline_id"].astype(str)
    tasks = _read_tasks(frame)
    first = frame.drop_duplicates("pipeline_id")
    pipelines = {
        str(pid): Pipeline(json.loads(cfg))
        for pid, cfg in zip(first["pipeline_id"], first["pipeline_config"], strict=True)
    }
    if "status" in frame.columns:  # failed runs count their partial ALC, 0 without one (AutoDL)
        is_ok = frame["status"] == "ok"
        frame["alc"] = frame["alc"].where(is_ok, frame["alc"].fillna(0.0))
    mds = MetaDataset.from_long(frame, tasks, pipelines, value="alc")
    if "incumbent_of" in first.columns:
        mds.incumbent_of = {
            str(p): str(t) for p, t in zip(first["pipeline_id"], first["incumbent_of"], strict=True)
            if isinstance(t, str)
        }  # fmt: skip
    if "domain" in frame.columns:
        pairs = frame.drop_duplicates("task_id")[["core_dataset", "domain"]].dropna()
        mds.domains = dict(zip(pairs["core_dataset"], pairs["domain"], strict=True))
    return mds


def _read_tasks(frame: pd.DataFrame) -> pd.DataFrame:
    first = frame.drop_duplicates("task_id").set_index("task_id")
    mf_cols = [c for c in first.columns if c.startswith(MF_PREFIX)]
    tasks = first[mf_cols].astype(float)
    tasks.columns = [c[len(MF_PREFIX) :] for c in mf_cols]
    cores = (
        first["core_dataset"].astype(str)
        if "core_dataset" in first.columns
        else pd.Series([core_of_task_id(t) for t in first.index], index=first.index)
    )
    tasks.insert(0, "core_dataset", cores)
    tasks.index = tasks.index.astype(str)
    return tasks
