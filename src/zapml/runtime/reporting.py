"""When to make a test prediction: ZAP's growing intervals, scaled to the budget."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# ZAP's interval hyperparameters are seconds of a 1200 s AutoDL budget.
AUTODL_BUDGET = 1200.0


class PredictionSchedule:
    """The first network prediction comes after ``early_epoch`` epochs; later ones at the end of
    an epoch once at least ``gap`` seconds passed since the previous one, the gap growing from
    ``test_after_at_least_seconds`` by ``..._step`` up to ``..._max`` (all scaled by budget/1200 so
    a short budget still gets several points). Independently, an inner training loop that has run
    for ``max_inner_loop_ratio`` of the remaining budget ends in a prediction, even mid-epoch, so
    long epochs cannot starve the learning curve."""

    def __init__(self, pipeline: Mapping[str, Any], budget: float) -> None:
        self.budget = budget
        self.scale = budget / AUTODL_BUDGET
        self.early_epoch = int(pipeline["early_epoch"])
        self.gap = float(pipeline["test_after_at_least_seconds"])
        self.gap_step = float(pipeline["test_after_at_least_seconds_step"])
        self.gap_max = float(pipeline["test_after_at_least_seconds_max"])
        self.inner_ratio = float(pipeline["max_inner_loop_ratio"])
        self.last_time: float | None = None
        self.loop_start = 0.0

    def due_at_epoch_end(self, epochs_done: int, now: float) -> bool:
        if self.last_time is None:
            return epochs_done >= self.early_epoch
        return now - self.last_time >= self.gap * self.scale

    def inner_loop_exhausted(self, now: float) -> bool:
        remaining = max(self.budget - self.loop_start, 0.0)
        return now - self.loop_start >= self.inner_ratio * remaining

    def record(self, now: float) -> None:
        """A prediction finished at ``now``: widen the gap and start a new inner loop."""
        if self.last_time is not None:
            self.gap = min(self.gap + self.gap_step, self.gap_max)
        self.last_time = now
        self.loop_start = now
