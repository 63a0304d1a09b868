"""The CLI on a meta-dataset that is not about images: a long table (written by io_long) whose
tasks are described by two made-up features, `selector train` -> `benchmark` under each protocol
-> `recommend --features FILE`, with no image data anywhere.

The candidates are plain pipelines of the space (``sample_pipelines``): arms with their own
features (issue 10, item 1) come with the generic-candidates importer."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from zapml.cli.app import app
from zapml.metadataset.io_long import long_from_metadataset, write_long
from zapml.metadataset.metadataset import MetaDataset
from zapml.space import sample_pipelines

runner = CliRunner()
#: a saved selector checks each candidate's id against its content hash (``artifacts``), so the
#: ids are the pipelines' own
PIPES = sample_pipelines(3, seed=1)
P0, P1, P2 = CANDIDATES = [p.id for p in PIPES]
#: group "small" (cores a, b) is won by p0, group "large" (cores c, d) by p1; p2 is middling
SMALL, LARGE = [0.9, 0.1, 0.5], [0.1, 0.9, 0.5]


@pytest.fixture(scope="module")
def table(tmp_path_factory) -> Path:
    ids = [f"t{i}" for i in range(8)]
    tasks = pd.DataFrame(
        {
            "core_dataset": ["a", "a", "b", "b", "c", "c", "d", "d"],
            "n_vars": [1.0, 2.0, 3.0, 4.0, 100.0, 101.0, 102.0, 103.0],
            "n_clauses": [10.0, 11.0, 12.0, 13.0, 500.0, 510.0, 520.0, 530.0],
        },
        index=ids,
    )
    perf = pd.DataFrame([SMALL] * 4 + [LARGE] * 4, index=ids, columns=CANDIDATES)
    md = MetaDataset(tasks, dict(zip(CANDIDATES, PIPES, strict=True)), perf)
    return write_long(long_from_metadataset(md), tmp_path_factory.mktemp("md") / "runs.csv")


@pytest.fixture(scope="module")
def knn(table, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sel") / "knn"
    args = ["selector", "train", str(table), "-o", str(out), "--method", "knn"]
    result = runner.invoke(app, [*args, "--objective", "alc"])
    assert result.exit_code == 0, result.output
    assert "8 tasks x 3 pipelines" in result.output
    return out


def _recommend(knn: Path, *args: str) -> tuple[int, str]:
    base = ["recommend", "--selector", str(knn), "--objective", "alc", "--top", "2"]
    result = runner.invoke(app, [*base, *args])
    return result.exit_code, " ".join(result.output.split())


def test_recommend_ranks_each_row_of_a_feature_csv(knn, tmp_path):
    rows = tmp_path / "tasks.csv"
    rows.write_text("task_id,n_vars,n_clauses\nsmallish,2.5,11.5\nlargish,101.5,515\n")
    code, out = _recommend(knn, "--features", str(rows))
    assert code == 0, out
    # the 5 nearest of a small query are the 4 small tasks and one large: p0 averages
    # (4 * .9 + .1) / 5 = .74 against p2's .5; mirrored for the large query, p1 first
    small, large = out.index("smallish: top 2"), out.index("largish: top 2")
    assert small < large
    assert f"│ 1 │ {P0}" in out[small:large] and f"│ 2 │ {P2}" in out[small:large]
    assert f"│ 1 │ {P1}" in out[large:] and f"│ 2 │ {P2}" in out[large:]
    assert "architecture" in out  # plain pipelines have one; the column is shown


def test_recommend_reads_one_json_object(knn, tmp_path):
    one = tmp_path / "task.json"
    one.write_text(json.dumps({"n_vars": 102, "n_clauses": 520}))
    code, out = _recommend(knn, "--features", str(one), "--save", str(tmp_path / "best.yaml"))
    assert code == 0, out
    assert "row 1: top 2" in out and f"│ 1 │ {P1}" in out
    assert (tmp_path / "best.yaml").is_file()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("n_vars\n3\n", "missing column(s) ['n_clauses']"),
        ("n_vars,n_clauses,colour\n3,4,red\n", "unknown column(s) ['colour']"),
        ("n_vars,n_clauses\nthree,4\n", "column(s) ['n_vars'] hold values that are not numbers"),
    ],
)
def test_feature_file_errors_name_the_columns(knn, tmp_path, content, message):
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    code, out = _recommend(knn, "--features", str(bad))
    assert code == 2 and message in out and "Traceback" not in out
    assert "['n_vars', 'n_clauses']" in out or "not numbers" in out  # what it was trained on


def test_recommend_wants_data_or_features_not_both(knn, tmp_path):
    code, out = _recommend(knn)
    assert code == 2 and "exactly one of them" in out
    code, out = _recommend(knn, "digits", "--features", str(tmp_path / "x.csv"))
    assert code == 2 and "exactly one of them" in out


def _benchmark(table: Path, out: Path, *args: str) -> tuple[int, str]:
    base = ["benchmark", str(table), "-o", str(out), "--objective", "alc"]
    result = runner.invoke(app, [*base, "--methods", "single_best,knn", *args])
    return result.exit_code, " ".join(result.output.split())


def test_benchmark_kfold_writes_per_task_results(table, tmp_path):
    per_task = tmp_path / "per_task_copy.csv"
    args = ["--protocol", "kfold", "--folds", "4", "--seeds", "2", "--per-task", str(per_task)]
    code, out = _benchmark(table, tmp_path / "out", *args)
    assert code == 0, out
    assert "protocol kfold" in out and "Mean ± std over 2 seeds" in out
    rows = pd.read_csv(per_task)
    assert len(rows) == 8 * 3 * 2  # tasks x (single_best, knn, oracle) x seeds
    assert (rows.groupby(["selector", "seed"])["task_id"].nunique() == 8).all()
    assert (rows["regret"] == rows["oracle_value"] - rows["value"]).all()
    assert rows[rows["selector"] == "oracle"]["regret"].eq(0).all()
    pd.testing.assert_frame_equal(rows, pd.read_csv(tmp_path / "out" / "per_task.csv"))
    assert (tmp_path / "out" / "summary_over_seeds.csv").is_file()


def test_benchmark_groups_is_the_default(table, tmp_path):
    code, out = _benchmark(table, tmp_path / "out", "--seeds", "1")
    assert code == 0, out
    assert "protocol groups" in out and "held out d" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--protocol", "folds"], "has none. Use --protocol groups"),
        (["--protocol", "kfold", "--folds", "9"], "needs at least 9 tasks"),
        (["--folds", "3"], "--folds sets K of --protocol kfold"),
        (["--protocol", "loo"], "Unknown protocol 'loo'"),
    ],
)
def test_benchmark_protocol_errors(table, tmp_path, args, message):
    code, out = _benchmark(table, tmp_path / "out", *args)
    assert code == 2 and message in out and "Traceback" not in out
