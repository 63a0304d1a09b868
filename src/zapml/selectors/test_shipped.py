"""The shipped meta-dataset and default selectors: the sizes the project promises, that the
selectors are budget-aware, load and drive `zap fit`'s choice, and that an artifact saved before
the encoding was derived from the space still ranks as it did."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zapml.metadataset import load_metadataset
from zapml.metafeatures.probe_features import PROBE_SCORES
from zapml.selectors import load_selector
from zapml.selectors.choice import SHIPPED_SELECTORS, choose_pipeline
from zapml.selectors.probe_gate import SHIPPED_PROBE_SELECTORS
from zapml.selectors.query import feature_set, probe_backbones
from zapml.selectors.recipe import (
    SHIPPED_METADATASET,
    SHIPPED_PROBE_BACKBONES,
    SHIPPED_PROBE_FEATURES,
    shipped_settings,
)
from zapml.zoo import get_spec

SHIPPED_MDS = SHIPPED_METADATASET
V1_MDS = SHIPPED_MDS.with_name("zapml-offline-v1.sqlite")
# `zap metadataset probe --backbones ...` on the shipped store (README, "Probe meta-features")
PROBED_BACKBONES = (
    "mobilenetv2_100",
    "efficientnet_lite0",
    "efficientnet_lite1",
    "efficientnet_lite2",
)
# the shipped ALC selector of v1, kept as a test fixture: saved before objectives, budgets and the
# encoding schema were recorded in artifacts
LEGACY_V1_SELECTOR = Path(__file__).parent / "testdata" / "legacy_v1_alc"


@pytest.fixture(scope="module")
def shipped():
    return load_metadataset(SHIPPED_MDS)


def test_shipped_metadataset_meets_the_promised_sizes(shipped):
    assert shipped.core_datasets().nunique() >= 12
    assert len(set(shipped.domains.values())) >= 8
    assert len(shipped.tasks) >= 150
    assert len(shipped.pipelines) >= 40
    budgets = shipped.budgets  # 4, 16, 64 and (as the build reaches it) 256 compute-s
    assert budgets[:3] == (4.0, 16.0, 64.0) and len(budgets) >= 3  # >= 3 budgets, a 16x+ span
    stacked = shipped.stack_budgets()
    assert stacked.num_runs_filled >= 1400  # (task, pipeline, budget) cells; grows with the build
    archs = {p.architecture for p in shipped.pipelines.values()}
    pretrained = {a for a in archs if get_spec(a).pretrained}
    assert pretrained == {
        "mobilenetv2_100",
        "efficientnet_lite0",
        "efficientnet_lite1",
        "efficientnet_lite2",
    }
    assert any(not get_spec(a).pretrained for a in archs)
    curves = sum(len(c) for c in shipped.budget_curves.values())
    assert curves == stacked.num_runs_filled  # every run keeps its learning curve


@pytest.mark.parametrize("objective", sorted(SHIPPED_SELECTORS))
def test_shipped_selectors_are_budget_aware_and_fit_takes_their_argmax(shipped, objective):
    path = SHIPPED_SELECTORS[objective]
    assert "ZapHPO" in json.dumps(json.loads((path / "manifest.json").read_text()))
    selector = load_selector(path)
    assert selector.objective_ == objective and selector.budget_aware
    assert selector.get_params() == {**selector.get_params(), **shipped_settings(objective)}
    assert selector.train_budgets_ == [4.0, 16.0, 64.0, 256.0] == list(shipped.budgets)
    assert selector.pipeline_ids_ == shipped.pipeline_ids
    pipelines = list(shipped.pipelines.values())
    for task in shipped.task_ids[::40]:
        features = shipped.metafeatures().loc[task].to_dict()
        for budget in (4.0, 64.0):
            scores = selector.rank({**features, "budget": budget})
            assert scores.shape == (len(shipped.pipelines),)
            choice = choose_pipeline(None, None, features, objective, budget, clock="compute")
            assert "selector" in choice.origin and choice.objective == objective
            assert choice.pipeline == pipelines[int(scores.argmax())]


@pytest.mark.parametrize("objective", sorted(SHIPPED_PROBE_SELECTORS))
def test_shipped_probe_selectors_read_the_stores_probe_features(shipped, objective):
    path = SHIPPED_PROBE_SELECTORS[objective]
    selector = load_selector(path)
    assert selector.objective_ == objective and selector.budget_aware
    recipe = shipped_settings(objective, SHIPPED_PROBE_FEATURES)
    assert selector.get_params() == {**selector.get_params(), **recipe}
    assert selector.train_budgets_ == [4.0, 16.0, 64.0, 256.0] == list(shipped.budgets)
    names = selector.metafeature_names_
    assert feature_set(names) == SHIPPED_PROBE_FEATURES == "all"
    assert sorted(probe_backbones(shipped.metafeature_names())) == sorted(PROBED_BACKBONES)
    assert probe_backbones(names) == SHIPPED_PROBE_BACKBONES == ("mobilenetv2_100",)
    trivial = [n for n in shipped.metafeature_names() if not probe_backbones([n])]
    probes = [f"{score.name}__mobilenetv2_100" for score in PROBE_SCORES]
    assert set(names) - {"budget"} == {*trivial, *probes}
    features = shipped.metafeatures().loc[shipped.task_ids[0]].to_dict()
    assert selector.rank({**features, "budget": 64.0}).shape == (len(shipped.pipelines),)


def test_a_v1_artifact_ranks_as_it_did_before_the_schema_was_derived_from_the_space():
    """Figures computed on main before the encoding was derived from the space (commit e236c34):
    the saved artifact has no encoding schema, so it must get the same column layout."""
    v1 = load_metadataset(V1_MDS)
    selector = load_selector(LEGACY_V1_SELECTOR)
    assert selector.objective_ == "alc" and not selector.budget_aware  # it predates both
    scores = selector.rank(v1.metafeatures(selector.metafeature_names_))
    top_14 = [91, 92, 93, 95, 96, 97, 98, 99, 101, 102]
    expected_top = [14 if i in top_14 else 4 for i in range(104)]
    assert scores.argmax(axis=1).tolist() == expected_top
    first = [-0.3962, -0.2723, -0.7323, -0.7455, 1.5587, -0.7614, -0.4542, 0.272, -0.6263, -0.7524]
    assert scores[0, :10] == pytest.approx(first, abs=1e-4)
    assert selector.pipeline_ids_[:3] == ["5d4e71aa2368", "656d0995f8e0", "67c1b828ebb8"]
