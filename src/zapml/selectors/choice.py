"""Which pipeline ``zap fit`` runs: an explicit pipeline file, else the zero-shot pick of a selector
trained for the objective asked, else the space's default. Library code: it returns what it
decided and why, and prints nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from zapml.errors import PipelineError
from zapml.metadataset.objectives import DEFAULT_OBJECTIVE, OBJECTIVES, check_objective, describe
from zapml.space import Pipeline, default_pipeline

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
    default)."""

    pipeline: Pipeline
    origin: str
    warnings: tuple[str, ...] = ()
    objective: str | None = None


def shipped_selector_dir(objective: str = DEFAULT_OBJECTIVE) -> Path | None:
    """The shipped selector trained for ``objective``, or None when this installation lacks it."""
    path = SHIPPED_SELECTORS[check_objective(objective)]
    return path if (path / "manifest.json").is_file() else None


def resolve_selector_dir(
    selector: str | Path | None, objective: str = DEFAULT_OBJECTIVE
) -> Path | None:
    """An explicit selector folder, else the shipped one for ``objective`` when it exists, else
    ``None``. (Whether an explicit one was trained for ``objective`` is checked when it is
    loaded: ``api.check_selector_objective``.)"""
    if selector is not None:
        path = Path(selector)
        if not path.is_dir():
            raise PipelineError(
                f"--selector {selector}: no such folder. Give a folder written by "
                "`zap selector train`, or leave --selector out to use the shipped selector."
            )
        return path
    return shipped_selector_dir(objective)


def choose_pipeline(
    pipeline_path: str | Path | None,
    selector: str | Path | None = None,
    metafeatures: Mapping[str, float] | None = None,
    objective: str = DEFAULT_OBJECTIVE,
) -> PipelineChoice:
    """``pipeline_path`` wins, then the top choice for ``metafeatures`` of the selector trained
    for ``objective`` (a ``--selector`` trained for another one is refused), then the space's
    default pipeline."""
    objective = check_objective(objective)
    if pipeline_path is not None:
        try:
            chosen = Pipeline.from_yaml(Path(pipeline_path)).validate()
        except ValueError as err:
            raise PipelineError(f"{err} (in --pipeline {pipeline_path})") from None
        return PipelineChoice(chosen, f"pipeline from {pipeline_path}")
    selector_dir = resolve_selector_dir(selector, objective)
    if selector_dir is not None and metafeatures is not None:
        from zapml.selectors.api import recommend

        advice = recommend(selector_dir, dict(metafeatures), top=1, objective=objective)
        origin = (
            f"chosen zero-shot by the {advice.selector} selector in {selector_dir}, "
            f"optimising {describe(objective)}"
        )
        return PipelineChoice(advice.best, origin, advice.warnings, objective)
    return PipelineChoice(default_pipeline(), "the space's default pipeline")
