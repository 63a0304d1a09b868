"""The test run before a dataset may share a cluster's pipeline (Tr-AutoML Sec. 2.3, Eq. 15-16).

H0: the new dataset's benchmark vector has the same mean as the cluster's. The two samples have
unknown, possibly different covariances (the Behrens-Fisher problem), so the paper uses the
classical exact solution for unequal sample sizes (Bennett 1951; Anderson, *An Introduction to
Multivariate Statistical Analysis*, Sec. 5.5): with the new dataset's n1 = T trial vectors x_i
and the cluster's n2 = T |V_k| trial vectors y_j (every member's trials, in arrival order),

    z_i = x_i - sqrt(n1/n2) y_i + sum_{j<=n1} y_j / sqrt(n1 n2) - sum_{j<=n2} y_j / n2   (Eq. 15)

are i.i.d. Gaussian with mean mu_1 - mu_2, and the one-sample Hotelling statistic of the z_i,

    F = T (T - B) / B * zbar^T [sum_i (z_i - zbar)(z_i - zbar)^T]^{-1} zbar             (Eq. 16)

follows F(B, T - B) under H0. Sharing is rejected when F > F_alpha(B, T - B).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

from zapml.errors import DataError

# Eigenvalues of the scatter matrix below this fraction of the largest are treated as zero: a
# benchmark whose accuracy is the same in every trial (say 1.0) has no spread to test against.
_RELATIVE_RANK_TOLERANCE = 1e-10


@dataclass(frozen=True)
class HotellingResult:
    """The test's figures. ``dims`` is B, or fewer when some directions have no spread at all."""

    statistic: float
    threshold: float
    p_value: float
    dims: int
    denominator_dof: int
    alpha: float
    rejected: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def behrens_fisher_differences(new_trials: np.ndarray, cluster_trials: np.ndarray) -> np.ndarray:
    """Eq. 15: the n1 vectors z_i, built from n1 new trials and n2 >= n1 cluster trials."""
    n1, n2 = len(new_trials), len(cluster_trials)
    if n2 < n1:
        raise DataError(
            f"the cluster has {n2} trial vectors but the new dataset {n1}; every dataset must be "
            "benchmarked with the same number of trials T"
        )
    paired = cluster_trials[:n1]
    return np.asarray(
        new_trials
        - np.sqrt(n1 / n2) * paired
        + paired.sum(axis=0) / np.sqrt(n1 * n2)
        - cluster_trials.mean(axis=0)
    )


def hotelling_share_test(
    new_trials: np.ndarray, cluster_trials: np.ndarray, alpha: float
) -> HotellingResult:
    """Eq. 16 on the z_i of Eq. 15; rejects sharing when F > F_alpha(B, T - B) (scipy's F)."""
    z = behrens_fisher_differences(new_trials, cluster_trials)
    num_trials, num_benchmarks = z.shape
    if num_trials <= num_benchmarks:
        raise DataError(
            f"the sharing test needs more trials than benchmark pipelines (T > B), got T = "
            f"{num_trials}, B = {num_benchmarks}; run more trials or use fewer benchmarks"
        )
    z_mean = z.mean(axis=0)
    centred = z - z_mean
    eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred)
    keep = eigenvalues > _RELATIVE_RANK_TOLERANCE * max(float(eigenvalues[-1]), 0.0)
    dims = max(int(keep.sum()), 1)
    denominator_dof = num_trials - dims
    threshold = float(stats.f.ppf(1.0 - alpha, dims, denominator_dof))
    coords = eigenvectors.T @ z_mean
    statistic = _statistic(coords, eigenvalues, keep, num_trials, dims)
    return HotellingResult(
        statistic=statistic,
        threshold=threshold,
        p_value=float(stats.f.sf(statistic, dims, denominator_dof)),
        dims=dims,
        denominator_dof=denominator_dof,
        alpha=alpha,
        rejected=statistic > threshold,
    )


def _statistic(
    coords: np.ndarray, eigenvalues: np.ndarray, keep: np.ndarray, num_trials: int, dims: int
) -> float:
    """T (T - r) / r * zbar^T A^+ zbar in A's eigenbasis. A mean difference along a direction
    with no spread is certain (every trial shows it), so the statistic is infinite."""
    scale = max(float(np.abs(coords).max()), 1.0)
    if np.any(np.abs(coords[~keep]) > 1e-9 * scale):
        return float("inf")
    quadratic = float(np.sum(coords[keep] ** 2 / eigenvalues[keep]))
    return num_trials * (num_trials - dims) / dims * quadratic
