"""Task packs: a packed task is the materialised task, read without its core dataset; a pack
made for other task settings is never read in their place."""

import numpy as np
import pytest

from zapml.errors import ArtifactError
from zapml.metadataset import build, tasks
from zapml.metadataset.conftest import CORE_A
from zapml.metadataset.task_pack import (
    TASK_PACK_ENV,
    store_tasks,
    task_pack_file,
    write_task_pack,
)
from zapml.metadataset.tasks import TaskSpec, materialise
from zapml.metadataset.testing import budget_fit

TASK = TaskSpec(core="syna", source=CORE_A, seed=3, num_classes=(3, 6), test_per_class=7)


def _same(a, b):
    for part in ("train", "test"):
        x, y = getattr(a, part), getattr(b, part)
        np.testing.assert_array_equal(x.images, y.images)
        np.testing.assert_array_equal(x.labels, y.labels)
        assert x.class_names == y.class_names and x.image_ids == y.image_ids


def _no_core(monkeypatch):
    def gone(source):
        raise FileNotFoundError(f"no core dataset {source} here")

    monkeypatch.setattr(tasks, "load_core", gone)


def test_a_packed_task_is_read_without_its_core(tmp_path, monkeypatch):
    direct = materialise(TASK)
    (path,) = write_task_pack([TASK], tmp_path, materialise)
    assert path == task_pack_file(tmp_path, TASK) and path.name.startswith("3-syna-")
    monkeypatch.setenv(TASK_PACK_ENV, str(tmp_path))
    _no_core(monkeypatch)
    _same(materialise(TASK), direct)
    assert materialise(TASK).train.name == TASK.id


def test_other_task_settings_are_rebuilt_not_read_from_the_pack(tmp_path, monkeypatch):
    write_task_pack([TASK], tmp_path, materialise)
    monkeypatch.setenv(TASK_PACK_ENV, str(tmp_path))
    _no_core(monkeypatch)
    other = TaskSpec(**{**TASK.__dict__, "test_per_class": 8})  # same id, other settings
    assert other.id == TASK.id
    with pytest.raises(FileNotFoundError, match="no core dataset"):
        materialise(other)


def test_a_damaged_pack_file_is_rebuilt(tmp_path, monkeypatch):
    direct = materialise(TASK)
    (path,) = write_task_pack([TASK], tmp_path, materialise)
    path.write_bytes(b"not an npz")
    monkeypatch.setenv(TASK_PACK_ENV, str(tmp_path))
    _same(materialise(TASK), direct)


def _pack_store(db, folder, budgets=None):
    """What `zap metadataset pack-tasks` does, without its progress bar."""
    return write_task_pack(store_tasks(db, budgets), folder, materialise)


def test_pack_store_tasks_packs_the_tasks_run_at_a_budget(write_spec, tmp_path):
    # budget 2 runs on one focused task per core only: 2 of the 4 tasks
    spec = write_spec(budgets=[1, 2], focus_tasks_per_core={2: 1})
    db = tmp_path / "m.sqlite"
    build(spec, db, workers=0, progress=False, cell_fn=budget_fit)
    every = _pack_store(db, tmp_path / "all")
    at_two = _pack_store(db, tmp_path / "two", budgets=[2])
    assert len(every) == 4 and len(at_two) == 2
    assert {p.name for p in at_two} <= {p.name for p in every}
    with pytest.raises(ArtifactError, match=r"no built task with runs at budget\(s\) \[99.0\]"):
        _pack_store(db, tmp_path / "none", budgets=[99])
