"""``RunRecord`` is the one definition of a run: the cell makes it, the store writes it, the
long table and the importers carry it, field by field."""

import dataclasses
import sqlite3

import numpy as np
import pandas as pd
import pytest

from zapml.metadataset import build, export, import_, load_metadataset
from zapml.metadataset.cell import evaluate_cell
from zapml.metadataset.record import LONG_COLUMNS, SQL_COLUMNS, RunRecord, run_score
from zapml.metadataset.store import _SCHEMA, Store
from zapml.metadataset.testing import flaky_fit


@pytest.fixture
def db(write_spec, tmp_path):
    # random n=6 seed=1: 3 of the 6 pipelines have lr > 0.01, so flaky_fit fails them
    spec = write_spec(candidates=[{"source": "random", "n": 6, "seed": 1}], repeats=2)
    path = tmp_path / "m.sqlite"
    build(spec, path, workers=0, progress=False, cell_fn=flaky_fit)
    return path


def _records(path):
    with Store(path, create=False) as store:
        return sorted(store.records(), key=lambda r: r.cell_key)


def test_the_runs_table_is_the_record():
    con = sqlite3.connect(":memory:")
    con.executescript(_SCHEMA)  # the schema every store is created with
    columns = [row[1] for row in con.execute("PRAGMA table_info(runs)")]
    assert columns == ["run_id", *SQL_COLUMNS]
    # the curve is named "curve" everywhere; only its SQL column says it is JSON text
    assert "curve_json" in SQL_COLUMNS and "curve" in LONG_COLUMNS
    assert [f.name for f in dataclasses.fields(RunRecord) if f.name != "build_id"] == list(
        LONG_COLUMNS
    )


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_records_round_trip_through_the_long_table_field_by_field(db, tmp_path, fmt):
    before = _records(db)
    assert len(before) == 4 * 6 * 2
    assert sum(not r.ok for r in before) == 4 * 3 * 2
    assert all(len(r.curve) == 3 for r in before if r.ok)
    assert all(r.versions and "numpy" in r.versions for r in before)
    long = export(db, tmp_path / "long", fmt)
    frame = pd.read_parquet(long) if fmt == "parquet" else pd.read_csv(long)
    assert list(frame.columns[: len(LONG_COLUMNS)]) == list(LONG_COLUMNS)
    target = tmp_path / "back.sqlite"
    assert import_(long, target)["runs_added"] == len(before)
    after = _records(target)
    for old, new in zip(before, after, strict=True):
        for f in dataclasses.fields(RunRecord):
            want = None if f.name == "build_id" else getattr(old, f.name)  # store-local
            assert getattr(new, f.name) == want, (old.cell_key, f.name)


def test_the_metadataset_survives_long_zap_and_import(db, tmp_path):
    mds = load_metadataset(db)
    long = export(db, tmp_path / "long.parquet", "parquet")
    zap = export(long, tmp_path / "zap", "zap")
    target = tmp_path / "z.sqlite"
    counts = import_(zap, target)
    assert counts["runs_added"] == mds.num_runs_filled == 24
    back = load_metadataset(target)
    got = back.perf.reindex(index=mds.perf.index, columns=mds.perf.columns)
    np.testing.assert_allclose(got.to_numpy(), mds.perf.round(5).to_numpy(), atol=0)
    stored = _records(target)
    assert {r.cell_key.split("|")[-1] for r in stored} == {"imported"}
    assert all(r.seed == 0 and r.budget is None and r.clock == "imported" for r in stored)


def test_failed_runs_score_their_partial_alc_in_every_loader(db, tmp_path):
    assert run_score("ok", 0.4) == 0.4 and run_score("ok", None) is None
    assert run_score("failed", 0.3) == 0.3 and run_score("failed", None) == 0.0
    assert run_score(None, 0.2) == 0.2  # an external table without status
    mds = load_metadataset(db)
    by_cell: dict = {}
    for r in _records(db):
        by_cell.setdefault((r.task_id, r.pipeline_id), []).append(r.score)
    for (task, pid), scores in by_cell.items():
        assert mds.perf.loc[task, pid] == pytest.approx(np.mean(scores))
    assert (mds.perf == 0.0).sum().sum() == 4 * 3  # flaky_fit fails before any prediction
    long = load_metadataset(export(db, tmp_path / "l.csv", "csv"))
    pd.testing.assert_frame_equal(long.perf.loc[mds.perf.index, mds.perf.columns], mds.perf)


def test_a_stored_cell_reruns_to_the_same_record(db):
    with Store(db, create=False) as store:
        stored = store.records()
        jobs = [store.cell_job(r, cell_fn=flaky_fit) for r in stored[:6]]
    for old, job in zip(stored, jobs, strict=False):
        new = evaluate_cell(job)
        assert (new.cell_key, new.task_id, new.pipeline_id) == (
            old.cell_key, old.task_id, old.pipeline_id
        )  # fmt: skip
        assert (new.status, new.alc, new.curve) == (old.status, old.alc, old.curve)
        assert new.build_id is None and old.build_id == 1


def _device_echo(pipeline, train, test, *, budget, seed, **kwargs):
    """A cell function that reports the device it was asked for, as ``fit``'s result does."""
    return {"status": "ok", "timestamps": [budget], "test_nauc": [0.5], "alc": 0.1,
            "device": kwargs.get("device", "not passed")}  # fmt: skip


def test_a_cell_passes_its_device_on_and_the_record_keeps_what_the_run_used(db):
    with Store(db, create=False) as store:
        job = store.cell_job(store.records()[0], cell_fn=_device_echo)
    assert job.device is None  # a stored run re-runs on the CPU unless asked
    assert evaluate_cell(job).versions["device"] == "not passed"
    record = evaluate_cell(dataclasses.replace(job, device="cuda:1"))
    assert record.versions["device"] == "cuda:1" and record.ok
    # the device is no part of the cell: a GPU run of a cell replaces nothing and is the same cell
    assert record.cell_key == job.key


def test_a_package_without_installed_metadata_records_its_module_version(monkeypatch):
    from importlib import metadata

    import sklearn

    import zapml
    from zapml.metadataset import cell

    real = metadata.version

    def as_from_a_checkout(name: str) -> str:
        if name in ("zapml", "scikit-learn"):  # as on PYTHONPATH, not pip-installed
            raise metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(cell.metadata, "version", as_from_a_checkout)
    monkeypatch.setattr(cell, "_VERSIONED", ("zapml", "scikit-learn", "numpy", "no-such-pkg"))
    cell.package_versions.cache_clear()
    try:
        versions = cell.package_versions()
    finally:
        cell.package_versions.cache_clear()
    assert versions["zapml"] == zapml.__version__
    assert versions["scikit-learn"] == sklearn.__version__  # imported as sklearn
    assert versions["numpy"] == real("numpy")
    assert "no-such-pkg" not in versions  # neither installed nor importable: left out
