"""``FitResult``: what one ``fit`` run reports."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zapml.runtime.device import UNRECORDED_DEVICE
from zapml.runtime.layout import UNRECORDED_LAYOUT

# AutoDL scores a 1200 s budget with t0 = 60 s. For any budget B we keep that ratio (t0 = B / 20),
# so the time transform has the same shape and ALC equals AutoDL's exactly when B = 1200.
T0_RATIO = 1.0 / 20.0


def alc_t0(budget: float) -> float:
    return budget * T0_RATIO


@dataclass
class FitResult:
    """One run: status, the anytime learning curve on the test set, and what the run cost.

    ``timestamps`` are clock seconds (the run's ``clock``) at which each test prediction was
    completed; ``test_nauc`` / ``test_accuracy`` score each prediction; ``prediction_sources`` says
    which model made it ("simple_model" or "network"). ``alc`` is AutoDL's area under the learning
    curve with T = ``budget`` and t0 = ``budget / 20``. ``status`` is "failed" when training
    diverged and "interrupted" after Ctrl-C; the predictions made before are kept and scored.

    ``budget`` is the training budget the run actually had (the ALC's T); ``requested_budget`` is
    what the caller asked for. They differ only under the wall clock with a ``deadline``, where
    the time to save is planned inside it. ``warnings`` say when a score cannot mean much (a test
    set of fewer than 2 images or classes).

    ``clock_version`` is the compute clock's version (``zapml.runtime.costs.CLOCK_VERSIONS``)
    whose rates the run was charged with: ``fit(..., clock_version=...)`` with it re-runs the run;
    ``layout`` likewise (``fit(..., layout=...)``). ``device`` is where the network computed
    (``zapml.runtime.device.device_label``: ``"cpu"`` or ``"cuda:<GPU name>"``).
    """

    status: str
    error: str | None
    clock: str
    budget: float
    seed: int
    pipeline_id: str
    architecture: str
    timestamps: list[float] = field(default_factory=list)
    test_nauc: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    prediction_sources: list[str] = field(default_factory=list)
    alc: float | None = None
    final_nauc: float | None = None
    final_accuracy: float | None = None
    wall_seconds: float = 0.0
    compute_seconds: float = 0.0
    startup_seconds: float = 0.0
    num_train_steps: int = 0
    num_epochs: int = 0
    num_threads: int = 1
    output_dir: str | None = None
    notes: list[str] = field(default_factory=list)
    # Added with issue 7 (kept together): what was asked vs. run, and score warnings.
    requested_budget: float | None = None
    warnings: list[str] = field(default_factory=list)
    # Added with issue 8. Results saved before it were all charged with version 1 (fit always
    # sets it, so the default only applies to those).
    clock_version: int = 1
    # The model's memory layout (zapml.runtime.layout); results saved before it were contiguous.
    layout: str = UNRECORDED_LAYOUT
    # Where the network computed (zapml.runtime.device); results saved before it ran on the CPU.
    device: str = UNRECORDED_DEVICE
    test_probabilities: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def alc_t0(self) -> float:
        return alc_t0(self.budget)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; the test probabilities are left out (they go to predictions.csv)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        del out["test_probabilities"]
        out["alc_t0"] = self.alc_t0
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FitResult:
        names = {f.name for f in dataclasses.fields(cls)} - {"test_probabilities"}
        return cls(**{k: v for k, v in data.items() if k in names})
