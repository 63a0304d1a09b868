"""Selectors are trained for an objective: the artifact keeps it (and the budgets it was trained
on), old artifacts mean ALC and a selector asked for another objective is refused (the shipped
selectors are checked in test_shipped)."""

from __future__ import annotations

import json

import pytest

from zapml.errors import ArtifactError, PipelineError
from zapml.metadataset import load_metadataset
from zapml.selectors import load_selector, make_synthetic_metadataset, recommend, train_selector
from zapml.selectors.artifacts import CONFIG, MANIFEST, _sha256
from zapml.selectors.choice import SHIPPED_SELECTORS, choose_pipeline
from zapml.selectors.test_shipped import LEGACY_V1_SELECTOR, V1_MDS


@pytest.fixture(scope="module")
def shipped():
    """The v1 store: one budget, both objectives."""
    return load_metadataset(V1_MDS)


def test_artifact_round_trip_keeps_the_objective_and_budgets(shipped, tmp_path):
    small = shipped.subset(shipped.task_ids[:20])
    for objective in ("final", "alc"):
        sel = train_selector(small, "single_best", tmp_path / objective, objective=objective)
        back = load_selector(tmp_path / objective)
        assert back.objective_ == sel.objective_ == objective
        assert back.train_budgets_ == [4.0]
        # single best for `final` is the pipeline with the best mean final NAUC (and so on)
        means = small.for_objective(objective).perf.mean(axis=0)
        query = small.metafeatures().iloc[0].to_dict()
        assert back.select(query) == small.pipelines[means.idxmax()]
    assert load_selector(tmp_path / "final").select(query) != load_selector(
        tmp_path / "alc"
    ).select(query)  # the two objectives disagree on this meta-dataset: the objective matters


def test_an_artifact_without_objective_is_alc(tmp_path):
    mds = make_synthetic_metadataset(2, 3, 5, seed=0)
    path = train_selector(mds, "knn", tmp_path / "old", objective="alc").save(tmp_path / "old")
    config = json.loads((path / CONFIG).read_text())
    del config["objective"], config["train_budgets"]
    (path / CONFIG).write_text(json.dumps(config))
    manifest = json.loads((path / MANIFEST).read_text())
    manifest["files"][CONFIG] = _sha256(path / CONFIG)
    (path / MANIFEST).write_text(json.dumps(manifest))
    old = load_selector(path)
    assert old.objective_ == "alc" and old.train_budgets_ == []
    assert load_selector(LEGACY_V1_SELECTOR).objective_ == "alc"  # v1's predates objectives


def test_an_unknown_objective_in_an_artifact_is_refused(tmp_path):
    path = train_selector(make_synthetic_metadataset(2, 3, 5), "knn", tmp_path / "s",
                          objective="alc").save(tmp_path / "s")  # fmt: skip
    config = json.loads((path / CONFIG).read_text())
    config["objective"] = "accuracy"
    (path / CONFIG).write_text(json.dumps(config))
    manifest = json.loads((path / MANIFEST).read_text())
    manifest["files"][CONFIG] = _sha256(path / CONFIG)
    (path / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="'accuracy' is not one of final, alc"):
        load_selector(path)


def test_a_zap_folder_is_trained_for_alc_and_refused_for_final():
    mds = make_synthetic_metadataset(2, 3, 5)
    with pytest.raises(ArtifactError, match="only alc"):
        train_selector(mds, "knn")  # the default objective is final
    assert train_selector(mds, "knn", objective="alc").objective_ == "alc"


def test_a_selector_for_another_objective_is_refused_naming_both(shipped):
    features = {**shipped.metafeatures().iloc[0].to_dict(), "budget": 16.0}
    alc_dir = SHIPPED_SELECTORS["alc"]
    asked = r"trained for the 'alc'.*'final' was asked.*--objective"
    with pytest.raises(PipelineError, match=asked):
        choose_pipeline(None, alc_dir, features, objective="final")
    with pytest.raises(PipelineError, match="--objective alc"):
        recommend(alc_dir, features, objective="final")
    advice = recommend(alc_dir, features, objective="alc")
    assert advice.objective == "alc" and advice.to_dict()["objective"] == "alc"
