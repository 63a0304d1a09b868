"""Factorization machine against independent computations, and recovery of planted functions."""

from __future__ import annotations

import numpy as np

from zapml.selectors._threads import torch_threads
from zapml.selectors.guided import fit_fm, fit_linear, fm_predict


def fm_by_double_loop(z, w0, w, v):
    """S(z) straight from the definition: w0 + sum_i w_i z_i + sum_{i<j} <u_i,u_j> z_i z_j."""
    out = []
    for row in z:
        s = w0 + sum(w[i] * row[i] for i in range(len(row)))
        for i in range(len(row)):
            for j in range(i + 1, len(row)):
                s += float(np.dot(v[i], v[j])) * row[i] * row[j]
        out.append(s)
    return np.array(out)


def test_fm_identity_matches_the_double_loop():
    rng = np.random.default_rng(0)
    z, w, v = rng.normal(size=(7, 5)), rng.normal(size=5), rng.normal(size=(5, 3))
    np.testing.assert_allclose(fm_predict(z, 0.3, w, v), fm_by_double_loop(z, 0.3, w, v))


def test_fm_with_full_rank_factors_is_any_symmetric_quadratic():
    """With k = d, V V^T can equal any PSD matrix A: the pairwise part is then the closed form
    1/2 (z^T A z - sum_i A_ii z_i^2)."""
    rng = np.random.default_rng(1)
    d = 4
    m = rng.normal(size=(d, d))
    a = m @ m.T
    v = np.linalg.cholesky(a)
    z = rng.normal(size=(6, d))
    closed = 0.5 * (np.einsum("ni,ij,nj->n", z, a, z) - (z**2) @ np.diag(a))
    np.testing.assert_allclose(fm_predict(z, 0.0, np.zeros(d), v), closed, atol=1e-10)


def test_fitted_fm_recovers_a_planted_second_order_function():
    rng = np.random.default_rng(2)
    d, k = 6, 2
    w0, w, v = 0.5, rng.normal(size=d), rng.normal(size=(d, k))
    z = rng.normal(size=(3000, d))
    y = fm_predict(z, w0, w, v) + rng.normal(0.0, 0.01, len(z))
    with torch_threads(1):
        fw0, fw, fv = fit_fm(z[:2500], y[:2500], k=4, steps=1500, lr=0.03, reg=0.0, seed=0)
    pred = fm_predict(z[2500:], fw0, fw, fv)
    r2 = 1 - np.mean((pred - y[2500:]) ** 2) / np.var(y[2500:])
    assert r2 > 0.97, r2
    # the recovered interaction matrix matches the planted one off the diagonal
    planted, got = v @ v.T, fv @ fv.T
    off = ~np.eye(d, dtype=bool)
    assert np.corrcoef(planted[off], got[off])[0, 1] > 0.95


def test_linear_recovers_a_planted_linear_function():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(200, 5))
    w = np.array([1.0, -2.0, 0.0, 0.5, 3.0])
    w0, fw = fit_linear(z, 0.7 + z @ w, reg=0.0)
    np.testing.assert_allclose(fw, w, atol=1e-10)
    assert abs(w0 - 0.7) < 1e-10
