"""Every run records the compute clock's version and its memory layout, and a stored run re-runs
with its own."""

import dataclasses
from typing import Any

from zapml.metadataset import build
from zapml.metadataset.cell import (
    CLOCK_VERSION_KEY,
    LAYOUT_KEY,
    CellJob,
    evaluate_cell,
    recorded_clock_version,
    recorded_layout,
)
from zapml.metadataset.conftest import CORE_A
from zapml.metadataset.store import Store
from zapml.metadataset.tasks import TaskSpec
from zapml.metadataset.testing import synthetic_fit
from zapml.runtime.costs import CLOCK_VERSION
from zapml.space import default_pipeline

CURRENT = 2  # what a run without an explicit version is charged with (costs.CLOCK_VERSION)


def versioned_fit(
    *args: Any, clock_version: int | None = None, layout: str | None = None, **kwargs: Any
) -> dict[str, Any]:
    """``synthetic_fit`` reporting the clock version and layout it was asked for, as ``fit``
    does."""
    result = synthetic_fit(*args, **kwargs)
    result["clock_version"] = CURRENT if clock_version is None else clock_version
    result["layout"] = layout or "channels_last"
    return result


def _job(**overrides: Any) -> CellJob:
    fields: dict[str, Any] = dict(
        key="k", task=TaskSpec(core="syna", source=CORE_A, seed=0),
        pipeline=default_pipeline().to_dict(), seed=0, budget=1.0, clock="compute",
        cell_fn=versioned_fit,
    )  # fmt: skip
    return CellJob(**{**fields, **overrides})


def test_a_cell_records_the_version_its_run_reports():
    assert CLOCK_VERSION == CURRENT
    record = evaluate_cell(_job())
    assert record.ok and record.versions is not None
    assert record.versions[CLOCK_VERSION_KEY] == "2" and "numpy" in record.versions
    old = evaluate_cell(_job(clock_version=1))
    assert old.versions is not None and old.versions[CLOCK_VERSION_KEY] == "1"
    assert recorded_clock_version(record) == 2 and recorded_clock_version(old) == 1


def test_a_run_that_raised_records_the_version_the_runtime_would_have_used():
    broken = TaskSpec(core="nope", source="no-such-source", seed=0)
    record = evaluate_cell(_job(task=broken, cell_fn=None))
    assert record.status == "failed" and record.versions is not None
    assert record.versions[CLOCK_VERSION_KEY] == str(CLOCK_VERSION)
    pinned = evaluate_cell(_job(task=broken, cell_fn=None, clock_version=1))
    assert pinned.versions is not None and pinned.versions[CLOCK_VERSION_KEY] == "1"


def test_stored_runs_rerun_with_their_recorded_version(write_spec, tmp_path):
    path = tmp_path / "m.sqlite"
    spec = write_spec(candidates=[{"source": "random", "n": 2, "seed": 1}], repeats=1)
    build(spec, path, workers=0, progress=False, cell_fn=versioned_fit)
    with Store(path, create=False) as store:
        stored = store.records()
        assert stored and all(recorded_clock_version(r) == 2 for r in stored)
        assert store.cell_job(stored[0]).clock_version == 2
        # A record from before clock versions (no entry) is version 1, and re-runs as such.
        versions = {k: v for k, v in (stored[0].versions or {}).items() if k != CLOCK_VERSION_KEY}
        legacy = dataclasses.replace(stored[0], versions=versions)
        job = store.cell_job(legacy, cell_fn=versioned_fit)
    assert recorded_clock_version(legacy) == 1 and job.clock_version == 1
    rerun = evaluate_cell(job)
    assert rerun.versions is not None and rerun.versions[CLOCK_VERSION_KEY] == "1"


def test_a_cell_records_its_layout_and_a_stored_run_reruns_in_it(write_spec, tmp_path):
    record = evaluate_cell(_job())
    assert record.versions is not None and record.versions[LAYOUT_KEY] == "channels_last"
    plain = evaluate_cell(_job(layout="contiguous"))
    assert recorded_layout(plain) == "contiguous"
    failed = evaluate_cell(_job(task=TaskSpec(core="x", source="no-such", seed=0), cell_fn=None))
    assert failed.versions is not None and failed.versions[LAYOUT_KEY] == "channels_last"
    path = tmp_path / "m.sqlite"
    build(write_spec(), path, workers=0, progress=False, cell_fn=versioned_fit)
    with Store(path, create=False) as store:
        stored = store.records()[0]
        assert store.cell_job(stored).layout == "channels_last"
        # every run stored before layouts were recorded trained contiguous, and re-runs so
        versions = {k: v for k, v in (stored.versions or {}).items() if k != LAYOUT_KEY}
        legacy = dataclasses.replace(stored, versions=versions)
        assert recorded_layout(legacy) == "contiguous"
        assert store.cell_job(legacy).layout == "contiguous"
