"""Counted compute-clock seconds of the probe scores, so a budget that pays for them stays honest.

Like the compute clock's costs (``zapml.runtime.costs``), a score's cost is a sum of counts that
depend only on the shapes it is computed on (sampled images n, feature dims d, target classes C,
source classes Z, folds K), each times a reference rate, never on a measurement: the same query is
charged the same seconds on any machine and under any load. The counts follow each algorithm's
dominant work (an SVD of an n x d matrix is ~n d min(n, d), a Gram matrix n^2 d, a sort of the
n^2 pairs n^2 log2 n), plus a per-call term for fixed Python and library overhead.

The rates were fitted with ``benchmarks/bench_probe_score_costs.py`` on the development machine
(the compute clock's reference machine: 2 CPU cores, ONE BLAS thread, per-thread CPU time,
minimum of 2 repeats) by non-negative least squares on relative error, over 21 shapes: n in
100-1000, d in 512 and 1280, C in 2-50. Counted/measured per score lay within 0.64-1.26 (LogME),
0.85-1.13 (H-score), 0.84-1.10 (PARC), 0.69-1.28 (linear probe), 0.62-1.15 (kNN), 0.49-1.21 (LFC),
0.32-1.47 (LEEP), 0.64-1.55 (NCE); the last three cost under 0.04 s on every shape. Clock versions
1 and 2 share that reference machine, so both charge these rates.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from zapml.metafeatures.transferability import LOGME_MAX_ITERATIONS


@dataclass(frozen=True)
class ScoreShape:
    """The sizes a score's work depends on."""

    num_images: int  # n: sampled images
    dims: int  # d: feature dimensions
    classes: int  # C: target classes among the sampled images
    source_classes: int = 0  # Z: the source head's classes (LEEP, NCE)
    folds: int = 1  # K: cross-validation folds (linear probe)


@dataclass(frozen=True)
class ScoreCost:
    """A score's counted units (``terms``) and the reference seconds per unit (``rates``), in
    the same order: the cost is their dot product."""

    terms: Callable[[ScoreShape], tuple[float, ...]]
    rates: tuple[float, ...]

    def seconds(self, shape: ScoreShape) -> float:
        counts = self.terms(shape)
        if len(counts) != len(self.rates):
            raise ValueError(f"{len(counts)} counted terms but {len(self.rates)} rates.")
        return float(sum(c * r for c, r in zip(counts, self.rates, strict=True)))


def _svd(s: ScoreShape) -> float:
    return float(s.num_images * s.dims * min(s.num_images, s.dims))


def _pairs_sort(s: ScoreShape) -> float:
    return s.num_images**2 * math.log2(max(s.num_images, 2))


def _logme(s: ScoreShape) -> tuple[float, ...]:
    # The evidence fixed point runs at most LOGME_MAX_ITERATIONS steps over min(n, d) singular
    # values per class; charging the cap keeps the count independent of the data.
    rank = min(s.num_images, s.dims)
    return (_svd(s), LOGME_MAX_ITERATIONS * rank * s.classes, LOGME_MAX_ITERATIONS)


def _h_score(s: ScoreShape) -> tuple[float, ...]:
    # Ledoit-Wolf's covariance (n d^2) and the d x d solve (d^3).
    return (float(s.num_images * s.dims**2), float(s.dims**3), 1.0)


def _parc(s: ScoreShape) -> tuple[float, ...]:
    # PCA by a full SVD, then Spearman over the n^2 / 2 pairwise dissimilarities (a sort).
    return (_svd(s), _pairs_sort(s), 1.0)


def _lfc(s: ScoreShape) -> tuple[float, ...]:
    return (float(s.num_images**2 * s.dims), float(s.num_images**2))


def _knn(s: ScoreShape) -> tuple[float, ...]:
    # Cosine similarities (n^2 d), then an argsort of every row (n^2 log n).
    return (float(s.num_images**2 * s.dims), _pairs_sort(s))


def _linear_probe(s: ScoreShape) -> tuple[float, ...]:
    # Per fold, ridge on (K-1)/K of the images: a Gram matrix of the smaller side m = min(n, d)
    # and its Cholesky solve (m^3; the Gram's n d m grows with it over the shapes probed, and the
    # fit gave it no weight of its own), then standardising and predicting (n d).
    train = s.num_images * (s.folds - 1) / max(s.folds, 1)
    side = min(train, s.dims)
    return (s.folds * side**3, float(s.folds * s.num_images * s.dims), float(s.folds))


def _leep(s: ScoreShape) -> tuple[float, ...]:
    # The joint (C x n x Z) and the expected predictor (n x Z x C), then per-image lookups.
    joint = s.num_images * s.source_classes
    return (float(joint * s.classes), float(joint))


def _nce(s: ScoreShape) -> tuple[float, ...]:
    return (float(s.num_images), 1.0)


# Reference seconds per counted unit (see the module docstring for the fit). Read as rates:
# the SVDs run at ~2.7 G units/s, Gram matrices at ~30-40 GFLOP/s, and a call's fixed overhead is
# 6-11 ms for the scores that go through scikit-learn (H-score, PARC, each fold of the probe).
LOGME_COST = ScoreCost(_logme, (3.8e-10, 2.6e-9, 8.6e-5))
H_SCORE_COST = ScoreCost(_h_score, (8.8e-11, 1.2e-10, 1.1e-2))
PARC_COST = ScoreCost(_parc, (3.7e-10, 1.3e-8, 8.4e-3))
LFC_COST = ScoreCost(_lfc, (2.5e-11, 7.4e-9))
KNN_COST = ScoreCost(_knn, (3.4e-11, 5.3e-9))
LINEAR_PROBE_COST = ScoreCost(_linear_probe, (5.6e-11, 2.1e-8, 5.7e-3))
LEEP_COST = ScoreCost(_leep, (1.3e-10, 1.3e-9))
NCE_COST = ScoreCost(_nce, (5.5e-7, 4.9e-5))
