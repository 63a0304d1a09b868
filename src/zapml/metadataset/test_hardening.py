"""Inputs that must not hurt: damaged or read-only stores, bad imports. Real files, real CLI."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from zapml.cli.app import app
from zapml.errors import ArtifactError
from zapml.metadataset import build, export, import_, load_metadataset
from zapml.metadataset.store import Store
from zapml.metadataset.testing import synthetic_fit

runner = CliRunner()
SRC = Path(__file__).resolve().parents[2]


@pytest.fixture
def real_db(write_spec, tmp_path):
    spec = write_spec()
    db = tmp_path / "real.sqlite"
    build(spec, db, workers=0, progress=False, cell_fn=synthetic_fit)
    return spec, db


def _damaged(kind: str, real: Path, folder: Path) -> Path:
    path = folder / f"{kind}.sqlite"
    if kind == "truncated":  # a copy cut short: the header is right, the pages are missing
        path.write_bytes(real.read_bytes()[:1000])
    else:
        path.write_bytes(os.urandom(4096))
    return path


def _one_line_error(result, path: Path, fix: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert str(path) in result.output.replace("\n", "") and fix in result.output


@pytest.mark.parametrize("kind", ["truncated", "random"])
def test_a_damaged_store_is_one_message_for_every_reader(real_db, tmp_path, kind):
    spec, real = real_db
    bad = _damaged(kind, real, tmp_path)
    with pytest.raises(ArtifactError, match="damaged or not an SQLite file.*rebuild it"):
        load_metadataset(bad)
    for args in (
        ["metadataset", "status", str(bad)],
        ["metadataset", "export", str(bad), str(tmp_path / "out"), "--format", "csv"],
        ["metadataset", "build", str(spec), "--db", str(bad), "--workers", "0", "--no-progress"],
        ["selector", "train", str(bad), "-o", str(tmp_path / "sel")],
    ):
        result = runner.invoke(app, args)
        _one_line_error(result, bad, "rebuild it")


def test_an_sqlite_file_that_is_no_store_is_named(tmp_path):
    import sqlite3

    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE t (x)")
    with pytest.raises(ArtifactError, match="not a zapml meta-dataset store"):
        load_metadataset(other)


def _as_unprivileged(args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user that file permissions apply to (root ignores them)."""
    cmd = [sys.executable, "-m", "zapml.cli.app", *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        cmd = [setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups", *cmd]
    env = {**os.environ, "PYTHONPATH": str(SRC), "HOME": "/tmp"}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def shared_dir(tmp_path_factory):
    # outside pytest's private tmp folder, which another user cannot enter
    folder = Path(tmp_path_factory.mktemp("ro", numbered=True))
    path = Path("/tmp") / f"zapml-ro-{os.getpid()}-{folder.name}"
    path.mkdir(mode=0o755)
    yield path
    for p in [path, *path.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    shutil.rmtree(path)


def test_a_read_only_store_is_read_and_refuses_writes_with_one_message(real_db, shared_dir):
    spec, real = real_db
    folder = shared_dir / "store"
    folder.mkdir()
    db = folder / "m.sqlite"
    shutil.copy(real, db)
    spec_copy = shared_dir / "spec.yaml"
    shutil.copy(spec, spec_copy)
    db.chmod(0o444)
    folder.chmod(0o555)  # an installed package's data: no -shm or -wal can be created
    shared_dir.chmod(0o755)
    status = _as_unprivileged(["metadataset", "status", str(db)])
    assert status.returncode == 0, status.stderr
    assert "tasks" in status.stdout
    built = _as_unprivileged(["metadataset", "build", str(spec_copy), "--db", str(db),
                              "--workers", "0", "--no-progress"])  # fmt: skip
    assert built.returncode == 2, built.stdout + built.stderr
    assert "Traceback" not in built.stderr
    assert str(db) in built.stderr.replace("\n", "") and "writable" in built.stderr


_DRIVER = """
import sys
from zapml.metadataset import build
from zapml.metadataset.testing import synthetic_fit
extra = {"wait": True} if sys.argv[4:] == ["wait"] else {}
build(sys.argv[1], sys.argv[2], workers=int(sys.argv[3]), progress=False, cell_fn=synthetic_fit,
      **extra)
"""


def _start_driver(spec: Path, db: Path, workers: int, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    cmd = [sys.executable, "-c", _DRIVER, str(spec), str(db), str(workers), *extra]
    # its own session: the test kills exactly the driver, never itself
    return subprocess.Popen(cmd, env=env, start_new_session=True)


def _stored(db: Path) -> int:
    import sqlite3

    try:
        with sqlite3.connect(db) as con:
            return int(con.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            continue
    return out


def _workers(pid: int) -> set[int]:
    found = set()
    for child in _children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline and b"resource_tracker" not in cmdline:
            found.add(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie holds no memory; only its exit code


def _wait_for(condition, seconds: float, proc) -> None:
    deadline = time.time() + seconds
    while not condition():
        assert proc.poll() is None, "the driver ended early"
        assert time.time() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_their_driver_and_the_build_resumes(write_spec, tmp_path, sig):
    # budget 100 -> each fake cell sleeps 1 s; 4 tasks x 4 pipelines x 2 seeds = 32 cells
    spec = write_spec(repeats=2, budget=100)
    db = tmp_path / "w.sqlite"
    driver = _start_driver(spec, db, workers=2)
    try:
        _wait_for(lambda: len(_workers(driver.pid)) == 2 and _stored(db) >= 2, 120, driver)
        workers = _workers(driver.pid)
        os.kill(driver.pid, sig)
        driver.wait(timeout=30)
    finally:
        if driver.poll() is None:
            driver.kill()
    deadline = time.time() + 5
    while any(_alive(w) for w in workers) and time.time() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)], "workers outlived their driver"
    before = _stored(db)
    assert 2 <= before < 32
    report = build(spec, db, workers=0, progress=False, cell_fn=synthetic_fit)
    assert (report.skipped, report.done) == (before, 32 - before)
    with Store(db, create=False) as store:
        keys = [r.cell_key for r in store.records()]
    assert len(keys) == len(set(keys)) == 32


@pytest.mark.slow
def test_a_second_build_of_the_same_store_refuses_or_waits(write_spec, tmp_path):
    spec = write_spec(budget=100)  # 16 cells of 1 s
    db = tmp_path / "l.sqlite"
    first = _start_driver(spec, db, workers=0)
    second = None
    try:
        _wait_for(lambda: _stored(db) >= 1, 120, first)
        refused = runner.invoke(app, ["metadataset", "build", str(spec), "--db", str(db),
                                      "--workers", "0", "--no-progress"])  # fmt: skip
        assert refused.exit_code == 2, refused.output
        assert f"pid {first.pid}" in refused.output and "--wait" in refused.output
        second = _start_driver(spec, db, 0, "wait")  # build(..., wait=True), as --wait does
        time.sleep(1.5)
        assert second.poll() is None  # queued behind the first
        stored = _stored(db)
        first.send_signal(signal.SIGTERM)  # the lock goes with the process
        assert first.wait(timeout=30) != 0
        assert second.wait(timeout=120) == 0
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
    assert stored < 16 and _stored(db) == 16


def test_importing_runs_already_present_adds_nothing(real_db, tmp_path):
    _, db = real_db
    n = _stored(db)
    assert n == 16
    zap = tmp_path / "zap"
    assert runner.invoke(app, ["metadataset", "export", str(db), str(zap)]).exit_code == 0
    result = runner.invoke(app, ["metadataset", "import", str(zap), str(db)])
    assert result.exit_code == 0, result.output
    assert "'runs_added': 0" in result.output and "'runs_skipped': 16" in result.output
    long = tmp_path / "l.csv"
    assert runner.invoke(app, ["metadataset", "export", str(db), str(long), "--format", "csv"])
    assert import_(long, db) == {"tasks": 4, "pipelines": 4, "runs_added": 0, "runs_skipped": 16}
    assert _stored(db) == n
    # a second copy of the same source into a fresh store is idempotent too
    fresh = tmp_path / "fresh.sqlite"
    assert import_(zap, fresh)["runs_added"] == 16
    assert import_(long, fresh)["runs_added"] == 0  # same cells, as means already present


def test_a_pipeline_outside_the_space_is_refused_naming_file_row_and_hyperparameter(
    real_db, tmp_path
):
    _, db = real_db
    long = export(db, tmp_path / "l.csv", "csv")
    frame = pd.read_csv(long)
    config = json.loads(frame.loc[3, "pipeline_config"])
    bad_pid = frame.loc[3, "pipeline_id"]
    config["lr"] = 50
    frame.loc[frame["pipeline_id"] == bad_pid, "pipeline_config"] = json.dumps(config)
    frame.to_csv(long, index=False)
    first_line = int((frame["pipeline_id"] == bad_pid).to_numpy().argmax()) + 2
    target = tmp_path / "t.sqlite"
    result = runner.invoke(app, ["metadataset", "import", str(long), str(target)])
    assert result.exit_code == 2, result.output
    text = result.output.replace("\n", "")
    assert str(long) in text and f"line {first_line}" in text and "'lr'" in text
    assert _stored(target) == 0  # nothing written
    zap = export(db, tmp_path / "zap", "zap")
    yaml_file = sorted((zap / "configs").glob("*.yaml"))[0]
    yaml_file.write_text(yaml_file.read_text().replace("lr: ", "lr: 50 #", 1))
    with pytest.raises(ArtifactError, match=f"{yaml_file}.*'lr'"):
        import_(zap, tmp_path / "z.sqlite")
