"""Tr-AutoML's representation of a real dataset, measured with zapml's own runtime.

B cheap benchmark pipelines run T trials each (paper Sec. 2.1: B = 4-6, T = 8). A trial is one
``zapml.runtime.fit`` on the compute clock with a tiny budget, trained on a random stratified
part of a bounded sample of the training set and scored on the rest (its validation accuracy);
trial t uses seed t for both the split and the run, so the trials differ the way independent
restarts do and the representation is reproducible. The compute seconds of all B x T runs are
what the representation costs; ``zap fit --strategy transfer`` charges them to the budget.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from zapml.data.dataset import Dataset
from zapml.errors import DataError
from zapml.runtime.preprocess import stratified_split
from zapml.space import Pipeline
from zapml.space.space import build_space
from zapml.transfer.representation import BenchmarkRepresentation

#: ``zapml.runtime.fit``'s signature, or a stand-in with it (tests pass a fake).
FitFn = Callable[..., Any]

# The benchmark pipelines: the space's default pipeline on the zoo's cheapest pretrained backbone
# with each of its frozen-feature simple models, plus a second pretrained backbone. At a budget of
# about one compute second only the simple model on frozen features predicts (measured on digits:
# mobilenetv2_100 + LR 0.70 compute-s, + SVC 0.72 compute-s, 300 images); fine-tuning runs would
# not finish a step. Different classifiers and features respond differently to class count,
# resolution and domain, which is what the representation must tell apart.
BENCHMARKS: tuple[tuple[str, str], ...] = (
    ("mobilenetv2_100", "LR"),
    ("mobilenetv2_100", "SVC"),
    ("mobilenetv2_100", "RF"),
    ("efficientnet_lite0", "LR"),
)


@dataclass(frozen=True)
class BenchmarkSettings:
    """T trials of ``seconds_each`` compute-s on at most ``max_images`` training images, of which
    ``validation_fraction`` score the run.

    T = 6 > B = 4 leaves the sharing test 2 denominator degrees of freedom (it needs T > B); the
    paper's T = 8 would cost a third more. 300 images bound a trial's cost whatever the dataset's
    size (frozen features of 300 small images fit in one compute second)."""

    num_trials: int = 6
    seconds_each: float = 1.5
    max_images: int = 300
    validation_fraction: float = 0.25

    def __post_init__(self) -> None:
        if self.num_trials <= len(BENCHMARKS):
            raise DataError(
                f"num_trials must exceed the {len(BENCHMARKS)} benchmark pipelines (the sharing "
                f"test needs T > B), got {self.num_trials}"
            )
        if self.seconds_each <= 0 or not 0.0 < self.validation_fraction < 1.0:
            raise DataError(
                "seconds_each must be positive and validation_fraction in (0, 1), got "
                f"{self.seconds_each} and {self.validation_fraction}"
            )


@dataclass(frozen=True)
class MeasuredRepresentation:
    representation: BenchmarkRepresentation
    compute_seconds: float


def benchmark_pipelines() -> tuple[Pipeline, ...]:
    default = Pipeline.from_configuration(build_space().get_default_configuration())
    return tuple(
        default.replace(architecture=arch, first_simple_model=True, simple_model=model)
        for arch, model in BENCHMARKS
    )


def represent_dataset(
    train: Dataset,
    dataset_id: str,
    settings: BenchmarkSettings | None = None,
    fit_fn: FitFn | None = None,
) -> MeasuredRepresentation:
    """The T x B validation accuracies of the benchmark pipelines on ``train`` and their cost."""
    from zapml.runtime import fit

    settings = settings or BenchmarkSettings()
    run = fit_fn or fit
    pipelines = benchmark_pipelines()
    sample = _bounded_sample(train, settings.max_images)
    trials = np.zeros((settings.num_trials, len(pipelines)))
    spent = 0.0
    for t in range(settings.num_trials):
        fit_part, valid_part = validation_split(sample, settings.validation_fraction, seed=t)
        for b, pipeline in enumerate(pipelines):
            accuracy, seconds = validation_accuracy(
                run, pipeline, fit_part, valid_part, settings.seconds_each, seed=t
            )
            trials[t, b] = accuracy
            spent += seconds
    return MeasuredRepresentation(BenchmarkRepresentation(dataset_id, trials), spent)


def validation_split(data: Dataset, fraction: float, seed: int) -> tuple[Dataset, Dataset]:
    """A stratified (train, validation) cut of ``data``; every class keeps a training image."""
    if len(data) < 2 * data.num_classes:
        raise DataError(
            f"{data.name}: {len(data)} images for {data.num_classes} classes; a validation split "
            "needs at least two images per class"
        )
    num_valid = max(1, round(fraction * len(data)))
    fit_idx, valid_idx = stratified_split(data.labels, num_valid, np.random.default_rng(seed))
    return data.subset(fit_idx), data.subset(valid_idx)


def validation_accuracy(
    run: FitFn, pipeline: Pipeline, train: Dataset, valid: Dataset, budget: float, seed: int
) -> tuple[float, float]:
    """(accuracy on ``valid``, compute seconds spent). A run that predicted nothing in its budget
    or failed scores 0: it told the user nothing about the dataset."""
    result = run(pipeline, train, valid, budget=budget, clock="compute", seed=seed, progress=False)
    data = result.to_dict() if hasattr(result, "to_dict") else dict(result)
    accuracy = data.get("final_accuracy")
    seconds = float(data.get("compute_seconds") or 0.0)
    if data.get("status", "ok") != "ok" or accuracy is None:
        return 0.0, seconds
    return float(accuracy), seconds


def _bounded_sample(train: Dataset, max_images: int) -> Dataset:
    """At most ``max_images`` images, stratified, with a fixed seed (same data, same sample)."""
    if len(train) <= max_images:
        return train
    _, keep = stratified_split(train.labels, max_images, np.random.default_rng(0))
    return train.subset(keep)


def describe_benchmarks(settings: BenchmarkSettings, pipelines: Sequence[Pipeline]) -> str:
    names = ", ".join(f"{p.architecture}+{p['simple_model']}" for p in pipelines)
    return (
        f"{len(pipelines)} benchmark pipelines ({names}) x {settings.num_trials} trials of "
        f"{settings.seconds_each:g} compute-s on <= {settings.max_images} images"
    )
