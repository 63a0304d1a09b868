"""Freezing and optimizers as the pipeline's hyperparameters describe them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from zapml.zoo import backbone_parameters_in_order


def freeze_portion(model: nn.Module, portion: float) -> int:
    """Freeze the first ``portion`` of the backbone's parameter tensors (counted in tensors, as the
    ZAP runtime does); returns how many were frozen. The head always trains."""
    if not 0.0 <= portion < 1.0:
        raise ValueError(f"The 'freeze_portion' hyperparameter must lie in [0, 1); got {portion}.")
    params = backbone_parameters_in_order(model)
    count = int(len(params) * portion)
    for p in params[:count]:
        p.requires_grad_(False)
    return count


def build_optimizer(
    params: list[nn.Parameter], pipeline: Mapping[str, Any]
) -> torch.optim.Optimizer:
    name = pipeline["optimizer"]
    lr, wd = float(pipeline["lr"]), float(pipeline["wd"])
    if name == "SGD":
        return torch.optim.SGD(
            params,
            lr=lr,
            momentum=float(pipeline["momentum"]),
            nesterov=bool(pipeline["nesterov"]),
            weight_decay=wd,
        )
    if name == "Adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd, amsgrad=bool(pipeline["amsgrad"]))
    if name == "AdamW":
        return torch.optim.AdamW(params, lr=lr, weight_decay=wd, amsgrad=bool(pipeline["amsgrad"]))
    raise ValueError(f"The 'optimizer' hyperparameter must be SGD, Adam or AdamW; got {name!r}.")


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = lr
