"""The shipped meta-dataset and default selector: the sizes the project promises, and that they
load and drive `zap fit`'s choice."""

from __future__ import annotations

import json

import pytest

from zapml.metadataset import load_metadataset
from zapml.selectors import load_selector
from zapml.selectors.choice import SHIPPED_SELECTOR, choose_pipeline
from zapml.zoo import get_spec

SHIPPED_MDS = SHIPPED_SELECTOR.parents[2] / "metadataset" / "shipped" / "zapml-offline-v1.sqlite"


@pytest.fixture(scope="module")
def shipped():
    return load_metadataset(SHIPPED_MDS)


def test_shipped_metadataset_meets_the_promised_sizes(shipped):
    assert shipped.core_datasets().nunique() >= 8
    assert len(set(shipped.domains.values())) >= 5
    assert len(shipped.tasks) >= 100
    assert len(shipped.pipelines) >= 30
    assert shipped.density >= 0.40
    assert shipped.num_runs_filled >= 1500
    archs = {p.architecture for p in shipped.pipelines.values()}
    pretrained = {a for a in archs if get_spec(a).pretrained}
    assert pretrained == {
        "mobilenetv2_100",
        "efficientnet_lite0",
        "efficientnet_lite1",
        "efficientnet_lite2",
    }
    assert any(not get_spec(a).pretrained for a in archs)
    assert len(shipped.curves) >= 1000  # learning curves are stored with the runs


def test_shipped_selector_is_the_loco_winner_and_ranks_the_metadatasets_pipelines(shipped):
    manifest = json.loads((SHIPPED_SELECTOR / "manifest.json").read_text())
    assert "ZapHPO" in json.dumps(manifest)
    selector = load_selector(SHIPPED_SELECTOR)
    task = shipped.task_ids[0]
    features = shipped.metafeatures().loc[task].to_dict()
    scores = selector.rank(features)
    assert scores.shape == (len(shipped.pipelines),)
    choice = choose_pipeline(None, None, features, objective="alc")
    pipeline = choice.pipeline
    assert "selector" in choice.origin
    assert pipeline in list(shipped.pipelines.values())
    # The pipeline fit chooses is the one with the top score.
    assert pipeline == list(shipped.pipelines.values())[int(scores.argmax())]


def test_shipped_selector_ranks_as_it_did_before_the_schema_was_derived_from_the_space(shipped):
    """Figures computed on main before the encoding was derived from the space (commit e236c34):
    the saved artifact has no encoding schema, so it must get the same column layout."""
    selector = load_selector(SHIPPED_SELECTOR)
    scores = selector.rank(shipped.metafeatures(selector.metafeature_names_))
    top_14 = [91, 92, 93, 95, 96, 97, 98, 99, 101, 102]
    expected_top = [14 if i in top_14 else 4 for i in range(104)]
    assert scores.argmax(axis=1).tolist() == expected_top
    first = [-0.3962, -0.2723, -0.7323, -0.7455, 1.5587, -0.7614, -0.4542, 0.272, -0.6263, -0.7524]
    assert scores[0, :10] == pytest.approx(first, abs=1e-4)
    assert selector.pipeline_ids_[:3] == ["5d4e71aa2368", "656d0995f8e0", "67c1b828ebb8"]
