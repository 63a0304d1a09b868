"""Learning-rate schedule: linear warm-up, then cosine (over the clock) or reduce-on-plateau.

Warm-up follows the gradual warm-up the ZAP runtime used: with ``warmup_multiplier`` m > 1 the
rate climbs linearly from ``lr`` to ``m * lr``; with m = 1 it climbs from ~0 to ``lr``. It lasts
``warm_up_epoch`` epochs, but never more than ``WARMUP_BUDGET_SHARE`` of the budget left at the
first step, so a short
budget with long epochs still leaves time to anneal (progress is the larger of the two fractions,
so the rate stays continuous).

After warm-up, *cosine* anneals from the peak to ``min_lr`` at the end of the budget, measured on
the run's clock: the number of epochs a budget allows is unknown in advance, time is not.
*Plateau* halves the rate when the epoch's training loss has not improved by 0.1% for
``PLATEAU_PATIENCE`` epochs, never below ``min_lr``.
"""

from __future__ import annotations

import math

WARMUP_BUDGET_SHARE = 0.15
PLATEAU_PATIENCE = 3
PLATEAU_FACTOR = 0.5
PLATEAU_THRESHOLD = 1e-3


class LRSchedule:
    def __init__(
        self,
        *,
        lr: float,
        min_lr: float,
        kind: str,
        warmup_multiplier: float,
        warmup_steps: int,
        budget: float,
    ) -> None:
        if kind not in ("cosine", "plateau"):
            raise ValueError(
                f"The 'scheduler' hyperparameter must be 'cosine' or 'plateau'; got {kind!r}."
            )
        self.base_lr = lr
        self.min_lr = min(min_lr, lr)
        self.kind = kind
        self.multiplier = warmup_multiplier
        self.warmup_steps = max(1, warmup_steps)
        self.budget = budget
        self.peak = lr * warmup_multiplier
        self._start_time: float | None = None
        self._warmup_end_time: float | None = None
        self._plateau_lr = self.peak
        self._best_loss = math.inf
        self._bad_epochs = 0

    def warmup_progress(self, step: int, now: float) -> float:
        # Time counts from the first step (the simple model may have used part of the budget).
        if self._start_time is None:
            self._start_time = now
        span = WARMUP_BUDGET_SHARE * max(self.budget - self._start_time, 1e-9)
        by_time = (now - self._start_time) / span
        return min(1.0, max(step / self.warmup_steps, by_time))

    def lr(self, step: int, now: float) -> float:
        """Rate for train step ``step`` (0-based) taken at clock time ``now``."""
        progress = self.warmup_progress(step, now)
        if progress < 1.0:
            if self.multiplier == 1.0:
                # From ~0 (never exactly 0: the first step must move) up to lr.
                return self.base_lr * max(progress, 1.0 / self.warmup_steps)
            return self.base_lr * (1.0 + (self.multiplier - 1.0) * progress)
        if self._warmup_end_time is None:
            self._warmup_end_time = now
        if self.kind == "plateau":
            return self._plateau_lr
        return self._cosine(now)

    def _cosine(self, now: float) -> float:
        start = self._warmup_end_time or 0.0
        span = max(self.budget - start, 1e-9)
        q = min(1.0, max(0.0, (now - start) / span))
        return self.min_lr + (self.peak - self.min_lr) * 0.5 * (1.0 + math.cos(math.pi * q))

    def end_epoch(self, train_loss: float) -> None:
        """Feed the epoch's mean training loss (only the plateau schedule uses it)."""
        if self.kind != "plateau" or self._warmup_end_time is None:
            return
        if train_loss < self._best_loss * (1.0 - PLATEAU_THRESHOLD):
            self._best_loss = train_loss
            self._bad_epochs = 0
            return
        self._bad_epochs += 1
        if self._bad_epochs >= PLATEAU_PATIENCE:
            self._plateau_lr = max(self._plateau_lr * PLATEAU_FACTOR, self.min_lr)
            self._bad_epochs = 0
