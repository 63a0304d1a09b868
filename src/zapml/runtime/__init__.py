"""Anytime fine-tuning of one pipeline under a budget (the ZAP / AutoCV runtime), timed by the
wall clock or by a reproducible compute clock, with artifacts that ``load_model`` reads back."""

from zapml.runtime.artifacts import TrainedModel, load_model
from zapml.runtime.clock import Clock, ComputeClock, WallClock
from zapml.runtime.fit import check_run_settings, fit
from zapml.runtime.output import check_output_dir
from zapml.runtime.result import FitResult

__all__ = [
    "Clock",
    "ComputeClock",
    "FitResult",
    "TrainedModel",
    "WallClock",
    "check_output_dir",
    "check_run_settings",
    "fit",
    "load_model",
]
