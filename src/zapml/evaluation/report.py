"""Benchmark output: rich table, CSV, markdown and a box plot of per-task normalised regret."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zapml.evaluation.metrics import (
    SEED_SPREAD_COLUMNS,
    per_task_regret,
    per_task_results,
    summarize_by_budget,
    summarize_over_seeds,
)
from zapml.evaluation.stats import PNG_DPI, save_stats
from zapml.metadataset.objectives import LEGACY_OBJECTIVE, describe
from zapml.metadataset.values import ValueSpec

COLUMNS = {
    "mean_alc": ("mean ALC", "{:.4f}"),
    "normalized_regret": ("norm. regret", "{:.3f}"),
    "gap_closed": ("gap closed vs SB", "{:.3f}"),
    "gap_closed_budget_sb": ("gap closed vs SB per budget", "{:.3f}"),
    "avg_rank": ("avg rank", "{:.2f}"),
    "fit_seconds": ("fit s", "{:.1f}"),
    "n_cases": ("cases", "{:d}"),
}


def _cell(value: Any, fmt: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    return fmt.format(int(value) if fmt.endswith("d}") else float(value))


#: the header of the ``mean_alc`` column per objective (the records' ``*_alc`` columns hold the
#: objective's value: the final test NAUC for ``final``)
MEAN_HEADER = {"alc": "mean ALC", "final": "mean final NAUC"}


def _headers(objective: str) -> list[str]:
    # a declared measure (an imported meta-dataset) is shown as its score: higher is better, the
    # negated value for a minimised one (``values.ValueSpec``)
    mean = MEAN_HEADER.get(objective, f"mean {objective} score (higher is better)")
    return [mean if k == "mean_alc" else c[0] for k, c in COLUMNS.items()]


def rich_table(
    summary: pd.DataFrame,
    title: str | None = None,
    objective: str = LEGACY_OBJECTIVE,
    protocol: str = "groups",
) -> Any:
    from rich.table import Table

    table = Table(title=title or f"Protocol {protocol}, objective {describe(objective)}")
    table.add_column("selector")
    for header in _headers(objective):
        table.add_column(header, justify="right")
    for name, row in summary.iterrows():
        table.add_row(str(name), *[_cell(row.get(k), f) for k, (_, f) in COLUMNS.items()])
    return table


def summary_frame(summary: pd.DataFrame, objective: str = LEGACY_OBJECTIVE) -> pd.DataFrame:
    """``summary`` (``summarize``) as display text: the ``COLUMNS`` headers and formats, "-" for
    a missing value; one row per selector, indexed by name."""
    cells = [
        [_cell(row.get(k), f) for k, (_, f) in COLUMNS.items()] for _, row in summary.iterrows()
    ]
    index = pd.Index([str(name) for name in summary.index], name="selector")
    return pd.DataFrame(cells, index=index, columns=_headers(objective))


def seeds_table(records: pd.DataFrame, objective: str = LEGACY_OBJECTIVE) -> Any:
    """A rich table of ``summarize_over_seeds``: each metric as "mean ± std" over the seeds,
    headed and formatted as in ``rich_table``."""
    from rich.table import Table

    spread = summarize_over_seeds(records)
    n = int(spread["n_seeds"].max())
    table = Table(title=f"Mean ± std over {n} seeds (each seed summarised on its own)")
    table.add_column("selector")
    headers = dict(zip(COLUMNS, _headers(objective), strict=True))
    shown = [c for c in SEED_SPREAD_COLUMNS if f"{c}_mean" in spread]
    for column in shown:
        table.add_column(headers[column], justify="right")
    for name, row in spread.iterrows():
        cells = []
        for column in shown:
            fmt = COLUMNS[column][1]
            mean, std = _cell(row[f"{column}_mean"], fmt), _cell(row[f"{column}_std"], fmt)
            cells.append(f"{mean} ± {std}")
        table.add_row(str(name), *cells)
    return table


def _markdown_table(summary: pd.DataFrame, objective: str) -> list[str]:
    shown = summary_frame(summary, objective)
    lines = ["| selector | " + " | ".join(shown.columns) + " |", "|---|" + "---:|" * len(COLUMNS)]
    lines += [f"| {name} | " + " | ".join(row) + " |" for name, row in shown.iterrows()]
    return lines


def to_markdown(
    summary: pd.DataFrame,
    objective: str = LEGACY_OBJECTIVE,
    by_budget: dict[float, pd.DataFrame] | None = None,
) -> str:
    """The table, under a line naming the objective the selectors were trained and scored by;
    with ``by_budget`` (``summarize_by_budget``) of two or more budgets, one table per budget
    follows the one over all budgets."""
    lines = [f"Objective: {describe(objective)}", "", *_markdown_table(summary, objective)]
    if by_budget and len(by_budget) >= 2:
        lines[2:2] = ["All budgets:", ""]
        for budget, table in by_budget.items():
            lines += ["", f"Budget {budget:g} compute-s:", "", *_markdown_table(table, objective)]
    return "\n".join(lines) + "\n"


def regret_boxes(ax: Any, records: pd.DataFrame, names: list[str]) -> None:
    """Draw one box of per-task normalised regret per selector of ``names`` on ``ax``."""
    data = []
    for name in names:
        grp = records[records["selector"] == name]
        reg = per_task_regret(grp["chosen_alc"], grp["oracle_alc"], grp["random_alc"])
        data.append(reg[~np.isnan(reg)])
    ax.boxplot(data, showmeans=True)
    ax.set_xticks(range(1, len(names) + 1), names, rotation=30, ha="right")


def box_figure(records: pd.DataFrame, order: list[str] | None = None) -> Any:
    """The matplotlib figure of ``box_plot``; the caller saves and closes it."""
    import matplotlib

    matplotlib.use("Agg")  # files only; never needs a display
    import matplotlib.pyplot as plt

    names = order or list(dict.fromkeys(records["selector"]))
    fig, ax = plt.subplots(figsize=(1.2 * len(names) + 2, 4))
    regret_boxes(ax, records, names)
    ax.set_ylabel("normalised regret per task")
    ax.set_title("lower is better: 0 = oracle, 1 = random pipeline", fontsize=9)
    fig.tight_layout()
    return fig


def box_plot(records: pd.DataFrame, path: str | Path, order: list[str] | None = None) -> Path:
    """Per-task normalised regret per selector (lower is better), saved as a PNG."""
    import matplotlib.pyplot as plt

    fig = box_figure(records, order)
    out = Path(path)
    fig.savefig(out, dpi=PNG_DPI)
    plt.close(fig)
    return out


def save_report(
    records: pd.DataFrame,
    summary: pd.DataFrame,
    out_dir: str | Path,
    png: bool = True,
    objective: str = LEGACY_OBJECTIVE,
    values: ValueSpec | None = None,
) -> dict[str, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "records": out / "records.csv",
        "summary": out / "summary.csv",
        "markdown": out / "summary.md",
        "per_task": out / "per_task.csv",
        "over_seeds": out / "summary_over_seeds.csv",
    }
    records.to_csv(paths["records"], index=False)
    summary.to_csv(paths["summary"])
    per_task_results(records, values).to_csv(paths["per_task"], index=False)
    summarize_over_seeds(records).to_csv(paths["over_seeds"])
    by_budget = summarize_by_budget(records)
    if len(by_budget) >= 2:
        paths["by_budget"] = out / "summary_by_budget.csv"
        long = pd.concat(by_budget, names=["budget"]).reset_index()
        long.to_csv(paths["by_budget"], index=False)
    paths["markdown"].write_text(to_markdown(summary, objective, by_budget))
    if png:
        paths["png"] = box_plot(records, out / "regret_boxplot.png", order=list(summary.index))
    paths.update(save_stats(records, out, png=png))  # ranks, Friedman, Wilcoxon-Holm, CD diagram
    return paths
