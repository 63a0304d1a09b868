"""The anytime training loop: wires training, cost estimates, checkpoint tracking and the
prediction schedule into ZAP's loop (train steps, epoch ends, validation, test predictions,
stopping).

Every decision reads the run's clock only (``clock.now()``), and every piece of work charges its
counted cost (``costs.py``) to the clock through the ``Budgeter``, so under the compute clock the
loop is a deterministic function of the seed. The parts live in their own modules with their own
unit tests: ``budgeting`` (cost estimates, affordability, abort checks), ``tracking`` (best
checkpoint, validated version, the simple model's validation score), ``reporting`` (when to
predict) and ``training`` (steps, epochs, divergence).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from zapml.metrics import nauc
from zapml.runtime import simple_model
from zapml.runtime.budgeting import WALL_SAFETY, Budgeter
from zapml.runtime.clock import Clock
from zapml.runtime.costs import (
    ModelProfile,
    pixel_seconds,
    sklearn_fit_seconds,
    sklearn_predict_seconds,
)
from zapml.runtime.planning import TEST_PREDICTION_PASSES, inference_seconds
from zapml.runtime.predictor import Aborted, predict_proba
from zapml.runtime.preprocess import Normalizer
from zapml.runtime.progress import Progress
from zapml.runtime.reporting import PredictionSchedule
from zapml.runtime.tracking import CheckpointTracker, State, snapshot
from zapml.runtime.training import DIVERGENCE_FACTOR, DivergenceDetector, Trainer

__all__ = [
    "DIVERGENCE_FACTOR",
    "WALL_SAFETY",
    "AnytimeLoop",
    "FittedSimpleModel",
    "LoopData",
    "LoopOutcome",
    "Prediction",
    "State",
]

# Feature width assumed for the simple model's cost when the head is not a plain linear layer
# (1280: MobileNetV2's and EfficientNet-Lite0's pooled features, the zoo's common case).
DEFAULT_FEATURE_DIM = 1280


@dataclass
class Prediction:
    time: float
    proba: np.ndarray
    source: str


@dataclass
class FittedSimpleModel:
    """The simple model as fitted: the sklearn estimator, its kind, and the backbone weights
    its features came from (the network trains on after, so they are snapshotted)."""

    kind: str
    estimator: Any
    backbone: State


@dataclass
class LoopData:
    """Training split, validation split and test images, already resized (uint8 NCHW)."""

    train_images: torch.Tensor
    train_labels: torch.Tensor
    valid_images: torch.Tensor
    valid_labels: np.ndarray
    test_images: torch.Tensor | None
    normalize: Normalizer
    num_classes: int


@dataclass
class LoopOutcome:
    predictions: list[Prediction] = field(default_factory=list)
    error: str | None = None
    steps: int = 0
    epochs: int = 0
    counted_seconds: float = 0.0
    final_state: State | None = None
    notes: list[str] = field(default_factory=list)
    simple_model: FittedSimpleModel | None = None
    interrupted: bool = False


def _costs(
    profile: ModelProfile, data: LoopData, batch_size: int, trainable: int
) -> tuple[float, float, float]:
    """Counted cost of a train step, a test prediction (flip TTA: two passes) and a validation."""
    h, w = data.train_images.shape[2:]
    step = profile.train_step_seconds(batch_size, trainable) + pixel_seconds(
        batch_size, h, w, 3, profile.clock_version
    )
    n_test = 0 if data.test_images is None else int(data.test_images.shape[0])
    predict = inference_seconds(profile, n_test, (h, w), passes=TEST_PREDICTION_PASSES)
    valid = inference_seconds(profile, int(data.valid_images.shape[0]), (h, w))
    return step, predict, valid


class AnytimeLoop:
    def __init__(
        self,
        *,
        model: nn.Module,
        predict_model: nn.Module,
        pipeline: Mapping[str, Any],
        data: LoopData,
        clock: Clock,
        budget: float,
        profile: ModelProfile,
        seed: int,
        progress: Progress,
        score_test: Callable[[np.ndarray], float] | None = None,
    ) -> None:
        self.model = model
        self.predict_model = predict_model
        self.pipeline = pipeline
        self.data = data
        self.profile = profile
        self.seed = seed
        self.progress = progress
        self.score_test = score_test
        self.out = LoopOutcome()
        self.trainer = Trainer(
            model, pipeline, data.train_images, data.train_labels, data.normalize,
            seed=seed, budget=budget,
        )  # fmt: skip
        trainer = self.trainer
        step, predict, valid = _costs(profile, data, trainer.batch_size, trainer.trainable)
        self.budget = Budgeter(
            clock, budget, step_cost=step, predict_cost=predict, valid_cost=valid,
            copy_cost=profile.copy_weights_seconds(),
        )  # fmt: skip
        self.tracker = CheckpointTracker()
        self.reporting = PredictionSchedule(pipeline, budget)
        self.divergence = DivergenceDetector(data.num_classes)
        self.validating = False
        self.last_test: float | None = None
        self.out_of_time = False  # an inference pass was aborted: nothing more fits

    def charge(self, seconds: float) -> None:
        self.budget.charge(seconds)

    def stop_for_time(self, what: str) -> None:
        self.out.notes.append(f"{what} aborted at {self.budget.now():.1f} s: it would overrun")
        self.out_of_time = True

    # -- simple model first -----------------------------------------------------------------
    def run_simple_model(self) -> None:
        """Fit the pipeline's sklearn model on frozen features of a training sample and predict
        the test set, so the learning curve starts early. Skipped (with a note) when it cannot
        run or would not fit in the budget."""
        data = self.data
        if data.test_images is None:
            return
        labels = data.train_labels.numpy()
        rng = np.random.default_rng(self.seed + 1)
        idx = simple_model.sample_indices(labels, int(self.pipeline["train_info_sample"]), rng)
        if len(np.unique(labels[idx])) < 2:
            self.out.notes.append("simple model skipped: the sample holds a single class")
            return
        # Validation images ride along with the test images (one feature pass, one predict):
        # their score decides when the network takes over.
        eval_images = torch.cat([data.test_images, data.valid_images])
        feats_cost, fit_cost = self._simple_model_costs(len(idx), int(eval_images.shape[0]))
        if not self.budget.affordable(feats_cost + fit_cost):
            self.out.notes.append("simple model skipped: it would not fit in the budget")
            return
        features = self._simple_model_features(idx, eval_images, feats_cost, fit_cost)
        if features is not None:
            self._fit_simple_model(features[0], labels[idx], features[1], fit_cost)

    def _simple_model_costs(self, n_sample: int, n_eval: int) -> tuple[float, float]:
        """Counted cost of the feature pass over sample + eval images, and of fit + predict."""
        kind = str(self.pipeline["simple_model"])
        h, w = self.data.train_images.shape[2:]
        version = self.profile.clock_version
        feats_cost = inference_seconds(self.profile, n_sample + n_eval, (h, w))
        dims = self._feature_dim()
        fit_cost = sklearn_fit_seconds(kind, n_sample, dims, self.data.num_classes, version)
        fit_cost += sklearn_predict_seconds(n_eval, dims, self.data.num_classes, version)
        return feats_cost, fit_cost

    def _simple_model_features(
        self, idx: np.ndarray, eval_images: torch.Tensor, feats_cost: float, fit_cost: float
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Frozen features of the training sample, then (if still affordable at the measured
        speed) of the eval images; None (with a note) when given up."""
        data, budget = self.data, self.budget
        start = budget.now()
        try:
            train_x = simple_model.extract_features(
                self.model, data.train_images[idx], data.normalize, budget.overrun_check()
            )
        except Aborted:  # training may still fit: only the simple model is given up
            self.out.notes.append("simple model aborted: it would overrun the budget")
            return None
        sample_cost = feats_cost * len(idx) / (len(idx) + int(eval_images.shape[0]))
        self.charge(sample_cost)
        # Clock seconds per counted second on this work (1 under the compute clock, up to
        # rounding). A first, cold inference pass is no guide to the speed of training.
        speed = (budget.now() - start) / sample_cost if sample_cost > 0 else 1.0
        budget.inference_speed = speed
        if not budget.affordable(speed * (feats_cost - sample_cost + fit_cost)):
            # The machine is slower than counted (wall clock): do not spend the budget here.
            self.out.notes.append("simple model skipped: it would not fit in the budget")
            return None
        eval_start = budget.now()
        try:
            eval_x = simple_model.extract_features(
                self.model, eval_images, data.normalize, budget.overrun_check()
            )
        except Aborted:  # training may still fit: only the simple model is given up
            self.out.notes.append("simple model aborted: it would overrun the budget")
            return None
        budget.observe_warm_inference(budget.now() - eval_start, feats_cost - sample_cost)
        self.charge(feats_cost - sample_cost)
        return train_x, eval_x

    def _fit_simple_model(
        self, train_x: np.ndarray, train_y: np.ndarray, eval_x: np.ndarray, fit_cost: float
    ) -> None:
        kind = str(self.pipeline["simple_model"])
        try:
            estimator = simple_model.fit_model(kind, train_x, train_y, self.seed)
            eval_proba = simple_model.predict_fitted(estimator, kind, eval_x, self.data.num_classes)
        except ValueError as err:  # e.g. a solver rejecting a degenerate sample
            self.out.notes.append(f"simple model skipped: {err}")
            return
        self.charge(fit_cost)
        # Not charged: bookkeeping for saving the final predictor, not part of ZAP's run.
        self.out.simple_model = FittedSimpleModel(kind, estimator, snapshot(self.model))
        assert self.data.test_images is not None
        n_test = int(self.data.test_images.shape[0])
        if len(self.data.valid_labels) > 0:
            self.tracker.simple_valid = nauc(self.data.valid_labels, eval_proba[n_test:])
        self._record_prediction(eval_proba[:n_test], "simple_model")

    def _feature_dim(self) -> int:
        getter = getattr(self.model, "get_classifier", None)
        head = getter() if callable(getter) else None
        if isinstance(head, nn.Linear):
            return int(head.in_features)
        return DEFAULT_FEATURE_DIM

    # -- epochs and validation --------------------------------------------------------------
    def end_epoch(self) -> None:
        self.out.epochs += 1
        train_acc = self.trainer.end_epoch()
        threshold = float(self.pipeline["skip_valid_score_threshold"])
        if not self.validating and train_acc >= threshold and len(self.data.valid_labels) > 0:
            self.validating = True
        if self.validating and self.budget.affordable(self.budget.est_valid + self.budget.est_step):
            self.validate()

    def validate(self) -> None:
        budget = self.budget
        start = budget.now()
        try:
            proba = predict_proba(
                self.model, self.data.valid_images, self.data.normalize,
                tta=False, abort=budget.overrun_check(),
            )  # fmt: skip
        except Aborted:
            self.stop_for_time("validation")
            return
        self.charge(budget.valid_cost)
        score = nauc(self.data.valid_labels, proba) if np.all(np.isfinite(proba)) else -math.inf
        if self.tracker.record_validation(score, self.model):
            self.charge(budget.copy_cost)
        budget.measured_valid = budget.now() - start

    # -- predictions ----------------------------------------------------------------------
    def predict(self) -> None:
        """Predict the test set with the best-validation checkpoint (the current weights before
        validation starts), unless those weights already made the last prediction or have not
        validated better than the simple model."""
        assert self.data.test_images is not None
        if not self.network_beats_simple_model() or self.tracker.already_predicted():
            self.reporting.loop_start = self.budget.now()
            return
        budget = self.budget
        start = budget.now()
        state, net = self._weights_to_predict()
        self.charge(budget.copy_cost)
        try:
            proba = predict_proba(
                net, self.data.test_images, self.data.normalize,
                tta=True, abort=budget.overrun_check(),
            )  # fmt: skip
        except Aborted:
            self.stop_for_time("test prediction")
            return
        self.charge(budget.predict_cost)
        if not np.all(np.isfinite(proba)):
            self.out.error = f"diverged: test predictions became nan after step {self.out.steps}"
            return
        self.tracker.predicted()
        self.out.final_state = state
        self._record_prediction(proba, "network")
        budget.measured_predict = budget.now() - start

    def _weights_to_predict(self) -> tuple[State, nn.Module]:
        if self.tracker.best is not None:
            self.predict_model.load_state_dict(self.tracker.best)
            return self.tracker.best, self.predict_model
        return snapshot(self.model), self.model

    def network_beats_simple_model(self) -> bool:
        """With a simple model on the curve: validate the current weights if they have not been
        (whatever the training accuracy) and say whether the best checkpoint beats the simple
        model on validation NAUC. Without one, the network always may predict."""
        if self.tracker.simple_valid is None:
            return True
        if self.tracker.needs_validation() and self.budget.affordable(self.budget.est_valid):
            self.validating = True
            self.validate()
        return self.tracker.network_beats_simple_model()

    def _record_prediction(self, proba: np.ndarray, source: str) -> None:
        now = self.budget.now()
        self.out.predictions.append(Prediction(time=now, proba=proba, source=source))
        if self.score_test is not None:
            self.last_test = self.score_test(proba)
        if source == "network":
            self.reporting.record(now)

    # -- the loop -------------------------------------------------------------------------
    def run(self, simple_model_first: bool = False) -> LoopOutcome:
        """The simple model first (when asked), then train and predict until the budget is spent
        or training diverged. On Ctrl-C (KeyboardInterrupt) the loop stops, keeps what it has
        (predictions, best weights), marks the outcome ``interrupted`` and returns; the caller
        re-raises after saving."""
        has_test = self.data.test_images is not None
        try:
            if simple_model_first:
                self.run_simple_model()
            self.reporting.loop_start = self.budget.now()
            while self._iterate(has_test):
                pass
        except KeyboardInterrupt:
            self.out.interrupted = True
            self.out.notes.append(f"interrupted (Ctrl-C) at {self.budget.now():.1f} s")
        self._finish(has_test)
        self.out.counted_seconds = self.budget.counted_seconds
        return self.out

    def _iterate(self, has_test: bool) -> bool:
        """One train step and what follows it; False when the loop must stop."""
        budget = self.budget
        reserve = budget.est_predict if has_test else 0.0
        if not budget.affordable(budget.est_step + reserve):
            self._note_budget_stop(reserve)
            return False
        start = budget.now()
        loss, stepped = self.trainer.step(self.out.steps, start)
        if stepped:
            self.tracker.stepped()
        budget.charge(budget.step_cost)
        self.out.error = self.divergence.check(loss, self.out.steps)
        if self.out.error:
            return False
        self.out.steps += 1
        epoch_end = self.trainer.count_step()
        budget.observe_step(budget.now() - start, self.out.steps)
        if epoch_end:
            self.end_epoch()
        now = budget.now()
        due = epoch_end and self.reporting.due_at_epoch_end(self.out.epochs, now)
        if has_test and (due or self.reporting.inner_loop_exhausted(now)):
            self.predict()
            if self.out.error:
                return False
        if self.out_of_time:
            return False
        self.progress.update(now, self.out.steps, self.tracker.last_valid, self.last_test)
        return True

    def _note_budget_stop(self, reserve: float) -> None:
        """Say why training ended before the budget ran out: otherwise a run that stops early
        (e.g. after the simple model, with 0 steps) looks like a bug to the user. Nothing to
        say when not even a step without the prediction would fit: the budget is spent."""
        budget = self.budget
        if not budget.affordable(budget.est_step):
            return
        # the numbers must add up for the reader: state the margin ``affordable`` applied
        margin = f" with the wall clock's x{budget.safety:g} margin" if budget.safety != 1 else ""
        self.out.notes.append(
            f"training stopped at {budget.now():.1f} of {budget.budget:.1f} s after "
            f"{self.out.steps} steps: one more step (est. {budget.est_step:.2g} s) and a test "
            f"prediction (est. {reserve:.2g} s) would overrun the budget{margin}; a larger budget "
            "or a smaller input size trains further"
        )

    def _finish(self, has_test: bool) -> None:
        """A last prediction when the weights moved on since the previous one and it still
        fits (not after Ctrl-C: the user wants out now); without a test set the weights to keep
        are the best-validation (or last) ones."""
        fits = not self.out_of_time and self.budget.affordable(self.budget.est_predict)
        if self.out.error is None and has_test and fits and not self.out.interrupted:
            self.predict()
        if self.out.final_state is None and self.out.error is None:
            best = self.tracker.best
            self.out.final_state = best if best is not None else snapshot(self.model)
        self.progress.update(
            self.budget.now(), self.out.steps, self.tracker.last_valid, self.last_test,
            force=True,
        )  # fmt: skip
