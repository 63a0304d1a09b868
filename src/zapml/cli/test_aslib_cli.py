"""The CLI on an imported ASlib runtime scenario (PAR10, minimised, its own folds), with no
adaptation: `selector train` -> `recommend --features` -> `benchmark --protocol folds`.

Expected values are worked out by hand from ``generic_testing.ASLIB_PAR10``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from zapml.cli.app import app
from zapml.metadataset.generic_testing import ASLIB_PAR10, write_tiny_aslib

runner = CliRunner()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    return write_tiny_aslib(tmp_path_factory.mktemp("aslib") / "TINY-2026")


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())


def test_train_then_recommend_on_features(scenario, tmp_path):
    # PAR10 sums over all six instances: a 120, b 121.5, c 220.4 -> single best is a
    out = tmp_path / "sb"
    code, text = _run("selector", "train", str(scenario), "-o", str(out), "--method", "single_best")
    assert code == 0, text
    assert "runtime" in text and "6 tasks x 3 pipelines" in text
    features = tmp_path / "f.csv"
    pd.DataFrame({"f1": [2.5], "f2": [25.0]}).to_csv(features, index=False)
    code, text = _run("recommend", "--selector", str(out), "--features", str(features))
    assert code == 0, text
    assert text.index(" a ") < text.index(" b ") < text.index(" c ")


def test_an_image_objective_on_a_declared_measure_is_refused(scenario, tmp_path):
    args = ("selector", "train", str(scenario), "-o", str(tmp_path / "x"), "--objective", "alc")
    code, text = _run(*args)
    assert code == 2 and "holds one measure, 'runtime'" in text and "Traceback" not in text


def test_benchmark_uses_the_scenario_folds(scenario, tmp_path):
    per_task = tmp_path / "per_task.csv"
    code, text = _run(
        "benchmark", str(scenario), "-o", str(tmp_path / "out"), "--methods", "single_best",
        "--protocol", "folds", "--seeds", "1", "--per-task", str(per_task),
    )  # fmt: skip
    assert code == 0, text
    rows = pd.read_csv(per_task).query("selector == 'single_best'").set_index("task_id")
    # fold 1 (prime-18, prime-20) trains on i3-i6: a 19, b 19.5, c 117.4 -> a;
    # fold 2 (i3, i4) on prime-18, prime-20, i5, i6: a 112, b 106.5, c 119.9 -> b;
    # fold 3 (i5, i6) on prime-18, prime-20, i3, i4: a 109, b 117, c 203.5 -> a.
    # Regret (chosen PAR10 - best PAR10), the score's regret since scores are -PAR10:
    expected = {
        "FolioSuite/benchmarks/prime-18-18.lp.gz": ("a", 0.0),
        "FolioSuite/benchmarks/prime-20-20.lp.gz": ("a", 98.0),
        "i3": ("b", 5.5),
        "i4": ("b", 6.0),
        "i5": ("a", 7.0),
        "i6": ("a", 0.0),
    }
    for task, (chosen, regret) in expected.items():
        assert rows.loc[task, "regret"] == pytest.approx(regret)
        chosen_par10 = ASLIB_PAR10.loc[task, chosen]
        assert rows.loc[task, "raw_value"] == pytest.approx(chosen_par10)  # seconds again
        assert rows.loc[task, "raw_oracle_value"] == pytest.approx(ASLIB_PAR10.loc[task].min())
        assert rows.loc[task, "chosen_candidate"] == chosen
