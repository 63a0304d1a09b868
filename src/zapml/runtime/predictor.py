"""Batched inference with horizontal-flip test-time augmentation."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from zapml.runtime.device import model_device
from zapml.runtime.preprocess import Normalizer

EVAL_BATCH_SIZE = 128

# Called after each batch with the fraction of the images done; True aborts the pass.
AbortCheck = Callable[[float], bool]


class Aborted(Exception):
    """An inference pass stopped early by its abort check (it would have overrun the budget)."""


def predict_proba(
    model: nn.Module,
    images: torch.Tensor,
    normalize: Normalizer,
    *,
    tta: bool = True,
    batch_size: int = EVAL_BATCH_SIZE,
    abort: AbortCheck | None = None,
) -> np.ndarray:
    """Softmax probabilities for uint8 NCHW ``images``; with ``tta`` the mean of the softmax of the
    image and of its mirror (the flip the model was trained with). Raises ``Aborted`` when
    ``abort`` says so between batches."""
    was_training = model.training
    device = model_device(model)
    model.eval()
    chunks = []
    try:
        with torch.no_grad():
            for start in range(0, images.shape[0], batch_size):
                x = normalize(images[start : start + batch_size]).to(device)
                proba = torch.softmax(model(x), dim=1)
                if tta:
                    proba = 0.5 * (proba + torch.softmax(model(x.flip(3)), dim=1))
                chunks.append(proba.cpu())
                done = min(start + batch_size, images.shape[0]) / images.shape[0]
                if abort is not None and done < 1.0 and abort(done):
                    raise Aborted
    finally:
        model.train(was_training)
    if not chunks:
        return np.zeros((0, 0), dtype=np.float32)
    return torch.cat(chunks).numpy()
