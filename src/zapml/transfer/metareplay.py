"""Tr-AutoML replayed on a zapml meta-dataset: its tasks arrive in a shuffled order, each is
represented and grouped, and a new group pays for a standalone search (paper Sec. 3.1.2).

What the meta-dataset gives, and what stands in for what it lacks:
- values: one objective's value per (task, pipeline) cell at one budget; error = 1 - value. The
  default objective is ALC: the shipped v1 store's final NAUC reaches 1.0 in 210 of its 1560
  cells, which makes the standalone error 0 and the relative error (Eq. 17) undefined.
- representation: the paper runs B benchmark models T times each. The stores hold one seed per
  cell and each task ran a random half of the pipelines, so no B pipelines were run on every
  task, let alone T times. A benchmark here is a *family*, an architecture, and its value in
  trial t is one of the task's recorded pipelines of that family, drawn at random (seeded by
  the task): the trials vary over random hyperparameters of the architecture instead of random
  initialisations. Only architectures recorded on every task qualify (three on v1).
- standalone search: the best of ``sample_size`` of the task's recorded pipelines drawn at
  random; its cost is the sum of the cells' budgets. Tr-AutoML pays it only for a new group.
- a member whose group's pipeline was not run on it takes the opening search's runner-up that
  was, and pays a search of its own when none was (``replay``'s ``on_unrecorded="search"``).
- the representation's cost is reported apart, as the paper does: B x T runs at the cell budget,
  what measuring it would have cost (the draws reuse recorded runs).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from zapml.errors import DataError
from zapml.metadataset.metadataset import MetaDataset
from zapml.transfer.grouping import GroupingConfig, GroupingDecision
from zapml.transfer.replay import ReplayDataset, ReplayReport, SearchOutcome, replay
from zapml.transfer.representation import BenchmarkRepresentation


@dataclass(frozen=True)
class MetaReplaySettings:
    """T = 8 as the paper; a standalone search of 5 random runs (a third of the 15 a v1 task
    has) so that a sample rarely finds the task's best and sharing has something to save.
    ``budget``: the cells' budget in compute seconds; None takes the meta-dataset's smallest."""

    objective: str = "alc"
    num_trials: int = 8
    sample_size: int = 5
    budget: float | None = None


@dataclass(frozen=True)
class MetaStream:
    """The replay's datasets (in the meta-dataset's task order), the benchmark families and
    the budget of one cell run in compute seconds."""

    datasets: tuple[ReplayDataset, ...]
    families: tuple[str, ...]
    cell_budget: float


def meta_stream(mds: MetaDataset, settings: MetaReplaySettings) -> MetaStream:
    """Every task of ``mds`` at one budget (``settings.budget``) as a replay dataset."""
    budget = _cell_budget(mds, settings.budget)
    values = mds.for_objective(settings.objective).at_budget(budget).perf
    architecture = pd.Series({pid: p.architecture for pid, p in mds.pipelines.items()})
    families = _families(values, architecture)
    datasets = tuple(
        ReplayDataset(
            _representation(task, values.loc[task], architecture, families, settings.num_trials),
            errors=(1.0 - values.loc[task].dropna()).to_dict(),
            benchmark_cost=len(families) * settings.num_trials * budget,
        )
        for task in values.index
    )
    return MetaStream(datasets, families, budget)


def _cell_budget(mds: MetaDataset, wanted: float | None) -> float:
    if not mds.budgets:
        raise DataError("the meta-dataset records no budget, so a search has no cost")
    if wanted is None:
        return mds.budgets[0]
    if wanted not in mds.budgets:
        listed = ", ".join(f"{b:g}" for b in mds.budgets)
        raise DataError(
            f"the meta-dataset has no cells at budget {wanted:g} compute-s; pick one of {listed}"
        )
    return wanted


def _families(values: pd.DataFrame, architecture: pd.Series) -> tuple[str, ...]:
    """Architectures with at least one recorded pipeline on every task (the columns of B)."""
    recorded = values.notna().T.groupby(architecture).any().T  # task x architecture
    families = tuple(str(a) for a in recorded.columns[recorded.all(axis=0)])
    if not families:
        raise DataError(
            "no architecture has a recorded run on every task of the meta-dataset, so no task "
            "representation can be built; fill more cells (zap metadataset build)"
        )
    return families


def _representation(
    task: str, row: pd.Series, architecture: pd.Series, families: tuple[str, ...], trials: int
) -> BenchmarkRepresentation:
    rng = np.random.default_rng(_task_seed(task))
    recorded = row.dropna()
    columns = [
        rng.choice(recorded[architecture[recorded.index] == family].to_numpy(), size=trials)
        for family in families
    ]
    return BenchmarkRepresentation(task, np.column_stack(columns))


def _task_seed(name: str, *more: int) -> list[int]:
    """A seed from a task's name (stable across runs, unlike Python's hash)."""
    digest = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")
    return [digest, *more]


def sample_search(
    dataset: ReplayDataset, sample_size: int, cell_budget: float, seed: int
) -> SearchOutcome:
    """The best of ``sample_size`` recorded pipelines drawn at random (fewer when the task has
    fewer), ranked; it costs one cell budget per pipeline run."""
    recorded = sorted(dataset.errors)
    rng = np.random.default_rng(_task_seed(dataset.dataset_id, seed))
    drawn = rng.choice(recorded, size=min(sample_size, len(recorded)), replace=False)
    ranked = sorted(drawn, key=lambda pipeline: (dataset.errors[pipeline], pipeline))
    return SearchOutcome(len(ranked) * cell_budget, ranked[0], tuple(ranked[1:]))


def replay_meta_stream(
    stream: MetaStream,
    order_seed: int,
    settings: MetaReplaySettings,
    config: GroupingConfig | None = None,
    grouper: KeyGrouper | None = None,
) -> ReplayReport:
    """The stream in the order of ``order_seed`` (a permutation), searches seeded by it too;
    grouped by Tr-AutoML with ``config``, or by ``grouper``."""
    order = np.random.default_rng(order_seed).permutation(len(stream.datasets))
    datasets = [stream.datasets[i] for i in order]
    return replay(
        datasets,
        lambda d: sample_search(d, settings.sample_size, stream.cell_budget, order_seed),
        config,
        on_unrecorded="search",
        grouper=grouper,
    )


class KeyGrouper:
    """A reference grouping for the replay: datasets with the same key (say, their core dataset)
    form one group, as if the grouping knew where every task came from. It bounds what sharing
    one pipeline per group can reach on a stream, whatever the representation."""

    def __init__(self, keys: dict[str, str]) -> None:
        self._keys = keys
        self._group_of: dict[str, int] = {}
        self._pipelines: dict[int, str] = {}

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(self._group_of)

    def assign(self, representation: BenchmarkRepresentation) -> GroupingDecision:
        key = self._keys[representation.dataset_id]
        shared = key in self._group_of
        group_id = self._group_of.setdefault(key, len(self._group_of))
        return GroupingDecision(
            dataset_id=representation.dataset_id,
            group_id=group_id,
            shared=shared,
            map_group_id=group_id if shared else None,
            candidates=(),
            empty_log_posterior=float("nan"),
            test=None,
            pipeline=self._pipelines.get(group_id),
        )

    def attach_pipeline(self, group_id: int, pipeline: str) -> None:
        self._pipelines[group_id] = pipeline
