"""One cell of the meta-dataset: fine-tune one pipeline on one task with one seed.

``evaluate_cell`` is the function the executors run in worker processes. It is pure in the sense
the builder relies on: its result depends only on the ``CellJob`` it receives, it writes nothing,
and every exception becomes a ``failed`` ``RunRecord``, so a bad cell never stops a build.
"""

from __future__ import annotations

import importlib
import os
import socket
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from typing import Any

from zapml.metadataset.record import RunRecord
from zapml.metadataset.tasks import TaskSpec, materialise
from zapml.space.pipeline import Pipeline

#: ``cell_fn(pipeline, train, test, *, budget, clock, seed)`` -> FitResult-like (``to_dict()``)
#: or a dict with FitResult's fields; the signature of ``zapml.runtime.fit``.
CellFn = Callable[..., Any]

_VERSIONED = ("zapml", "torch", "timm", "numpy", "scikit-learn")
# The record's ``versions`` entry naming the compute clock's version (zapml.runtime.costs) the
# run was charged with. Records without it predate clock versions: they are version 1.
CLOCK_VERSION_KEY = "compute_clock"
UNVERSIONED_CLOCK = 1
# The entry naming the model's memory layout (zapml.runtime.layout); records without it predate
# layouts and ran contiguous (runtime.layout.UNRECORDED_LAYOUT).
LAYOUT_KEY = "layout"
# The entry naming where the network computed (zapml.runtime.device.device_label); records
# without it ran on the CPU. A cell's key leaves the device out: under the compute clock a GPU run
# of a cell is charged what a CPU run is, so it is the same cell.
DEVICE_KEY = "device"


@dataclass(frozen=True)
class CellJob:
    key: str
    task: TaskSpec
    pipeline: dict[str, Any]
    seed: int
    budget: float
    clock: str
    cell_fn: CellFn | None = None  # None = zapml.runtime.fit; tests inject a fake
    pipeline_id: str | None = None  # the store's id of ``pipeline``; None = ``Pipeline.id``
    # None = the current version; a stored run is re-run with the version it recorded
    clock_version: int | None = None
    layout: str | None = None  # likewise: None = the runtime's default
    device: str | None = None  # where the network computes (zapml.runtime.device); None = CPU


def recorded_clock_version(record: RunRecord) -> int:
    """The compute-clock version ``record`` was charged with (1 for records that predate them)."""
    return int((record.versions or {}).get(CLOCK_VERSION_KEY, UNVERSIONED_CLOCK))


def recorded_layout(record: RunRecord) -> str:
    """The memory layout ``record``'s run trained in (contiguous for records that predate it)."""
    from zapml.runtime.layout import UNRECORDED_LAYOUT

    return str((record.versions or {}).get(LAYOUT_KEY, UNRECORDED_LAYOUT))


def runtime_fit(pipeline: Pipeline, train: Any, test: Any, **kwargs: Any) -> Any:
    """The default cell function: the real anytime fine-tuning runtime."""
    from zapml.runtime import fit

    # output_dir=None: a cell keeps no artifacts (the store keeps the curve); no nested progress
    return fit(pipeline, train, test, output_dir=None, progress=False, **kwargs)


def evaluate_cell_fn(cell_fn: CellFn | None) -> CellFn:
    return cell_fn or runtime_fit


@lru_cache(maxsize=1)
def package_versions() -> dict[str, str]:
    """The installed versions of ``_VERSIONED``; a package run from a source checkout on
    ``PYTHONPATH`` (zapml on a machine lent for a build) has no installed metadata, so its
    module's ``__version__`` stands in."""
    out = {}
    for name in _VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = _module_version(_MODULE_OF.get(name, name))
            if version is not None:
                out[name] = version
    return out


#: the import name of a distribution in ``_VERSIONED`` where the two differ
_MODULE_OF = {"scikit-learn": "sklearn"}


def _module_version(module: str) -> str | None:
    try:
        version = getattr(importlib.import_module(module), "__version__", None)
    except ImportError:
        return None
    return None if version is None else str(version)


def evaluate_cell(job: CellJob) -> RunRecord:
    """Run one cell; returns its record (status ``ok`` or ``failed``), never raises."""
    started = time.time()
    try:
        split = materialise(job.task)
        fn = evaluate_cell_fn(job.cell_fn)
        raw = fn(
            Pipeline(job.pipeline),
            split.train,
            split.test,
            budget=job.budget,
            clock=job.clock,
            seed=job.seed,
            **({} if job.clock_version is None else {"clock_version": job.clock_version}),
            **({} if job.layout is None else {"layout": job.layout}),
            **({} if job.device is None else {"device": job.device}),
        )
        outcome = _normalise(raw)
    except BaseException as err:  # noqa: BLE001 - a cell must never take the build down
        if isinstance(err, KeyboardInterrupt | SystemExit):
            raise
        outcome = {"status": "failed", "error": _describe(err), "versions": _job_versions(job)}
    return RunRecord(
        cell_key=job.key,
        task_id=job.task.id,
        pipeline_id=job.pipeline_id or Pipeline(job.pipeline).id,
        seed=job.seed,
        budget=job.budget,
        clock=job.clock,
        worker=f"{socket.gethostname()}:{os.getpid()}",
        versions={**package_versions(), **outcome.pop("versions")},
        started_at=started,
        finished_at=time.time(),
        **outcome,
    )


def _job_versions(job: CellJob) -> dict[str, str]:
    """The clock version and layout the runtime would have used for a job whose run raised."""
    if job.cell_fn is not None:  # a fake cell function: nothing is known about its clock
        return {}
    from zapml.runtime.costs import CLOCK_VERSION
    from zapml.runtime.layout import DEFAULT_LAYOUT

    return {
        CLOCK_VERSION_KEY: str(CLOCK_VERSION if job.clock_version is None else job.clock_version),
        LAYOUT_KEY: job.layout or DEFAULT_LAYOUT,
    }


def _normalise(raw: Any) -> dict[str, Any]:
    """FitResult or dict -> the record's outcome fields (curve as ``((t, nauc), ...)``) and its
    ``versions`` entries (the compute clock's version, the layout and the device, when the result
    names them)."""
    data = raw.to_dict() if hasattr(raw, "to_dict") else dict(raw)
    times = list(data.get("timestamps") or [])
    scores = list(data.get("test_nauc") or [])
    status = str(data.get("status", "ok"))
    return {
        "status": "ok" if status == "ok" else "failed",
        "error": data.get("error"),
        "alc": _num(data.get("alc")),
        "final_nauc": _num(data.get("final_nauc")),
        "final_accuracy": _num(data.get("final_accuracy")),
        "wall_seconds": _num(data.get("wall_seconds")),
        "compute_seconds": _num(data.get("compute_seconds")),
        "curve": tuple((float(t), float(s)) for t, s in zip(times, scores, strict=False)),
        "versions": _run_versions(data),
    }


def _run_versions(data: dict[str, Any]) -> dict[str, str]:
    out = {}
    if data.get("clock_version") is not None:
        out[CLOCK_VERSION_KEY] = str(int(data["clock_version"]))
    if data.get("layout") is not None:
        out[LAYOUT_KEY] = str(data["layout"])
    if data.get("device") is not None:
        out[DEVICE_KEY] = str(data["device"])
    return out


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _describe(err: BaseException) -> str:
    # keep the tail: the frame that raised is what someone debugging a failed cell needs
    text = "".join(traceback.format_exception(err))
    return text[-4000:]
