"""What the command bodies add on top of the library: input checks before any work, a whole
command bounded by a wall-clock budget, tables complete when piped, warnings printed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from zapml.cli.app import app
from zapml.cli.jobs import process_start_time
from zapml.cli.test_cli import _tiny_npz

runner = CliRunner()


@pytest.mark.parametrize("budget", ["nan", "inf", "-inf", "-3"])
def test_budget_that_is_not_a_positive_finite_number_is_one_message(tmp_path: Path, budget: str):
    data = _tiny_npz(tmp_path / "tiny.npz")
    result = runner.invoke(app, ["fit", str(data), "--budget", budget, "-o", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "--budget" in result.output
    assert not (tmp_path / "o").exists()


def test_negative_seed_is_one_message(tmp_path: Path):
    data = _tiny_npz(tmp_path / "tiny.npz")
    result = runner.invoke(app, ["fit", str(data), "--seed", "-1", "-o", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "--seed" in result.output


def test_output_that_is_a_file_is_refused_before_any_work(tmp_path: Path):
    data = _tiny_npz(tmp_path / "tiny.npz")
    target = tmp_path / "taken.txt"
    target.write_text("keep me")
    result = runner.invoke(app, ["fit", str(data), "-o", str(target), "--budget", "5"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "taken.txt" in result.output
    assert target.read_text() == "keep me"


def test_foreign_non_empty_output_folder_is_refused_and_kept(tmp_path: Path):
    data = _tiny_npz(tmp_path / "tiny.npz")
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("precious")
    result = runner.invoke(app, ["fit", str(data), "-o", str(out), "--budget", "5"])
    assert result.exit_code == 2, result.output
    assert "--overwrite" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_process_start_time_lies_between_spawn_and_report():
    before = time.time()
    code = "from zapml.cli.jobs import process_start_time; print(process_start_time())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    after = time.time()
    started = float(out.stdout.strip())
    # /proc counts in clock ticks (10 ms) and boot time in whole seconds: allow one second.
    assert before - 1.0 <= started <= after
    # This process started before the test ran.
    assert process_start_time() <= before


def test_a_process_exec_d_after_other_work_starts_at_its_import():
    # `bash -c "A && zap ..."` runs zap in the shell's process (exec): /proc's start time is then
    # the shell's, before A. Here A sleeps 3 s and the allowed start-up gap is lowered to 1 s.
    code = (
        "import zapml.cli.jobs as jobs; jobs.MAX_STARTUP_SECONDS = 1.0; "
        "print(jobs.process_start_time())"
    )
    before = time.time()
    out = subprocess.run(
        ["bash", "-c", f"sleep 3 && exec {sys.executable} -c '{code}'"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert float(out.stdout.strip()) >= before + 3.0


def test_recommend_table_is_complete_when_piped(tmp_path: Path):
    data = _tiny_npz(tmp_path / "tiny.npz")
    result = runner.invoke(app, ["recommend", str(data), "--top", "3"])
    assert result.exit_code == 0, result.output
    assert "…" not in result.output
    header = next(line for line in result.output.splitlines() if "architecture" in line)
    for column in ("rank", "architecture", "score", "lr", "optimizer", "input px", "frozen"):
        assert column in header
    rows = [line for line in result.output.splitlines() if line.startswith("│")]
    assert len(rows) == 3
    # The score cell holds three decimals, whole.
    assert all(len(row.split("│")[3].strip().split(".")[1]) == 3 for row in rows)


def test_recommend_shows_the_epochs_the_budget_buys(tmp_path: Path):
    from zapml.data import load_data
    from zapml.runtime.costs import CLOCK_VERSION
    from zapml.selectors.cost_features import pipeline_costs
    from zapml.space.pipeline import Pipeline

    data = _tiny_npz(tmp_path / "tiny.npz")
    best = tmp_path / "best.yaml"
    args = ["recommend", str(data), "--top", "2", "--budget", "8", "--clock", "compute"]
    result = runner.invoke(app, [*args, "--save", str(best)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if "architecture" in line)
    columns = [cell.strip() for cell in header.split("┃")]
    first = next(line for line in result.output.splitlines() if line.startswith("│"))
    cells = dict(zip(columns, (cell.strip() for cell in first.split("│")), strict=True))
    # 8 compute-s over (training images x the clock's train-step seconds per image)
    train_per_image = pipeline_costs([Pipeline.from_yaml(best)], CLOCK_VERSION)[0, 0]
    by_hand = 8.0 / (len(load_data(str(data)).train) * train_per_image)
    assert float(cells["epochs"]) == pytest.approx(by_hand, rel=0.05)  # shown to 2 digits
    assert cells["id"] == Pipeline.from_yaml(best).id


@pytest.mark.slow
def test_fit_prints_the_selectors_out_of_range_warning(tmp_path: Path):
    # 16-px images, 60 of them: fewer training images than any task the shipped selector saw.
    data = _tiny_npz(tmp_path / "tiny.npz", n_per_class=15)
    out = tmp_path / "run"
    result = runner.invoke(
        app,
        ["fit", str(data), "--budget", "3", "--clock", "compute", "-o", str(out), "--no-progress"],
    )
    assert result.exit_code == 0, result.output
    assert "warning (selector)" in result.output
    assert "num_train" in result.output


@pytest.mark.slow
def test_wall_clock_budget_bounds_the_whole_command(tmp_path: Path):
    data = _tiny_npz(tmp_path / "tiny.npz")
    out = tmp_path / "run"
    budget = 20.0
    start = time.time()
    proc = subprocess.run(
        [sys.executable, "-m", "zapml.cli.app", "fit", str(data), "--budget", str(budget)]
        + ["-o", str(out), "--no-progress"],
        capture_output=True,
        text=True,
    )
    took = time.time() - start
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert took <= budget * 1.05, took
    result = json.loads((out / "result.json").read_text())
    assert np.isfinite(result["alc"])


@pytest.mark.slow
def test_predict_reproduces_the_fits_reported_accuracy_and_names_every_image(tmp_path: Path):
    import pandas as pd

    rng = np.random.default_rng(1)

    def squares(n: int) -> tuple[np.ndarray, np.ndarray]:
        dark = rng.integers(0, 110, size=(n, 16, 16), dtype=np.uint8)
        bright = rng.integers(140, 255, size=(n, 16, 16), dtype=np.uint8)
        return np.concatenate([dark, bright]), np.array([0] * n + [1] * n)

    x, y = squares(30)
    x_test, y_test = squares(10)
    data = tmp_path / "sq.npz"
    np.savez(data, x=x, y=y, x_test=x_test, y_test=y_test)
    out = tmp_path / "run"
    args = ["fit", str(data), "--budget", "6", "--clock", "compute", "-o", str(out)]
    result = runner.invoke(app, [*args, "--no-progress"])
    assert result.exit_code == 0, result.output
    reported = json.loads((out / "result.json").read_text())["final_accuracy"]
    saved = pd.read_csv(out / "predictions.csv")
    assert list(saved["image"]) == [f"sq.npz#test/{i}" for i in range(20)]

    table_csv = tmp_path / "again.csv"
    result = runner.invoke(app, ["predict", str(out), str(data), "-o", str(table_csv)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(table_csv)
    test_rows = table[table["split"] == "test"]
    assert list(test_rows["image"]) == list(saved["image"])
    accuracy = float((test_rows["predicted"].astype(str) == test_rows["label"].astype(str)).mean())
    assert accuracy == reported
    assert f"test: accuracy {reported:.4f}" in result.output


def test_recommend_says_when_zap_fit_would_pass_over_the_top_choice(monkeypatch):
    # animal_mnist (8,000 training, 2,000 test images): at 24 compute-s the shipped trivial
    # selector's top pick spends over half the budget on inference (selectors/test_feasibility.py);
    # the probe gate is shut so that the trivial selector ranks whatever share ships
    monkeypatch.setattr("zapml.selectors.probe_gate.PROBE_BUDGET_SHARE", 0.0)
    args = ["recommend", "animal_mnist", "--top", "2", "--budget", "24", "--clock", "compute"]
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    line = " ".join(result.output.split())
    assert re.search(r"zap fit: the top choice \(\S+ at \d+ px\) would spend", line), line
    assert re.search(r"took rank \d+ instead", line), line
    small = runner.invoke(app, [*args[:-4], "--budget", "4000", "--clock", "compute"])
    assert small.exit_code == 0 and "zap fit:" not in small.output
