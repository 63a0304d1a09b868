"""Counted work, converted to reference seconds: what the compute clock is charged.

Every cost is a count that depends only on the model, the input size and the batch, never on a
measurement, so the same run is charged the same seconds on any machine and under any load:

- a forward pass of one image costs ``flops / FLOPS_PER_SECOND`` (convolutions and matmuls, counted
  once per model and resolution with ``torch.utils.flop_counter.FlopCounterMode``) plus
  ``activations / ELEMENTS_PER_SECOND`` (elements written by the leaf modules: the memory-bound
  work of norms, activations and depthwise convolutions that FLOPs miss);
- every batch pays ``MODULE_CALL_SECONDS`` per leaf module called (framework overhead);
- a train step is three forward passes (forward, backward through activations and weights) plus
  ``PARAM_UPDATE_SECONDS`` per trainable parameter (optimizer update, gradient zeroing);
- preprocessing and batch assembly pay per output pixel; the simple model pays per feature-matrix
  entry touched by its fit.

The constants are this project's *reference machine*: they were fitted once (least squares, see
``benchmarks/bench_compute_clock.py``) on the development machine (2 shared CPU cores, torch
2.13 CPU build, 1 thread), so that compute seconds approximate wall seconds there (within about
a factor of 2 per case; the fit is over 3 backbones and 8-128 px inputs). They are fixed
on purpose: changing them changes every compute-clock learning curve ever recorded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

# The reference machine: fitted with benchmarks/bench_compute_clock.py on the development machine
# (2 shared CPU cores, torch 2.13 CPU build, ONE torch thread, as compute-clock runs use), by
# non-negative least squares over 36 train-step / inference cases (3 backbones, 8-128 px, batch
# 16-128), minimum of 3 repeats each. Rounded; do not re-fit casually (see the module docstring).
FLOPS_PER_SECOND = 42e9
ELEMENTS_PER_SECOND = 0.9e9
MODULE_CALL_SECONDS = 135e-6
PARAM_UPDATE_SECONDS = 15e-9
PIXEL_SECONDS = 8e-9  # resize / convert / normalise / flip-crop, per output pixel and channel
SKLEARN_OP_SECONDS = 2e-9  # per elementary operation of the simple-model operation counts


@dataclass(frozen=True)
class ModelProfile:
    """What one forward pass of one image does, counted once per model and input size."""

    flops_per_image: float
    activations_per_image: float
    num_modules: int
    num_params: int
    input_hw: tuple[int, int]

    def forward_seconds(self, num_images: int, batch_size: int) -> float:
        """Reference seconds for inference on ``num_images`` in batches of ``batch_size``."""
        if num_images <= 0:
            return 0.0
        calls = math.ceil(num_images / batch_size)
        per_image = (
            self.flops_per_image / FLOPS_PER_SECOND
            + self.activations_per_image / ELEMENTS_PER_SECOND
        )
        return num_images * per_image + calls * self.num_modules * MODULE_CALL_SECONDS

    def train_step_seconds(self, batch_size: int, trainable_params: int) -> float:
        # Backward costs about twice the forward (gradients w.r.t. activations and weights).
        return 3.0 * self.forward_seconds(batch_size, batch_size) + (
            trainable_params * PARAM_UPDATE_SECONDS
        )

    def copy_weights_seconds(self) -> float:
        """Snapshotting the weights (best-validation checkpoint)."""
        return self.num_params * PARAM_UPDATE_SECONDS


def pixel_seconds(num_images: int, height: int, width: int, channels: int) -> float:
    """Per-image preprocessing and batch assembly, proportional to the pixels produced."""
    return num_images * height * width * channels * PIXEL_SECONDS


def sklearn_fit_seconds(model: str, num_samples: int, num_features: int, num_classes: int) -> float:
    """Counted cost of fitting one of the simple models on a feature matrix.

    Operation counts of each algorithm, scaled once against measured fits (bench_compute_clock):
    L-BFGS logistic regression sweeps the matrix ~3 times per class per iteration (100
    iterations), kernel SVMs touch every pair of samples, a random forest of 100 trees sorts every
    sample at every depth for sqrt(d) candidate features (with a large constant for tree building).
    """
    n, d, k = num_samples, num_features, max(num_classes, 2)
    if model == "LR":
        ops = 300.0 * n * d * k
    elif model in ("SVC", "NuSVC"):
        ops = float(n) * n * d
    elif model == "RF":
        ops = 100.0 * n * max(math.log2(max(n, 2)), 1.0) * math.sqrt(d) * 56.0
    else:
        raise ValueError(f"Unknown simple model {model!r}; expected SVC, NuSVC, RF or LR.")
    return ops * SKLEARN_OP_SECONDS


def sklearn_predict_seconds(num_samples: int, num_features: int, num_classes: int) -> float:
    return float(num_samples) * num_features * max(num_classes, 2) * SKLEARN_OP_SECONDS


def profile_model(model: nn.Module, input_hw: tuple[int, int], channels: int = 3) -> ModelProfile:
    """Count the FLOPs, activation elements and leaf-module calls of one forward pass.

    Runs a single image in eval mode under ``no_grad`` (so no RNG and no BN statistics are touched)
    and restores the module's training flag.
    """
    from torch.utils.flop_counter import FlopCounterMode

    leaves = [m for m in model.modules() if next(m.children(), None) is None]
    counts = {"elements": 0, "calls": 0}

    def hook(_module: nn.Module, _inputs: object, output: object) -> None:
        counts["calls"] += 1
        if isinstance(output, torch.Tensor):
            counts["elements"] += output.numel()

    handles = [leaf.register_forward_hook(hook) for leaf in leaves]
    was_training = model.training
    model.eval()
    try:
        x = torch.zeros(1, channels, *input_hw)
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            model(x)
        flops = float(counter.get_total_flops())
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    return ModelProfile(
        flops_per_image=flops,
        activations_per_image=float(counts["elements"]),
        num_modules=counts["calls"],
        num_params=sum(p.numel() for p in model.parameters()),
        input_hw=input_hw,
    )
