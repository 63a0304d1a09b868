"""The history store: every ``zap fit`` appends its run, so the selector can learn from them.

It is a meta-dataset store (``zapml.metadataset.store``, same schema): a fit is one ``RunRecord``
of a task (one per dataset fingerprint, with the trivial meta-features the selectors read) and a
pipeline. So the objectives (final NAUC, ALC), the curve, the versions and the timestamps are the
ones the meta-dataset keeps, computed by the same code (``cell.evaluate_cell``'s
normalisation of a fit result, ``record.run_value``), and ``zap selector update`` reads it as a
meta-dataset (``Store.to_metadataset``: seeds averaged, cells only where a pipeline ran).

A fit's ``budget`` is in compute seconds, whatever its clock (``clock`` keeps which one the user
ran on): a compute-clock fit's budget as given; a wall-clock fit's counted work, the compute
seconds it did in its wall budget (the run measures its own conversion, so no calibration is
needed after the fit). One append is one transaction (WAL, a 30 s lock wait): concurrent fits
append whole runs, one after the other.
"""

from __future__ import annotations

import math
import os
import socket
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from zapml.errors import ArtifactError
from zapml.history.paths import history_path
from zapml.metadataset.cell import _normalise as fit_outcome
from zapml.metadataset.cell import package_versions
from zapml.metadataset.record import RunRecord
from zapml.metadataset.store import open_store

if TYPE_CHECKING:
    from zapml.data.dataset import Dataset
    from zapml.space.pipeline import Pipeline

#: prefix of a history task id (then the dataset fingerprint): never a meta-dataset task's id
TASK_PREFIX = "history-"
#: the ``domain`` and ``source`` the history writes for its tasks and pipelines
HISTORY_SOURCE = "history"


def task_id_of(train: Dataset) -> str:
    """One task per dataset: the fingerprint of the training images and labels."""
    from zapml.metafeatures.extraction import dataset_fingerprint

    return TASK_PREFIX + dataset_fingerprint(train.images, train.labels)


def compute_budget_of(result: Mapping[str, Any]) -> float:
    """A fit's budget in compute seconds (see the module docstring)."""
    if result["clock"] == "compute":
        return float(result["budget"])
    return float(result["compute_seconds"])


def fit_record(result: Any, train: Dataset, pipeline: Pipeline) -> RunRecord:
    """The ``RunRecord`` of a finished fit (a ``FitResult`` or its ``to_dict()``) of
    ``pipeline`` on ``train``; a unique cell key, so every fit is kept (repeats included)."""
    data = result.to_dict() if hasattr(result, "to_dict") else dict(result)
    outcome = fit_outcome(data)
    task_id = task_id_of(train)
    finished = time.time()
    wall = outcome["wall_seconds"] or 0.0
    return RunRecord(
        cell_key=f"{task_id}|{pipeline.id}|{data['seed']}|{data['clock']}|{uuid.uuid4().hex}",
        task_id=task_id,
        pipeline_id=pipeline.id,
        seed=int(data["seed"]),
        budget=compute_budget_of(data),
        clock=str(data["clock"]),
        worker=f"{socket.gethostname()}:{os.getpid()}",
        versions={**package_versions(), **outcome.pop("versions")},
        started_at=finished - wall,
        finished_at=finished,
        **outcome,
    )


def append_fit(
    result: Any, train: Dataset, pipeline: Pipeline, *, path: str | Path | None = None
) -> RunRecord | None:
    """Append one fit to the history store (``paths.history_path(path)``) in one transaction:
    its task (meta-features, name), its pipeline and its run. Returns the record, or None for
    an interrupted fit (Ctrl-C says nothing about the pipeline, and scored as a failure it
    would teach the selector to avoid it)."""
    from zapml.metafeatures import compute_metafeatures

    status = result.status if hasattr(result, "status") else result["status"]
    if status == "interrupted":
        return None
    record = fit_record(result, train, pipeline)
    with open_store(history_path(path)) as store, store.transaction():
        store.add_task(
            record.task_id, f"{HISTORY_SOURCE}:{train.name}", compute_metafeatures(train),
            domain=HISTORY_SOURCE,
        )  # fmt: skip
        store.add_pipeline(pipeline, HISTORY_SOURCE, pipeline_id=record.pipeline_id)
        store.add_run(record)
    return record


def history_exists(path: str | Path | None = None) -> bool:
    return history_path(path).is_file()


def read_history(path: str | Path | None = None) -> pd.DataFrame:
    """One row per stored fit, oldest first: when it finished, the dataset (name, fingerprint
    task id, meta-features), the pipeline, clock and compute-s budget, and its values."""
    source = history_path(path)
    if not source.is_file():
        raise ArtifactError(
            f"No fit history at {source}: `zap fit` appends one run per fit there (unless "
            "--no-history); pass --history PATH or set ZAPML_HISTORY to read another."
        )
    with open_store(source, create=False) as store:
        runs = store.runs()
        tasks = store.tasks_frame().drop(columns=["domain"])
        archs = {pid: p.architecture for pid, p in store.pipelines().items()}
    runs["finished"] = pd.to_datetime(runs["finished_at"], unit="s", utc=True).dt.floor("s")
    runs["architecture"] = runs["pipeline_id"].map(archs)
    return runs.join(tasks, on="task_id").drop(columns=["curve_json", "versions_json"])


def clear_history(path: str | Path | None = None) -> int:
    """Delete the history store (and its WAL files); returns how many fits it held."""
    source = history_path(path)
    if not source.is_file():
        return 0
    with open_store(source, create=False) as store:
        held = store.counts()["runs"]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{source}{suffix}").unlink(missing_ok=True)
    return held


def nearest_budget(budget: float | None, budgets: tuple[float, ...]) -> float | None:
    """The budget of ``budgets`` closest to ``budget`` on a log scale (a 2x longer run is as
    far as a 2x shorter one); None when either is unknown."""
    if budget is None or not budgets or not budget > 0:
        return None
    return min(budgets, key=lambda b: abs(math.log(b / budget)))
