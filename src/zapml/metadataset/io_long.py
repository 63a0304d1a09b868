"""The long table: one row per run, self-contained (task meta-features and pipeline configs
ride along), as CSV or Parquet.

Columns: ``record.LONG_COLUMNS`` (a ``RunRecord``'s portable fields: ``cell_key, task_id,
pipeline_id, seed, budget, clock, status, alc, ...``, ``curve`` and ``versions`` as JSON), then
``core_dataset, domain, architecture, incumbent_of, pipeline_config`` (JSON) and one
``mf_<name>`` per meta-feature. A table made from a ``MetaDataset`` (no runs) has one row per
filled cell with ``task_id, pipeline_id, alc, status`` only, and ``budget`` when the budgets are
known. Reading a table back gives one matrix per budget (``MetaDataset.from_long``).

Generic meta-datasets ride in the same table: a declared measure adds ``VALUE_SPEC_COLUMNS``
(its name, which is also its value column, direction, cutoff and penalty, the same on every row),
arms carry their features in ``pipeline_config`` and their kinds in ``candidate_kinds`` (JSON),
and a meta-dataset with its own folds adds ``fold``. Without ``core_dataset`` the tasks have no
groups (a ZAP-style table of space pipelines still derives the group from its task ids).

``read_long_tables`` / ``write_long_tables`` handle the layout in which fine-tuning histories are
published: a runs table (task, candidate, value), a task-feature table and a candidate-feature
table (CSV or Parquet each), plus ``values.json`` (measure, direction, cutoff, feature kinds)
when written by zapml.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from zapml.errors import ArtifactError
from zapml.metadataset.checks import checked_pipeline
from zapml.metadataset.metadataset import GROUP_COLUMN, MetaDataset
from zapml.metadataset.objectives import MEASURE_FIELDS
from zapml.metadataset.planner import Cell
from zapml.metadataset.record import LONG_COLUMNS, RunRecord, run_values
from zapml.metadataset.store import Store
from zapml.metadataset.tasks import core_of_task_id
from zapml.metadataset.values import ValueSpec
from zapml.space.pipeline import Pipeline

MF_PREFIX = "mf_"
#: A declared measure's spec, one column per ``ValueSpec`` field (the same on every row).
VALUE_SPEC_COLUMNS: dict[str, str] = {
    "name": "measure",
    "direction": "direction",
    "cutoff": "cutoff",
    "penalty": "penalty",
}
KINDS_COLUMN = "candidate_kinds"
FOLD_COLUMN = "fold"
#: A task id zapml or ZAP wrote: ``{seed}-{core}`` with an optional ``@{resolution}``.
ZAP_TASK_ID = re.compile(r"^\d+-[^/\s@]+(@\d+)?$")


def _task_columns(mds: MetaDataset) -> pd.DataFrame:
    tasks = mds.tasks.copy()
    tasks.columns = [c if c == GROUP_COLUMN else MF_PREFIX + c for c in tasks.columns]
    if mds.has_groups:
        tasks["domain"] = [mds.domains.get(c) for c in tasks[GROUP_COLUMN]]
    if mds.folds is not None:
        tasks[FOLD_COLUMN] = mds.folds.to_numpy()
    return tasks.rename_axis("task_id").reset_index()


def _pipeline_columns(mds: MetaDataset) -> pd.DataFrame:
    columns = {
        "pipeline_id": mds.pipeline_ids,
        "architecture": [p.get("architecture") for p in mds.pipelines.values()],
        "incumbent_of": [mds.incumbent_of.get(pid) for pid in mds.pipeline_ids],
        "pipeline_config": [
            json.dumps(p.to_dict(), sort_keys=True) for p in mds.pipelines.values()
        ],
    }
    if mds.has_arms:
        columns[KINDS_COLUMN] = [json.dumps(mds.candidate_kinds)] * len(mds.pipelines)
    return pd.DataFrame(columns)


def long_from_store(store: Store) -> pd.DataFrame:
    """Every stored run (failed ones included, with their error)."""
    mds = store.to_metadataset(with_curves=False)
    runs = pd.DataFrame([r.to_long() for r in store.records()], columns=list(LONG_COLUMNS))
    out = runs.merge(_task_columns(mds), on="task_id", how="left")
    return out.merge(_pipeline_columns(mds), on="pipeline_id", how="left")


def long_from_metadataset(mds: MetaDataset) -> pd.DataFrame:
    """One row per filled cell of a ``MetaDataset`` (its mean raw value; no seed), of every
    budget (``budget`` column) when the budgets are known; a declared measure adds its spec."""
    cells = mds.to_long(by_budget=bool(mds.budgets)).dropna(subset=[mds.value_column])
    cells["status"] = "ok"
    if mds.values.name is not None:
        for key, column in VALUE_SPEC_COLUMNS.items():
            cells[column] = mds.values.to_dict()[key]
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
    and the ``final`` objective and final accuracy when the table has their columns
    (``final_nauc``, ``final_accuracy``) with values; or a
    declared measure (``VALUE_SPEC_COLUMNS``), its raw values as they are."""
    path = Path(path)
    frame = read_long_frame(path)
    spec = _value_spec(frame, path)
    value = spec.name or "alc"
    missing = {"task_id", "pipeline_id", value} - set(frame.columns)
    if missing:
        raise ArtifactError(f"Long table '{path}' lacks column(s) {sorted(missing)}.")
    if "pipeline_config" not in frame.columns:
        raise ArtifactError(f"Long table '{path}' lacks 'pipeline_config' (JSON per pipeline).")
    frame["task_id"] = frame["task_id"].astype(str)
    frame["pipeline_id"] = frame["pipeline_id"].astype(str)
    first = frame.drop_duplicates("pipeline_id")
    pipelines = {
        str(pid): _read_candidate(json.loads(cfg), row_name(path, int(i)))
        for i, pid, cfg in zip(first.index, first["pipeline_id"], first["pipeline_config"],
                               strict=True)
    }  # fmt: skip
    arms = any(p.is_arm for p in pipelines.values())
    tasks = _read_tasks(frame, derive_groups=spec.name is None and not arms)
    others = {}
    if spec.name is None:
        statuses = frame["status"] if "status" in frame.columns else [None] * len(frame)
        for measure, column in MEASURE_FIELDS.items():  # a table exported from a store has them
            if measure != "alc" and column in frame.columns:
                values = run_values(measure, statuses, frame["alc"], frame[column])
                frame[f"{measure}_value"] = values
                others[measure] = f"{measure}_value"
        frame["alc"] = run_values("alc", statuses, frame["alc"], [None] * len(frame))
    kinds = json.loads(first[KINDS_COLUMN].iloc[0]) if KINDS_COLUMN in first.columns else {}
    mds = MetaDataset.from_long(
        frame, tasks, pipelines, value=value, objective=value, others=others, values=spec,
        candidate_kinds=kinds, folds=_read_folds(frame),
    )  # fmt: skip
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


