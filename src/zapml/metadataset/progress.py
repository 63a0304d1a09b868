"""Build progress on the terminal (rich): done/failed/total, throughput and ETA."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class BuildProgress:
    """Counts cells (or another ``unit``); with ``enabled=False`` it only counts (for tests,
    logs, the Python API)."""

    def __init__(self, total: int, already: int = 0, *, enabled: bool = True,
                 console: Console | None = None, unit: str = "cells") -> None:  # fmt: skip
        self.total = total
        self.done = already
        self.failed = 0
        self._new = 0
        self._start = time.perf_counter()
        self.unit = unit
        self._progress: Progress | None = None
        if enabled:
            self._progress = Progress(
                TextColumn(f"[bold]{unit}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("[red]{task.fields[failed]} failed"),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=console,
                transient=False,
            )
            self._task = self._progress.add_task(
                "build", total=total, completed=already, failed=0, rate="-"
            )

    def throughput(self) -> float:
        """Units per minute finished by this run (those stored by earlier runs excluded)."""
        elapsed = time.perf_counter() - self._start
        return 60.0 * self._new / elapsed if elapsed > 0 else 0.0

    def eta_seconds(self) -> float | None:
        rate = self.throughput()
        return (self.total - self.done) * 60.0 / rate if rate > 0 else None

    def advance(self, *, failed: bool = False) -> None:
        self.done += 1
        self._new += 1
        self.failed += int(failed)
        if self._progress is not None:
            rate = f"{self.throughput():.1f} {self.unit}/min"
            self._progress.update(self._task, advance=1, failed=self.failed, rate=rate)

    def __enter__(self) -> BuildProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.stop()
