"""Budgets on the command line: `zap selector train` on a multi-budget table trains budget-aware
(and `--budget` restricts it), `zap recommend` / `zap fit` hand the selector the budget in compute
seconds (a wall budget through the cached calibration, or measured once per run with
--recalibrate), say so, and warn outside the trained budgets; `zap calibrate` shows the ratio;
`zap benchmark` reports per budget."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zapml.cli.app import app
from zapml.cli.test_cli import _tiny_npz
from zapml.errors import PipelineError
from zapml.metadataset.io_long import long_from_metadataset, write_long
from zapml.runtime import calibration
from zapml.runtime.test_device import no_gpu
from zapml.selectors import load_selector, make_budget_metadataset
from zapml.selectors.test_shipped import LEGACY_V1_SELECTOR

runner = CliRunner()


@pytest.fixture(scope="module")
def table(tmp_path_factory) -> Path:
    md = make_budget_metadataset((4.0, 16.0, 64.0), n_core=3, tasks_per_core=2, n_pipelines=8)
    return write_long(long_from_metadataset(md), tmp_path_factory.mktemp("md") / "runs.csv")


@pytest.fixture(scope="module")
def aware(table, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sel") / "knn"
    args = ["selector", "train", str(table), "-o", str(out), "--method", "knn"]
    result = runner.invoke(app, [*args, "--objective", "alc"])
    assert result.exit_code == 0, result.output
    assert "budget-aware" in result.output and "budgets 4, 16, 64 compute-s" in result.output
    return out


@pytest.fixture()
def cached_ratio(tmp_path, monkeypatch):
    """This machine's calibration, cached as 0.75 compute-s per wall-s for 1 thread."""
    monkeypatch.setenv("ZAPML_CACHE", str(tmp_path / "cache"))
    # zapml.runtime.fit the module (the package re-exports a function of that name)
    monkeypatch.setattr(importlib.import_module("zapml.runtime.fit"), "free_threads", lambda: 1)

    def never(_device):
        raise AssertionError("the cached calibration must be used")

    key = calibration.machine_key(1)
    calibration._write(calibration.Calibration(0.75, key, "2026-01-02T03:04:05", 2.0), None)
    monkeypatch.setattr(calibration, "default_probes", never)
    return 0.75


def test_train_is_budget_aware_on_several_budgets_and_budget_restricts(aware, table, tmp_path):
    assert load_selector(aware).budget_aware
    out = tmp_path / "one"
    args = ["selector", "train", str(table), "-o", str(out), "--method", "knn", "--budget", "16"]
    result = runner.invoke(app, [*args, "--objective", "alc"])
    assert result.exit_code == 0, result.output
    assert "budget 16 compute-s only" in result.output
    one = load_selector(out)
    assert not one.budget_aware and one.train_budgets_ == [16.0]
    bad = runner.invoke(app, [*args[:-1], "5", "--objective", "alc"])
    assert bad.exit_code != 0 and "no runs at budget 5" in bad.output