def _read_tasks(frame: pd.DataFrame, derive_groups: bool = True) -> pd.DataFrame:
    """The tasks of a long table; ``derive_groups``: a ZAP-style table without ``core_dataset``
    names its tasks ``{seed}-{core}``, so the group is read from ids of that form (never from
    other ids, such as an instance path ``a/prime-18-18.lp.gz``: those tasks stay ungrouped)."""
    first = frame.drop_duplicates("task_id").set_index("task_id")
    mf_cols = [c for c in first.columns if c.startswith(MF_PREFIX)]
    tasks = first[mf_cols].astype(float)
    tasks.columns = [c[len(MF_PREFIX) :] for c in mf_cols]
    if GROUP_COLUMN in first.columns:
        tasks.insert(0, GROUP_COLUMN, first[GROUP_COLUMN].astype(str))
    elif derive_groups and all(ZAP_TASK_ID.match(str(t)) for t in first.index):
        tasks.insert(0, GROUP_COLUMN, [core_of_task_id(str(t)) for t in first.index])
    tasks.index = tasks.index.astype(str)
    return tasks


def _read_candidate(values: dict[str, Any], where: str) -> Pipeline:
    """An arm as it is; a pipeline checked against the space."""
    candidate = Pipeline(values)
    return candidate if candidate.is_arm else checked_pipeline(values, where)


def _read_folds(frame: pd.DataFrame) -> pd.Series | None:
    if FOLD_COLUMN not in frame.columns:
        return None
    first = frame.drop_duplicates("task_id").set_index("task_id")[FOLD_COLUMN]
    return first.set_axis(first.index.astype(str))


