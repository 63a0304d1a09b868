"""Tr-AutoML's sequential grouping of arriving datasets (paper Sec. 2.2-2.4, Algorithm 1).

Each dataset, described by its benchmark trials, goes to the single most probable of K preset
clusters (greedy MAP: the paper keeps only the best state, Sec. 2.2 end), scored by

    prior (Eq. 6, 7)  x  Gaussian likelihood N(x_n | mu_k, Sigma_k) (Eq. 5).

Variance terms of the likelihood (the paper leaves one gap, closed here as follows):
- an empty cluster k: Sigma_0 = sigma0^2 I / K^(1/B) around a centre mu_0^k drawn uniformly over
  the accuracy range (Eq. 10-11; the paper: sigma0^2 is about the variance of single trials,
  scaled down by the B-th root of K because more preset clusters mean smaller ones);
- a non-empty cluster: its maximum-likelihood covariance, Eq. 14 for one member (that member's
  trial covariance) and Eq. 13 for more (the spread of the members' mean vectors), PLUS Sigma_0.
  Eq. 13 has rank |V_k| - 1 < B for small clusters, so N(x | mu_k, Sigma_k) has no density there;
  the paper only assumes |Sigma_k| is "small enough". Adding the prior covariance Sigma_0 is the
  smallest change that makes every density exist, and it never lets a cluster be tighter than an
  empty one.
The cluster means are Eq. 12 (mean of the members' mean vectors). Both are recomputed from the
members, so the state holds only the members (one fact in one place).

A dataset the MAP assigns to a non-empty cluster shares its pipeline only if the Behrens-Fisher
Hotelling test (``hotelling.py``) accepts equal means; otherwise it opens a new cluster, like a
dataset the MAP sent to an empty cluster, and the caller must search a pipeline for it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import stats
from scipy.special import logsumexp

from zapml.errors import DataError
from zapml.transfer.hotelling import HotellingResult, hotelling_share_test
from zapml.transfer.prior import cluster_prior
from zapml.transfer.representation import BenchmarkRepresentation

STATE_FORMAT = "zapml.transfer.grouping/1"


@dataclass(frozen=True)
class GroupingConfig:
    """The paper's settings (Sec. 3.1.2), and where the empty clusters' random centres come from.

    ``center_low``/``center_high`` bound the uniform draw of mu_0 (Eq. 10: uniform "when the
    bound of range is known"; accuracies lie in [0, 1]). ``seed`` makes the draw reproducible.
    """

    alpha: float = 0.005
    gamma: float = 0.2
    max_clusters: int = 1000
    sigma0_sq: float = 3e-4
    center_low: float = 0.0
    center_high: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        problems = []
        if not 0.0 < self.alpha < 1.0:
            problems.append(f"alpha must lie in (0, 1), got {self.alpha}")
        if self.gamma <= 0.0:
            problems.append(f"gamma must be positive, got {self.gamma}")
        if self.max_clusters < 2:
            problems.append(f"max_clusters (K) must be at least 2, got {self.max_clusters}")
        if self.sigma0_sq <= 0.0:
            problems.append(f"sigma0_sq must be positive, got {self.sigma0_sq}")
        if not self.center_low < self.center_high:
            problems.append(
                f"center_low must be below center_high, got {self.center_low}, {self.center_high}"
            )
        if problems:
            raise ValueError("invalid Tr-AutoML grouping settings: " + "; ".join(problems))

    def prior_covariance(self, num_benchmarks: int) -> np.ndarray:
        """Eq. 11: Sigma_0 = sigma0^2 I / K^(1/B)."""
        scale = self.sigma0_sq / self.max_clusters ** (1.0 / num_benchmarks)
        return np.asarray(scale * np.eye(num_benchmarks))


@dataclass
class Group:
    """A non-empty cluster V_k: its members in arrival order and the pipeline they share."""

    group_id: int
    cluster_index: int
    members: list[BenchmarkRepresentation] = field(default_factory=list)
    pipeline: str | None = None

    @property
    def mean(self) -> np.ndarray:
        """Eq. 12 (Eq. 10 for the first member): the mean of the members' mean vectors."""
        return np.asarray(np.mean([member.mean for member in self.members], axis=0))

    @property
    def ml_covariance(self) -> np.ndarray:
        """Eq. 14 for a single member (its trial covariance), Eq. 13 for more (the maximum-
        likelihood covariance of the members' mean vectors, divided by |V_k|)."""
        if len(self.members) == 1:
            return self.members[0].trial_covariance
        centred = np.array([member.mean for member in self.members]) - self.mean
        return np.asarray(centred.T @ centred / len(self.members))

    @property
    def pooled_trials(self) -> np.ndarray:
        """All T |V_k| trial vectors of the members, the y_j of Eq. 15."""
        return np.vstack([member.trials for member in self.members])

    def to_dict(self) -> dict[str, Any]:
        return {
            "group_id": self.group_id,
            "cluster_index": self.cluster_index,
            "members": [member.to_dict() for member in self.members],
            "pipeline": self.pipeline,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Group:
        members = [BenchmarkRepresentation.from_dict(member) for member in data["members"]]
        return cls(int(data["group_id"]), int(data["cluster_index"]), members, data["pipeline"])


@dataclass(frozen=True)
class ClusterScore:
    """One cluster's terms of Eq. 4: log prior (Eq. 6), log likelihood (Eq. 5), log posterior
    (normalised by Eq. 8 over all K clusters). ``group_id`` is None for an empty cluster."""

    group_id: int | None
    cluster_index: int
    log_prior: float
    log_likelihood: float
    log_posterior: float


@dataclass(frozen=True)
class GroupingDecision:
    """What happened to one dataset.

    ``candidates``: every non-empty cluster and the most probable empty one. ``map_group_id``:
    the greedy MAP choice (None: an empty cluster). ``test``: the sharing test, run only when the
    MAP chose a non-empty cluster. ``shared``: the dataset reuses ``group_id``'s pipeline;
    otherwise ``group_id`` is a new group and the caller must search (then ``attach_pipeline``).
    """

    dataset_id: str
    group_id: int
    shared: bool
    map_group_id: int | None
    candidates: tuple[ClusterScore, ...]
    empty_log_posterior: float
    test: HotellingResult | None
    pipeline: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class SequentialGrouper:
    """Algorithm 1 of Tr-AutoML without the search itself: ``assign`` each arriving dataset,
    search a pipeline for each new group and ``attach_pipeline`` it. ``to_json``/``from_json``
    keep the grouping across sessions."""

    def __init__(self, config: GroupingConfig | None = None) -> None:
        self.config = config or GroupingConfig()
        self._groups: list[Group] = []
        self._shape: tuple[int, int] | None = None

    @property
    def groups(self) -> tuple[Group, ...]:
        return tuple(self._groups)

    @property
    def num_assigned(self) -> int:
        return sum(len(group.members) for group in self._groups)

    def group(self, group_id: int) -> Group:
        for group in self._groups:
            if group.group_id == group_id:
                return group
        raise KeyError(f"no group {group_id}; known groups: {[g.group_id for g in self._groups]}")

    def attach_pipeline(self, group_id: int, pipeline: str) -> None:
        """Record the pipeline searched for a new group; its later members share it."""
        self.group(group_id).pipeline = pipeline

    def assign(self, representation: BenchmarkRepresentation) -> GroupingDecision:
        """Place one dataset (Algorithm 1, lines 6-21) and return the decision record."""
        self._check_fits(representation)
        sheet = self._score(representation)
        best = max((*sheet.nonempty, sheet.best_empty), key=lambda score: score.log_posterior)
        test = None
        if best.group_id is not None:
            group = self.group(best.group_id)
            test = hotelling_share_test(
                representation.trials, group.pooled_trials, self.config.alpha
            )
            if not test.rejected:
                group.members.append(representation)
                return sheet.decision(representation.dataset_id, group, True, best, test)
        # Algorithm 1 opens a *randomly chosen* empty cluster after a rejected test; the most
        # probable one is used instead, which keeps the state reproducible. Its centre is
        # replaced by the dataset's own mean (Eq. 10, 12) either way.
        group = Group(len(self._groups), sheet.best_empty.cluster_index, [representation])
        self._groups.append(group)
        return sheet.decision(representation.dataset_id, group, False, best, test)

    def _score(self, representation: BenchmarkRepresentation) -> _ScoreSheet:
        """Eq. 4-8: prior times likelihood of every non-empty and every empty cluster,
        normalised by their sum over all K clusters."""
        x = representation.mean
        sizes = [len(group.members) for group in self._groups]
        prior = cluster_prior(sizes, self.config.max_clusters, self.config.gamma)
        sigma0 = self.config.prior_covariance(len(x))
        nonempty_lik = np.array(
            [
                stats.multivariate_normal.logpdf(x, group.mean, group.ml_covariance + sigma0)
                for group in self._groups
            ]
        ).reshape(-1)
        empty_index = self._empty_cluster_indices()
        empty_lik = np.atleast_1d(
            stats.multivariate_normal.logpdf(x - self._centers()[empty_index], cov=sigma0)
        )
        nonempty_joint = np.log(prior.nonempty) + nonempty_lik
        empty_joint = np.log(prior.each_empty) + empty_lik
        evidence = float(logsumexp(np.concatenate([nonempty_joint, empty_joint])))  # Eq. 8
        nonempty = tuple(
            ClusterScore(
                group.group_id, group.cluster_index, float(p), float(lik), float(j - evidence)
            )
            for group, p, lik, j in zip(
                self._groups, np.log(prior.nonempty), nonempty_lik, nonempty_joint, strict=True
            )
        )
        best = int(np.argmax(empty_lik))
        best_empty = ClusterScore(
            None,
            int(empty_index[best]),
            float(np.log(prior.each_empty)),
            float(empty_lik[best]),
            float(empty_joint[best] - evidence),
        )
        return _ScoreSheet(nonempty, best_empty, float(logsumexp(empty_joint) - evidence))

    def _check_fits(self, representation: BenchmarkRepresentation) -> None:
        shape = representation.trials.shape
        if self._shape is None:
            if shape[0] <= shape[1]:
                raise DataError(
                    f"dataset {representation.dataset_id!r}: {shape[0]} trials of {shape[1]} "
                    "benchmark pipelines; the sharing test needs more trials than benchmarks "
                    "(T > B, the paper uses T = 8, B = 6)"
                )
            self._shape = (int(shape[0]), int(shape[1]))
        elif shape != self._shape:
            raise DataError(
                f"dataset {representation.dataset_id!r} has {shape[0]} trials x {shape[1]} "
                f"benchmarks but earlier datasets {self._shape[0]} x {self._shape[1]}; benchmark "
                "every dataset with the same pipelines and number of trials"
            )
        known = {member.dataset_id for group in self._groups for member in group.members}
        if representation.dataset_id in known:
            raise DataError(
                f"dataset {representation.dataset_id!r} was already grouped; give each dataset "
                "in the stream its own id"
            )

    def _centers(self) -> np.ndarray:
        """mu_0^k of all K preset clusters (Eq. 10), redrawn identically from the seed."""
        assert self._shape is not None
        rng = np.random.default_rng(self.config.seed)
        size = (self.config.max_clusters, self._shape[1])
        return rng.uniform(self.config.center_low, self.config.center_high, size=size)

    def _empty_cluster_indices(self) -> np.ndarray:
        used = {group.cluster_index for group in self._groups}
        return np.array([k for k in range(self.config.max_clusters) if k not in used])

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": STATE_FORMAT,
                "config": asdict(self.config),
                "shape": self._shape,
                "groups": [group.to_dict() for group in self._groups],
            }
        )

    @classmethod
    def from_json(cls, text: str) -> SequentialGrouper:
        data = json.loads(text)
        if data.get("format") != STATE_FORMAT:
            raise DataError(
                f"not a Tr-AutoML grouping state (format {data.get('format')!r}, expected "
                f"{STATE_FORMAT!r}); pass the text written by SequentialGrouper.to_json"
            )
        grouper = cls(GroupingConfig(**data["config"]))
        grouper._shape = tuple(data["shape"]) if data["shape"] is not None else None
        grouper._groups = [Group.from_dict(group) for group in data["groups"]]
        return grouper


@dataclass(frozen=True)
class _ScoreSheet:
    """The scores of one dataset against all clusters, before the sharing test."""

    nonempty: tuple[ClusterScore, ...]
    best_empty: ClusterScore
    empty_log_posterior: float

    def decision(
        self,
        dataset_id: str,
        group: Group,
        shared: bool,
        best: ClusterScore,
        test: HotellingResult | None,
    ) -> GroupingDecision:
        return GroupingDecision(
            dataset_id=dataset_id,
            group_id=group.group_id,
            shared=shared,
            map_group_id=best.group_id,
            candidates=(*self.nonempty, self.best_empty),
            empty_log_posterior=self.empty_log_posterior,
            test=test,
            pipeline=group.pipeline if shared else None,
        )
