"""Heatmap of task x pipeline ALC, laid out like ZAP's Figure 4."""

from __future__ import annotations

from pathlib import Path

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


def plot_heatmap(mds: MetaDataset, out_png: str | Path, *, title: str | None = None) -> Path:
    import matplotlib

    matplotlib.use("Agg")  # file output only: no display needed on a build server
    import matplotlib.pyplot as plt

    rows, cols = heatmap_order(mds)
    values = np.ma.masked_invalid(mds.perf.loc[rows, cols].to_numpy(dtype=float))
    height = min(2 + 0.08 * len(rows), 30)
    width = min(3 + 0.08 * len(cols), 30)
    fig, ax = plt.subplots(figsize=(width, height))
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="lightgrey")  # grey: not run
    image = ax.imshow(values, aspect="auto", interpolation="nearest", cmap=cmap)
    fig.colorbar(image, ax=ax, label="ALC")
    cores = mds.core_datasets().loc[rows].to_numpy()
    bounds = [i for i in range(1, len(rows)) if cores[i] != cores[i - 1]]
    for b in bounds:
        ax.axhline(b - 0.5, color="white", linewidth=0.8)
    starts = [0, *bounds]
    ends = [*bounds, len(rows)]
    ax.set_yticks([(s + e - 1) / 2 for s, e in zip(starts, ends, strict=True)])
    ax.set_yticklabels([cores[s] for s in starts])
    ax.set_xlabel("pipelines (sorted by mean ALC)")
    ax.set_ylabel("tasks (grouped by core dataset)")
    ax.set_xticks([])
    ax.set_title(title or f"ALC, {len(rows)} tasks x {len(cols)} pipelines")
    fig.tight_layout()
    out = Path(out_png)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out
