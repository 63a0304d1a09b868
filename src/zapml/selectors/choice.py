"""Which pipeline ``zap fit`` runs: an explicit pipeline file, else the selector's zero-shot pick,
else the space's default. Library code: it returns what it decided and why, and prints nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from zapml.errors import PipelineError
from zapml.space import Pipeline, default_pipeline

#: Where the shipped default selector lives (trained on the shipped meta-dataset).
SHIPPED_SELECTOR = Path(__file__).parent / "shipped"


@dataclass(frozen=True)
class PipelineChoice:
    """The pipeline to run, a line saying where it came from, and the selector's warnings (for
    example that the dataset lies outside the meta-features it was trained on)."""

    pipeline: Pipeline
    origin: str
    warnings: tuple[str, ...] = ()


def resolve_selector_dir(selector: str | Path | None) -> Path | None:
    """An explicit selector folder, else the shipped one when it exists, else ``None``."""
    if selector is not None:
        path = Path(selector)
        if not path.is_dir():
            raise PipelineError(
                f"--selector {selector}: no such folder. Give a folder written by "
                "`zap selector train`, or leave --selector out to use the shipped selector."
            )
        return path
    return SHIPPED_SELECTOR if (SHIPPED_SELECTOR / "manifest.json").is_file() else None


def choose_pipeline(
    pipeline_path: str | Path | None,
    selector: str | Path | None = None,
    metafeatures: Mapping[str, float] | None = None,
) -> PipelineChoice:
    """``pipeline_path`` wins, then the selector's top choice for ``metafeatures``, then the
    space's default pipeline."""
    if pipeline_path is not None:
        try:
            chosen = Pipeline.from_yaml(Path(pipeline_path)).validate()
        except ValueError as err:
            raise PipelineError(f"{err} (in --pipeline {pipeline_path})") from None
        return PipelineChoice(chosen, f"pipeline from {pipeline_path}")
    selector_dir = resolve_selector_dir(selector)
    if selector_dir is not None and metafeatures is not None:
        from zapml.selectors.api import recommend

        advice = recommend(selector_dir, dict(metafeatures), top=1)
        origin = f"chosen zero-shot by the {advice.selector} selector in {selector_dir}"
        return PipelineChoice(advice.best, origin, advice.warnings)
    return PipelineChoice(default_pipeline(), "the space's default pipeline")
