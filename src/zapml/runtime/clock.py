"""The two clocks a run can be timed by.

``WallClock`` is AutoDL's clock: real seconds since the training data was presented. It is what a
user waiting for ``zap fit`` experiences, but it depends on the machine and on whatever else runs
on it.

``ComputeClock`` advances only when the runtime *charges* it for counted work (see ``costs.py``):
the floating-point operations and memory traffic of each forward/backward pass, per-image
preprocessing, the simple model. Counted work does not depend on machine load, so a run timed by
the compute clock makes the same decisions (when to predict, when to stop, the LR schedule) every
time and its learning curve and ALC are reproducible on a busy or different machine. What a unit
of counted work costs is the *clock version*'s reference rates (``costs.CLOCK_VERSIONS``): runs
record the version they were charged with, so a run stays reproducible after the rates change.

The runtime charges both clocks the same way; the wall clock simply ignores the charges.
"""

from __future__ import annotations

import time
from typing import Literal

ClockName = Literal["wall", "compute"]


class Clock:
    """Seconds since ``start()``; ``charge(seconds)`` reports counted work done since then."""

    name: ClockName

    def start(self) -> None:
        raise NotImplementedError

    def now(self) -> float:
        raise NotImplementedError

    def charge(self, seconds: float) -> None:
        raise NotImplementedError


class WallClock(Clock):
    name: ClockName = "wall"

    def __init__(self) -> None:
        self._t0: float | None = None

    def start(self) -> None:
        self._t0 = time.perf_counter()

    def now(self) -> float:
        if self._t0 is None:
            return 0.0
        return time.perf_counter() - self._t0

    def charge(self, seconds: float) -> None:
        # Real time passes by itself; counted work is only bookkeeping for this clock.
        del seconds


class ComputeClock(Clock):
    name: ClockName = "compute"

    def __init__(self) -> None:
        self._seconds = 0.0

    def start(self) -> None:
        self._seconds = 0.0

    def now(self) -> float:
        return self._seconds

    def charge(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"ComputeClock.charge: seconds must be >= 0; got {seconds}.")
        self._seconds += seconds


def make_clock(name: str) -> Clock:
    if name == "wall":
        return WallClock()
    if name == "compute":
        return ComputeClock()
    raise ValueError(
        f"The 'clock' parameter of fit must be 'wall' or 'compute'. Got {name!r} instead."
    )
