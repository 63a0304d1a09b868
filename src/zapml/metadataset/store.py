"""The SQLite store of a meta-dataset build: tasks, pipelines, runs, builds.

Only the build driver writes, one transaction per result, in WAL mode: a driver killed at any
moment loses at most the runs in flight, and a restart skips every stored cell (``cell_key`` is
unique, so a result can never be stored twice).
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from zapml.errors import ArtifactError, ZapError
from zapml.metadataset.cell import CellFn, CellJob, recorded_clock_version, recorded_layout
from zapml.metadataset.metadataset import MetaDataset
from zapml.metadataset.objectives import MEASURES
from zapml.metadataset.record import SQL_COLUMNS, RunRecord
from zapml.metadataset.tasks import TaskSpec
from zapml.space.pipeline import Pipeline

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS builds (
    build_id INTEGER PRIMARY KEY AUTOINCREMENT,
    spec_hash TEXT NOT NULL,
    spec_json TEXT NOT NULL,
    name TEXT,
    forced INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tasks (
    task_id TEXT PRIMARY KEY,
    core_dataset TEXT NOT NULL,
    domain TEXT,
    spec_json TEXT,
    metafeatures_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pipelines (
    pipeline_id TEXT PRIMARY KEY,
    architecture TEXT NOT NULL,
    config_json TEXT NOT NULL,
    source TEXT NOT NULL,
    incumbent_of TEXT,
    position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    cell_key TEXT NOT NULL UNIQUE,
    task_id TEXT NOT NULL REFERENCES tasks(task_id),
    pipeline_id TEXT NOT NULL REFERENCES pipelines(pipeline_id),
    seed INTEGER NOT NULL,
    budget REAL,
    clock TEXT,
    status TEXT NOT NULL,
    alc REAL,
    final_nauc REAL,
    final_accuracy REAL,
    wall_seconds REAL,
    compute_seconds REAL,
    curve_json TEXT,
    error TEXT,
    versions_json TEXT,
    worker TEXT,
    build_id INTEGER,
    started_at REAL,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS runs_task_pipeline ON runs (task_id, pipeline_id);
"""

# Created by the first write of a probe feature (``add_task_features``), not with the schema:
# a store nobody probed stays byte-for-byte what the build wrote, and old stores read as before.
_FEATURES_SCHEMA = """
CREATE TABLE IF NOT EXISTS task_features (
    task_id TEXT NOT NULL REFERENCES tasks(task_id),
    name TEXT NOT NULL,
    value REAL,
    seconds REAL NOT NULL,
    computed_at REAL NOT NULL,
    PRIMARY KEY (task_id, name)
)
"""


class SpecMismatchError(ZapError):
    """The store was built from another spec; resuming would mix two meta-datasets."""


