"""probe_gate: the estimate equals what the probe pass is charged, and the gate picks the probe
selector exactly when that estimate fits in its share of the budget."""

from __future__ import annotations

import numpy as np
import pytest

from zapml.data.dataset import Dataset
from zapml.metafeatures.extraction import compute_probe_features
from zapml.metafeatures.testing import one_thread_empty_cache  # noqa: F401 (autouse)
from zapml.selectors.choice import SHIPPED_SELECTORS
from zapml.selectors.probe_gate import (
    SHIPPED_PROBE_SELECTORS,
    estimate_probe_seconds,
    pick_selector_dir,
)


def _gray(n: int, side: int, classes: int, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, side, side, 1), dtype=np.uint8)
    labels = np.arange(n) % classes
    return Dataset(images, labels, tuple(str(c) for c in range(classes)), name="gray")


@pytest.mark.parametrize(
    "backbones", [["mobilenetv2_100"], ["efficientnet_lite0", "resnet18.scratch"]]
)
def test_the_estimate_is_what_the_probe_pass_is_charged(backbones: list[str]) -> None:
    data = _gray(30, 20, 3)
    # max_samples below the 30 images: the sample path, 5 folds on 8-image classes
    charged = compute_probe_features(data, backbones, side=32, max_samples=24, use_cache=False)
    estimate = estimate_probe_seconds(data, backbones, side=32, max_samples=24)
    assert estimate == pytest.approx(charged.seconds, rel=1e-9)


def test_the_gate_probes_exactly_when_the_estimate_fits_its_share(monkeypatch) -> None:
    from zapml.selectors import probe_gate
    from zapml.selectors.query import probe_backbones
    from zapml.selectors.registry import load_selector

    data = _gray(200, 28, 4)
    share = 0.05  # the shipped share is 0 (never) on the current store; the mechanism at 5%
    monkeypatch.setattr(probe_gate, "PROBE_BUDGET_SHARE", share)
    names = load_selector(SHIPPED_PROBE_SELECTORS["final"]).metafeature_names_
    cost = estimate_probe_seconds(data, probe_backbones(names))
    at_limit = cost / share
    probe = pick_selector_dir(None, "final", data, at_limit * 1.01, "compute")
    assert probe.selector_dir == SHIPPED_PROBE_SELECTORS["final"]
    assert "the probe selector ranks" in probe.note and f"{cost:.3g} compute-s" in probe.note
    trivial = pick_selector_dir(None, "final", data, at_limit * 0.99, "compute")
    assert trivial.selector_dir == SHIPPED_SELECTORS["final"] and "not probing" in trivial.note
    assert pick_selector_dir(None, "final", data, None).selector_dir == SHIPPED_SELECTORS["final"]
    # an explicit selector is used as it is, whatever the budget
    explicit = pick_selector_dir(SHIPPED_SELECTORS["alc"], "final", data, 1e9)
    assert explicit.selector_dir == SHIPPED_SELECTORS["alc"] and explicit.note == ""


def test_a_share_of_zero_never_probes(monkeypatch) -> None:
    from zapml.selectors import probe_gate

    monkeypatch.setattr(probe_gate, "PROBE_BUDGET_SHARE", 0.0)
    data = _gray(200, 28, 4)
    # a budget so large that any share above 0 would probe: the pass costs a few compute-s
    assert estimate_probe_seconds(data, ["mobilenetv2_100"]) < 1e3
    never = pick_selector_dir(None, "final", data, 1e12, "compute")
    assert never.selector_dir == SHIPPED_SELECTORS["final"] and never.note == ""


def test_on_the_wall_clock_the_gate_also_counts_building_the_network(monkeypatch) -> None:
    from zapml.runtime.calibration import Calibration, WallConversion
    from zapml.selectors import probe_gate
    from zapml.selectors.query import probe_backbones
    from zapml.selectors.registry import load_selector

    monkeypatch.setattr(probe_gate, "PROBE_BUDGET_SHARE", 0.05)
    ratio = 0.5  # compute-s per wall-s, as a loaded 2-core machine measures
    measured = Calibration(ratio, {"threads": "1"}, "2026-12-07T15:00:00", 2.0)
    wall = WallConversion(measured=measured)
    data = _gray(200, 28, 4)
    backbones = probe_backbones(load_selector(SHIPPED_PROBE_SELECTORS["final"]).metafeature_names_)
    counted = estimate_probe_seconds(data, backbones)
    building = len(backbones) * probe_gate.PROBE_UNCOUNTED_WALL_SECONDS  # wall-s
    # by hand: probe when counted + building x ratio <= 5% of (wall budget x ratio)
    at_limit = (counted / ratio + building) / 0.05
    probe = pick_selector_dir(None, "final", data, at_limit * 1.01, "wall", wall)
    assert probe.selector_dir == SHIPPED_PROBE_SELECTORS["final"]
    assert f"{building:g} wall-s to build" in probe.note
    trivial = pick_selector_dir(None, "final", data, at_limit * 0.99, "wall", wall)
    assert trivial.selector_dir == SHIPPED_SELECTORS["final"] and "not probing" in trivial.note
    # the same budget in compute seconds pays only the counted pass, so it probes
    on_compute = pick_selector_dir(None, "final", data, at_limit * 0.99 * ratio, "compute")
    assert on_compute.selector_dir == SHIPPED_PROBE_SELECTORS["final"]
