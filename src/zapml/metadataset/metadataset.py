"""``MetaDataset``: tasks x pipelines performance matrix with task meta-features and pipelines.

This is what selectors train on, whatever it was loaded from (the SQLite store, ZAP's CSV layout,
a long CSV/Parquet table).

Budgets: a meta-dataset built at several budgets holds one matrix per budget (``budget_perf``);
``at_budget(b)`` is the one-budget ``MetaDataset`` every selector takes, and ``perf`` (what a
budget-blind caller reads) is the smallest budget's matrix, the densest one (pairs planned at a
larger budget are a subset of those at the smallest).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zapml.errors import ArtifactError
from zapml.space.pipeline import Pipeline

#: learning curves by (task id, pipeline id)
CurveMap = dict[tuple[str, str], list[tuple[float, float]]]

#: Meta-features ZAP's selectors use, in this order.
ZAP_METAFEATURES: tuple[str, ...] = ("num_channels", "num_classes", "num_train", "resolution_0")


@dataclass
class MetaDataset:
    """``perf`` holds mean ALC (higher is better); NaN marks a cell that was not run.

    - ``tasks``: index = task id; column ``core_dataset`` plus one column per meta-feature.
    - ``pipelines``: pipeline id -> ``Pipeline``, in the column order of ``perf``.
    - ``perf``: index = task ids (same order as ``tasks``), columns = pipeline ids.
    - ``curves``: optional ``{(task_id, pipeline_id): [(t, score), ...]}`` learning curves.
    - ``incumbent_of``: optional pipeline id -> the task whose incumbent it is (ZAP names its
      pipeline columns that way).
    - ``domains``: optional core dataset -> domain (e.g. "handwriting"), for summaries.
    - ``budget_perf``: budget -> that budget's matrix (shaped like ``perf``); empty when the
      budget is unknown (a ZAP folder). When set, ``perf`` is the smallest budget's matrix.
    - ``budget_curves``: budget -> that budget's ``curves``.

    Build one with several budgets through ``from_budgets`` or ``from_long`` (budget column).
    """

    tasks: pd.DataFrame
    pipelines: dict[str, Pipeline]
    perf: pd.DataFrame
    curves: CurveMap = field(default_factory=dict)
    incumbent_of: dict[str, str] = field(default_factory=dict)
    domains: dict[str, str] = field(default_factory=dict)
    budget_perf: dict[float, pd.DataFrame] = field(default_factory=dict)
    budget_curves: dict[float, CurveMap] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for frame in (self.perf, *self.budget_perf.values()):
            if list(frame.index) != list(self.tasks.index):
                raise ValueError("MetaDataset: perf rows must be the tasks, in the same order.")
            if list(frame.columns) != list(self.pipelines):
                raise ValueError("MetaDataset: perf columns must be the pipeline ids, in order.")
        if "core_dataset" not in self.tasks.columns:
            raise ValueError("MetaDataset: tasks needs a 'core_dataset' column.")
        self.perf = self.perf.astype(float)
        if self.budget_perf:
            frames = {float(b): f.astype(float) for b, f in sorted(self.budget_perf.items())}
            smallest = next(iter(frames))
            if not frames[smallest].equals(self.perf):
                raise ValueError("MetaDataset: perf must be the smallest budget's matrix.")
            frames[smallest] = self.perf  # one object: an edit of perf is an edit of the budget
            self.budget_perf = frames

    # budgets
    @property
    def budgets(self) -> tuple[float, ...]:
        """The budgets the matrices were measured at, ascending; () when unknown."""
        return tuple(self.budget_perf)

    def at_budget(self, budget: float) -> MetaDataset:
        """The one-budget meta-dataset at ``budget`` (all tasks and pipelines, NaN where that
        budget has no run): what a budget-blind selector trains on."""
        b = self._budget_key(budget)
        perf = self.budget_perf[b].copy()
        return MetaDataset(
            tasks=self.tasks.copy(), pipelines=dict(self.pipelines), perf=perf,
            curves=dict(self.budget_curves.get(b, {})), incumbent_of=dict(self.incumbent_of),
            domains=dict(self.domains), budget_perf={b: perf},
            budget_curves={b: dict(self.budget_curves.get(b, {}))},
        )  # fmt: skip

    def _budget_key(self, budget: float) -> float:
        for b in self.budget_perf:
            if math.isclose(b, float(budget), rel_tol=1e-9):
                return b
        have = ", ".join(f"{b:g}" for b in self.budgets) or "none recorded (a ZAP folder?)"
        raise ArtifactError(
            f"The meta-dataset has no runs at budget {float(budget):g}; its budgets: {have}. "
            "Pass one of them."
        )

    @classmethod
    def from_budgets(
        cls,
        tasks: pd.DataFrame,
        pipelines: Mapping[str, Pipeline],
        perf: Mapping[float, pd.DataFrame],
        curves: Mapping[float, CurveMap] | None = None,
    ) -> MetaDataset:
        """A meta-dataset from one matrix per budget (each indexed like ``tasks``, with the
        pipeline ids as columns)."""
        if not perf:
            raise ValueError("MetaDataset.from_budgets needs at least one budget's matrix.")
        frames = {float(b): f for b, f in sorted(perf.items())}
        by_budget = {float(b): dict(c) for b, c in (curves or {}).items()}
        smallest = next(iter(frames))
        return cls(
            tasks=tasks.copy(), pipelines=dict(pipelines), perf=frames[smallest],
            curves=by_budget.get(smallest, {}), budget_perf=frames, budget_curves=by_budget,
        )  # fmt: skip

    # sizes
    @property
    def task_ids(self) -> list[str]:
        return [str(t) for t in self.tasks.index]

    @property
    def pipeline_ids(self) -> list[str]:
        return list(self.pipelines)

    @property
    def density(self) -> float:
        return float(self.perf.notna().to_numpy().mean()) if self.perf.size else 0.0

    @property
    def num_runs_filled(self) -> int:
        return int(self.perf.notna().to_numpy().sum())

    def metafeature_names(self) -> list[str]:
        return [c for c in self.tasks.columns if c != "core_dataset"]

    def metafeatures(self, names: Iterable[str] | None = None) -> pd.DataFrame:
        cols = list(names) if names is not None else self.metafeature_names()
        missing = [c for c in cols if c not in self.tasks.columns]
        if missing:
            raise KeyError(f"MetaDataset has no meta-feature(s) {missing}.")
        return self.tasks[cols].astype(float)

    def core_datasets(self) -> pd.Series:
        return self.tasks["core_dataset"].astype(str)

    # slicing
    def subset(
        self, task_ids: Iterable[str] | None = None, pipeline_ids: Iterable[str] | None = None
    ) -> MetaDataset:
        t = list(task_ids) if task_ids is not None else self.task_ids
        p = list(pipeline_ids) if pipeline_ids is not None else self.pipeline_ids
        keep = set(t)
        keep_p = set(p)

        def cut(curves: CurveMap) -> CurveMap:
            return {k: v for k, v in curves.items() if k[0] in keep and k[1] in keep_p}

        perf = self.perf.loc[t, p].copy()
        budget_perf = {b: f.loc[t, p].copy() for b, f in self.budget_perf.items()}
        if budget_perf:
            budget_perf[self.budgets[0]] = perf
        return MetaDataset(
            tasks=self.tasks.loc[t].copy(),
            pipelines={pid: self.pipelines[pid] for pid in p},
            perf=perf,
            curves=cut(self.curves),
            incumbent_of={k: v for k, v in self.incumbent_of.items() if k in keep_p},
            domains=dict(self.domains),
            budget_perf=budget_perf,
            budget_curves={b: cut(c) for b, c in self.budget_curves.items()},
        )

    def without_core_dataset(self, core: str) -> MetaDataset:
        return self.subset([t for t, c in self.core_datasets().items() if c != core])

    def only_core_dataset(self, core: str) -> MetaDataset:
        return self.subset([t for t, c in self.core_datasets().items() if c == core])

    # construction helpers
    @classmethod
    def from_long(
        cls,
        runs: pd.DataFrame,
        tasks: pd.DataFrame,
        pipelines: Mapping[str, Pipeline],
        value: str = "alc",
    ) -> MetaDataset:
        """Build from a long table with columns ``task_id, pipeline_id, <value>`` (repeats are
        averaged, as ZAP averages its 3 repeats). With a ``budget`` column naming two or more
        budgets, one matrix per budget (see ``row_budgets``)."""
        budgets = row_budgets(runs)
        if budgets is None:
            return cls(tasks=tasks.copy(), pipelines=dict(pipelines),
                       perf=_mean_matrix(runs, tasks, pipelines, value))  # fmt: skip
        frames = {
            float(b): _mean_matrix(runs[budgets == b], tasks, pipelines, value)
            for b in sorted(set(budgets))
        }
        return cls.from_budgets(tasks, pipelines, frames)

    def to_long(self, *, by_budget: bool = False) -> pd.DataFrame:
        """``task_id, pipeline_id, alc`` of ``perf`` (as it always was: drop NaN ``alc`` for the
        filled cells); ``by_budget`` gives every budget's filled cells with a ``budget`` column
        (NaN when the budget is unknown)."""
        if not by_budget:
            return _long(self.perf)
        frames = self.budget_perf or {math.nan: self.perf}
        parts = [_long(f).dropna(subset=["alc"]).assign(budget=b) for b, f in frames.items()]
        return pd.concat(parts, ignore_index=True)[["task_id", "pipeline_id", "budget", "alc"]]

    def summary(self) -> dict[str, Any]:
        return {
            "tasks": len(self.tasks),
            "core_datasets": int(self.core_datasets().nunique()),
            "pipelines": len(self.pipelines),
            "budgets": list(self.budgets),
            "cells_filled": self.num_runs_filled,
            "density": round(self.density, 4),
            "architectures": sorted({p.architecture for p in self.pipelines.values()}),
            "alc_mean": float(np.nanmean(self.perf.to_numpy())) if self.num_runs_filled else None,
        }


def row_budgets(runs: pd.DataFrame) -> pd.Series | None:
    """The budget of each row of a long table; None when it names none. With one budget every
    row is that budget's (rows without one included: the matrix is the mean over every row, as
    before budgets were a dimension). Rows without a budget among several cannot be placed."""
    if "budget" not in runs.columns:
        return None
    values = pd.to_numeric(runs["budget"], errors="coerce").astype(float)
    known = sorted(float(b) for b in set(values.dropna()))
    if not known:
        return None
    if len(known) == 1:
        return pd.Series(known[0], index=runs.index, dtype=float)
    if values.isna().any():
        raise ArtifactError(
            f"{int(values.isna().sum())} run(s) have no budget while others have budgets "
            f"{', '.join(f'{b:g}' for b in known)}: a run without a budget cannot be placed. "
            "Give every run its budget, or keep one budget per meta-dataset."
        )
    return values


def _mean_matrix(
    runs: pd.DataFrame, tasks: pd.DataFrame, pipelines: Mapping[str, Pipeline], value: str
) -> pd.DataFrame:
    mean = runs.groupby(["task_id", "pipeline_id"])[value].mean().unstack("pipeline_id")
    return mean.reindex(index=list(tasks.index), columns=list(pipelines)).astype(float)


def _long(perf: pd.DataFrame) -> pd.DataFrame:
    long = perf.stack().rename("alc").reset_index()
    long.columns = ["task_id", "pipeline_id", "alc"]
    return long