class Store:
    """A meta-dataset database file. ``Store(path)`` opens it for writing and creates it when
    missing; ``Store(path, create=False)`` opens an existing store read-only (a read-only file
    or folder, such as an installed package's, is fine). Prefer ``open_store``, which turns
    SQLite's errors into an ``ArtifactError`` naming the file and the fix."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        self.readonly = not create
        if self.readonly:
            if not self.path.is_file():
                raise ArtifactError(f"Meta-dataset store '{self.path}' does not exist.")
            self._con = _connect_readonly(self.path)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = _connect_writable(self.path)
        self._check_schema()

    def _check_schema(self) -> None:
        if self.readonly and not _has_table(self._con, "runs"):
            raise ArtifactError(
                f"'{self.path}' is an SQLite file but not a zapml meta-dataset store (no runs "
                "table). Pass a store written by `zap metadataset build` or `import`."
            )
        row = self._con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None and not self.readonly:
            with self.transaction() as con:
                con.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
        elif row is not None and int(row[0]) != SCHEMA_VERSION:
            raise ArtifactError(
                f"Store '{self.path}' has schema version {row[0]}; this zapml reads "
                f"{SCHEMA_VERSION}. Rebuild it or use the zapml version that wrote it."
            )

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. Inside another one it joins it (the outer one commits or rolls
        back), so several ``add_*`` calls can be made one atomic write."""
        if self._con.in_transaction:
            yield self._con
            return
        self._con.execute("BEGIN IMMEDIATE")
        try:
            yield self._con
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")

    # builds ------------------------------------------------------------------------------
    def begin_build(self, spec_hash: str, spec: dict[str, Any], *, force: bool = False) -> int:
        """Resume the build of ``spec_hash`` or start the first one; refuse a different spec."""
        rows = self._con.execute(
            "SELECT build_id, spec_hash FROM builds ORDER BY build_id DESC"
        ).fetchall()
        if rows and rows[0][1] == spec_hash:
            return int(rows[0][0])
        if rows and not force:
            raise SpecMismatchError(
                f"Store '{self.path}' holds a build of another spec (hash {rows[0][1]}, this spec "
                f"{spec_hash}). Use a new database (--db) or pass --force to add this spec's "
                "runs to it (stored cells with the same task, pipeline, seed, budget and clock "
                "are kept)."
            )
        with self.transaction() as con:
            cur = con.execute(
                "INSERT INTO builds (spec_hash, spec_json, name, forced, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    spec_hash,
                    json.dumps(spec, default=str),
                    spec.get("name"),
                    int(force),
                    time.time(),
                ),
            )
        return int(cur.lastrowid or 0)

    def builds(self) -> pd.DataFrame:
        return pd.read_sql_query("SELECT * FROM builds ORDER BY build_id", self._con)

    # tasks and pipelines -----------------------------------------------------------------
    def add_task(
        self, task_id: str, core: str, metafeatures: dict[str, float], *,
        domain: str | None = None, spec: TaskSpec | None = None,
    ) -> None:  # fmt: skip
        with self.transaction() as con:
            con.execute(
                "INSERT OR IGNORE INTO tasks VALUES (?, ?, ?, ?, ?)",
                (
                    task_id,
                    core,
                    domain,
                    json.dumps(spec.to_dict()) if spec else None,
                    json.dumps(metafeatures),
                ),
            )

    def task_ids(self) -> list[str]:
        return [r[0] for r in self._con.execute("SELECT task_id FROM tasks ORDER BY rowid")]

    def add_pipeline(
        self, pipeline: Pipeline, source: str, incumbent_of: str | None = None, *,
        pipeline_id: str | None = None,
    ) -> None:  # fmt: skip
        with self.transaction() as con:
            pos = con.execute("SELECT COUNT(*) FROM pipelines").fetchone()[0]
            con.execute(
                "INSERT OR IGNORE INTO pipelines VALUES (?, ?, ?, ?, ?, ?)",
                (
                    pipeline_id or pipeline.id,
                    pipeline.get("architecture", "unknown"),
                    json.dumps(pipeline.to_dict(), sort_keys=True),
                    source,
                    incumbent_of,
                    pos,
                ),
            )

    def pipelines(self) -> dict[str, Pipeline]:
        rows = self._con.execute("SELECT pipeline_id, config_json FROM pipelines ORDER BY position")
        return {pid: Pipeline(json.loads(cfg)) for pid, cfg in rows}

    def incumbents(self) -> dict[str, str]:
        """pipeline id -> the task it is the incumbent of."""
        rows = self._con.execute(
            "SELECT pipeline_id, incumbent_of FROM pipelines WHERE incumbent_of IS NOT NULL"
        )
        return {pid: task for pid, task in rows}

    def pipeline_sources(self) -> dict[str, str]:
        return dict(self._con.execute("SELECT pipeline_id, source FROM pipelines").fetchall())

    # runs --------------------------------------------------------------------------------
    def done_keys(self, *, include_failed: bool = True) -> set[str]:
        sql = "SELECT cell_key FROM runs"
        if not include_failed:
            sql += " WHERE status = 'ok'"
        return {r[0] for r in self._con.execute(sql)}

    def add_run(self, record: RunRecord) -> None:
        """Store one result in its own transaction; a retried cell replaces its earlier row."""
        cols = ", ".join(SQL_COLUMNS)
        marks = ", ".join("?" for _ in SQL_COLUMNS)
        updates = ", ".join(f"{c}=excluded.{c}" for c in SQL_COLUMNS if c != "cell_key")
        with self.transaction() as con:
            con.execute(
                f"INSERT INTO runs ({cols}) VALUES ({marks}) "
                f"ON CONFLICT(cell_key) DO UPDATE SET {updates}",
                record.to_sql(),
            )

    def records(self) -> list[RunRecord]:
        """Every stored run, in the order stored."""
        cur = self._con.execute(f"SELECT {', '.join(SQL_COLUMNS)} FROM runs ORDER BY run_id")
        return [RunRecord.from_sql(dict(zip(SQL_COLUMNS, row, strict=True))) for row in cur]

    def task_specs(self) -> dict[str, TaskSpec]:
        """task id -> the ``TaskSpec`` it was built from (tasks imported without one left out)."""
        rows = self._con.execute("SELECT task_id, spec_json FROM tasks WHERE spec_json IS NOT NULL")
        return {tid: TaskSpec.from_dict(json.loads(spec)) for tid, spec in rows}

    def cell_job(self, record: RunRecord, cell_fn: CellFn | None = None) -> CellJob:
        """The job that re-runs a stored run: ``cell.evaluate_cell(store.cell_job(r))`` returns
        a new ``RunRecord`` to compare with ``r`` (``.curve``, ``.alc``)."""
        specs = self.task_specs()
        if record.task_id not in specs or record.budget is None or record.clock is None:
            raise ArtifactError(
                f"Run '{record.cell_key}' of '{self.path}' was imported, not built here: it "
                "has no task spec, budget or clock to re-run it with."
            )
        return CellJob(
            key=record.cell_key, task=specs[record.task_id],
            pipeline=self.pipelines()[record.pipeline_id].to_dict(), seed=record.seed,
            budget=record.budget, clock=record.clock, cell_fn=cell_fn,
            pipeline_id=record.pipeline_id, clock_version=recorded_clock_version(record),
            layout=recorded_layout(record),
        )  # fmt: skip

    def runs(self) -> pd.DataFrame:
        return pd.read_sql_query("SELECT * FROM runs ORDER BY run_id", self._con)

    def counts(self) -> dict[str, int]:
        row = self._con.execute(
            "SELECT COUNT(*), SUM(status = 'ok'), SUM(status != 'ok') FROM runs"
        ).fetchone()
        return {"runs": int(row[0]), "ok": int(row[1] or 0), "failed": int(row[2] or 0)}

    # computed task features (probe meta-features) --------------------------------------------
    def add_task_features(
        self, task_id: str, values: dict[str, float], seconds: dict[str, float],
        meta: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        """Store one task's new features in one transaction (a crash loses at most this task).
        ``seconds[name]`` is the counted compute of the work that gave ``name`` (names computed
        together share it); ``meta`` entries go to the ``meta`` table in the same transaction.
        Storing a name again replaces it."""
        now = time.time()
        rows = [(task_id, n, _nan_to_none(v), seconds[n], now) for n, v in values.items()]
        with self.transaction() as con:
            con.execute(_FEATURES_SCHEMA)
            con.executemany(
                "INSERT INTO task_features VALUES (?, ?, ?, ?, ?) ON CONFLICT(task_id, name) "
                "DO UPDATE SET value=excluded.value, seconds=excluded.seconds, "
                "computed_at=excluded.computed_at",
                rows,
            )
            con.executemany(
                "INSERT INTO meta VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                list((meta or {}).items()),
            )

    def drop_task_features(self, meta_keys: tuple[str, ...] = ()) -> int:
        """Delete every stored task feature and the ``meta`` entries ``meta_keys`` in one
        transaction (to recompute them under new settings); returns the rows deleted."""
        if not _has_table(self._con, "task_features"):
            return 0
        with self.transaction() as con:
            deleted = con.execute("DELETE FROM task_features").rowcount
            con.executemany("DELETE FROM meta WHERE key=?", [(k,) for k in meta_keys])
        return int(deleted)

    def meta_value(self, key: str) -> str | None:
        row = self._con.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def task_feature_names(self) -> dict[str, set[str]]:
        """task id -> the names of its stored features (empty for a store never probed)."""
        if not _has_table(self._con, "task_features"):
            return {}
        names: dict[str, set[str]] = {}
        for task_id, name in self._con.execute("SELECT task_id, name FROM task_features"):
            names.setdefault(task_id, set()).add(name)
        return names

    def task_features_frame(self, column: Literal["value", "seconds"] = "value") -> pd.DataFrame:
        """One row per task with stored features, one column per name (sorted), NaN where a
        task lacks one; an empty frame for a store never probed. ``column="seconds"`` gives each
        value's counted compute seconds instead of the value."""
        if column not in ("value", "seconds"):  # it is spliced into the SQL
            raise ValueError(f"column must be 'value' or 'seconds'; got {column!r}.")
        if not _has_table(self._con, "task_features"):
            return pd.DataFrame(index=pd.Index([], name="task_id"))
        long = pd.read_sql_query(f"SELECT task_id, name, {column} FROM task_features", self._con)
        wide = long.pivot(index="task_id", columns="name", values=column).astype(float)
        wide.columns.name = None
        return wide.sort_index(axis=1)

    def tasks_frame(self) -> pd.DataFrame:
        rows = self._con.execute(
            "SELECT task_id, core_dataset, domain, metafeatures_json FROM tasks ORDER BY rowid"
        ).fetchall()
        records = [
            {"task_id": t, "core_dataset": c, "domain": d, **json.loads(mf)} for t, c, d, mf in rows
        ]
        frame = pd.DataFrame.from_records(records, columns=["task_id", "core_dataset", "domain"])
        if records:
            frame = pd.DataFrame.from_records(records)
        return frame.set_index("task_id")

    def to_metadataset(self, *, with_curves: bool = True, failed: str = "zero") -> MetaDataset:
        """Mean ALC over the repeats of each cell, one matrix per budget (``mds.budgets``,
        ``mds.at_budget(b)``; ``mds.perf`` is the smallest budget's), and the same for the
        ``final`` objective (``mds.for_objective("final")``: mean final test NAUC) and final
        accuracy (``for_objective("accuracy")``, a training target) when any run has them.

        ``failed="zero"`` (default) scores a failed run by ``record.run_score`` (its partial ALC
        or last NAUC, 0 without one; see ``record.run_value``). ``failed="nan"`` leaves cells with
        only failed runs empty (use it when failures are infrastructure problems).
        """
        if failed not in ("zero", "nan"):
            raise ValueError(f"The 'failed' parameter must be 'zero' or 'nan'. Got {failed!r}.")
        tasks = self.tasks_frame()
        domains = tasks.pop("domain")
        # computed features join as extra meta-feature columns (NaN where a task lacks one)
        tasks = tasks.join(self.task_features_frame(), how="left")
        records = self.records()
        used = [r for r in records if failed == "zero" or r.ok]
        scores = pd.DataFrame(
            {
                "task_id": [r.task_id for r in used],
                "pipeline_id": [r.pipeline_id for r in used],
                "budget": [math.nan if r.budget is None else r.budget for r in used],
                **{o: [_nan_if_none(r.value(o)) for r in used] for o in MEASURES},
            }
        )
        others = {o: o for o in MEASURES if o != "alc"}
        mds = MetaDataset.from_long(scores, tasks, self.pipelines(), value="alc", others=others)
        mds.incumbent_of = self.incumbents()
        mds.domains = {
            str(core): str(dom)
            for core, dom in zip(tasks["core_dataset"], domains, strict=True)
            if dom is not None
        }
        if with_curves and mds.budgets:
            mds.budget_curves = budget_curves(records, mds.budgets)
            mds.curves = mds.budget_curves[mds.budgets[0]]
        elif with_curves:  # only runs imported without a budget
            mds.curves = first_seed_curves(records)
        return mds


def _nan_if_none(value: float | None) -> float:
    return math.nan if value is None else value


def _nan_to_none(value: float) -> float | None:
    """SQLite has no NaN (it would store NULL anyway); None says so explicitly."""
    return None if math.isnan(value) else float(value)


def _connect_writable(path: Path) -> sqlite3.Connection:
    # isolation_level=None: we open transactions ourselves, exactly one per write
    con = sqlite3.connect(path, isolation_level=None, timeout=30.0)
    con.execute("PRAGMA journal_mode=WAL")
    # NORMAL is durable against a killed process (only an OS crash could lose the last commit)
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA foreign_keys=ON")
    con.executescript(_SCHEMA)
    return con


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """Read without writing anything (no schema script, no journal-mode switch). A WAL store in
    a folder we cannot write needs ``immutable``: SQLite cannot create its ``-shm`` file there."""
    uri = path.resolve().as_uri()
    con = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=30.0)
    try:
        con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        con.close()
        if os.access(path.parent, os.W_OK):
            raise
        con = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
    return con


