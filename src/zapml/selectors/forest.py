"""Random forests without pickle: export fitted scikit-learn trees to flat arrays and predict
with a vectorised numpy traversal.

Why export rather than "store data + seed and refit on load": a refit is only bit-identical under
the same scikit-learn version and platform, and it makes loading as slow as training (ZAP-AS
fits hundreds of forests). The exported arrays are exact, load instantly, need no scikit-learn
at ranking time, and every tree of every forest is walked in one loop over depth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class PackedForest:
    """``n_models`` forests with the same number of trees each, as one node table.

    Node ``i``: go to ``left[i]`` when ``x[feature[i]] <= threshold[i]``, else ``right[i]``; a leaf
    points to itself, so ``depth`` steps from each root reach a leaf. ``value[leaf]`` is the tree's
    prediction (regression: the mean target; classification: class probabilities in output
    columns). A model's prediction is the mean over its trees, as in scikit-learn.
    """

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    n_models: int
    depth: int

    @property
    def trees_per_model(self) -> int:
        return len(self.roots) // max(self.n_models, 1)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """``(n_samples, n_models, n_outputs)``."""
        # scikit-learn compares float32 features with float64 thresholds; do the same.
        xf = np.asarray(x, dtype=np.float32).astype(np.float64)
        node = np.broadcast_to(self.roots, (len(xf), len(self.roots))).copy()
        for _ in range(self.depth):
            xv = np.take_along_axis(xf, self.feature[node], axis=1)
            node = np.where(xv <= self.threshold[node], self.left[node], self.right[node])
        vals = self.value[node]
        shape = (len(xf), self.n_models, self.trees_per_model, self.value.shape[1])
        return np.asarray(vals.reshape(shape).mean(axis=2))

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}.feature": self.feature,
            f"{prefix}.threshold": self.threshold,
            f"{prefix}.left": self.left,
            f"{prefix}.right": self.right,
            f"{prefix}.value": self.value,
            f"{prefix}.roots": self.roots,
            f"{prefix}.meta": np.array([self.n_models, self.depth], dtype=np.int64),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> PackedForest:
        meta = arrays[f"{prefix}.meta"]
        return cls(
            feature=arrays[f"{prefix}.feature"],
            threshold=arrays[f"{prefix}.threshold"],
            left=arrays[f"{prefix}.left"],
            right=arrays[f"{prefix}.right"],
            value=arrays[f"{prefix}.value"],
            roots=arrays[f"{prefix}.roots"],
            n_models=int(meta[0]),
            depth=int(meta[1]),
        )


def _tree_values(estimator: Any, tree: Any, columns: np.ndarray | None, n_out: int) -> np.ndarray:
    raw = tree.value[:, 0, :].astype(np.float64)
    if columns is None:  # regression: the leaf mean
        return raw
    # classification: normalise counts/fractions per node, then place each class in its column
    probs = raw / np.clip(raw.sum(axis=1, keepdims=True), 1e-300, None)
    out = np.zeros((len(raw), n_out))
    known = columns >= 0
    out[:, columns[known]] = probs[:, known]
    return out


def pack_forests(
    forests: Sequence[Any],
    class_columns: Sequence[np.ndarray | None] | None = None,
    n_outputs: int = 1,
) -> PackedForest:
    """Pack fitted ``RandomForestRegressor``/``Classifier`` objects (same ``n_estimators``).

    For classifiers, ``class_columns[m][c]`` is the output column of ``forests[m].classes_[c]``
    (-1 to drop that class); regressors pass ``None``."""
    cols = list(class_columns) if class_columns is not None else [None] * len(forests)
    feats, thrs, lefts, rights, vals, roots = [], [], [], [], [], []
    offset, depth = 0, 0
    for forest, columns in zip(forests, cols, strict=True):
        for est in forest.estimators_:
            tree = est.tree_
            n = tree.node_count
            leaf = tree.children_left < 0
            own = np.arange(n)
            feats.append(np.where(leaf, 0, tree.feature).astype(np.int64))
            thrs.append(np.where(leaf, np.inf, tree.threshold))
            lefts.append(np.where(leaf, own, tree.children_left) + offset)
            rights.append(np.where(leaf, own, tree.children_right) + offset)
            vals.append(_tree_values(forest, tree, columns, n_outputs).astype(np.float32))
            roots.append(offset)
            offset += n
            depth = max(depth, int(tree.max_depth))
    return PackedForest(
        feature=np.concatenate(feats),
        threshold=np.concatenate(thrs),
        left=np.concatenate(lefts),
        right=np.concatenate(rights),
        value=np.concatenate(vals),
        roots=np.asarray(roots, dtype=np.int64),
        n_models=len(forests),
        depth=depth,
    )
