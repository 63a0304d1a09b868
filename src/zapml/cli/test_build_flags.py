"""`--device` of `zap fit` and `zap metadataset build`, `build --retry-failed`, and
`zap metadataset pack-tasks`."""

from pathlib import Path

import pytest
import torch
import yaml
from typer.testing import CliRunner

import zapml.metadataset
from zapml.cli.app import app
from zapml.metadataset import build
from zapml.metadataset.conftest import spec_dict
from zapml.metadataset.testing import synthetic_fit

runner = CliRunner()


def _spec(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec_dict()))
    return path


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the machine without a GPU")
def test_build_on_a_missing_gpu_fails_before_the_store_is_made(tmp_path: Path):
    db = tmp_path / "m.sqlite"
    result = runner.invoke(
        app, ["metadataset", "build", str(_spec(tmp_path)), "--db", str(db), "--device", "cuda"]
    )
    assert result.exit_code == 2, result.output  # a user error
    assert "sees no CUDA GPU" in " ".join(result.output.split())
    assert not db.exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the machine without a GPU")
def test_fit_on_a_missing_gpu_fails_before_loading_or_writing(tmp_path: Path):
    out = tmp_path / "run"
    result = runner.invoke(app, ["fit", "digits", "--device", "cuda", "--output", str(out)])
    assert result.exit_code == 2, result.output
    assert "run with --device cpu" in " ".join(result.output.split())
    assert not out.exists()


def test_build_passes_device_retry_failed_tasks_and_pipelines_on(tmp_path: Path, monkeypatch):
    seen = {}

    def fake_build(spec, db, **kwargs):
        seen.update(kwargs)
        return "report"

    monkeypatch.setattr(zapml.metadataset, "build", fake_build)
    args = ["metadataset", "build", str(_spec(tmp_path)), "--no-progress"]
    assert runner.invoke(app, args).exit_code == 0
    assert (seen["device"], seen["retry_failed"]) == ("cpu", False)
    assert runner.invoke(app, [*args, "--retry-failed", "--device", "auto"]).exit_code == 0
    assert (seen["device"], seen["retry_failed"]) == ("auto", True)
    assert seen["task_ids"] is None
    assert runner.invoke(app, [*args, "--task", "0-a", "--task", "3-b"]).exit_code == 0
    assert seen["task_ids"] == ["0-a", "3-b"]
    assert seen["pipeline_ids"] is None
    assert runner.invoke(app, [*args, "--pipeline", "abc", "--pipeline", "def"]).exit_code == 0
    assert seen["pipeline_ids"] == ["abc", "def"]


def test_pack_tasks_writes_one_file_per_task_and_says_how_to_use_them(tmp_path: Path):
    db = tmp_path / "m.sqlite"
    build(_spec(tmp_path), db, workers=0, progress=False, cell_fn=synthetic_fit)
    out = tmp_path / "pack"
    result = runner.invoke(app, ["metadataset", "pack-tasks", str(db), str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.npz"))) == 4  # 2 core datasets x 2 tasks
    assert f"ZAPML_TASK_PACK={out}" in "".join(result.output.split("\n"))
    missing = runner.invoke(app, ["metadataset", "pack-tasks", str(db), str(out), "--budget", "9"])
    assert missing.exit_code == 2 and "nothing to pack" in " ".join(missing.output.split())
