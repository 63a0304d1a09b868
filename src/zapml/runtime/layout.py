"""The memory layout the runtime trains and predicts in.

On CPU, channels-last (NHWC) convolutions run the zoo's depthwise-separable backbones much faster
than the default contiguous (NCHW) layout: one train step of MobileNetV2 / EfficientNet-Lite0 at
batch 32, one thread, took 0.12-0.44 s channels-last against 0.19-0.72 s contiguous on the 2-core
development machine (1.5-1.8x; ``benchmarks/bench_layout.py`` prints the table for every
backbone). Only the model is converted: convolutions then return channels-last activations
whatever the input's layout, so the data pipeline is unchanged.

The layout changes no arithmetic, only the order of float operations: a run in one layout
matches the other at rounding level in its first step and drifts apart as training amplifies
rounding (like another CPU's SIMD kernels). The compute clock counts the same seconds in both,
so timestamps are identical unless a decision that reads a score flips (when the network first
beats the simple model on validation decides when it predicts). Each run records its layout;
re-running a stored run uses the one it recorded (runs recorded before layouts existed were
contiguous).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from zapml.errors import PipelineError

if TYPE_CHECKING:
    import torch

CHANNELS_LAST = "channels_last"
CONTIGUOUS = "contiguous"
LAYOUTS = (CHANNELS_LAST, CONTIGUOUS)
#: The runtime's layout (it runs on CPU only, where channels-last is the faster one).
DEFAULT_LAYOUT = CHANNELS_LAST
#: The layout of runs that recorded none: every run before the runtime chose one.
UNRECORDED_LAYOUT = CONTIGUOUS


def check_layout(layout: str | None) -> str:
    """``layout`` (None = the default) if it is one of ``LAYOUTS``; PipelineError otherwise."""
    if layout is None:
        return DEFAULT_LAYOUT
    if layout not in LAYOUTS:
        raise PipelineError(
            f"The 'layout' parameter must be one of {list(LAYOUTS)}. Got {layout!r} instead."
        )
    return layout


def apply_layout(model: torch.nn.Module, layout: str) -> torch.nn.Module:
    """``model`` with its 4-d parameters and buffers in ``layout`` (in place; returned)."""
    import torch

    fmt = torch.channels_last if check_layout(layout) == CHANNELS_LAST else torch.contiguous_format
    # Module.to documents memory_format, but torch's type stubs leave it out of every overload.
    converted: torch.nn.Module = cast(Any, model).to(memory_format=fmt)
    return converted
