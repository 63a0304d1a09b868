"""Checks on meta-dataset inputs that come from outside a build (imported files and tables)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zapml.errors import ArtifactError
from zapml.space.pipeline import Pipeline


def checked_pipeline(values: Mapping[str, Any], where: str) -> Pipeline:
    """``values`` as a ``Pipeline`` inside the search space, else an ``ArtifactError`` naming
    ``where`` (file and row or config) and the hyperparameter: a meta-dataset that records a
    pipeline outside the space would teach selectors to recommend it."""
    pipeline = Pipeline(values)
    try:
        return pipeline.validate()
    except (ValueError, KeyError) as err:
        raise ArtifactError(
            f"{where}: the pipeline is outside zapml's search space: {err} Fix or remove it "
            "there, then import again."
        ) from None
