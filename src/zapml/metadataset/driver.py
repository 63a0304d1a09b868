"""What keeps one build driver safe to run: an exclusive lock on its store and a SIGTERM that
stops the driver (and, through ``Executor.kill``, its workers) instead of orphaning them.

The lock is ``fcntl.flock`` on ``<db>.lock``: the kernel releases it when the holding process
dies, however it dies, so a killed build never leaves a stale lock behind. A probe fill
(``zap metadataset probe``) takes its own lock, ``<db>.probe.lock``: it writes only the
``task_features`` table, which no build touches, in one short transaction per task (SQLite's WAL
and busy timeout serialise those with the build's run inserts), so one probe fill and one build
may run on the same store at once, but not two of either.
"""

from __future__ import annotations

import fcntl
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Literal

from zapml.errors import ArtifactError, ZapError


class BuildLockedError(ZapError):
    """Another build is writing the same store."""


#: who writes the store: a build (runs) or a probe fill (task features); each has its own lock
Writer = Literal["build", "probe"]
#: writer -> (its lock file's suffix, how errors name it)
_WRITERS: dict[str, tuple[str, str]] = {
    "build": (".lock", "build"),
    "probe": (".probe.lock", "probe fill (zap metadataset probe)"),
}


def lock_path(db: Path, writer: Writer = "build") -> Path:
    return db.with_name(db.name + _WRITERS[writer][0])


@contextmanager
def build_lock(db: Path, *, wait: bool = False, writer: Writer = "build") -> Iterator[None]:
    """Hold the store's lock of ``writer`` for the ``with`` block. Another holder: refuse at once
    with its pid, or with ``wait=True`` block until it finishes."""
    path = lock_path(db, writer)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise ArtifactError(
            f"Cannot create the build lock '{path}' ({err.strerror}): make the store's folder "
            "writable, or pass another --db."
        ) from None
    try:
        _acquire(fd, db, wait, writer)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _acquire(fd: int, db: Path, wait: bool, writer: Writer) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if not wait:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            who = _WRITERS[writer][1]
            raise BuildLockedError(
                f"Another {who} (pid {holder}) is writing '{db}'. Wait for it to finish, "
                f"stop it (kill {holder}; what it stored is kept), or pass --wait to start when "
                "it ends."
            ) from None
        fcntl.flock(fd, fcntl.LOCK_EX)


class Terminated(SystemExit):
    """Raised in the driver by SIGTERM so that cleanup (stopping workers) runs."""


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into ``Terminated`` (exit code 143) for the ``with`` block. Only the main
    thread can install handlers; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Terminated(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
