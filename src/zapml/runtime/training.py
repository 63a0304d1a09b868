"""Training: optimizer steps on shuffled, augmented batches, epoch statistics, and divergence."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from zapml.runtime.device import model_device
from zapml.runtime.optim import build_optimizer, set_lr
from zapml.runtime.preprocess import BatchOrder, Normalizer, augment
from zapml.runtime.schedule import LRSchedule

# A finite loss this many times the first one is divergence too: batch norm keeps a network with a
# wild learning rate finite for a long time (losses of 1e6-1e8 measured with lr=1e3), and such
# weights are useless. Cross-entropy starts near log(num_classes); sound training stays far below.
DIVERGENCE_FACTOR = 1e3


@dataclass
class EpochStats:
    """What the steps of the current epoch saw (finite-loss steps only for loss and accuracy)."""

    correct: int = 0
    seen: int = 0
    steps: int = 0
    loss: float = 0.0

    @property
    def mean_loss(self) -> float:
        return self.loss / max(self.steps, 1)

    @property
    def accuracy(self) -> float:
        return self.correct / max(self.seen, 1)


class DivergenceDetector:
    """Says when training diverged: a nan/inf loss, or one over ``DIVERGENCE_FACTOR`` times the
    first loss (itself at least log(num_classes), the loss of a uniform guess)."""

    def __init__(self, num_classes: int) -> None:
        self.num_classes = num_classes
        self.first_loss: float | None = None

    def check(self, loss: float, step: int) -> str | None:
        """The error message when ``loss`` (of step ``step``) means training diverged."""
        if not math.isfinite(loss):
            return f"diverged: loss became {loss} at step {step}"
        if self.first_loss is None:
            self.first_loss = max(loss, math.log(self.num_classes))
        elif loss > DIVERGENCE_FACTOR * self.first_loss:
            return (
                f"diverged: loss became {loss:.3g} (over {DIVERGENCE_FACTOR:g}x the first "
                f"{self.first_loss:.3g}) at step {step}"
            )
        return None


class Trainer:
    """Optimizer steps of ``model`` on ``images``/``labels`` with the pipeline's batch size,
    optimizer and LR schedule; batches drawn and augmented from ``seed``."""

    def __init__(
        self,
        model: nn.Module,
        pipeline: Mapping[str, Any],
        images: torch.Tensor,
        labels: torch.Tensor,
        normalize: Normalizer,
        *,
        seed: int,
        budget: float,
    ) -> None:
        self.model = model
        self.device = model_device(model)  # batches go there; the images stay on the CPU
        self.images = images
        self.labels = labels
        self.normalize = normalize
        n_train = int(images.shape[0])
        self.batch_size = min(int(pipeline["batch_size"]), n_train)
        self.order = BatchOrder(n_train, self.batch_size, np.random.default_rng(seed))
        self.generator = torch.Generator().manual_seed(seed)
        params = [p for p in model.parameters() if p.requires_grad]
        self.trainable = sum(p.numel() for p in params)
        self.optimizer = build_optimizer(params, pipeline)
        self.steps_per_epoch = int(pipeline["steps_per_epoch"])
        self.schedule = LRSchedule(
            lr=float(pipeline["lr"]),
            min_lr=float(pipeline["min_lr"]),
            kind=str(pipeline["scheduler"]),
            warmup_multiplier=float(pipeline["warmup_multiplier"]),
            warmup_steps=int(pipeline["warm_up_epoch"]) * self.steps_per_epoch,
            budget=budget,
        )
        self.epoch = EpochStats()

    def step(self, steps_done: int, now: float) -> tuple[float, bool]:
        """One step at clock time ``now`` after ``steps_done`` steps: returns the batch loss
        (nan/inf when it diverged) and whether the weights changed (only on a finite loss)."""
        idx = torch.from_numpy(self.order.next())
        x = augment(self.normalize(self.images[idx]), self.generator).to(self.device)
        y = self.labels[idx].to(self.device)
        set_lr(self.optimizer, self.schedule.lr(steps_done, now))
        logits = self.model(x)
        loss = F.cross_entropy(logits, y)
        value = float(loss.item())
        if not math.isfinite(value):
            return value, False
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        self.epoch.correct += int((logits.argmax(1) == y).sum())
        self.epoch.seen += len(y)
        self.epoch.loss += value
        return value, True

    def count_step(self) -> bool:
        """A step was kept (it did not diverge); returns whether it ended the epoch."""
        self.epoch.steps += 1
        return self.epoch.steps >= self.steps_per_epoch

    def end_epoch(self) -> float:
        """Feed the epoch's mean loss to the LR schedule (plateau), start a new epoch, and
        return the finished epoch's training accuracy."""
        self.schedule.end_epoch(self.epoch.mean_loss)
        accuracy = self.epoch.accuracy
        self.epoch = EpochStats()
        return accuracy
