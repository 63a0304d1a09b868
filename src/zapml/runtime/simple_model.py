"""'Simple model first': an sklearn classifier on frozen backbone features, for an early first
prediction while the network has not trained yet."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, NuSVC
from torch import nn

from zapml.runtime.device import model_device
from zapml.runtime.predictor import EVAL_BATCH_SIZE, AbortCheck, Aborted
from zapml.runtime.preprocess import Normalizer


def extract_features(
    model: nn.Module,
    images: torch.Tensor,
    normalize: Normalizer,
    abort: AbortCheck | None = None,
) -> np.ndarray:
    """Pooled penultimate features (timm's ``forward_head(pre_logits=True)``), in eval mode;
    raises ``Aborted`` when ``abort`` says so between batches."""
    was_training = model.training
    device = model_device(model)
    model.eval()
    out = []
    try:
        with torch.no_grad():
            for start in range(0, images.shape[0], EVAL_BATCH_SIZE):
                x = normalize(images[start : start + EVAL_BATCH_SIZE]).to(device)
                feats = model.forward_features(x)  # type: ignore[operator]
                pooled = model.forward_head(feats, pre_logits=True)  # type: ignore[operator]
                out.append(pooled.cpu())
                done = min(start + EVAL_BATCH_SIZE, images.shape[0]) / images.shape[0]
                if abort is not None and done < 1.0 and abort(done):
                    raise Aborted
    finally:
        model.train(was_training)
    return torch.cat(out).flatten(1).numpy().astype(np.float64)


def feasible_nu(labels: np.ndarray) -> float:
    """NuSVC rejects nu above 2 * min(n_i, n_j) / (n_i + n_j) for some class pair; stay below."""
    counts = np.bincount(labels)
    counts = counts[counts > 0]
    if len(counts) < 2:
        return 0.5
    lo, hi = np.sort(counts)[:2]
    return float(min(0.5, 0.9 * 2.0 * lo / (lo + hi)))


def make_simple_model(kind: str, labels: np.ndarray, seed: int) -> object:
    if kind == "LR":
        # Scaling makes L-BFGS converge within its iteration budget on raw CNN features.
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=100))
    # SVMs score with their one-vs-rest decision values (softmax in fit_predict) rather than
    # Platt scaling: that needs an inner cross-validation (slow, deprecated in sklearn 1.9, and
    # impossible with one image of a class), and NAUC only reads the ranking anyway.
    if kind == "SVC":
        return make_pipeline(StandardScaler(), SVC(random_state=seed))
    if kind == "NuSVC":
        return make_pipeline(StandardScaler(), NuSVC(nu=feasible_nu(labels), random_state=seed))
    if kind == "RF":
        return RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=1)
    raise ValueError(
        f"The 'simple_model' hyperparameter must be SVC, NuSVC, RF or LR; got {kind!r}."
    )


def fit_model(kind: str, train_x: np.ndarray, train_y: np.ndarray, seed: int) -> Any:
    """The fitted sklearn model of ``kind`` on (train_x, train_y)."""
    model: Any = make_simple_model(kind, train_y, seed)
    model.fit(train_x, train_y)
    return model


def predict_fitted(model: Any, kind: str, test_x: np.ndarray, num_classes: int) -> np.ndarray:
    """Test probabilities of a fitted model with one column per class (classes absent from its
    training sample get probability 0)."""
    if kind in ("SVC", "NuSVC"):
        proba = _softmax_decision(model.decision_function(test_x))
    else:
        proba = model.predict_proba(test_x)
    full = np.zeros((len(test_x), num_classes), dtype=np.float64)
    full[:, model.classes_] = proba
    return full


def fit_predict(
    kind: str,
    train_x: np.ndarray,
    train_y: np.ndarray,
    test_x: np.ndarray,
    num_classes: int,
    seed: int,
) -> np.ndarray:
    """Fit on (train_x, train_y), return test probabilities with one column per class (classes
    absent from the sample get probability 0)."""
    return predict_fitted(fit_model(kind, train_x, train_y, seed), kind, test_x, num_classes)


def _softmax_decision(decision: np.ndarray) -> np.ndarray:
    if decision.ndim == 1:  # binary: one signed margin for the second class
        decision = np.stack([-decision, decision], axis=1)
    z = decision - decision.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def sample_indices(labels: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Up to ``count`` training indices, at least one per class when possible (ZAP scanned the
    first ``train_info_sample`` examples; a seeded random sample is the same for shuffled data)."""
    if count >= len(labels):
        return np.arange(len(labels))
    firsts = [rng.choice(np.flatnonzero(labels == c)) for c in np.unique(labels)][:count]
    rest = np.setdiff1d(np.arange(len(labels)), firsts)
    extra = rng.choice(rest, size=count - len(firsts), replace=False)
    return np.sort(np.concatenate([np.asarray(firsts, dtype=np.int64), extra]))
