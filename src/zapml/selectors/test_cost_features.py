"""Cost features (what a budget buys a pipeline) and ZAP-HPO's ``cost_features`` option."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from zapml.metadataset.metadataset import BUDGET_FEATURE
from zapml.runtime.costs import CLOCK_V2, profile_model
from zapml.selectors import get_selector, load_selector, make_budget_metadataset
from zapml.selectors.cost_features import pair_features, per_image_seconds, pipeline_costs
from zapml.selectors.test_selectors import FAST
from zapml.space.pipeline import default_pipeline


def test_per_image_seconds_match_a_profile_of_the_timm_network_by_hand():
    from zapml._torch_import import import_timm

    timm = import_timm()  # timm straight from timm.create_model, not through the zoo
    torch.manual_seed(0)
    model = timm.create_model("mobilenetv2_100", num_classes=10)
    p = profile_model(model, (64, 64), clock_version=2)
    c = CLOCK_V2
    trainable = sum(t.numel() for t in model.parameters())
    per_image = (
        p.dense_flops_per_image * c.train_dense_flop_seconds
        + p.depthwise_flops_per_image * c.train_depthwise_flop_seconds
        + p.activations_per_image * c.train_element_seconds
        + p.overpadded_depthwise_elements_per_image * c.train_overpadded_element_seconds
    )
    step_16 = 16 * per_image + p.num_modules * c.train_module_call_seconds
    step_16 += trainable * c.param_update_seconds
    train, forward = per_image_seconds("mobilenetv2_100", 64, 16, 0.0, 2)
    assert train == pytest.approx(step_16 / 16, rel=1e-12)
    assert forward == pytest.approx(p.forward_seconds(64, 64) / 64, rel=1e-12)
    # A larger batch spreads the per-step overheads (module calls, parameter updates) thinner.
    assert per_image_seconds("mobilenetv2_100", 64, 64, 0.0, 2)[0] < train
    # Freezing half the backbone leaves fewer parameters to update in each step.
    frozen = per_image_seconds("mobilenetv2_100", 64, 16, 0.5, 2)[0]
    assert 0 < train - frozen < trainable * c.param_update_seconds / 16


def test_pair_features_are_log_budget_over_images_times_cost():
    costs = np.array([[0.01, 0.002], [0.04, 0.008]])
    names = ["num_classes", "num_train", BUDGET_FEATURE]
    mf = np.array([[10, 500, 16.0], [10, 1000, 64.0]])
    got = pair_features(mf, names, costs)
    assert got.shape == (2, 2, 2)
    # 16 s / (500 images x 0.01 s) = 3.2 epochs; 64 s / (1000 x 0.008 s) = 8 forward passes
    assert got[0, 0, 0] == pytest.approx(math.log(3.2))
    assert got[1, 1, 1] == pytest.approx(math.log(8.0))
    # 4x the budget on 2x the images: 2x the epochs, for every pipeline
    np.testing.assert_allclose(got[1] - got[0], math.log(2.0))
    with pytest.raises(ValueError, match=r"no \['budget'\]"):
        pair_features(mf[:, :2], names[:2], costs)


@pytest.fixture(scope="module")
def multi():
    return make_budget_metadataset((4.0, 16.0, 64.0), n_core=3, tasks_per_core=3, n_pipelines=8)


@pytest.fixture(scope="module")
def costed(multi):
    settings = dict(FAST["zap_hpo"], log_metafeatures=True, cost_features=True)
    return get_selector("zap_hpo", **settings).fit(multi)


def test_the_model_sees_the_scaled_cost_features_of_its_pipelines(multi, costed):
    inputs = len(costed.metafeature_names_) + len(costed.encoder_.feature_names())
    assert costed._n_in() == inputs + 2
    np.testing.assert_array_equal(costed.pipeline_costs_, pipeline_costs(costed.pipelines_, 2))
    x = costed.train_mf_
    by_hand = pair_features(x, costed.metafeature_names_, costed.pipeline_costs_)
    flat = by_hand.reshape(-1, 2)
    by_hand = (by_hand - flat.mean(axis=0)) / flat.std(axis=0)
    np.testing.assert_allclose(costed._cost_features(x, costed.pipelines_), by_hand, atol=1e-12)


def test_an_unseen_candidate_is_counted_and_ranked(multi, costed):
    query = multi.stack_budgets().metafeatures(costed.metafeature_names_).iloc[:2]
    new = default_pipeline().replace(log2_max_size=7, batch_size=16)
    scores = costed.rank(query, candidates=[*costed.pipelines_[:3], new])
    assert scores.shape == (2, 4) and np.isfinite(scores).all()
    np.testing.assert_allclose(scores[:, :3], costed.rank(query)[:, :3], rtol=1e-6)


def test_cost_features_survive_save_and_load(multi, costed, tmp_path):
    costed.save(tmp_path / "sel")
    back = load_selector(tmp_path / "sel")
    assert back.get_params()["cost_features"] is True and back.clock_version_ == 2
    query = multi.stack_budgets().metafeatures(costed.metafeature_names_)
    np.testing.assert_array_equal(back.rank(query), costed.rank(query))


def test_a_budget_blind_metadataset_is_refused_with_the_fix(multi):
    one = multi.at_budget(16.0)
    with pytest.raises(ValueError, match="several budgets"):
        get_selector("zap_hpo", cost_features=True, **FAST["zap_hpo"]).fit(one)


def test_network_facts_are_read_back_from_disk_without_building(tmp_path, monkeypatch):
    from zapml.selectors import cost_features

    monkeypatch.setenv("ZAPML_CACHE", str(tmp_path))
    cost_features.network_facts.cache_clear()
    fresh = cost_features.network_facts("mobilenetv2_100", (32, 24), 2, None)
    assert fresh[1] == 1280 and fresh[0].input_hw == (32, 24)
    assert fresh[0] == profile_model(
        cost_features._network("mobilenetv2_100", None), (32, 24), clock_version=2
    )
    cost_features.network_facts.cache_clear()

    def no_build(*args: object) -> torch.nn.Module:
        raise AssertionError(f"rebuilt {args}")

    monkeypatch.setattr(cost_features, "_network", no_build)
    assert cost_features.network_facts("mobilenetv2_100", (32, 24), 2, None) == fresh
    with pytest.raises(AssertionError, match="rebuilt"):  # another key is not taken from disk
        cost_features.network_facts("mobilenetv2_100", (32, 24), 2, 10)
    cost_features.network_facts.cache_clear()