def _value_spec(frame: pd.DataFrame, path: Path) -> ValueSpec:
    """The declared measure of a table (``VALUE_SPEC_COLUMNS``), else zapml's ALC."""
    column = VALUE_SPEC_COLUMNS["name"]
    if column not in frame.columns:
        return ValueSpec()
    row = frame.iloc[0] if len(frame) else {}
    spec = {k: row.get(c) for k, c in VALUE_SPEC_COLUMNS.items() if c in frame.columns}
    spec = {k: v for k, v in spec.items() if v is not None and v == v}  # NaN: not given
    try:
        return ValueSpec.from_dict(spec)
    except ValueError as err:
        raise ArtifactError(f"Long table '{path}': {err}") from None


# ---------------------------------------------------------------------- published layout
#: File names ``write_long_tables`` writes (``read_long_tables`` reads a folder of them).
RUNS_FILE, TASKS_FILE, CANDIDATES_FILE, VALUES_FILE = "runs", "tasks", "candidates", "values.json"
#: Column names of the three tables as zapml writes them.
TASK, CANDIDATE, VALUE = "task", "candidate", "value"


def write_long_tables(mds: MetaDataset, folder: str | Path, fmt: str = "csv") -> Path:
    """``mds`` as a runs table (task, candidate, raw value; ``budget`` when known), a
    task-feature table (``core_dataset`` and ``fold`` when the meta-dataset has them) and, for
    arms, a candidate-feature table, plus ``values.json`` (measure, direction, cutoff, kinds)."""
    folder = Path(folder)
    long = mds.to_long(by_budget=bool(mds.budgets)).dropna(subset=[mds.value_column])
    runs = long.rename(columns={"task_id": TASK, "pipeline_id": CANDIDATE, mds.value_column: VALUE})
    tasks = mds.tasks.copy()
    if mds.folds is not None:
        tasks[FOLD_COLUMN] = mds.folds.to_numpy()
    write_long(runs, folder / f"{RUNS_FILE}.{fmt}")
    write_long(tasks.rename_axis(TASK).reset_index(), folder / f"{TASKS_FILE}.{fmt}")
    if mds.has_arms:
        write_long(mds.candidate_features().rename_axis(CANDIDATE).reset_index(),
                   folder / f"{CANDIDATES_FILE}.{fmt}")  # fmt: skip
    meta = {"objective": mds.objective, **mds.values.to_dict(), KINDS_COLUMN: mds.candidate_kinds}
    (folder / VALUES_FILE).write_text(json.dumps(meta, indent=2) + "\n")
    return folder


def read_long_folder(folder: str | Path) -> MetaDataset:
    """A folder written by ``write_long_tables`` (or laid out the same way by hand)."""
    folder = Path(folder)
    found = {name: _one_table(folder, name) for name in (RUNS_FILE, TASKS_FILE, CANDIDATES_FILE)}
    if found[RUNS_FILE] is None:
        raise ArtifactError(f"'{folder}' has no {RUNS_FILE}.csv or {RUNS_FILE}.parquet.")
    meta_path = folder / VALUES_FILE
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    kinds = meta.pop(KINDS_COLUMN, None)
    objective = meta.pop("objective", None)
    spec = ValueSpec.from_dict({**meta, "name": meta.get("name") or objective or VALUE})
    return read_long_tables(
        found[RUNS_FILE], found[TASKS_FILE], found[CANDIDATES_FILE], values=spec, kinds=kinds
    )


def _one_table(folder: Path, name: str) -> Path | None:
    paths = [
        folder / f"{name}.{s}" for s in ("csv", "parquet") if (folder / f"{name}.{s}").is_file()
    ]
    return paths[0] if paths else None


