"""ZAP's file layout, both ways.

- ``perf_matrix.csv``: rows = tasks ``"{aug}-{dataset}"``, columns = pipelines named by the task
  whose incumbent they are (other pipelines by their id), values = mean ALC as ``%.5f``.
- ``meta_features.csv``: the tasks' meta-features, indexed like the rows.
- ``cv_folds.csv``: index + ``fold`` in 1..5; all tasks of one core dataset share a fold.
- ``configs/``: one YAML per pipeline column, named ``{column}.yaml``.

A meta-dataset of several budgets is one such folder per budget, ``budget-{b:g}/`` (for example
``out/budget-16/perf_matrix.csv``); one of a single budget (or none) is one folder, as ZAP's.

Objectives: a ZAP folder holds one value per cell, the mean ALC (ZAP's objective); exporting
writes the ``alc`` objective, and a folder read back carries ``alc`` only
(``for_objective("final")`` refuses, naming the sources that carry it).
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from zapml.errors import ArtifactError
from zapml.metadataset.checks import checked_pipeline
from zapml.metadataset.metadataset import MetaDataset
from zapml.metadataset.tasks import core_of_task_id
from zapml.space.pipeline import Pipeline

N_FOLDS = 5
BUDGET_FOLDER = re.compile(r"budget-(?P<budget>[0-9.eE+-]+)")


def budget_folder(budget: float) -> str:
    return f"budget-{budget:g}"


def column_names(mds: MetaDataset) -> list[str]:
    """ZAP names a pipeline by the task it is the incumbent of; ours fall back to the id."""
    names = [mds.incumbent_of.get(pid, pid) for pid in mds.pipeline_ids]
    if len(set(names)) != len(names):  # two incumbents of one task (two searches): keep ids
        names = list(mds.pipeline_ids)
    return names


def cv_folds(task_ids: list[str], cores: list[str], n_folds: int = N_FOLDS) -> pd.DataFrame:
    """Folds 1..n by core dataset, so a held-out fold never shares a core with training."""
    unique = sorted(set(cores))
    # order by a hash of the name: stable across runs and independent of which cores are present
    unique.sort(key=lambda c: zlib.crc32(c.encode()))
    fold_of = {c: 1 + i % n_folds for i, c in enumerate(unique)}
    return pd.DataFrame({"fold": [fold_of[c] for c in cores]}, index=pd.Index(task_ids))


def export_zap(mds: MetaDataset, out: str | Path) -> Path:
    """``out`` as ZAP's folder; with several budgets, ``out/budget-{b}/`` per budget."""
    out = Path(out)
    mds = mds.for_objective("alc")  # ZAP's perf_matrix.csv is mean ALC
    if len(mds.budgets) > 1:
        for b in mds.budgets:
            _export_one(mds.at_budget(b), out / budget_folder(b))
        return out
    return _export_one(mds, out)


def _export_one(mds: MetaDataset, out: Path) -> Path:
    (out / "configs").mkdir(parents=True, exist_ok=True)
    names = column_names(mds)
    perf = mds.perf.copy()
    perf.columns = pd.Index(names)
    perf.to_csv(out / "perf_matrix.csv", float_format="%.5f")
    mds.metafeatures().to_csv(out / "meta_features.csv")
    cv_folds(mds.task_ids, list(mds.core_datasets())).to_csv(out / "cv_folds.csv")
    for name, pipeline in zip(names, mds.pipelines.values(), strict=True):
        pipeline.to_yaml(out / "configs" / f"{name}.yaml")
    return out


def import_zap(folder: str | Path) -> MetaDataset:
    """A ZAP folder (budget unknown), or a folder of ``budget-{b}/`` ZAP folders (one matrix per
    budget, tasks and pipelines the union of theirs)."""
    folder = Path(folder)
    if (folder / "perf_matrix.csv").is_file():
        return _import_one(folder)
    parts = {
        float(m["budget"]): _import_one(sub)
        for sub in sorted(folder.iterdir() if folder.is_dir() else [])
        if (m := BUDGET_FOLDER.fullmatch(sub.name)) and (sub / "perf_matrix.csv").is_file()
    }
    if not parts:
        raise ArtifactError(
            f"'{folder}' is not a ZAP meta-dataset folder: no perf_matrix.csv (nor "
            "budget-*/perf_matrix.csv, one folder per budget)."
        )
    return merge_budgets(parts)


def merge_budgets(parts: dict[float, MetaDataset]) -> MetaDataset:
    """One meta-dataset from one-budget ones: the union of their tasks and pipelines (first
    seen first), each budget's matrix NaN where its part lacks a task or pipeline."""
    tasks = pd.concat([m.tasks for m in parts.values()])
    tasks = tasks[~tasks.index.duplicated()]
    pipelines: dict[str, Pipeline] = {}
    incumbent_of: dict[str, str] = {}
    for m in parts.values():
        for pid, pipeline in m.pipelines.items():
            pipelines.setdefault(pid, pipeline)
        incumbent_of = {**m.incumbent_of, **incumbent_of}
    frames = {
        b: m.perf.reindex(index=tasks.index, columns=list(pipelines)) for b, m in parts.items()
    }
    mds = MetaDataset.from_budgets(tasks, pipelines, frames)
    mds.incumbent_of = incumbent_of
    return mds


def _import_one(folder: Path) -> MetaDataset:
    perf_file = folder / "perf_matrix.csv"
    perf = pd.read_csv(perf_file, index_col=0)
    perf.index = perf.index.astype(str)
    tasks = _tasks(folder, list(perf.index))
    configs = {p.stem: p for p in (folder / "configs").rglob("*.y*ml")}
    pipelines: dict[str, Pipeline] = {}
    incumbent_of: dict[str, str] = {}
    for name in perf.columns:
        if name not in configs:
            raise ArtifactError(
                f"ZAP folder '{folder}' has no configs/{name}.yaml for column {name}."
            )
        try:
            values = Pipeline.from_yaml(configs[name])
        except ValueError as err:
            raise ArtifactError(f"{configs[name]}: {err}") from None
        pipeline = checked_pipeline(values, str(configs[name]))
        pid = pipeline.id if pipeline.id not in pipelines else str(name)
        pipelines[pid] = pipeline
        if name in tasks.index:
            incumbent_of[pid] = str(name)
    perf.columns = pd.Index(list(pipelines))
    return MetaDataset(
        tasks=tasks, pipelines=pipelines, perf=perf.astype(float), incumbent_of=incumbent_of
    )


def _tasks(folder: Path, task_ids: list[str]) -> pd.DataFrame:
    mf_file = folder / "meta_features.csv"
    if mf_file.is_file():
        mf = pd.read_csv(mf_file, index_col=0)
        mf.index = mf.index.astype(str)
        mf = mf.reindex(task_ids)
    else:
        mf = pd.DataFrame(index=pd.Index(task_ids))
    mf = mf.drop(columns=[c for c in mf.columns if c == "core_dataset"])
    mf.insert(0, "core_dataset", [core_of_task_id(t) for t in task_ids])
    return mf.astype({c: np.float64 for c in mf.columns if c != "core_dataset"})
