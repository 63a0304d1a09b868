"""Leave-one-core-dataset-out evaluation (ZAP's protocol), replaying the stored perf matrix.

For each core dataset: fit every selector on the other core datasets' tasks (selectors with inner
CV do it inside their own ``fit``, grouped by core dataset), rank the training pipelines for each
held-out task, and read the chosen pipeline's value from the stored matrix (the meta-dataset's
objective: ALC, or the final test NAUC for ``md.for_objective("final")``; the ``*_alc`` columns
hold it and the ``objective`` column names it). Only pipelines actually
run on the held-out task can be scored, so the choice is the best-ranked *observed* one (on a
dense matrix: simply the best-ranked one). Repeated over seeds for selectors that take a seed.

Budgets: a meta-dataset of several budgets is replayed on its (task, budget) rows
(``MetaDataset.stack_budgets``), so each selector is trained budget-aware and every record has its
``budget``; a held-out core dataset leaves training with all its budgets (the rows keep their core
dataset). Every record also holds the budget-blind single best's value (``single_best_alc``) and
the per-budget single best's (``single_best_per_budget_alc``), the two baselines to beat, and how
well the selector's scores of all observed pipelines agree with their true values on that row
(``metrics.RANKING_CORRELATIONS``: Pearson, Spearman, weighted Kendall tau).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from zapml.errors import DataError
from zapml.evaluation.metrics import RANKING_CORRELATIONS, ranking_correlations
from zapml.metadataset.metadataset import BUDGET_FEATURE, MetaDataset, warn_ungrouped
from zapml.selectors.base import Selector, training_view
from zapml.selectors.baselines import SingleBestPerBudgetSelector, SingleBestSelector
from zapml.selectors.registry import get_selector

SelectorFactory = Callable[[int], Selector]


def factory(name: str, **kwargs: Any) -> SelectorFactory:
    """A seed -> unfitted selector function for ``get_selector(name, **kwargs)``; the seed is
    passed only to selectors that take one."""
    takes_seed = "seed" in inspect.signature(type(get_selector(name, **kwargs)).__init__).parameters

    def make(seed: int) -> Selector:
        extra = {"seed": seed} if takes_seed else {}
        return get_selector(name, **{**kwargs, **extra})

    return make


def default_selectors(budget: str = "fast") -> dict[str, SelectorFactory]:
    """The benchmark line-up. ``fast`` fits in minutes on a laptop for a ~40-task meta-dataset
    (tiny SMAC budget, 1 ZAP-HPO config x 3 inner folds); ``full`` uses the selectors' defaults."""
    if budget not in ("fast", "full"):
        raise ValueError(f"The 'budget' parameter must be 'fast' or 'full'. Got {budget!r}.")
    fast = budget == "fast"
    hpo = {"epochs": 12, "n_configs": 1, "n_folds": 3} if fast else {}
    zas = {"n_trials": 6, "n_folds": 3, "walltime": 30.0} if fast else {}
    return {
        "random": factory("random"),
        "single_best": factory("single_best"),
        "single_best_per_budget": factory("single_best_per_budget"),
        "knn": factory("knn"),
        "guided_lr": factory("guided_lr"),
        "guided_fm": factory("guided_fm"),
        "zap_as": factory("zap_as", **zas),
        "zap_hpo": factory("zap_hpo", **hpo),
        "zap_hpo_lsq": factory("zap_hpo", loss="least_squares", **hpo),
        # log-scaled meta-features; zap_hpo_log is the shipped default's setting (recipe.py)
        "zap_hpo_log": factory("zap_hpo", log_metafeatures=True, **hpo),
        "zap_hpo_lsq_log": factory("zap_hpo", loss="least_squares", log_metafeatures=True, **hpo),
        # + what the budget buys each pipeline (cost_features): needs several budgets
        "zap_hpo_log_cost": factory("zap_hpo", log_metafeatures=True, cost_features=True, **hpo),
    }


#: line-up entries whose inputs read the budget: they train on meta-datasets of several budgets
NEEDS_BUDGETS = frozenset({"zap_hpo_log_cost"})


