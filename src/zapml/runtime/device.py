"""Where the network computes: the CPU (the default) or a CUDA GPU.

Only the network moves. The images stay on the CPU as uint8, batches are drawn, normalised and
augmented there from the same generators as on a CPU run, and each batch goes to the device just
before the forward pass; predictions and features come back to the CPU. So a GPU run sees the same
images in the same order, starts from the same weights and is charged the same counted seconds
under the compute clock (``costs.py`` counts work, not time): its curve differs from the CPU
run's only by rounding, as another layout's does (``runtime.layout``), unless a decision that
reads a score flips. That is what lets a meta-dataset build run its cells on a GPU machine.

On a GPU, TF32 is switched off for the run: it rounds convolution inputs to 10 mantissa bits,
which would move GPU curves further from CPU ones than fp32 rounding does, and the zoo's small
backbones do not need the speed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from zapml.errors import PipelineError

if TYPE_CHECKING:
    import torch
    from torch import nn

CPU = "cpu"
AUTO = "auto"
#: What every run used before devices existed, and what a run records when it names none.
UNRECORDED_DEVICE = CPU


def resolve_device(name: str | None) -> torch.device:
    """``"cpu"`` (None too), ``"cuda"``, ``"cuda:N"`` or ``"auto"`` (CUDA when there is a GPU) as
    a torch device; PipelineError naming the fix when the name is unknown or CUDA is missing."""
    import torch

    wanted = CPU if name is None else str(name).strip().lower()
    if wanted == AUTO:
        wanted = "cuda" if torch.cuda.is_available() else CPU
    if wanted == CPU:
        return torch.device(CPU)
    unknown = f"Unknown device {name!r}: use 'cpu', 'cuda', 'cuda:N' (N a GPU index) or 'auto'."
    if wanted != "cuda" and not wanted.startswith("cuda:"):
        raise PipelineError(unknown)
    try:
        device = torch.device(wanted)
    except RuntimeError:
        raise PipelineError(unknown) from None
    if not torch.cuda.is_available():
        raise PipelineError(
            f"Device {name!r} asked for, but this torch ({torch.__version__}) sees no CUDA GPU: "
            "run with --device cpu, or install a CUDA build of torch on a machine with a GPU."
        )
    index = device.index or 0
    if index >= torch.cuda.device_count():
        raise PipelineError(
            f"Device {name!r} asked for, but only {torch.cuda.device_count()} GPU(s) are "
            f"visible (cuda:0 to cuda:{torch.cuda.device_count() - 1})."
        )
    return torch.device("cuda", index)


def device_label(device: torch.device) -> str:
    """What a run records: ``"cpu"``, or ``"cuda:<GPU name>"`` (which GPU matters when someone
    compares runs; its index does not)."""
    if device.type != "cuda":
        return CPU
    import torch

    return f"cuda:{torch.cuda.get_device_name(device)}"


def model_device(model: nn.Module) -> torch.device:
    """The device the model's weights live on (the CPU for a model without parameters)."""
    import torch

    for param in model.parameters():
        return param.device
    return torch.device(CPU)


@contextlib.contextmanager
def exact_float32(device: torch.device) -> Iterator[None]:
    """On a GPU, fp32 matrix products and convolutions without TF32 for the block (restored
    after); nothing on the CPU."""
    if device.type != "cuda":
        yield
        return
    import torch

    before = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = before
