"""Stand-in cell functions with ``zapml.runtime.fit``'s signature, for tests and benchmarks.

They live in the package (not in a test file) because executors pickle a cell function by its
import path: a spawned worker or a Ray worker must be able to import it.
"""

from __future__ import annotations

import hashlib
import os
import time
from typing import Any

from zapml.space.pipeline import Pipeline


def synthetic_alc(task_name: str, pipeline_id: str, seed: int) -> float:
    """A deterministic pseudo-ALC in [0, 1) for (task, pipeline, seed)."""
    digest = hashlib.sha256(f"{task_name}|{pipeline_id}|{seed}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def budget_alc(task_name: str, pipeline_id: str, seed: int, budget: float) -> float:
    """``synthetic_alc`` that differs per budget too: ``budget_fit``'s ALC."""
    return synthetic_alc(f"{task_name}@{budget:g}", pipeline_id, seed)


def _result(
    pipeline: Pipeline, train: Any, seed: int, seconds: float, alc: float | None = None
) -> dict[str, Any]:
    alc = synthetic_alc(train.name, pipeline.id, seed) if alc is None else alc
    return {
        "status": "ok",
        "error": None,
        "timestamps": [0.1 * seconds, 0.5 * seconds, seconds],
        "test_nauc": [alc / 2, alc, alc],
        "alc": alc,
        "final_nauc": alc,
        "final_accuracy": (alc + 1) / 2,
        "wall_seconds": seconds,
        "compute_seconds": seconds,
    }


def synthetic_fit(
    pipeline: Pipeline, train: Any, test: Any, *, budget: float, seed: int, **_: Any
) -> dict[str, Any]:
    """Sleeps ``budget / 100`` s (so a spec's budget scales the fake work), returns a pseudo-ALC."""
    time.sleep(budget / 100)
    return _result(pipeline, train, seed, budget / 100)


def budget_fit(
    pipeline: Pipeline, train: Any, test: Any, *, budget: float, seed: int, **_: Any
) -> dict[str, Any]:
    """Like ``synthetic_fit``, but the pseudo-ALC is ``budget_alc``: each budget's matrix of a
    multi-budget build differs, and a test can tell which budget a value came from."""
    time.sleep(budget / 100)
    alc = budget_alc(train.name, pipeline.id, seed, budget)
    return _result(pipeline, train, seed, budget / 100, alc)


def busy_fit(
    pipeline: Pipeline, train: Any, test: Any, *, budget: float, seed: int, **_: Any
) -> dict[str, Any]:
    """Burns one CPU core for ``budget / 100`` s: stands in for fine-tuning in throughput tests."""
    end = time.process_time() + budget / 100
    x = 0
    while time.process_time() < end:
        x += sum(range(2000))
    return _result(pipeline, train, seed, budget / 100)


def flaky_fit(
    pipeline: Pipeline, train: Any, test: Any, *, budget: float, seed: int, **kw: Any
) -> dict[str, Any]:
    """Like ``synthetic_fit`` but raises when ``lr`` exceeds 0.01 (a "divergence")."""
    if float(pipeline["lr"]) > 0.01:
        raise FloatingPointError(f"loss diverged to nan at lr={pipeline['lr']}")
    return synthetic_fit(pipeline, train, test, budget=budget, seed=seed, **kw)


def crashing_fit(
    pipeline: Pipeline, train: Any, test: Any, *, budget: float, seed: int, **kw: Any
) -> dict[str, Any]:
    """Like ``synthetic_fit`` but the worker process dies (as if OOM-killed) when ``lr`` > 0.05."""
    if float(pipeline["lr"]) > 0.05:
        os._exit(137)
    return synthetic_fit(pipeline, train, test, budget=budget, seed=seed, **kw)
