"""Wall seconds -> compute seconds on this machine, measured once and cached.

Selectors learn from meta-datasets measured on the compute clock, so their budget input is in
compute seconds (``costs.py``: counted work in the reference machine's seconds). A ``zap fit
--budget 60`` on the wall clock means 60 real seconds here; what a selector should be told is how
many compute seconds of work this machine does in that time. ``measure`` times a few train steps
and forward passes of small zoo backbones (random init: no weights needed) with the thread count a
wall-clock fit uses, and compares them with what the compute clock charges for the same work:
``ratio = counted / measured`` compute seconds per wall second (above 1: faster than the reference
machine). The result is cached per machine under the user cache folder (``$ZAPML_CACHE``, else
``~/.cache/zapml``) in ``calibration/``, keyed by host, CPU model, torch version, thread count
and the compute clock's cost model, so it is measured once (a few seconds) and redone only when
one of those changes or the user asks (``zap calibrate --recalibrate``).

Each device has its own ratio: a run whose network computes on a GPU (``zap fit --device cuda``)
does the counted work many times faster than the CPU does, so the probe runs on that device (its
name is part of the key) and a GPU run's selector is told the compute seconds the GPU affords.

The conversion is of training work only: a wall-clock budget also pays start-up, data loading and
saving, which the compute clock never counts; the ratio ignores that overhead. (On a GPU the
batches are still drawn and augmented on the CPU, so for the smallest backbones the ratio
overstates what a GPU run gets.)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zapml._numbers import readable
from zapml.errors import PipelineError
from zapml.runtime.device import CPU

if TYPE_CHECKING:
    import torch

#: Bump when the probe (models, sizes, repeats, layout) changes: older cached ratios are then
#: ignored. 2: the probe runs in the runtime's layout (``runtime.layout``), as fit does. 3: the
#: probe runs on the run's device, whose label is part of the key.
CALIBRATION_VERSION = 3
#: Small zoo backbones of two families (an inverted-residual and a plain residual net), with
#: random weights so the probe runs offline; at 32 px and batch 16 one step takes about 0.05-0.1 s
#: on the reference machine, so the whole probe stays within a few seconds.
PROBE_ARCHITECTURES = ("mobilenetv2_100.scratch", "resnet18.scratch")
PROBE_SIDE = 32
PROBE_BATCH = 16
#: Timed repeats per probe after one untimed warm-up (first calls allocate and pick kernels); the
#: median keeps one disturbed repeat on a shared machine from setting the ratio.
PROBE_REPEATS = 3
CACHE_FOLDER = "calibration"
#: How many cores others' work (``fit.others_load``: measured from the kernel's CPU counters, else
#: the load average) may exceed what the probe's threads leave free by before the measurement is
#: one of a busy machine, used for the run at hand and not cached: short system work reads as a
#: fraction of a core on an idle machine (the 1-minute load average, the fallback, carries half a
#: core of such noise), and a ratio measured while other work shared the probe's cores is the
#: load's, not the machine's. On the 2-core development machine, with four processes busy, one
#: thread measured 0.435 compute-s per wall-s against 2.2 at two threads when idle, and that ratio,
#: cached, would have told every later one-thread run a quarter of its budget.
BUSY_SLACK_CORES = 0.5


@dataclass(frozen=True)
class Probe:
    """One piece of work: what the compute clock charges for it, and how to run it once."""

    name: str
    counted_seconds: float
    run: Callable[[], None]


@dataclass(frozen=True)
class Calibration:
    """Compute seconds per wall second on the machine ``key`` describes, measured at
    ``measured_at`` (ISO date) in ``probe_seconds`` wall seconds; ``cached`` when read back."""

    ratio: float
    key: dict[str, str]
    measured_at: str
    probe_seconds: float
    cached: bool = field(default=False, compare=False)
    #: Cores busy with other work while it was measured, when over what the probe left free
    #: (``BUSY_SLACK_CORES``): such a measurement is used once and not cached.
    busy_cores: float | None = field(default=None, compare=False)

    def to_compute(self, wall_seconds: float) -> float:
        return float(wall_seconds) * self.ratio

    def describe(self, wall_seconds: float) -> str:
        """E.g. "budget 60 wall-s = 45 compute-s on this machine (calibrated ...)"."""
        how = "cached" if self.cached else f"measured now in {self.probe_seconds:.1f} s"
        if self.busy_cores is not None:
            how += (
                f" while other work kept about {self.busy_cores:.1f} core(s) busy, so for this run "
                "only, not cached"
            )
        on = self.key.get("device", CPU)
        return (
            f"budget {wall_seconds:g} wall-s = {readable(self.to_compute(wall_seconds))} "
            f"compute-s on this machine{'' if on == CPU else f' ({on})'} (calibrated "
            f"{self.measured_at[:10]} with {self.key['threads']} thread(s): {self.ratio:.3g} "
            f"compute-s per wall-s, {how}; `zap calibrate --recalibrate` measures again)"
        )


def machine_key(threads: int, device: str = CPU) -> dict[str, str]:
    """What the ratio depends on: the machine, the device the network computes on (its
    ``device_label``), torch, the thread count and the cost model."""
    import torch

    from zapml.runtime import costs

    model = hashlib.sha256(Path(costs.__file__).read_bytes()).hexdigest()[:16]
    return {
        "host": platform.node(),
        "cpu": _cpu_model(),
        "device": device,
        "torch": str(torch.__version__),
        "threads": str(int(threads)),
        "cost_model": model,
        "calibration_version": str(CALIBRATION_VERSION),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def measure(
    probes: Sequence[Probe],
    timer: Callable[[], float] = time.perf_counter,
    repeats: int = PROBE_REPEATS,
) -> tuple[float, float]:
    """``(ratio, wall seconds spent)``: the summed counted seconds over the summed median
    measured seconds of the probes."""
    if not probes or repeats < 1:
        raise ValueError("measure needs at least one probe and one repeat.")
    start = timer()
    counted = measured = 0.0
    for probe in probes:
        probe.run()  # warm-up, not timed
        times = []
        for _ in range(repeats):
            t0 = timer()
            probe.run()
            times.append(timer() - t0)
        counted += probe.counted_seconds
        measured += statistics.median(times)
    if not measured > 0 or not counted > 0:
        raise PipelineError(
            f"Calibration measured {measured:g} s for {counted:g} counted s; both must be "
            "positive. Run `zap calibrate --recalibrate` again."
        )
    return counted / measured, timer() - start


def default_probes(device: torch.device | None = None) -> list[Probe]:
    """One train step and one forward pass per probe backbone on ``device`` (default: the CPU),
    with their counted seconds (counted on the CPU before the model moves, as fit does)."""
    import torch
    import torch.nn.functional as F

    from zapml.runtime.costs import profile_model
    from zapml.runtime.layout import DEFAULT_LAYOUT, apply_layout
    from zapml.zoo import load_backbone

    where = device if device is not None else torch.device(CPU)
    probes = []
    for arch in PROBE_ARCHITECTURES:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)  # scratch weights come from the global RNG: leave it as found
            model = load_backbone(arch, num_classes=10)
        profile = profile_model(model, (PROBE_SIDE, PROBE_SIDE))
        apply_layout(model, DEFAULT_LAYOUT)  # the layout fit trains in, after counting as fit
        model.to(where)
        params = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.SGD(params, lr=1e-3, momentum=0.9)
        x = torch.randn(PROBE_BATCH, 3, PROBE_SIDE, PROBE_SIDE, generator=torch.Generator())
        x, y = x.to(where), (torch.arange(PROBE_BATCH) % 10).to(where)

        def step(model: Any = model, opt: Any = opt, x: Any = x, y: Any = y) -> None:
            model.train()
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y).backward()
            opt.step()
            _wait_for(x.device)

        def forward(model: Any = model, x: Any = x) -> None:
            model.eval()
            with torch.no_grad():
                model(x)
            _wait_for(x.device)

        trainable = sum(p.numel() for p in params)
        probes += [
            Probe(f"{arch} train step", profile.train_step_seconds(PROBE_BATCH, trainable), step),
            Probe(f"{arch} forward", profile.forward_seconds(PROBE_BATCH, PROBE_BATCH), forward),
        ]
    return probes


def _wait_for(device: torch.device) -> None:
    """Block until the device has finished what was queued: a GPU runs kernels asynchronously,
    and a probe timed without waiting would measure only their launch."""
    if device.type == "cuda":
        import torch

        torch.cuda.synchronize(device)


def cache_path(key: dict[str, str], cache_dir: Path | None = None) -> Path:
    from zapml.data.cache import cache_root

    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return (cache_dir or cache_root()) / CACHE_FOLDER / f"{digest}.json"


def read_cached(key: dict[str, str], cache_dir: Path | None = None) -> Calibration | None:
    """The cached calibration for ``key``; None when absent, unreadable or for another key."""
    try:
        data = json.loads(cache_path(key, cache_dir).read_text())
        found = Calibration(**{**data, "cached": True})
    except (OSError, ValueError, TypeError):
        return None
    if found.key != key or not (isinstance(found.ratio, float) and found.ratio > 0):
        return None
    return found


def _write(calibration: Calibration, cache_dir: Path | None) -> None:
    """Write to a temporary name and rename, so a concurrent reader never sees half a file."""
    path = cache_path(calibration.key, cache_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {k: v for k, v in asdict(calibration).items() if k not in ("cached", "busy_cores")}
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
    os.replace(fh.name, path)


@contextlib.contextmanager
def _threads(count: int) -> Iterator[None]:
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def calibrate(
    *,
    threads: int | None = None,
    recalibrate: bool = False,
    device: str | None = CPU,
    cache_dir: Path | None = None,
    probes: Callable[[torch.device], Sequence[Probe]] | None = None,
    timer: Callable[[], float] = time.perf_counter,
) -> Calibration:
    """This machine's calibration for ``threads`` (default: what a wall-clock fit would use now,
    ``fit.free_threads``) with the network on ``device`` (a ``resolve_device`` name): the cached
    one unless ``recalibrate``, else measured by ``probes`` (default ``default_probes``, looked up
    when called), and cached unless other work shared the probe's cores (``busy_while``)."""
    from zapml.runtime.device import device_label, exact_float32, resolve_device
    from zapml.runtime.fit import free_threads, others_load

    where = resolve_device(device)
    if threads is None:
        threads = free_threads()
    key = machine_key(threads, device_label(where))
    if not recalibrate and (found := read_cached(key, cache_dir)) is not None:
        return found
    load_before = others_load()
    with _threads(int(threads)), exact_float32(where):
        ratio, spent = measure((probes or default_probes)(where), timer)
    busy = busy_while(int(threads), max(load_before, others_load()))
    now = datetime.now(UTC).isoformat(timespec="seconds")
    result = Calibration(float(ratio), key, now, float(spent), busy_cores=busy)
    if busy is None:
        _write(result, cache_dir)
    return result


