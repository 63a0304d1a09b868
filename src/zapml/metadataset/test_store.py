import sqlite3

import numpy as np
import pytest

from zapml.metadataset.record import RunRecord
from zapml.metadataset.store import SpecMismatchError, Store
from zapml.space import sample_pipelines


def _row(key: str, task: str, pid: str, seed: int, status: str = "ok", alc=None) -> RunRecord:
    return RunRecord(cell_key=key, task_id=task, pipeline_id=pid, seed=seed, budget=1.0,
                     clock="compute", status=status, alc=alc, curve=((0.5, 0.1),),
                     error=None if status == "ok" else "boom")  # fmt: skip


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "m.sqlite")
    s.add_task("0-a", "a", {"num_classes": 3.0}, domain="dom")
    s.add_task("1-a", "a", {"num_classes": 5.0}, domain="dom")
    for p in sample_pipelines(2, seed=0):
        s.add_pipeline(p, "random:x")
    yield s
    s.close()


def test_wal_and_unique_cell_key(store):
    mode = store._con.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    pid = next(iter(store.pipelines()))
    store.add_run(_row("k1", "0-a", pid, 0, alc=0.5))
    store.add_run(_row("k1", "0-a", pid, 0, alc=0.7))  # a retry replaces, never duplicates
    runs = store.runs()
    assert len(runs) == 1 and runs["alc"].iloc[0] == 0.7
    with pytest.raises(sqlite3.IntegrityError):
        store._con.execute("INSERT INTO runs (cell_key, task_id, pipeline_id, seed, status) "
                           "VALUES ('k1', '0-a', ?, 0, 'ok')", (pid,))  # fmt: skip


def test_metadataset_means_repeats_and_scores_failures(store):
    p1, p2 = list(store.pipelines())
    store.add_run(_row("a", "0-a", p1, 0, alc=0.2))
    store.add_run(_row("b", "0-a", p1, 1, alc=0.4))
    store.add_run(_row("c", "1-a", p2, 0, status="failed"))  # no prediction: ALC 0 (AutoDL)
    store.add_run(_row("d", "1-a", p1, 0, status="failed", alc=0.3))  # partial curve
    mds = store.to_metadataset()
    assert mds.perf.loc["0-a", p1] == pytest.approx(0.3)
    assert mds.perf.loc["1-a", p2] == 0.0
    assert mds.perf.loc["1-a", p1] == pytest.approx(0.3)
    assert np.isnan(mds.perf.loc["0-a", p2])
    assert store.to_metadataset(failed="nan").perf.loc["1-a", p2] != 0.0
    assert mds.curves[("0-a", p1)] == [(0.5, 0.1)]
    assert mds.domains == {"a": "dom"}
    assert store.counts() == {"runs": 4, "ok": 2, "failed": 2}


def test_spec_hash_decides_resume(tmp_path):
    with Store(tmp_path / "b.sqlite") as s:
        first = s.begin_build("h1", {"name": "x"})
        assert s.begin_build("h1", {"name": "x"}) == first  # resume
        with pytest.raises(SpecMismatchError, match="new database.*--force"):
            s.begin_build("h2", {"name": "y"})
        forced = s.begin_build("h2", {"name": "y"}, force=True)
        assert forced != first
        assert s.begin_build("h2", {}) == forced
