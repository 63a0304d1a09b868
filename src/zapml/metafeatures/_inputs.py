"""Checks shared by the probe scores: every score takes the same (features, labels) pair.

Scores are computed on frozen backbone features, so a wrong shape or a stray NaN would
otherwise surface as a meaningless number deep inside a linear-algebra routine.
"""

from __future__ import annotations

import numpy as np

from zapml.errors import DataError


def check_features_labels(
    features: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(F, y)`` as float64 (n, d) and int (n,) with y re-coded to 0..C-1.

    Re-coding makes absent class ids harmless: a score only sees the classes present.
    """
    feats = np.asarray(features, dtype=np.float64)
    if feats.ndim != 2 or feats.shape[0] == 0 or feats.shape[1] == 0:
        raise DataError(
            f"features must be a non-empty 2-D array (images x feature dims); got shape "
            f"{np.shape(features)}. Flatten or pool the backbone output first."
        )
    if not np.all(np.isfinite(feats)):
        raise DataError("features contain NaN or infinite values; check the feature extraction.")
    codes = check_labels(labels, feats.shape[0])
    return feats, codes


def check_labels(labels: np.ndarray, num_rows: int) -> np.ndarray:
    """Labels as 0..C-1 codes; at least two classes, one label per row."""
    raw = np.asarray(labels)
    if raw.ndim != 1 or raw.shape[0] != num_rows:
        raise DataError(
            f"labels must be 1-D with one entry per row ({num_rows}); got shape {raw.shape}."
        )
    classes, codes = np.unique(raw, return_inverse=True)
    if len(classes) < 2:
        raise DataError(
            f"labels hold {len(classes)} class; transferability scores need at least two. "
            "Pass a sample that covers several classes."
        )
    return codes.astype(np.int64)


def check_source_probs(source_probs: np.ndarray) -> np.ndarray:
    """Source-model class probabilities (n, Z): non-negative rows that sum to one."""
    probs = np.asarray(source_probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[0] == 0:
        raise DataError(
            f"source_probs must be a non-empty (images x source classes) array; got shape "
            f"{probs.shape}."
        )
    # Softmax output in float32 sums to one only to ~1e-6 per row; 1e-4 still catches logits.
    if np.any(probs < 0) or not np.allclose(probs.sum(axis=1), 1.0, atol=1e-4):
        raise DataError(
            "source_probs rows must be probabilities (non-negative, summing to 1); "
            "apply a softmax to the source model's logits first."
        )
    return probs


def check_source_labels(source_labels: np.ndarray) -> np.ndarray:
    """Source-model hard labels (n,), one per image."""
    source = np.asarray(source_labels)
    if source.ndim != 1 or source.shape[0] == 0:
        raise DataError(
            f"source_labels must be a non-empty 1-D array (one source class per image); got "
            f"shape {source.shape}. Take the argmax of the source model's logits."
        )
    return source


def one_hot(codes: np.ndarray) -> np.ndarray:
    """(n, C) indicator matrix of 0..C-1 codes."""
    return np.eye(int(codes.max()) + 1)[codes]
