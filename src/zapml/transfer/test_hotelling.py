"""The sharing test (Eq. 15-16) against textbook statistics computed another way."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from zapml.errors import DataError
from zapml.transfer.hotelling import behrens_fisher_differences, hotelling_share_test


def test_one_benchmark_one_member_is_the_squared_paired_t_test():
    # With |V_k| = 1, Eq. 15 reduces to z_i = x_i - y_i; with B = 1 Hotelling's F(1, T - 1) is
    # the square of Student's paired t, and both give the same two-sided p-value.
    rng = np.random.default_rng(0)
    x = rng.normal(0.70, 0.02, size=(8, 1))
    y = rng.normal(0.68, 0.03, size=(8, 1))
    result = hotelling_share_test(x, y, alpha=0.05)
    paired = stats.ttest_rel(x[:, 0], y[:, 0])
    assert result.statistic == pytest.approx(paired.statistic**2, rel=1e-10)
    assert result.p_value == pytest.approx(paired.pvalue, rel=1e-8)
    assert (result.dims, result.denominator_dof) == (1, 7)


def test_one_member_matches_hotelling_t2_on_paired_differences():
    # Textbook form: T^2 = T dbar^T S^-1 dbar with the unbiased covariance S of the
    # differences, F = (T - B) / (B (T - 1)) T^2.
    rng = np.random.default_rng(1)
    x = rng.normal(0.6, 0.02, size=(9, 3))
    y = rng.normal(0.6, 0.02, size=(9, 3)) + np.array([0.01, 0.0, -0.01])
    differences = x - y
    mean = differences.mean(axis=0)
    t_squared = 9 * mean @ np.linalg.solve(np.cov(differences, rowvar=False), mean)
    expected = (9 - 3) / (3 * (9 - 1)) * t_squared
    assert hotelling_share_test(x, y, alpha=0.005).statistic == pytest.approx(expected, rel=1e-9)


def test_differences_follow_bennett_for_unequal_sizes():
    # Eq. 15 written element by element for n1 = 2 new trials, n2 = 4 cluster trials.
    x = np.array([[1.0, 2.0], [3.0, 5.0]])
    y = np.array([[0.0, 1.0], [2.0, 2.0], [4.0, 0.0], [6.0, 5.0]])
    ratio, cross, pooled = np.sqrt(2 / 4), 1 / np.sqrt(2 * 4), y.sum(axis=0) / 4
    first_two = y[0] + y[1]
    expected = [x[i] - ratio * y[i] + cross * first_two - pooled for i in range(2)]
    np.testing.assert_allclose(behrens_fisher_differences(x, y), expected)


def test_threshold_is_the_tabulated_f_quantile():
    # The paper's setting: alpha = 0.005, B = 6, T = 8; F tables give F_0.005(6, 2) = 199.33.
    rng = np.random.default_rng(2)
    result = hotelling_share_test(rng.random((8, 6)), rng.random((16, 6)), alpha=0.005)
    assert result.threshold == pytest.approx(199.33, abs=0.01)


def test_type_one_error_is_alpha_when_the_cluster_has_another_covariance():
    # The point of the Behrens-Fisher construction: equal means, different covariances and
    # sample sizes, and the test still rejects at rate alpha.
    rng = np.random.default_rng(3)
    alpha, runs = 0.1, 2000
    mean = np.array([0.7, 0.5, 0.9])
    rejected = [
        hotelling_share_test(
            rng.normal(mean, [0.01, 0.03, 0.02], size=(8, 3)),
            rng.normal(mean, [0.05, 0.01, 0.04], size=(24, 3)),
            alpha,
        ).rejected
        for _ in range(runs)
    ]
    # Binomial standard deviation sqrt(0.1 * 0.9 / 2000) = 0.0067; allow ~4 of them.
    assert np.mean(rejected) == pytest.approx(alpha, abs=0.027)


def test_a_clear_mean_shift_is_rejected():
    rng = np.random.default_rng(4)
    x = rng.normal([0.7, 0.5, 0.9], 0.01, size=(8, 3))
    y = rng.normal([0.6, 0.5, 0.9], 0.01, size=(16, 3))
    result = hotelling_share_test(x, y, alpha=0.005)
    assert result.rejected and result.statistic > result.threshold


def test_a_benchmark_without_spread_is_tested_on_the_other_dimensions():
    rng = np.random.default_rng(5)
    x = np.column_stack([rng.normal(0.7, 0.01, 8), np.full(8, 1.0)])
    y = np.column_stack([rng.normal(0.7, 0.01, 8), np.full(8, 1.0)])
    same = hotelling_share_test(x, y, alpha=0.05)
    assert same.dims == 1
    assert same.statistic == pytest.approx(stats.ttest_rel(x[:, 0], y[:, 0]).statistic ** 2)
    y[:, 1] = 0.9  # every trial shows the difference: certain, so sharing is rejected
    assert hotelling_share_test(x, y, alpha=0.05).statistic == np.inf


def test_too_few_trials_is_a_clear_error():
    with pytest.raises(DataError, match="T > B"):
        hotelling_share_test(np.zeros((3, 4)), np.ones((3, 4)), alpha=0.05)