def applicable(
    lineup: Mapping[str, SelectorFactory], md: MetaDataset
) -> dict[str, SelectorFactory]:
    """``lineup`` without the ``NEEDS_BUDGETS`` entries when ``md`` has fewer than two budgets."""
    several = len(md.budgets) >= 2
    return {k: v for k, v in lineup.items() if several or k not in NEEDS_BUDGETS}


def oracle_and_random(perf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per task (row of ``perf``, NaN = not observed): what the oracle's pick scores (the best
    observed value) and what a random observed pick scores on average (their mean)."""
    return np.nanmax(perf, axis=1), np.nanmean(perf, axis=1)


def chosen_observed(scores: np.ndarray, perf: np.ndarray) -> np.ndarray:
    """Index of the best-scored pipeline among those observed on each task. A NaN or -inf score
    (a pipeline the selector never saw, e.g. at that budget of a sparse meta-dataset) ranks below
    every other; when every observed pipeline scores so, the first observed one is taken, never
    an unobserved cell (whose value is unknown)."""
    observed = ~np.isnan(perf)
    best, scored = _best_finite(scores, observed)
    best[~scored] = np.argmax(observed[~scored], axis=1)
    return best


def top_scored(scores: np.ndarray) -> np.ndarray:
    """Index of the best-scored pipeline on each task among all of them, observed or not (what
    ``zap fit`` would run); -1 where no pipeline has a finite score. Recorded beside the scored
    choice because on a sparse level (few pipelines run per task at 256 s) the two differ, and
    only a build of the missing cell can say what the unrestricted pick was worth."""
    best, scored = _best_finite(scores, np.ones(scores.shape, dtype=bool))
    best[~scored] = -1
    return best


def _best_finite(scores: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the index of the highest finite score among the ``allowed`` columns (NaN and
    -inf rank below everything), and whether the row had any such score at all."""
    usable = allowed & ~np.isnan(scores) & (scores > -np.inf)
    return np.argmax(np.where(usable, scores, -np.inf), axis=1), usable.any(axis=1)


def _fit(make: SelectorFactory, train: MetaDataset, seed: int) -> tuple[Selector, float]:
    start = time.perf_counter()
    selector = make(seed).fit(train)
    return selector, time.perf_counter() - start


def _baselines(train: MetaDataset, x: pd.DataFrame, perf: np.ndarray) -> dict[str, np.ndarray]:
    """Each held-out row's value under the budget-blind and the per-budget single best."""
    rows = np.arange(len(perf))
    return {
        f"{name}_alc": perf[rows, chosen_observed(cls().fit(train).rank(x), perf)]
        for name, cls in (
            ("single_best", SingleBestSelector),
            ("single_best_per_budget", SingleBestPerBudgetSelector),
        )
    }


def _row_budgets(md: MetaDataset, test: MetaDataset) -> np.ndarray:
    """Each held-out row's budget: its budget column when stacked, else the one budget (NaN
    when unknown)."""
    if BUDGET_FEATURE in test.tasks.columns:
        return test.tasks[BUDGET_FEATURE].to_numpy(dtype=np.float64)
    return np.full(len(test.tasks), md.budgets[0] if md.budgets else np.nan)


def evaluate_fold(
    md: MetaDataset,
    core: str,
    selectors: Mapping[str, SelectorFactory],
    seeds: Sequence[int],
) -> list[dict[str, Any]]:
    """Records of every selector and seed on core dataset ``core`` held out of ``md`` (pass the
    ``training_view`` of a multi-budget meta-dataset, as ``leave_one_core_out`` does)."""
    train, test = md.without_core_dataset(core), md.only_core_dataset(core)
    return evaluate_held_out(md, core, train, test, selectors, seeds)