def _has_table(con: sqlite3.Connection, name: str) -> bool:
    sql = "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?"
    return con.execute(sql, (name,)).fetchone() is not None


@contextmanager
def open_store(path: str | Path, *, create: bool = True) -> Iterator[Store]:
    """``Store(path, create=create)`` for a ``with`` block; any SQLite or file-system error,
    at opening or inside the block, becomes one ``ArtifactError`` naming the file and the fix."""
    path = Path(path)
    try:
        with Store(path, create=create) as store:
            yield store
    except sqlite3.DatabaseError as err:
        raise ArtifactError(_store_problem(path, err, create)) from None
    except PermissionError as err:
        raise ArtifactError(_store_problem(path, err, create)) from None


def _store_problem(path: Path, err: BaseException, create: bool) -> str:
    text = str(err)
    if isinstance(err, PermissionError) or "readonly" in text or "unable to open" in text:
        return (
            f"Meta-dataset store '{path}' cannot be {'written' if create else 'opened'} "
            f"({text}): make the file and its folder writable (chmod u+w), or pass another "
            "--db."
        )
    return (
        f"Meta-dataset store '{path}' is damaged or not an SQLite file ({text}). Restore it "
        "from a copy or rebuild it with `zap metadataset build`; a store a build was writing "
        "when killed is never damaged, so this file was cut short or overwritten."
    )


def first_seed_curves(records: list[RunRecord]) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """The curve of the lowest-seed ok run of each cell: curves illustrate, the ALC mean is the
    value."""
    curves: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for r in sorted((r for r in records if r.ok), key=lambda r: r.seed):
        curves.setdefault((r.task_id, r.pipeline_id), list(r.curve))
    return curves


def budget_curves(
    records: list[RunRecord], budgets: tuple[float, ...]
) -> dict[float, dict[tuple[str, str], list[tuple[float, float]]]]:
    """``first_seed_curves`` per budget; with one budget, every record is that budget's (as its
    matrix holds every run; see ``metadataset.row_budgets``)."""
    if len(budgets) == 1:
        return {budgets[0]: first_seed_curves(records)}
    return {b: first_seed_curves([r for r in records if r.budget == b]) for b in budgets}
