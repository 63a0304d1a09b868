"""Metrics: AutoDL's NAUC and ALC, accuracy, selector metrics."""

from zapml.metrics.autodl import (
    DEFAULT_T,
    DEFAULT_T0,
    accuracy,
    alc,
    learning_curve_steps,
    nauc,
    transform_time,
)

__all__ = [
    "DEFAULT_T",
    "DEFAULT_T0",
    "accuracy",
    "alc",
    "learning_curve_steps",
    "nauc",
    "transform_time",
]
