"""One self-contained HTML page of a benchmark, to hand a reader: the meta-dataset and protocol,
the summary table, the significance statistics with the CD diagram, per-held-out-group box plots
and, on a multi-budget meta-dataset, regret against budget and one table per budget.

Everything is inline (CSS in a ``<style>``, every plot a base64 PNG ``data:`` URI), so the file
opens offline, can be mailed or attached to a paper's supplement alone, and never fetches a URL.
Tables come from pandas ``to_html`` (which escapes names); the page is plain string templates.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zapml.evaluation.metrics import summarize, summarize_by_budget
from zapml.evaluation.protocols import PROTOCOLS
from zapml.evaluation.report import box_figure, regret_boxes, summary_frame
from zapml.evaluation.stats import (
    PNG_DPI,
    benchmark_stats,
    cd_figure,
    pairwise_frame,
    rank_frame,
    task_table,
    why_not,
)
from zapml.metadataset.objectives import LEGACY_OBJECTIVE, describe

#: the file ``save_html_report`` writes into its folder
REPORT_NAME = "report.html"
#: above this many held-out groups the per-group panels would be a wall of unreadable boxes (an
#: ungrouped meta-dataset has one group per task); the per-group table still lists every group
MAX_GROUP_PANELS = 24
#: panels per row of the per-group figure: four fit the page's width at a readable size
PANEL_COLUMNS = 4

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222;
       padding: 0 1em; }
h1 { border-bottom: 2px solid #345; padding-bottom: .3em; }
h2 { margin-top: 2em; color: #345; }
table { border-collapse: collapse; margin: 1em 0; font-size: 14px; }
th, td { border: 1px solid #ccd; padding: 4px 10px; text-align: right; }
th { background: #eef1f6; }
td:first-child { text-align: left; font-weight: 600; }
caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
tbody tr:nth-child(even) { background: #f8f9fb; }
img { max-width: 100%; border: 1px solid #eee; }
dl { display: grid; grid-template-columns: max-content auto; gap: 4px 16px; }
dt { font-weight: 600; }
dd { margin: 0; }
.note { color: #555; font-size: 14px; }
"""


