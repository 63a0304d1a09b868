"""End-to-end checks of ``fit``: learning curve and ALC, compute-clock determinism (also under CPU
load), divergence, artifacts, and that pretraining pays off under the same compute budget."""

import json
import math
import re
import subprocess
import sys

import numpy as np
import pytest
import torch

from zapml.data import load_data
from zapml.errors import ArtifactError, PipelineError
from zapml.metrics import alc, nauc
from zapml.runtime import FitResult, fit, load_model
from zapml.runtime.artifacts import read_predictions
from zapml.space import default_pipeline

BUDGET = 6.0  # compute seconds: enough for the simple model and a few network predictions


def _subset(ds, per_class, seed):
    rng = np.random.default_rng(seed)
    idx = [
        rng.choice(np.flatnonzero(ds.labels == c), per_class, replace=False)
        for c in range(ds.num_classes)
    ]
    return ds.subset(np.sort(np.concatenate(idx)))


@pytest.fixture(scope="module")
def animals():
    split = load_data("animal_mnist")
    return _subset(split.train, 30, 0), _subset(split.test, 10, 1)


@pytest.fixture(scope="module")
def pipeline():
    # Short epochs at 32 px so a small budget holds several epochs and network predictions; no
    # simple model, whose predictions the half-trained network would not beat (see the gate test).
    return default_pipeline().replace(
        steps_per_epoch=5, batch_size=16, early_epoch=1, log2_max_size=5, first_simple_model=False
    )


@pytest.fixture(scope="module")
def reference_run(animals, pipeline, tmp_path_factory):
    train, test = animals
    out = tmp_path_factory.mktemp("run")
    result = fit(
        pipeline,
        train,
        test,
        budget=BUDGET,
        clock="compute",
        seed=0,
        output_dir=out,
        progress=False,
    )
    return result, out


def _curve(result: FitResult):
    return result.timestamps, result.test_nauc, result.test_accuracy


def test_learning_curve_and_alc_are_consistent(reference_run):
    result, _ = reference_run
    assert result.status == "ok" and result.error is None
    ts = result.timestamps
    assert len(ts) >= 3
    assert set(result.prediction_sources) == {"network"}
    assert all(0 <= a <= b <= BUDGET for a, b in zip(ts, ts[1:], strict=False))
    assert result.compute_seconds <= BUDGET
    assert result.alc == pytest.approx(alc(ts, result.test_nauc, T=BUDGET, t0=BUDGET / 20))
    assert result.final_nauc == result.test_nauc[-1]
    # No sign is asserted: in 6 compute-s at 32 px this network is still near chance (NAUC within
    # about +-0.1), and which side of zero it lands on depends on the CPU's vector kernels.
    assert -1.0 < result.alc < 1.0 and result.alc != 0.0
    json.dumps(result.to_dict())  # JSON-serialisable, probabilities left out
    assert "test_probabilities" not in result.to_dict()


def test_compute_clock_is_deterministic(reference_run, animals, pipeline):
    train, test = animals
    first, _ = reference_run
    again = fit(pipeline, train, test, budget=BUDGET, clock="compute", seed=0, progress=False)
    assert _curve(again) == _curve(first)
    assert again.num_train_steps == first.num_train_steps
    assert np.array_equal(again.test_probabilities, first.test_probabilities)
    assert first.device == again.device == "cpu"  # what a run records without a device
    # naming the CPU is the default, to the last bit
    named = fit(
        pipeline, train, test, budget=BUDGET, clock="compute", seed=0, progress=False, device="cpu"
    )
    assert _curve(named) == _curve(first)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the machine without a GPU")
def test_a_missing_gpu_fails_before_the_output_folder_is_touched(animals, pipeline, tmp_path):
    train, test = animals
    out = tmp_path / "run"
    with pytest.raises(PipelineError, match="sees no CUDA GPU"):
        fit(pipeline, train, test, budget=BUDGET, output_dir=out, progress=False, device="cuda")
    assert not out.exists()


@pytest.mark.slow
def test_compute_clock_is_deterministic_under_cpu_load(reference_run, animals, pipeline):
    train, test = animals
    first, _ = reference_run
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        loaded = fit(pipeline, train, test, budget=BUDGET, clock="compute", seed=0, progress=False)
    finally:
        for proc in burners:
            proc.kill()
            proc.wait()
    assert _curve(loaded) == _curve(first)
    assert loaded.wall_seconds > 0


