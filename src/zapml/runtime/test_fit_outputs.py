"""What ``fit`` saves and what ``load_model`` accepts: the final predictor reproduces the reported
predictions, model folders are checked field by field, output folders are written atomically,
Ctrl-C keeps the run, bad inputs get one clear error, and a deadline bounds the whole call."""

from __future__ import annotations

import importlib
import json
import math
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from zapml.data import load_data
from zapml.errors import ArtifactError, PipelineError
from zapml.metrics import accuracy
from zapml.runtime import fit, load_model
from zapml.runtime.artifacts import read_predictions
from zapml.space import default_pipeline

# The module (``zapml.runtime.fit`` as an attribute is the function).
FIT_MODULE = importlib.import_module("zapml.runtime.fit")


def _subset(ds, per_class, seed, classes=None):
    rng = np.random.default_rng(seed)
    picked = range(ds.num_classes) if classes is None else classes
    idx = [rng.choice(np.flatnonzero(ds.labels == c), per_class, replace=False) for c in picked]
    return ds.subset(np.sort(np.concatenate(idx)))


@pytest.fixture(scope="module")
def animals():
    split = load_data("animal_mnist")
    return _subset(split.train, 20, 0), _subset(split.test, 6, 1)


# A pipeline whose network cannot catch up with the simple model in a 3 s budget (lr at the
# space's minimum), so the simple model makes the final predictions.
def _simple_final(kind: str):
    return default_pipeline().replace(
        first_simple_model=True, simple_model=kind, lr=1e-5, log2_max_size=5, steps_per_epoch=5,
        batch_size=16, train_info_sample=128,
    )  # fmt: skip


NETWORK = default_pipeline().replace(
    first_simple_model=False, log2_max_size=5, steps_per_epoch=5, batch_size=16, early_epoch=1
)


@pytest.fixture(scope="module")
def network_run(animals, tmp_path_factory):
    train, test = animals
    out = tmp_path_factory.mktemp("network") / "run"
    result = fit(NETWORK, train, test, budget=3.0, clock="compute", output_dir=out, progress=False)
    return result, out


def _reload_reproduces(result, out: Path, test) -> None:
    names, saved = read_predictions(out / "predictions.csv")
    model = load_model(out)
    proba = model.predict_proba(test)
    np.testing.assert_allclose(proba, saved, rtol=0, atol=1e-6)
    np.testing.assert_allclose(proba, result.test_probabilities, rtol=0, atol=1e-6)
    assert accuracy(test.labels, proba) == result.final_accuracy
    assert model.predict(test) == names


@pytest.mark.parametrize("kind", ["LR", "SVC", "RF"])
def test_simple_model_as_final_predictor_is_saved_and_reloaded(animals, tmp_path, kind):
    train, test = animals
    result = fit(
        _simple_final(kind), train, test, budget=3.0, clock="compute", output_dir=tmp_path,
        progress=False,
    )  # fmt: skip
    assert result.prediction_sources[-1] == "simple_model", result.prediction_sources
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["final_predictor"] == "simple_model"
    assert config["simple_model"]["kind"] == kind
    assert (tmp_path / "simple_model.safetensors").is_file()
    _reload_reproduces(result, tmp_path, test)


def test_network_as_final_predictor_is_saved_and_reloaded(network_run, animals):
    result, out = network_run
    _, test = animals
    assert result.prediction_sources[-1] == "network"
    assert not (out / "simple_model.safetensors").exists()
    assert (out / "pipeline.yaml").is_file()
    _reload_reproduces(result, out, test)


# -- model folder hardening ------------------------------------------------------------------


def _copy(out: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "copy"
    shutil.copytree(out, folder)
    return folder


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("input_size", [100000, 100000], "input_size"),
        ("input_size", [32.5, 32], "input_size"),
        ("std", [0, 0, 0], "std"),
        ("mean", [float("nan"), 0.5, 0.5], "mean"),
        ("in_channels", 2, "in_channels"),
        ("num_classes", 1, "num_classes"),
        ("format_version", 99, "format_version"),
        ("architecture", "resnet9000", "architecture"),
        ("timm_arch", "resnet18", "timm_arch"),
        ("final_predictor", "oracle", "final_predictor"),
    ],
)
def test_load_model_refuses_out_of_range_config(network_run, tmp_path, field, value, message):
    folder = _copy(network_run[1], tmp_path)
    config = json.loads((folder / "config.json").read_text())
    config[field] = value
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ArtifactError, match=message) as err:
        load_model(folder)
    assert "config.json" in str(err.value) and "zap fit" in str(err.value)


def test_load_model_refuses_an_illegal_pipeline(network_run, tmp_path):
    folder = _copy(network_run[1], tmp_path)
    config = json.loads((folder / "config.json").read_text())
    config["pipeline"]["lr"] = 50
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ArtifactError, match="'pipeline'.*lr"):
        load_model(folder)


def test_load_model_refuses_nan_weights(network_run, tmp_path):
    from safetensors.torch import load_file, save_file

    folder = _copy(network_run[1], tmp_path)
    state = load_file(str(folder / "model.safetensors"))
    name = next(k for k, v in state.items() if v.is_floating_point())
    state[name][0] = float("nan")
    save_file(state, str(folder / "model.safetensors"))
    with pytest.raises(ArtifactError, match=f"model.safetensors: tensor '{name}' holds NaN"):
        load_model(folder)


# -- output folders, overwrite, Ctrl-C ------------------------------------------------------


def _no_partials(parent: Path) -> bool:
    return not [p for p in parent.iterdir() if ".partial-" in p.name or ".old-" in p.name]


