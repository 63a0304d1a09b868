"""``load_metadataset`` for every format, and the ``export`` / ``import_`` commands.

Formats: an SQLite store (``.sqlite``/``.db``), a ZAP folder (``perf_matrix.csv`` inside), a long
table (``.csv`` / ``.parquet``), an ASlib scenario folder (``description.txt`` and
``algorithm_runs.arff`` inside), a folder of published long tables (``runs.csv|parquet`` inside,
see ``io_long.read_long_tables``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from zapml.errors import ArtifactError
from zapml.metadataset.checks import checked_pipeline
from zapml.metadataset.io_aslib import is_aslib_folder, read_aslib
from zapml.metadataset.io_long import (
    RUNS_FILE,
    long_from_metadataset,
    long_from_store,
    long_records,
    read_long,
    read_long_folder,
    read_long_frame,
    write_long,
)
from zapml.metadataset.io_zap import export_zap, import_zap
from zapml.metadataset.metadataset import MetaDataset
from zapml.metadataset.record import RunRecord
from zapml.metadataset.store import Store, open_store

STORE_SUFFIXES = (".sqlite", ".db", ".sqlite3")
EXPORT_FORMATS = ("zap", "csv", "parquet")
#: cell-key suffix of a run imported without seed, budget and clock (a ZAP folder's cell mean)
IMPORTED_SUFFIX = "|imported"


def load_metadataset(path: str | Path) -> MetaDataset:
    """Load a meta-dataset from a store, a ZAP folder, a long CSV/Parquet table, an ASlib
    scenario folder or a folder of published long tables."""
    path = Path(path)
    if path.is_dir():
        if is_aslib_folder(path):
            return read_aslib(path)
        if any((path / f"{RUNS_FILE}.{s}").is_file() for s in ("csv", "parquet")):
            return read_long_folder(path)
        return import_zap(path)
    if not path.is_file():
        raise ArtifactError(f"Meta-dataset '{path}' does not exist.")
    if path.suffix in STORE_SUFFIXES:
        with open_store(path, create=False) as store:
            return store.to_metadataset()
    if path.suffix in (".csv", ".parquet"):
        return read_long(path)
    raise ArtifactError(
        f"Cannot tell the format of '{path}': use a {'/'.join(STORE_SUFFIXES)} store, a ZAP "
        "folder, a .csv/.parquet long table, an ASlib scenario folder or a folder of long "
        f"tables ({RUNS_FILE}.csv with tasks.csv / candidates.csv)."
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
        with open_store(src, create=False) as store:
            frame = long_from_store(store)
    else:
        frame = long_from_metadataset(load_metadataset(src))
    return write_long(frame, out)


def import_(src: str | Path, db: str | Path) -> dict[str, int]:
    """Copy a meta-dataset (ZAP folder, long table, or another store) into a store.

    Every pipeline is checked against the search space first (nothing is written when one is
    outside it). Runs already in the store are skipped: a run with the same cell key, or, for a
    source without runs (a ZAP folder: one mean per cell, keyed ``...|imported``), any run of
    the same task, pipeline and budget (a mean or run without a budget matches every budget).
    Importing twice adds nothing."""
    src = Path(src)
    mds = load_metadataset(src)
    for pid, pipeline in mds.pipelines.items():  # ZAP and long tables are checked on load
        checked_pipeline(pipeline, f"'{src}', pipeline {pid}")
    records = source_records(src, mds)
    with open_store(db) as store:
        fresh = new_records(store, records)
        for tid in mds.task_ids:
            core = str(mds.tasks.loc[tid, "core_dataset"])
            mf = {k: float(v) for k, v in mds.tasks.loc[tid].drop("core_dataset").items()}
            store.add_task(tid, core, mf, domain=mds.domains.get(core))
        for pid, pipeline in mds.pipelines.items():
            store.add_pipeline(pipeline, "imported", mds.incumbent_of.get(pid), pipeline_id=pid)
        for record in fresh:
            store.add_run(record)
    return {
        "tasks": len(mds.tasks),
        "pipelines": len(mds.pipelines),
        "runs_added": len(fresh),
        "runs_skipped": len(records) - len(fresh),
    }


def new_records(store: Store, records: list[RunRecord]) -> list[RunRecord]:
    """The records whose run the store does not hold yet (see ``import_``)."""
    seen = _SeenRuns()
    for r in store.records():
        seen.add(r)
    return [r for r in records if seen.add(r)]


class _SeenRuns:
    """Runs by cell key, and which cells hold any run or an imported mean (which stands for
    all the cell's runs: adding runs to it, or it to runs, would count the cell twice). A cell
    is (task, pipeline, budget); an unknown budget (None) matches any budget."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.cells: dict[tuple[str, str], set[float | None]] = {}
        self.means: dict[tuple[str, str], set[float | None]] = {}

    @staticmethod
    def _match(budgets: set[float | None], budget: float | None) -> bool:
        return bool(budgets) and (budget is None or None in budgets or budget in budgets)

    def holds(self, r: RunRecord) -> bool:
        cell = (r.task_id, r.pipeline_id)
        is_mean = r.cell_key.endswith(IMPORTED_SUFFIX)
        return (
            r.cell_key in self.keys
            or self._match(self.means.get(cell, set()), r.budget)
            or (is_mean and self._match(self.cells.get(cell, set()), r.budget))
        )

    def add(self, r: RunRecord) -> bool:
        """Record ``r``; False when it was already held (a duplicate within the source)."""
        if self.holds(r):
            return False
        self.keys.add(r.cell_key)
        cell = (r.task_id, r.pipeline_id)
        self.cells.setdefault(cell, set()).add(r.budget)
        if r.cell_key.endswith(IMPORTED_SUFFIX):
            self.means.setdefault(cell, set()).add(r.budget)
        return True


def source_records(src: Path, mds: MetaDataset) -> list[RunRecord]:
    """The runs of a source: a store's own records, a long table's rows, a ZAP folder's means."""
    if src.suffix in STORE_SUFFIXES:
        with open_store(src, create=False) as store:
            return [replace(r, build_id=None) for r in store.records()]
    if src.is_file():  # long table: keep repeats and failures
        return long_records(read_long_frame(src), src)
    return [
        mean_record(t, p, None if b != b else float(b), float(v))  # NaN != NaN: no budget
        for t, p, b, v in mds.to_long(by_budget=True).dropna(subset=["alc"]).itertuples(index=False)
    ]


def mean_record(task_id: str, pipeline_id: str, budget: float | None, alc: float) -> RunRecord:
    """A ZAP folder's cell mean as a run: keyed ``{task}|{pipeline}|imported``, or with a budget
    ``{task}|{pipeline}|mean|{budget}|imported`` (a cell key with the seed a mean has not)."""
    where = f"{task_id}|{pipeline_id}" + ("" if budget is None else f"|mean|{budget:g}")
    return RunRecord(cell_key=f"{where}{IMPORTED_SUFFIX}", task_id=task_id,
                     pipeline_id=pipeline_id, seed=0, budget=budget, clock="imported",
                     status="ok", alc=alc)  # fmt: skip