def read_long_tables(
    runs: str | Path | pd.DataFrame,
    task_features: str | Path | pd.DataFrame | None = None,
    candidate_features: str | Path | pd.DataFrame | None = None,
    *,
    values: ValueSpec | None = None,
    kinds: dict[str, str] | None = None,
    task: str = TASK,
    candidate: str = CANDIDATE,
    value: str = VALUE,
) -> MetaDataset:
    """A meta-dataset of arms from the published layout: ``runs`` has one row per run (columns
    ``task``, ``candidate``, ``value``; ``budget`` optional; repeats are averaged); the
    task-feature table one row per task (``task``, numeric meta-features, optional
    ``core_dataset`` group and ``fold``); the candidate-feature table one row per candidate
    (``candidate`` and its features; their ``kinds`` default to numeric for number columns,
    categorical for the rest). ``values`` declares the measure (default: 'value', maximised)."""
    spec = values if values is not None else ValueSpec(name=VALUE)
    spec = spec if spec.name is not None else ValueSpec(**{**spec.to_dict(), "name": VALUE})
    run_frame = _table(runs, "runs", [task, candidate, value])
    run_frame = run_frame.rename(columns={task: "task_id", candidate: "pipeline_id"})
    run_frame = run_frame.astype({"task_id": str, "pipeline_id": str})
    tasks = _feature_tasks(run_frame, task_features, task)
    pipelines, declared = _feature_arms(run_frame, candidate_features, candidate, kinds)
    folds = tasks.pop(FOLD_COLUMN) if FOLD_COLUMN in tasks.columns else None
    return MetaDataset.from_long(
        run_frame.rename(columns={value: spec.name}), tasks, pipelines, value=str(spec.name),
        objective=str(spec.name), values=spec, candidate_kinds=declared, folds=folds,
    )  # fmt: skip


def _table(source: str | Path | pd.DataFrame, what: str, needed: list[str]) -> pd.DataFrame:
    frame = source.copy() if isinstance(source, pd.DataFrame) else read_long_frame(Path(source))
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ArtifactError(
            f"The {what} table lacks column(s) {missing} (it has {list(frame.columns)}); rename "
            "them, or say which columns to read (task=, candidate=, value=)."
        )
    return frame


def _feature_tasks(
    runs: pd.DataFrame, source: str | Path | pd.DataFrame | None, task: str
) -> pd.DataFrame:
    """One row per task (the feature table's, then any task only the runs name), its numeric
    meta-features as floats; ``core_dataset`` and ``fold`` kept as they are."""
    ids = list(dict.fromkeys(runs["task_id"]))
    if source is None:
        return pd.DataFrame(index=pd.Index(ids, name=None))
    frame = _table(source, "task-feature", [task]).astype({task: str}).set_index(task)
    twice = sorted(set(frame.index[frame.index.duplicated()]))
    if twice:
        raise ArtifactError(f"The task-feature table lists task(s) {twice[:3]} twice; keep one.")
    order = list(frame.index) + [t for t in ids if t not in set(frame.index)]
    frame = frame.reindex(order)
    kept = [c for c in (GROUP_COLUMN, FOLD_COLUMN) if c in frame.columns]
    features = frame.drop(columns=kept)
    text = [c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
    if text:
        raise ArtifactError(
            f"Task feature(s) {text} are not numbers; selectors read numeric meta-features. "
            "Encode them as numbers, or drop them from the task-feature table."
        )
    out = features.astype(float)
    for c in kept:
        out.insert(0, c, frame[c].astype(str) if c == GROUP_COLUMN else frame[c])
    out.index = out.index.rename(None)
    return out


def _feature_arms(
    runs: pd.DataFrame,
    source: str | Path | pd.DataFrame | None,
    candidate: str,
    kinds: dict[str, str] | None,
) -> tuple[dict[str, Pipeline], dict[str, str]]:
    """Each candidate as an arm with its features, and the features' kinds."""
    ids = list(dict.fromkeys(runs["pipeline_id"]))
    if source is None:
        return {c: Pipeline.arm(c) for c in ids}, {}
    frame = _table(source, "candidate-feature", [candidate]).astype({candidate: str})
    frame = frame.drop_duplicates(candidate).set_index(candidate)
    declared = dict(kinds) if kinds is not None else {
        c: "numeric" if pd.api.types.is_numeric_dtype(frame[c]) else "categorical"
        for c in frame.columns
    }  # fmt: skip
    order = list(frame.index) + [c for c in ids if c not in set(frame.index)]
    rows = frame.reindex(order)
    arms = {}
    for cid, row in rows.iterrows():
        features = {k: _feature_value(row[k], declared.get(k)) for k in declared if k in row}
        arms[str(cid)] = Pipeline.arm(str(cid), features)
    return arms, declared


def _feature_value(value: Any, kind: str | None) -> Any:
    if value is None or (isinstance(value, float) and value != value):  # NaN: unknown
        return None
    if kind != "numeric":
        return str(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ArtifactError(
            f"Candidate feature value {value!r} is declared numeric but is not a number; "
            "declare that feature 'categorical' (kinds=) or fix the value."
        ) from None
