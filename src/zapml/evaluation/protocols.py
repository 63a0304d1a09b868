"""Evaluation protocols: which tasks are held out together, and how the seeds repeat them.

- ``groups``: leave one group (``core_dataset``) out, ZAP's protocol; the same records as
  ``leave_one_core_out``.
- ``folds``: a given task -> fold mapping (an algorithm-selection scenario's own CV folds, the
  meta-dataset's ``folds`` when it has them); every fold is held out once.
- ``kfold``: k folds of the shuffled tasks (scikit-learn's ``KFold``), drawn again per seed.

Every task is held out exactly once per seed. A task's budgets are held out together (on a
multi-budget meta-dataset a selector is trained on its (task, budget) rows, ``training_view``),
so no selector sees a held-out task at another budget. A randomised protocol (``kfold``) splits
with seed s and seeds the selectors with s, so the spread over seeds covers both; a fixed one
(``groups``, ``folds``) evaluates every seed on the same folds and only the selectors' seeds vary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from zapml.errors import DataError
from zapml.evaluation.loco import (
    SelectorFactory,
    applicable,
    check_seeds,
    default_selectors,
    evaluate_held_out,
    records_table,
)
from zapml.metadataset.metadataset import MetaDataset, budget_row_id, warn_ungrouped
from zapml.selectors.base import training_view

#: protocol name -> what it does, in words (the HTML report's and the CLI's description)
PROTOCOLS: dict[str, str] = {
    "groups": "leave one core dataset (group) out: every selector is trained without the "
    "held-out group's tasks and picks one pipeline per held-out task",
    "folds": "the meta-dataset's own folds (task -> fold): every fold is held out once, the "
    "selectors trained on the other folds",
    "kfold": "k-fold cross-validation over shuffled tasks, the split drawn again for every seed",
}
#: k of ``kfold`` when not told: ASlib's published algorithm-selection protocol is 10-fold CV
DEFAULT_K = 10
#: every protocol needs two folds at least: one to hold out, one to train on
MIN_FOLDS = 2
#: how many offending task ids an error message lists before "..." (enough to find the problem)
SHOWN_IDS = 5

Split = list[tuple[str, list[str]]]


@dataclass(frozen=True)
class Protocol:
    """How ``evaluate`` holds tasks out: ``name`` one of ``PROTOCOLS``; ``k`` the folds of
    ``kfold``; ``folds`` a task -> fold mapping for ``folds`` (default: the meta-dataset's own
    ``folds``). Task ids the mapping names but the meta-dataset lacks are ignored (a subset of a
    scenario keeps its folds); a task it does not name is an error."""

    name: str = "groups"
    k: int = DEFAULT_K
    folds: Mapping[str, Any] | pd.Series | None = None

    def __post_init__(self) -> None:
        if self.name not in PROTOCOLS:
            raise DataError(
                f"Unknown protocol {self.name!r}; choose one of {', '.join(PROTOCOLS)}."
            )
        if self.name == "kfold" and int(self.k) < MIN_FOLDS:
            raise DataError(f"k-fold needs at least {MIN_FOLDS} folds; got {self.k}.")

    @property
    def randomised(self) -> bool:
        """Whether the split depends on the seed."""
        return self.name == "kfold"

    @property
    def description(self) -> str:
        return PROTOCOLS[self.name]

    def split(self, md: MetaDataset, seed: int = 0) -> Split:
        """``(fold label, held-out task ids)`` pairs of ``md`` (its own task ids, not stacked
        budget rows), each task in exactly one of them."""
        if self.name == "groups":
            return group_split(md)
        if self.name == "folds":
            return fold_split(md, self.folds)
        return kfold_split(md, int(self.k), seed)


def as_protocol(protocol: Protocol | str | None) -> Protocol:
    """A ``Protocol`` from itself, its name, or None (``groups``)."""
    if isinstance(protocol, Protocol):
        return protocol
    return Protocol("groups" if protocol is None else protocol)


def group_split(md: MetaDataset) -> Split:
    """One fold per core dataset, in sorted order (``leave_one_core_out``'s order)."""
    if not md.has_groups:  # each task is its own group: leave-one-task-out, and say so
        warn_ungrouped()
    cores = md.core_datasets()
    names = sorted(cores.unique())
    if len(names) < MIN_FOLDS:
        raise DataError(
            f"The groups protocol needs tasks of at least {MIN_FOLDS} core datasets; this "
            f"meta-dataset has {len(names)}. Use --protocol kfold (or folds, when it has its own "
            "folds)."
        )
    return [(str(c), [t for t in md.task_ids if cores[t] == c]) for c in names]


def _sorted_labels(values: Iterable[Any]) -> list[Any]:
    """Fold labels in their natural order (1, 2, 10), or as text when they mix types."""
    unique = list(dict.fromkeys(values))
    try:
        return sorted(unique)
    except TypeError:
        return sorted(unique, key=str)


def _ids(ids: list[str]) -> str:
    return ", ".join(ids[:SHOWN_IDS]) + (", ..." if len(ids) > SHOWN_IDS else "")


def fold_split(md: MetaDataset, folds: Mapping[str, Any] | pd.Series | None = None) -> Split:
    """One held-out set per fold of ``folds`` (task id -> fold; default ``md.folds``)."""
    given = folds if folds is not None else getattr(md, "folds", None)
    if given is None:
        raise DataError(
            "The folds protocol needs the meta-dataset's own folds (task -> fold, as an ASlib "
            "scenario's cv.arff gives), and this one has none. Use --protocol groups (leave one "
            "core dataset out) or --protocol kfold --folds K."
        )
    mapping = pd.Series(given, dtype=object)
    mapping.index = mapping.index.astype(str)
    lacking = [t for t in md.task_ids if t not in mapping.index or pd.isna(mapping[t])]
    if lacking:
        raise DataError(
            f"The folds name no fold for {len(lacking)} task(s) of the meta-dataset "
            f"({_ids(lacking)}); give every task a fold, or use --protocol groups|kfold."
        )
    of_task = mapping.reindex(md.task_ids)
    labels = _sorted_labels(of_task)
    if len(labels) < MIN_FOLDS:
        raise DataError(
            f"The folds put every task in one fold ({labels[0]!r}): nothing is left to train "
            f"on. Give at least {MIN_FOLDS} folds, or use --protocol groups|kfold."
        )
    return [(f"fold {f}", [t for t in md.task_ids if of_task[t] == f]) for f in labels]


def kfold_split(md: MetaDataset, k: int, seed: int) -> Split:
    """``k`` folds of the tasks shuffled by ``seed`` (``sklearn.model_selection.KFold``)."""
    from sklearn.model_selection import KFold

    n = len(md.task_ids)
    if k > n:
        raise DataError(
            f"k-fold with k={k} needs at least {k} tasks; the meta-dataset has {n}. Pass "
            f"--folds {n} or fewer (k = {n} is leave-one-task-out)."
        )
    ids = md.task_ids
    parts = KFold(n_splits=k, shuffle=True, random_state=seed).split(ids)
    return [(f"fold {i}", [ids[j] for j in test]) for i, (_, test) in enumerate(parts)]


def _rows_by_task(md: MetaDataset, view: MetaDataset) -> dict[str, str]:
    """Row id of ``view`` (``training_view(md)``) -> the task of ``md`` it belongs to."""
    if view is md:
        return {t: t for t in md.task_ids}
    rows = {budget_row_id(t, b): t for t in md.task_ids for b in md.budgets}
    return {r: rows[r] for r in view.task_ids}


def _held_out(
    view: MetaDataset, task_of: dict[str, str], label: str, tasks: list[str]
) -> tuple[MetaDataset, MetaDataset]:
    """(train, test) of ``view`` with the rows of ``tasks`` held out, both in ``view``'s order."""
    out = set(tasks)
    test = [r for r in view.task_ids if task_of[r] in out]
    if not test:
        raise DataError(f"Fold {label!r} holds out no task with a run; check the folds.")
    return view.subset([r for r in view.task_ids if task_of[r] not in out]), view.subset(test)


def evaluate(
    md: MetaDataset,
    selectors: Mapping[str, SelectorFactory] | None = None,
    seeds: Iterable[int] = (0, 1, 2),
    protocol: Protocol | str | None = None,
    include_oracle: bool = True,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Per (selector, seed, held-out task) records under ``protocol`` (default ``groups``);
    each record's ``held_out`` names its fold and ``protocol`` the protocol. The columns are
    ``leave_one_core_out``'s; ``summarize``, ``summarize_over_seeds`` and ``per_task_results``
    read them."""
    chosen = as_protocol(protocol)
    view = training_view(md)
    task_of = _rows_by_task(md, view)
    lineup = dict(selectors) if selectors is not None else applicable(default_selectors(), md)
    seed_list = check_seeds(seeds)
    # a fixed split is drawn once and every seed runs on it (deterministic selectors fit once)
    rounds = [[s] for s in seed_list] if chosen.randomised else [seed_list]
    records: list[dict[str, Any]] = []
    for round_seeds in rounds:
        for label, tasks in chosen.split(md, round_seeds[0]):
            if progress is not None:
                progress(f"held out {label}" + (f" (seed {round_seeds[0]})" * chosen.randomised))
            train, test = _held_out(view, task_of, label, tasks)
            records += evaluate_held_out(view, label, train, test, lineup, round_seeds)
    return records_table(records, md.objective, include_oracle).assign(protocol=chosen.name)
