"""The anytime training loop: train steps, epoch ends, validation, test predictions, stopping.

Every decision reads the run's clock only (``clock.now()``), and every piece of work charges its
counted cost (``costs.py``) to the clock, so under the compute clock the loop is a deterministic
function of the seed. Estimates of what the next step and prediction cost come from clock deltas
of the same work done before (exact counted costs under the compute clock, measured seconds under
the wall clock).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from zapml.metrics import nauc
from zapml.runtime import simple_model
from zapml.runtime.clock import Clock
from zapml.runtime.costs import (
    ModelProfile,
    pixel_seconds,
    sklearn_fit_seconds,
    sklearn_predict_seconds,
)
from zapml.runtime.optim import build_optimizer, set_lr
from zapml.runtime.predictor import EVAL_BATCH_SIZE, AbortCheck, Aborted, predict_proba
from zapml.runtime.preprocess import BatchOrder, Normalizer, augment
from zapml.runtime.progress import Progress
from zapml.runtime.reporting import PredictionSchedule
from zapml.runtime.schedule import LRSchedule

State = dict[str, torch.Tensor]

# A finite loss this many times the first one is divergence too: batch norm keeps a network with a
# wild learning rate finite for a long time (losses of 1e6-1e8 measured with lr=1e3), and such
# weights are useless. Cross-entropy starts near log(num_classes); sound training stays far below.
DIVERGENCE_FACTOR = 1e3

# Under the wall clock, measured costs jitter (shared machines); plan with this much headroom so
# the last step and prediction end inside the budget. Compute-clock costs are exact.
WALL_SAFETY = 1.25


@dataclass
class Prediction:
    time: float
    proba: np.ndarray
    source: str


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


def _snapshot(model: nn.Module) -> State:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


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
        self.clock = clock
        self.budget = budget
        self.profile = profile
        self.seed = seed
        self.progress = progress
        self.score_test = score_test
        self.safety = WALL_SAFETY if clock.name == "wall" else 1.0
        self.out = LoopOutcome()

        n_train = int(data.train_images.shape[0])
        self.batch_size = min(int(pipeline["batch_size"]), n_train)
        self.order = BatchOrder(n_train, self.batch_size, np.random.default_rng(seed))
        self.generator = torch.Generator().manual_seed(seed)
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.trainable = sum(p.numel() for p in self.params)
        self.optimizer = build_optimizer(self.params, pipeline)
        self.steps_per_epoch = int(pipeline["steps_per_epoch"])
        self.schedule = LRSchedule(
            lr=float(pipeline["lr"]),
            min_lr=float(pipeline["min_lr"]),
            kind=str(pipeline["scheduler"]),
            warmup_multiplier=float(pipeline["warmup_multiplier"]),
            warmup_steps=int(pipeline["warm_up_epoch"]) * self.steps_per_epoch,
            budget=budget,
        )
        self.reporting = PredictionSchedule(pipeline, budget)

        hw, ch = data.train_images.shape[2:], 3
        self.step_cost = profile.train_step_seconds(self.batch_size, self.trainable) + (
            pixel_seconds(self.batch_size, hw[0], hw[1], ch)
        )
        n_test = 0 if data.test_images is None else int(data.test_images.shape[0])
        self.predict_cost = 2.0 * profile.forward_seconds(n_test, EVAL_BATCH_SIZE) + pixel_seconds(
            n_test, hw[0], hw[1], ch
        )
        n_valid = int(data.valid_images.shape[0])
        self.valid_cost = profile.forward_seconds(n_valid, EVAL_BATCH_SIZE) + pixel_seconds(
            n_valid, hw[0], hw[1], ch
        )
        # Estimates of the next step / prediction / validation, refined by measurement. Until a
        # prediction or validation has been measured, its counted cost is scaled by ``speed``:
        # clock seconds per counted second seen so far (exactly 1 under the compute clock; under
        # the wall clock it absorbs a slow or busy machine, up to 50x on shared cores).
        self.speed = 1.0
        # Clock seconds per counted second of inference, measured on the simple model's feature
        # pass: a better guide to the first prediction's cost than training speed (exactly 1
        # under the compute clock, so compute-clock runs stay deterministic).
        self.inference_speed: float | None = None
        self.est_step = self.step_cost
        self._measured_predict: float | None = None
        self._measured_valid: float | None = None

        self.version = 0  # bumps with every optimizer step
        self.best: State | None = None
        self.best_version = -1
        self.best_score = -math.inf
        self.validating = False
        self.last_predicted_version = -1
        self.last_valid: float | None = None
        self.last_test: float | None = None
        self.first_loss: float | None = None
        # Validation NAUC of the simple model: the network's predictions replace the simple
        # model's only once the network validates better (otherwise an early, half-trained
        # network would pull the learning curve below the simple model's point).
        self.simple_valid: float | None = None
        self.validated_version = -1
        self.out_of_time = False  # an inference pass was aborted: nothing more fits
        self._reset_epoch()

    def _reset_epoch(self) -> None:
        self._epoch_correct = 0
        self._epoch_seen = 0
        self._epoch_steps = 0
        self._epoch_loss = 0.0

    # -- cost bookkeeping -------------------------------------------------------------------
    def charge(self, seconds: float) -> None:
        self.out.counted_seconds += seconds
        self.clock.charge(seconds)

    def affordable(self, seconds: float) -> bool:
        return self.clock.now() + self.safety * seconds <= self.budget

    def observe_speed(self, clock_seconds: float, counted_seconds: float) -> None:
        """Update ``speed`` from a train step (the first one sets it, later ones average in)."""
        if counted_seconds > 0:
            ratio = clock_seconds / counted_seconds
            self.speed = ratio if self.out.steps <= 1 else 0.8 * self.speed + 0.2 * ratio

    def overrun_check(self) -> AbortCheck:
        """For an inference pass starting now: abort when, at the pace so far, it would end after
        the budget. Under the compute clock time does not move during a pass, so it never fires
        (there, costs are exact and checked before the pass starts)."""
        start = self.clock.now()

        def check(done: float) -> bool:
            now = self.clock.now()
            return now + (now - start) * (1.0 - done) / done > self.budget

        return check

    def stop_for_time(self, what: str) -> None:
        self.out.notes.append(f"{what} aborted at {self.clock.now():.1f} s: it would overrun")
        self.out_of_time = True

    @property
    def est_predict(self) -> float:
        if self._measured_predict is not None:
            return self._measured_predict
        speed = self.inference_speed if self.inference_speed is not None else self.speed
        return speed * (self.predict_cost + self.profile.copy_weights_seconds())

    @property
    def est_valid(self) -> float:
        if self._measured_valid is not None:
            return self._measured_valid
        speed = self.inference_speed if self.inference_speed is not None else self.speed
        return speed * (self.valid_cost + self.profile.copy_weights_seconds())

    # -- simple model first -----------------------------------------------------------------
    def run_simple_model(self) -> None:
        """Fit the pipeline's sklearn model on frozen features of a training sample and predict
        the test set, so the learning curve starts early. Skipped (with a note) when it cannot
        run or would not fit in the budget."""
        data = self.data
        if data.test_images is None:
            return
        rng = np.random.default_rng(self.seed + 1)
        labels = data.train_labels.numpy()
        idx = simple_model.sample_indices(labels, int(self.pipeline["train_info_sample"]), rng)
        if len(np.unique(labels[idx])) < 2:
            self.out.notes.append("simple model skipped: the sample holds a single class")
            return
        kind = str(self.pipeline["simple_model"])
        # Validation images ride along with the test images (one feature pass, one predict):
        # their score decides when the network takes over.
        eval_images = torch.cat([data.test_images, data.valid_images])
        n_test = int(eval_images.shape[0])
        hw = data.train_images.shape[2:]
        feats_cost = self.profile.forward_seconds(
            len(idx) + n_test, EVAL_BATCH_SIZE
        ) + pixel_seconds(len(idx) + n_test, hw[0], hw[1], 3)
        dims = self._feature_dim()
        fit_cost = sklearn_fit_seconds(kind, len(idx), dims, data.num_classes)
        fit_cost += sklearn_predict_seconds(n_test, dims, data.num_classes)
        if not self.affordable(feats_cost + fit_cost):
            self.out.notes.append("simple model skipped: it would not fit in the budget")
            return
        start = self.clock.now()
        try:
            train_x = simple_model.extract_features(
                self.model, data.train_images[idx], data.normalize, self.overrun_check()
            )
        except Aborted:  # training may still fit: only the simple model is given up
            self.out.notes.append("simple model aborted: it would overrun the budget")
            return
        sample_cost = feats_cost * len(idx) / (len(idx) + n_test)
        self.charge(sample_cost)
        # Clock seconds per counted second on this work (1 under the compute clock). Kept local:
        # a first, cold inference pass is no guide to the speed of training.
        speed = (self.clock.now() - start) / sample_cost if sample_cost > 0 else 1.0
        self.inference_speed = speed
        if not self.affordable(speed * (feats_cost - sample_cost + fit_cost)):
            # The machine is slower than counted (wall clock): do not spend the budget here.
            self.out.notes.append("simple model skipped: it would not fit in the budget")
            return
        try:
            eval_x = simple_model.extract_features(
                self.model, eval_images, data.normalize, self.overrun_check()
            )
        except Aborted:  # training may still fit: only the simple model is given up
            self.out.notes.append("simple model aborted: it would overrun the budget")
            return
        self.charge(feats_cost - sample_cost)
        try:
            eval_proba = simple_model.fit_predict(
                kind, train_x, labels[idx], eval_x, data.num_classes, self.seed
            )
        except ValueError as err:  # e.g. a solver rejecting a degenerate sample
            self.out.notes.append(f"simple model skipped: {err}")
            return
        self.charge(fit_cost)
        n_real_test = int(data.test_images.shape[0])
        if len(data.valid_labels) > 0:
            self.simple_valid = nauc(data.valid_labels, eval_proba[n_real_test:])
        self._record_prediction(eval_proba[:n_real_test], "simple_model")

    def _feature_dim(self) -> int:
        getter = getattr(self.model, "get_classifier", None)
        head = getter() if callable(getter) else None
        if isinstance(head, nn.Linear):
            return int(head.in_features)
        return 1280

    # -- training -------------------------------------------------------------------------
    def train_step(self) -> float:
        """One optimizer step; returns the batch loss (nan/inf when it diverged) and counts
        correct predictions for the epoch's training accuracy."""
        idx = torch.from_numpy(self.order.next())
        x = augment(self.data.normalize(self.data.train_images[idx]), self.generator)
        y = self.data.train_labels[idx]
        set_lr(self.optimizer, self.schedule.lr(self.out.steps, self.clock.now()))
        logits = self.model(x)
        loss = F.cross_entropy(logits, y)
        value = float(loss.item())
        if math.isfinite(value):
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            self.version += 1
            self._epoch_correct += int((logits.argmax(1) == y).sum())
            self._epoch_seen += len(y)
            self._epoch_loss += value
        self.charge(self.step_cost)
        return value

    def divergence(self, loss: float) -> str | None:
        """The error message when ``loss`` (of the step just taken) means training diverged."""
        step = self.out.steps
        if not math.isfinite(loss):
            return f"diverged: loss became {loss} at step {step}"
        if self.first_loss is None:
            self.first_loss = max(loss, math.log(self.data.num_classes))
        elif loss > DIVERGENCE_FACTOR * self.first_loss:
            return (
                f"diverged: loss became {loss:.3g} (over {DIVERGENCE_FACTOR:g}x the first "
                f"{self.first_loss:.3g}) at step {step}"
            )
        return None

    def end_epoch(self) -> None:
        self.out.epochs += 1
        steps = max(self._epoch_steps, 1)
        self.schedule.end_epoch(self._epoch_loss / steps)
        train_acc = self._epoch_correct / max(self._epoch_seen, 1)
        threshold = float(self.pipeline["skip_valid_score_threshold"])
        if not self.validating and train_acc >= threshold and len(self.data.valid_labels) > 0:
            self.validating = True
        if self.validating and self.affordable(self.est_valid + self.est_step):
            self.validate()
        self._reset_epoch()

    def validate(self) -> None:
        start = self.clock.now()
        try:
            proba = predict_proba(
                self.model,
                self.data.valid_images,
                self.data.normalize,
                tta=False,
                abort=self.overrun_check(),
            )
        except Aborted:
            self.stop_for_time("validation")
            return
        self.charge(self.valid_cost)
        self.validated_version = self.version
        score = nauc(self.data.valid_labels, proba) if np.all(np.isfinite(proba)) else -math.inf
        self.last_valid = score
        if score > self.best_score:
            self.best_score = score
            self.best = _snapshot(self.model)
            self.best_version = self.version
            self.charge(self.profile.copy_weights_seconds())
        self._measured_valid = self.clock.now() - start

    # -- predictions ----------------------------------------------------------------------
    def prediction_version(self) -> int:
        return self.best_version if self.best is not None else self.version

    def predict(self) -> None:
        """Predict the test set with the best-validation checkpoint (the current weights before
        validation starts), unless those weights already made the last prediction."""
        assert self.data.test_images is not None
        if self.simple_valid is not None and not self.network_beats_simple_model():
            self.reporting.loop_start = self.clock.now()
            return
        if self.prediction_version() == self.last_predicted_version:
            self.reporting.loop_start = self.clock.now()
            return
        start = self.clock.now()
        if self.best is not None:
            state = self.best
            self.predict_model.load_state_dict(state)
            net = self.predict_model
        else:
            state = _snapshot(self.model)
            net = self.model
        self.charge(self.profile.copy_weights_seconds())
        try:
            proba = predict_proba(
                net,
                self.data.test_images,
                self.data.normalize,
                tta=True,
                abort=self.overrun_check(),
            )
        except Aborted:
            self.stop_for_time("test prediction")
            return
        self.charge(self.predict_cost)
        if not np.all(np.isfinite(proba)):
            self.out.error = f"diverged: test predictions became nan after step {self.out.steps}"
            return
        self.last_predicted_version = self.prediction_version()
        self.out.final_state = state
        self._record_prediction(proba, "network")
        self._measured_predict = self.clock.now() - start

    def network_beats_simple_model(self) -> bool:
        """Validate the current weights if they have not been (whatever the training accuracy)
        and say whether the best checkpoint beats the simple model on validation NAUC."""
        assert self.simple_valid is not None
        if self.validated_version != self.version and self.affordable(self.est_valid):
            self.validating = True
            self.validate()
        return self.best is not None and self.best_score > self.simple_valid

    def _record_prediction(self, proba: np.ndarray, source: str) -> None:
        now = self.clock.now()
        self.out.predictions.append(Prediction(time=now, proba=proba, source=source))
        if self.score_test is not None:
            self.last_test = self.score_test(proba)
        if source == "network":
            self.reporting.record(now)

    # -- the loop -------------------------------------------------------------------------
    def run(self) -> LoopOutcome:
        has_test = self.data.test_images is not None
        self.reporting.loop_start = self.clock.now()
        while True:
            reserve = self.est_predict if has_test else 0.0
            if not self.affordable(self.est_step + reserve):
                break
            start = self.clock.now()
            loss = self.train_step()
            self.out.error = self.divergence(loss)
            if self.out.error:
                break
            self.out.steps += 1
            self._epoch_steps += 1
            took = self.clock.now() - start
            self.observe_speed(took, self.step_cost)
            self.est_step = took if self.out.steps == 1 else 0.8 * self.est_step + 0.2 * took
            epoch_end = self._epoch_steps >= self.steps_per_epoch
            if epoch_end:
                self.end_epoch()
            now = self.clock.now()
            due = epoch_end and self.reporting.due_at_epoch_end(self.out.epochs, now)
            if has_test and (due or self.reporting.inner_loop_exhausted(now)):
                self.predict()
                if self.out.error:
                    break
            if self.out_of_time:
                break
            self.progress.update(now, self.out.steps, self.last_valid, self.last_test)
        self._finish(has_test)
        return self.out

    def _finish(self, has_test: bool) -> None:
        """A last prediction when the weights moved on since the previous one and it still
        fits; without a test set the weights to keep are the best-validation (or last) ones."""
        fits = not self.out_of_time and self.affordable(self.est_predict)
        if self.out.error is None and has_test and fits:
            self.predict()
        if self.out.final_state is None and self.out.error is None:
            self.out.final_state = self.best if self.best is not None else _snapshot(self.model)
        self.progress.update(
            self.clock.now(), self.out.steps, self.last_valid, self.last_test, force=True
        )
