"""``MetaDataset``: tasks x pipelines performance matrix with task meta-features and pipelines.

This is what selectors train on, whatever it was loaded from (the SQLite store, ZAP's CSV layout,
a long CSV/Parquet table).

Budgets: a meta-dataset built at several budgets holds one matrix per budget (``budget_perf``);
``at_budget(b)`` is the one-budget ``MetaDataset`` every selector takes, and ``perf`` (what a
budget-blind caller reads) is the smallest budget's matrix, the densest one (pairs planned at a
larger budget are a subset of those at the smallest).

Objectives (``objectives.OBJECTIVES``): the matrices hold one objective's values (``objective``,
ALC unless told otherwise); ``for_objective(name)`` is the same meta-dataset scored by another
objective it carries (a store carries ``final`` and ``alc``; a ZAP folder ``alc`` only).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from zapml.errors import ArtifactError
from zapml.metadataset.objectives import (
    MEASURE_FIELDS,
    MEASURES,
    OBJECTIVES,
    check_measure,
)
from zapml.metadataset.values import ValueSpec
from zapml.space.pipeline import Pipeline

#: learning curves by (task id, pipeline id)
CurveMap = dict[tuple[str, str], list[tuple[float, float]]]

#: Meta-features ZAP's selectors use, in this order.
ZAP_METAFEATURES: tuple[str, ...] = ("num_channels", "num_classes", "num_train", "resolution_0")
#: The meta-feature ``stack_budgets`` adds: a row's budget in compute seconds. A selector trained
#: on it learns f(task features, budget) and needs it at ranking time.
BUDGET_FEATURE = "budget"
#: What ``select_features`` (and the ``--features`` flags) can keep: ZAP's trivial meta-features,
#: the probe meta-features (``zap metadataset probe``), or every column the tasks have.
FEATURE_SETS: tuple[str, ...] = ("trivial", "probe", "all")
#: The tasks column that groups tasks (the tasks of one core dataset share it); optional.
GROUP_COLUMN = "core_dataset"
#: How an arm's feature is encoded: z-scored number, or one-hot category.
CANDIDATE_KINDS: tuple[str, ...] = ("numeric", "categorical")
UNGROUPED_MESSAGE = (
    "This meta-dataset has no task grouping (no '{column}' column), so tasks are treated as "
    "independent: inner cross-validation folds (ZAP-AS tuning, ZAP-HPO validation) are random "
    "(seeded) and leave-one-group-out holds out one task at a time. If some tasks share a source "
    "(crops of one dataset, instances of one family), give them a common '{column}' value (a "
    "tasks column, or the group column of the task-feature table) so that no selector is "
    "validated on a near copy of its training data."
)
_told_ungrouped: list[bool] = []  # one warning per process: the user is told once


class UngroupedWarning(UserWarning):
    """A meta-dataset without task groups is used where groups matter (see ``warn_ungrouped``)."""


def warn_ungrouped() -> None:
    """Tell the user, once per process, what happens without a task grouping and how to add one."""
    if not _told_ungrouped:
        _told_ungrouped.append(True)
        import warnings

        warnings.warn(UNGROUPED_MESSAGE.format(column=GROUP_COLUMN), UngroupedWarning, stacklevel=3)


@dataclass(frozen=True)
class Matrices:
    """One objective's values, shaped as ``MetaDataset.perf`` and ``budget_perf``."""

    perf: pd.DataFrame
    budget_perf: dict[float, pd.DataFrame] = field(default_factory=dict)


