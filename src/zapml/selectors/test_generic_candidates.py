"""Every registered selector trains, ranks, saves and loads on imported meta-datasets of arms
(a hand-made ASlib runtime scenario; the published long-table layout with candidate features),
with no adaptation code; the arm encoding checked by hand; ZAP-AS and ZAP-HPO validate on random
folds, and say so, when the meta-dataset has no task groups."""

from __future__ import annotations

import numpy as np
import pytest

import zapml.metadataset.metadataset as mdm
from zapml.evaluation import factory, leave_one_core_out
from zapml.metadataset.generic_testing import tiny_long_tables, write_tiny_aslib
from zapml.metadataset.io_aslib import read_aslib
from zapml.metadataset.io_long import read_long_tables
from zapml.metadataset.metadataset import UngroupedWarning
from zapml.selectors import SELECTORS, get_selector, load_selector, recommend
from zapml.selectors.encoding import ArmEncoder
from zapml.space.pipeline import Pipeline

# Small budgets so every selector fits in about a second (their defaults are larger).
FAST = {
    "zap_as": {"tune": False, "n_estimators": 8},
    "zap_hpo": {"epochs": 4, "steps_per_epoch": 10, "n_configs": 1, "n_folds": 2},
    "guided_fm": {"steps": 100},
}


@pytest.fixture(scope="module")
def aslib_md(tmp_path_factory):
    return read_aslib(write_tiny_aslib(tmp_path_factory.mktemp("aslib") / "TINY"))


@pytest.fixture(scope="module")
def long_md():
    return read_long_tables(*tiny_long_tables())


def _train_rank_save_load(name, md, tmp_path):
    held_out = md.task_ids[-1]
    train = md.subset([t for t in md.task_ids if t != held_out])
    with np.errstate(all="ignore"):  # tiny matrices: constant columns are expected
        sel = get_selector(name, **FAST.get(name, {})).fit(train)
    x = md.subset([held_out]).metafeatures(sel.metafeature_names_)
    scores = sel.rank(x)
    assert scores.shape == (1, len(md.pipeline_ids)) and np.isfinite(scores).all()
    assert sel.select(x.iloc[0].to_dict()).is_arm
    again = load_selector(sel.save(tmp_path / name))
    np.testing.assert_array_equal(again.rank(x), scores)
    return sel, scores


@pytest.mark.filterwarnings("ignore::zapml.metadataset.metadataset.UngroupedWarning")
@pytest.mark.parametrize("name", list(SELECTORS))
def test_every_selector_on_an_imported_aslib_scenario(name, aslib_md, tmp_path):
    sel, scores = _train_rank_save_load(name, aslib_md, tmp_path)
    assert sel.objective_ == "runtime"
    if name == "single_best":
        # PAR10 means over the 5 training instances (a: 117/5, b: 118/5, c: 210.5/5): a is
        # the single best, so it scores highest
        assert int(np.argmax(scores[0])) == 0


@pytest.mark.filterwarnings("ignore::zapml.metadataset.metadataset.UngroupedWarning")
@pytest.mark.parametrize("name", list(SELECTORS))
def test_every_selector_on_imported_long_tables_with_candidate_features(name, long_md, tmp_path):
    sel, _ = _train_rank_save_load(name, long_md, tmp_path)
    if name in ("zap_hpo", "guided_lr", "guided_fm"):
        assert isinstance(sel.encoder_, ArmEncoder)
        assert set(sel.encoder_.kinds) == {"family", "params_m"}


def test_arm_encoding_by_hand():
    arms = [
        Pipeline.arm("m1", {"family": "resnet", "params_m": 10.0}),
        Pipeline.arm("m2", {"family": "vit", "params_m": 30.0}),
        Pipeline.arm("m3", {"family": "resnet", "params_m": None}),
    ]
    enc = ArmEncoder({"params_m": "numeric", "family": "categorical"}).fit(arms)
    assert enc.feature_names() == ["params_m", "family=resnet", "family=vit"]
    # params: mean 20, population std 10 over the known values; unknown -> the mean (0)
    expected = [[-1.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    np.testing.assert_allclose(enc.transform(arms), expected)
    unseen = Pipeline.arm("m9", {"family": "convnext", "params_m": 40.0})
    np.testing.assert_allclose(enc.transform([unseen]), [[2.0, 0.0, 0.0]])
    bare = ArmEncoder({}).fit(arms)  # no features: a one-hot of the id
    assert bare.feature_names() == ["arm=m1", "arm=m2", "arm=m3"]
    np.testing.assert_allclose(bare.transform(arms[::-1]), np.eye(3)[::-1])
    with pytest.raises(ValueError, match="declared numeric"):
        enc.transform([Pipeline.arm("m4", {"params_m": "big"})])


def test_ungrouped_tuning_uses_random_folds_and_says_so(long_md):
    mdm._told_ungrouped.clear()  # told once per process: forget an earlier test's warning
    with pytest.warns(UngroupedWarning, match="random .seeded.*core_dataset"):
        zap_as = get_selector("zap_as", tune=True, n_trials=3, n_estimators=4).fit(long_md)
    assert zap_as.tuning_["trials"] >= 1  # tuned, not silently skipped
    zap_hpo = get_selector("zap_hpo", **FAST["zap_hpo"]).fit(long_md)
    assert zap_hpo.cv_[0]["mean_top_rank"] is not None  # validated on the random folds


def test_recommend_names_arms(long_md):
    sel = get_selector("knn").fit(long_md)
    rec = recommend(sel, long_md.metafeatures().iloc[0].to_dict(), top=2)
    assert rec.top[0].architecture is None
    assert rec.top[0].to_dict()["candidate"].startswith("arm m")


def test_leave_one_group_out_without_groups_holds_out_one_task_at_a_time(aslib_md):
    mdm._told_ungrouped.clear()  # told once per process: forget an earlier test's warning
    with pytest.warns(UngroupedWarning, match="one task at a time"):
        table = leave_one_core_out(aslib_md, {"single_best": factory("single_best")}, seeds=[0])
    picked = table[table["selector"] == "single_best"].set_index("task_id")
    assert sorted(picked["held_out"]) == sorted(aslib_md.task_ids)  # each task its own fold
    # held out i3: PAR10 sums over the other five are a 115, b 115.5, c 219.9, so a (5 s)
    assert picked.loc["i3", "chosen_pipeline"] == "a"
    assert picked.loc["i3", "chosen_alc"] == -5.0  # the score of a 5 s run: -5
