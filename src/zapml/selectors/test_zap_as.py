"""ZAP-AS pieces: pickle-free forests match scikit-learn, every family ranks, SMAC tuning runs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

from zapml.selectors import make_synthetic_metadataset
from zapml.selectors.forest import PackedForest, pack_forests
from zapml.selectors.zap_as import FAMILIES, ZapAS, greedy_portfolio


def test_packed_regressors_match_sklearn():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 4))
    forests = [
        RandomForestRegressor(n_estimators=7, random_state=s).fit(x, x[:, s] ** 2 + s)
        for s in range(3)
    ]
    packed = pack_forests(forests)
    xq = rng.normal(size=(25, 4))
    expected = np.stack([f.predict(xq) for f in forests], axis=1)
    np.testing.assert_allclose(packed.predict(xq)[:, :, 0], expected, rtol=1e-6, atol=1e-6)
    # arrays round trip
    again = PackedForest.from_arrays(packed.to_arrays("f"), "f")
    np.testing.assert_array_equal(again.predict(xq), packed.predict(xq))


def test_packed_classifier_matches_predict_proba_in_output_columns():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(90, 3))
    y = np.digitize(x[:, 0], [-0.5, 0.5]) * 2  # classes 0, 2, 4
    clf = RandomForestClassifier(n_estimators=9, random_state=0).fit(x, y)
    packed = pack_forests([clf], [np.array([0, 2, 4])], n_outputs=5)
    xq = rng.normal(size=(20, 3))
    got = packed.predict(xq)[:, 0, :]
    np.testing.assert_allclose(got[:, [0, 2, 4]], clf.predict_proba(xq), atol=1e-6)
    np.testing.assert_array_equal(got[:, [1, 3]], 0.0)


def test_greedy_portfolio_on_a_hand_matrix():
    perf = np.array([[0.9, 0.1, 0.5], [0.1, 0.9, 0.5], [0.2, 0.2, 0.6]])
    # means 0.4, 0.4, 0.533 -> pipeline 2 first; then 0 (max rows 0.9,.5,.6) ties 1; 0 wins by order
    np.testing.assert_array_equal(greedy_portfolio(perf, 2), [2, 0])
    assert len(greedy_portfolio(perf, 10)) == 3


@pytest.fixture(scope="module")
def md():
    return make_synthetic_metadataset(n_core=5, tasks_per_core=4, n_pipelines=16, seed=5)


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_ranks(family, md):
    sel = ZapAS(family=family, tune=False, n_estimators=6, max_pipelines=6).fit(md)
    scores = sel.rank(md.tasks)
    assert scores.shape == (len(md.tasks), len(md.pipelines)) and np.isfinite(scores).all()
    # pipelines outside the portfolio rank below every portfolio pipeline
    outside = np.setdiff1d(np.arange(len(md.pipelines)), sel.portfolio_)
    assert (scores[:, outside].max(axis=1) < scores[:, sel.portfolio_].min(axis=1)).all()


@pytest.mark.slow
def test_smac_tuning_with_a_tiny_budget(md):
    sel = ZapAS(tune=True, n_trials=3, n_folds=2, walltime=60.0, seed=1).fit(md)
    assert sel.tuning_["trials"] >= 1
    # the constructor's configuration is tried first, so tuning can only improve on it
    assert sel.tuning_["default_cost"] is not None
    assert sel.tuning_["best_cost"] <= sel.tuning_["default_cost"]
    assert sel.hp_["family"] in FAMILIES
    assert np.isfinite(sel.rank(md.tasks)).all()
