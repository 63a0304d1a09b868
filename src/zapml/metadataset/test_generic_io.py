"""Generic meta-datasets: value direction and cutoff, arms with features, optional groups, and
the ASlib and long-table importers/exporters, checked on the hand-made files of
generic_testing.py against values worked out by hand there."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zapml.errors import ArtifactError
from zapml.metadataset import load_metadataset, status
from zapml.metadataset.generic_testing import (
    ASLIB_ALGORITHMS,
    ASLIB_FOLDS,
    ASLIB_INSTANCES,
    ASLIB_PAR10,
    tiny_long_tables,
    write_tiny_aslib,
)
from zapml.metadataset.io_aslib import read_aslib, write_aslib
from zapml.metadataset.io_long import (
    long_from_metadataset,
    read_long,
    read_long_tables,
    write_long,
    write_long_tables,
)
from zapml.metadataset.metadataset import MetaDataset
from zapml.metadataset.values import ValueSpec
from zapml.space.pipeline import Pipeline


# ---------------------------------------------------------------------- values
def test_par10_of_a_timeout_and_the_direction_by_hand():
    spec = ValueSpec(name="runtime", direction="minimize", cutoff=5.0)
    raw = pd.Series([1.0, 4.99, 5.0, 7.0, np.nan])
    assert spec.direction == "minimise"
    np.testing.assert_array_equal(spec.penalised(raw), [1.0, 4.99, 50.0, 50.0, np.nan])
    np.testing.assert_array_equal(spec.scores(raw), [-1.0, -4.99, -50.0, -50.0, np.nan])
    np.testing.assert_array_equal(spec.raw(spec.scores(raw)), [1.0, 4.99, 50.0, 50.0, np.nan])
    par2 = ValueSpec(name="runtime", direction="min", cutoff=5.0, penalty=2.0)
    assert par2.scores(np.array([6.0]))[0] == -10.0
    assert ValueSpec().scores(raw.iloc[:2]).tolist() == [1.0, 4.99]  # maximise: as it is


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"direction": "up"}, "maximise.*minimise"),
        ({"direction": "maximise", "cutoff": 5.0}, "minimise"),
        ({"direction": "minimise", "cutoff": -1.0}, "positive"),
        ({"direction": "minimise", "cutoff": 5.0, "penalty": 0.5}, ">= 1"),
    ],
)
def test_bad_value_specs_say_what_to_fix(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ValueSpec(**kwargs)


# ---------------------------------------------------------------------- arms and groups
def _arms_md(**kwargs) -> MetaDataset:
    tasks = pd.DataFrame({"x": [1.0, 2.0, 3.0]}, index=["p", "q", "r"])
    arms = {n: Pipeline.arm(n, {"size": float(i)}) for i, n in enumerate(["u", "v"])}
    perf = pd.DataFrame([[1.0, 2.0], [3.0, np.nan], [5.0, 6.0]], index=tasks.index,
                        columns=list(arms))  # fmt: skip
    return MetaDataset(tasks=tasks, pipelines=arms, perf=perf,
                       candidate_kinds={"size": "numeric"}, **kwargs)  # fmt: skip


def test_arms_print_summarise_and_ungrouped_tasks_are_their_own_groups():
    md = _arms_md(folds=pd.Series([2, 1, 2], index=["p", "q", "r"]))
    assert repr(md.pipelines["u"]) == "Pipeline(arm='u')"
    assert md.pipelines["v"].id == "v" and md.pipelines["v"].features == {"size": 1.0}
    assert Pipeline.arm("w", {"size": float("nan")}) == Pipeline.arm("w", {"size": None})
    with pytest.raises(KeyError, match="arm 'u'.*no 'architecture'"):
        _ = md.pipelines["u"].architecture
    summary = md.summary()
    assert summary["candidates"] == "arms" and summary["architectures"] == []
    assert summary["grouped"] is False and summary["core_datasets"] == 3
    assert list(md.core_datasets()) == ["p", "q", "r"]
    sub = md.subset(["r", "p"])
    assert sub.folds.to_dict() == {"r": 2, "p": 2}
    assert sub.candidate_kinds == {"size": "numeric"}
    assert md.candidate_features().loc["v", "size"] == 1.0


def test_mixed_or_undeclared_candidates_are_refused():
    md = _arms_md()
    mixed = {**md.pipelines, "w": Pipeline({"architecture": "resnet18"})}
    with pytest.raises(ValueError, match="all arms or all pipelines"):
        MetaDataset(tasks=md.tasks, pipelines=mixed, perf=md.perf.assign(w=1.0))
    with pytest.raises(ValueError, match=r"\['size'\] with no declared kind"):
        MetaDataset(tasks=md.tasks, pipelines=md.pipelines, perf=md.perf)
    with pytest.raises(ValueError, match="no fold for 1 task"):
        _arms_md(folds=pd.Series([1, 2], index=["p", "q"]))


def test_to_long_and_from_long_keep_direction_cutoff_folds_and_candidate_features():
    spec = ValueSpec(name="runtime", direction="minimise", cutoff=4.0)
    md = _arms_md(values=spec, objective="runtime", folds=pd.Series([1, 2, 3], ["p", "q", "r"]))
    long = md.to_long().dropna()
    assert long.columns.tolist() == ["task_id", "pipeline_id", "runtime"]
    # perf holds scores (higher is better); to_long gives them back raw: -perf
    assert long.set_index(["task_id", "pipeline_id"])["runtime"].to_dict() == {
        ("p", "u"): -1.0,
        ("p", "v"): -2.0,
        ("q", "u"): -3.0,
        ("r", "u"): -5.0,
        ("r", "v"): -6.0,
    }
    back = MetaDataset.from_long(long, md.tasks, md.pipelines, value="runtime",
                                 objective="runtime", values=spec,
                                 candidate_kinds=md.candidate_kinds, folds=md.folds)  # fmt: skip
    pd.testing.assert_frame_equal(back.perf, md.perf, check_names=False)
    assert back.values == spec and back.folds.equals(md.folds)
    assert back.candidate_features().equals(md.candidate_features())


# ---------------------------------------------------------------------- ASlib
@pytest.fixture
def aslib(tmp_path):
    return write_tiny_aslib(tmp_path / "TINY-2026")


def test_aslib_scenario_reads_par10_by_hand_verbatim_ids_and_its_folds(aslib):
    md = read_aslib(aslib)
    assert md.objective == "runtime" and md.values.minimised and md.values.cutoff == 10.0
    assert md.task_ids == list(ASLIB_INSTANCES)  # verbatim, never cut into a group
    assert not md.has_groups and md.has_arms and md.pipeline_ids == list(ASLIB_ALGORITHMS)
    pd.testing.assert_frame_equal(md.values.raw(md.perf), ASLIB_PAR10, check_names=False)
    assert (md.perf.to_numpy() <= 0).all()  # scores: higher is better, so -PAR10
    assert md.folds.to_dict() == ASLIB_FOLDS.to_dict()
    assert md.tasks.loc["i4", "f2"] == 40.0 and np.isnan(md.tasks.loc["i3", "f2"])
    assert load_metadataset(aslib).perf.equals(md.perf)  # the loader knows the folder
    summary, _ = status(aslib)
    assert summary["values"] == "runtime (minimise, PAR10 at cutoff 10)"
    assert summary["arms"] and not summary["grouped"] and summary["folds"] == 3


def test_aslib_export_reads_back_the_same_scenario(aslib, tmp_path):
    md = read_aslib(aslib)
    out = write_aslib(md, tmp_path / "again")
    back = read_aslib(out)
    pd.testing.assert_frame_equal(back.perf, md.perf)
    pd.testing.assert_frame_equal(back.tasks, md.tasks)
    assert back.values == md.values and back.folds.equals(md.folds)
    runs = (out / "algorithm_runs.arff").read_text()
    assert "FolioSuite/benchmarks/prime-18-18.lp.gz,1,b,100.0,timeout" in runs


def test_aslib_quality_scenario_maximises_and_drops_failed_runs(aslib):
    text = (aslib / "description.txt").read_text()
    (aslib / "description.txt").write_text(
        text.replace("maximize: [false]", "maximize: [true]").replace(
            "performance_type: [runtime]", "performance_type: [solution_quality]"
        )
    )
    md = read_aslib(aslib)
    assert md.values.direction == "maximise" and md.values.cutoff is None
    assert md.perf.loc["i3", "c"] == 0.5  # maximised: the score is the value
    assert np.isnan(md.perf.loc["FolioSuite/benchmarks/prime-20-20.lp.gz", "c"])  # crashed


def test_an_aslib_folder_without_a_cutoff_or_measure_is_refused(aslib):
    text = (aslib / "description.txt").read_text()
    (aslib / "description.txt").write_text(text.replace("algorithm_cutoff_time: 10", ""))
    with pytest.raises(ArtifactError, match="algorithm_cutoff_time"):
        read_aslib(aslib)
    with pytest.raises(ArtifactError, match="not one of the scenario"):
        read_aslib(aslib, measure="quality")


# ---------------------------------------------------------------------- long tables
def test_long_tables_read_features_kinds_and_values_by_hand():
    runs, task_features, candidate_features = tiny_long_tables()
    md = read_long_tables(runs, task_features, candidate_features)
    assert md.candidate_kinds == {"family": "categorical", "params_m": "numeric"}
    assert md.pipelines["m4"].features == {"family": "convnext", "params_m": None}
    assert md.objective == "value" and md.values.direction == "maximise"
    # t3 x m2: 0.5 + 0.05 * (3 * 2 mod 7) = 0.8
    assert md.perf.loc["t3", "m2"] == pytest.approx(0.8)
    assert md.task_ids[-1] == "t8" and np.isnan(md.tasks.loc["t8", "num_classes"])
    assert not md.has_groups


def test_long_tables_with_groups_and_a_minimised_measure():
    runs, task_features, candidate_features = tiny_long_tables()
    task_features["core_dataset"] = ["g1", "g1", "g2", "g2", "g3", "g3", "g4"]
    spec = ValueSpec(name="error", direction="minimise")
    md = read_long_tables(runs.rename(columns={"value": "err"}), task_features,
                          candidate_features, values=spec, value="err")  # fmt: skip
    assert md.has_groups and md.core_datasets()["t2"] == "g1"
    assert md.perf.loc["t3", "m2"] == pytest.approx(-0.8)
    assert md.to_long().set_index(["task_id", "pipeline_id"]).loc[("t3", "m2"), "error"] == (
        pytest.approx(0.8)
    )


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_long_tables_folder_round_trip(tmp_path, fmt):
    runs, task_features, candidate_features = tiny_long_tables()
    spec = ValueSpec(name="runtime", direction="minimise", cutoff=0.7, penalty=3.0)
    md = read_long_tables(runs, task_features, candidate_features, values=spec)
    md.folds = pd.Series(np.arange(8) % 2, index=md.task_ids)
    out = write_long_tables(md, tmp_path / "tables", fmt=fmt)
    back = load_metadataset(out)
    pd.testing.assert_frame_equal(back.perf, md.perf)
    assert back.perf.loc["t3", "m2"] == pytest.approx(-2.1)  # 0.8 >= 0.7: PAR3 = 3 * 0.7
    assert back.values == md.values and back.candidate_kinds == md.candidate_kinds
    assert back.pipelines == md.pipelines and back.folds.tolist() == md.folds.tolist()


def test_self_contained_long_table_keeps_direction_cutoff_folds_and_features(aslib, tmp_path):
    runs, task_features, candidate_features = tiny_long_tables()
    arms = read_long_tables(runs, task_features, candidate_features)
    for md in (read_aslib(aslib), arms):
        path = write_long(long_from_metadataset(md), tmp_path / f"{md.objective}.csv")
        back = read_long(path)
        pd.testing.assert_frame_equal(back.perf, md.perf)
        assert back.values == md.values and back.objective == md.objective
        assert back.pipelines == md.pipelines and back.candidate_kinds == md.candidate_kinds
        assert back.has_groups == md.has_groups
        if md.folds is not None:
            assert back.folds.equals(md.folds)


def test_long_tables_name_a_missing_column():
    runs, _, _ = tiny_long_tables()
    with pytest.raises(ArtifactError, match=r"lacks column\(s\) \['value'\].*value="):
        read_long_tables(runs.rename(columns={"value": "acc"}))


def test_a_long_table_derives_groups_only_from_zap_task_ids(tmp_path):
    import json

    from zapml.space.pipeline import default_pipeline

    config = json.dumps(default_pipeline().to_dict())
    ids = ["FolioSuite/benchmarks/prime-18-18.lp.gz", "3-digits@32"]
    frame = pd.DataFrame({"task_id": ids, "pipeline_id": "p", "alc": [0.5, 0.6],
                          "pipeline_config": config})  # fmt: skip
    path = write_long(frame, tmp_path / "mixed.csv")
    assert not read_long(path).has_groups  # never '18-18.lp.gz' from a path
    write_long(frame.assign(task_id=["1-syna", "3-digits@32"]), path)
    assert read_long(path).core_datasets().tolist() == ["syna", "digits"]


def test_task_features_must_be_numbers_and_budgets_stack_per_task():
    md = _arms_md()
    md.tasks["kind"] = ["cat", "dog", None]
    with pytest.raises(ArtifactError, match=r"\['kind'\] are not numbers"):
        md.metafeatures()
    runs, task_features, candidate_features = tiny_long_tables()
    both = pd.concat([runs.assign(budget=1.0), runs.assign(budget=4.0, value=runs["value"] / 2)])
    multi = read_long_tables(both, task_features, candidate_features)
    assert multi.budgets == (1.0, 4.0)
    assert multi.at_budget(4.0).perf.loc["t3", "m2"] == pytest.approx(0.4)
    stacked = multi.stack_budgets()
    # ungrouped: each task's budgets stay together, the task being their group
    assert stacked.core_datasets()["t3@4"] == "t3" and stacked.core_datasets()["t3@1"] == "t3"
