"""What keeps one build driver safe to run: an exclusive lock on its store and a SIGTERM that
stops the driver (and, through ``Executor.kill``, its workers) instead of orphaning them.

The lock is ``fcntl.flock`` on ``<db>.lock``: the kernel releases it when the holding process
dies, however it dies, so a killed build never leaves a stale lock behind.
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

from zapml.errors import ArtifactError, ZapError


class BuildLockedError(ZapError):
    """Another build is writing the same store."""


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


@contextmanager
def build_lock(db: Path, *, wait: bool = False) -> Iterator[None]:
    """Hold the store's build lock for the ``with`` block. Another holder: refuse at once with
    its pid, or with ``wait=True`` block until it finishes."""
    path = lock_path(db)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise ArtifactError(
            f"Cannot create the build lock '{path}' ({err.strerror}): make the store's folder "
            "writable, or pass another --db."
        ) from None
    try:
        _acquire(fd, db, wait)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _acquire(fd: int, db: Path, wait: bool) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if not wait:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise BuildLockedError(
                f"Another build (pid {holder}) is writing '{db}'. Wait for it to finish, stop it "
                f"(kill {holder}; the cells it stored are kept), or pass --wait to start when it "
                "ends."
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