def test_non_empty_output_folder_is_refused_before_training(animals, tmp_path, monkeypatch):
    train, test = animals
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    monkeypatch.setattr(FIT_MODULE, "_run", _must_not_train)
    with pytest.raises(ArtifactError, match="not empty.*--overwrite"):
        fit(NETWORK, train, test, budget=1.0, clock="compute", output_dir=out, progress=False)
    assert (out / "mine.txt").read_text() == "keep me" and _no_partials(tmp_path)


def _must_not_train(*args, **kwargs):
    raise AssertionError("training started before the output folder was checked")


def test_output_path_that_is_a_file_or_unwritable_is_refused(animals, tmp_path, monkeypatch):
    train, test = animals
    monkeypatch.setattr(FIT_MODULE, "_run", _must_not_train)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(ArtifactError, match="is an existing file"):
        fit(NETWORK, train, test, budget=1.0, clock="compute", output_dir=a_file, progress=False)
    with pytest.raises(ArtifactError, match="Cannot write the output folder"):
        fit(
            NETWORK, train, test, budget=1.0, clock="compute", output_dir=a_file / "sub",
            progress=False,
        )  # fmt: skip


def test_failed_run_leaves_the_existing_folder_untouched(animals, tmp_path, monkeypatch):
    train, test = animals
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")

    def broken_plot(*args, **kwargs):  # fails while saving, after training
        raise OSError("disk full")

    monkeypatch.setattr("zapml.runtime.plots.plot_learning_curve", broken_plot)
    with pytest.raises(OSError, match="disk full"):
        fit(
            NETWORK, train, test, budget=1.0, clock="compute", output_dir=out, progress=False,
            overwrite=True,
        )  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == ["mine.txt"] and _no_partials(tmp_path)


def test_overwrite_replaces_the_folder_after_success(animals, tmp_path):
    train, test = animals
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    result = fit(
        NETWORK, train, test, budget=1.0, clock="compute", output_dir=out, progress=False,
        overwrite=True,
    )  # fmt: skip
    assert not (out / "old.txt").exists()
    assert json.loads((out / "result.json").read_text())["status"] == result.status == "ok"
    assert result.output_dir == str(out) and _no_partials(tmp_path)


def test_ctrl_c_saves_the_partial_run_and_reraises(animals, tmp_path, monkeypatch):
    from zapml.runtime.training import Trainer

    train, test = animals
    real_step = Trainer.step
    calls = {"n": 0}

    def step_then_interrupt(self, steps_done, now):
        calls["n"] += 1
        if calls["n"] > 12:
            raise KeyboardInterrupt
        return real_step(self, steps_done, now)

    monkeypatch.setattr(Trainer, "step", step_then_interrupt)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        fit(NETWORK, train, test, budget=6.0, clock="compute", output_dir=out, progress=False)
    saved = json.loads((out / "result.json").read_text())
    assert saved["status"] == "interrupted" and saved["num_train_steps"] == 12
    assert len(saved["timestamps"]) >= 1  # predictions made before Ctrl-C are kept
    curve = json.loads((out / "learning_curve.json").read_text())
    assert curve["timestamps"] == saved["timestamps"]
    _, proba = read_predictions(out / "predictions.csv")
    assert proba.shape == (len(test), test.num_classes)
    assert load_model(out).predict_proba(test).shape == proba.shape
    assert _no_partials(tmp_path)


# -- inputs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("budget", [math.nan, math.inf, 0.0, -1.0])
def test_bad_budget_is_a_pipeline_error(animals, budget):
    train, test = animals
    with pytest.raises(PipelineError, match="--budget"):
        fit(NETWORK, train, test, budget=budget, clock="compute", progress=False)


def test_negative_seed_is_a_pipeline_error(animals):
    train, test = animals
    with pytest.raises(PipelineError, match="--seed"):
        fit(NETWORK, train, test, budget=1.0, clock="compute", seed=-1, progress=False)


def test_tiny_test_sets_get_a_warning_in_the_result(animals, tmp_path):
    train, test = animals
    one_image = test.subset(np.array([0]))
    result = fit(
        NETWORK, train, one_image, budget=1.0, clock="compute", output_dir=tmp_path,
        progress=False,
    )  # fmt: skip
    assert len(result.warnings) == 1 and "1 image" in result.warnings[0]
    assert json.loads((tmp_path / "result.json").read_text())["warnings"] == result.warnings
    one_class = test.subset(np.flatnonzero(test.labels == 0))
    result = fit(NETWORK, train, one_class, budget=1.0, clock="compute", progress=False)
    assert len(result.warnings) == 1 and "only 1 class" in result.warnings[0]
    assert fit(NETWORK, train, test, budget=0.5, clock="compute", progress=False).warnings == []


# -- deadline ---------------------------------------------------------------------------------


def test_wall_clock_deadline_bounds_the_whole_call(animals, tmp_path):
    train, test = animals
    deadline = time.time() + 8.0
    result = fit(
        NETWORK, train, test, budget=60.0, clock="wall", output_dir=tmp_path, progress=False,
        num_threads=1, deadline=deadline,
    )  # fmt: skip
    assert time.time() <= deadline
    assert result.requested_budget == 60.0 and result.budget < 8.0
    assert result.alc_t0 == pytest.approx(result.budget / 20)


def test_compute_clock_ignores_the_deadline(animals):
    train, test = animals
    result = fit(
        NETWORK, train, test, budget=1.0, clock="compute", progress=False,
        deadline=time.time() - 100.0,
    )  # fmt: skip
    assert result.budget == result.requested_budget == 1.0
