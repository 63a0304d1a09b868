"""``learning_curve.png``: the anytime curve as AutoDL scores it, and in raw time."""

from __future__ import annotations

from pathlib import Path

from zapml.metrics import learning_curve_steps
from zapml.runtime.result import FitResult


def plot_learning_curve(result: FitResult, path: Path) -> None:
    """Left: the step curve in AutoDL's transformed time with its area (the ALC) shaded.
    Right: the same predictions against raw clock seconds, with the budget marked."""
    import matplotlib

    matplotlib.use("Agg")  # files only; never open a window
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    x, y = learning_curve_steps(result.timestamps, result.test_nauc, result.budget, result.alc_t0)
    left.step(x, y, where="post", color="C0")
    left.fill_between(x, y, step="post", alpha=0.3, color="C0")
    left.set_xlim(0, 1)
    left.set_ylim(min(0.0, float(y.min())) if len(y) else 0.0, 1.0)
    left.set_xlabel(f"log(1 + t/t0) / log(1 + T/t0),  T={result.budget:g}, t0={result.alc_t0:g}")
    left.set_ylabel("test NAUC")
    alc = "n/a" if result.alc is None else f"{result.alc:.4f}"
    left.set_title(f"ALC = {alc}")

    for source, marker in (("simple_model", "s"), ("network", "o")):
        pts = [
            (t, s)
            for t, s, src in zip(
                result.timestamps, result.test_nauc, result.prediction_sources, strict=True
            )
            if src == source
        ]
        if pts:
            ts, ss = zip(*pts, strict=True)
            right.plot(ts, ss, marker, label=source.replace("_", " "))
    if result.timestamps:
        right.step(
            [*result.timestamps, result.budget],
            [*result.test_nauc, result.test_nauc[-1]],
            where="post",
            color="C7",
            alpha=0.6,
        )
    right.axvline(result.budget, color="k", linestyle="--", linewidth=1)
    right.set_xlim(0, result.budget * 1.02)
    right.set_xlabel(f"{result.clock} clock seconds")
    right.set_ylabel("test NAUC")
    right.set_title(f"{result.architecture} ({result.status})")
    if result.timestamps:
        right.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
