"""``MetaDataset``: tasks x pipelines performance matrix with task meta-features and pipelines.

This is what selectors train on, whatever it was loaded from (the SQLite store, ZAP's CSV layout,
a long CSV/Parquet table).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zapml.space.pipeline import Pipeline

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
    """

    tasks: pd.DataFrame
    pipelines: dict[str, Pipeline]
    perf: pd.DataFrame
    curves: dict[tuple[str, str], list[tuple[float, float]]] = field(default_factory=dict)
    incumbent_of: dict[str, str] = field(default_factory=dict)
    domains: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if list(self.perf.index) != list(self.tasks.index):
            raise ValueError("MetaDataset: perf rows must be the tasks, in the same order.")
        if list(self.perf.columns) != list(self.pipelines):
            raise ValueError("MetaDataset: perf columns must be the pipeline ids, in order.")
        if "core_dataset" not in self.tasks.columns:
            raise ValueError("MetaDataset: tasks needs a 'core_dataset' column.")
        self.perf = self.perf.astype(float)

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
        return MetaDataset(
            tasks=self.tasks.loc[t].copy(),
            pipelines={pid: self.pipelines[pid] for pid in p},
            perf=self.perf.loc[t, p].copy(),
            curves={k: v for k, v in self.curves.items() if k[0] in keep and k[1] in keep_p},
            incumbent_of={k: v for k, v in self.incumbent_of.items() if k in keep_p},
            domains=dict(self.domains),
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
        averaged, as ZAP averages its 3 repeats)."""
        mean = runs.groupby(["task_id", "pipeline_id"])[value].mean().unstack("pipeline_id")
        perf = mean.reindex(index=list(tasks.index), columns=list(pipelines)).astype(float)
        return cls(tasks=tasks.copy(), pipelines=dict(pipelines), perf=perf)

    def to_long(self) -> pd.DataFrame:
        long = self.perf.stack().rename("alc").reset_index()
        long.columns = ["task_id", "pipeline_id", "alc"]
        return long

    def summary(self) -> dict[str, Any]:
        return {
            "tasks": len(self.tasks),
            "core_datasets": int(self.core_datasets().nunique()),
            "pipelines": len(self.pipelines),
            "cells_filled": self.num_runs_filled,
            "density": round(self.density, 4),
            "architectures": sorted({p.architecture for p in self.pipelines.values()}),
            "alc_mean": float(np.nanmean(self.perf.to_numpy())) if self.num_runs_filled else None,
        }
