"""`zap selector train --set KEY=VALUE`: settings reach the saved selector with their types; a bad
one is refused before anything is trained or written; `zap selector list --settings` shows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from zapml.cli.app import app
from zapml.metadataset.io_long import long_from_metadataset, write_long
from zapml.selectors import load_selector, make_budget_metadataset

runner = CliRunner()


@pytest.fixture(scope="module")
def table(tmp_path_factory) -> Path:
    md = make_budget_metadataset((4.0, 16.0), n_core=3, tasks_per_core=2, n_pipelines=6)
    return write_long(long_from_metadataset(md), tmp_path_factory.mktemp("md") / "runs.csv")


def _train(table: Path, out: Path, *settings: str):
    args = ["selector", "train", str(table), "-o", str(out), "--objective", "alc"]
    args += ["--method", "knn"]
    for s in settings:
        args += ["--set", s]
    return runner.invoke(app, args)


def test_settings_reach_the_saved_selector(table, tmp_path):
    result = _train(table, tmp_path / "knn", "k=2", "mode=vote")
    assert result.exit_code == 0, result.output
    assert "settings: k=2, mode='vote'" in " ".join(result.output.split())
    saved = load_selector(tmp_path / "knn")
    assert (saved.k, saved.mode) == (2, "vote")


def test_a_bad_setting_is_refused_before_training(table, tmp_path):
    result = _train(table, tmp_path / "bad", "kk=2")
    text = " ".join(result.output.split())
    assert result.exit_code != 0
    assert "--set: Selector 'knn' has no setting 'kk'. Did you mean k?" in text
    assert not (tmp_path / "bad").exists()
    wrong = _train(table, tmp_path / "bad", "mode=weighted")
    assert wrong.exit_code == 2 and "--set: The 'mode' parameter must be one of" in wrong.output
    assert not (tmp_path / "bad").exists()


def test_list_shows_settings_with_defaults():
    result = runner.invoke(app, ["selector", "list", "--settings"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert "k=5, mode=average" in result.output
