"""A rich progress bar over the budget (clock seconds), or nothing when ``progress=False``."""

from __future__ import annotations

import time
from types import TracebackType


class Progress:
    """Shows clock seconds out of the budget, train steps and the last validation/test scores.

    Redraws at most every ``REFRESH_SECONDS`` of real time, so it costs nothing measurable.
    """

    REFRESH_SECONDS = 0.25

    def __init__(self, budget: float, clock: str, description: str, enabled: bool = True) -> None:
        self.budget = budget
        self.enabled = enabled
        self._last_draw = 0.0
        self._bar = None
        self._task = None
        if enabled:
            from rich.progress import BarColumn, TextColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TextColumn(f"{{task.completed:>7.1f}}/{budget:.0f} {clock} s"),
                TextColumn("{task.fields[info]}"),
                transient=False,
            )
            self._task = self._bar.add_task(description, total=budget, info="")

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    def update(
        self,
        now: float,
        steps: int,
        valid: float | None,
        test: float | None,
        force: bool = False,
    ) -> None:
        if self._bar is None or self._task is None:
            return
        real = time.perf_counter()
        if not force and real - self._last_draw < self.REFRESH_SECONDS:
            return
        self._last_draw = real
        parts = [f"steps {steps}"]
        if valid is not None:
            parts.append(f"val {valid:.3f}")
        if test is not None:
            parts.append(f"test nauc {test:.3f}")
        self._bar.update(self._task, completed=min(now, self.budget), info="  ".join(parts))
