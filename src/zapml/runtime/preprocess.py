"""Input handling as the ZAP runtime does it: size rule, resizing, validation split, batches.

Images are resized once, up front, and kept as uint8 ``(N, C, H, W)`` tensors (a quarter of the
memory of float32); each batch is converted, expanded to 3 channels, normalised and augmented when
it is drawn. Every function here is deterministic given its generator.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

_RESIZE_CHUNK = 256


def input_size(native_hw: tuple[int, int], log2_max_size: int) -> tuple[int, int]:
    """The network's input size: the longer side becomes ``2**log2_max_size``, aspect kept.

    ZAP kept images of 32 px or less at their native size. We scale them up too: our offline
    collection is mostly 8-28 px, where a stride-32 ImageNet backbone would see a 1x1 map, and
    resizing makes ``log2_max_size`` the accuracy-versus-speed choice on every task."""
    h, w = native_hw
    cap = 2**log2_max_size
    scale = cap / max(h, w)
    return max(1, round(h * scale)), max(1, round(w * scale))


def resize_images(images: np.ndarray, hw: tuple[int, int]) -> torch.Tensor:
    """uint8 NHWC array -> uint8 NCHW tensor of spatial size ``hw`` (antialiased bilinear)."""
    tensor = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2)
    if tuple(tensor.shape[2:]) == tuple(hw):
        return tensor.contiguous()
    out = torch.empty((tensor.shape[0], tensor.shape[1], *hw), dtype=torch.uint8)
    # Chunks keep the float copy small for large datasets.
    for start in range(0, tensor.shape[0], _RESIZE_CHUNK):
        chunk = tensor[start : start + _RESIZE_CHUNK].float()
        resized = F.interpolate(
            chunk, size=hw, mode="bilinear", antialias=True, align_corners=False
        )
        out[start : start + _RESIZE_CHUNK] = resized.round_().clamp_(0, 255).to(torch.uint8)
    return out


class Normalizer:
    """uint8 NCHW (1 or 3 channels) -> float NCHW with 3 channels, normalised for the backbone."""

    def __init__(self, mean: Sequence[float], std: Sequence[float]) -> None:
        self.mean = torch.tensor(list(mean), dtype=torch.float32).view(1, 3, 1, 1) * 255.0
        self.inv_std = 1.0 / (torch.tensor(list(std), dtype=torch.float32).view(1, 3, 1, 1) * 255.0)

    def __call__(self, batch: torch.Tensor) -> torch.Tensor:
        x = batch.float()
        if x.shape[1] == 1:
            # Pretrained backbones expect RGB; a gray image is the same value in every channel.
            x = x.expand(-1, 3, -1, -1)
        return (x - self.mean) * self.inv_std


def augment(batch: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random horizontal flip and a random shift of up to 1/8 of the side (reflect padding)."""
    n, _, h, w = batch.shape
    flip = torch.rand(n, generator=generator) < 0.5
    batch = torch.where(flip.view(n, 1, 1, 1), batch.flip(3), batch)
    pad = max(1, min(h, w) // 8)
    padded = F.pad(batch, (pad, pad, pad, pad), mode="reflect")
    offsets = torch.randint(0, 2 * pad + 1, (n, 2), generator=generator).tolist()
    return torch.stack(
        [padded[i, :, dy : dy + h, dx : dx + w] for i, (dy, dx) in enumerate(offsets)]
    )


def validation_count(num_images: int, cv_valid_ratio: float, max_valid_count: int) -> int:
    return int(min(num_images * cv_valid_ratio, max_valid_count))


def stratified_split(
    labels: np.ndarray, num_valid: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(train, valid) indices with ``num_valid`` validation images spread over the classes in
    proportion to their size (largest remainders), keeping at least one training image per class."""
    classes = np.unique(labels)
    per_class = [rng.permutation(np.flatnonzero(labels == c)) for c in classes]
    sizes = np.array([len(idx) for idx in per_class], dtype=float)
    quota = num_valid * sizes / sizes.sum()
    take = np.floor(quota).astype(int)
    for i in np.argsort(-(quota - take), kind="stable")[: num_valid - take.sum()]:
        take[i] += 1
    take = np.minimum(take, sizes.astype(int) - 1).clip(min=0)
    valid = np.concatenate([idx[:k] for idx, k in zip(per_class, take, strict=True)])
    train = np.concatenate([idx[k:] for idx, k in zip(per_class, take, strict=True)])
    return np.sort(train), np.sort(valid)


class BatchOrder:
    """Endless fixed-size batches of training indices: one permutation per pass, drawn from the
    run's seed, continued across pass boundaries so every batch has exactly ``batch_size`` items
    (batch norm cannot train on a batch of one)."""

    def __init__(self, num_items: int, batch_size: int, rng: np.random.Generator) -> None:
        self.num_items = num_items
        self.batch_size = batch_size
        self._rng = rng
        self._queue = np.empty(0, dtype=np.int64)

    def next(self) -> np.ndarray:
        while len(self._queue) < self.batch_size:
            self._queue = np.concatenate([self._queue, self._rng.permutation(self.num_items)])
        batch, self._queue = self._queue[: self.batch_size], self._queue[self.batch_size :]
        return batch
