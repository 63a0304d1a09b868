"""The simple model as plain arrays (never pickle), and a numpy predictor that reads them back.

``export_simple_model`` turns a fitted simple model (``simple_model.make_simple_model``) into named
float64/int64 arrays plus a small JSON-able header; ``SimplePredictor`` computes the same class
probabilities as ``simple_model.predict_fitted`` from those arrays alone:

- LR: standardisation, then the linear decision; softmax over classes, or the logistic function
  of the single margin for two classes (what sklearn's ``predict_proba`` does);
- SVC / NuSVC: standardisation, RBF kernel against the support vectors, libsvm's one-vs-one
  decisions turned into one-vs-rest scores (votes plus squashed summed confidences, sklearn's
  ``decision_function_shape="ovr"``), then the softmax that ``predict_fitted`` applies;
- RF: every tree walked on float32 features (sklearn compares float32 inputs with the stored
  thresholds), leaf class fractions averaged over the trees.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from zapml.errors import ArtifactError

Arrays = dict[str, np.ndarray]
KINDS = ("LR", "SVC", "NuSVC", "RF")
_SCALED = ("scaler_mean", "scaler_scale")
REQUIRED_ARRAYS = {
    "LR": ("classes", *_SCALED, "coef", "intercept"),
    "SVC": ("classes", *_SCALED, "support_vectors", "dual_coef", "intercept", "n_support"),
    "NuSVC": ("classes", *_SCALED, "support_vectors", "dual_coef", "intercept", "n_support"),
    "RF": ("classes", "tree_offsets", "children_left", "children_right", "feature", "threshold",
           "value"),
}  # fmt: skip


def export_simple_model(kind: str, estimator: Any) -> tuple[Arrays, dict[str, Any]]:
    """(arrays, header) of a fitted simple model of ``kind``."""
    if kind == "RF":
        return _export_forest(estimator), {"kind": kind}
    scaler, model = estimator[0], estimator[-1]
    arrays: Arrays = {
        "scaler_mean": np.asarray(scaler.mean_, dtype=np.float64),
        "scaler_scale": np.asarray(scaler.scale_, dtype=np.float64),
        "classes": np.asarray(model.classes_, dtype=np.int64),
    }
    header: dict[str, Any] = {"kind": kind}
    if kind == "LR":
        arrays["coef"] = np.asarray(model.coef_, dtype=np.float64)
        arrays["intercept"] = np.asarray(model.intercept_, dtype=np.float64)
    elif kind in ("SVC", "NuSVC"):
        if model.kernel != "rbf":
            raise ValueError(f"only the RBF kernel is exported; got {model.kernel!r}")
        arrays["support_vectors"] = np.asarray(model.support_vectors_, dtype=np.float64)
        # libsvm's own (unflipped) coefficients and intercepts: sklearn negates the public ones
        # for two classes only; the private ones follow one convention for every class count.
        arrays["dual_coef"] = np.asarray(model._dual_coef_, dtype=np.float64)
        arrays["intercept"] = np.asarray(model._intercept_, dtype=np.float64)
        arrays["n_support"] = np.asarray(model.n_support_, dtype=np.int64)
        header["gamma"] = float(model._gamma)
    else:
        raise ValueError(f"unknown simple model {kind!r}; expected one of {KINDS}")
    return arrays, header


def _export_forest(forest: Any) -> Arrays:
    """All trees' node arrays concatenated; ``tree_offsets`` says where each tree starts."""
    trees = [est.tree_ for est in forest.estimators_]
    offsets = np.cumsum([0] + [t.node_count for t in trees]).astype(np.int64)
    values = []
    for t in trees:
        value = np.asarray(t.value[:, 0, :], dtype=np.float64)
        total = value.sum(axis=1, keepdims=True)
        values.append(value / np.where(total == 0.0, 1.0, total))
    return {
        "classes": np.asarray(forest.classes_, dtype=np.int64),
        "tree_offsets": offsets,
        "children_left": np.concatenate([t.children_left for t in trees]).astype(np.int64),
        "children_right": np.concatenate([t.children_right for t in trees]).astype(np.int64),
        "feature": np.concatenate([t.feature for t in trees]).astype(np.int64),
        "threshold": np.concatenate([t.threshold for t in trees]).astype(np.float64),
        "value": np.concatenate(values),
    }


