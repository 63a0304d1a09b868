"""Transferability scores of a frozen backbone for a target task, computed without fine-tuning.

Each function scores one (task, backbone) pair from the backbone's frozen features ``F``
(n images x d dims) and the target labels ``y`` (n,). LEEP and NCE instead need the source
model's predictions over its own (ImageNet) classes. Higher is better for every score.

- LogME (You et al. 2021): mean over classes of the maximised Bayesian linear-regression log
  evidence of the one-hot column, divided by n.
- LEEP (Nguyen et al. 2020): log-likelihood of the "expected empirical predictor" built from
  the empirical joint of source-class probabilities and target labels.
- NCE (Tran et al. 2019): -H(Y|Z), Z the source model's argmax class.
- H-score (Bao et al. 2019): tr(cov(F)^-1 cov(E[F|y])); Ledoit-Wolf shrinkage by default
  (after Ibrahim et al. 2022's shrinkage H-score), since the plain pseudo-inverse estimate
  saturates at C-1 once n <= d.
- PARC (Bolya et al. 2021): Spearman correlation of the pairwise-dissimilarity matrices
  (1 - Pearson between rows) of the features and of the one-hot labels.
- LFC (Deshpande et al. 2021): Pearson correlation between the entries of the feature Gram
  matrix and of the +1/-1 label-agreement matrix (each centred by its overall mean, as public
  LFC implementations do; CKA would double-centre instead).

PARC and LFC build n x n matrices: pass a bounded sample (see ``probe_features``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy.stats import contingency, spearmanr
from sklearn.covariance import ledoit_wolf
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from zapml.errors import DataError
from zapml.metafeatures._inputs import (
    check_features_labels,
    check_labels,
    check_source_labels,
    check_source_probs,
    one_hot,
)

# The evidence fixed point can crawl: on 1000 x 1280 synthetic features with 100 classes the
# score after 11 steps (LogME's authors' cap) was 0.0080 off its 1000-step value, after 100
# steps 1.3e-4, after 300 steps 5e-7; LogME then took ~1.5 CPU-s with the SVD. 1e-8 rarely
# binds sooner.
LOGME_MAX_ITERATIONS = 300
LOGME_TOLERANCE = 1e-8
# Once features interpolate the target (d >= n) the residual tends to 0 and beta to infinity;
# flooring the squared residual keeps the evidence finite, so such a pair scores very high
# rather than overflowing.
LOGME_MIN_RESIDUAL = 1e-12
# Eigenvalues of the feature covariance below 1e-10 of the largest are rounding noise of
# float32 backbone outputs (7 significant digits, squared); the pseudo-inverse drops them.
H_SCORE_PINV_RCOND = 1e-10
# PARC's authors reduce features to 32 principal components before comparing dissimilarities.
PARC_PCA_DIM = 32
PARC_DECIMALS = 12


def logme(features: np.ndarray, labels: np.ndarray) -> float:
    """LogME: per class, the log evidence maximised over (alpha, beta), / n; mean over classes."""
    feats, codes = check_features_labels(features, labels)
    targets = one_hot(codes)
    left, singular, _ = np.linalg.svd(feats, full_matrices=False)
    projected = left.T @ targets  # targets in the features' left singular basis
    evidences = _maximised_log_evidence(singular**2, projected, targets, feats.shape[1])
    return float(np.mean(evidences)) / feats.shape[0]


def logme_log_evidence(
    features: np.ndarray, target: np.ndarray, alpha: float, beta: float
) -> float:
    """log p(target | F, alpha, beta) of Bayesian linear regression (prior precision alpha on
    the weights, noise precision beta), via the SVD of F. Not divided by n."""
    feats = np.asarray(features, dtype=np.float64)
    left, singular, _ = np.linalg.svd(feats, full_matrices=False)
    column = np.asarray(target, dtype=np.float64)[:, None]
    params = np.array([alpha]), np.array([beta])
    return float(_log_evidence(*params, singular**2, left.T @ column, column, feats.shape[1])[0])


def _maximised_log_evidence(
    sigma2: np.ndarray, projected: np.ndarray, targets: np.ndarray, dims: int
) -> np.ndarray:
    """Evidence maximisation by LogME's fixed point (MacKay's updates), all classes at once.

    ``projected`` and ``targets`` hold one column per class; returns one evidence per class.
    """
    alpha, beta = np.ones(targets.shape[1]), np.ones(targets.shape[1])
    for _ in range(LOGME_MAX_ITERATIONS):
        weight_norm2, residual2 = _fit_terms(alpha, beta, sigma2, projected, targets)
        gamma = np.sum(beta * sigma2[:, None] / (alpha + beta * sigma2[:, None]), axis=0)
        new_alpha = gamma / np.maximum(weight_norm2, LOGME_MIN_RESIDUAL)
        new_beta = (targets.shape[0] - gamma) / residual2
        converged = np.all(np.abs(new_alpha - alpha) <= LOGME_TOLERANCE * alpha) and np.all(
            np.abs(new_beta - beta) <= LOGME_TOLERANCE * beta
        )
        alpha, beta = new_alpha, new_beta
        if converged:
            break
    return _log_evidence(alpha, beta, sigma2, projected, targets, dims)


def _fit_terms(
    alpha: np.ndarray,
    beta: np.ndarray,
    sigma2: np.ndarray,
    projected: np.ndarray,
    targets: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """||m||^2 and ||F m - t||^2 per class for the posterior mean m, in the singular basis."""
    shrink = alpha + beta * sigma2[:, None]
    weight_norm2 = np.sum(beta**2 * sigma2[:, None] * projected**2 / shrink**2, axis=0)
    # Part of the target outside the column space of F is never fitted.
    outside = np.maximum(np.sum(targets**2, axis=0) - np.sum(projected**2, axis=0), 0.0)
    residual2 = np.sum((alpha * projected / shrink) ** 2, axis=0) + outside
    return weight_norm2, np.maximum(residual2, LOGME_MIN_RESIDUAL)


def _log_evidence(
    alpha: np.ndarray,
    beta: np.ndarray,
    sigma2: np.ndarray,
    projected: np.ndarray,
    targets: np.ndarray,
    dims: int,
) -> np.ndarray:
    """Bishop (3.86): the d - rank zero singular values contribute log(alpha) each to log|A|."""
    n = targets.shape[0]
    weight_norm2, residual2 = _fit_terms(alpha, beta, sigma2, projected, targets)
    log_det = np.sum(np.log(alpha + beta * sigma2[:, None]), axis=0)
    log_det += (dims - len(sigma2)) * np.log(alpha)
    return 0.5 * (
        n * np.log(beta)
        + dims * np.log(alpha)
        - n * np.log(2 * np.pi)
        - beta * residual2
        - alpha * weight_norm2
        - log_det
    )


def leep(source_probs: np.ndarray, labels: np.ndarray) -> float:
    """LEEP: mean log-probability of the true label under the expected empirical predictor
    sum_z P(y|z) theta(x)_z, with P(y|z) from the empirical joint of y and theta's output."""
    probs = check_source_probs(source_probs)
    codes = check_labels(labels, probs.shape[0])
    joint = one_hot(codes).T @ probs / len(codes)  # (target classes, source classes)
    source_marginal = joint.sum(axis=0)
    conditional = np.divide(
        joint, source_marginal, out=np.zeros_like(joint), where=source_marginal > 0
    )
    predicted = probs @ conditional.T  # EEP's class probabilities per image
    return float(np.mean(np.log(predicted[np.arange(len(codes)), codes])))