def _png_uri(fig: Any) -> str:
    """The figure as a ``data:image/png;base64`` URI; closes it."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=PNG_DPI)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _img(fig: Any, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="{_png_uri(fig)}">'


def _table(frame: pd.DataFrame, caption: str) -> str:
    """``frame`` as an HTML table whose first column is its index (one header row)."""
    body = frame.rename_axis(columns=None).reset_index().to_html(border=0, index=False)
    return body.replace(">", f"><caption>{html.escape(caption)}</caption>", 1)


def _p(text: str, note: bool = False) -> str:
    return f"<p{' class=note' if note else ''}>{html.escape(text)}</p>"


def budgets_of(records: pd.DataFrame) -> list[float]:
    """The distinct budgets the records were scored at, ascending ([] when they name none)."""
    if "budget" not in records:
        return []
    return sorted(float(b) for b in records["budget"].dropna().unique())


def _protocol_of(records: pd.DataFrame) -> str:
    """The protocol the records were made by (``leave_one_core_out``'s carry no column: groups)."""
    return str(records["protocol"].iloc[0]) if "protocol" in records else "groups"


def protocol_facts(records: pd.DataFrame, objective: str) -> dict[str, str]:
    """What was compared and how, read from the records themselves."""
    selectors = list(dict.fromkeys(records["selector"]))
    seeds = sorted(int(s) for s in records["seed"].unique())
    budgets = budgets_of(records)
    return {
        "protocol": PROTOCOLS[_protocol_of(records)],
        "objective": describe(objective),
        "held-out groups": str(records["held_out"].nunique()),
        "held-out tasks": str(records["task_id"].nunique())
        + (" (task x budget rows)" if len(budgets) >= 2 else ""),
        "seeds": ", ".join(map(str, seeds)),
        "budgets (compute-s)": ", ".join(f"{b:g}" for b in budgets) or "-",
        "selectors": ", ".join(selectors),
    }


def _facts(facts: Mapping[str, object]) -> str:
    items = "".join(
        f"<dt>{html.escape(str(k))}</dt><dd>{html.escape(str(v))}</dd>" for k, v in facts.items()
    )
    return f"<dl>{items}</dl>"


def _summary_section(summary: pd.DataFrame, objective: str) -> str:
    return "\n".join(
        [
            '<section id="summary"><h2>Summary</h2>',
            _table(summary_frame(summary, objective), "every selector over all held-out tasks"),
            _p(
                "Normalised regret: (oracle - chosen) / (oracle - random pick), 0 = oracle, "
                "1 = a random pipeline. Gap closed: (chosen - single best) / (oracle - single "
                "best), 1 = oracle, 0 = the single best pipeline. Both are ratios of means over "
                "all (task, seed) cases; avg rank: 1 = best on a case (oracle not ranked).",
                note=True,
            ),
            "</section>",
        ]
    )


def _statistics_section(records: pd.DataFrame) -> str:
    head = '<section id="statistics"><h2>Significance statistics</h2>'
    reason = why_not(task_table(records))
    if reason is not None:
        return f"{head}{_p('Skipped: ' + reason)}</section>"
    result = benchmark_stats(records)
    n_tasks, k = result.table.shape
    return "\n".join(
        [
            head,
            _p(
                f"{k} selectors on {n_tasks} held-out tasks; each selector's value on a task is "
                "averaged over seeds (and budgets) first."
            ),
            _table(rank_frame(result), "average rank (1 = best) and mean ranking correlations"),
            _p(
                f"Friedman test: chi-square = {result.friedman_statistic:.3f} (df = {k - 1}), "
                f"p = {result.friedman_pvalue:.3g}."
            ),
            _table(
                pairwise_frame(result.pairwise).rename_axis(""),
                f"pairwise two-sided Wilcoxon signed-rank p-values, Holm-adjusted for "
                f"{k * (k - 1) // 2} comparisons",
            ),
            _img(cd_figure(result), "critical difference diagram"),
            "</section>",
        ]
    )


def group_figure(records: pd.DataFrame, order: list[str]) -> Any:
    """One panel per held-out group: per-task normalised regret per selector."""
    import matplotlib

    matplotlib.use("Agg")  # files only; never needs a display
    import matplotlib.pyplot as plt

    groups = sorted(records["held_out"].unique())
    cols = min(PANEL_COLUMNS, len(groups))
    rows = -(-len(groups) // cols)
    width = max(2.5, 0.45 * len(order) + 1.0)
    fig, axes = plt.subplots(
        rows, cols, figsize=(width * cols, 3.2 * rows), sharey=True, squeeze=False
    )
    for ax, group in zip(axes.flat, groups, strict=False):
        regret_boxes(ax, records[records["held_out"] == group], order)
        ax.set_title(str(group), fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
    for ax in axes.flat[len(groups) :]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("normalised regret")
    fig.tight_layout()
    return fig


def group_regret(records: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Held-out group x selector: normalised regret over the group's (task, seed) cases."""
    rows = {
        str(group): summarize(part)["normalized_regret"].reindex(order)
        for group, part in records.groupby("held_out", sort=True)
    }
    return pd.DataFrame(rows).T.rename_axis("held-out group")


def _groups_section(records: pd.DataFrame, order: list[str]) -> str:
    n_groups = records["held_out"].nunique()
    parts = [
        '<section id="groups"><h2>Per held-out group</h2>',
        _img(box_figure(records, order), "normalised regret per selector, all tasks"),
    ]
    if n_groups <= MAX_GROUP_PANELS:
        parts.append(_img(group_figure(records, order), "normalised regret per held-out group"))
    else:
        parts.append(_p(f"{n_groups} groups: more than {MAX_GROUP_PANELS}, so no panels; the "
                        "table lists every group.", note=True))  # fmt: skip
    table = group_regret(records, order).map(lambda v: "-" if np.isnan(v) else f"{v:.3f}")
    parts += [_table(table, "normalised regret per held-out group (lower is better)")]
    return "\n".join([*parts, "</section>"])


def budget_figure(by_budget: Mapping[float, pd.DataFrame], order: list[str]) -> Any:
    """Normalised regret of each selector against the budget (log axis), one line each."""
    import matplotlib

    matplotlib.use("Agg")  # files only; never needs a display
    import matplotlib.pyplot as plt

    budgets = list(by_budget)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name in order:
        values = [by_budget[b]["normalized_regret"].get(name, np.nan) for b in budgets]
        ax.plot(budgets, values, marker="o", label=name)
    ax.set_xscale("log")
    ax.minorticks_off()  # the budgets themselves are the only ticks worth a label
    ax.set_xticks(budgets, [f"{b:g}" for b in budgets])
    ax.set_xlabel("budget (compute-s)")
    ax.set_ylabel("normalised regret (0 = oracle, 1 = random)")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))  # never over a line
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _budget_section(records: pd.DataFrame, order: list[str], objective: str) -> str:
    by_budget = summarize_by_budget(records)
    if len(by_budget) < 2:
        return ""
    parts = [
        '<section id="budgets"><h2>Per budget</h2>',
        _img(budget_figure(by_budget, order), "normalised regret against budget"),
    ]
    for budget, table in by_budget.items():
        parts.append(_table(summary_frame(table, objective), f"budget {budget:g} compute-s"))
    return "\n".join([*parts, "</section>"])


def render_html(
    records: pd.DataFrame,
    objective: str | None = None,
    title: str = "zapml benchmark",
    about: Mapping[str, object] | None = None,
) -> str:
    """The page of ``save_html_report`` as a string."""
    if records.empty:
        raise ValueError("No benchmark records to report; run the benchmark first.")
    objective = objective or _objective_of(records)
    summary = summarize(records)
    order = list(summary.index)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = [
        f"<h1>{html.escape(title)}</h1>",
        '<section id="about"><h2>Meta-dataset and protocol</h2>',
        _facts({**(about or {}), **protocol_facts(records, objective)}),
        "</section>",
        _summary_section(summary, objective),
        _statistics_section(records),
        _groups_section(records, order),
        _budget_section(records, order, objective),
        f'<footer class="note">Generated by zapml on {stamp}.</footer>',
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _objective_of(records: pd.DataFrame) -> str:
    if "objective" in records and records["objective"].nunique() == 1:
        return str(records["objective"].iloc[0])
    return LEGACY_OBJECTIVE


def save_html_report(
    records: pd.DataFrame,
    out_dir: str | Path,
    objective: str | None = None,
    title: str = "zapml benchmark",
    about: Mapping[str, object] | None = None,
) -> Path:
    """Write ``out_dir/report.html`` from LOCO ``records`` (``leave_one_core_out``); ``about``
    adds facts about the meta-dataset to the page's first section. The objective defaults to
    the records' ``objective`` column. Returns the file's path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / REPORT_NAME
    path.write_text(render_html(records, objective, title, about), encoding="utf-8")
    return path


def metadataset_facts(md: Any, source: str | Path) -> dict[str, str]:
    """The meta-dataset's size for the page's first section (``md``: a ``MetaDataset``)."""
    return {
        "meta-dataset": str(source),
        "tasks": str(len(md.tasks)),
        "core datasets (groups)": str(md.core_datasets().nunique()),
        "candidate pipelines": str(len(md.pipelines)),
        "cells filled": f"{md.num_runs_filled} ({md.density:.0%})",
    }
