"""ZAP-HPO's own options beyond the selector contract: meta-features on a ratio scale."""

from __future__ import annotations

import numpy as np
import pytest

from zapml.selectors import get_selector, load_selector, make_budget_metadataset
from zapml.selectors.test_selectors import FAST


@pytest.fixture(scope="module")
def multi():
    return make_budget_metadataset((4.0, 16.0, 64.0), n_core=3, tasks_per_core=3, seed=2)


@pytest.fixture(scope="module")
def logged(multi):
    return get_selector("zap_hpo", log_metafeatures=True, **FAST["zap_hpo"]).fit(multi)


def test_log_metafeatures_z_scores_log1p_of_the_non_negative_columns(multi, logged):
    x = logged.train_mf_.astype(float)
    assert (x >= 0).all(), "the synthetic meta-features are sizes and counts"
    by_hand = np.log1p(x)
    spread = by_hand.std(axis=0)
    by_hand = (by_hand - by_hand.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    np.testing.assert_allclose(logged.scaler_.transform(x), by_hand, rtol=1e-10, atol=1e-10)


def test_without_the_option_the_columns_stay_linear(multi):
    linear = get_selector("zap_hpo", **FAST["zap_hpo"]).fit(multi)
    x = linear.train_mf_.astype(float)
    by_hand = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    np.testing.assert_allclose(linear.scaler_.transform(x), by_hand, rtol=1e-10, atol=1e-10)


def test_log_metafeatures_survive_save_and_load(multi, logged, tmp_path):
    logged.save(tmp_path / "sel")
    back = load_selector(tmp_path / "sel")
    assert back.get_params()["log_metafeatures"] is True
    query = multi.stack_budgets().metafeatures(logged.metafeature_names_)
    np.testing.assert_array_equal(back.rank(query), logged.rank(query))