class SimplePredictor:
    """Class probabilities of an exported simple model, computed with numpy from its arrays."""

    def __init__(self, arrays: Arrays, header: dict[str, Any], num_classes: int) -> None:
        kind = header.get("kind")
        if kind not in KINDS:
            raise ArtifactError(f"simple model kind {kind!r} is not one of {KINDS}")
        self.kind = str(kind)
        self.arrays = arrays
        self.header = header
        self.num_classes = num_classes
        missing = [name for name in REQUIRED_ARRAYS[self.kind] if name not in arrays]
        if missing:
            raise ArtifactError(f"the {kind} simple model lacks arrays {missing}")
        if self.kind in ("SVC", "NuSVC"):
            gamma = header.get("gamma")
            if not isinstance(gamma, int | float) or not math.isfinite(gamma) or gamma <= 0:
                raise ArtifactError(f"the RBF kernel's gamma must be a number > 0; got {gamma!r}")
        classes = arrays["classes"]
        if classes.ndim != 1 or len(classes) < 2:
            raise ArtifactError("the simple model's 'classes' array must list >= 2 classes")
        if classes.min() < 0 or classes.max() >= num_classes:
            raise ArtifactError(f"the simple model's classes {classes.tolist()} exceed the labels")

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """``(N, num_classes)`` probabilities for pooled backbone features ``(N, D)``."""
        if self.kind == "RF":
            proba = self._forest(features)
        elif self.kind == "LR":
            proba = self._logistic(self._standardise(features))
        else:
            proba = _softmax(self._svm_ovr(self._standardise(features)))
        full = np.zeros((len(features), self.num_classes), dtype=np.float64)
        full[:, self.arrays["classes"]] = proba
        return full

    def _standardise(self, x: np.ndarray) -> np.ndarray:
        return np.asarray((x - self.arrays["scaler_mean"]) / self.arrays["scaler_scale"])

    def _logistic(self, x: np.ndarray) -> np.ndarray:
        decision = x @ self.arrays["coef"].T + self.arrays["intercept"]
        if decision.shape[1] == 1:  # two classes: the logistic function of one margin
            p = 1.0 / (1.0 + np.exp(-decision[:, 0]))
            return np.stack([1.0 - p, p], axis=1)
        return _softmax(decision)

    def _svm_ovr(self, x: np.ndarray) -> np.ndarray:
        a = self.arrays
        sv, gamma = a["support_vectors"], float(self.header["gamma"])
        sq = (x * x).sum(1)[:, None] + (sv * sv).sum(1)[None, :] - 2.0 * (x @ sv.T)
        kernel = np.exp(-gamma * np.maximum(sq, 0.0))
        starts = np.concatenate([[0], np.cumsum(a["n_support"])])
        n = len(a["classes"])
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
        ovo = np.empty((len(x), len(pairs)))
        for p, (i, j) in enumerate(pairs):
            si, sj = slice(starts[i], starts[i + 1]), slice(starts[j], starts[j + 1])
            ovo[:, p] = (
                kernel[:, si] @ a["dual_coef"][j - 1, si]
                + kernel[:, sj] @ a["dual_coef"][i, sj]
                + a["intercept"][p]
            )
        if n == 2:  # sklearn reports the second class's margin: libsvm's, negated
            margin = -ovo[:, 0]
            return np.stack([-margin, margin], axis=1)
        return _one_vs_rest(ovo, pairs, n)

    def _forest(self, x: np.ndarray) -> np.ndarray:
        a = self.arrays
        x32 = np.asarray(x, dtype=np.float32)
        offsets = a["tree_offsets"]
        total = np.zeros((len(x), a["value"].shape[1]))
        rows = np.arange(len(x))
        for start in offsets[:-1]:
            node = np.full(len(x), start, dtype=np.int64)
            while True:
                inner = a["children_left"][node] != -1
                if not inner.any():
                    break
                go_left = x32[rows, a["feature"][node]] <= a["threshold"][node]
                child = np.where(go_left, a["children_left"][node], a["children_right"][node])
                node = np.where(inner, start + child, node)
            total += a["value"][node]
        return total / (len(offsets) - 1)


def _one_vs_rest(ovo: np.ndarray, pairs: list[tuple[int, int]], n: int) -> np.ndarray:
    """One-vs-one decisions to one-vs-rest scores: a vote for the pair's winner, plus the summed
    signed confidences squashed into (-1/3, 1/3) so they only break ties between vote counts."""
    votes = np.zeros((len(ovo), n))
    confidence = np.zeros((len(ovo), n))
    for p, (i, j) in enumerate(pairs):
        confidence[:, i] += ovo[:, p]
        confidence[:, j] -= ovo[:, p]
        votes[:, i] += ovo[:, p] >= 0
        votes[:, j] += ovo[:, p] < 0
    return votes + confidence / (3.0 * (np.abs(confidence) + 1.0))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return np.asarray(e / e.sum(axis=1, keepdims=True))
