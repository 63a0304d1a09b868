"""Probe meta-features in the store: computed only where missing, equal to a direct computation,
joined as task columns, run next to a build (not next to another fill); and ``select_features``."""

from __future__ import annotations

import inspect
import json
import math
import os
import shutil
import sqlite3
import threading
import typing
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import torch
from typer.testing import CliRunner

from zapml.cli.app import app
from zapml.cli.metadataset_cmds import probe_cmd
from zapml.errors import ArtifactError
from zapml.metadataset import probes
from zapml.metadataset.driver import BuildLockedError, build_lock
from zapml.metadataset.loading import load_metadataset
from zapml.metadataset.metadataset import MetaDataset, select_features
from zapml.metadataset.probes import backbone_feature_names, fill_probe_features
from zapml.metadataset.record import RunRecord
from zapml.metadataset.store import Store
from zapml.metadataset.tasks import TaskSpec, materialise
from zapml.metafeatures import ProbeFeatures, compute_probe_features
from zapml.metafeatures.probe_features import PROBE_SCORES_VERSION
from zapml.metafeatures.testing import one_thread_empty_cache  # noqa: F401 (autouse)
from zapml.space import sample_pipelines

BACKBONE = "mobilenetv2_100"
SIDE = 32
MAX_SAMPLES = 16  # of ~20-24 training images: the sampling path is exercised
# two classes of 10-12 images: enough for the 5-fold linear probe and the 10-NN score
TASKS = [
    TaskSpec(core="syn", source="synthetic:4:24:8", seed=s, num_classes=(2, 2),
             samples_per_class=(10, 12), test_per_class=3, domain="blobs")
    for s in (0, 1)
]  # fmt: skip


def _new_store(path: Path) -> Path:
    """A store as a build leaves it: two tasks with specs and trivial features, one run each."""
    with Store(path) as store:
        pipeline = sample_pipelines(1, seed=0)[0]
        store.add_pipeline(pipeline, "random:x")
        for task in TASKS:
            store.add_task(task.id, task.core, {"num_classes": 2.0}, domain="blobs", spec=task)
            store.add_run(RunRecord(cell_key=f"{task.id}|p", task_id=task.id, seed=0,
                                    pipeline_id=pipeline.id, budget=1.0, clock="compute",
                                    status="ok", alc=0.5))  # fmt: skip
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return _new_store(tmp_path / "m.sqlite")


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, probes.ProbeReport]:
    """A store filled once for the module by the real computation (seconds per task on a CPU)."""
    folder = tmp_path_factory.mktemp("filled")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZAPML_CACHE", str(folder / "cache"))
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        report = _fill(_new_store(folder / "m.sqlite"))
        torch.set_num_threads(before)
    return report.db, report


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[str, ...]]]:
    """(task, backbones) of every compute_probe_features call the fill makes (the real one)."""
    seen: list[tuple[str, tuple[str, ...]]] = []

    def counted(data: Any, backbones: Any, **kw: Any) -> ProbeFeatures:
        seen.append((data.train.name, tuple(backbones)))
        return compute_probe_features(data, backbones, **kw)

    monkeypatch.setattr(probes, "compute_probe_features", counted)
    return seen


def _fill(db: Path, **kw: Any) -> probes.ProbeReport:
    return fill_probe_features(db, [BACKBONE], side=SIDE, max_samples=MAX_SAMPLES,
                               progress=False, **kw)  # fmt: skip


def test_fill_stores_what_a_direct_computation_gives_and_the_store_loads_it(filled):
    db, report = filled
    assert (report.done, report.skipped, report.tasks, report.features_added) == (2, 0, 2, 16)
    mds = load_metadataset(db)
    task = TASKS[1]
    direct = compute_probe_features(materialise(task), [BACKBONE], side=SIDE,
                                    max_samples=MAX_SAMPLES, use_cache=False)  # fmt: skip
    assert sorted(direct.values) == sorted(backbone_feature_names(BACKBONE))
    stored = mds.tasks.loc[task.id, list(direct.values)].astype(float).to_dict()
    assert stored == pytest.approx(direct.values, nan_ok=True)
    assert mds.tasks.loc[TASKS[0].id, list(direct.values)].notna().all()
    # both tasks have more images than MAX_SAMPLES, so each is charged the same sample's cost
    assert report.compute_seconds == pytest.approx(2 * direct.seconds) and direct.seconds > 0
    assert set(mds.metafeature_names()) == {"num_classes", *backbone_feature_names(BACKBONE)}


