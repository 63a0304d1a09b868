import numpy as np
import pandas as pd
import pytest

from zapml.metadataset import build, export, import_, load_metadataset, plot_heatmap, status
from zapml.metadataset.plots import heatmap_order
from zapml.metadataset.testing import flaky_fit


@pytest.fixture
def db(write_spec, tmp_path):
    spec = write_spec(candidates=[{"source": "random", "n": 5, "seed": 3},
                                  {"source": "incumbents", "n_trials": 4, "min_budget": 1,
                                   "max_budget": 3, "tasks": ["1-syna"]}],
                      repeats=2, density=0.75)  # fmt: skip
    path = tmp_path / "m.sqlite"
    build(spec, path, workers=0, progress=False, cell_fn=flaky_fit)
    return path


def test_zap_export_import_gives_the_same_matrix(db, tmp_path):
    mds = load_metadataset(db)
    out = export(db, tmp_path / "zap", "zap")
    perf_text = pd.read_csv(out / "perf_matrix.csv", index_col=0, dtype=str)
    inc_pid, inc_task = next(iter(mds.incumbent_of.items()))
    assert inc_task in perf_text.columns  # incumbents are named by their task
    cell = perf_text.stack().iloc[0]
    assert len(cell.split(".")[1]) == 5  # %.5f
    folds = pd.read_csv(out / "cv_folds.csv", index_col=0)["fold"]
    assert folds.groupby(mds.core_datasets()).nunique().max() == 1  # one fold per core
    assert set(folds) <= {1, 2, 3, 4, 5}
    back = load_metadataset(out)
    assert list(back.perf.index) == list(mds.perf.index)
    assert list(back.perf.columns) == list(mds.perf.columns)  # configs give the same ids
    np.testing.assert_allclose(back.perf.to_numpy(), mds.perf.round(5).to_numpy(), atol=0)
    assert back.incumbent_of == mds.incumbent_of
    pd.testing.assert_frame_equal(back.metafeatures(), mds.metafeatures())
    assert list(back.core_datasets()) == list(mds.core_datasets())
    assert back.pipelines == mds.pipelines


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_long_table_round_trip_keeps_runs(db, tmp_path, fmt):
    out = export(db, tmp_path / "long", fmt)
    frame = pd.read_parquet(out) if fmt == "parquet" else pd.read_csv(out)
    mds = load_metadataset(db)
    assert len(frame) == mds.num_runs_filled * 2  # one row per run (2 seeds), failed ones too
    assert {"task_id", "pipeline_id", "seed", "alc", "mf_num_classes", "core_dataset"} <= set(frame)
    back = load_metadataset(out)
    got = back.perf.reindex(index=mds.perf.index, columns=mds.perf.columns)
    np.testing.assert_allclose(got.to_numpy(), mds.perf.to_numpy())
    assert back.incumbent_of == mds.incumbent_of


def test_import_into_a_new_store_is_idempotent(db, tmp_path):
    export(db, tmp_path / "zap", "zap")
    target = tmp_path / "imported.sqlite"
    first = import_(tmp_path / "zap", target)
    assert first["runs_added"] == load_metadataset(db).num_runs_filled
    assert import_(tmp_path / "zap", target)["runs_added"] == 0
    got = load_metadataset(target)
    np.testing.assert_allclose(got.perf.to_numpy(), load_metadataset(db).perf.round(5).to_numpy())
    long = export(db, tmp_path / "l.parquet", "parquet")
    counts = import_(long, tmp_path / "from_long.sqlite")
    assert counts["runs_added"] == len(pd.read_parquet(long))


def test_status_counts(db):
    summary, table = status(db)
    mds = load_metadataset(db)
    runs = pd.read_sql("SELECT status FROM runs", __import__("sqlite3").connect(db))
    assert summary["tasks"] == 4 and summary["core_datasets"] == 2 and summary["domains"] == 2
    assert summary["pipelines"] == len(mds.pipelines) == 6
    assert summary["runs"] == len(runs)
    assert summary["failed"] == int((runs["status"] != "ok").sum())
    assert summary["cells_filled"] == mds.num_runs_filled
    assert summary["density"] == pytest.approx(mds.num_runs_filled / 24, abs=1e-4)
    assert sum(summary["architectures"].values()) == 6
    scratch = sum(p.architecture.endswith(".scratch") for p in mds.pipelines.values())
    assert summary["from_scratch_pipelines"] == scratch
    assert table.row_count >= 8


def test_heatmap_png(db, tmp_path):
    mds = load_metadataset(db)
    rows, cols = heatmap_order(mds)
    cores = [mds.core_datasets()[t] for t in rows]
    assert cores == sorted(cores)  # grouped by core dataset
    means = mds.perf.mean()[cols].to_numpy()
    assert np.all(np.diff(means[~np.isnan(means)]) <= 0)  # best pipelines first
    out = plot_heatmap(mds, tmp_path / "h.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