def test_a_run_that_stops_before_its_budget_says_why(reference_run):
    result, folder = reference_run
    notes = [n for n in result.notes if n.startswith("training stopped at")]
    assert len(notes) == 1 and f"after {result.num_train_steps} steps" in notes[0]
    assert json.loads((folder / "result.json").read_text())["notes"] == result.notes
    # the numbers it gives add up: stopping time + next step + prediction overrun the budget
    # (each printed to 2 digits, hence the tolerance)
    pattern = (
        r"training stopped at (\S+) of (\S+) s after \d+ steps: one more step \(est\. (\S+) s\)"
        r" and a test prediction \(est\. (\S+) s\)"
    )
    match = re.match(pattern, notes[0])
    assert match is not None, notes[0]
    stop, budget, step, predict = (float(x) for x in match.groups())
    assert budget == BUDGET and stop <= BUDGET
    assert stop + step + predict > BUDGET - 0.06
    # ... while a step alone would still have fit: a spent budget gets no note
    assert stop + step <= BUDGET + 0.06


def test_another_seed_gives_another_run_silently(reference_run, animals, pipeline, capsys):
    train, test = animals
    first, _ = reference_run
    rng_before = torch.random.get_rng_state()
    other = fit(pipeline, train, test, budget=2.0, clock="compute", seed=1, progress=False)
    assert torch.equal(torch.random.get_rng_state(), rng_before)  # the caller's RNG is untouched
    assert other.test_nauc[0] != first.test_nauc[0]
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""  # progress=False: nothing printed


def _check_failed_softly(result, folder):
    assert result.status == "failed"
    assert result.error is not None and result.error.startswith("diverged:")
    assert len(result.timestamps) >= 1  # predictions made before training diverged are kept
    assert result.alc == pytest.approx(
        alc(result.timestamps, result.test_nauc, T=BUDGET, t0=BUDGET / 20)
    )
    assert result.alc != 0.0  # the kept predictions count (their sign depends on the CPU's kernels)
    saved = json.loads((folder / "result.json").read_text())
    assert saved["status"] == "failed" and saved["error"] == result.error


def test_huge_learning_rate_diverges_softly(animals, pipeline, tmp_path):
    train, test = animals
    # far beyond the space's 0.1; the simple model predicts before the first step diverges
    wild = pipeline.replace(lr=1e3, first_simple_model=True, simple_model="LR")
    result = fit(
        wild,
        train,
        test,
        budget=BUDGET,
        clock="compute",
        seed=0,
        output_dir=tmp_path,
        progress=False,
    )
    _check_failed_softly(result, tmp_path)
    assert result.error.startswith("diverged: loss became")


def test_injected_nan_after_network_predictions_keeps_them(
    animals, pipeline, tmp_path, monkeypatch
):
    import torch.nn.functional as F

    train, test = animals
    real = F.cross_entropy
    calls = {"n": 0}

    def poisoned(*args, **kwargs):
        calls["n"] += 1
        loss = real(*args, **kwargs)
        return loss * float("nan") if calls["n"] > 12 else loss

    monkeypatch.setattr(F, "cross_entropy", poisoned)
    result = fit(
        pipeline,
        train,
        test,
        budget=BUDGET,
        clock="compute",
        seed=0,
        output_dir=tmp_path,
        progress=False,
    )
    _check_failed_softly(result, tmp_path)
    assert result.error == "diverged: loss became nan at step 12"
    assert result.num_train_steps == 12
    assert "network" in result.prediction_sources  # predictions before step 12 are kept
    assert load_model(tmp_path).predict_proba(test).shape == (len(test), 10)


def test_network_predicts_only_once_it_beats_the_simple_model_on_validation(animals, pipeline):
    # Logistic regression on frozen pretrained features validates at about 0.9 NAUC here, while
    # the network reaches about 0.3 within 6 compute-s: its predictions must not replace the
    # simple model's, though it trains all along.
    train, test = animals
    with_simple = pipeline.replace(first_simple_model=True, simple_model="LR")
    result = fit(with_simple, train, test, budget=BUDGET, clock="compute", seed=0, progress=False)
    assert result.prediction_sources == ["simple_model"]
    assert result.num_train_steps > 10
    assert result.alc == pytest.approx(
        result.test_nauc[0] * (1 - math.log1p(result.timestamps[0] / (BUDGET / 20)) / math.log(21))
    )


def test_artifacts_reload_and_reproduce_the_saved_predictions(reference_run, animals):
    result, out = reference_run
    _, test = animals
    for name in (
        "model.safetensors",
        "config.json",
        "labels.json",
        "predictions.csv",
        "learning_curve.json",
        "learning_curve.png",
        "result.json",
    ):
        assert (out / name).is_file(), name
    assert json.loads((out / "labels.json").read_text()) == list(test.class_names)
    saved_result = json.loads((out / "result.json").read_text())
    assert saved_result["wall_seconds"] == result.wall_seconds > 0
    assert FitResult.from_dict(saved_result).to_dict() == result.to_dict()
    curve = json.loads((out / "learning_curve.json").read_text())
    assert curve["timestamps"] == result.timestamps and curve["alc"] == result.alc
    config = json.loads((out / "config.json").read_text())
    assert config["architecture"] == "mobilenetv2_100" and config["final_predictor"] == "network"

    names, saved = read_predictions(out / "predictions.csv")
    model = load_model(out)
    proba = model.predict_proba(test)
    assert np.allclose(proba, saved, atol=1e-6)
    assert np.allclose(proba, result.test_probabilities, atol=1e-6)
    assert model.predict(test) == names
    assert nauc(test.labels, proba) == pytest.approx(result.final_nauc, abs=1e-6)


