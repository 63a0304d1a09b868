"""Tr-AutoML's prior over clusters for the next dataset (paper Sec. 2.2, Eq. 6 and 7).

Of K preset clusters, the non-empty ones share probability w in proportion to how many datasets
they hold (as the mixing weights of a Gaussian mixture would), and the empty ones share 1 - w
equally. w = 1 - exp(-gamma * |I|) grows with the number |I| of non-empty clusters, so opening yet
another cluster becomes less likely the more clusters exist (a Chinese-restaurant-style prior).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ClusterPrior:
    """Eq. 6: ``nonempty[k]`` for each non-empty cluster in the order given, ``each_empty`` for
    every one of the ``num_empty`` empty clusters; ``weight_nonempty`` is w of Eq. 7."""

    nonempty: np.ndarray
    each_empty: float
    num_empty: int
    weight_nonempty: float


def nonempty_weight(num_nonempty: int, gamma: float) -> float:
    """Eq. 7: w = 1 - exp(-|I| gamma)."""
    return 1.0 - math.exp(-num_nonempty * gamma)


def cluster_prior(group_sizes: Sequence[int], max_clusters: int, gamma: float) -> ClusterPrior:
    """Eq. 6 for the n-th dataset, where ``group_sizes`` are |V_k| of the non-empty clusters.

    n - 1 (the paper's denominator) is the number of datasets already assigned, the sum of the
    sizes, so the non-empty priors sum to w and the empty ones to 1 - w.
    """
    sizes = np.asarray(group_sizes, dtype=float)
    if np.any(sizes < 1):
        raise ValueError(f"non-empty clusters hold at least one dataset, got sizes {sizes}")
    num_nonempty = len(sizes)
    num_empty = max_clusters - num_nonempty
    if num_empty < 1:
        raise ValueError(
            f"all {max_clusters} preset clusters are in use; raise max_clusters (the paper's K)"
        )
    weight = nonempty_weight(num_nonempty, gamma)
    nonempty = weight * sizes / sizes.sum() if num_nonempty else sizes
    return ClusterPrior(
        nonempty=nonempty,
        # 1 - w written as exp(-gamma |I|) so that it stays above zero for large gamma |I|.
        each_empty=math.exp(-num_nonempty * gamma) / num_empty,
        num_empty=num_empty,
        weight_nonempty=weight,
    )
