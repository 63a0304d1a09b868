"""Plain functions behind ``zap selector train`` and ``zap recommend``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zapml.errors import PipelineError
from zapml.metadataset.metadataset import MetaDataset
from zapml.metadataset.objectives import DEFAULT_OBJECTIVE, objective_for
from zapml.selectors.base import Candidates, Selector
from zapml.selectors.explain import build_recommendation
from zapml.selectors.recommendation import Recommendation
from zapml.selectors.registry import get_selector, load_selector


def train_selector(
    metadataset: MetaDataset,
    name: str = "zap_hpo",
    out_dir: str | Path | None = None,
    *,
    objective: str = DEFAULT_OBJECTIVE,
    budget: float | None = None,
    **params: Any,
) -> Selector:
    """Fit selector ``name`` (``list_selectors()``) for ``objective`` ("final": the final test
    NAUC; "alc": AutoDL's ALC) on the meta-dataset scored by it (``for_objective``; a ZAP folder
    carries ``alc`` only); save it when ``out_dir`` is given. A meta-dataset of several budgets
    trains a budget-aware selector (the budget is an input, see ``base``) unless ``budget``
    restricts it to that one. ``params`` go to the selector's constructor (unknown ones raise
    ValueError)."""
    scored = metadataset.for_objective(objective_for(metadataset.objective, objective))
    if budget is not None:
        scored = scored.at_budget(budget)
    selector = get_selector(name, **params).fit(scored)
    if out_dir is not None:
        selector.save(out_dir)
    return selector


def check_selector_objective(selector: Selector, objective: str, source: str | Path) -> Selector:
    """``selector`` when it was trained for ``objective``; else a ``PipelineError`` naming both
    and the two fixes."""
    wanted = objective_for(selector.objective_, objective)
    if selector.objective_ != wanted:
        raise PipelineError(
            f"The selector in {source} was trained for the {selector.objective_!r} objective, "
            f"but {wanted!r} was asked. Pass --objective {selector.objective_} to use it, or "
            f"train one for {wanted!r}: zap selector train METADATASET --objective {wanted} "
            "-o DIR."
        )
    return selector


def recommend(
    selector: Selector | str | Path,
    metafeatures: Any,
    candidates: Candidates = None,
    top: int = 3,
    neighbours: int = 5,
    objective: str | None = None,
    budget: float | None = None,
    drivers: bool = True,
) -> Recommendation:
    """Rank pipelines for one task (a Mapping of meta-features) with a fitted selector or a saved
    one's directory; returns the top pipelines with scores, the nearest training tasks, the
    strongest features where the model has them, and the out-of-range / missing-value warnings
    (show those: the selector is extrapolating or imputing). ``budget`` is the run's budget in
    compute seconds: an input of a budget-aware selector (required by it), checked against the
    trained budgets of any selector. With ``objective``, a selector trained for another one is
    refused (``check_selector_objective``). ``drivers=False`` skips the explanation of which
    features drove the choice (``explain.choice_drivers``), when only the choice is needed."""
    if int(top) < 1:
        raise ValueError(f"The 'top' parameter must be >= 1. Got {top!r}.")
    sel = selector if isinstance(selector, Selector) else load_selector(selector)
    if objective is not None:
        where = "this selector" if isinstance(selector, Selector) else f"'{selector}'"
        check_selector_objective(sel, objective, where)
    return build_recommendation(
        sel, metafeatures, candidates, top=top, k=neighbours, budget=budget, drivers=drivers
    )
