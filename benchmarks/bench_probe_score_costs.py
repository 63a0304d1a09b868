"""Fit (and check) the probe scores' counted costs in ``zapml.metafeatures.score_costs``.

Times every score of ``PROBE_SCORES`` on synthetic features (class-shifted Gaussians, made
non-negative like pooled ReLU outputs; source probabilities from random logits over 1000 classes)
for n in 100-1000 sampled images, d in 512 and 1280 dims (ResNet-18 and the MobileNet /
EfficientNet-Lite zoo) and 2-50 classes, with ONE BLAS thread (as compute-clock runs use), keeping
the minimum per-thread CPU time (``time.thread_time``) of ``--repeats`` runs. Then, per score, fits
the rates of its counted terms by non-negative least squares on relative error
(``scipy.optimize.nnls``) and prints them next to the shipped ones, with the range of
counted/measured under the shipped rates (the compute clock's target is 0.67-1.5).

    PYTHONPATH=src python benchmarks/bench_probe_score_costs.py [--quick] [--repeats 2]

Takes about 1 minute (``--quick``: n up to 500, a few seconds).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator

import numpy as np
from scipy.optimize import nnls
from threadpoolctl import threadpool_limits

from zapml.metafeatures.probe_features import (
    PROBE_SCORES,
    ProbeScore,
    ProbeSettings,
    score_shape,
)
from zapml.metafeatures.score_costs import ScoreShape

SOURCE_CLASSES = 1000


def cases(quick: bool) -> Iterator[tuple[int, int, int]]:
    """(n, d, C) grid; C at most n / 3 so every class keeps a few images per fold."""
    for n in (100, 250, 500) if quick else (100, 250, 500, 1000):
        for d in (512, 1280):
            for classes in (2, 10, 50):
                if 3 * classes <= n:
                    yield n, d, classes


def synthetic(n: int, d: int, classes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    labels = np.arange(n) % classes
    feats = np.abs(rng.normal(size=(n, d)) + rng.normal(size=(classes, d))[labels])
    logits = rng.normal(size=(n, SOURCE_CLASSES))
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    return feats, labels, probs / probs.sum(axis=1, keepdims=True)


def time_score(
    score: ProbeScore, data: tuple[np.ndarray, np.ndarray, np.ndarray], repeats: int
) -> float:
    feats, labels, probs = data
    settings = ProbeSettings()
    best = float("inf")
    for _ in range(repeats):
        start = time.thread_time()
        score.compute(feats, labels, probs, settings)
        best = min(best, time.thread_time() - start)
    return best


def measure(quick: bool, repeats: int) -> list[tuple[str, ScoreShape, float]]:
    rows = []
    for n, d, classes in cases(quick):
        feats, labels, probs = synthetic(n, d, classes)
        shape = score_shape(feats, labels, probs)
        for score in PROBE_SCORES:
            seconds = time_score(score, (feats, labels, probs), repeats)
            rows.append((score.name, shape, seconds))
        print(f"measured n={n} d={d} C={classes}", flush=True)
    return rows


def report(rows: list[tuple[str, ScoreShape, float]]) -> None:
    print(f"\n{'score':24s} {'fitted rates':40s} {'shipped rates':40s} counted/measured")
    for score in PROBE_SCORES:
        mine = [(shape, sec) for name, shape, sec in rows if name == score.name]
        terms = np.array([score.cost.terms(shape) for shape, _ in mine], dtype=float)
        measured = np.array([sec for _, sec in mine])
        fitted, _ = nnls(terms / measured[:, None], np.ones(len(measured)))
        shipped = np.array(score.cost.rates)
        ratio = terms @ shipped / measured
        print(
            f"{score.name:24s} {_rates(fitted):40s} {_rates(shipped):40s} "
            f"{ratio.min():.2f}-{ratio.max():.2f} (max measured {measured.max():.3f} s)"
        )


def _rates(rates: np.ndarray) -> str:
    return ", ".join(f"{r:.2g}" for r in rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="n up to 500 only")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per case (min kept)")
    args = parser.parse_args()
    with threadpool_limits(1):
        rows = measure(args.quick, args.repeats)
    report(rows)


if __name__ == "__main__":
    main()