def busy_while(threads: int, others: float, cores: int | None = None) -> float | None:
    """``others`` (cores busy with other work) when they and the probe's ``threads`` exceed the
    machine's ``cores`` (default: all) by more than ``BUSY_SLACK_CORES``; else None."""
    cores = cores if cores is not None else (os.cpu_count() or 1)
    return others if threads + others > cores + BUSY_SLACK_CORES else None


@dataclass(frozen=True)
class ComputeBudget:
    """A run's budget in compute seconds and the line that says how it was obtained."""

    seconds: float
    note: str
    calibration: Calibration | None = None


@dataclass(frozen=True)
class WallConversion:
    """How a wall-clock budget becomes compute seconds: the device the run's network computes on
    (each has its own ratio) and whether to measure again instead of reading the cache."""

    device: str = CPU
    recalibrate: bool = False
    #: the ratio this run has measured already (``measured_once``), reused by every later
    #: conversion of the run instead of measuring again
    measured: Calibration | None = None


def measured_once(conversion: WallConversion | None, clock: str) -> WallConversion | None:
    """``conversion`` with its ratio measured now when a wall-clock run asks to measure again, so
    that the run's several conversions (the probe gate's and the selector's budget) share one
    probe pass; otherwise ``conversion`` as it is (read from the cache when needed)."""
    if clock != "wall" or conversion is None or not conversion.recalibrate or conversion.measured:
        return conversion
    return replace(conversion, measured=calibrate(recalibrate=True, device=conversion.device))


def compute_budget(
    budget: float,
    clock: str,
    conversion: WallConversion | None = None,
    **calibrate_kw: Any,
) -> ComputeBudget:
    """``budget`` seconds of ``clock`` in compute seconds: as is on the compute clock, through
    this machine's calibration for ``conversion.device`` (default: the CPU, cached ratio; the one
    the run measured already, when it has) on the wall clock."""
    if clock == "compute":
        # a budget less a probe pass has many digits: shown readably, kept whole for the run
        return ComputeBudget(float(budget), f"budget {readable(budget)} compute-s (compute clock)")
    if clock != "wall":
        raise ValueError(f"The clock must be 'wall' or 'compute'. Got {clock!r} instead.")
    conversion = conversion or WallConversion()
    found = conversion.measured or calibrate(
        recalibrate=conversion.recalibrate, device=conversion.device, **calibrate_kw
    )
    return ComputeBudget(found.to_compute(budget), found.describe(budget), found)
