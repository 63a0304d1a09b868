"""Significance statistics of a benchmark, as a paper reports them (Demšar, JMLR 2006; Benavoli
et al., JMLR 2016): average ranks, the Friedman test, pairwise Wilcoxon signed-rank tests with
Holm's correction, and a critical-difference (CD) diagram; plus each selector's mean ranking
correlations (``metrics.RANKING_CORRELATIONS``) over the held-out tasks.

The blocks are the held-out tasks: each selector's chosen value on a task is first averaged over
seeds (and over budgets on a multi-budget meta-dataset), so seeds never pose as extra tasks. The
tests come from scipy (Friedman) and scikit-posthocs (Wilcoxon-Holm, CD diagram), not written
here. Gap closed and normalised regret stay in ``metrics`` / ``summarize``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from zapml.evaluation.metrics import RANKING_CORRELATIONS, average_ranks

#: Friedman compares k >= 3 related samples (scipy refuses fewer); two selectors need one
#: Wilcoxon test, which the summary's numbers already answer better
MIN_SELECTORS = 3
#: below 5 tasks the ranks are noise: Friedman's chi-square approximation wants N > 10 to be
#: accurate (Demšar 2006), and with N <= 5 no exact two-sided Wilcoxon p can fall under 0.0625
MIN_TASKS = 5
#: the conventional level of Demšar's CD diagrams; selectors whose Holm-adjusted p is at least
#: this are joined by a bar (not shown to differ)
ALPHA = 0.05
#: Demšar (2006) splits the ranks of zero differences evenly between the two signs rather than
#: dropping them ("wilcox"), which would call two selectors that agree on most tasks different
ZERO_METHOD = "zsplit"
#: the records' column each selector is ranked by (higher is better)
VALUE = "chosen_alc"
#: dots per inch of every plot a report saves or embeds: sharp on a screen, tens of kB a figure
PNG_DPI = 120


@dataclass(frozen=True)
class BenchmarkStats:
    """``table``: held-out tasks x selectors, the chosen value averaged over seeds; ``ranks``:
    average rank per selector (1 = best), best first; ``pairwise``: Holm-adjusted Wilcoxon
    p-values (symmetric, 1 on the diagonal); ``correlations``: selector x correlation, the mean
    over tasks (empty when the records lack the columns)."""

    table: pd.DataFrame
    ranks: pd.Series
    friedman_statistic: float
    friedman_pvalue: float
    pairwise: pd.DataFrame
    correlations: pd.DataFrame


def task_table(records: pd.DataFrame, rank_exclude: tuple[str, ...] = ("oracle",)) -> pd.DataFrame:
    """Held-out tasks x selectors: each selector's chosen value on a task averaged over seeds
    (and budgets); tasks some selector was not scored on are dropped, since every test here
    needs complete blocks."""
    kept = records[~records["selector"].isin(rank_exclude)]
    wide = kept.pivot_table(index="task_id", columns="selector", values=VALUE, aggfunc="mean")
    order = [s for s in dict.fromkeys(kept["selector"]) if s in wide.columns]
    return wide[order].dropna(axis=0, how="any")


def why_not(table: pd.DataFrame) -> str | None:
    """Why ``table`` is too small for the tests, or None when it is large enough."""
    n_tasks, n_selectors = table.shape
    if n_selectors < MIN_SELECTORS:
        return (
            f"{n_selectors} selector(s) compared; the Friedman test and CD diagram need at least "
            f"{MIN_SELECTORS} (pass more with --methods)."
        )
    if n_tasks < MIN_TASKS:
        return (
            f"{n_tasks} held-out task(s) scored by every selector; the tests need at least "
            f"{MIN_TASKS} (use a meta-dataset with more tasks)."
        )
    return None


def friedman(table: pd.DataFrame) -> tuple[float, float]:
    """Friedman's chi-square statistic and p-value over the tasks (blocks) of ``table``."""
    result = stats.friedmanchisquare(*(table[c].to_numpy() for c in table.columns))
    return float(result.statistic), float(result.pvalue)


def wilcoxon_holm(table: pd.DataFrame) -> pd.DataFrame:
    """Two-sided Wilcoxon signed-rank p-value of every pair of selectors over the tasks, Holm
    adjusted for the k(k-1)/2 comparisons; a symmetric selectors x selectors frame."""
    import scikit_posthocs as sp

    pvalues = sp.posthoc_wilcoxon(
        [table[c].to_numpy() for c in table.columns], zero_method=ZERO_METHOD, p_adjust="holm"
    )
    pvalues.index = pvalues.columns = list(table.columns)
    return pvalues


def mean_correlations(records: pd.DataFrame, selectors: list[str]) -> pd.DataFrame:
    """Selector x ``RANKING_CORRELATIONS``: each task's correlation averaged over seeds, then
    over tasks (tasks where it is undefined are skipped); empty when the records lack them."""
    columns = [c for c in RANKING_CORRELATIONS if c in records.columns]
    if not columns:
        return pd.DataFrame(index=selectors)
    kept = records[records["selector"].isin(selectors)]
    per_task = kept.groupby(["selector", "task_id"])[columns].mean()
    return per_task.groupby(level="selector").mean().reindex(selectors)


def benchmark_stats(
    records: pd.DataFrame, rank_exclude: tuple[str, ...] = ("oracle",)
) -> BenchmarkStats:
    """Every statistic of this module for LOCO ``records`` (``leave_one_core_out``); raises
    ValueError saying why when there are too few selectors or tasks (``why_not``)."""
    table = task_table(records, rank_exclude)
    reason = why_not(table)
    if reason is not None:
        raise ValueError(f"No significance statistics: {reason}")
    statistic, pvalue = friedman(table)
    ranks = average_ranks(table).sort_values()
    return BenchmarkStats(
        table=table,
        ranks=ranks,
        friedman_statistic=statistic,
        friedman_pvalue=pvalue,
        pairwise=wilcoxon_holm(table).loc[ranks.index, ranks.index],
        correlations=mean_correlations(records, list(ranks.index)),
    )


