"""Explanations for ``zap recommend``: why this ranking, and when not to trust it.

- ``nearest_training_tasks``: the training tasks closest in (log1p, z-scored) meta-feature space,
  with their core dataset and distance, and how the recommended pipeline did on them;
- ``out_of_range_warnings``: meta-features outside the range seen in training (extrapolation);
- ``budget_warnings`` / ``budget_note``: a budget outside the trained budgets, and how the
  selector uses the budget (an input when trained on several, else ignored);
- ``choice_drivers``: which meta-features drove the top choice for this task (a permutation
  importance local to the query and the chosen pipeline; probe features among them are what
  `zap recommend` names);
- ``build_recommendation``: all of these, plus the top pipelines and, for the guided models, the
  strongest features, as a typed ``Recommendation``; ``explain``: the same as a JSON-able dict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from zapml._numbers import readable
from zapml.errors import DataError
from zapml.metadataset.metadataset import BUDGET_FEATURE
from zapml.selectors.base import Candidates, Selector
from zapml.selectors.encoding import MetaFeatureScaler, as_matrix, impute
from zapml.selectors.recommendation import NearbyTask, RankedPipeline, Recommendation


def out_of_range_warnings(selector: Selector, metafeatures: Any) -> list[str]:
    """One message per meta-feature of the (single) task outside the training [min, max], and one
    per missing meta-feature, naming the training median the selector puts in its place."""
    x, _ = as_matrix(metafeatures, selector.metafeature_names_)
    out = []
    for j, name in enumerate(selector.metafeature_names_):
        if name == BUDGET_FEATURE:  # said by budget_warnings, in budget terms
            continue
        value, lo, hi = float(x[0, j]), float(selector.mf_min_[j]), float(selector.mf_max_[j])
        if np.isnan(value):
            out.append(
                f"{name} is missing; the selector ranks as if it were {selector.mf_fill_[j]:g} "
                "(the median over its training tasks), so treat the ranking loosely."
            )
        elif value < lo or value > hi:
            out.append(
                f"{name} = {value:g} lies outside the training range [{lo:g}, {hi:g}]: the "
                "selector extrapolates here; consider a short validation run of the top pipelines."
            )
    return out


def _budgets(values: list[float]) -> str:
    return ", ".join(f"{b:g}" for b in values)


def budget_warnings(selector: Selector, budget: float | None) -> list[str]:
    """One message when ``budget`` (compute seconds) lies outside the budgets the selector was
    trained on (none when either is unknown)."""
    trained = list(selector.train_budgets_)
    if budget is None or not trained or min(trained) <= budget <= max(trained):
        return []
    if selector.budget_aware:
        return [
            f"budget {budget:g} compute-s lies outside the budgets the selector was trained on "
            f"({_budgets(trained)} compute-s): it extrapolates the budget's effect; consider a "
            "short validation run of the top pipelines."
        ]
    return [
        f"budget {budget:g} compute-s differs from the one budget the selector was trained at "
        f"({_budgets(trained)} compute-s), and the budget is not one of its inputs: its choice "
        "is the one for that budget."
    ]


def budget_note(selector: Selector, budget: float | None) -> str:
    """How the ranking depends on the budget, in one line for the user."""
    trained = _budgets(selector.train_budgets_)
    if selector.budget_aware:
        asked = "no budget" if budget is None else f"a budget of {readable(budget)} compute-s"
        return (
            f"ranked for {asked} (the selector takes the budget as an input; trained on budgets "
            f"{trained} compute-s)"
        )
    at = f"at one budget ({trained} compute-s)" if trained else "at one budget"
    return f"the selector was trained {at} and ignores the budget asked"


def with_budget(metafeatures: Any, budget: float | None) -> Any:
    """``metafeatures`` (one task, a Mapping) with ``BUDGET_FEATURE`` set to ``budget``."""
    if budget is None:
        return metafeatures
    if not isinstance(metafeatures, Mapping | pd.Series):
        raise DataError("A budget can be given for one task (a Mapping of meta-features) only.")
    return {**dict(metafeatures), BUDGET_FEATURE: float(budget)}


def nearest_training_tasks(selector: Selector, metafeatures: Any, k: int = 5) -> pd.DataFrame:
    """The ``k`` nearest training tasks: task id, core dataset, distance, their meta-features."""
    x, _ = as_matrix(metafeatures, selector.metafeature_names_)
    query = impute(x[:1], selector.mf_fill_)  # as the selector itself sees the task
    scaler = MetaFeatureScaler(log=True).fit(selector.train_mf_)
    train = scaler.transform(selector.train_mf_)
    dist = np.sqrt(((scaler.transform(query) - train) ** 2).sum(axis=1))
    order = np.argsort(dist, kind="stable")[:k]
    table = pd.DataFrame(selector.train_mf_[order], columns=selector.metafeature_names_)
    table.insert(0, "distance", dist[order])
    table.insert(0, "core_dataset", [selector.train_core_[i] for i in order])
    table.insert(0, "task_id", [selector.train_task_ids_[i] for i in order])
    return table.reset_index(drop=True)


def choice_drivers(
    selector: Selector, metafeatures: Any, candidates: Candidates = None
) -> list[tuple[str, float]]:
    """Each meta-feature's part in the top choice for one task, largest first.

    A feature's value is how much the top candidate's lead (its score minus the best other
    candidate's; its score alone when it is the only one) drops when that feature alone takes,
    in turn, each training task's value instead of the query's, averaged over the training tasks:
    a permutation importance local to this query and this choice. Positive: the query's value
    favours the chosen pipeline. Chosen over a model's own importances (a forest's impurity
    decrease, the guided models' weights) because those are global, say nothing about this
    task's choice, and exist for some selectors only; this works for every selector. The
    budget, an input of a budget-aware selector, is held at the query's value, not explained.
    """
    query = dict(metafeatures)
    best = int(np.argmax(selector.rank(query, candidates)))
    lead = _lead(selector.rank(pd.DataFrame([query]), candidates), best)[0]
    rows = pd.DataFrame([query] * len(selector.train_task_ids_))
    drivers = []
    for j, name in enumerate(selector.metafeature_names_):
        if name == BUDGET_FEATURE:
            continue
        swapped = rows.assign(**{name: selector.train_mf_[:, j]})
        drop = lead - float(_lead(selector.rank(swapped, candidates), best).mean())
        drivers.append((name, drop))
    return sorted(drivers, key=lambda d: -d[1])


def _lead(scores: np.ndarray, best: int) -> np.ndarray:
    """Per row, candidate ``best``'s score minus the best other candidate's."""
    if scores.shape[1] == 1:
        return scores[:, 0]
    return scores[:, best] - np.delete(scores, best, axis=1).max(axis=1)


def build_recommendation(
    selector: Selector,
    metafeatures: Any,
    candidates: Candidates = None,
    top: int = 3,
    k: int = 5,
    budget: float | None = None,
    drivers: bool = True,
) -> Recommendation:
    """The top pipelines for one task with the evidence: nearest training tasks, out-of-range
    and missing-value warnings, the budget it ranked for, the features that drove the top
    choice (``choice_drivers``) and, for the guided models, the strongest features. ``budget``
    (compute seconds) joins the meta-features as ``BUDGET_FEATURE``; a budget-aware selector
    needs it there or here. ``drivers=False`` skips ``choice_drivers`` (one ranking of the
    training tasks per meta-feature), for a caller that only runs the choice (``zap fit``)."""
    metafeatures = with_budget(metafeatures, budget)
    scores = selector.rank(metafeatures, candidates)
    if scores.ndim != 1:
        raise ValueError("recommend() takes one task (a Mapping or Series), not a DataFrame.")
    pool = selector.resolve_candidates(candidates)
    order = np.argsort(-scores, kind="stable")[:top]
    near = nearest_training_tasks(selector, metafeatures, k)
    names = list(selector.metafeature_names_)
    strongest = getattr(selector, "strongest_features", None)
    if budget is None and isinstance(metafeatures, Mapping | pd.Series):
        given = metafeatures.get(BUDGET_FEATURE)
        budget = float(given) if given is not None else None
    return Recommendation(
        selector=selector.name,
        objective=selector.objective_,
        budget=budget,
        budget_note=budget_note(selector, budget),
        top=tuple(
            RankedPipeline(rank=r + 1, pipeline=pool[i], score=float(scores[i]))
            for r, i in enumerate(order)
        ),
        warnings=tuple(
            out_of_range_warnings(selector, metafeatures) + budget_warnings(selector, budget)
        ),
        nearest_training_tasks=tuple(
            NearbyTask(
                task_id=str(row["task_id"]),
                core_dataset=str(row["core_dataset"]),
                distance=float(row["distance"]),
                metafeatures={n: float(row[n]) for n in names},
            )
            for row in near.to_dict(orient="records")
        ),
        strongest_features=tuple(
            (str(n), float(v)) for n, v in (strongest() if callable(strongest) else [])
        ),
        drivers=tuple(choice_drivers(selector, metafeatures, candidates) if drivers else ()),
    )


def explain(
    selector: Selector,
    metafeatures: Any,
    candidates: Candidates = None,
    top: int = 3,
    k: int = 5,
    budget: float | None = None,
) -> dict[str, Any]:
    """A JSON-able explanation of one task's ranking (``build_recommendation(...).to_dict()``)."""
    return build_recommendation(selector, metafeatures, candidates, top, k, budget).to_dict()


#: How many drivers a line names: the few a reader can weigh at a glance.
DRIVERS_SHOWN = 3
#: A lead drop this small is float noise of subtracting equal scores (a selector whose scores
#: ignore a feature gives ~1e-17), not a feature favouring the choice.
DRIVER_NOISE = 1e-9


def drivers_lines(advice: Recommendation) -> list[str]:
    """``advice.drivers`` for a reader: the features that favoured the top choice most and,
    when the selector reads probe features, the probe features among them (what the probe of
    the user's images contributed)."""
    from zapml.selectors.query import is_probe_feature

    if not advice.drivers:
        return []
    how = "(drop in the top pipeline's lead when the feature takes the training tasks' values)"
    lines = [f"what drove the choice {how}: {_named(advice.drivers)}"]
    probes = [d for d in advice.drivers if is_probe_feature(d[0])]
    if probes:
        lines.append(f"probe features that drove it: {_named(probes)}")
    return lines


def _named(drivers: Sequence[tuple[str, float]]) -> str:
    favouring = [d for d in drivers if d[1] > DRIVER_NOISE][:DRIVERS_SHOWN]
    if not favouring:
        name, value = drivers[0]
        return f"none favoured it (the largest, {name}, {value:+.3g})"
    return ", ".join(f"{name} {value:+.3g}" for name, value in favouring)
