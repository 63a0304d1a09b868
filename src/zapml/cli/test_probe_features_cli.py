"""``--features`` from the command line to the artifact, ``zap recommend`` computing (or refusing
to skip) a probe selector's features, and ``zap fit`` charging their seconds to the budget."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from zapml.cli.app import app
from zapml.cli.selector_cmds import FeatureSetName
from zapml.cli.test_cli import _tiny_npz
from zapml.metadataset.io_long import long_from_metadataset, write_long
from zapml.metadataset.metadataset import FEATURE_SETS
from zapml.metafeatures.extraction import ProbeFeatures
from zapml.metafeatures.trivial import TRIVIAL_FEATURES
from zapml.selectors.test_probe_query import PROBE, probe_driven_metadataset

runner = CliRunner()


def test_the_option_offers_exactly_the_feature_sets() -> None:
    assert tuple(f.value for f in FeatureSetName) == FEATURE_SETS


@pytest.fixture()
def probed_table(tmp_path: Path) -> Path:
    return write_long(long_from_metadataset(probe_driven_metadataset()), tmp_path / "md.csv")


def _train(table: Path, out: Path, features: str) -> list[str]:
    result = runner.invoke(
        app,
        ["selector", "train", str(table), "-o", str(out), "--method", "knn",
         "--objective", "alc", "--features", features],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return list(json.loads((out / "config.json").read_text())["metafeature_names"])


def test_train_records_the_chosen_feature_set(probed_table: Path, tmp_path: Path) -> None:
    assert _train(probed_table, tmp_path / "t", "trivial") == list(TRIVIAL_FEATURES)
    assert _train(probed_table, tmp_path / "p", "probe") == [PROBE]
    assert _train(probed_table, tmp_path / "a", "all") == [*TRIVIAL_FEATURES, PROBE]


def _fake_probe(seconds: float, calls: list[Any]) -> Any:
    def compute(train: Any, backbones: Any, **kwargs: Any) -> ProbeFeatures:
        calls.append(tuple(backbones))
        return ProbeFeatures({PROBE: 0.95}, seconds)

    return compute


def test_recommend_computes_and_prints_the_probe_cost(
    probed_table: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _train(probed_table, tmp_path / "p", "probe")
    calls: list[Any] = []
    monkeypatch.setattr(
        "zapml.metafeatures.extraction.compute_probe_features", _fake_probe(1.25, calls)
    )
    data = str(_tiny_npz(tmp_path / "tiny.npz"))
    args = ["recommend", data, "--selector", str(tmp_path / "p"), "--objective", "alc"]
    result = runner.invoke(app, [*args, "--budget", "4", "--clock", "compute"])
    assert result.exit_code == 0, result.output
    assert calls == [("mobilenetv2_100",)]
    assert "probe features of mobilenetv2_100 computed: 1.25 compute-s" in result.output
    assert f"probe features that drove it: {PROBE} +" in result.output


def test_fit_charges_the_probe_seconds_to_a_compute_budget(
    probed_table: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _train(probed_table, tmp_path / "p", "all")
    monkeypatch.setattr(
        "zapml.metafeatures.extraction.compute_probe_features", _fake_probe(2.5, [])
    )
    budgets: list[float] = []

    def fake_fit(*args: Any, budget: float, **kwargs: Any) -> None:
        budgets.append(budget)
        raise KeyboardInterrupt  # stop before any training: the budget is what we test

    monkeypatch.setattr("zapml.runtime.fit", fake_fit)
    data = str(_tiny_npz(tmp_path / "tiny.npz"))
    runner.invoke(
        app,
        ["fit", data, "--selector", str(tmp_path / "p"), "--objective", "alc", "--budget", "10",
         "--clock", "compute", "-o", str(tmp_path / "run")],
    )  # fmt: skip
    assert budgets == [7.5]  # 10 compute-s asked, 2.5 spent on the probe
