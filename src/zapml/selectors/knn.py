"""kNN: the nearest training tasks in scaled meta-feature space (log1p + z-score) recommend.

``mode="average"``: a pipeline's score is the inverse-distance-weighted mean over the k nearest
tasks of its *per-task normalised* ALC ((alc - task min) / (task max - task min)), so easy and
hard tasks count alike; missing cells are skipped. ``mode="vote"``: each neighbour votes (with
weight 1/distance) for its best pipeline; pipelines without votes follow by the average.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zapml.errors import ArtifactError
from zapml.metadataset.metadataset import MetaDataset
from zapml.selectors.artifacts import check_finite, check_shape
from zapml.selectors.base import Candidates, Selector
from zapml.selectors.encoding import MetaFeatureScaler

MODES = ("average", "vote")


def normalise_rows(perf: np.ndarray) -> np.ndarray:
    lo = np.nanmin(perf, axis=1, keepdims=True)
    span = np.nanmax(perf, axis=1, keepdims=True) - lo
    return (perf - lo) / np.where(span > 0, span, 1.0)


class KNNSelector(Selector):
    """The k nearest training tasks (log1p, z-scored meta-features) vote for their pipelines."""

    name = "knn"

    def __init__(self, k: int = 5, mode: str = "average") -> None:
        self.k = k
        self.mode = mode

    def _check_params(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"The 'mode' parameter must be one of {MODES}. Got {self.mode!r}.")
        if not isinstance(self.k, int) or self.k < 1:
            raise ValueError(f"The 'k' parameter must be an int >= 1. Got {self.k!r}.")

    def _fit(self, md: MetaDataset) -> None:
        self._check_params()
        self.scaler_ = MetaFeatureScaler(log=True).fit(self.train_mf_)
        self.norm_perf_ = normalise_rows(md.perf.to_numpy(dtype=np.float64))

    def neighbours(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Indices ``(n, k)`` of the nearest training tasks and their distances."""
        train = self.scaler_.transform(self.train_mf_)
        query = np.nan_to_num(self.scaler_.transform(x), nan=0.0)
        dist = np.sqrt(((query[:, None, :] - np.nan_to_num(train)[None]) ** 2).sum(axis=2))
        k = min(int(self.k), len(train))
        idx = np.argsort(dist, axis=1, kind="stable")[:, :k]
        return idx, np.take_along_axis(dist, idx, axis=1)

    def _score(self, x: np.ndarray, candidates: Candidates) -> np.ndarray:
        cols = self.known_indices(candidates)
        idx, dist = self.neighbours(x)
        weight = 1.0 / (dist + 1e-6)
        perf = self.norm_perf_[idx]  # (n, k, P)
        observed = ~np.isnan(perf)
        wsum = (weight[:, :, None] * observed).sum(axis=1)
        avg = (weight[:, :, None] * np.nan_to_num(perf)).sum(axis=1) / np.where(wsum > 0, wsum, 1)
        avg = np.where(wsum > 0, avg, -1.0)  # never observed among the neighbours: last
        if self.mode == "average":
            return avg[:, cols]
        votes = np.zeros_like(avg)
        best = np.nanargmax(np.where(observed, perf, -np.inf), axis=2)  # (n, k)
        rows = np.repeat(np.arange(len(x)), best.shape[1])
        np.add.at(votes, (rows, best.ravel()), weight.ravel())
        # Any voted pipeline outranks every unvoted one (avg <= 1 < 2); unvoted ones by average.
        return np.where(votes > 0, 2.0 + votes, avg)[:, cols]

    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        arrays = {f"mf.{k}": v for k, v in self.scaler_.get_state().items()}
        arrays["norm_perf"] = self.norm_perf_
        return {}, arrays

    def _check_state(self) -> None:
        self._check_params()
        shape = (len(self.train_task_ids_), len(self.pipeline_ids_))
        check_shape("norm_perf", self.norm_perf_, shape)
        check_finite("norm_perf", self.norm_perf_, allow_nan=True)  # NaN: a missing cell
        if (np.nan_to_num(self.norm_perf_) < 0).any() or (np.nan_to_num(self.norm_perf_) > 1).any():
            raise ArtifactError("'norm_perf' holds values outside [0, 1].")

    def _set_state(self, config: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.scaler_ = MetaFeatureScaler.from_state(
            {k[3:]: v for k, v in arrays.items() if k.startswith("mf.")}
        )
        self.norm_perf_ = arrays["norm_perf"]