def test_a_rerun_computes_only_the_missing_names(filled, tmp_path, calls):
    db = tmp_path / "copy.sqlite"
    shutil.copy(filled[0], db)  # the module's store is closed: no WAL file left to copy
    again = _fill(db)
    assert calls == [] and (again.done, again.skipped, again.features_added) == (0, 2, 0)
    con = sqlite3.connect(db)
    with con:  # lose one name of the second task, as if a newer version added a score
        con.execute("DELETE FROM task_features WHERE task_id=? AND name=?",
                    (TASKS[1].id, f"logme__{BACKBONE}"))  # fmt: skip
    con.close()
    third = _fill(db)
    assert calls == [(TASKS[1].id, (BACKBONE,))]
    assert (third.done, third.skipped, third.features_added) == (1, 1, 1)
    assert load_metadataset(db).tasks[f"logme__{BACKBONE}"].notna().all()


def test_a_task_without_features_gets_nan_and_selectors_see_the_columns(db, monkeypatch):
    fake = ProbeFeatures({f"logme__{BACKBONE}": 1.5}, 2.0)
    monkeypatch.setattr(probes, "compute_probe_features", lambda *a, **k: fake)
    with Store(db) as store:
        store.add_task_features(TASKS[0].id, fake.values, dict.fromkeys(fake.values, 2.0))
        mds = store.to_metadataset()
    assert mds.tasks.loc[TASKS[0].id, f"logme__{BACKBONE}"] == 1.5
    assert math.isnan(mds.tasks.loc[TASKS[1].id, f"logme__{BACKBONE}"])
    assert list(mds.metafeatures().columns) == ["num_classes", f"logme__{BACKBONE}"]


def test_an_old_store_without_the_table_loads_unchanged(db):
    con = sqlite3.connect(db)
    before = pd.read_sql_query("SELECT name FROM sqlite_master ORDER BY name", con)
    con.close()
    mds = load_metadataset(db)
    with Store(db) as store:  # a writable open does not add the table either
        assert store.task_feature_names() == {}
        assert store.to_metadataset().tasks.equals(mds.tasks)
    con = sqlite3.connect(db)
    after = pd.read_sql_query("SELECT name FROM sqlite_master ORDER BY name", con)
    con.close()
    assert before.equals(after) and "task_features" not in set(after["name"])
    assert list(mds.tasks.columns) == ["core_dataset", "num_classes"]
    assert mds.tasks["num_classes"].tolist() == [2.0, 2.0]


def test_another_fill_holding_the_probe_lock_is_refused_before_any_work(db, calls):
    refused = pytest.raises(BuildLockedError, match=f"probe fill.*pid {os.getpid()}.*--wait")
    with build_lock(db, writer="probe"), refused:
        _fill(db)
    assert calls == []


def test_a_fill_runs_while_a_build_holds_its_lock_and_writes(db, monkeypatch):
    """The build's lock does not stop a fill; a build's open write transaction only delays the
    fill's (SQLite's busy timeout), and the build's run lands next to the features."""
    fake = ProbeFeatures(dict.fromkeys(backbone_feature_names(BACKBONE), 0.5), 1.0)
    monkeypatch.setattr(probes, "compute_probe_features", lambda *a, **k: fake)
    writer = sqlite3.connect(db, isolation_level=None, timeout=30.0, check_same_thread=False)
    released = threading.Timer(1.0, writer.execute, args=("COMMIT",))
    with build_lock(db):
        writer.execute("BEGIN IMMEDIATE")  # what a build's add_run holds for a moment
        writer.execute("UPDATE runs SET alc = 0.75 WHERE task_id = ?", (TASKS[0].id,))
        released.start()
        report = _fill(db)
    released.join()
    writer.close()
    assert report.done == len(TASKS)
    with Store(db) as store:
        assert set(store.task_feature_names()) == {t.id for t in TASKS}
    con = sqlite3.connect(db)
    alc = con.execute("SELECT alc FROM runs WHERE task_id = ?", (TASKS[0].id,)).fetchone()[0]
    con.close()
    assert alc == 0.75


def test_other_sample_settings_are_refused(db, monkeypatch):
    fake = ProbeFeatures(dict.fromkeys(backbone_feature_names(BACKBONE), 0.5), 1.0)
    monkeypatch.setattr(probes, "compute_probe_features", lambda *a, **k: fake)
    _fill(db)
    with pytest.raises(ArtifactError, match="--side and --max-samples"):
        fill_probe_features(db, [BACKBONE], side=64, max_samples=MAX_SAMPLES, progress=False)