def test_recommend_converts_a_wall_budget_with_the_cached_calibration(
    aware, cached_ratio, tmp_path
):
    data = str(_tiny_npz(tmp_path / "tiny.npz"))
    args = ["recommend", data, "--selector", str(aware), "--objective", "alc", "--budget", "60"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "budget 60 wall-s = 45 compute-s on this machine (calibrated 2026-01-02" in text
    assert "ranked for a budget of 45 compute-s" in text
    far = runner.invoke(app, [*args[:-1], "1000", "--clock", "compute"])
    text = " ".join(far.output.split())
    assert "budget 1000 compute-s (compute clock)" in text
    assert "budget 1000 compute-s lies outside the budgets the selector was trained on" in text


def test_a_one_budget_selector_needs_no_calibration(cached_ratio, tmp_path, monkeypatch):
    monkeypatch.setattr(calibration, "calibrate", lambda **kw: pytest.fail("no calibration"))
    data = str(_tiny_npz(tmp_path / "tiny.npz"))
    legacy = str(LEGACY_V1_SELECTOR)  # v1's shipped selector: one budget
    args = ["recommend", data, "--selector", legacy, "--objective", "alc", "--budget", "60"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "ignores the budget asked" in " ".join(result.output.split())


def test_calibrate_shows_the_cached_ratio(cached_ratio):
    result = runner.invoke(app, ["calibrate", "--threads", "1"])
    assert result.exit_code == 0, result.output
    assert "budget 60 wall-s = 45 compute-s" in " ".join(result.output.split())
    assert runner.invoke(app, ["calibrate", "--threads", "0"]).exit_code != 0


@pytest.fixture()
def fake_gpu(cached_ratio, monkeypatch):
    """A GPU this machine lacks: ``cuda`` resolves, is labelled "cuda:Fake GPU" and has its own
    cached ratio, 30 compute-s per wall-s for 1 thread (40 times the CPU's 0.75)."""
    import torch

    from zapml.runtime import device

    monkeypatch.setattr(device, "resolve_device", lambda name: torch.device(name or "cpu"))
    label = {"cpu": "cpu", "cuda": "cuda:Fake GPU"}
    monkeypatch.setattr(device, "device_label", lambda where: label[where.type])
    key = calibration.machine_key(1, "cuda:Fake GPU")
    calibration._write(calibration.Calibration(30.0, key, "2026-01-02T03:04:05", 2.0), None)
    return 30.0


def test_recommend_converts_a_wall_budget_with_the_run_devices_ratio(aware, fake_gpu, tmp_path):
    data = str(_tiny_npz(tmp_path / "tiny.npz"))
    args = ["recommend", data, "--selector", str(aware), "--objective", "alc", "--budget", "60"]
    on_gpu = runner.invoke(app, [*args, "--device", "cuda"])
    assert on_gpu.exit_code == 0, on_gpu.output
    text = " ".join(on_gpu.output.split())
    assert "budget 60 wall-s = 1800 compute-s on this machine (cuda:Fake GPU)" in text
    on_cpu = runner.invoke(app, args)  # the CPU keeps its own cached ratio
    assert "budget 60 wall-s = 45 compute-s on this machine (calibrated" in (
        " ".join(on_cpu.output.split())
    )
    shown = runner.invoke(app, ["calibrate", "--threads", "1", "--device", "cuda"])
    assert "30 compute-s per wall-s" in " ".join(shown.output.split()), shown.output


def test_fit_converts_its_wall_budget_for_its_own_device(
    aware, cached_ratio, tmp_path, monkeypatch
):
    asked = []

    def calibrate_for(**kw):
        asked.append(kw["device"])
        raise PipelineError("stopped after the conversion was asked for")

    monkeypatch.setattr(calibration, "calibrate", calibrate_for)
    data = str(_tiny_npz(tmp_path / "tiny.npz"))
    args = ["fit", data, "--selector", str(aware), "--objective", "alc", "--clock", "wall"]
    result = runner.invoke(
        app, [*args, "--budget", "60", "--device", "auto", "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 2 and asked == ["auto"], result.output


@no_gpu
def test_a_device_this_machine_lacks_is_refused_before_any_work(tmp_path):
    data = str(_tiny_npz(tmp_path / "tiny.npz"))
    for args in (["calibrate", "--device", "cuda"], ["recommend", data, "--device", "cuda:1"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "sees no CUDA GPU: run with --device cpu" in " ".join(result.output.split())


def test_fit_gives_the_selector_the_compute_budget(aware, tmp_path):
    data = str(_tiny_npz(tmp_path / "tiny.npz"))
    args = ["fit", data, "--selector", str(aware), "--objective", "alc", "--clock", "compute"]
    result = runner.invoke(
        app, [*args, "--budget", "3", "-o", str(tmp_path / "out"), "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "budget 3 compute-s (compute clock)" in text
    assert "ranked for a budget of 3 compute-s" in text


def test_benchmark_reports_each_budget(table, tmp_path):
    args = ["benchmark", str(table), "-o", str(tmp_path / "b"), "--seeds", "1", "--objective"]
    methods = "single_best,single_best_per_budget,knn"
    result = runner.invoke(app, [*args, "alc", "--methods", methods])
    assert result.exit_code == 0, result.output
    assert "budget 64 compute-s" in result.output and "all budgets together" in result.output
    assert (tmp_path / "b" / "summary_by_budget.csv").is_file()


def test_benchmark_refuses_a_budget_reading_selector_on_one_budget(tmp_path):
    md = make_budget_metadataset((4.0, 16.0), n_core=3, tasks_per_core=2, n_pipelines=6)
    one = write_long(long_from_metadataset(md.at_budget(16.0)), tmp_path / "one.csv")
    args = ["benchmark", str(one), "-o", str(tmp_path / "b"), "--objective", "alc"]
    result = runner.invoke(app, [*args, "--methods", "single_best,zap_hpo_log_cost"])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "['zap_hpo_log_cost'] read the budget, and this meta-dataset has one budget" in text
    assert not (tmp_path / "b").exists()


@pytest.fixture()
def counted_probe_passes(cached_ratio, monkeypatch):
    """Each measurement of the calibration (a call of its default probes) appended to a list: a
    probe of 0.1 counted ms taking at least a millisecond, so at most 0.1 compute-s per wall-s (a
    budget too small for the probe selector's probe pass: the test needs no pretrained weights)."""
    import time

    passes: list[str] = []

    def one_probe(device):
        passes.append(str(device))
        return [calibration.Probe("sleep", 1e-4, lambda: time.sleep(0.001))]

    monkeypatch.setattr(calibration, "default_probes", one_probe)
    return passes


def test_recalibrate_measures_once_for_the_probe_gate_and_the_selector(
    counted_probe_passes, tmp_path, monkeypatch
):
    # the shipped selectors (no --selector): the probe gate converts the budget to decide whether
    # probing fits (its share set above the shipped 0, which never converts), the budget-aware
    # selector converts it to rank; --recalibrate measures once
    monkeypatch.setattr("zapml.selectors.probe_gate.PROBE_BUDGET_SHARE", 0.05)
    data = str(_tiny_npz(tmp_path / "tiny.npz"))
    result = runner.invoke(app, ["recommend", data, "--budget", "60", "--recalibrate"])
    assert result.exit_code == 0, result.output
    assert counted_probe_passes == ["cpu"]
    assert "measured now in" in " ".join(result.output.split())


def test_fit_with_recalibrate_measures_once_before_it_chooses(counted_probe_passes, tmp_path):
    from rich.console import Console

    from zapml.cli.jobs import _choose
    from zapml.data import load_data

    split = load_data(str(_tiny_npz(tmp_path / "tiny.npz")))
    conversion = calibration.WallConversion("cpu", recalibrate=True)
    choice, _left = _choose(
        "zero-shot", split, None, None, objective="final", budget=60, clock="wall", seed=0,
        conversion=conversion, transfer_state=None, console=Console(quiet=True),
    )  # fmt: skip
    assert counted_probe_passes == ["cpu"]
    assert any("measured now in" in note for note in choice.budget_notes)