def nce(source_labels: np.ndarray, labels: np.ndarray) -> float:
    """NCE: -H(Y|Z) in nats, Z the source model's hard label for each image."""
    source = check_source_labels(source_labels)
    codes = check_labels(labels, len(source))
    counts = contingency.crosstab(codes, source).count.astype(np.float64)
    joint = counts / counts.sum()
    given_source = joint / joint.sum(axis=0, keepdims=True)
    seen = joint > 0
    return float(np.sum(joint[seen] * np.log(given_source[seen])))


def h_score(
    features: np.ndarray,
    labels: np.ndarray,
    covariance: Literal["ledoit_wolf", "pinv"] = "ledoit_wolf",
) -> float:
    """H-score tr(cov(F)^-1 cov(E[F|y])), both population covariances.

    ``"ledoit_wolf"`` (default) is the shrinkage H-score: cov(F) is shrunk towards a scaled
    identity (full rank, so it is inverted) and cov(E[F|y]) scaled by (1 - shrinkage);
    ``"pinv"`` is the original estimate with a pseudo-inverse, exactly invariant to any
    invertible linear map of the features but equal to C-1 for generic features once n <= d.
    """
    feats, codes = check_features_labels(features, labels)
    centred = feats - feats.mean(axis=0)
    class_weights = np.bincount(codes) / len(codes)
    class_means = (one_hot(codes).T @ centred) / np.bincount(codes)[:, None]
    between = class_means.T @ (class_weights[:, None] * class_means)
    if covariance == "ledoit_wolf":
        shrunk, shrinkage = ledoit_wolf(centred, assume_centered=True)
        # Scaling the between-class term by (1 - shrinkage) keeps the shrunk score at or below
        # the plain one (shrunk >= (1 - shrinkage) cov in Loewner order), so it cannot inflate.
        return float((1 - shrinkage) * np.trace(np.linalg.solve(shrunk, between)))
    if covariance == "pinv":
        total = centred.T @ centred / len(codes)
        inverse = np.linalg.pinv(total, rcond=H_SCORE_PINV_RCOND, hermitian=True)
        return float(np.sum(inverse * between))
    raise DataError(f"covariance must be 'ledoit_wolf' or 'pinv'; got {covariance!r}.")


