"""`--objective` on `zap selector train`, `recommend`, `benchmark` and `fit`: the default is
final, unknown names exit 2 with the list, a selector for another objective is refused naming
both, and the benchmark report says which objective it scored."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from zapml.cli.app import app
from zapml.cli.test_cli import _tiny_npz
from zapml.metadataset import load_metadataset
from zapml.selectors import load_selector

runner = CliRunner()
SHIPPED_MDS = Path(__file__).parents[1] / "metadataset" / "shipped" / "zapml-offline-v1.sqlite"


@pytest.fixture(scope="module")
def final_selector(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sel") / "final"
    result = runner.invoke(
        app, ["selector", "train", str(SHIPPED_MDS), "-o", str(out), "--method", "single_best"]
    )
    assert result.exit_code == 0, result.output
    assert "objective final (final test NAUC" in result.output
    return out


def test_selector_train_defaults_to_final_and_records_it(final_selector):
    selector = load_selector(final_selector)
    assert selector.objective_ == "final"
    final = load_metadataset(SHIPPED_MDS).for_objective("final")
    query = {"num_classes": 2.0, "num_channels": 1.0, "num_train": 100.0, "resolution_0": 28.0}
    best = selector.pipeline_ids_[int(selector.rank(query).argmax())]
    assert best == final.perf.mean().idxmax()  # single best by mean final NAUC


@pytest.mark.parametrize("command", ["selector train", "recommend", "benchmark", "fit"])
def test_unknown_objective_exits_2_with_the_list(command, tmp_path):
    target = str(SHIPPED_MDS)
    if command in ("recommend", "fit"):
        target = str(_tiny_npz(tmp_path / "tiny.npz"))
    args = [*command.split(), target, "--objective", "fianl"]
    if command == "selector train":
        args += ["-o", str(tmp_path / "s")]
    if command == "fit":
        args += ["-o", str(tmp_path / "o")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Did you mean 'final'" in result.output and "final, alc" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "o").exists()


def test_zap_folder_needs_objective_alc(tmp_path):
    from zapml.metadataset.io_zap import export_zap
    from zapml.selectors import make_synthetic_metadataset

    export_zap(make_synthetic_metadataset(2, 3, 5, seed=0), tmp_path / "mds")
    result = runner.invoke(app, ["selector", "train", str(tmp_path / "mds"), "-o", "x"])
    assert result.exit_code == 2, result.output
    assert "only alc" in result.output and "--objective alc" in result.output


def test_recommend_and_fit_refuse_a_selector_of_another_objective(final_selector, tmp_path):
    data = str(_tiny_npz(tmp_path / "tiny.npz"))
    result = runner.invoke(app, ["recommend", data, "--selector", str(final_selector),
                                 "--objective", "alc"])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "'final'" in result.output and "'alc' was asked" in result.output
    assert "--objective final" in result.output and "zap selector train" in result.output
    out = tmp_path / "o"
    result = runner.invoke(app, ["fit", data, "--selector", str(final_selector), "--objective",
                                 "alc", "-o", str(out)])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "'alc' was asked" in result.output and not out.exists()
    result = runner.invoke(app, ["recommend", data, "--selector", str(final_selector)])
    assert result.exit_code == 0, result.output
    assert "optimising final (final test NAUC" in result.output


def test_benchmark_scores_and_reports_the_objective(tmp_path):
    out = tmp_path / "report"
    args = ["benchmark", str(SHIPPED_MDS), "--seeds", "1", "--methods", "single_best"]
    result = runner.invoke(app, [*args, "-o", str(out), "--objective", "final"])
    assert result.exit_code == 0, result.output
    assert "mean final NAUC" in result.output
    assert (out / "summary.md").read_text().startswith("Objective: final (final test NAUC")
    records = pd.read_csv(out / "records.csv")
    assert set(records["objective"]) == {"final"}
    final = load_metadataset(SHIPPED_MDS).for_objective("final").perf
    chosen = records[records["selector"] == "single_best"]
    for task, pid, value in zip(chosen["task_id"], chosen["chosen_pipeline"],
                                chosen["chosen_alc"], strict=True):  # fmt: skip
        assert value == pytest.approx(final.loc[task, pid])


@pytest.mark.slow
def test_fit_says_which_objective_the_choice_optimises(tmp_path):
    data = str(_tiny_npz(tmp_path / "tiny.npz"))
    result = runner.invoke(app, ["fit", data, "--budget", "3", "--clock", "compute",
                                 "--no-progress", "-o", str(tmp_path / "o")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "selector in" in result.output and "shipped/final" in result.output
    assert "optimising final (final test NAUC" in result.output
