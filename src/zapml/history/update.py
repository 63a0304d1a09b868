"""``zap selector update``: refit the default selector kind on the shipped meta-dataset plus the
user's fit history, and save it where ``zap fit`` / ``zap recommend`` look first.

History fits become extra tasks of the meta-dataset: one task per dataset fingerprint (its
trivial meta-features), cells only where a pipeline was run, every fit of a cell averaged (seeds
and repeats), as ``Store.to_metadataset`` does for a build. A pipeline the meta-dataset already
holds joins its column (matched by configuration); another one is a new column. Each fit is
placed at the meta-dataset's budget nearest to its compute-second budget (log scale): the
selector keeps the budgets it was trained on, so a history of arbitrary budgets cannot make a
budget-blind selector budget-aware on a handful of runs.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from zapml.errors import ArtifactError
from zapml.history.paths import history_path, user_selector_path
from zapml.history.store import HISTORY_SOURCE, nearest_budget
from zapml.metadataset.loading import import_, load_metadataset
from zapml.metadataset.metadataset import MetaDataset
from zapml.metadataset.objectives import check_objective
from zapml.metadataset.store import Store, open_store
from zapml.selectors.recipe import SHIPPED_METADATASET, train_shipped_kind

if TYPE_CHECKING:
    from zapml.selectors.base import Selector

#: fits a selector on a meta-dataset for an objective and saves it to a folder
Trainer = Callable[[MetaDataset, str, Path], "Selector"]


@dataclass(frozen=True)
class HistoryAdded:
    """What the history added to the base meta-dataset."""

    tasks: int
    runs: int
    new_pipelines: int


@dataclass(frozen=True)
class Update:
    """One refitted selector: where it went and what it was trained on."""

    objective: str
    selector_dir: Path
    base: Path
    base_tasks: int
    added: HistoryAdded
    pipelines: int


def metadataset_with_history(
    history: str | Path | None = None, base: str | Path = SHIPPED_METADATASET
) -> tuple[MetaDataset, HistoryAdded]:
    """The ``base`` meta-dataset (any loadable source) with the history's fits as extra tasks
    (see the module docstring), built in a temporary store and loaded as any store is."""
    source = history_path(history)
    if not source.is_file():
        raise ArtifactError(
            f"No fit history at {source}: run `zap fit` first (every fit appends its run there), "
            "or pass --history PATH / set ZAPML_HISTORY to the history to learn from."
        )
    base_mds = load_metadataset(base)
    with tempfile.TemporaryDirectory(prefix="zapml-update-") as tmp:
        combined = Path(tmp) / "combined.sqlite"
        import_(base, combined)
        with open_store(source, create=False) as hist, open_store(combined) as out:
            added = _copy_history(hist, out, base_mds)
        return load_metadataset(combined), added


def _copy_history(hist: Store, out: Store, base: MetaDataset) -> HistoryAdded:
    """Every task, pipeline and run of ``hist`` into ``out`` (one transaction), runs re-keyed
    to ``base``'s pipeline ids and placed at its nearest budget."""
    same_config = {pipeline.id: pid for pid, pipeline in base.pipelines.items()}
    tasks = hist.tasks_frame()
    pipelines = hist.pipelines()
    records = hist.records()
    if not records:
        raise ArtifactError(f"The fit history {hist.path} holds no fits yet: run `zap fit` first.")
    new_pipelines = 0
    with out.transaction():
        for task_id, row in tasks.iterrows():
            features = row.drop(["core_dataset", "domain"]).dropna()
            mf = {str(k): float(v) for k, v in features.items()}
            out.add_task(str(task_id), str(row["core_dataset"]), mf, domain=HISTORY_SOURCE)
        for pid, pipeline in pipelines.items():
            if pipeline.id not in same_config:
                out.add_pipeline(pipeline, HISTORY_SOURCE, pipeline_id=pid)
                new_pipelines += 1
        for r in records:
            placed = nearest_budget(r.budget, base.budgets)
            if placed is None and base.budgets:  # a fit that failed before any work
                placed = base.budgets[0]
            pid = same_config.get(pipelines[r.pipeline_id].id, r.pipeline_id)
            out.add_run(replace(r, pipeline_id=pid, budget=placed, build_id=None))
    return HistoryAdded(len(tasks), len(records), new_pipelines)


def update_selector(
    objective: str,
    *,
    history: str | Path | None = None,
    base: str | Path = SHIPPED_METADATASET,
    out_dir: str | Path | None = None,
    trainer: Trainer | None = None,
) -> Update:
    """Refit the shipped selector kind (``selectors.recipe``) for ``objective`` on ``base`` plus
    the history and save it to ``out_dir`` (default: the user selector folder ``zap fit`` and
    ``zap recommend`` use before the shipped one). The new selector is written beside the old one
    and swapped in only once complete, so a crash never leaves a half-written default.
    ``trainer(mds, objective, out_dir)`` fits and saves it: the shipped recipe unless a caller
    (a test, an experiment) asks for another selector."""
    objective = check_objective(objective)
    mds, added = metadataset_with_history(history, base)
    target = Path(out_dir) if out_dir is not None else user_selector_path(objective)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{target.name}-", dir=target.parent) as tmp:
        fresh = Path(tmp) / "selector"
        (trainer or train_shipped_kind)(mds, objective, fresh)
        if target.exists():
            shutil.rmtree(target)
        fresh.rename(target)
    base_tasks = len(mds.tasks) - added.tasks
    return Update(objective, target, Path(base), base_tasks, added, len(mds.pipelines))


def reset_selector(objective: str) -> Path | None:
    """Remove the updated selector for ``objective`` (the shipped one is the default again);
    returns the folder removed, None when there was none."""
    target = user_selector_path(check_objective(objective))
    if not target.exists():
        return None
    shutil.rmtree(target)
    return target
