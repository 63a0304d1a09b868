"""A small meta-dataset store and fit histories with a known rule, for the history tests.

The rule: three pipelines A, B, C. On every task of the base meta-dataset (grey-scale and colour
sets of 300 to 3000 training images at 16 to 64 px) A is best: A 0.70, C 0.50, B 0.40. On the
"tiny" kind of task (single-channel 8-px sets of about 50 images, which the base never holds) B
is best: B 0.90, C 0.50, A 0.30. A selector trained on the base alone must pick A for a new tiny
task (regret 0.90 - 0.30 = 0.60); one that learnt from fits of tiny tasks can pick B (regret 0).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from zapml.data.dataset import Dataset
from zapml.metadataset.record import RunRecord
from zapml.metadataset.store import Store
from zapml.space.pipeline import Pipeline
from zapml.space.space import sample_pipelines

NAMES = ("A", "B", "C")
BASE_VALUE = {"A": 0.70, "B": 0.40, "C": 0.50}
TINY_VALUE = {"A": 0.30, "B": 0.90, "C": 0.50}
BUDGET = 4.0  # compute seconds: the base meta-dataset's one budget, as the shipped one's
TINY_SIDE = 8


def named_pipelines() -> dict[str, Pipeline]:
    """A, B, C: three distinct pipelines of the space (fixed by the seed)."""
    pipelines = sample_pipelines(3, seed=3)
    return dict(zip(NAMES, pipelines, strict=True))


def write_base_store(path: Path, n_tasks: int = 24, seed: int = 0) -> Path:
    """The base meta-dataset: ``n_tasks`` tasks, every pipeline run once (seed 0) at ``BUDGET``,
    value = ``BASE_VALUE`` plus noise under 0.02 (so A stays best everywhere)."""
    rng = np.random.default_rng(seed)
    pipelines = named_pipelines()
    with Store(path) as store:
        for pipeline in pipelines.values():
            store.add_pipeline(pipeline, "test", pipeline_id=pipeline.id)
        for i in range(n_tasks):
            task_id = f"{i}-base"
            mf = {
                "num_channels": float(rng.choice([1, 3])),
                "num_classes": float(rng.integers(2, 20)),
                "num_train": float(rng.integers(300, 3000)),
                "resolution_0": float(rng.choice([16, 32, 64])),
            }
            store.add_task(task_id, f"core{i % 4}", mf)
            for name, pipeline in pipelines.items():
                value = BASE_VALUE[name] + float(rng.uniform(-0.02, 0.02))
                store.add_run(_base_record(task_id, pipeline.id, value))
    return path


def _base_record(task_id: str, pipeline_id: str, value: float) -> RunRecord:
    return RunRecord(
        cell_key=f"{task_id}|{pipeline_id}|0|{BUDGET:g}|compute", task_id=task_id,
        pipeline_id=pipeline_id, seed=0, budget=BUDGET, clock="compute", status="ok",
        alc=value, final_nauc=value, final_accuracy=(value + 1) / 2, curve=((1.0, value),),
    )  # fmt: skip


def tiny_dataset(index: int, n_images: int | None = None) -> Dataset:
    """A distinct tiny task: 1 channel, ``TINY_SIDE`` px, about 50 images of 4 to 6 classes."""
    rng = np.random.default_rng(1000 + index)
    n = n_images or int(rng.integers(40, 60))
    classes = 4 + index % 3
    images = rng.integers(0, 255, size=(n, TINY_SIDE, TINY_SIDE, 1), dtype=np.uint8)
    labels = np.arange(n) % classes
    return Dataset(images, labels, tuple(f"c{k}" for k in range(classes)), name=f"tiny{index}")


def fit_result(
    value: float, *, seed: int = 0, clock: str = "compute", budget: float = BUDGET,
    compute_seconds: float | None = None, status: str = "ok",
) -> dict[str, Any]:  # fmt: skip
    """What ``zapml.runtime.fit`` returns (``FitResult.to_dict()``'s fields the history reads),
    for a run whose test NAUC rises to ``value``."""
    spent = budget if compute_seconds is None else compute_seconds
    return {
        "status": status, "error": None, "clock": clock, "budget": budget, "seed": seed,
        "timestamps": [budget / 4, budget], "test_nauc": [value / 2, value],
        "alc": value * 0.6, "final_nauc": value, "final_accuracy": (value + 1) / 2,
        "wall_seconds": 2.0 * spent, "compute_seconds": spent, "clock_version": 2,
    }  # fmt: skip
