"""NAUC and ALC exactly as the AutoDL challenge scoring program defines them.

- NAUC of one prediction = 2 * mean_k AUC_k - 1, AUC one-vs-rest per class computed from tied
  ranks; classes whose solution column holds a single value (all 0 or all 1) are dropped.
- Time is transformed by t~(t) = log(1 + t / t0) / log(1 + T / t0) with T = 1200 s, t0 = 60 s.
- The learning curve is a step function: 0 before the first prediction, each prediction's score
  held until the next one, the last held to t~ = 1. Predictions made after T do not count.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import rankdata

DEFAULT_T = 1200.0
DEFAULT_T0 = 60.0


def _one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    out = np.zeros((len(labels), num_classes), dtype=float)
    out[np.arange(len(labels)), labels] = 1.0
    return out


def nauc(solution: np.ndarray, prediction: np.ndarray) -> float:
    """Normalised AUC, 2 * AUC - 1 averaged over the classes that have both labels present.

    ``solution`` is either integer labels ``(N,)`` or a 0/1 matrix ``(N, K)``; ``prediction`` is a
    score matrix ``(N, K)``. Returns 0.0 when no class has both a positive and a negative example
    (the scoring program's mean over an empty set is treated as no information).
    """
    prediction = np.asarray(prediction, dtype=float)
    if prediction.ndim != 2:
        raise ValueError(f"nauc: prediction must be (N, K); got shape {prediction.shape}.")
    solution = np.asarray(solution)
    if solution.ndim == 1:
        solution = _one_hot(solution.astype(int), prediction.shape[1])
    if solution.shape != prediction.shape:
        raise ValueError(
            f"nauc: solution {solution.shape} and prediction {prediction.shape} must match."
        )
    aucs = []
    for k in range(solution.shape[1]):
        s = solution[:, k] > 0.5
        npos = int(s.sum())
        nneg = len(s) - npos
        if npos == 0 or nneg == 0:
            continue
        ranks = rankdata(prediction[:, k])  # ties get their average rank
        auc = (ranks[s].sum() - npos * (npos + 1) / 2.0) / (npos * nneg)
        aucs.append(auc)
    if not aucs:
        return 0.0
    return float(2.0 * np.mean(aucs) - 1.0)


def accuracy(labels: np.ndarray, prediction: np.ndarray) -> float:
    """Top-1 accuracy of a score matrix (or predicted labels) against integer labels."""
    labels = np.asarray(labels)
    prediction = np.asarray(prediction)
    predicted = prediction.argmax(axis=1) if prediction.ndim == 2 else prediction
    if len(labels) == 0:
        raise ValueError("accuracy: no labels given.")
    return float(np.mean(predicted == labels))


def transform_time(
    t: np.ndarray | float, T: float = DEFAULT_T, t0: float = DEFAULT_T0
) -> np.ndarray:
    """AutoDL's log time transform, mapping [0, T] onto [0, 1]."""
    if T <= 0 or t0 <= 0:
        raise ValueError(f"transform_time: T and t0 must be positive; got T={T}, t0={t0}.")
    return np.log1p(np.asarray(t, dtype=float) / t0) / np.log1p(T / t0)


def learning_curve_steps(
    timestamps: Sequence[float],
    scores: Sequence[float],
    T: float = DEFAULT_T,
    t0: float = DEFAULT_T0,
) -> tuple[np.ndarray, np.ndarray]:
    """The step function's knots in transformed time: x from 0 to 1, y[i] held on [x[i], x[i+1])."""
    ts = np.asarray(timestamps, dtype=float)
    ss = np.asarray(scores, dtype=float)
    if ts.shape != ss.shape:
        raise ValueError("learning curve: timestamps and scores must have the same length.")
    if len(ts) and np.any(np.diff(ts) < 0):
        raise ValueError("learning curve: timestamps must be non-decreasing.")
    if len(ts) and ts[0] < 0:
        raise ValueError("learning curve: timestamps must be >= 0.")
    keep = ts <= T
    ts, ss = ts[keep], ss[keep]
    x = np.concatenate([[0.0], transform_time(ts, T, t0), [1.0]])
    y = np.concatenate([[0.0], ss, [ss[-1] if len(ss) else 0.0]])
    return x, y


def alc(
    timestamps: Sequence[float],
    scores: Sequence[float],
    T: float = DEFAULT_T,
    t0: float = DEFAULT_T0,
) -> float:
    """Area under the anytime learning curve in transformed time (the AutoDL score)."""
    x, y = learning_curve_steps(timestamps, scores, T, t0)
    return float(np.sum(np.diff(x) * y[:-1]))