def test_load_model_explains_missing_and_mismatched_files(reference_run, tmp_path):
    _, out = reference_run
    with pytest.raises(ArtifactError, match="does not exist"):
        load_model(tmp_path / "nowhere")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text((out / "config.json").read_text())
    with pytest.raises(ArtifactError, match="lacks model.safetensors, labels.json"):
        load_model(broken)
    (broken / "model.safetensors").write_bytes((out / "model.safetensors").read_bytes())
    (broken / "labels.json").write_text(json.dumps(["a", "b"]))
    with pytest.raises(ArtifactError, match="must list 10 class names"):
        load_model(broken)
    config = json.loads((out / "config.json").read_text())
    config["num_classes"] = 2
    (broken / "config.json").write_text(json.dumps(config))
    with pytest.raises(ArtifactError, match="does not match"):
        load_model(broken)


def test_wall_clock_run_ends_near_its_budget(animals, pipeline):
    train, test = animals
    budget = 8.0
    result = fit(
        pipeline, train, test, budget=budget, clock="wall", seed=0, progress=False, num_threads=1
    )
    assert result.status == "ok"
    assert result.timestamps[-1] <= budget
    # AutoDL's rule plus 5%, and 1 s of slack for scheduling jitter on a shared machine.
    assert result.wall_seconds <= 1.05 * budget + 1.0
    assert math.isclose(result.budget, budget)


@pytest.mark.slow
def test_pretrained_beats_scratch_under_the_same_compute_budget():
    # Measured (seed 0, 600 train / 200 test Animal-MNIST images at 32 px, default
    # pipeline without the simple model): at 15 compute-s pretrained MobileNetV2 reaches 0.60
    # test accuracy, the same architecture from scratch 0.29.
    split = load_data("animal_mnist")
    train, test = _subset(split.train, 60, 0), _subset(split.test, 20, 1)
    accs = {}
    for arch in ("mobilenetv2_100", "mobilenetv2_100.scratch"):
        pipe = default_pipeline().replace(
            architecture=arch, first_simple_model=False, log2_max_size=5
        )
        result = fit(pipe, train, test, budget=15.0, clock="compute", seed=0, progress=False)
        assert result.status == "ok"
        accs[arch] = result.final_accuracy
    assert accs["mobilenetv2_100"] >= accs["mobilenetv2_100.scratch"] + 0.15, accs


def test_rgb_images_above_32_px_are_shrunk_to_the_pipeline_size(tmp_path):
    from zapml.data import Dataset

    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 20)
    images = rng.integers(0, 256, (60, 48, 48, 3), dtype=np.uint8)
    images[np.arange(60), :, :, labels] = 250  # class c has a saturated channel c
    data = Dataset(images=images, labels=labels, class_names=("r", "g", "b"), name="rgb")
    pipe = default_pipeline().replace(log2_max_size=5, steps_per_epoch=5, batch_size=16)
    result = fit(pipe, data, data, budget=3.0, clock="compute", output_dir=tmp_path, progress=False)
    assert result.status == "ok"
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["input_size"] == [32, 32] and config["in_channels"] == 3
    assert load_model(tmp_path).predict_proba(data).shape == (60, 3)


def test_a_run_records_its_clock_version_and_an_old_one_can_be_chosen(
    reference_run, animals, pipeline
):
    result, out = reference_run
    assert result.clock_version == 2  # costs.CLOCK_VERSION, the default
    assert json.loads((out / "result.json").read_text())["clock_version"] == 2
    train, test = animals
    old = fit(pipeline, train, test, budget=2.0, clock="compute", clock_version=1, progress=False)
    again = fit(pipeline, train, test, budget=2.0, clock="compute", clock_version=2, progress=False)
    assert old.clock_version == 1 and again.clock_version == 2
    # Version 1 charged these small-image steps about twice what version 2 does.
    assert old.num_train_steps < again.num_train_steps
    with pytest.raises(ValueError, match=r"known versions are \[1, 2\]"):
        fit(pipeline, train, test, budget=2.0, clock="compute", clock_version=3, progress=False)
    saved_before_versions = {k: v for k, v in result.to_dict().items() if k != "clock_version"}
    assert FitResult.from_dict(saved_before_versions).clock_version == 1
