"""The CLI end to end: user errors become one message and exit code 2; fit then predict works."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from typer.testing import CliRunner

from zapml.cli.app import app
from zapml.space import default_pipeline

runner = CliRunner()


def _tiny_npz(path: Path, n_per_class: int = 30, side: int = 16) -> Path:
    """Two classes a linear model separates: dark vs bright squares with noise."""
    rng = np.random.default_rng(0)
    dark = rng.integers(0, 90, size=(n_per_class, side, side), dtype=np.uint8)
    bright = rng.integers(160, 255, size=(n_per_class, side, side), dtype=np.uint8)
    x = np.concatenate([dark, bright])
    y = np.array([0] * n_per_class + [1] * n_per_class)
    np.savez(path, x=x, y=y)
    return path


def test_help_lists_every_command_group():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("fit", "predict", "zoo", "data", "metadataset"):
        assert command in result.output


def test_single_class_folder_is_a_clear_error_without_traceback(tmp_path: Path):
    for i in range(3):
        (tmp_path / "cats").mkdir(exist_ok=True)
        Image.fromarray(np.full((8, 8), i * 50, np.uint8)).save(tmp_path / "cats" / f"{i}.png")
    result = runner.invoke(app, ["data", "inspect", str(tmp_path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "cats" in result.output


def test_pipeline_outside_the_space_names_the_hyperparameter(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    default_pipeline().replace(lr=5.0).to_yaml(bad)
    data = _tiny_npz(tmp_path / "tiny.npz")
    out = str(tmp_path / "out")
    result = runner.invoke(app, ["fit", str(data), "--pipeline", str(bad), "-o", out])
    assert result.exit_code == 2
    assert "'lr'" in result.output and "bad.yaml" in result.output


def test_non_positive_budget_is_refused(tmp_path: Path):
    data = _tiny_npz(tmp_path / "tiny.npz")
    result = runner.invoke(app, ["fit", str(data), "--budget", "0", "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "--budget" in result.output


def test_unknown_metadataset_is_a_clear_error(tmp_path: Path):
    result = runner.invoke(app, ["metadataset", "status", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


@pytest.mark.slow
def test_fit_then_predict_round_trip(tmp_path: Path):
    data = _tiny_npz(tmp_path / "tiny.npz")
    out = tmp_path / "model"
    pipeline = tmp_path / "p.yaml"
    default_pipeline().replace(log2_max_size=5, first_simple_model=False).to_yaml(pipeline)
    result = runner.invoke(
        app,
        ["fit", str(data), "--budget", "15", "--clock", "compute", "--pipeline", str(pipeline)]
        + ["-o", str(out), "--no-progress"],
    )
    assert result.exit_code == 0, result.output
    assert "ALC" in result.output
    for name in ("model.safetensors", "config.json", "labels.json", "predictions.csv"):
        assert (out / name).is_file(), name

    # Unlabelled folder: one bright and one dark image.
    images = tmp_path / "new"
    images.mkdir()
    Image.fromarray(np.full((16, 16), 240, np.uint8)).save(images / "bright.png")
    Image.fromarray(np.full((16, 16), 20, np.uint8)).save(images / "dark.png")
    csv = tmp_path / "pred.csv"
    result = runner.invoke(app, ["predict", str(out), str(images), "-o", str(csv)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(csv)
    assert list(table["image"]) == ["bright.png", "dark.png"]
    assert np.allclose(table[["p_0", "p_1"]].sum(axis=1), 1.0, atol=1e-4)


def test_selector_train_recommend_and_fit_uses_the_selector(tmp_path: Path):
    from zapml.metadataset.io_zap import export_zap
    from zapml.selectors import make_synthetic_metadataset

    export_zap(make_synthetic_metadataset(3, 4, 8, seed=0), tmp_path / "mds")
    sel = tmp_path / "sel"
    result = runner.invoke(
        app,
        ["selector", "train", str(tmp_path / "mds"), "-o", str(sel), "--method", "single_best"]
        + ["--objective", "alc"],  # a ZAP folder holds ALC only
    )
    assert result.exit_code == 0, result.output
    best = tmp_path / "best.yaml"
    data = _tiny_npz(tmp_path / "tiny.npz")
    result = runner.invoke(
        app,
        ["recommend", str(data), "--selector", str(sel), "--top", "2", "--save", str(best)]
        + ["--objective", "alc"],
    )
    assert result.exit_code == 0, result.output
    assert "Top 2 pipelines" in result.output
    # The single-best selector must recommend the pipeline with the best mean ALC (hand check).
    from zapml.metadataset import load_metadataset
    from zapml.space import Pipeline

    mds = load_metadataset(tmp_path / "mds")
    expected = mds.pipelines[mds.perf.mean(axis=0).idxmax()]
    assert Pipeline.from_yaml(best) == expected
    assert expected.id in result.output  # the table names each pipeline by its id


def test_unknown_selector_method_is_a_clear_error(tmp_path: Path):
    result = runner.invoke(app, ["selector", "train", str(tmp_path), "-o", "x", "--method", "nope"])
    assert result.exit_code == 2
    assert "nope" in result.output and "zap_hpo" in result.output
