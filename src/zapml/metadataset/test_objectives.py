"""Objectives as data: a meta-dataset scored by ``final`` (final test NAUC) or ``alc``, from a
store, a long table and a ZAP folder, checked against values worked out by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from zapml.errors import ArtifactError, PipelineError
from zapml.metadataset.loading import export, load_metadataset
from zapml.metadataset.objectives import OBJECTIVES, check_measure, check_objective
from zapml.metadataset.record import RunRecord, run_value
from zapml.metadataset.store import Store
from zapml.space import sample_pipelines

SHIPPED = Path(__file__).parent / "shipped" / "zapml-offline-v1.sqlite"


def _run(key: str, task: str, pid: str, seed: int, budget: float = 1.0, **outcome) -> RunRecord:
    outcome.setdefault("status", "ok")
    return RunRecord(cell_key=key, task_id=task, pipeline_id=pid, seed=seed, budget=budget,
                     clock="compute", **outcome)  # fmt: skip


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "m.sqlite")
    s.add_task("0-a", "a", {"num_classes": 3.0}, domain="dom")
    s.add_task("1-b", "b", {"num_classes": 5.0}, domain="dom")
    p1, p2 = sample_pipelines(2, seed=0)
    s.add_pipeline(p1, "random:x")
    s.add_pipeline(p2, "random:x")
    ids = list(s.pipelines())
    # 0-a, p1: two seeds -> mean ALC 0.3, mean final 0.6, mean accuracy 0.7
    s.add_run(_run("a", "0-a", ids[0], 0, alc=0.2, final_nauc=0.5, final_accuracy=0.6,
                   curve=((1.0, 0.5),)))  # fmt: skip
    s.add_run(_run("b", "0-a", ids[0], 1, alc=0.4, final_nauc=0.7, final_accuracy=0.8,
                   curve=((1.0, 0.7),)))  # fmt: skip
    # 0-a, p2: finished without any prediction (ALC 0, no final NAUC) -> 0 for both
    s.add_run(_run("c", "0-a", ids[1], 0, alc=0.0))
    # 1-b, p1: failed after a prediction of NAUC 0.45, accuracy 0.3 (ALC 0.1) -> 0.1, 0.45, 0.3
    s.add_run(_run("d", "1-b", ids[0], 0, status="failed", alc=0.1, final_nauc=0.45,
                   final_accuracy=0.3))  # fmt: skip
    # 1-b, p2: failed before any prediction -> 0 for both
    s.add_run(_run("e", "1-b", ids[1], 0, status="failed", error="boom"))
    # a second budget: 0-a, p1 only -> 0.5, 0.9 and accuracy 0.95
    s.add_run(_run("f", "0-a", ids[0], 0, budget=4.0, alc=0.5, final_nauc=0.9,
                   final_accuracy=0.95))  # fmt: skip
    yield s
    s.close()


def test_final_and_alc_matrices_match_the_records_by_hand(store):
    p1, p2 = list(store.pipelines())
    mds = store.to_metadataset()
    assert mds.objective == "alc" and mds.objectives == ("final", "alc")
    final = mds.for_objective("final")
    assert final.objective == "final" and final.budgets == (1.0, 4.0)
    expected_alc = {("0-a", p1): 0.3, ("0-a", p2): 0.0, ("1-b", p1): 0.1, ("1-b", p2): 0.0}
    expected_final = {("0-a", p1): 0.6, ("0-a", p2): 0.0, ("1-b", p1): 0.45, ("1-b", p2): 0.0}
    for (task, pid), value in expected_alc.items():
        assert mds.perf.loc[task, pid] == pytest.approx(value)
        assert final.perf.loc[task, pid] == pytest.approx(expected_final[(task, pid)])
    at4 = final.at_budget(4.0)
    assert at4.perf.loc["0-a", p1] == pytest.approx(0.9) and np.isnan(at4.perf.loc["1-b", p1])
    assert at4.for_objective("alc").perf.loc["0-a", p1] == pytest.approx(0.5)
    # same shapes, and switching back gives the ALC matrices again
    assert final.perf.shape == mds.perf.shape and final.pipeline_ids == mds.pipeline_ids
    back = final.for_objective("alc")
    assert back.perf.equals(mds.perf) and back.budget_perf[4.0].equals(mds.budget_perf[4.0])
    one = final.subset(["1-b"])
    assert one.objective == "final" and one.for_objective("alc").perf.loc["1-b", p1] == 0.1


def test_run_value_rules():
    assert run_value("final", "ok", 0.3, 0.8) == 0.8
    assert run_value("final", "ok", 0.0, None) == 0.0  # finished, never predicted
    assert run_value("final", "ok", 0.3, None) is None  # an imported ALC mean: no final value
    assert run_value("final", "failed", None, None) == 0.0
    assert run_value("final", "failed", 0.1, 0.45) == 0.45
    assert run_value("alc", "failed", None, 0.45) == 0.0


def test_unknown_objective_says_did_you_mean_and_lists_them(store):
    with pytest.raises(PipelineError, match=r"'fianl'.*Did you mean 'final'.*final, alc"):
        store.to_metadataset().for_objective("fianl")
    with pytest.raises(ValueError, match="final, alc"):
        check_objective("accuracy")
    assert OBJECTIVES == ("final", "alc")


def test_zap_folder_carries_alc_only_and_says_so(store, tmp_path):
    folder = export(store.path, tmp_path / "zap", fmt="zap")
    mds = load_metadataset(folder)
    assert mds.objectives == ("alc",)
    with pytest.raises(ArtifactError, match=r"only alc.*final_nauc.*ZAP folder.*--objective alc"):
        mds.for_objective("final")


def test_final_accuracy_is_held_as_a_training_target_not_an_objective(store):
    p1, p2 = list(store.pipelines())
    mds = store.to_metadataset()
    assert mds.objectives == ("final", "alc")  # what a user may ask for
    accuracy = mds.for_objective("accuracy")  # what a selector may fit (ZapHPO's ``target``)
    expected = {("0-a", p1): 0.7, ("0-a", p2): 0.0, ("1-b", p1): 0.3, ("1-b", p2): 0.0}
    for (task, pid), value in expected.items():
        assert accuracy.perf.loc[task, pid] == pytest.approx(value)
    assert accuracy.at_budget(4.0).perf.loc["0-a", p1] == pytest.approx(0.95)
    assert accuracy.for_objective("final").perf.loc["0-a", p1] == pytest.approx(0.6)
    assert run_value("accuracy", "ok", 0.0, None) == 0.0  # finished, never predicted
    assert run_value("accuracy", "failed", 0.1, 0.3) == 0.3
    assert check_measure("accuracy") == "accuracy" and check_measure("final") == "final"
    with pytest.raises(PipelineError, match="Unknown measure 'acurracy'. Did you mean 'accuracy'"):
        check_measure("acurracy")


def test_long_table_carries_final_when_it_has_the_column(store, tmp_path):
    table = export(store.path, tmp_path / "runs.csv", fmt="csv")
    mds = load_metadataset(table)
    want = store.to_metadataset()
    assert mds.objectives == ("final", "alc")
    for budget in want.budgets:
        got = mds.for_objective("final").budget_perf[budget]
        expected = want.for_objective("final").budget_perf[budget]
        np.testing.assert_allclose(got.to_numpy(), expected.to_numpy())
        got = mds.for_objective("accuracy").budget_perf[budget]
        expected = want.for_objective("accuracy").budget_perf[budget]
        np.testing.assert_allclose(got.to_numpy(), expected.to_numpy())
    # without the column, a long table carries ALC only
    import pandas as pd

    frame = pd.read_csv(table).drop(columns=["final_nauc"])
    frame.to_csv(tmp_path / "alc_only.csv", index=False)
    assert load_metadataset(tmp_path / "alc_only.csv").objectives == ("alc",)


def test_shipped_final_matrix_is_the_mean_final_nauc_of_its_records():
    with Store(SHIPPED, create=False) as s:
        records = s.records()
        mds = s.to_metadataset(with_curves=False).for_objective("final")
    cells: dict[tuple[str, str], list[float]] = {}
    for r in records:
        final = r.final_nauc
        if final is None:  # no prediction (ALC 0) or failed: 0 by the one failed-run rule
            assert r.alc == 0.0 or not r.ok
            final = 0.0
        cells.setdefault((r.task_id, r.pipeline_id), []).append(final)
    assert mds.num_runs_filled == len(cells)
    for (task, pid), values in cells.items():
        assert math.isclose(mds.perf.loc[task, pid], sum(values) / len(values), abs_tol=1e-12)
