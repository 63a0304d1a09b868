"""Counting a model's size and compute: how the registry's ``params_m`` / ``gmacs`` were made."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


def count_params_m(model: torch.nn.Module) -> float:
    """All parameters (trainable or not) in millions, head included."""
    return sum(p.numel() for p in model.parameters()) / 1e6


def count_gmacs(model: torch.nn.Module, input_size: int) -> float:
    """Multiply-accumulates (GMACs) of one ``1x3xSxS`` forward, counted by torch's FlopCounterMode.

    FlopCounterMode counts a multiply-add as 2 FLOPs, hence the halving. The model is put in eval
    mode for the count (batch-norm statistics are not updated) and restored afterwards.
    """
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    was_training = model.training
    model.eval()
    counter = FlopCounterMode(display=False)
    try:
        with counter, torch.no_grad():
            model(torch.zeros(1, 3, input_size, input_size))
    finally:
        model.train(was_training)
    return counter.get_total_flops() / 2 / 1e9
