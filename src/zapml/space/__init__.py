"""The pipeline configuration space (ConfigSpace) and ``Pipeline`` value objects."""

from zapml.space.pipeline import Pipeline, default_pipeline
from zapml.space.space import DEFAULT_ARCHITECTURES, build_space, sample_pipelines

__all__ = [
    "DEFAULT_ARCHITECTURES",
    "Pipeline",
    "build_space",
    "default_pipeline",
    "sample_pipelines",
]
