"""`zap benchmark --html DIR`: writes DIR/report.html about the meta-dataset it was given and says
where (the page itself is tested in zapml/evaluation/test_html.py, in a real Chromium)."""

from __future__ import annotations

from typer.testing import CliRunner

from zapml.cli.app import app
from zapml.cli.test_objective_flags import SHIPPED_MDS
from zapml.evaluation.test_html import parse

runner = CliRunner()


def test_benchmark_html_writes_the_page_and_says_where(tmp_path):
    args = ["benchmark", str(SHIPPED_MDS), "--seeds", "1", "--methods", "random,single_best"]
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "csv"), "--html", str(tmp_path / "h")])
    assert result.exit_code == 0, result.output
    page = tmp_path / "h" / "report.html"
    assert "HTML report:" in " ".join(result.output.split()) and page.name in result.output
    text = page.read_text(encoding="utf-8")
    assert "zapml-offline-v1.sqlite" in text and "final (final test NAUC" in text
    assert "<dt>tasks</dt><dd>104</dd>" in text  # the shipped meta-dataset's size
    rows = [table for table in parse(text).tables if table[0][0] == "selector"][0]
    assert sorted(row[0] for row in rows[1:]) == ["oracle", "random", "single_best"]