def evaluate_held_out(
    md: MetaDataset,
    label: str,
    train: MetaDataset,
    test: MetaDataset,
    selectors: Mapping[str, SelectorFactory],
    seeds: Sequence[int],
) -> list[dict[str, Any]]:
    """Records of every selector and seed trained on ``train`` and scored on ``test`` (both cut
    from ``md``, a ``training_view``), each record's ``held_out`` set to ``label``: one fold of
    any protocol (``protocols``)."""
    perf = test.perf.to_numpy(dtype=np.float64)
    observed = ~np.isnan(perf)
    oracle, rand = oracle_and_random(perf)
    x = test.metafeatures(train.metafeature_names())
    baselines = _baselines(train, x, perf)
    budgets = _row_budgets(md, test)
    records: list[dict[str, Any]] = []
    for sel_name, make in selectors.items():
        takes_seed = "seed" in make(seeds[0]).get_params()
        fitted: tuple[Selector, float] | None = None
        for seed in seeds:
            if fitted is None or takes_seed:  # deterministic selectors: fit once, reuse
                fitted = _fit(make, train, seed)
            selector, seconds = fitted
            scores = selector.rank(x)
            choice, top = chosen_observed(scores, perf), top_scored(scores)
            for i, task in enumerate(test.task_ids):
                records.append(
                    {
                        "selector": sel_name,
                        "seed": int(seed),
                        "held_out": label,
                        "task_id": task,
                        "budget": float(budgets[i]),
                        "chosen_pipeline": train.pipeline_ids[choice[i]],
                        "chosen_alc": float(perf[i, choice[i]]),
                        "top_pipeline": train.pipeline_ids[top[i]] if top[i] >= 0 else "",
                        "top_observed": bool(top[i] >= 0 and observed[i, top[i]]),
                        "oracle_alc": float(oracle[i]),
                        "random_alc": float(rand[i]),
                        **{k: float(v[i]) for k, v in baselines.items()},
                        "n_observed": int(observed[i].sum()),
                        "fit_seconds": float(seconds),
                        **ranking_correlations(scores[i], perf[i]),
                    }
                )
    return records


def records_table(
    records: list[dict[str, Any]], objective: str, include_oracle: bool = True
) -> pd.DataFrame:
    """The records as a frame with the ``objective`` column, plus one ``oracle`` record per
    (task, seed) when ``include_oracle``: it picks the best observed pipeline."""
    table = pd.DataFrame.from_records(records).assign(objective=objective)
    if include_oracle:
        oracle = table.drop_duplicates(["task_id", "seed"]).copy()
        oracle["selector"] = "oracle"
        oracle["chosen_alc"] = oracle["oracle_alc"]
        oracle["chosen_pipeline"] = ""
        oracle["fit_seconds"] = 0.0
        oracle[list(RANKING_CORRELATIONS)] = np.nan  # it reads the true values; it scores nothing
        table = pd.concat([table, oracle], ignore_index=True)
    return table


def check_seeds(seeds: Iterable[int]) -> list[int]:
    """``seeds`` as a list of ints; none at all is a user error."""
    seed_list = [int(s) for s in seeds]
    if not seed_list:
        raise DataError("The evaluation needs at least one seed; pass seeds=(0,) or --seeds 1.")
    return seed_list


def leave_one_core_out(
    md: MetaDataset,
    selectors: Mapping[str, SelectorFactory] | None = None,
    seeds: Iterable[int] = (0, 1, 2),
    cores: Iterable[str] | None = None,
    include_oracle: bool = True,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Per (selector, seed, held-out task) records (per (task, budget) row on a multi-budget
    meta-dataset); ``summarize`` / ``summarize_by_budget`` turn them into tables. The
    ``groups`` protocol of ``protocols.evaluate`` gives the same records."""
    md = training_view(md)
    lineup = dict(selectors) if selectors is not None else applicable(default_selectors(), md)
    seed_list = check_seeds(seeds)
    if not md.has_groups:  # each task is its own group: leave-one-task-out, and say so
        warn_ungrouped()
    all_cores = sorted(md.core_datasets().unique())
    if len(all_cores) < 2:
        raise DataError(
            f"leave_one_core_out needs tasks from at least 2 core datasets; got {len(all_cores)}. "
            "Use the kfold protocol (protocols.evaluate(md, protocol='kfold'), "
            "`zap benchmark --protocol kfold`) for a meta-dataset without groups."
        )
    chosen_cores = list(cores) if cores is not None else all_cores
    records: list[dict[str, Any]] = []
    for core in chosen_cores:
        if progress is not None:
            progress(f"held out {core}")
        records += evaluate_fold(md, core, lineup, seed_list)
    return records_table(records, md.objective, include_oracle)
