"""Wall -> compute calibration: the ratio and conversion arithmetic, and the per-machine cache,
with an injected timer and fake probes (no real timing here)."""

from __future__ import annotations

import importlib
import json

import pytest

from zapml.errors import PipelineError
from zapml.runtime.calibration import (
    BUSY_SLACK_CORES,
    Probe,
    busy_while,
    cache_path,
    calibrate,
    compute_budget,
    machine_key,
    measure,
    read_cached,
)

fit = importlib.import_module("zapml.runtime.fit")  # the module; zapml.runtime.fit is a function


@pytest.fixture(autouse=True)
def _idle_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """No other work on the machine unless a test says so (the real load average varies)."""
    monkeypatch.setattr(fit, "others_load", lambda: 0.0)


class FakeTime:
    """A timer that moves only when a fake probe 'works'."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def probe(self, counted: float, *walls: float) -> Probe:
        """A probe charged ``counted`` compute-s whose successive runs take ``walls`` seconds."""
        steps = iter(walls)

        def run() -> None:
            self.now += next(steps)

        return Probe(f"fake {counted}", counted, run)


def _two_probes(clock: FakeTime) -> list[Probe]:
    # Warm-up first (ignored), then 3 timed repeats whose median counts: 4.0 and 1.0 wall-s.
    return [clock.probe(2.0, 9.0, 4.0, 3.0, 5.0), clock.probe(1.0, 9.0, 1.0, 1.0, 7.0)]


def test_ratio_is_counted_over_median_measured():
    clock = FakeTime()
    ratio, spent = measure(_two_probes(clock), clock)
    assert ratio == pytest.approx((2.0 + 1.0) / (4.0 + 1.0))  # 0.6 compute-s per wall-s
    assert spent == pytest.approx(9 + 4 + 3 + 5 + 9 + 1 + 1 + 7)


def test_a_zero_measurement_is_refused():
    clock = FakeTime()
    with pytest.raises(PipelineError, match="must be positive"):
        measure([clock.probe(1.0, 0.0, 0.0, 0.0, 0.0)], clock)


def test_wall_budget_converts_through_the_cached_calibration(tmp_path):
    clock = FakeTime()
    first = compute_budget(
        60,
        "wall",
        threads=1,
        cache_dir=tmp_path,
        probes=lambda _device: _two_probes(clock),
        timer=clock,
    )
    assert first.seconds == pytest.approx(36.0)  # 60 wall-s x 0.6
    assert first.note.startswith("budget 60 wall-s = 36 compute-s on this machine (calibrated ")
    assert "measured now" in first.note and not first.calibration.cached

    def no_probe(_device):
        raise AssertionError("a cached calibration must not measure again")

    again = calibrate(threads=1, cache_dir=tmp_path, probes=no_probe, timer=clock)
    assert again.cached and again.ratio == pytest.approx(0.6) and again == first.calibration
    assert "cached" in again.describe(10) and again.to_compute(10) == pytest.approx(6.0)
    stored = json.loads(cache_path(machine_key(1), tmp_path).read_text())
    assert stored["key"]["threads"] == "1" and stored["ratio"] == pytest.approx(0.6)


def test_recalibrate_other_threads_and_a_broken_cache_measure_again(tmp_path):
    clock = FakeTime()
    calibrate(threads=1, cache_dir=tmp_path, probes=lambda _device: _two_probes(clock), timer=clock)
    slower = [clock.probe(3.0, 1.0, 10.0, 10.0, 10.0)]  # 0.3 compute-s per wall-s
    redone = calibrate(threads=1, recalibrate=True, cache_dir=tmp_path,
                       probes=lambda _device: list(slower), timer=clock)  # fmt: skip
    assert redone.ratio == pytest.approx(0.3) and not redone.cached
    assert (
        calibrate(threads=1, cache_dir=tmp_path, probes=lambda _device: [], timer=clock).ratio
        == 0.3
    )
    two = [clock.probe(1.0, 1.0, 2.0, 2.0, 2.0)]
    assert calibrate(
        threads=2, cache_dir=tmp_path, probes=lambda _device: list(two), timer=clock
    ).ratio == (pytest.approx(0.5))  # another thread count is another key
    cache_path(machine_key(1), tmp_path).write_text("{not json")
    fresh = [clock.probe(2.0, 1.0, 1.0, 1.0, 1.0)]
    healed = calibrate(
        threads=1, cache_dir=tmp_path, probes=lambda _device: list(fresh), timer=clock
    )
    assert healed.ratio == pytest.approx(2.0) and not healed.cached


def test_a_cached_file_for_another_machine_is_ignored(tmp_path):
    clock = FakeTime()
    calibrate(threads=1, cache_dir=tmp_path, probes=lambda _device: _two_probes(clock), timer=clock)
    path = cache_path(machine_key(1), tmp_path)
    data = json.loads(path.read_text())
    data["key"]["cpu"] = "another CPU"
    path.write_text(json.dumps(data))
    fresh = [clock.probe(2.0, 1.0, 1.0, 1.0, 1.0)]
    assert calibrate(
        threads=1, cache_dir=tmp_path, probes=lambda _device: list(fresh), timer=clock
    ).ratio == (pytest.approx(2.0))


def test_the_compute_clock_needs_no_conversion(tmp_path):
    got = compute_budget(30, "compute", cache_dir=tmp_path)
    assert got.seconds == 30 and got.calibration is None and "compute clock" in got.note
    assert not (tmp_path / "calibration").exists()
    charged = compute_budget(30 - 4.8223, "compute", cache_dir=tmp_path)  # less a probe pass
    assert charged.seconds == 30 - 4.8223 and charged.note.startswith("budget 25.2 compute-s ")
    with pytest.raises(ValueError, match="'wall' or 'compute'"):
        compute_budget(30, "sundial")


def test_the_key_names_what_the_ratio_depends_on():
    key = machine_key(3)
    assert set(key) == {
        "host", "cpu", "device", "torch", "threads", "cost_model", "calibration_version",
    }  # fmt: skip
    assert key["threads"] == "3" and len(key["cost_model"]) == 16 and key["device"] == "cpu"


def test_busy_while_compares_threads_and_other_work_with_the_cores():
    assert busy_while(2, 0.0, cores=2) is None  # idle: the probe has its cores
    assert busy_while(1, 1.0 + BUSY_SLACK_CORES, cores=2) is None  # within the slack
    assert busy_while(1, 3.0, cores=2) == 3.0  # 1 + 3 > 2 + 0.5
    assert busy_while(2, 0.6, cores=2) == 0.6  # 2.6 > 2.5


def test_a_measurement_on_a_busy_machine_is_used_once_and_not_cached(tmp_path, monkeypatch):
    clock = FakeTime()
    loads = iter([0.0, 4.0])  # other work started while the probe ran
    monkeypatch.setattr(fit, "others_load", lambda: next(loads))
    busy = calibrate(
        threads=1, cache_dir=tmp_path, probes=lambda _device: _two_probes(clock), timer=clock
    )
    assert busy.ratio == pytest.approx(0.6) and busy.busy_cores == 4.0 and not busy.cached
    assert "about 4.0 core(s) busy, so for this run only, not cached" in busy.describe(60)
    assert read_cached(machine_key(1), tmp_path) is None
    monkeypatch.setattr(fit, "others_load", lambda: 0.0)  # quiet again: measured and cached
    quiet = calibrate(
        threads=1, cache_dir=tmp_path, probes=lambda _device: _two_probes(clock), timer=clock
    )
    assert quiet.busy_cores is None and read_cached(machine_key(1), tmp_path) == quiet
    assert "busy_cores" not in json.loads(cache_path(machine_key(1), tmp_path).read_text())
