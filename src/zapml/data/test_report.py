"""inspect_data: counts, imbalance and the rich rendering the CLI prints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from zapml.data import inspect_data
from zapml.data.conftest import MakeImage

pytestmark = pytest.mark.filterwarnings("ignore::zapml.data.validation.DataWarning")


def test_report_of_a_folder_with_problems(tmp_path: Path, make_image: MakeImage) -> None:
    root = tmp_path / "zoo"
    for i in range(6):
        make_image(root / "train" / "ant" / f"{i}.png", size=(12, 12))
    for i in range(2):
        make_image(root / "train" / "bee" / f"{i}.png", mode="RGB", size=(12, 12))
    make_image(root / "test" / "ant" / "0.png", size=(12, 12))
    (root / "train" / "bee" / "notes.txt").write_text("x")
    report = inspect_data(root)
    assert report.source_kind == "folder" and report.name == "zoo"
    assert report.class_names == ("ant", "bee")
    assert report.train_counts == (6, 2) and report.test_counts == (1, 0)
    assert report.num_train == 8 and report.num_test == 1
    assert report.image_size == (12, 12) and report.channels == 3
    assert report.imbalance_ratio == pytest.approx(3.0)  # 6 / 2
    assert len(report.warnings) == 1 and "notes.txt" in report.warnings[0]
    json.dumps(report.to_dict())  # serialisable for --json output

    console = Console(record=True, width=120)
    console.print(report.render())
    text = console.export_text()
    assert "ant" in text and "imbalance 3.00" in text and "notes.txt" in text


def test_report_of_a_builtin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZAPML_CACHE", str(tmp_path))
    report = inspect_data("builtin:lfw")
    assert report.source_kind == "builtin" and report.class_names == ("face", "non-face")
    # 200 images, 100 per class, 20 % of each held out.
    assert report.train_counts == (80, 80) and report.test_counts == (20, 20)
    assert report.imbalance_ratio == 1.0 and report.image_size == (25, 25)
