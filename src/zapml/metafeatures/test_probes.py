"""kNN and linear probes against scikit-learn's estimators and hand-worked cases."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import LeaveOneOut, StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from zapml.errors import DataError
from zapml.metafeatures.probes import RIDGE_PROBE_ALPHA, knn_accuracy, linear_probe_accuracy


@pytest.mark.parametrize("k", [1, 3, 4])  # k = 4 with 3 classes produces tied votes
def test_knn_matches_sklearn_leave_one_out(k: int) -> None:
    rng = np.random.default_rng(k)
    labels = rng.integers(0, 3, size=40)
    feats = rng.normal(size=(40, 5)) + 0.7 * np.eye(5)[labels]
    reference = KNeighborsClassifier(n_neighbors=k, metric="cosine", algorithm="brute")
    expected = cross_val_score(reference, feats, labels, cv=LeaveOneOut()).mean()
    assert knn_accuracy(feats, labels, k) == pytest.approx(expected, abs=1e-12)


def _polar(length: float, angle: float) -> list[float]:
    return [length * np.cos(angle), length * np.sin(angle)]


def test_knn_by_hand_uses_angle_not_length() -> None:
    # Class 0 at angles 0.0 and 0.2, class 1 at 1.5 and 1.3 (short vectors), and a class-1 image
    # at angle 0.5: nearest in angle to class 0's 0.2, though nearest in Euclidean distance to
    # the short class-1 vectors. Leave-one-out 1-NN by angle gets the other four right.
    feats = np.array(
        [_polar(1, 0.0), _polar(1, 0.2), _polar(0.3, 1.5), _polar(0.3, 1.3), _polar(0.1, 0.5)]
    )
    labels = np.array([0, 0, 1, 1, 1])
    assert knn_accuracy(feats, labels, 1) == pytest.approx(4 / 5)
    euclidean = KNeighborsClassifier(n_neighbors=1)
    assert cross_val_score(euclidean, feats, labels, cv=LeaveOneOut()).mean() == 1.0


def test_linear_probe_separable_versus_noise() -> None:
    rng = np.random.default_rng(0)
    labels = np.arange(60) % 3
    feats = rng.normal(size=(60, 4))
    separable = feats.copy()
    separable[np.arange(60), labels] += 8.0
    assert linear_probe_accuracy(separable, labels) == 1.0
    # Features independent of the labels: held-out accuracy stays near chance (1/3).
    assert linear_probe_accuracy(feats, labels) < 0.6


def _ridge_fold_accuracy(
    train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray
) -> float:
    """Ridge by its normal equations: standardise with the training fold's mean and population
    std, centre the +1/-1 targets (the intercept is the target mean), solve
    (X'X + alpha I) W = X'T, predict the class with the largest score."""
    mean, std = train_x.mean(axis=0), train_x.std(axis=0)
    std[std == 0] = 1.0
    xs, ts = (train_x - mean) / std, (test_x - mean) / std
    classes = np.unique(train_y)
    targets = np.where(train_y[:, None] == classes[None, :], 1.0, -1.0)
    offset = targets.mean(axis=0)
    weights = np.linalg.solve(
        xs.T @ xs + RIDGE_PROBE_ALPHA * np.eye(xs.shape[1]), xs.T @ (targets - offset)
    )
    scores = ts @ weights + offset
    if len(classes) == 2:  # one decision function: the sign of the second class's column
        predicted = classes[(scores[:, 1] > 0).astype(int)]
    else:
        predicted = classes[np.argmax(scores, axis=1)]
    return float(np.mean(predicted == test_y))


@pytest.mark.parametrize("num_classes", [2, 5])
def test_linear_probe_matches_normal_equations(num_classes: int) -> None:
    rng = np.random.default_rng(num_classes)
    labels = rng.integers(0, num_classes, size=120)
    centres = rng.normal(size=(num_classes, 30))
    feats = rng.normal(size=(120, 30)) * rng.uniform(0.5, 3, size=30) + 0.8 * centres[labels]
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=3)
    expected = np.mean(
        [
            _ridge_fold_accuracy(feats[tr], labels[tr], feats[te], labels[te])
            for tr, te in cv.split(feats, labels)
        ]
    )
    assert 0.3 < expected < 1.0  # a case where the probe is neither trivial nor perfect
    assert linear_probe_accuracy(feats, labels, folds=5, seed=3) == pytest.approx(expected)


@pytest.mark.filterwarnings("ignore:The least populated class")
def test_linear_probe_lowers_folds_to_the_largest_class() -> None:
    # One direction per class: a linear probe separates any classes it was trained on.
    feats = 10.0 * np.eye(3)[[0, 0, 1, 1, 2]] + np.array(
        [[0, 0, 0], [0.1, 0, 0], [0, 0, 0], [0, 0.1, 0], [0, 0, 0]]
    )
    labels = np.array([0, 0, 1, 1, 2])  # largest class has 2 images: 2 folds
    # The fold that tests the lone class-2 image never trained on class 2: 2/3 right; the other
    # fold tests one image each of the well separated classes 0 and 1: 2/2. Mean 5/6.
    assert linear_probe_accuracy(feats, labels, folds=5) == pytest.approx(5 / 6)
    with pytest.raises(DataError, match="folds >= 2"):
        linear_probe_accuracy(feats[[0, 2, 4]], labels[[0, 2, 4]])


def test_knn_bad_input() -> None:
    feats = np.eye(3)
    with pytest.raises(DataError, match="k must be"):
        knn_accuracy(feats, np.array([0, 1, 1]), 3)


def test_knn_zero_vector_has_similarity_zero() -> None:
    # a (class 0, angle 0), b (class 0, angle 0.1), z (class 1, all zeros), c (class 1, angle pi).
    # 1-NN: a and b pick each other (right); z is equally similar (0) to all, so the earliest,
    # a, wins (wrong); c has similarity -1 to a and b and 0 to z, so it picks z (right): 3/4.
    feats = np.array([_polar(1, 0.0), _polar(1, 0.1), [0.0, 0.0], _polar(1, np.pi)])
    assert knn_accuracy(feats, np.array([0, 0, 1, 1]), 1) == pytest.approx(3 / 4)
