"""Unit tests of the anytime loop's parts with a fake clock and a tiny model: cost estimates and
affordability, checkpoint tracking, training and divergence."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from zapml.runtime.budgeting import WALL_SAFETY, Budgeter
from zapml.runtime.clock import Clock, ClockName
from zapml.runtime.preprocess import Normalizer
from zapml.runtime.tracking import CheckpointTracker
from zapml.runtime.training import DIVERGENCE_FACTOR, DivergenceDetector, Trainer
from zapml.space import default_pipeline


class FakeClock(Clock):
    """A clock the test moves by hand (``advance``); charges are recorded, not applied."""

    def __init__(self, name: ClockName = "wall") -> None:
        self.name = name
        self.t = 0.0
        self.charged: list[float] = []

    def start(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    def charge(self, seconds: float) -> None:
        self.charged.append(seconds)

    def advance(self, seconds: float) -> None:
        self.t += seconds


class Tiny(nn.Module):
    """A linear classifier on 3x4x4 images."""

    def __init__(self, num_classes: int = 2) -> None:
        super().__init__()
        self.fc = nn.Linear(48, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x.flatten(1))


def _budgeter(clock: Clock, budget: float = 10.0) -> Budgeter:
    return Budgeter(clock, budget, step_cost=0.5, predict_cost=2.0, valid_cost=1.0, copy_cost=0.25)


# -- budgeting ------------------------------------------------------------------------------


def test_affordability_applies_the_wall_clock_safety_factor():
    clock = FakeClock("wall")
    b = _budgeter(clock, budget=10.0)
    clock.advance(6.0)
    # 6 + 1.25 * 3.2 = 10.0 fits exactly; 3.21 would end at 10.0125 > 10
    assert b.affordable(3.2)
    assert not b.affordable(3.21)
    assert WALL_SAFETY == 1.25


def test_compute_clock_plans_without_headroom():
    clock = FakeClock("compute")
    b = _budgeter(clock, budget=10.0)
    clock.advance(6.0)
    assert b.affordable(4.0)
    assert not b.affordable(4.0001)


def test_charge_goes_to_the_clock_and_the_counted_total():
    clock = FakeClock("compute")
    b = _budgeter(clock)
    b.charge(0.5)
    b.charge(0.25)
    assert clock.charged == [0.5, 0.25]
    assert b.counted_seconds == 0.75


def test_speed_and_step_estimate_follow_measured_steps():
    b = _budgeter(FakeClock("wall"))
    b.observe_step(1.0, steps_done=1)  # 1 s for a 0.5 s counted step: 2x slower
    assert b.speed == 2.0 and b.est_step == 1.0
    b.observe_step(2.0, steps_done=2)  # ratio 4: 0.8 * 2 + 0.2 * 4
    assert b.speed == pytest.approx(2.4)
    assert b.est_step == pytest.approx(0.8 * 1.0 + 0.2 * 2.0)


def test_inference_estimates_scale_counted_cost_until_measured():
    b = _budgeter(FakeClock("wall"))
    assert b.est_predict == 2.0 + 0.25 and b.est_valid == 1.0 + 0.25
    b.observe_step(1.5, steps_done=1)  # training speed 3
    assert b.est_predict == 3.0 * 2.25
    b.inference_speed = 2.0  # measured on the simple model's feature pass: preferred
    assert b.est_valid == 2.0 * 1.25
    b.measured_predict = 0.7
    assert b.est_predict == 0.7


def test_a_warm_inference_pass_replaces_the_first_passes_speed_on_the_wall_clock_only():
    wall = _budgeter(FakeClock("wall"))
    wall.inference_speed = 4.0  # the first, cold pass
    wall.observe_warm_inference(took=3.0, counted=1.5)
    assert wall.inference_speed == 2.0
    assert wall.est_predict == 2.0 * (2.0 + 0.25)
    compute = _budgeter(FakeClock("compute"))
    compute.inference_speed = 1.0
    compute.observe_warm_inference(took=3.0, counted=1.5)
    assert compute.inference_speed == 1.0  # recorded compute-clock runs must replay exactly
    wall.observe_warm_inference(took=1.0, counted=0.0)  # nothing counted: nothing learnt
    assert wall.inference_speed == 2.0


def test_overrun_check_aborts_a_pass_that_would_cross_the_budget():
    clock = FakeClock("wall")
    b = _budgeter(clock, budget=10.0)
    clock.advance(7.0)
    check = b.overrun_check()
    clock.advance(1.0)  # a quarter done in 1 s: 3 s more would end at 11 > 10
    assert check(0.25)
    check = b.overrun_check()
    clock.advance(0.5)  # half done in 0.5 s: ends at 9
    assert not check(0.5)


# -- checkpoint tracking --------------------------------------------------------------------


def test_tracker_keeps_the_best_validating_weights():
    model, tracker = Tiny(), CheckpointTracker()
    tracker.stepped()
    assert tracker.record_validation(0.4, model)
    best_weights = model.fc.weight.detach().clone()
    with torch.no_grad():
        model.fc.weight.add_(1.0)
    tracker.stepped()
    assert not tracker.record_validation(0.3, model)  # worse: the first checkpoint stays
    assert tracker.best is not None and tracker.best_version == 1
    assert torch.equal(tracker.best["fc.weight"], best_weights)
    assert tracker.last_valid == 0.3 and not tracker.needs_validation()
    tracker.stepped()
    assert tracker.needs_validation()


def test_tracker_prediction_version_and_repeat_detection():
    model, tracker = Tiny(), CheckpointTracker()
    tracker.stepped()
    tracker.stepped()
    assert tracker.prediction_version() == 2  # no checkpoint yet: the current weights
    tracker.predicted()
    assert tracker.already_predicted()
    tracker.record_validation(0.5, model)
    tracker.stepped()
    assert tracker.prediction_version() == 2 and tracker.already_predicted()
    tracker.record_validation(0.6, model)
    assert tracker.prediction_version() == 3 and not tracker.already_predicted()


def test_network_replaces_simple_model_only_when_it_validates_better():
    model, tracker = Tiny(), CheckpointTracker()
    assert tracker.network_beats_simple_model()  # no simple model: always
    tracker.simple_valid = 0.5
    assert not tracker.network_beats_simple_model()  # nothing validated yet
    tracker.record_validation(0.5, model)
    assert not tracker.network_beats_simple_model()  # a tie is not better
    tracker.stepped()
    tracker.record_validation(0.51, model)
    assert tracker.network_beats_simple_model()


# -- training and divergence ----------------------------------------------------------------


def test_divergence_on_nonfinite_loss_and_at_the_factor():
    d = DivergenceDetector(num_classes=4)
    assert "nan" in str(d.check(math.nan, 0))
    assert d.check(0.5, 0) is None
    first = math.log(4)  # the first loss is at least a uniform guess's
    assert d.first_loss == first
    assert d.check(DIVERGENCE_FACTOR * first, 5) is None  # at the factor: still fine
    message = d.check(DIVERGENCE_FACTOR * first * 1.01, 6)
    assert message is not None and "at step 6" in message


def _trainer(lr: float = 0.1, steps_per_epoch: int = 3) -> tuple[Trainer, Tiny]:
    torch.manual_seed(0)
    model = Tiny()
    pipe = default_pipeline().replace(
        lr=lr, batch_size=4, steps_per_epoch=steps_per_epoch, optimizer="SGD"
    )
    images = torch.randint(0, 256, (8, 3, 4, 4), dtype=torch.uint8)
    labels = torch.tensor([0, 1] * 4)
    trainer = Trainer(
        model, pipe, images, labels, Normalizer((0.5,) * 3, (0.25,) * 3), seed=0, budget=10.0
    )
    return trainer, model


def test_trainer_steps_change_weights_and_end_epochs():
    trainer, model = _trainer(steps_per_epoch=3)
    before = model.fc.weight.detach().clone()
    ends = []
    for step in range(6):
        loss, stepped = trainer.step(step, now=0.1 * step)
        assert math.isfinite(loss) and stepped
        ends.append(trainer.count_step())
        if ends[-1]:
            accuracy = trainer.end_epoch()
            assert 0.0 <= accuracy <= 1.0
    assert ends == [False, False, True, False, False, True]
    assert not torch.equal(before, model.fc.weight)
    assert trainer.batch_size == 4 and trainer.trainable == 48 * 2 + 2


def test_trainer_is_deterministic_in_its_seed():
    first, model_a = _trainer()
    second, model_b = _trainer()
    losses_a = [first.step(i, 0.0)[0] for i in range(4)]
    losses_b = [second.step(i, 0.0)[0] for i in range(4)]
    assert losses_a == losses_b
    assert torch.equal(model_a.fc.weight, model_b.fc.weight)


def test_trainer_skips_the_update_on_a_nonfinite_loss():
    trainer, model = _trainer()
    with torch.no_grad():
        model.fc.weight.fill_(math.inf)
    before = model.fc.weight.detach().clone()
    loss, stepped = trainer.step(0, 0.0)
    assert not math.isfinite(loss) and not stepped
    assert torch.equal(before, model.fc.weight) and trainer.epoch.seen == 0


def test_epoch_accuracy_counts_correct_predictions():
    trainer, _ = _trainer()
    trainer.epoch.correct, trainer.epoch.seen = 3, 4
    trainer.epoch.steps, trainer.epoch.loss = 2, 1.0
    assert trainer.end_epoch() == 0.75
    assert trainer.epoch.seen == 0 and np.isclose(trainer.epoch.mean_loss, 0.0)
