"""Replay a stream of datasets through Tr-AutoML's share-vs-search loop (paper Algorithm 1,
evaluated as in Sec. 3.1.2).

Every dataset has its benchmark representation, the test error of each candidate pipeline on it
(a lookup table, e.g. from the meta-dataset) and a standalone search, given as a callable that
returns the search's cost and its best pipeline. The standalone baseline searches every dataset;
Tr-AutoML searches only when the grouper opens a new group and otherwise reuses the group's
pipeline at no search cost. The paper's figures:

- total search cost of each (its "search wall clock time"), and their ratio;
- total relative error TRE = (1/N) sum_i (e_i - e*_i) / e*_i (Eq. 17), e_i the error of the
  pipeline Tr-AutoML used on dataset i, e*_i that of the standalone search's pipeline.

The benchmark trials that describe each dataset cost something too; the paper reports that
overhead apart from the search time, and so does ``ReplayReport.benchmark_cost``.

A sparse error table (a meta-dataset where each task ran only some pipelines) may lack the
group's pipeline on a member. The group then offers the runners-up of the search that opened
it (``SearchOutcome.ranking``), best first; with ``on_unrecorded="search"`` a member that has
none of them recorded pays for its own search instead (``ReplayStep.fallback``), the default
``"raise"`` refuses such a table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

import numpy as np

from zapml.errors import DataError
from zapml.transfer.grouping import GroupingConfig, GroupingDecision, SequentialGrouper
from zapml.transfer.representation import BenchmarkRepresentation


class Grouper(Protocol):
    """What ``replay`` needs of a grouping: ``SequentialGrouper``, or a reference grouping that
    a benchmark compares it with."""

    @property
    def groups(self) -> tuple[Any, ...]: ...

    def assign(self, representation: BenchmarkRepresentation) -> GroupingDecision: ...

    def attach_pipeline(self, group_id: int, pipeline: str) -> None: ...


@dataclass(frozen=True)
class ReplayDataset:
    """One dataset of the stream: ``errors`` maps pipeline name -> test error on it."""

    representation: BenchmarkRepresentation
    errors: Mapping[str, float]
    benchmark_cost: float = 0.0

    @property
    def dataset_id(self) -> str:
        return self.representation.dataset_id

    def error_of(self, pipeline: str) -> float:
        if pipeline not in self.errors:
            raise DataError(
                f"dataset {self.dataset_id!r} has no recorded error for pipeline {pipeline!r}; "
                "the error table must cover every pipeline a search can return"
            )
        return float(self.errors[pipeline])


@dataclass(frozen=True)
class SearchOutcome:
    """What a standalone search on one dataset cost, which pipeline it found and the other
    pipelines it evaluated, best first (what a group offers when its pipeline is unrecorded)."""

    cost: float
    pipeline: str
    ranking: tuple[str, ...] = ()

    @property
    def preference(self) -> tuple[str, ...]:
        return (self.pipeline, *self.ranking)


@dataclass(frozen=True)
class ReplayStep:
    """One dataset: the pipeline Tr-AutoML used, its error, the standalone error and what
    Tr-AutoML paid to search (0 when it shared)."""

    dataset_id: str
    group_id: int
    shared: bool
    pipeline: str
    error: float
    standalone_error: float
    relative_error: float
    search_cost: float
    standalone_search_cost: float
    fallback: bool = False


@dataclass(frozen=True)
class ReplayReport:
    steps: tuple[ReplayStep, ...]
    decisions: tuple[GroupingDecision, ...]
    standalone_cost: float
    transfer_cost: float
    benchmark_cost: float
    num_groups: int

    @property
    def cost_ratio(self) -> float:
        """How many times less Tr-AutoML searched than the standalone baseline."""
        return self.standalone_cost / self.transfer_cost

    @property
    def total_relative_error(self) -> float:
        """Eq. 17."""
        return float(np.mean([step.relative_error for step in self.steps]))


def replay(
    datasets: Sequence[ReplayDataset],
    search: Callable[[ReplayDataset], SearchOutcome],
    config: GroupingConfig | None = None,
    on_unrecorded: Literal["raise", "search"] = "raise",
    grouper: Grouper | None = None,
) -> ReplayReport:
    """Run the stream in the given order (the paper averages 30 random orders; shuffle and call
    again to do the same). ``search`` is called once per dataset: its result is the standalone
    baseline, and Tr-AutoML pays for it only on datasets that open a group. ``grouper``
    (default: a fresh ``SequentialGrouper`` with ``config``) places each dataset."""
    if not datasets:
        raise DataError("replay needs at least one dataset in the stream")
    grouper = grouper or SequentialGrouper(config)
    opened: dict[int, SearchOutcome] = {}  # group id -> the search that opened the group
    steps, decisions = [], []
    for dataset in datasets:
        outcome = search(dataset)
        decision = grouper.assign(dataset.representation)
        if not decision.shared:
            grouper.attach_pipeline(decision.group_id, outcome.pipeline)
            opened[decision.group_id] = outcome
        offered = opened[decision.group_id].preference
        pipeline = next((p for p in offered if p in dataset.errors), offered[0])
        fallback = decision.shared and pipeline not in dataset.errors and on_unrecorded == "search"
        steps.append(_step(dataset, decision, outcome.pipeline if fallback else pipeline, outcome))
        if fallback:
            steps[-1] = replace(steps[-1], search_cost=outcome.cost, fallback=True)
        decisions.append(decision)
    return ReplayReport(
        steps=tuple(steps),
        decisions=tuple(decisions),
        standalone_cost=sum(step.standalone_search_cost for step in steps),
        transfer_cost=sum(step.search_cost for step in steps),
        benchmark_cost=sum(dataset.benchmark_cost for dataset in datasets),
        num_groups=len(grouper.groups),
    )


def _step(
    dataset: ReplayDataset, decision: GroupingDecision, pipeline: str, outcome: SearchOutcome
) -> ReplayStep:
    standalone_error = dataset.error_of(outcome.pipeline)
    if standalone_error <= 0.0:
        raise DataError(
            f"dataset {dataset.dataset_id!r}: the standalone pipeline's error is "
            f"{standalone_error}, so the relative error (Eq. 17) is undefined; use a test error "
            "above zero (a larger or harder test split)"
        )
    error = dataset.error_of(pipeline)
    return ReplayStep(
        dataset_id=dataset.dataset_id,
        group_id=decision.group_id,
        shared=decision.shared,
        pipeline=pipeline,
        error=error,
        standalone_error=standalone_error,
        relative_error=(error - standalone_error) / standalone_error,
        search_cost=0.0 if decision.shared else outcome.cost,
        standalone_search_cost=outcome.cost,
    )
