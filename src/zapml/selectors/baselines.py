"""Baselines: random pipeline and single best (best mean over the training tasks).

The oracle (the best pipeline by the task's true performance) is no selector: it cannot rank a
new task. ``zapml.evaluation`` reports it as the upper bound, straight from the stored perf."""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

from zapml.errors import ArtifactError
from zapml.metadataset.metadataset import MetaDataset
from zapml.selectors.artifacts import check_shape
from zapml.selectors.base import Candidates, Selector


class RandomSelector(Selector):
    """Uniform random scores: the expected choice is the mean over pipelines. Scores any pipeline.
    The draw for a task is seeded by ``seed`` and the task's meta-feature values, so the same
    task gets the same scores before and after save/load and across reruns."""

    name = "random"
    scores_unseen_pipelines = True

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def _fit(self, md: MetaDataset) -> None:
        return None

    def _check_state(self) -> None:
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ArtifactError(f"'params.seed' is {self.seed!r}; it must be an int >= 0.")

    def _score(self, x: np.ndarray, candidates: Candidates) -> np.ndarray:
        n = len(self.pipeline_ids_) if candidates is None else len(candidates)
        out = np.empty((len(x), n))
        for i, row in enumerate(x):
            key = zlib.crc32(np.ascontiguousarray(row, dtype=np.float64).tobytes())
            out[i] = np.random.default_rng([int(self.seed), key]).random(n)
        return out


class SingleBestSelector(Selector):
    """Scores each training pipeline by its mean ALC over the training tasks (NaN cells skipped),
    the same for every task: the 'best on average' default that a selector has to beat."""

    name = "single_best"

    def __init__(self) -> None:
        pass

    def _fit(self, md: MetaDataset) -> None:
        mean = np.nanmean(md.perf.to_numpy(), axis=0)
        # A pipeline never run in training gets the lowest score rather than NaN.
        self.mean_perf_ = np.where(np.isnan(mean), -np.inf, mean)

    def _score(self, x: np.ndarray, candidates: Candidates) -> np.ndarray:
        scores = self.mean_perf_[self.known_indices(candidates)]
        return np.tile(scores, (len(x), 1))

    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {}, {"mean_perf": self.mean_perf_}

    def _check_state(self) -> None:
        check_shape("mean_perf", self.mean_perf_, (len(self.pipeline_ids_),))
        if np.isnan(self.mean_perf_).any() or (self.mean_perf_ == np.inf).any():
            raise ArtifactError("'mean_perf' holds NaN or +inf.")  # -inf: never run, ranks last

    def _set_state(self, config: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.mean_perf_ = arrays["mean_perf"]
