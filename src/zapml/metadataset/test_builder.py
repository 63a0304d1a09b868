import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

from zapml.metadataset import SpecMismatchError, build, load_metadataset
from zapml.metadataset.planner import plan_cells
from zapml.metadataset.testing import flaky_fit, synthetic_alc, synthetic_fit
from zapml.space.pipeline import Pipeline


def test_build_fills_the_dense_matrix_with_the_cell_results(write_spec, tmp_path):
    spec = write_spec(repeats=2)
    report = build(spec, tmp_path / "m.sqlite", workers=0, progress=False, cell_fn=synthetic_fit)
    assert (report.planned, report.done, report.failed, report.skipped) == (32, 32, 0, 0)
    mds = load_metadataset(tmp_path / "m.sqlite")
    assert mds.perf.shape == (4, 4) and mds.density == 1.0
    assert list(mds.tasks.index) == ["0-syna", "1-syna", "0-synb", "1-synb"]
    assert mds.domains == {"syna": "blobs", "synb": "colour"}
    for (task, pid), value in mds.perf.stack().items():
        want = np.mean([synthetic_alc(task, pid, s) for s in (0, 1)])
        assert value == pytest.approx(want)
    again = build(spec, tmp_path / "m.sqlite", workers=0, progress=False, cell_fn=synthetic_fit)
    assert (again.done, again.skipped) == (0, 32)


def _nudged_sobol(factor: float):
    """The builder's Sobol sampler as another CPU would run it: every float scaled by ``factor``
    (one ulp is 1 + 2**-52)."""
    from zapml.metadataset import builder

    sample = builder.sobol_candidates

    def nudged(*args, **kwargs):
        return [
            Pipeline({k: v * factor if isinstance(v, float) and v else v for k, v in p.items()})
            for p in sample(*args, **kwargs)
        ]

    return nudged


def test_a_resumed_build_keeps_stored_candidates_whose_floats_differ_in_the_last_bit(
    write_spec, tmp_path, monkeypatch
):
    spec, db = write_spec(), tmp_path / "m.sqlite"
    first = build(spec, db, workers=0, progress=False, cell_fn=synthetic_fit)
    assert (first.done, first.skipped) == (16, 0)
    monkeypatch.setattr("zapml.metadataset.builder.sobol_candidates", _nudged_sobol(1 + 2**-52))
    again = build(spec, db, workers=0, progress=False, cell_fn=synthetic_fit)
    assert (again.done, again.skipped) == (0, 16)
    assert len(load_metadataset(db).pipelines) == 4
    # a real difference (one part in a million) is another pipeline: its 16 cells run
    monkeypatch.setattr("zapml.metadataset.builder.sobol_candidates", _nudged_sobol(1 + 1e-6))
    other = build(spec, db, workers=0, progress=False, cell_fn=synthetic_fit)
    assert (other.done, other.skipped) == (16, 0)


def test_failed_cells_are_recorded_and_do_not_stop_the_build(write_spec, tmp_path):
    spec = write_spec(candidates=[{"source": "random", "n": 6, "seed": 1}])
    db = tmp_path / "f.sqlite"
    report = build(spec, db, workers=0, progress=False, cell_fn=flaky_fit)
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT r.status, r.error, p.config_json FROM runs r JOIN pipelines p USING (pipeline_id)"
    ).fetchall()
    assert report.done == len(rows) == 24
    for status, error, cfg in rows:
        diverges = '"lr": ' in cfg and float(cfg.split('"lr": ')[1].split(",")[0]) > 0.01
        assert status == ("failed" if diverges else "ok")
        assert (error is not None and "diverged" in error) == diverges
    assert report.failed == 3 * 4  # random_candidates(6, seed=1) has 3 pipelines with lr > 0.01
    # retry_failed reruns only the failed cells (same key: replaced, not duplicated)
    again = build(spec, db, workers=0, progress=False, cell_fn=flaky_fit, retry_failed=True)
    assert again.done == report.failed
    assert con.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 24


def test_sparse_build_and_spec_mismatch(write_spec, tmp_path):
    db = tmp_path / "s.sqlite"
    spec = write_spec(candidates=[{"source": "random", "n": 8}], density=0.25)
    report = build(spec, db, workers=0, progress=False, cell_fn=synthetic_fit)
    assert report.planned == 4 * 2  # 4 tasks x round(0.25 * 8) pipelines
    other = write_spec("other.yaml", budget=2)
    with pytest.raises(SpecMismatchError, match="--force"):
        build(other, db, workers=0, progress=False, cell_fn=synthetic_fit)
    forced = build(other, db, workers=0, progress=False, cell_fn=synthetic_fit, force=True)
    assert forced.planned == 16 and forced.done == 16  # budget 2: new cells


def test_incumbents_from_smac_are_named_by_their_task(write_spec, tmp_path):
    cands = [{"source": "incumbents", "n_trials": 5, "min_budget": 1, "max_budget": 3,
              "tasks": ["0-syna", "0-synb"]}]  # fmt: skip
    spec = write_spec(candidates=cands)
    db = tmp_path / "i.sqlite"
    report = build(spec, db, workers=0, progress=False, cell_fn=synthetic_fit)
    mds = load_metadataset(db)
    assert sorted(mds.incumbent_of.values()) == ["0-syna", "0-synb"]
    assert report.planned == 8 and not report.search_errors
    # searches are not redone on resume
    t0 = time.perf_counter()
    build(spec, db, workers=0, progress=False, cell_fn=synthetic_fit)
    assert time.perf_counter() - t0 < 5


_DRIVER = """
import sys
from zapml.metadataset import build
from zapml.metadataset.testing import synthetic_fit
build(sys.argv[1], sys.argv[2], workers=1, progress=False, cell_fn=synthetic_fit)
"""


@pytest.mark.slow
def test_sigkill_and_restart_loses_and_duplicates_nothing(write_spec, tmp_path):
    # budget 20 -> each fake cell sleeps 0.2 s; 4 tasks x 6 pipelines x 2 seeds = 48 cells
    spec = write_spec(candidates=[{"source": "random", "n": 6}], repeats=2, budget=20)
    db = tmp_path / "k.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", _DRIVER, str(spec), str(db)],
                            start_new_session=True)  # fmt: skip
    try:
        n = 0
        deadline = time.time() + 120
        while n < 5:
            assert time.time() < deadline and proc.poll() is None
            time.sleep(0.2)
            if db.exists():
                try:
                    with sqlite3.connect(db) as con:
                        n = con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
                except sqlite3.OperationalError:  # tables not created yet
                    n = 0
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its worker, mid-build
        proc.wait()
    with sqlite3.connect(db) as con:
        before = con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    assert 5 <= before < 48
    report = build(spec, db, workers=1, progress=False, cell_fn=synthetic_fit)
    assert report.skipped == before and report.done == 48 - before
    with sqlite3.connect(db) as con:
        keys = [r[0] for r in con.execute("SELECT cell_key FROM runs")]
    mds = load_metadataset(db)
    planned = plan_cells(mds.task_ids, mds.pipeline_ids, [0, 1], budget=20, clock="compute")
    assert sorted(keys) == sorted(c.key for c in planned)  # none lost, none twice
