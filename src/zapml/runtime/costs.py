"""Counted work, converted to reference seconds: what the compute clock is charged.

Every cost is a count that depends only on the model, the input size and the batch, never on a
measurement, so the same run is charged the same seconds on any machine and under any load. The
counts (``profile_model``) are: the FLOPs of one image's forward pass (convolutions and matmuls,
``torch.utils.flop_counter.FlopCounterMode``), the part of them done by depthwise (grouped)
convolutions, the elements written by the leaf modules (the memory-bound work of norms and
activations), the leaf-module calls per batch, and the parameters. Preprocessing pays per output
pixel, the simple model per counted operation of its algorithm.

A *clock version* is one set of reference rates (and the formula that applies them) that turns
these counts into seconds: this project's *reference machine*. A version is frozen once runs were
recorded with it: changing it would change every compute-clock learning curve ever recorded.
Runs record their version (``FitResult.clock_version``, the meta-dataset's ``versions`` mapping);
``fit(..., clock_version=1)`` re-runs an old one. ``CLOCK_VERSION`` is the one new runs use.

- Version 1 (meta-dataset v1): a forward pass costs ``flops / 42e9 + elements / 0.9e9`` per image
  plus 135 us per leaf-module call per batch; a train step is three forward passes plus 15 ns per
  trainable parameter. Fitted on 3 backbones at 8-128 px; counted/measured ranged 0.2-2.0.
- Version 2 (meta-dataset v2): seconds per counted unit, with depthwise FLOPs apart from dense
  ones (a depthwise convolution does 9-25 multiply-adds per loaded element and runs ~10x below
  the matmul rate; its backward ~50x), depthwise convolutions padded wider than their input apart
  again (oneDNN's slow path), and a train step with its own rates instead of "three forward
  passes". Logistic regression's operations are BLAS products, charged at their own rate. Fitted
  on every offline zoo backbone at 32-128 px, train steps and inference; see
  ``benchmarks/bench_compute_clock.py`` for the fit and the counted/measured ratios.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class ModelProfile:
    """What one forward pass of one image does, counted once per model and input size, and the
    clock version whose rates turn it into seconds."""

    flops_per_image: float
    activations_per_image: float
    num_modules: int
    num_params: int
    input_hw: tuple[int, int]
    depthwise_flops_per_image: float = 0.0
    # Output elements of depthwise convolutions whose padding is wider than their input (a 5x5
    # kernel on a 1x1 map): oneDNN runs them on a slow generic path, ~0.5 us per element instead
    # of ~2 ns (measured; efficientnet_lite's last stages at 32 px, 80% of a forward pass).
    overpadded_depthwise_elements_per_image: float = 0.0
    clock_version: int | None = None  # None: CLOCK_VERSION

    @property
    def dense_flops_per_image(self) -> float:
        """FLOPs of regular and pointwise convolutions and matmuls (everything not depthwise)."""
        return self.flops_per_image - self.depthwise_flops_per_image

    def forward_seconds(self, num_images: int, batch_size: int) -> float:
        """Reference seconds for inference on ``num_images`` in batches of ``batch_size``."""
        if num_images <= 0:
            return 0.0
        return cost_model(self.clock_version).forward_seconds(self, num_images, batch_size)

    def train_step_seconds(self, batch_size: int, trainable_params: int) -> float:
        """Reference seconds for one forward + backward + optimizer step on ``batch_size``."""
        return cost_model(self.clock_version).train_step_seconds(self, batch_size, trainable_params)

    def copy_weights_seconds(self) -> float:
        """Snapshotting the weights (best-validation checkpoint)."""
        return self.num_params * cost_model(self.clock_version).param_update_seconds


@dataclass(frozen=True)
class CostModelV1:
    """Version 1, frozen: the formula and rates meta-dataset v1 was recorded with. Do not edit."""

    version: int
    flops_per_second: float
    elements_per_second: float
    module_call_seconds: float
    param_update_seconds: float
    pixel_seconds: float  # resize / convert / normalise / flip-crop, per output pixel and channel
    sklearn_op_seconds: float  # per elementary operation of the simple-model operation counts

    def forward_seconds(self, p: ModelProfile, num_images: int, batch_size: int) -> float:
        calls = math.ceil(num_images / batch_size)
        per_image = p.flops_per_image / self.flops_per_second + (
            p.activations_per_image / self.elements_per_second
        )
        return num_images * per_image + calls * p.num_modules * self.module_call_seconds

    def fit_op_seconds(self, _simple_model: str) -> float:
        return self.sklearn_op_seconds

    def train_step_seconds(self, p: ModelProfile, batch_size: int, trainable: int) -> float:
        # Backward costs about twice the forward (gradients w.r.t. activations and weights).
        return 3.0 * self.forward_seconds(p, batch_size, batch_size) + (
            trainable * self.param_update_seconds
        )


@dataclass(frozen=True)
class CostModelV2:
    """Version 2: seconds per counted unit (FLOP, element, call, parameter), with dense and
    depthwise FLOPs apart, and separate rates for inference and for train steps (forward +
    backward + optimizer; per image of the batch, per step, per trainable parameter)."""

    version: int
    dense_flop_seconds: float  # regular / pointwise convolutions, linear layers
    depthwise_flop_seconds: float
    element_seconds: float  # elements written by leaf modules (norms, activations, pooling)
    overpadded_element_seconds: float  # see ModelProfile.overpadded_depthwise_elements_per_image
    module_call_seconds: float  # per leaf module per batch
    train_dense_flop_seconds: float
    train_depthwise_flop_seconds: float
    train_element_seconds: float
    train_overpadded_element_seconds: float
    train_module_call_seconds: float
    param_update_seconds: float
    pixel_seconds: float
    sklearn_op_seconds: float
    lr_op_seconds: float  # logistic regression's operations are BLAS matrix products

    def fit_op_seconds(self, simple_model: str) -> float:
        return self.lr_op_seconds if simple_model == "LR" else self.sklearn_op_seconds

    def forward_seconds(self, p: ModelProfile, num_images: int, batch_size: int) -> float:
        calls = math.ceil(num_images / batch_size)
        per_image = (
            p.dense_flops_per_image * self.dense_flop_seconds
            + p.depthwise_flops_per_image * self.depthwise_flop_seconds
            + p.activations_per_image * self.element_seconds
            + p.overpadded_depthwise_elements_per_image * self.overpadded_element_seconds
        )
        return num_images * per_image + calls * p.num_modules * self.module_call_seconds

    def train_step_seconds(self, p: ModelProfile, batch_size: int, trainable: int) -> float:
        per_image = (
            p.dense_flops_per_image * self.train_dense_flop_seconds
            + p.depthwise_flops_per_image * self.train_depthwise_flop_seconds
            + p.activations_per_image * self.train_element_seconds
            + p.overpadded_depthwise_elements_per_image * self.train_overpadded_element_seconds
        )
        return (
            batch_size * per_image
            + p.num_modules * self.train_module_call_seconds
            + trainable * self.param_update_seconds
        )


CostModel = CostModelV1 | CostModelV2

# Fitted with benchmarks/bench_compute_clock.py on the development machine (2 shared CPU cores,
# torch 2.13 CPU build, ONE torch thread, as compute-clock runs use), by non-negative least squares
# over 36 train-step / inference cases (3 backbones, 8-128 px, batch 16-128), minimum of 3 repeats.
# Frozen: meta-dataset v1's curves were recorded with these.
CLOCK_V1 = CostModelV1(
    version=1,
    flops_per_second=42e9,
    elements_per_second=0.9e9,
    module_call_seconds=135e-6,
    param_update_seconds=15e-9,
    pixel_seconds=8e-9,
    sklearn_op_seconds=2e-9,
)

# Fitted with benchmarks/bench_compute_clock.py (same machine kind, torch and thread count as v1)
# by non-negative least squares on relative error over 140 cases: the 7 offline zoo backbones at
# 32, 48, 64, 96 and 128 px, train steps (batch 16, 64) and inference (batch 64, 128), per-thread
# CPU time, minimum over repeats and over two passes. Rounded to 2 significant digits. As rates:
# dense FLOPs run at ~90 GFLOP/s in inference and ~29 GFLOP/s (per forward FLOP) in a train step,
# depthwise FLOPs at ~9 and ~0.57 GFLOP/s. The fit puts inference's per-call overhead and most of
# a train step's per-element cost into the other terms (their estimates are 0 and ~0): calls are
# cheap next to a 64-image batch, and a train step's memory traffic grows with its FLOPs.
# Preprocessing keeps v1's rate (measured 7.96e-9); logistic regression's L-BFGS operations are
# BLAS products: 1.3e-11 to 9.5e-11 s each measured (64-512 samples, 320-1280 features, 3-50
# classes), 3e-11 taken. Frozen once meta-dataset v2 is built.
CLOCK_V2 = CostModelV2(
    version=2,
    dense_flop_seconds=1.1e-11,
    depthwise_flop_seconds=1.1e-10,
    element_seconds=5.1e-10,
    overpadded_element_seconds=4.4e-7,
    module_call_seconds=0.0,
    train_dense_flop_seconds=3.4e-11,
    train_depthwise_flop_seconds=1.8e-9,
    train_element_seconds=2.0e-11,
    train_overpadded_element_seconds=1.1e-6,
    train_module_call_seconds=1.8e-4,
    param_update_seconds=5.9e-9,
    pixel_seconds=8e-9,
    sklearn_op_seconds=2e-9,
    lr_op_seconds=3e-11,
)

CLOCK_VERSIONS: dict[int, CostModel] = {m.version: m for m in (CLOCK_V1, CLOCK_V2)}
#: the version new runs use
CLOCK_VERSION = 2


def check_clock_version(version: int | None) -> int:
    """``version`` (None: the current one) if it is a known clock version; ValueError otherwise."""
    if version is None:
        return CLOCK_VERSION
    if isinstance(version, bool) or version not in CLOCK_VERSIONS:
        raise ValueError(
            f"Unknown compute-clock version {version!r}; known versions are "
            f"{sorted(CLOCK_VERSIONS)} (the current one, {CLOCK_VERSION}, is the default)."
        )
    return int(version)


def cost_model(version: int | None = None) -> CostModel:
    """The rates of clock ``version`` (None: the current one)."""
    return CLOCK_VERSIONS[check_clock_version(version)]


def pixel_seconds(
    num_images: int, height: int, width: int, channels: int, clock_version: int | None = None
) -> float:
    """Per-image preprocessing and batch assembly, proportional to the pixels produced."""
    return num_images * height * width * channels * cost_model(clock_version).pixel_seconds


def sklearn_fit_seconds(
    model: str,
    num_samples: int,
    num_features: int,
    num_classes: int,
    clock_version: int | None = None,
) -> float:
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
    return ops * cost_model(clock_version).fit_op_seconds(model)


def sklearn_predict_seconds(
    num_samples: int, num_features: int, num_classes: int, clock_version: int | None = None
) -> float:
    ops = float(num_samples) * num_features * max(num_classes, 2)
    return ops * cost_model(clock_version).sklearn_op_seconds


def profile_model(
    model: nn.Module, input_hw: tuple[int, int], channels: int = 3, clock_version: int | None = None
) -> ModelProfile:
    """Count the FLOPs (all, and depthwise), activation elements and leaf-module calls of one
    forward pass; the profile charges with clock ``clock_version`` (None: the current one).

    Runs a single image in eval mode under ``no_grad`` (so no RNG and no BN statistics are touched)
    and restores the module's training flag.
    """
    from torch.utils.flop_counter import FlopCounterMode

    version = check_clock_version(clock_version)
    leaves = [m for m in model.modules() if next(m.children(), None) is None]
    counts = {"elements": 0, "calls": 0, "depthwise": 0, "overpadded": 0}

    def hook(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: object) -> None:
        counts["calls"] += 1
        if isinstance(output, torch.Tensor):
            counts["elements"] += output.numel()
            if isinstance(module, nn.Conv2d) and module.groups > 1:
                # FlopCounterMode's convolution count: 2 per multiply-add, one multiply-add per
                # output element and weight of one group (in/groups x kernel).
                counts["depthwise"] += 2 * output.numel() * module.weight[0].numel()
                if _overpadded(module, inputs[0]):
                    counts["overpadded"] += output.numel()

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
        depthwise_flops_per_image=float(counts["depthwise"]),
        overpadded_depthwise_elements_per_image=float(counts["overpadded"]),
        clock_version=version,
    )


def _overpadded(conv: nn.Conv2d, x: torch.Tensor) -> bool:
    """Whether the convolution pads ``x`` by more than its own height or width."""
    if isinstance(conv.padding, str):  # "same" pads (kernel - 1) / 2 per side, "valid" none
        pads = [(k - 1) // 2 if conv.padding == "same" else 0 for k in conv.kernel_size]
    else:
        pads = list(conv.padding)
    return any(p > size for p, size in zip(pads, x.shape[-2:], strict=True))
