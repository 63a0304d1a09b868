"""Which pipeline ``zap fit`` runs: an explicit pipeline file, else the zero-shot pick of a selector
trained for the objective asked, else the space's default. Library code: it returns what it
decided and why, and prints nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from zapml.errors import PipelineError
from zapml.metadataset.objectives import DEFAULT_OBJECTIVE, OBJECTIVES, check_objective, describe
from zapml.space import Pipeline, default_pipeline

if TYPE_CHECKING:
    from zapml.runtime.calibration import WallConversion
    from zapml.selectors.base import Selector
    from zapml.selectors.feasibility import DataShape

#: The shipped default selectors, one per objective (trained on the shipped meta-dataset by
#: scripts/train_shipped_selector.py --objective ...).
SHIPPED_SELECTORS: dict[str, Path] = {o: Path(__file__).parent / "shipped" / o for o in OBJECTIVES}
#: The first shipped selector (ALC, as ZAP): the name older code and tests use.
SHIPPED_SELECTOR = SHIPPED_SELECTORS["alc"]


@dataclass(frozen=True)
class PipelineChoice:
    """The pipeline to run, a line saying where it came from, the selector's warnings (for
    example that the dataset lies outside the meta-features it was trained on), and the
    objective the choice optimises (None when no selector chose: a pipeline file or the
    default), and lines on the budget the selector was given (``SelectorBudget.notes``)."""

    pipeline: Pipeline
    origin: str
    warnings: tuple[str, ...] = ()
    objective: str | None = None
    budget_notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SelectorBudget:
    """What a selector is told of the run's budget: compute seconds (None: nothing, the
    selector ignores it and no conversion was needed) and how they were obtained."""

    compute_seconds: float | None
    notes: tuple[str, ...] = ()


def selector_budget(
    selector: Selector,
    budget: float | None,
    clock: str = "wall",
    conversion: WallConversion | None = None,
) -> SelectorBudget:
    """``budget`` seconds of ``clock`` as the selector's budget input (compute seconds; a wall
    budget through this machine's calibration for the run's device, ``runtime.calibration``). A
    selector that ignores the budget is given the compute-clock budget only (to check it against
    the budget it was trained at); a wall one is not converted for it unless the conversion asks
    to measure again."""
    from zapml.selectors.explain import budget_note

    if budget is None:
        return SelectorBudget(None)
    measure_anyway = conversion is not None and conversion.recalibrate
    if not selector.budget_aware and clock == "wall" and not measure_anyway:
        return SelectorBudget(None, (budget_note(selector, None),))
    from zapml.runtime.calibration import compute_budget

    converted = compute_budget(budget, clock, conversion)
    return SelectorBudget(converted.seconds, (converted.note,))


def shipped_selector_dir(objective: str = DEFAULT_OBJECTIVE) -> Path | None:
    """The shipped selector trained for ``objective``, or None when this installation lacks it."""
    path = SHIPPED_SELECTORS[check_objective(objective)]
    return path if (path / "manifest.json").is_file() else None


def resolve_selector_dir(
    selector: str | Path | None, objective: str = DEFAULT_OBJECTIVE
) -> Path | None:
    """An explicit selector folder, else the one ``zap selector update`` refitted on the user's
    fit history for ``objective``, else the shipped one when it exists, else ``None``. (Whether
    an explicit one was trained for ``objective`` is checked when it is loaded:
    ``api.check_selector_objective``.)"""
    if selector is not None:
        path = Path(selector)
        if not path.is_dir():
            raise PipelineError(
                f"--selector {selector}: no such folder. Give a folder written by "
                "`zap selector train`, or leave --selector out to use the shipped selector."
            )
        return path
    from zapml.history.paths import user_selector_dir

    return user_selector_dir(check_objective(objective)) or shipped_selector_dir(objective)


def choose_pipeline(
    pipeline_path: str | Path | None,
    selector: str | Path | None = None,
    metafeatures: Mapping[str, float] | None = None,
    objective: str = DEFAULT_OBJECTIVE,
    budget: float | None = None,
    clock: str = "wall",
    conversion: WallConversion | None = None,
    data: DataShape | None = None,
) -> PipelineChoice:
    """``pipeline_path`` wins, then the top choice for ``metafeatures`` of the selector trained
    for ``objective`` (a ``--selector`` trained for another one is refused) at the run's
    ``budget`` seconds of ``clock`` (``selector_budget``), then the space's default pipeline.
    With the dataset's sizes (``data``) and a budget in compute seconds, the selector's first
    choice that leaves time to train is taken (``feasibility``)."""
    objective = check_objective(objective)
    if pipeline_path is not None:
        try:
            chosen = Pipeline.from_yaml(Path(pipeline_path)).validate()
        except ValueError as err:
            raise PipelineError(f"{err} (in --pipeline {pipeline_path})") from None
        return PipelineChoice(chosen, f"pipeline from {pipeline_path}")
    selector_dir = resolve_selector_dir(selector, objective)
    if selector_dir is not None and metafeatures is not None:
        from zapml.selectors.api import check_selector_objective
        from zapml.selectors.registry import load_selector

        sel = check_selector_objective(load_selector(selector_dir), objective, selector_dir)
        given = selector_budget(sel, budget, clock, conversion)
        return _zero_shot(sel, selector_dir, metafeatures, objective, given, data)
    return PipelineChoice(default_pipeline(), "the space's default pipeline")


def _zero_shot(
    sel: Selector, selector_dir: Path, metafeatures: Mapping[str, float], objective: str,
    given: SelectorBudget, data: DataShape | None,
) -> PipelineChoice:  # fmt: skip
    from zapml.selectors.api import recommend
    from zapml.selectors.feasibility import CANDIDATES, take_affordable

    guarded = data is not None and given.compute_seconds is not None
    advice = recommend(
        sel, dict(metafeatures), top=CANDIDATES if guarded else 1,
        budget=given.compute_seconds, drivers=False,
    )  # fmt: skip
    origin = (
        f"chosen zero-shot by the {advice.selector} selector in {selector_dir}, "
        f"optimising {describe(objective)}"
    )
    notes = given.notes + ((advice.budget_note,) if given.compute_seconds is not None else ())
    if not guarded:
        return PipelineChoice(advice.best, origin, advice.warnings, objective, notes)
    assert data is not None and given.compute_seconds is not None
    ranking = [row.pipeline for row in advice.top]
    chosen, line = take_affordable(ranking, data, given.compute_seconds)
    notes += (line,) if line else ()
    return PipelineChoice(chosen, origin, advice.warnings, objective, notes)
