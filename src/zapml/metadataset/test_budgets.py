"""Budget as a dimension: a real multi-budget build (fake cells), then every reader and writer.

The tiny spec: 2 core datasets x 2 tasks = 4 tasks, 4 Sobol pipelines, budgets 1, 2 and 4 at
densities 1, 1/2 and 1/4, so 4, 2 and 1 pipelines per task: 16, 8 and 4 cells (28 in all).
``budget_fit``'s ALC depends on (task, pipeline, seed, budget), so each value says its budget.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from zapml.cli.app import app
from zapml.errors import ArtifactError
from zapml.metadataset import build, export, import_, load_metadataset, status
from zapml.metadataset.metadataset import MetaDataset
from zapml.metadataset.plots import heatmap_panels, plot_heatmap
from zapml.metadataset.spec import SpecError
from zapml.metadataset.store import open_store
from zapml.metadataset.testing import budget_alc, budget_fit

BUDGETS = (1.0, 2.0, 4.0)
CELLS = {1.0: 16, 2.0: 8, 4.0: 4}
DENSITY = {1: 1.0, 2: 0.5, 4: 0.25}
runner = CliRunner()


@pytest.fixture
def built(write_spec, tmp_path):
    spec = write_spec(budgets=[4, 1, 2], density=DENSITY)
    db = tmp_path / "multi.sqlite"
    report = build(spec, db, workers=0, progress=False, cell_fn=budget_fit)
    return report, db


def _filled(perf: pd.DataFrame) -> set[tuple[str, str]]:
    return set(perf.stack().dropna().index)


def _assert_same_budgets(got: MetaDataset, want: MetaDataset, decimals: int | None = None):
    assert got.budgets == want.budgets
    for b in want.budgets:
        expect = want.at_budget(b).perf
        expect = expect.round(decimals) if decimals is not None else expect
        actual = got.at_budget(b).perf.reindex(index=expect.index, columns=expect.columns)
        np.testing.assert_allclose(actual.to_numpy(), expect.to_numpy())


def test_build_plans_fewer_nested_cells_at_larger_budgets(built):
    report, db = built
    assert (report.planned, report.done, report.failed) == (28, 28, 0)
    assert report.planned_by_budget == CELLS
    mds = load_metadataset(db)
    assert mds.budgets == BUDGETS
    levels = [mds.at_budget(b) for b in BUDGETS]
    assert [lv.num_runs_filled for lv in levels] == [16, 8, 4]
    assert _filled(levels[2].perf) <= _filled(levels[1].perf) <= _filled(levels[0].perf)
    for b, level in zip(BUDGETS, levels, strict=True):
        assert level.budgets == (b,) and level.perf.shape == (4, 4)
        for (task, pid), value in level.perf.stack().dropna().items():
            assert value == pytest.approx(budget_alc(task, pid, 0, b))
        assert set(level.curves) == _filled(level.perf)  # each budget's own curves
        assert level.curves[next(iter(level.curves))][-1][0] == pytest.approx(b / 100)
    pd.testing.assert_frame_equal(mds.perf, levels[0].perf)  # budget-blind view: smallest
    assert mds.curves == levels[0].curves
    assert mds.without_core_dataset("syna").at_budget(4).perf.shape == (2, 4)
    with pytest.raises(ArtifactError, match="no runs at budget 3.*1, 2, 4"):
        mds.at_budget(3)


def test_long_view_has_a_budget_column(built):
    mds = load_metadataset(built[1])
    long = mds.to_long(by_budget=True)
    assert list(long.columns) == ["task_id", "pipeline_id", "budget", "alc"]
    assert long["budget"].value_counts().to_dict() == CELLS
    assert list(mds.to_long().columns) == ["task_id", "pipeline_id", "alc"]  # as before
    assert len(mds.to_long()) == 16


def test_zap_export_is_one_folder_per_budget_and_reads_back(built, tmp_path):
    _, db = built
    mds = load_metadataset(db)
    out = export(db, tmp_path / "zap", "zap")
    assert sorted(p.name for p in out.iterdir()) == ["budget-1", "budget-2", "budget-4"]
    for b, n in CELLS.items():
        perf = pd.read_csv(out / f"budget-{b:g}" / "perf_matrix.csv", index_col=0)
        assert perf.shape == (4, 4) and int(perf.notna().to_numpy().sum()) == n
        assert len(list((out / f"budget-{b:g}" / "configs").iterdir())) == 4
    back = load_metadataset(out)
    _assert_same_budgets(back, mds, decimals=5)
    assert list(back.tasks.index) == list(mds.tasks.index)
    assert back.pipelines == mds.pipelines


def test_a_one_budget_zap_export_is_one_folder_as_before(write_spec, tmp_path):
    spec = write_spec(budget=2)
    db = tmp_path / "one.sqlite"
    build(spec, db, workers=0, progress=False, cell_fn=budget_fit)
    assert load_metadataset(db).budgets == (2.0,)
    out = export(db, tmp_path / "zap", "zap")
    names = sorted(p.name for p in out.iterdir())
    assert names == ["configs", "cv_folds.csv", "meta_features.csv", "perf_matrix.csv"]
    assert load_metadataset(out).budgets == ()  # ZAP's layout has no budget


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_long_tables_keep_the_budget_both_ways(built, tmp_path, fmt):
    _, db = built
    mds = load_metadataset(db)
    out = export(db, tmp_path / "long", fmt)
    frame = pd.read_parquet(out) if fmt == "parquet" else pd.read_csv(out)
    assert len(frame) == 28 and frame["budget"].value_counts().to_dict() == CELLS
    _assert_same_budgets(load_metadataset(out), mds)
    # a table made from a meta-dataset without runs (the ZAP folders) keeps budgets too
    zap = export(db, tmp_path / "zap", "zap")
    from_zap = export(zap, tmp_path / "from_zap", fmt)
    frame = pd.read_parquet(from_zap) if fmt == "parquet" else pd.read_csv(from_zap)
    assert frame["budget"].value_counts().to_dict() == CELLS
    _assert_same_budgets(load_metadataset(from_zap), mds, decimals=5)


def test_import_keeps_budgets_and_skips_what_it_holds(built, tmp_path):
    _, db = built
    mds = load_metadataset(db)
    zap = export(db, tmp_path / "zap", "zap")
    target = tmp_path / "imported.sqlite"
    assert import_(zap, target)["runs_added"] == 28  # one mean per (task, pipeline, budget)
    assert import_(zap, target)["runs_added"] == 0
    _assert_same_budgets(load_metadataset(target), mds, decimals=5)
    long = export(db, tmp_path / "runs.csv", "csv")
    counts = import_(long, tmp_path / "from_long.sqlite")
    assert (counts["runs_added"], counts["runs_skipped"]) == (28, 0)
    # the store's own runs are the same cells as their ZAP means: nothing added
    assert import_(long, target)["runs_added"] == 0
    # a table of cell means (no seed, no clock, no cell key): one run per (cell, budget)
    means = export(zap, tmp_path / "means.csv", "csv")
    assert "cell_key" not in pd.read_csv(means).columns
    into = tmp_path / "from_means.sqlite"
    assert import_(means, into)["runs_added"] == 28
    _assert_same_budgets(load_metadataset(into), mds, decimals=5)


def test_status_counts_cells_and_density_per_budget(built):
    _, db = built
    summary, table = status(db)
    assert summary["budgets"] == list(BUDGETS)
    assert summary["per_budget"] == {
        1.0: {"cells_filled": 16, "cells_total": 16, "density": 1.0, "runs": 16},
        2.0: {"cells_filled": 8, "cells_total": 16, "density": 0.5, "runs": 8},
        4.0: {"cells_filled": 4, "cells_total": 16, "density": 0.25, "runs": 4},
    }
    assert (summary["cells_filled"], summary["cells_total"]) == (28, 48)
    assert summary["density"] == round(28 / 48, 4) and summary["runs"] == 28
    result = runner.invoke(app, ["metadataset", "status", str(db)])
    assert result.exit_code == 0, result.output
    assert "budget 2" in result.output and "8 / 16 cells (density 50.0%), 8 runs" in result.output


def test_heatmap_has_a_panel_per_budget_or_the_one_asked(built, tmp_path):
    _, db = built
    mds = load_metadataset(db)
    assert [label for label, _ in heatmap_panels(mds)] == ["budget 1", "budget 2", "budget 4"]
    ((label, only),) = heatmap_panels(mds, 2)
    assert label == "budget 2" and only.num_runs_filled == 8
    png = plot_heatmap(mds, tmp_path / "all.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    one = tmp_path / "two.png"
    result = runner.invoke(app, ["metadataset", "plot", str(db), "-o", str(one), "--budget", "2"])
    assert result.exit_code == 0 and one.read_bytes()[:4] == b"\x89PNG"
    bad = runner.invoke(app, ["metadataset", "plot", str(db), "-o", str(one), "--budget", "3"])
    assert bad.exit_code == 2 and "no runs at budget 3" in bad.output


def test_a_one_budget_store_grows_into_more_budgets_without_rerunning(write_spec, tmp_path):
    db = tmp_path / "grow.sqlite"
    first = build(write_spec("one.yaml", budget=1, density=0.5), db, workers=0, progress=False,
                  cell_fn=budget_fit)  # fmt: skip
    assert first.planned == 8  # 4 tasks x 2 of 4 pipelines
    more = write_spec("more.yaml", budgets=[1, 2], density={1: 0.5, 2: 0.25})
    grown = build(more, db, workers=0, progress=False, cell_fn=budget_fit, force=True)
    assert (grown.planned, grown.skipped, grown.done) == (12, 8, 4)
    mds = load_metadataset(db)
    assert mds.budgets == (1.0, 2.0)
    assert _filled(mds.at_budget(2).perf) <= _filled(mds.at_budget(1).perf)


def test_runs_without_a_budget_among_several_are_refused():
    tasks = pd.DataFrame({"core_dataset": ["c"]}, index=pd.Index(["0-c"]))
    runs = pd.DataFrame({"task_id": ["0-c"] * 3, "pipeline_id": ["p"] * 3,
                         "budget": [1.0, 2.0, np.nan], "alc": [0.1, 0.2, 0.3]})  # fmt: skip
    from zapml.space import sample_pipelines

    pipeline = sample_pipelines(1, seed=0)[0]
    with pytest.raises(ArtifactError, match="1 run\\(s\\) have no budget"):
        MetaDataset.from_long(runs, tasks, {"p": pipeline})
    one = MetaDataset.from_long(runs[runs["budget"] != 2.0], tasks, {"p": pipeline})
    assert one.budgets == (1.0,) and one.perf.loc["0-c", "p"] == pytest.approx(0.2)  # as before
    with pytest.raises(ValueError, match="smallest budget"):
        MetaDataset(tasks=tasks, pipelines={"p": pipeline}, perf=one.perf + 1,
                    budget_perf={1.0: one.perf})  # fmt: skip


def test_a_build_can_run_some_tasks_first_and_the_rest_later(write_spec, tmp_path):
    spec = write_spec(budgets=[4, 1, 2], density=DENSITY)
    db = tmp_path / "first.sqlite"
    whole = tmp_path / "whole.sqlite"
    everything = build(spec, whole, workers=0, progress=False, cell_fn=budget_fit)
    stored = load_metadataset(whole).budget_perf
    first_task = sorted(stored[1.0].index)[0]
    # the cells the one-go build stored for that task, counted from its matrices
    own = sum(int(f.loc[first_task].notna().sum()) for f in stored.values())
    some = build(spec, db, workers=0, progress=False, cell_fn=budget_fit, task_ids=[first_task],
                 budgets=[1, 2, 4])  # fmt: skip
    assert (some.planned, some.done) == (everything.planned, own)
    assert some.deferred == everything.planned - own
    runs_of = load_metadataset(db).perf.notna().any(axis=1)  # every task is registered
    assert set(runs_of[runs_of].index) == {first_task}
    rest = build(spec, db, workers=0, progress=False, cell_fn=budget_fit)
    assert (rest.skipped, rest.done, rest.deferred) == (own, everything.planned - own, 0)
    _assert_same_budgets(load_metadataset(db), load_metadataset(whole))


def test_a_task_the_spec_does_not_plan_is_refused_with_a_suggestion(write_spec, tmp_path):
    spec = write_spec(budgets=[4, 1, 2], density=DENSITY)
    db = tmp_path / "m.sqlite"
    ids = sorted(load_metadataset(_built(spec, tmp_path)).task_ids)
    typo = ids[0] + "x"
    with pytest.raises(SpecError, match=f"did you mean {ids[0]}"):
        build(spec, db, workers=0, progress=False, cell_fn=budget_fit, task_ids=[typo])
    assert not db.exists()  # refused before the store is made


def test_a_build_can_run_some_pipelines_first_and_the_rest_later(write_spec, tmp_path):
    spec = write_spec(budgets=[4, 1, 2], density=DENSITY)
    whole = tmp_path / "whole.sqlite"
    everything = build(spec, whole, workers=0, progress=False, cell_fn=budget_fit)
    stored = load_metadataset(whole).budget_perf
    pipeline, task = sorted(stored[1.0].columns)[0], sorted(stored[1.0].index)[0]
    db = tmp_path / "first.sqlite"
    # at budget 1 (density 1) every task runs every pipeline once: that pair is one cell
    one = build(spec, db, workers=0, progress=False, cell_fn=budget_fit, pipeline_ids=[pipeline],
                task_ids=[task], budgets=[1])  # fmt: skip
    assert (one.done, one.deferred) == (1, everything.planned - 1)
    own = sum(int(f[pipeline].notna().sum()) for f in stored.values())  # its cells, all budgets
    mine = build(spec, db, workers=0, progress=False, cell_fn=budget_fit, pipeline_ids=[pipeline])
    assert (mine.skipped, mine.done, mine.deferred) == (1, own - 1, everything.planned - own)
    ran = {p for f in load_metadataset(db).budget_perf.values() for p in f.dropna(axis=1).columns}
    assert ran == {pipeline}
    rest = build(spec, db, workers=0, progress=False, cell_fn=budget_fit)
    assert (rest.skipped, rest.done, rest.deferred) == (own, everything.planned - own, 0)
    _assert_same_budgets(load_metadataset(db), load_metadataset(whole))


def test_a_pipeline_the_spec_does_not_gather_is_refused_before_any_cell_runs(write_spec, tmp_path):
    spec = write_spec(budgets=[4, 1, 2], density=DENSITY)
    pipeline = sorted(load_metadataset(_built(spec, tmp_path)).pipelines)[0]
    db = tmp_path / "m.sqlite"
    typo = pipeline[:-1] + ("0" if pipeline[-1] != "0" else "1")
    with pytest.raises(SpecError, match=f"did you mean {pipeline}"):
        build(spec, db, workers=0, progress=False, cell_fn=budget_fit, pipeline_ids=[typo])
    with open_store(db, create=False) as store:
        assert store.counts()["runs"] == 0  # refused once the candidates were known, none run


def _built(spec, tmp_path):
    db = tmp_path / "built.sqlite"
    build(spec, db, workers=0, progress=False, cell_fn=budget_fit)
    return db


def test_a_build_can_run_some_budgets_first_and_the_rest_later(write_spec, tmp_path):
    spec = write_spec(budgets=[4, 1, 2], density=DENSITY)
    db = tmp_path / "first.sqlite"
    large = build(spec, db, workers=0, progress=False, cell_fn=budget_fit, budgets=[4, 2.0])
    assert (large.planned, large.done, large.deferred) == (28, 8 + 4, 16)
    assert load_metadataset(db).budgets == (2.0, 4.0)
    rest = build(spec, db, workers=0, progress=False, cell_fn=budget_fit)
    assert (rest.skipped, rest.done, rest.deferred) == (12, 16, 0)
    # the cells a one-go build stores, with the same values (budget_fit is deterministic)
    whole = tmp_path / "whole.sqlite"
    build(spec, whole, workers=0, progress=False, cell_fn=budget_fit)
    _assert_same_budgets(load_metadataset(db), load_metadataset(whole))


def test_a_budget_the_spec_does_not_plan_is_refused_before_any_work(write_spec, tmp_path):
    spec = write_spec(budgets=[1, 2], density={1: 1.0, 2: 0.5})
    db = tmp_path / "bad.sqlite"
    with pytest.raises(SpecError, match="Budget\\(s\\) 3 are not in the spec .* budgets 1, 2"):
        build(spec, db, workers=0, progress=False, cell_fn=budget_fit, budgets=[3])
    bad = runner.invoke(app, ["metadataset", "build", str(spec), "--db", str(db), "--budget", "3"])
    assert bad.exit_code != 0 and "plans budgets 1, 2" in bad.output
    assert not db.exists()


def test_a_focused_budget_grows_a_store_built_without_it(write_spec, tmp_path):
    # 2 cores x 2 tasks, 4 pipelines; budget 2 at density 1/2 everywhere, then focused on one
    # task per core with all 4 pipelines (density 1): 2 tasks x 4 cells instead of 4 x 2
    db = tmp_path / "focus.sqlite"
    build(write_spec("plain.yaml", budgets=[1, 2], density={1: 1.0, 2: 0.5}), db, workers=0,
          progress=False, cell_fn=budget_fit)  # fmt: skip
    spec = write_spec("focus.yaml", budgets=[1, 2], density={1: 1.0, 2: 1.0},
                      focus_tasks_per_core={2: 1})  # fmt: skip
    report = build(spec, db, workers=0, progress=False, cell_fn=budget_fit, force=True)
    assert report.planned_by_budget == {1.0: 16, 2.0: 8}
    # kept: all 16 at budget 1 and the 2 budget-2 cells each focused task already had
    assert (report.skipped, report.done) == (16 + 2 * 2, 4)
    at2 = load_metadataset(db).at_budget(2).perf.notna().sum(axis=1)
    focused = at2[at2 == 4].index
    assert len(focused) == 2 and {t.split("-", 1)[1] for t in focused} == {"syna", "synb"}
    assert (at2.drop(focused) == 2).all()  # the other tasks keep what the first build stored
