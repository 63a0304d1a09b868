"""Checkpoint and validation tracking: which weights validated best, which weights the last test
prediction used, and whether the network has earned the right to replace the simple model."""

from __future__ import annotations

import math

import torch
from torch import nn

State = dict[str, torch.Tensor]


def snapshot(model: nn.Module) -> State:
    """A detached copy of the model's weights (parameters and buffers)."""
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


class CheckpointTracker:
    """Weight versions (one per optimizer step), the best-validating checkpoint, and the
    simple model's validation score.

    The network's predictions replace the simple model's only once the network validates better
    (otherwise an early, half-trained network would pull the learning curve below the simple
    model's point).
    """

    def __init__(self) -> None:
        self.version = 0  # bumps with every optimizer step
        self.best: State | None = None
        self.best_version = -1
        self.best_score = -math.inf
        self.validated_version = -1
        self.last_valid: float | None = None
        self.last_predicted_version = -1
        # Validation NAUC of the simple model (None: no simple model, or no validation set).
        self.simple_valid: float | None = None

    def stepped(self) -> None:
        """The optimizer changed the weights."""
        self.version += 1

    def needs_validation(self) -> bool:
        """Whether the current weights have not been validated yet."""
        return self.validated_version != self.version

    def record_validation(self, score: float, model: nn.Module) -> bool:
        """The current weights of ``model`` scored ``score``; keep them if they are the best so
        far. Returns whether they were (the caller charges the snapshot's cost)."""
        self.validated_version = self.version
        self.last_valid = score
        if score > self.best_score:
            self.best_score = score
            self.best = snapshot(model)
            self.best_version = self.version
            return True
        return False

    def prediction_version(self) -> int:
        """The version a test prediction now would use: the best checkpoint once there is one,
        else the current weights."""
        return self.best_version if self.best is not None else self.version

    def already_predicted(self) -> bool:
        return self.prediction_version() == self.last_predicted_version

    def network_beats_simple_model(self) -> bool:
        """Whether the best checkpoint validates strictly better than the simple model."""
        if self.simple_valid is None:
            return True
        return self.best is not None and self.best_score > self.simple_valid

    def predicted(self) -> None:
        """A test prediction was made with the weights of ``prediction_version()``."""
        self.last_predicted_version = self.prediction_version()