@dataclass
class MetaDataset:
    """``perf`` holds the mean score of ``objective`` (ALC by default), always higher is better;
    NaN marks a cell that was not run. ``values`` says what the raw values were (direction,
    cutoff): ``values.raw(perf)`` gives them back, ``to_long`` writes them.

    - ``tasks``: index = task id; optional column ``core_dataset`` (the task's group; without it
      every task is its own group, see ``has_groups``) plus one column per meta-feature.
    - ``pipelines``: pipeline id -> ``Pipeline``, in the column order of ``perf``: every one a
      pipeline of the space, or every one an arm (``Pipeline.arm``) whose features' kinds
      ``candidate_kinds`` declares (feature -> "numeric" | "categorical").
    - ``values``: the measure, its direction and cutoff (``values.ValueSpec``); a measure other
      than zapml's objectives is named there and is the ``objective``.
    - ``folds``: optional task id -> fold number (an ASlib scenario's own cv folds).
    - ``perf``: index = task ids (same order as ``tasks``), columns = pipeline ids.
    - ``curves``: optional ``{(task_id, pipeline_id): [(t, score), ...]}`` learning curves.
    - ``incumbent_of``: optional pipeline id -> the task whose incumbent it is (ZAP names its
      pipeline columns that way).
    - ``domains``: optional core dataset -> domain (e.g. "handwriting"), for summaries.
    - ``budget_perf``: budget -> that budget's matrix (shaped like ``perf``); empty when the
      budget is unknown (a ZAP folder). When set, ``perf`` is the smallest budget's matrix.
    - ``budget_curves``: budget -> that budget's ``curves``.
    - ``objective``: what ``perf`` holds ("alc" or "final", see ``objectives``).
    - ``other_objectives``: objective -> its ``Matrices`` (same tasks, pipelines and budgets),
      the objectives ``for_objective`` can switch to.

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
    objective: str = "alc"
    other_objectives: dict[str, Matrices] = field(default_factory=dict)
    values: ValueSpec = field(default_factory=ValueSpec)
    candidate_kinds: dict[str, str] = field(default_factory=dict)
    folds: pd.Series | None = None

    def __post_init__(self) -> None:
        if self.values.name is None or self.objective != self.values.name:
            self.objective = check_measure(self.objective)
        _check_candidates(self.pipelines, self.candidate_kinds)
        self.folds = self._checked_folds(self.folds)
        own = self._checked(Matrices(self.perf, self.budget_perf))
        self.perf, self.budget_perf = own.perf, own.budget_perf
        others = {check_measure(k): self._checked(m) for k, m in self.other_objectives.items()}
        for name, m in others.items():
            if name == self.objective or tuple(m.budget_perf) != self.budgets:
                raise ValueError(
                    f"MetaDataset: objective {name!r} must differ from {self.objective!r} and "
                    f"have its budgets {list(self.budgets)}; it has {list(m.budget_perf)}."
                )
        self.other_objectives = others

    def _checked_folds(self, folds: pd.Series | None) -> pd.Series | None:
        if folds is None:
            return None
        folds = folds.copy()
        folds.index = folds.index.astype(str)
        missing = [t for t in self.task_ids if t not in folds.index]
        if missing:
            raise ValueError(
                f"MetaDataset: folds name no fold for {len(missing)} task(s), e.g. {missing[:3]}; "
                "give every task its fold (or no folds at all)."
            )
        return folds.loc[self.task_ids].astype(int).rename("fold")

    def _folds_of(self, task_ids: list[str]) -> pd.Series | None:
        return None if self.folds is None else self.folds.loc[task_ids]

    def _checked(self, m: Matrices) -> Matrices:
        """``m`` as floats, shaped like the tasks and pipelines, ``perf`` the smallest budget's."""
        for frame in (m.perf, *m.budget_perf.values()):
            if list(frame.index) != list(self.tasks.index):
                raise ValueError("MetaDataset: perf rows must be the tasks, in the same order.")
            if list(frame.columns) != list(self.pipelines):
                raise ValueError("MetaDataset: perf columns must be the pipeline ids, in order.")
        perf = m.perf.astype(float)
        if not m.budget_perf:
            return Matrices(perf)
        frames = {float(b): f.astype(float) for b, f in sorted(m.budget_perf.items())}
        smallest = next(iter(frames))
        if not frames[smallest].equals(perf):
            raise ValueError("MetaDataset: perf must be the smallest budget's matrix.")
        frames[smallest] = perf  # one object: an edit of perf is an edit of the budget
        return Matrices(perf, frames)

    # objectives
    @property
    def objectives(self) -> tuple[str, ...]:
        """The objectives it can give (``for_objective``), in ``OBJECTIVES`` order."""
        have = {self.objective, *self.other_objectives}
        declared = () if self.objective in MEASURES else (self.objective,)  # a measure's name
        return declared + tuple(o for o in OBJECTIVES if o in have)

    def for_objective(self, objective: str) -> MetaDataset:
        """The same meta-dataset (tasks, pipelines, budgets, curves) scored by ``objective``:
        what a selector trained for that objective fits on. ``self`` when it already is."""
        if objective == self.objective:  # also a declared measure, which check_measure refuses
            return self
        name = check_measure(objective)
        if name not in self.other_objectives:
            field_name = MEASURE_FIELDS[name]
            raise ArtifactError(
                f"This meta-dataset holds only {', '.join(self.objectives)}, not the {name!r} "
                f"objective: that needs each run's {field_name} (a store built by `zap "
                f"metadataset build`, or a long table with a '{field_name}' column; a ZAP "
                "folder's perf_matrix.csv holds mean ALC only). Pass --objective "
                f"{self.objective} (objective={self.objective!r}), or load the store it was "
                "exported from."
            )
        others = {k: v for k, v in self.other_objectives.items() if k != name}
        others[self.objective] = Matrices(self.perf, self.budget_perf)
        chosen = self.other_objectives[name]
        return replace(self, perf=chosen.perf, budget_perf=dict(chosen.budget_perf),
                       objective=name, other_objectives=others)  # fmt: skip

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
        others = {}
        for name, m in self.other_objectives.items():
            frame = m.budget_perf[b].copy()
            others[name] = Matrices(frame, {b: frame})
        return MetaDataset(
            tasks=self.tasks.copy(), pipelines=dict(self.pipelines), perf=perf,
            curves=dict(self.budget_curves.get(b, {})), incumbent_of=dict(self.incumbent_of),
            domains=dict(self.domains), budget_perf={b: perf},
            budget_curves={b: dict(self.budget_curves.get(b, {}))},
            objective=self.objective, other_objectives=others, values=self.values,
            candidate_kinds=dict(self.candidate_kinds), folds=self.folds,
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

    def stack_budgets(self) -> MetaDataset:
        """One row per (task, budget) pair with a run: the task's meta-features plus
        ``BUDGET_FEATURE`` (the budget, in compute seconds), its core dataset kept (so grouping by
        core dataset holds every budget of a core dataset together), that budget's matrix row
        for every objective, and that budget's curves. Row ids are ``budget_row_id(task, b)``.
        Whatever learns from it learns f(task features, budget); its ``budgets`` are () because
        the budget is now a feature, not a dimension."""
        if BUDGET_FEATURE in self.tasks.columns:
            raise ValueError(
                f"MetaDataset.stack_budgets: the tasks already have a {BUDGET_FEATURE!r} column "
                "(already stacked?); stack a meta-dataset that has budgets instead."
            )
        if not self.budgets:
            raise ArtifactError(
                "This meta-dataset does not record its budgets (a ZAP folder?), so it cannot be "
                "stacked by budget; train on it as it is."
            )
        rows = [
            (task, b)
            for b, frame in self.budget_perf.items()
            for task, ran in frame.notna().any(axis=1).items()
            if ran
        ]
        ids = [budget_row_id(str(t), b) for t, b in rows]
        tasks = self.tasks.loc[[t for t, _ in rows]].set_axis(ids)
        tasks[BUDGET_FEATURE] = [b for _, b in rows]
        if not self.has_groups:  # a task's budgets stay together: the task is their group
            tasks.insert(0, GROUP_COLUMN, [str(t) for t, _ in rows])
        folds = None if self.folds is None else self.folds.loc[[str(t) for t, _ in rows]]

        def stacked(m: Matrices) -> Matrices:
            values = [m.budget_perf[b].loc[t].to_numpy(dtype=float) for t, b in rows]
            return Matrices(pd.DataFrame(values, index=ids, columns=self.pipeline_ids))

        curves: CurveMap = {
            (budget_row_id(str(t), b), p): curve
            for b, by_cell in self.budget_curves.items()
            for (t, p), curve in by_cell.items()
        }
        keep = set(ids)
        return MetaDataset(
            tasks=tasks, pipelines=dict(self.pipelines),
            perf=stacked(Matrices(self.perf, self.budget_perf)).perf,
            curves={k: v for k, v in curves.items() if k[0] in keep},
            incumbent_of=dict(self.incumbent_of), domains=dict(self.domains),
            objective=self.objective,
            other_objectives={k: stacked(m) for k, m in self.other_objectives.items()},
            values=self.values, candidate_kinds=dict(self.candidate_kinds),
            folds=None if folds is None else folds.set_axis(ids),
        )  # fmt: skip

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

    @property
    def has_groups(self) -> bool:
        """Whether the tasks declare groups (``core_dataset``); see ``core_datasets``."""
        return GROUP_COLUMN in self.tasks.columns

    @property
    def has_arms(self) -> bool:
        """Whether the candidates are arms (``Pipeline.arm``) rather than pipelines of the space."""
        return any(p.is_arm for p in self.pipelines.values())

    def candidate_features(self) -> pd.DataFrame:
        """The arms' declared features, one row per candidate id, one column per declared
        feature in ``candidate_kinds`` order (empty for pipelines of the space)."""
        rows = [[p.features.get(c) for c in self.candidate_kinds] for p in self.pipelines.values()]
        return pd.DataFrame(rows, index=self.pipeline_ids, columns=list(self.candidate_kinds))

    def metafeature_names(self) -> list[str]:
        return [c for c in self.tasks.columns if c != GROUP_COLUMN]

    def metafeatures(self, names: Iterable[str] | None = None) -> pd.DataFrame:
        cols = list(names) if names is not None else self.metafeature_names()
        missing = [c for c in cols if c not in self.tasks.columns]
        if missing:
            raise KeyError(f"MetaDataset has no meta-feature(s) {missing}.")
        text = [c for c in cols if not _numeric_or_missing(self.tasks[c])]
        if text:
            raise ArtifactError(
                f"Task meta-feature(s) {text} are not numbers; selectors read numeric task "
                f"features. Encode them as numbers, drop them, or name the group '{GROUP_COLUMN}'."
            )
        return self.tasks[cols].astype(float)

    def select_features(self, features: str) -> MetaDataset:
        """The same meta-dataset with one feature set's columns only (see ``select_features``)."""
        return select_features(self, features)

    def keep_probe_backbones(self, backbones: Iterable[str]) -> MetaDataset:
        """The same meta-dataset with the probe features of ``backbones`` only (see
        ``keep_probe_backbones``)."""
        return keep_probe_backbones(self, backbones)

    def core_datasets(self) -> pd.Series:
        """Each task's group; without a ``core_dataset`` column every task is its own group
        (its id), so leave-one-group-out holds out one task at a time."""
        if not self.has_groups:
            return pd.Series(self.task_ids, index=self.tasks.index, dtype=str)
        return self.tasks[GROUP_COLUMN].astype(str)

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

        def cut_matrices(m: Matrices) -> Matrices:
            perf = m.perf.loc[t, p].copy()
            budget_perf = {b: f.loc[t, p].copy() for b, f in m.budget_perf.items()}
            if budget_perf:
                budget_perf[next(iter(budget_perf))] = perf
            return Matrices(perf, budget_perf)

        own = cut_matrices(Matrices(self.perf, self.budget_perf))
        return MetaDataset(
            tasks=self.tasks.loc[t].copy(),
            pipelines={pid: self.pipelines[pid] for pid in p},
            perf=own.perf,
            curves=cut(self.curves),
            incumbent_of={k: v for k, v in self.incumbent_of.items() if k in keep_p},
            domains=dict(self.domains),
            budget_perf=own.budget_perf,
            budget_curves={b: cut(c) for b, c in self.budget_curves.items()},
            objective=self.objective,
            other_objectives={k: cut_matrices(m) for k, m in self.other_objectives.items()},
            values=self.values,
            candidate_kinds=dict(self.candidate_kinds),
            folds=self._folds_of([str(x) for x in t]),
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
        *,
        objective: str = "alc",
        others: Mapping[str, str] | None = None,
        values: ValueSpec | None = None,
        candidate_kinds: Mapping[str, str] | None = None,
        folds: pd.Series | None = None,
    ) -> MetaDataset:
        """Build from a long table with columns ``task_id, pipeline_id, <value>`` (repeats are
        averaged, as ZAP averages its 3 repeats); ``value`` holds ``objective``, raw, in the
        direction ``values`` declares (each run converted to a score before averaging, so a
        timeout counts as its penalty). With a ``budget`` column naming two or more budgets, one
        matrix per budget (see ``row_budgets``). ``others`` maps further objectives to their
        columns (``for_objective``); one whose column holds no value at all is left out (the
        table does not carry it)."""
        spec = values if values is not None else ValueSpec()
        budgets = row_budgets(runs)
        scored = runs.assign(**{value: spec.scores(pd.to_numeric(runs[value], errors="coerce"))})
        own = _long_matrices(scored, budgets, tasks, pipelines, value)
        other_objectives = {
            name: _long_matrices(runs, budgets, tasks, pipelines, column)
            for name, column in (others or {}).items()
            if pd.to_numeric(runs[column], errors="coerce").notna().any()
        }
        return cls(tasks=tasks.copy(), pipelines=dict(pipelines), perf=own.perf,
                   budget_perf=own.budget_perf, objective=objective,
                   other_objectives=other_objectives, values=spec,
                   candidate_kinds=dict(candidate_kinds or {}), folds=folds)  # fmt: skip

    @property
    def value_column(self) -> str:
        """The long-table column of ``objective``: its run field, or a declared measure's name."""
        return MEASURE_FIELDS.get(self.objective, self.objective)

    def to_long(self, *, by_budget: bool = False) -> pd.DataFrame:
        """``task_id, pipeline_id, <value_column>`` of ``perf`` as raw values in the declared
        direction (``values.raw``; as it always was for ALC: drop NaN values for the filled
        cells); ``by_budget`` gives every budget's filled cells with a ``budget`` column (NaN
        when the budget is unknown)."""
        column = self.value_column
        if not by_budget:
            return _long(self.values.raw(self.perf), column)
        frames = {b: self.values.raw(f) for b, f in self.budget_perf.items()} or {
            math.nan: self.values.raw(self.perf)
        }
        parts = [
            _long(f, column).dropna(subset=[column]).assign(budget=b) for b, f in frames.items()
        ]
        return pd.concat(parts, ignore_index=True)[["task_id", "pipeline_id", "budget", column]]

    def summary(self) -> dict[str, Any]:
        archs = {p.get("architecture") for p in self.pipelines.values()} - {None}
        return {
            "tasks": len(self.tasks),
            "core_datasets": int(self.core_datasets().nunique()),
            "grouped": self.has_groups,
            "pipelines": len(self.pipelines),
            "candidates": "arms" if self.has_arms else "pipelines",
            "candidate_features": dict(self.candidate_kinds),
            "budgets": list(self.budgets),
            "cells_filled": self.num_runs_filled,
            "density": round(self.density, 4),
            "architectures": sorted(str(a) for a in archs),
            "objective": self.objective,
            "objectives": list(self.objectives),
            "values": self.values.describe(),
            "folds": None if self.folds is None else int(self.folds.nunique()),
            "alc_mean": self._alc_mean(),
        }

    def _alc_mean(self) -> float | None:
        if "alc" not in self.objectives:
            return None
        values = self.for_objective("alc").perf.to_numpy()
        return float(np.nanmean(values)) if np.isfinite(values).any() else None


def select_features(md: MetaDataset, features: str) -> MetaDataset:
    """``md`` with only one set of meta-feature columns (``FEATURE_SETS``: "trivial" is every
    column that is not a (task, backbone) probe feature ``<score>__<backbone>``, i.e. ZAP's four
    on zapml's own data and the declared task features of an imported one); ``core_dataset`` and
    a stacked meta-dataset's ``BUDGET_FEATURE`` are always kept. Selectors read every
    meta-feature column, so this is how a caller chooses what they condition on."""
    from zapml.metafeatures.probe_features import PAIR_SEPARATOR

    if features not in FEATURE_SETS:
        raise ValueError(f"features must be one of {FEATURE_SETS}; got {features!r}.")
    if features == "all":
        return md
    names = md.metafeature_names()
    if features == "trivial":  # zapml's four, or the task features an import declares
        chosen = [n for n in names if PAIR_SEPARATOR not in n and n != BUDGET_FEATURE]
    else:
        chosen = [n for n in names if PAIR_SEPARATOR in n]
    if not chosen:
        how = (
            "run `zap metadataset probe DB` on its store"
            if features == "probe"
            else ("rebuild or re-import it with its tasks' meta-features")
        )
        raise ArtifactError(
            f"This meta-dataset has no {features} meta-features (it has {names or 'none'}): "
            f"{how}, or pick another feature set ({', '.join(FEATURE_SETS)})."
        )
    group = [GROUP_COLUMN] if md.has_groups else []
    keep = [*group, *chosen, *([BUDGET_FEATURE] if BUDGET_FEATURE in names else [])]
    return replace(md, tasks=md.tasks[keep].copy())


def keep_probe_backbones(md: MetaDataset, backbones: Iterable[str]) -> MetaDataset:
    """``md`` without the probe features ``<score>__<backbone>`` of backbones not in
    ``backbones``; every other column stays. A store probed with more backbones than a selector
    should pay for at run time trains it on a few of them this way."""
    from zapml.metafeatures.probe_features import pair_feature_backbone

    wanted = list(dict.fromkeys(backbones))
    names = md.metafeature_names()
    of = {n: pair_feature_backbone(n) for n in names}
    probed = {b for b in of.values() if b is not None}
    missing = [b for b in wanted if b not in probed]
    if missing:
        raise ArtifactError(
            f"This meta-dataset has no probe features of {missing} (it has those of "
            f"{sorted(probed) or 'no backbone'}): run `zap metadataset probe DB --backbones "
            f"{','.join(missing)}` on its store, or keep only backbones it was probed with."
        )
    drop = [n for n in names if of[n] is not None and of[n] not in wanted]
    return replace(md, tasks=md.tasks.drop(columns=drop))


def _numeric_or_missing(column: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(column):
        return True
    return bool(pd.to_numeric(column, errors="coerce").notna().eq(column.notna()).all())


def _check_candidates(pipelines: Mapping[str, Pipeline], kinds: Mapping[str, str]) -> None:
    """All pipelines of the space, or all arms whose every feature has a declared kind."""
    arms = [pid for pid, p in pipelines.items() if p.is_arm]
    if arms and len(arms) != len(pipelines):
        raise ValueError(
            f"MetaDataset: {len(arms)} of {len(pipelines)} candidates are arms; the candidates "
            "must be all arms or all pipelines of the space (import them as arms, with features)."
        )
    bad_kinds = {k: v for k, v in kinds.items() if v not in CANDIDATE_KINDS}
    if bad_kinds:
        raise ValueError(
            f"MetaDataset: candidate feature kinds {bad_kinds} are not one of {CANDIDATE_KINDS}."
        )
    if kinds and not arms:
        raise ValueError(
            "MetaDataset: candidate_kinds declares features, but no candidate is an arm."
        )
    for pid in arms:
        undeclared = sorted(set(pipelines[pid].features) - set(kinds))
        if undeclared:
            raise ValueError(
                f"MetaDataset: arm {pid!r} has feature(s) {undeclared} with no declared kind; "
                f"declare each as one of {CANDIDATE_KINDS} in candidate_kinds."
            )


def budget_row_id(task_id: str, budget: float) -> str:
    """The row id of task ``task_id`` at ``budget`` in ``stack_budgets``."""
    return f"{task_id}@{budget:g}"


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


def _long_matrices(
    runs: pd.DataFrame,
    budgets: pd.Series | None,
    tasks: pd.DataFrame,
    pipelines: Mapping[str, Pipeline],
    value: str,
) -> Matrices:
    """Column ``value`` of a long table as one objective's matrices (one per budget)."""
    if budgets is None:
        return Matrices(_mean_matrix(runs, tasks, pipelines, value))
    frames = {
        float(b): _mean_matrix(runs[budgets == b], tasks, pipelines, value)
        for b in sorted(set(budgets))
    }
    return Matrices(next(iter(frames.values())), frames)


def _mean_matrix(
    runs: pd.DataFrame, tasks: pd.DataFrame, pipelines: Mapping[str, Pipeline], value: str
) -> pd.DataFrame:
    mean = runs.groupby(["task_id", "pipeline_id"])[value].mean().unstack("pipeline_id")
    return mean.reindex(index=list(tasks.index), columns=list(pipelines)).astype(float)


def _long(perf: pd.DataFrame, column: str = "alc") -> pd.DataFrame:
    long = perf.stack().rename(column).reset_index()
    long.columns = ["task_id", "pipeline_id", column]
    return long
