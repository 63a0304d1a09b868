"""The shipped meta-dataset and default selector: the sizes the project promises, and that they
load and drive `zap fit`'s choice."""

from __future__ import annotations

import json

import pytest

from zapml.metadataset import load_metadataset
from zapml.selectors import load_selector
from zapml.selectors.choice import SHIPPED_SELECTOR, choose_pipeline
from zapml.zoo import get_spec

SHIPPED_MDS = SHIPPED_SELECTOR.parents[1] / "metadataset" / "shipped" / "zapml-offline-v1.sqlite"


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
    choice = choose_pipeline(None, None, features)
    pipeline = choice.pipeline
    assert "selector" in choice.origin
    assert pipeline in list(shipped.pipelines.values())
    # The pipeline fit chooses is the one with the top score.
    assert pipeline == list(shipped.pipelines.values())[int(scores.argmax())]
