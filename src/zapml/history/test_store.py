"""The history store: what one fit appends (the values the meta-dataset code computes), one
transaction per fit, concurrent fits, where it lives, reading and clearing it."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from zapml.history.paths import SELECTOR_MANIFEST, history_path, user_selector_path, zapml_home
from zapml.history.store import (
    TASK_PREFIX,
    append_fit,
    clear_history,
    nearest_budget,
    read_history,
)
from zapml.history.testing import fit_result, named_pipelines, tiny_dataset
from zapml.metadataset.store import Store
from zapml.metafeatures import compute_metafeatures
from zapml.metafeatures.extraction import dataset_fingerprint
from zapml.selectors.artifacts import MANIFEST


def test_a_fit_is_stored_with_its_task_pipeline_values_and_curve(tmp_path: Path):
    data, pipeline = tiny_dataset(0), named_pipelines()["A"]
    path = tmp_path / "h.sqlite"
    record = append_fit(fit_result(0.8, seed=3), data, pipeline, path=path)
    assert record is not None
    with Store(path, create=False) as store:
        (stored,) = store.records()
        tasks = store.tasks_frame()
        assert store.pipelines() == {pipeline.id: pipeline}
    assert stored == record
    assert stored.task_id == TASK_PREFIX + dataset_fingerprint(data.images, data.labels)
    # the fit's own values, as the run reported them (fit_result: ALC = 0.6 x final NAUC)
    assert (stored.final_nauc, stored.alc, stored.final_accuracy) == (0.8, 0.48, 0.9)
    assert stored.curve == ((1.0, 0.4), (4.0, 0.8))
    assert (stored.seed, stored.budget, stored.clock, stored.status) == (3, 4.0, "compute", "ok")
    assert stored.versions is not None and stored.versions["compute_clock"] == "2"
    assert "zapml" in stored.versions and stored.finished_at is not None
    row = tasks.loc[stored.task_id]
    assert row["core_dataset"] == "history:tiny0"
    assert {k: row[k] for k in compute_metafeatures(data)} == compute_metafeatures(data)


def test_a_wall_clock_fit_counts_its_budget_in_the_compute_seconds_it_did(tmp_path: Path):
    result = fit_result(0.5, clock="wall", budget=60.0, compute_seconds=7.5)
    record = append_fit(result, tiny_dataset(0), named_pipelines()["A"], path=tmp_path / "h.db")
    assert record is not None and (record.budget, record.clock) == (7.5, "wall")


def test_the_same_data_twice_is_one_task_with_two_runs(tmp_path: Path):
    path = tmp_path / "h.sqlite"
    for seed in (0, 0):  # even the same seed: two fits, two runs
        append_fit(fit_result(0.5, seed=seed), tiny_dataset(1), named_pipelines()["B"], path=path)
    runs = read_history(path)
    assert len(runs) == 2 and runs["task_id"].nunique() == 1 and runs["cell_key"].nunique() == 2
    assert list(runs["architecture"]) == [named_pipelines()["B"].architecture] * 2


def test_an_interrupted_fit_is_not_stored(tmp_path: Path):
    result = fit_result(0.5, status="interrupted")
    path = tmp_path / "h.sqlite"
    assert append_fit(result, tiny_dataset(0), named_pipelines()["A"], path=path) is None
    assert not path.exists()


def test_an_append_that_fails_leaves_nothing_behind(tmp_path: Path, monkeypatch):
    path = tmp_path / "h.sqlite"

    def broken(self, record):  # noqa: ANN001, ANN202
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(Store, "add_run", broken)
    with pytest.raises(Exception, match="disk I/O error"):
        append_fit(fit_result(0.5), tiny_dataset(0), named_pipelines()["A"], path=path)
    monkeypatch.undo()
    with Store(path, create=False) as store:  # task and pipeline rolled back with the run
        assert store.task_ids() == [] and store.pipelines() == {} and store.records() == []


def _append_many(args: tuple[str, int]) -> int:
    path, worker = args
    for i in range(5):
        result = fit_result(0.1 * i, seed=worker)
        append_fit(result, tiny_dataset(worker), named_pipelines()["C"], path=path)
    return worker


def test_concurrent_fits_append_whole_runs(tmp_path: Path):
    path = tmp_path / "h.sqlite"
    with multiprocessing.get_context("fork").Pool(4) as pool:
        assert sorted(pool.map(_append_many, [(str(path), w) for w in range(4)])) == [0, 1, 2, 3]
    with Store(path, create=False) as store:
        assert store.counts()["runs"] == 20 and len(store.task_ids()) == 4
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()


def test_read_and_clear(tmp_path: Path):
    path = tmp_path / "h.sqlite"
    with pytest.raises(Exception, match="zap fit"):
        read_history(path)
    append_fit(fit_result(0.5), tiny_dataset(0), named_pipelines()["A"], path=path)
    assert clear_history(path) == 1
    assert not path.exists() and clear_history(path) == 0


def test_where_the_history_and_updated_selectors_live(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("ZAPML_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert history_path() == tmp_path / "xdg" / "zapml" / "history.sqlite"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    assert zapml_home() == tmp_path / "me" / ".local" / "share" / "zapml"
    monkeypatch.setenv("ZAPML_HOME", str(tmp_path / "home"))
    assert history_path() == tmp_path / "home" / "history.sqlite"
    assert user_selector_path("final") == tmp_path / "home" / "selectors" / "final"
    monkeypatch.setenv("ZAPML_HISTORY", str(tmp_path / "elsewhere.sqlite"))
    assert history_path() == tmp_path / "elsewhere.sqlite"
    assert history_path(tmp_path / "given.sqlite") == tmp_path / "given.sqlite"
    assert SELECTOR_MANIFEST == MANIFEST


@pytest.mark.parametrize(
    ("budget", "budgets", "nearest"),
    [
        (3.0, (4.0, 16.0, 64.0), 4.0),
        # log(10/4) = 0.92 > log(16/10) = 0.47: 16, though 10 - 4 < 16 - 10
        (10.0, (4.0, 16.0), 16.0),
        (7.9, (4.0, 16.0), 4.0),  # the geometric middle is 8
        (100.0, (4.0,), 4.0),
        (0.0, (4.0,), None),
        (5.0, (), None),
    ],
)
def test_nearest_budget_on_a_log_scale(budget, budgets, nearest):
    assert nearest_budget(budget, budgets) == nearest
