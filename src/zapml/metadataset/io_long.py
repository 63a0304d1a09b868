"""The long table: one row per run, self-contained (task meta-features and pipeline configs
ride along), as CSV or Parquet.

Columns: ``record.LONG_COLUMNS`` (a ``RunRecord``'s portable fields: ``cell_key, task_id,
pipeline_id, seed, budget, clock, status, alc, ...``, ``curve`` and ``versions`` as JSON), then
``core_dataset, domain, architecture, incumbent_of, pipeline_config`` (JSON) and one
``mf_<name>`` per meta-feature. A table made from a ``MetaDataset`` (no runs) has one row per
filled cell with ``task_id, pipeline_id, alc, status`` only, and ``budget`` when the budgets are
known. Reading a table back gives one matrix per budget (``MetaDataset.from_long``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from zapml.errors import ArtifactError
from zapml.metadataset.checks import checked_pipeline
from zapml.metadataset.metadataset import MetaDataset
from zapml.metadataset.planner import Cell
from zapml.metadataset.record import LONG_COLUMNS, RunRecord, run_values
from zapml.metadataset.store import Store
from zapml.metadataset.tasks import core_of_task_id

MF_PREFIX = "mf_"


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
    runs = pd.DataFrame([r.to_long() for r in store.records()], columns=list(LONG_COLUMNS))
    out = runs.merge(_task_columns(mds), on="task_id", how="left")
    return out.merge(_pipeline_columns(mds), on="pipeline_id", how="left")


def long_from_metadataset(mds: MetaDataset) -> pd.DataFrame:
    """One row per filled cell of a ``MetaDataset`` (its mean ALC; no seed), of every budget
    (``budget`` column) when the budgets are known."""
    cells = mds.to_long(by_budget=bool(mds.budgets)).dropna(subset=["alc"])
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
    """A long table back into a ``MetaDataset`` (mean ``run_value`` of each cell's runs): ALC,
    and the ``final`` objective when the table has a ``final_nauc`` column with values."""
    path = Path(path)
    frame = read_long_frame(path)
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
        str(pid): checked_pipeline(json.loads(cfg), row_name(path, int(i)))
        for i, pid, cfg in zip(first.index, first["pipeline_id"], first["pipeline_config"],
                               strict=True)
    }  # fmt: skip
    statuses = frame["status"] if "status" in frame.columns else [None] * len(frame)
    others = {}
    if "final_nauc" in frame.columns:  # a table exported from a store carries it
        frame["final_value"] = run_values("final", statuses, frame["alc"], frame["final_nauc"])
        others["final"] = "final_value"
    frame["alc"] = run_values("alc", statuses, frame["alc"], [None] * len(frame))
    mds = MetaDataset.from_long(frame, tasks, pipelines, value="alc", others=others)
    if "incumbent_of" in first.columns:
        mds.incumbent_of = {
            str(p): str(t) for p, t in zip(first["pipeline_id"], first["incumbent_of"], strict=True)
            if isinstance(t, str)
        }  # fmt: skip
    if "domain" in frame.columns:
        pairs = frame.drop_duplicates("task_id")[["core_dataset", "domain"]].dropna()
        mds.domains = dict(zip(pairs["core_dataset"], pairs["domain"], strict=True))
    return mds


def read_long_frame(path: Path) -> pd.DataFrame:
    """The raw table; an unreadable file is the user's to fix, not a traceback."""
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path)
    except Exception as err:  # pandas/pyarrow raise many types for a damaged file
        raise ArtifactError(
            f"Long table '{path}' cannot be read ({type(err).__name__}: {err}); export it again "
            "with `zap metadataset export --format csv|parquet`."
        ) from None


def long_records(frame: pd.DataFrame, path: Path) -> list[RunRecord]:
    """The runs of a long table exported from a store (``cell_key`` present), else one run per
    row keyed ``{task}|{pipeline}|{seed}|imported``."""
    rows = frame.to_dict("records")
    out = []
    for i, row in enumerate(rows):
        row = {str(k): v for k, v in row.items()}
        seed = row.get("seed")
        row["seed"] = 0 if seed is None or seed != seed else seed  # NaN != NaN: no seed
        if not isinstance(row.get("cell_key"), str):
            row["cell_key"] = _cell_key(row)
        if not isinstance(row.get("status"), str):
            row["status"] = "ok"
        try:
            out.append(RunRecord.from_long(row))
        except (ValueError, TypeError) as err:
            raise ArtifactError(f"{row_name(path, i)}: {err}") from None
    return out


def row_name(path: Path, i: int) -> str:
    """Where row ``i`` (0-based, data rows) of a long table is, as a user finds it."""
    where = f"line {i + 2}" if path.suffix == ".csv" else f"row {i}"  # CSV: after the header
    return f"Long table '{path}', {where}"


def _cell_key(row: dict[str, Any]) -> str:
    seed = int(row["seed"])
    raw, clock = row.get("budget"), row.get("clock")
    budget = None if raw is None or raw != raw else float(raw)  # NaN != NaN: no budget
    if isinstance(clock, str) and budget is not None:
        return Cell(str(row["task_id"]), str(row["pipeline_id"]), seed, budget, clock).key
    if budget is not None:  # one cell per budget: without it, two budgets' rows share a key
        return f"{row['task_id']}|{row['pipeline_id']}|{seed}|{budget:g}|imported"
    return f"{row['task_id']}|{row['pipeline_id']}|{seed}|imported"


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
