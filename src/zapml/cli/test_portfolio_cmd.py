"""``zap metadataset portfolio``: the greedy portfolio of the shipped meta-dataset as files."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from zapml.cli.app import app
from zapml.metadataset.candidates import greedy_portfolio, yaml_candidates
from zapml.metadataset.loading import load_metadataset

SHIPPED = Path(__file__).parents[1] / "metadataset" / "shipped" / "zapml-offline-v1.sqlite"


def test_portfolio_writes_the_greedy_pipelines_in_order(tmp_path):
    out = tmp_path / "portfolio"
    result = CliRunner().invoke(
        app, ["metadataset", "portfolio", str(SHIPPED), "--size", "4", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.yaml"))
    assert [f.name.split("-")[2] for f in files] == ["01", "02", "03", "04"]
    # the same pipelines, in the same order, as the greedy run on the final-objective matrix
    expected = greedy_portfolio(load_metadataset(SHIPPED).for_objective("final").perf, 4)
    assert [p.id for p in yaml_candidates(files)] == [s.pipeline_id for s in expected]
    assert "coverage" in result.output


def test_portfolio_names_a_bad_objective():
    result = CliRunner().invoke(
        app, ["metadataset", "portfolio", str(SHIPPED), "--objective", "accuracy"]
    )
    assert result.exit_code != 0
    assert "final" in result.output and "alc" in result.output
