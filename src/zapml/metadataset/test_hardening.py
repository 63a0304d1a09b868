"""Inputs that must not hurt: damaged or read-only stores, bad imports. Real files, real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zapml.cli.app import app
from zapml.errors import ArtifactError
from zapml.metadataset import build, load_metadataset
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
