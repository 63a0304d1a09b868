"""How many cores other processes keep busy right now, measured from the kernel's CPU counters.

A wall-clock fit runs as many threads as there are free cores (``fit.free_threads``): more threads
than free cores spin at OpenMP barriers while another process holds their core, and a run then
does a fraction of its work. The 1-minute load average used to say how busy the machine was, less
1.0 for this process, but when a fit asks, this process has run only a few seconds and is a small
part of that average (it moves by 1 - exp(-t/60): about 0.1 after 5 s), so one other busy core
read as about none. On the 2-core development machine, beside one single-threaded busy process,
README command 1's fit (`zap fit animal_mnist --budget 60`) took both cores by the load average and
made 51 training steps (test accuracy 0.699); measured as here, it took one and made 120 (0.930);
idle, it takes both either way (181 steps, 0.960; ``benchmarks/bench_busy_machine.py``).

Linux counts every core's busy time in /proc/stat and this process's own CPU time separately, so
the cores others used over a window are (busy seconds - own seconds) / wall seconds, exactly,
whatever this process did meanwhile. ``mark()`` starts a window (``zap fit`` marks when it starts,
so the window is its loading and ranking, at no cost to the budget); ``others_busy_cores()`` ends
it and starts the next. Without a recent mark it samples a short window of its own. Where /proc/stat
is missing (macOS, Windows) it returns None and the caller falls back to the load average.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

#: The shortest window worth dividing by: /proc/stat counts in clock ticks (10 ms at the usual 100
#: Hz), so over 0.25 s on 2 cores one tick either way moves the answer by 0.04 of a core.
MIN_WINDOW_SECONDS = 0.25
#: A mark older than this describes a different moment (a library caller that marked and then
#: did other work for minutes); a fresh short window is sampled instead.
MAX_WINDOW_SECONDS = 120.0
#: /proc/stat's "cpu" columns that are work: user, nice, system, irq, softirq. Not idle or iowait
#: (waiting), not steal (the hypervisor's, not this machine's processes), not guest (already in
#: user).
BUSY_COLUMNS = (0, 1, 2, 5, 6)
STAT_FILE = Path("/proc/stat")


@dataclass(frozen=True)
class CpuSample:
    """The machine's busy CPU seconds and this process's own CPU seconds at one wall time."""

    wall: float
    busy: float
    own: float


def sample(stat_file: Path = STAT_FILE) -> CpuSample | None:
    """The counters now; None where the kernel does not expose them."""
    try:
        first = stat_file.read_text().splitlines()[0].split()
        ticks = os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None
    if not first or first[0] != "cpu":
        return None
    try:
        busy = sum(int(first[1 + column]) for column in BUSY_COLUMNS) / ticks
    except (IndexError, ValueError):
        return None
    return CpuSample(time.perf_counter(), busy, time.process_time())


def others_between(start: CpuSample, end: CpuSample) -> float:
    """Cores other processes kept busy from ``start`` to ``end`` (never below 0: the own and busy
    counters tick at different moments, so an idle machine can read a hair negative)."""
    wall = end.wall - start.wall
    if wall <= 0:
        raise ValueError(f"The window must move forward in time; it spans {wall:g} s.")
    return max(0.0, ((end.busy - start.busy) - (end.own - start.own)) / wall)


_window_start: CpuSample | None = None


def mark() -> None:
    """Start a window now (``zap fit`` calls it as it starts)."""
    global _window_start
    _window_start = sample()


def others_busy_cores() -> float | None:
    """Cores busy with other processes since the last mark (or call), the window at least
    ``MIN_WINDOW_SECONDS`` (it waits out the rest) and at most ``MAX_WINDOW_SECONDS`` old (else a
    fresh minimal one); None without /proc/stat. Ends the window and starts the next."""
    global _window_start
    start = _window_start
    if start is None or time.perf_counter() - start.wall > MAX_WINDOW_SECONDS:
        start = sample()
        if start is None:
            return None
    rest = MIN_WINDOW_SECONDS - (time.perf_counter() - start.wall)
    if rest > 0:
        time.sleep(rest)
    end = sample()
    if end is None:
        return None
    _window_start = end
    return others_between(start, end)
