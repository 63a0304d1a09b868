"""Each score against a computation that does not share its code: a closed form worked out by
hand, a property its paper states, or a second implementation written another way."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.spatial.distance import pdist
from scipy.stats import entropy, multivariate_normal, pearsonr, spearmanr
from sklearn.metrics import log_loss, mutual_info_score

from zapml.errors import DataError
from zapml.metafeatures.transferability import (
    h_score,
    leep,
    lfc,
    logme,
    logme_log_evidence,
    nce,
    parc,
)


def _separable(seed: int, n: int = 60, classes: int = 3, dims: int = 6):
    """Features whose first dimensions encode the class, plus noise."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % classes
    feats = rng.normal(size=(n, dims)) * 0.3
    feats[np.arange(n), labels] += 3.0
    return feats, labels, rng.permutation(labels)


def _gaussian_log_evidence(feats, target, alpha, beta):
    """Marginal likelihood of t ~ N(0, F F^T / alpha + I / beta), written directly."""
    cov = feats @ feats.T / alpha + np.eye(len(target)) / beta
    return multivariate_normal(mean=np.zeros(len(target)), cov=cov).logpdf(target)


# ---------------------------------------------------------------- LogME


@pytest.mark.parametrize("dims", [3, 11])  # n > d and n < d (zero singular values)
def test_logme_evidence_equals_the_gaussian_marginal_likelihood(dims: int) -> None:
    rng = np.random.default_rng(dims)
    feats = rng.normal(size=(8, dims))
    target = (rng.random(8) < 0.5).astype(float)
    for alpha, beta in [(1.0, 1.0), (0.3, 7.0), (25.0, 0.05)]:
        expected = _gaussian_log_evidence(feats, target, alpha, beta)
        assert logme_log_evidence(feats, target, alpha, beta) == pytest.approx(expected, rel=1e-10)


# The wide case (d > n) has its optima at alpha or beta -> infinity, which the fixed point must
# approach without overflowing.
@pytest.mark.parametrize(("n", "dims"), [(15, 4), (10, 40)])
def test_logme_is_the_maximised_evidence_per_image_averaged_over_classes(n, dims) -> None:
    rng = np.random.default_rng(dims)
    labels = np.arange(n) % 3
    feats = rng.normal(size=(n, dims)) + 0.8 * np.eye(dims)[labels]
    best = []
    for k in range(3):
        target = (labels == k).astype(float)

        def negative(log_params, target=target):
            return -_gaussian_log_evidence(feats, target, *np.exp(log_params))

        found = minimize(
            negative,
            x0=np.zeros(2),
            method="Nelder-Mead",
            options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 4000},
        )
        best.append(-found.fun)
    assert logme(feats, labels) == pytest.approx(np.mean(best) / n, rel=1e-6)


def test_logme_prefers_features_that_carry_the_labels() -> None:
    feats, labels, shuffled = _separable(seed=1)
    assert logme(feats, labels) > logme(feats, shuffled) + 0.1


# ---------------------------------------------------------------- LEEP and NCE


def _eep_by_counting(probs, labels):
    """The expected empirical predictor built entry by entry from the empirical joint."""
    classes, sources = int(labels.max()) + 1, probs.shape[1]
    joint = np.zeros((classes, sources))
    for row, label in zip(probs, labels, strict=True):
        for z in range(sources):
            joint[label, z] += row[z] / len(labels)
    predicted = np.zeros((len(labels), classes))
    for i, row in enumerate(probs):
        for y in range(classes):
            predicted[i, y] = sum(row[z] * joint[y, z] / joint[:, z].sum() for z in range(sources))
    return predicted


def test_leep_is_the_log_likelihood_of_the_expected_empirical_predictor() -> None:
    rng = np.random.default_rng(4)
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 0, 1, 2, 2, 1])
    probs = rng.dirichlet(np.ones(5), size=len(labels))
    predicted = _eep_by_counting(probs, labels)
    assert leep(probs, labels) == pytest.approx(-log_loss(labels, predicted), rel=1e-12)


def test_leep_meets_its_papers_bound_and_equals_nce_for_hard_predictions() -> None:
    # LEEP paper (Nguyen et al. 2020): LEEP >= NCE(Y|Z) + mean_i log theta(x_i)_{z_i}.
    for seed in range(5):
        rng = np.random.default_rng(seed)
        labels = rng.integers(0, 3, size=40)
        probs = rng.dirichlet(np.full(6, 0.5), size=40)
        hard = probs.argmax(axis=1)
        bound = nce(hard, labels) + np.mean(np.log(probs[np.arange(40), hard]))
        assert leep(probs, labels) >= bound - 1e-12
        # One-hot source predictions make the bound's log term zero and LEEP = NCE exactly.
        assert leep(np.eye(6)[hard], labels) == pytest.approx(nce(hard, labels), abs=1e-12)


def test_nce_closed_forms() -> None:
    # Z = 0 holds Y = (0, 0, 1), Z = 1 holds Y = (1, 1, 1): H(Y|Z) = 1/2 H(2/3, 1/3) + 1/2 * 0.
    source = np.array([0, 0, 0, 1, 1, 1])
    labels = np.array([0, 0, 1, 1, 1, 1])
    by_hand = -(2 / 3 * np.log(2 / 3) + 1 / 3 * np.log(1 / 3)) / 2
    assert nce(source, labels) == pytest.approx(-by_hand, abs=1e-12)
    assert nce(np.array([5, 5, 9, 9, 7]), np.array([1, 1, 0, 0, 1])) == 0.0  # Y is a function of Z
    # Each source class holds every target class equally often: H(Y|Z) = log C.
    balanced = np.repeat(np.arange(4), 3)
    assert nce(balanced, np.tile(np.arange(3), 4)) == pytest.approx(-np.log(3), abs=1e-12)


