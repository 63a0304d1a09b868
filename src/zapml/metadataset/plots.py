"""Heatmap of task x pipeline ALC, laid out like ZAP's Figure 4; one panel per budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from zapml.metadataset.metadataset import MetaDataset


def heatmap_order(mds: MetaDataset) -> tuple[list[str], list[str]]:
    """Rows grouped by core dataset (alphabetical, tasks by id inside a group); columns by mean
    ALC over the tasks, best first, so good pipelines form the left band."""
    cores = mds.core_datasets()
    rows = sorted(mds.task_ids, key=lambda t: (cores[t], t))
    means = mds.perf.mean(axis=0, skipna=True).fillna(-np.inf)
    cols = sorted(mds.pipeline_ids, key=lambda p: (-means[p], p))
    return rows, cols


def heatmap_panels(mds: MetaDataset, budget: float | None = None) -> list[tuple[str, MetaDataset]]:
    """(label, one-budget meta-dataset) per panel: ``budget`` alone when given, else each
    budget (one panel when there is at most one)."""
    if budget is not None:
        return [(f"budget {float(budget):g}", mds.at_budget(budget))]
    if len(mds.budgets) <= 1:
        return [(f"budget {mds.budgets[0]:g}" if mds.budgets else "", mds)]
    return [(f"budget {b:g}", mds.at_budget(b)) for b in mds.budgets]


def plot_heatmap(
    mds: MetaDataset,
    out_png: str | Path,
    *,
    title: str | None = None,
    budget: float | None = None,
) -> Path:
    """One panel per budget side by side (or only ``budget``), sharing the row order, the
    column order (by mean ALC at the first panel's budget, the densest) and the colour scale,
    so a (task, pipeline) cell sits at the same place in every panel."""
    import matplotlib

    matplotlib.use("Agg")  # file output only: no display needed on a build server
    import matplotlib.pyplot as plt

    panels = heatmap_panels(mds, budget)
    rows, cols = heatmap_order(panels[0][1])
    values = [np.ma.masked_invalid(m.perf.loc[rows, cols].to_numpy(dtype=float)) for _, m in panels]
    low, high = _colour_range(values)
    height = min(2 + 0.08 * len(rows), 30)
    width = min(3 + 0.08 * len(cols), 30)
    fig, axes = plt.subplots(1, len(panels), figsize=(width * len(panels), height),
                             squeeze=False, layout="constrained")  # fmt: skip
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="lightgrey")  # grey: not run
    image: Any = None
    order = f"sorted by mean ALC{' at ' + panels[0][0] if len(panels) > 1 else ''}"
    for i, (ax, (label, _), panel) in enumerate(zip(axes[0], panels, values, strict=True)):
        image = ax.imshow(panel, aspect="auto", interpolation="nearest", cmap=cmap,
                          vmin=low, vmax=high)  # fmt: skip
        _label_axes(ax, panels[0][1], rows, first=i == 0)
        ax.set_xlabel(f"pipelines ({order})")
        default = f"ALC, {len(rows)} tasks x {len(cols)} pipelines"
        ax.set_title(", ".join(t for t in (title or default, label) if t))
    fig.colorbar(image, ax=list(axes[0]), label="ALC")
    out = Path(out_png)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def _colour_range(values: list[np.ma.MaskedArray]) -> tuple[float, float]:
    """One scale for every panel, so a colour means the same ALC at every budget."""
    finite = [v.compressed() for v in values if v.count()]
    if not finite:
        return 0.0, 1.0
    both = np.concatenate(finite)
    return float(both.min()), float(both.max())


def _label_axes(ax: Any, mds: MetaDataset, rows: list[str], *, first: bool) -> None:
    cores = mds.core_datasets().loc[rows].to_numpy()
    bounds = [i for i in range(1, len(rows)) if cores[i] != cores[i - 1]]
    for b in bounds:
        ax.axhline(b - 0.5, color="white", linewidth=0.8)
    starts = [0, *bounds]
    ends = [*bounds, len(rows)]
    ax.set_yticks([(s + e - 1) / 2 for s, e in zip(starts, ends, strict=True)])
    ax.set_yticklabels([cores[s] for s in starts])
    if first:
        ax.set_ylabel("tasks (grouped by core dataset)")
    ax.set_xticks([])
