"""Baselines: random pipeline, single best (best mean over the training tasks) and single best
per budget (best mean over the training tasks at the trained budget nearest the one asked).

The oracle (the best pipeline by the task's true performance) is no selector: it cannot rank a
new task. ``zapml.evaluation`` reports it as the upper bound, straight from the stored perf."""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

from zapml.errors import ArtifactError
from zapml.metadataset.metadataset import BUDGET_FEATURE, MetaDataset
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
    the same for every task: the 'best on average' default that a selector has to beat. Trained
    on several budgets it averages over every (task, budget) row: one choice whatever the budget
    (the budget-blind baseline; ``single_best_per_budget`` is the per-budget one)."""

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


class SingleBestPerBudgetSelector(Selector):
    """Scores each training pipeline by its mean over the training tasks at the trained budget
    nearest (in log space: 16 s is as far from 4 s as from 64 s) to the budget asked: the
    baseline a budget-aware selector has to beat. Trained on one budget it is ``single_best``."""

    name = "single_best_per_budget"

    def __init__(self) -> None:
        pass

    def _fit(self, md: MetaDataset) -> None:
        perf = md.perf.to_numpy(dtype=np.float64)
        if self.budget_aware:
            row_budget = md.metafeatures([BUDGET_FEATURE]).to_numpy()[:, 0]
            groups = [row_budget == b for b in self.train_budgets_]
        else:
            groups = [np.ones(len(perf), dtype=bool)]
        means = np.stack([_column_means(perf[rows]) for rows in groups])
        # A pipeline never run at a budget ranks last there rather than scoring NaN.
        self.mean_perf_ = np.where(np.isnan(means), -np.inf, means)

    def nearest_budget_index(self, budgets: np.ndarray) -> np.ndarray:
        """Index into ``train_budgets_`` of the trained budget nearest each asked one."""
        trained = np.log(np.asarray(self.train_budgets_, dtype=np.float64))
        return np.argmin(np.abs(np.log(budgets)[:, None] - trained[None, :]), axis=1)

    def _score(self, x: np.ndarray, candidates: Candidates) -> np.ndarray:
        cols = self.known_indices(candidates)
        if not self.budget_aware:
            return np.tile(self.mean_perf_[0, cols], (len(x), 1))
        rows = self.nearest_budget_index(x[:, self.metafeature_names_.index(BUDGET_FEATURE)])
        return self.mean_perf_[rows][:, cols]

    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {}, {"mean_perf": self.mean_perf_}

    def _check_state(self) -> None:
        levels = len(self.train_budgets_) if self.budget_aware else 1
        check_shape("mean_perf", self.mean_perf_, (levels, len(self.pipeline_ids_)))
        if np.isnan(self.mean_perf_).any() or (self.mean_perf_ == np.inf).any():
            raise ArtifactError("'mean_perf' holds NaN or +inf.")

    def _set_state(self, config: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.mean_perf_ = arrays["mean_perf"]


def _column_means(perf: np.ndarray) -> np.ndarray:
    """Mean of each column over its observed (non-NaN) cells; NaN for a column never observed."""
    seen = ~np.isnan(perf)
    total = np.where(seen, perf, 0.0).sum(axis=0)
    count = seen.sum(axis=0)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)