def test_nce_is_minus_entropy_plus_mutual_information() -> None:
    rng = np.random.default_rng(5)
    source, labels = rng.integers(0, 7, size=80), rng.integers(0, 4, size=80)
    expected = -entropy(np.bincount(labels)) + mutual_info_score(labels, source)
    assert nce(source, labels) == pytest.approx(expected, abs=1e-12)


# ---------------------------------------------------------------- H-score


@pytest.mark.parametrize("covariance", ["ledoit_wolf", "pinv"])
def test_h_score_one_dimension_by_hand(covariance: str) -> None:
    # var(f) = 1.25; class means 0.5 and 2.5 give var(E[f|y]) = 1; 1-D shrinkage is a no-op.
    feats = np.array([[0.0], [1.0], [2.0], [3.0]])
    labels = np.array([0, 0, 1, 1])
    assert h_score(feats, labels, covariance) == pytest.approx(0.8, rel=1e-12)  # type: ignore[arg-type]


def test_h_score_pinv_matches_the_direct_formula_and_any_linear_map() -> None:
    feats, labels, _ = _separable(seed=6, n=45, dims=4)
    class_mean_rows = np.stack([feats[labels == y].mean(axis=0) for y in labels])
    direct = np.trace(
        np.linalg.inv(np.cov(feats.T, bias=True)) @ np.cov(class_mean_rows.T, bias=True)
    )
    assert h_score(feats, labels, "pinv") == pytest.approx(direct, rel=1e-9)
    mixing = np.random.default_rng(7).normal(size=(4, 4))  # invertible almost surely
    mapped = feats @ mixing + 5.0
    assert h_score(mapped, labels, "pinv") == pytest.approx(direct, rel=1e-7)


def test_h_score_shrinkage_invariances_and_pinv_saturation() -> None:
    feats, labels, shuffled = _separable(seed=8, n=45, dims=4)
    rotation, _ = np.linalg.qr(np.random.default_rng(9).normal(size=(4, 4)))
    reference = h_score(feats, labels)
    assert h_score(3.0 * feats @ rotation, labels) == pytest.approx(reference, rel=1e-9)
    assert reference > h_score(feats, shuffled) + 0.5
    # With n <= d the plain estimate sees perfectly separable classes: exactly C - 1.
    wide = np.random.default_rng(10).normal(size=(9, 20))
    assert h_score(wide, np.arange(9) % 3, "pinv") == pytest.approx(2.0, rel=1e-8)
    assert h_score(wide, np.arange(9) % 3) < 2.0


def test_shrinkage_h_score_never_exceeds_the_plain_one() -> None:
    # (1 - s) cov + s mu I >= (1 - s) cov in Loewner order, and E[F|y] lies in cov's range.
    for seed in range(4):
        rng = np.random.default_rng(seed)
        labels = rng.integers(0, 4, size=30)
        feats = rng.normal(size=(30, [3, 10, 29, 50][seed])) + 0.5 * labels[:, None]
        assert h_score(feats, labels) <= h_score(feats, labels, "pinv") + 1e-9


# ---------------------------------------------------------------- PARC and LFC


def test_parc_matches_a_pdist_reimplementation() -> None:
    feats, labels, _ = _separable(seed=11, n=30, dims=5)
    standard = (feats - feats.mean(axis=0)) / feats.std(axis=0)
    expected = spearmanr(pdist(standard, "correlation"), pdist(np.eye(3)[labels], "correlation"))
    assert parc(feats, labels, pca_dim=None) == pytest.approx(expected.statistic, rel=1e-10)


def test_parc_and_lfc_are_one_for_features_that_are_the_labels() -> None:
    labels = np.arange(24) % 4  # balanced, so standardising the one-hot columns keeps PARC at 1
    assert parc(np.eye(4)[labels], labels, pca_dim=None) == pytest.approx(1.0)
    # One-hot Gram = (agreement + 1) / 2, an exact linear function of the label matrix.
    assert lfc(np.eye(4)[labels], labels) == pytest.approx(1.0)


def test_lfc_is_the_pearson_correlation_of_the_two_matrices() -> None:
    feats, labels, _ = _separable(seed=12, n=25, dims=5)
    agreement = np.where(labels[:, None] == labels[None, :], 1.0, -1.0)
    expected = pearsonr((feats @ feats.T).ravel(), agreement.ravel()).statistic
    assert lfc(feats, labels) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("score", [parc, lfc])
def test_parc_lfc_bounded_and_rank_separable_above_shuffled(score) -> None:
    for seed in range(3):
        feats, labels, shuffled = _separable(seed=seed, n=40, dims=40)
        good, bad = score(feats, labels), score(feats, shuffled)
        assert -1.0 <= bad < good <= 1.0


# ---------------------------------------------------------------- bad input


def test_bad_input_names_the_problem() -> None:
    feats = np.ones((4, 2))
    with pytest.raises(DataError, match="at least two"):
        logme(feats, np.zeros(4))
    with pytest.raises(DataError, match="one entry per row"):
        lfc(feats, np.array([0, 1, 0]))
    with pytest.raises(DataError, match="NaN"):
        h_score(np.full((4, 2), np.nan), np.array([0, 1, 0, 1]))
    with pytest.raises(DataError, match="softmax"):
        leep(np.array([[2.0, -1.0], [0.5, 0.5]]), np.array([0, 1]))
    with pytest.raises(DataError, match="covariance must be"):
        h_score(feats, np.array([0, 1, 0, 1]), "inverse")  # type: ignore[arg-type]
