"""Torch thread count for the small selector models.

These models are tiny (a few 10k parameters): intra-op threads buy nothing, and on a shared
machine extra threads spin and wait -- measured 6x slower per step with 2 threads than with 1
under load. So selectors train and score with ``n_threads`` (default 1) and restore the global
setting afterwards, leaving the rest of the process alone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    old = torch.get_num_threads()
    if n:
        torch.set_num_threads(int(n))
    try:
        yield
    finally:
        torch.set_num_threads(old)