def cd_figure(result: BenchmarkStats, alpha: float = ALPHA) -> Any:
    """Demšar's critical-difference diagram: average ranks on the axis, a bar joining selectors
    whose Holm-adjusted Wilcoxon p-value is at least ``alpha``; the caller saves and closes it."""
    import matplotlib

    matplotlib.use("Agg")  # files only; never needs a display
    import matplotlib.pyplot as plt
    import scikit_posthocs as sp

    fig, ax = plt.subplots(figsize=(8, 1.0 + 0.3 * len(result.ranks)))
    sp.critical_difference_diagram(result.ranks, result.pairwise, alpha=alpha, ax=ax)
    ax.set_title(
        f"average rank over {len(result.table)} tasks (1 = best); bars: not different "
        f"(Wilcoxon-Holm, alpha {alpha:g})",
        fontsize=9,
    )
    fig.tight_layout()
    return fig


def cd_diagram(result: BenchmarkStats, path: str | Path, alpha: float = ALPHA) -> Path:
    """``cd_figure`` saved as a PNG at ``path``."""
    import matplotlib.pyplot as plt

    fig = cd_figure(result, alpha)
    out = Path(path)
    fig.savefig(out, dpi=PNG_DPI)
    plt.close(fig)
    return out


def _fmt(value: float, digits: int = 3) -> str:
    return "-" if np.isnan(value) else f"{value:.{digits}f}"


def rank_frame(result: BenchmarkStats) -> pd.DataFrame:
    """Average rank and mean ranking correlations per selector, best first, as display text."""
    names = list(result.correlations.columns)
    rows = [
        [f"{rank:.2f}", *(_fmt(float(result.correlations.loc[selector, n])) for n in names)]
        for selector, rank in result.ranks.items()
    ]
    index = pd.Index([str(s) for s in result.ranks.index], name="selector")
    return pd.DataFrame(rows, index=index, columns=["avg rank", *(f"mean {n}" for n in names)])


def _pvalue(p: float) -> str:
    return f"{p:.4f}" if p >= 1e-4 or np.isnan(p) else f"{p:.1e}"  # never a bare 0.0000


def pairwise_frame(pairwise: pd.DataFrame) -> pd.DataFrame:
    """The Holm-adjusted p-values as display text, blank on the diagonal."""
    names = [str(n) for n in pairwise.columns]
    cells = [
        ["" if row == col else _pvalue(float(pairwise.loc[row, col])) for col in pairwise.columns]
        for row in pairwise.index
    ]
    return pd.DataFrame(cells, index=pd.Index(names), columns=names)


def _markdown(frame: pd.DataFrame, corner: str) -> list[str]:
    head = f"| {corner} | " if corner else "| | "
    lines = [head + " | ".join(frame.columns) + " |", "|---|" + "---:|" * frame.shape[1]]
    lines += [f"| {name} | " + " | ".join(row) + " |" for name, row in frame.iterrows()]
    return lines


def _rank_table(result: BenchmarkStats) -> list[str]:
    return _markdown(rank_frame(result), "selector")


def _pairwise_table(pairwise: pd.DataFrame) -> list[str]:
    return _markdown(pairwise_frame(pairwise), "")


def _correlation_note(result: BenchmarkStats) -> list[str]:
    if result.correlations.columns.empty:
        return ["(These records hold no ranking correlations; rerun the benchmark for them.)"]
    return [
        "The ranking correlations are between the selector's scores of all observed pipelines",
        "and their true values on a task, averaged over tasks (- where never defined).",
    ]


def stats_markdown(result: BenchmarkStats) -> str:
    """``stats.md``: ranks and mean correlations, the Friedman test, the pairwise p-values."""
    n_tasks, k = result.table.shape
    lines = [
        f"# Significance statistics: {k} selectors on {n_tasks} held-out tasks",
        "",
        "Each selector's chosen value on a task is averaged over seeds (and budgets) first; rank",
        "1 = best on a task, ties share the mean rank.",
        *_correlation_note(result),
        "",
        *_rank_table(result),
        "",
        f"Friedman test: chi-square = {result.friedman_statistic:.3f} (df = {k - 1}), "
        f"p = {result.friedman_pvalue:.3g}.",
        "",
        "Pairwise two-sided Wilcoxon signed-rank p-values (zero differences split), Holm-adjusted "
        f"for {k * (k - 1) // 2} comparisons:",
        "",
        *_pairwise_table(result.pairwise),
    ]
    return "\n".join(lines) + "\n"


def save_stats(records: pd.DataFrame, out_dir: str | Path, png: bool = True) -> dict[str, Path]:
    """Write ``stats.md`` (and ``cd_diagram.png`` when ``png``) to ``out_dir``; when there are
    too few selectors or tasks, ``stats.md`` says why and no diagram is drawn."""
    out = Path(out_dir)
    paths = {"stats": out / "stats.md"}
    reason = why_not(task_table(records))
    if reason is not None:
        paths["stats"].write_text(f"# Significance statistics: skipped\n\n{reason}\n")
        return paths
    result = benchmark_stats(records)
    paths["stats"].write_text(stats_markdown(result))
    if png:
        paths["cd_diagram"] = cd_diagram(result, out / "cd_diagram.png")
    return paths
