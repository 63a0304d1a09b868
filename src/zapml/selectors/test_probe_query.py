"""Selectors on probe meta-features: the feature set read off a selector's names, a query that
lacks its probe features refused with the fix, the explanation naming the feature that drives
the choice by construction, and the probe's seconds charged to a compute budget."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zapml.errors import DataError, PipelineError
from zapml.metadataset.metadataset import MetaDataset
from zapml.metafeatures.trivial import TRIVIAL_FEATURES
from zapml.selectors import get_selector, make_synthetic_metadataset, recommend
from zapml.selectors.explain import choice_drivers, drivers_lines
from zapml.selectors.query import (
    QueryFeatures,
    charged_budget,
    feature_set,
    probe_backbones,
)

PROBE = "knn_accuracy__mobilenetv2_100"


def probe_driven_metadataset(seed: int = 0) -> MetaDataset:
    """Pipeline 0 gains 0.5 x the probe score and pipeline 1 0.5 x its complement over a flat
    0.2 for every pipeline: the probe alone decides which of the two wins on a task."""
    md = make_synthetic_metadataset(n_core=4, tasks_per_core=6, n_pipelines=6, seed=seed)
    rng = np.random.default_rng(seed)
    probe = rng.uniform(0, 1, len(md.tasks))
    perf = 0.2 + rng.normal(0, 0.01, md.perf.shape)
    perf[:, 0] += 0.5 * probe
    perf[:, 1] += 0.5 * (1 - probe)
    return MetaDataset(
        tasks=md.tasks.assign(**{PROBE: probe}),
        pipelines=md.pipelines,
        perf=pd.DataFrame(perf, index=md.perf.index, columns=md.perf.columns),
    )


def _trivial_query(md: MetaDataset) -> dict[str, float]:
    return {n: float(md.tasks.iloc[0][n]) for n in TRIVIAL_FEATURES}


def test_feature_set_and_backbones_read_off_the_names() -> None:
    assert feature_set(list(TRIVIAL_FEATURES)) == "trivial"
    assert feature_set([PROBE, "logme__efficientnet_lite0", "budget"]) == "probe"
    assert feature_set(["num_classes", PROBE]) == "all"
    names = [PROBE, "logme__efficientnet_lite0", "logme__mobilenetv2_100"]
    assert probe_backbones(names) == ("mobilenetv2_100", "efficientnet_lite0")


def test_probe_selector_refuses_a_query_without_its_probe_features() -> None:
    md = probe_driven_metadataset()
    selector = get_selector("knn").fit(md.select_features("all"))
    with pytest.raises(DataError, match="trained on probe meta-features") as err:
        selector.rank(_trivial_query(md))
    assert "query_metafeatures" in str(err.value) and PROBE in str(err.value)


def test_trivial_selector_is_unchanged_by_probe_columns_in_the_store() -> None:
    md = probe_driven_metadataset()
    trivial = get_selector("knn").fit(md.select_features("trivial"))
    without = MetaDataset(tasks=md.tasks.drop(columns=[PROBE]), pipelines=md.pipelines,
                          perf=md.perf)  # fmt: skip
    before = get_selector("knn").fit(without)
    query = _trivial_query(md)
    assert trivial.metafeature_names_ == list(TRIVIAL_FEATURES)
    np.testing.assert_array_equal(trivial.rank(query), before.rank(query))


@pytest.mark.parametrize(("probe", "winner"), [(0.95, 0), (0.05, 1)])
def test_explanation_names_the_probe_feature_that_decides(probe: float, winner: int) -> None:
    md = probe_driven_metadataset()
    selector = get_selector("knn").fit(md.select_features("all"))
    query = {**_trivial_query(md), PROBE: probe}
    advice = recommend(selector, query, top=2)
    assert advice.best == md.pipelines[md.pipeline_ids[winner]]
    assert advice.drivers[0][0] == PROBE and advice.drivers[0][1] > 0
    assert advice.drivers == tuple(choice_drivers(selector, query))
    lines = drivers_lines(advice)
    assert lines[1].startswith(f"probe features that drove it: {PROBE} +")


def test_probe_seconds_come_off_a_compute_budget_only() -> None:
    query = QueryFeatures({}, probe_seconds=2.5, backbones=("mobilenetv2_100",))
    assert charged_budget(10.0, "compute", query) == 7.5
    assert charged_budget(10.0, "wall", query) == 10.0  # the deadline counts their wall time
    assert charged_budget(10.0, "compute", QueryFeatures({})) == 10.0
    with pytest.raises(PipelineError, match="uses up the whole budget of 2 compute-s"):
        charged_budget(2.0, "compute", query)
