"""``zap selector update`` / ``history`` and the ``zap fit`` hook, through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from zapml.cli.app import app
from zapml.cli.test_cli import _tiny_npz
from zapml.history.paths import user_selector_path
from zapml.history.store import append_fit, read_history
from zapml.history.testing import fit_result, named_pipelines, tiny_dataset, write_base_store
from zapml.selectors.api import train_selector
from zapml.selectors.choice import SHIPPED_SELECTORS

runner = CliRunner()


@pytest.fixture
def knn_recipe(monkeypatch):  # noqa: ANN001, ANN201
    """The update's training as a fast kNN: these tests check the command, test_update the
    learning (and the real recipe, marked slow)."""

    def knn(mds, objective, out):  # noqa: ANN001, ANN202
        return train_selector(mds, "knn", out_dir=out, objective=objective, k=3)

    monkeypatch.setattr("zapml.history.update.train_shipped_kind", knn)


def _history(path: Path) -> Path:
    for i in range(2):
        append_fit(fit_result(0.9), tiny_dataset(i), named_pipelines()["B"], path=path)
    return path


def test_update_then_reset(tmp_path: Path, knn_recipe: None, monkeypatch):
    # the probe gate as it shipped until the 13,544-run store (5%; 0 now): the list names it
    monkeypatch.setattr("zapml.selectors.probe_gate.PROBE_BUDGET_SHARE", 0.05)
    base = write_base_store(tmp_path / "base.sqlite")
    history = _history(tmp_path / "h.sqlite")
    args = ["selector", "update", "--history", str(history), "--metadataset", str(base)]
    result = runner.invoke(app, [*args, "--objective", "final"])
    assert result.exit_code == 0, result.output
    assert "24 tasks of base.sqlite + 2 history task(s) (2 fit(s)" in result.output
    assert (user_selector_path("final") / "manifest.json").is_file()
    assert not user_selector_path("alc").exists()
    listed = runner.invoke(app, ["selector", "history", "list", "--history", str(history)])
    assert listed.exit_code == 0, listed.output
    assert f"default final selector: {user_selector_path('final')}" in listed.output
    assert f"default alc selector: {SHIPPED_SELECTORS['alc']}" in listed.output
    reset = runner.invoke(app, ["selector", "update", "--reset"])
    assert reset.exit_code == 0, reset.output
    assert f"final: removed {user_selector_path('final')}" in reset.output
    assert "alc: no updated selector" in reset.output
    assert not user_selector_path("final").exists()
    assert "final-probe" not in listed.output  # the user's updated selector wins over the gate
    relisted = runner.invoke(app, ["selector", "history", "list", "--history", str(history)])
    text = " ".join(relisted.output.split())
    assert f"default final selector: {SHIPPED_SELECTORS['final']}" in text
    assert "final-probe when its probe pass costs at most 5% of the budget" in text


def test_the_list_leaves_out_a_probe_gate_that_never_probes(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("zapml.selectors.probe_gate.PROBE_BUDGET_SHARE", 0.0)
    history = _history(tmp_path / "h.sqlite")
    listed = runner.invoke(app, ["selector", "history", "list", "--history", str(history)])
    assert listed.exit_code == 0, listed.output
    text = " ".join(listed.output.split())
    assert f"default final selector: {SHIPPED_SELECTORS['final']}" in text
    assert "final-probe" not in text


def test_update_without_a_history_is_one_message(tmp_path: Path):
    result = runner.invoke(app, ["selector", "update", "--history", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert "No fit history" in result.output and "Traceback" not in result.output


def test_history_show_and_clear(tmp_path: Path):
    history = _history(tmp_path / "h.sqlite")
    shown = runner.invoke(app, ["selector", "history", "show", "2", "--history", str(history)])
    assert shown.exit_code == 0, shown.output
    assert "core_dataset: history:tiny1" in shown.output and "final_nauc: 0.9" in shown.output
    missing = runner.invoke(app, ["selector", "history", "show", "9", "--history", str(history)])
    assert missing.exit_code == 2 and "No run 9" in missing.output
    clear = ["selector", "history", "clear", "--yes", "--history", str(history)]
    cleared = runner.invoke(app, clear)
    assert cleared.exit_code == 0 and "deleted 2 fit(s)" in cleared.output
    assert not history.exists()


@pytest.mark.slow
def test_zap_fit_appends_to_the_history_unless_told_not_to(tmp_path: Path):
    # A real fit (a few compute-s, but tens of wall seconds on a busy machine).
    data = _tiny_npz(tmp_path / "tiny.npz")
    history = tmp_path / "h.sqlite"
    args = ["fit", str(data), "--budget", "2", "--clock", "compute", "--no-progress"]
    first = runner.invoke(app, [*args, "-o", str(tmp_path / "a"), "--history", str(history)])
    assert first.exit_code == 0, first.output
    assert f"history: run added to {history}" in first.output
    skipped = [*args, "-o", str(tmp_path / "b"), "--history", str(history), "--no-history"]
    assert runner.invoke(app, skipped).exit_code == 0
    (run,) = read_history(history).to_dict("records")
    assert (run["clock"], run["budget"], run["status"]) == ("compute", 2.0, "ok")
    assert run["num_train"] == 48 and run["resolution_0"] == 16  # 80% of 60 images kept to train
