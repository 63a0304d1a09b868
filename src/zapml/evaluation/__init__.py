"""Selector evaluation: replay of the stored matrix under a protocol (leave one core dataset out,
the meta-dataset's own folds, k-fold; ``protocols``), metrics, tables and plots.

``run_benchmark(md, protocol=...)`` is the one call behind ``zap benchmark``;
``benchmark_stats(records)`` adds the significance tests and CD diagram (``stats.md``,
``cd_diagram.png`` in its report);
``save_html_report(records, dir)`` writes all of it as one self-contained ``report.html``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pandas as pd

from zapml.evaluation.html import save_html_report
from zapml.evaluation.loco import (
    SelectorFactory,
    applicable,
    default_selectors,
    factory,
    leave_one_core_out,
)
from zapml.evaluation.metrics import (
    RANKING_CORRELATIONS,
    average_ranks,
    gap_closed,
    normalized_regret,
    per_task_regret,
    per_task_results,
    ranking_correlations,
    summarize,
    summarize_by_budget,
    summarize_over_seeds,
)
from zapml.evaluation.protocols import PROTOCOLS, Protocol, evaluate
from zapml.evaluation.report import box_plot, rich_table, save_report, to_markdown
from zapml.evaluation.stats import BenchmarkStats, benchmark_stats, cd_diagram, save_stats
from zapml.metadataset.metadataset import MetaDataset


def run_benchmark(
    md: MetaDataset,
    selectors: Mapping[str, SelectorFactory] | None = None,
    seeds: Iterable[int] = (0, 1, 2),
    out_dir: str | Path | None = None,
    png: bool = True,
    progress: Callable[[str], None] | None = None,
    protocol: Protocol | str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``protocol`` (default ``groups``: leave one core dataset out; see ``protocols``) ->
    ``(summary, records)``; writes CSV / markdown / PNG (with ``per_task.csv`` and
    ``summary_over_seeds.csv``) to ``out_dir`` when given. Selectors are trained and scored by
    ``md.objective`` (pass ``md.for_objective(name)``); the records' ``objective`` column and
    the report say which."""
    records = evaluate(md, selectors, seeds=seeds, protocol=protocol, progress=progress)
    summary = summarize(records)
    if out_dir is not None:
        save_report(records, summary, out_dir, png=png, objective=md.objective, values=md.values)
    return summary, records


__all__ = [
    "BenchmarkStats",
    "PROTOCOLS",
    "Protocol",
    "RANKING_CORRELATIONS",
    "SelectorFactory",
    "average_ranks",
    "benchmark_stats",
    "box_plot",
    "cd_diagram",
    "applicable",
    "default_selectors",
    "evaluate",
    "factory",
    "gap_closed",
    "leave_one_core_out",
    "normalized_regret",
    "per_task_regret",
    "per_task_results",
    "ranking_correlations",
    "rich_table",
    "run_benchmark",
    "save_html_report",
    "save_report",
    "save_stats",
    "summarize",
    "summarize_by_budget",
    "summarize_over_seeds",
    "to_markdown",
]
