"""Task packs: a store's tasks as image arrays, for workers that lack the core datasets' sources.

A task is normally rebuilt by each worker from its core dataset (``tasks.materialise``), which
needs that dataset's source on the worker: a Debian package, fonts, a download. A machine lent for
a build (a GPU box, a cluster node) may have none of them. ``write_task_pack`` materialises the
chosen tasks once, here, into one compressed file each; a worker started with
``$ZAPML_TASK_PACK`` naming that folder reads a task from it instead of rebuilding it. The arrays
are the materialised ones, so the cells' curves are those of a rebuilt task.

A file's name holds the task id and a digest of its full ``TaskSpec``, so a pack made for other
task settings (another sample size, resolution or core path) is never read in their place; a task
missing from the pack is rebuilt as usual.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from zapml.data.cache import load_split, save_split
from zapml.data.dataset import DataSplit
from zapml.metadataset.tasks import TaskSpec

TASK_PACK_ENV = "ZAPML_TASK_PACK"


def task_pack_file(folder: Path, task: TaskSpec) -> Path:
    """Where ``task``'s arrays lie in the pack ``folder``."""
    blob = json.dumps(task.to_dict(), sort_keys=True).encode()
    digest = hashlib.sha256(blob).hexdigest()[:12]
    return folder / f"{task.id}-{digest}.npz"


def packed_task(task: TaskSpec) -> DataSplit | None:
    """The task's arrays from ``$ZAPML_TASK_PACK`` when that names a folder holding them."""
    folder = os.environ.get(TASK_PACK_ENV)
    if not folder:
        return None
    return load_split(task_pack_file(Path(folder).expanduser(), task), task.id)


def write_task_pack(
    tasks: Iterable[TaskSpec],
    folder: Path,
    materialise: Callable[[TaskSpec], DataSplit],
    on_task: Callable[[TaskSpec], None] | None = None,
) -> list[Path]:
    """Materialise each task into ``folder`` (files already there are kept); returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for task in tasks:
        path = task_pack_file(folder, task)
        if not path.is_file():
            save_split(path, materialise(task))
        written.append(path)
        if on_task is not None:
            on_task(task)
    return written


def store_tasks(db: Path, budgets: Iterable[float] | None = None) -> list[TaskSpec]:
    """The tasks of store ``db`` in id order (with ``budgets``: only those with runs at one of
    them); ArtifactError when the store holds no such task."""
    from zapml.errors import ArtifactError
    from zapml.metadataset.store import open_store

    with open_store(db, create=False) as store:
        specs = store.task_specs()
        runs = store.runs()
    if budgets is not None:
        wanted = {float(b) for b in budgets}
        chosen = set(runs.loc[runs["budget"].isin(wanted), "task_id"])
        specs = {tid: spec for tid, spec in specs.items() if tid in chosen}
    if not specs:
        at = "" if budgets is None else f" with runs at budget(s) {sorted(wanted)}"
        raise ArtifactError(
            f"The store '{db}' holds no built task{at}: nothing to pack (see `zap metadataset "
            "status` for its budgets)."
        )
    return [specs[t] for t in sorted(specs)]
