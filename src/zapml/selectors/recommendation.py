"""The typed answer of ``recommend``: ranked pipelines, the evidence, and when not to trust it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zapml.space.pipeline import Pipeline


@dataclass(frozen=True)
class RankedPipeline:
    """One recommended pipeline: its rank (1 = best), the pipeline and the selector's score
    (higher = better; comparable only within one ranking)."""

    rank: int
    pipeline: Pipeline
    score: float

    @property
    def architecture(self) -> str | None:
        """The pipeline's architecture; None for an arm of an imported meta-dataset."""
        arch = self.pipeline.get("architecture")
        return None if arch is None else str(arch)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "candidate": self.pipeline.label,
            "architecture": self.architecture,
            "score": self.score,
            "pipeline": self.pipeline.to_dict(),
        }


@dataclass(frozen=True)
class NearbyTask:
    """A training task close to the query in (log1p, z-scored) meta-feature space."""

    task_id: str
    core_dataset: str
    distance: float
    metafeatures: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "core_dataset": self.core_dataset,
            "distance": self.distance,
            **self.metafeatures,
        }


@dataclass(frozen=True)
class Recommendation:
    """What ``zapml.selectors.recommend`` returns for one task.

    ``warnings`` holds one line per meta-feature outside the training range (the selector
    extrapolates) or missing (imputed with the training median); callers should show them.
    ``strongest_features`` is empty for selectors without feature weights. ``objective`` is what
    the scores predict ("final" or "alc"; the objective the selector was trained for).
    ``budget`` is the budget in compute seconds the ranking was asked for (None when none was
    given) and ``budget_note`` says how the selector used it (an input, or ignored).
    ``drivers`` holds each meta-feature's part in the top choice, largest first
    (``explain.choice_drivers``: the drop in the top pipeline's lead when the feature takes the
    training tasks' values instead of this task's).
    """

    selector: str
    top: tuple[RankedPipeline, ...]
    objective: str
    budget: float | None = None
    budget_note: str = ""
    warnings: tuple[str, ...] = ()
    nearest_training_tasks: tuple[NearbyTask, ...] = ()
    strongest_features: tuple[tuple[str, float], ...] = ()
    drivers: tuple[tuple[str, float], ...] = ()

    @property
    def best(self) -> Pipeline:
        """The top-ranked pipeline."""
        return self.top[0].pipeline

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able view (pipelines as plain dicts)."""
        return {
            "selector": self.selector,
            "objective": self.objective,
            "budget": self.budget,
            "budget_note": self.budget_note,
            "top": [r.to_dict() for r in self.top],
            "nearest_training_tasks": [t.to_dict() for t in self.nearest_training_tasks],
            "warnings": list(self.warnings),
            "strongest_features": [list(f) for f in self.strongest_features],
            "drivers": [list(d) for d in self.drivers],
        }