def test_a_store_probed_by_older_scores_is_refused_until_recomputed(db, monkeypatch):
    old = ProbeFeatures(dict.fromkeys(backbone_feature_names(BACKBONE), 0.5), 1.0)
    monkeypatch.setattr(probes, "compute_probe_features", lambda *a, **k: old)
    _fill(db)
    con = sqlite3.connect(db)
    with con:  # the record a fill wrote before scores had a version
        record = json.loads(con.execute("SELECT value FROM meta WHERE key=?",
                                        (probes.SETTINGS_KEY,)).fetchone()[0])  # fmt: skip
        assert record.pop("scores_version") == PROBE_SCORES_VERSION
        con.execute("UPDATE meta SET value=? WHERE key=?",
                    (json.dumps(record, sort_keys=True), probes.SETTINGS_KEY))  # fmt: skip
    con.close()
    with pytest.raises(ArtifactError, match="--recompute"):
        _fill(db)
    new = ProbeFeatures(dict.fromkeys(backbone_feature_names(BACKBONE), 0.75), 1.0)
    monkeypatch.setattr(probes, "compute_probe_features", lambda *a, **k: new)
    args = ["metadataset", "probe", str(db), "--backbones", BACKBONE, "--side", str(SIDE),
            "--max-samples", str(MAX_SAMPLES), "--no-progress", "--recompute"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "16 stored probe feature(s) deleted (--recompute)" in result.output
    assert "2 task(s) probed, 0 already complete, 16 feature(s) stored" in result.output
    stored = load_metadataset(db).tasks[backbone_feature_names(BACKBONE)]
    assert (stored == 0.75).all().all()
    assert _fill(db).skipped == 2  # the new record matches: nothing left to do


def test_scratch_arms_have_no_imagenet_scores():
    names = backbone_feature_names("mobilenetv2_100.scratch")
    assert len(names) == 6 and not any(n.startswith(("leep__", "nce__")) for n in names)
    assert len(backbone_feature_names(BACKBONE)) == 8


def test_probe_command_prints_the_summary(db, monkeypatch):
    fake = ProbeFeatures(dict.fromkeys(backbone_feature_names(BACKBONE), 0.5), 1.25)
    monkeypatch.setattr(probes, "compute_probe_features", lambda *a, **k: fake)
    args = ["metadataset", "probe", str(db), "--backbones", BACKBONE, "--no-progress"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "2 task(s) probed, 0 already complete, 16 feature(s) stored" in result.output
    assert "2.5 compute-s charged" in result.output


def test_the_command_defaults_are_the_function_defaults():
    # the CLI reads the defaults from probe_settings, as the function does
    defaults = {k: v.default for k, v in inspect.signature(probe_cmd).parameters.items()}
    assert (defaults["side"], defaults["max_samples"]) == (
        probes.DEFAULT_SIDE,
        probes.DEFAULT_MAX_SAMPLES,
    )
    backbones = typing.get_type_hints(probe_cmd, include_extras=True)["backbones"]
    assert f"(default: {','.join(probes.DEFAULT_BACKBONES)})" in backbones.__metadata__[0].help


def _mds(columns: dict[str, list[float]]) -> MetaDataset:
    tasks = pd.DataFrame({"core_dataset": ["a", "b"], **columns}, index=["t0", "t1"])
    pipelines = {p.id: p for p in sample_pipelines(1, seed=0)}
    perf = pd.DataFrame([[0.1], [0.2]], index=tasks.index, columns=list(pipelines))
    return MetaDataset(tasks=tasks, pipelines=pipelines, perf=perf)


def test_select_features_keeps_one_set_of_columns():
    mds = _mds({"num_classes": [2, 3], "num_train": [9, 8], "logme__m": [0.1, 0.2],
                "knn_accuracy__m": [0.5, 0.6], "budget": [1, 1]})  # fmt: skip
    assert select_features(mds, "trivial").metafeature_names() == [
        "num_classes", "num_train", "budget"
    ]  # fmt: skip
    assert mds.select_features("probe").metafeature_names() == [
        "logme__m", "knn_accuracy__m", "budget"
    ]  # fmt: skip
    assert select_features(mds, "all") is mds
    assert select_features(mds, "probe").perf.equals(mds.perf)
    with pytest.raises(ValueError, match="one of"):
        select_features(mds, "probes")
    with pytest.raises(ArtifactError, match="zap metadataset probe"):
        select_features(_mds({"num_classes": [2, 3]}), "probe")


def test_keep_probe_backbones_drops_the_other_backbones_probe_columns_only():
    mds = _mds({"num_classes": [2, 3], "logme__m": [0.1, 0.2], "logme__e": [0.3, 0.4],
                "knn_accuracy__m": [0.5, 0.6], "knn_accuracy__e": [0.7, 0.8],
                "budget": [1, 1]})  # fmt: skip
    kept = mds.keep_probe_backbones(["m"])
    assert kept.metafeature_names() == ["num_classes", "logme__m", "knn_accuracy__m", "budget"]
    assert kept.metafeatures()["logme__m"].tolist() == [0.1, 0.2]
    assert kept.perf.equals(mds.perf) and kept.core_datasets().tolist() == ["a", "b"]
    assert mds.keep_probe_backbones(["e", "m"]).metafeature_names() == mds.metafeature_names()
    with pytest.raises(ArtifactError, match=r"no probe features of \['x'\].*--backbones x"):
        mds.keep_probe_backbones(["m", "x"])