def parc(features: np.ndarray, labels: np.ndarray, pca_dim: int | None = PARC_PCA_DIM) -> float:
    """PARC in [-1, 1]: Spearman between pairwise feature and label dissimilarities.

    Features are reduced to ``pca_dim`` principal components (None keeps them all) and
    standardised per dimension, as PARC's authors do. Memory and time grow with n^2.
    """
    feats, codes = check_features_labels(features, labels)
    if pca_dim is not None:
        components = min(pca_dim, *feats.shape)
        feats = PCA(n_components=components, svd_solver="full").fit_transform(feats)
    feats = StandardScaler().fit_transform(feats)
    if np.any(np.ptp(feats, axis=1) == 0):
        raise DataError(
            "PARC needs every image's feature vector to vary across dimensions; some are "
            "constant (too few dimensions or pca_dim=1). Use more feature dimensions."
        )
    upper = np.triu_indices(len(codes), k=1)
    # Dissimilarities lie in [0, 2]; rounding off the last ~4 float64 digits lets pairs that are
    # equally dissimilar in exact arithmetic tie, instead of being ranked by rounding noise.
    feature_dissimilarity = np.round(1 - np.corrcoef(feats)[upper], PARC_DECIMALS)
    # 1 - Pearson of two one-hot rows is 0 for equal labels and C / (C - 1) otherwise; Spearman
    # needs only that order, and exact ties (corrcoef leaves 1e-16 noise that breaks them).
    label_dissimilarity = (codes[:, None] != codes[None, :])[upper].astype(np.float64)
    return float(spearmanr(feature_dissimilarity, label_dissimilarity).statistic)


def lfc(features: np.ndarray, labels: np.ndarray) -> float:
    """LFC in [-1, 1]: Pearson correlation of Gram-matrix entries with label agreement (+1/-1)."""
    feats, codes = check_features_labels(features, labels)
    gram = feats @ feats.T
    gram -= gram.mean()
    agreement = np.where(codes[:, None] == codes[None, :], 1.0, -1.0)
    agreement -= agreement.mean()
    gram_norm = np.linalg.norm(gram)
    if gram_norm == 0:
        raise DataError(
            "LFC is undefined when every pair of images has the same feature dot product."
        )
    return float(np.sum(gram * agreement) / (gram_norm * np.linalg.norm(agreement)))
