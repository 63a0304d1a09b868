"""Tr-AutoML's description of a dataset: how B cheap benchmark pipelines score on it.

Paper (Tr-AutoML, Sec. 2.1 and footnote 2): dataset d_n is represented by x_n with
x_n(i) = g(d_n, b_i), the validation accuracy of benchmark model b_i, averaged over T randomly
initialised trials. The grouping keeps the T x B trial matrix itself, because the
hypothesis test of Sec. 2.3 (Eq. 15-16) and the single-member covariance (Eq. 14) need the
individual trials, not only their mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from zapml.errors import DataError


@dataclass(frozen=True)
class BenchmarkRepresentation:
    """``trials[t, b]``: validation accuracy of benchmark pipeline ``b`` in random trial ``t``."""

    dataset_id: str
    trials: np.ndarray

    def __post_init__(self) -> None:
        trials = np.asarray(self.trials, dtype=float)
        if trials.ndim != 2 or trials.shape[0] < 2 or trials.shape[1] < 1:
            raise DataError(
                f"dataset {self.dataset_id!r}: benchmark trials must be a T x B array with T >= 2 "
                f"trials and B >= 1 benchmark pipelines, got shape {trials.shape}; pass one row "
                "per random trial and one column per benchmark pipeline"
            )
        if not np.all(np.isfinite(trials)):
            raise DataError(
                f"dataset {self.dataset_id!r}: benchmark trials contain NaN or infinity; "
                "re-run the failed benchmark trials before grouping"
            )
        trials.setflags(write=False)
        object.__setattr__(self, "trials", trials)

    @property
    def num_trials(self) -> int:
        return int(self.trials.shape[0])

    @property
    def num_benchmarks(self) -> int:
        return int(self.trials.shape[1])

    @property
    def mean(self) -> np.ndarray:
        """x_n: the mean over trials, the dataset's point in the feature space (footnote 2)."""
        return np.asarray(self.trials.mean(axis=0))

    @property
    def trial_covariance(self) -> np.ndarray:
        """Eq. 14: (1/T) sum_t (x_n^t - x_n)(x_n^t - x_n)^T, the maximum-likelihood covariance of
        the trials (divides by T, as the paper writes it, not by T - 1)."""
        centred = self.trials - self.mean
        return np.asarray(centred.T @ centred / self.num_trials)

    def to_dict(self) -> dict[str, Any]:
        return {"dataset_id": self.dataset_id, "trials": self.trials.tolist()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BenchmarkRepresentation:
        return cls(dataset_id=str(data["dataset_id"]), trials=np.asarray(data["trials"]))
