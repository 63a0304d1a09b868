"""The pipeline configuration space (ConfigSpace), the schema derived from it, and ``Pipeline``
value objects."""

from zapml.space.pipeline import Pipeline, default_pipeline
from zapml.space.schema import (
    Condition,
    conditions,
    default_space,
    hyperparameter_names,
    is_active,
    required_names,
)
from zapml.space.space import build_space, default_architectures, sample_pipelines

__all__ = [
    "Condition",
    "Pipeline",
    "build_space",
    "conditions",
    "default_architectures",
    "default_pipeline",
    "default_space",
    "hyperparameter_names",
    "is_active",
    "required_names",
    "sample_pipelines",
]
