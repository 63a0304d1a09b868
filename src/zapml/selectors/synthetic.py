"""Generated meta-datasets with a known rule, for tests and benchmarks before the real one exists.

Each core dataset has a channel count, a native resolution and a pool of classes; its tasks
("augmentations") subsample classes and images per class, as ZAP does. A pipeline's ALC is

    base(core) - 0.04 * log10(num_classes)                     # more classes: harder
    + 0.12 * pretrained                                        # ImageNet weights help
    - 0.30 * (capacity(arch) - target_capacity(big))**2        # big tasks want big models
    - 0.30 * (lr_position - target_lr(big))**2                 # ... and larger learning rates
    - 0.03 * |log2_max_size - log2(native resolution)|          # resize near native size
    + pipeline offset (the other hyperparameters) + cell noise

where ``big`` grows with log(num_train), log(num_classes) and log(resolution). So big, many-class,
high-resolution tasks favour pretrained EfficientNet-Lite2 at a large lr, tiny low-res tasks favour
small models at a smaller lr: a selector that reads the meta-features can beat the single best.

``make_budget_metadataset`` adds budgets: at budget ``b`` the rule also pulls the best capacity
towards ``budget_capacity(b)`` (a short budget cannot train a big model: small models win at the
smallest budget, big ones at the largest), so the best pipeline changes with the budget, and
larger budgets hold fewer cells (nested subsets, as the planner builds them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zapml.metadataset.metadataset import MetaDataset
from zapml.space.pipeline import Pipeline
from zapml.space.space import sample_pipelines

CAPACITY: dict[str, float] = {
    "mobilenetv2_100": 0.35,
    "efficientnet_lite0": 0.5,
    "efficientnet_lite1": 0.7,
    "efficientnet_lite2": 0.95,
    "resnet18.scratch": 0.6,
    "mobilenetv2_100.scratch": 0.3,
}
# The rule knows these architectures' capacity, so the generated pipelines use exactly them.
ARCHS: tuple[str, ...] = tuple(CAPACITY)
RESOLUTIONS = (28, 32, 64, 96, 128, 224)


def task_bigness(
    num_train: np.ndarray, num_classes: np.ndarray, resolution: np.ndarray
) -> np.ndarray:
    """The latent task size the rule keys on (about -2 .. 2)."""
    size = (np.log10(num_train) - 3.0) / 0.7
    cls = (np.log10(num_classes) - 1.2) / 0.5
    res = (np.log2(resolution) - 6.0) / 1.2
    return np.asarray(0.5 * size + 0.3 * cls + 0.4 * res)


def _unique_pipelines(n: int, seed: int) -> list[Pipeline]:
    out: dict[str, Pipeline] = {}
    attempt = 0
    while len(out) < n:
        draws = sample_pipelines(n - len(out), seed=seed + 7919 * attempt, architectures=ARCHS)
        for p in draws:
            out.setdefault(p.id, p)
        attempt += 1
    return list(out.values())[:n]


def _make_tasks(n_core: int, tasks_per_core: int, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for c in range(n_core):
        channels = int(rng.choice([1, 3], p=[0.3, 0.7]))
        resolution = int(rng.choice(RESOLUTIONS))
        pool = int(rng.integers(5, 400))
        for a in range(tasks_per_core):
            classes = int(rng.integers(2, min(100, pool) + 1))
            per_class = int(rng.integers(20, 106))
            rows.append(
                {
                    "task_id": f"{a}-core{c:02d}",
                    "core_dataset": f"core{c:02d}",
                    "num_channels": channels,
                    "num_classes": classes,
                    "num_train": classes * per_class,
                    "resolution_0": resolution,
                }
            )
    return pd.DataFrame(rows).set_index("task_id")


def true_alc(tasks: pd.DataFrame, pipelines: list[Pipeline], core_base: pd.Series) -> np.ndarray:
    """The noise-free part of the rule, ``(n_tasks, n_pipelines)`` (without pipeline offsets)."""
    big = task_bigness(
        tasks["num_train"].to_numpy(float),
        tasks["num_classes"].to_numpy(float),
        tasks["resolution_0"].to_numpy(float),
    )[:, None]
    cap = np.array([CAPACITY.get(p.architecture, 0.5) for p in pipelines])[None, :]
    pre = np.array([0.0 if p.architecture.endswith(".scratch") else 1.0 for p in pipelines])
    lr_pos = (np.log10([float(p["lr"]) for p in pipelines]) + 5.0) / 4.0
    size = np.array([float(p["log2_max_size"]) for p in pipelines])[None, :]
    native = np.clip(np.log2(tasks["resolution_0"].to_numpy(float)), 5, 7)[:, None]
    target_cap = 0.6 + 0.35 * np.tanh(big)
    target_lr = 0.55 + 0.2 * np.tanh(big)
    base = core_base.loc[tasks["core_dataset"]].to_numpy()[:, None]
    base = base - 0.04 * np.log10(tasks["num_classes"].to_numpy(float))[:, None]
    return np.asarray(
        base
        + 0.12 * pre[None, :]
        - 0.30 * (cap - target_cap) ** 2
        - 0.30 * (lr_pos[None, :] - target_lr) ** 2
        - 0.03 * np.abs(size - native)
    )


def _draw(
    n_core: int, tasks_per_core: int, n_pipelines: int, seed: int
) -> tuple[np.random.Generator, pd.DataFrame, list[Pipeline], pd.Series]:
    """The random generator (after drawing), tasks, pipelines and per-core base ALC."""
    rng = np.random.default_rng(seed)
    tasks = _make_tasks(n_core, tasks_per_core, rng)
    pipelines = _unique_pipelines(n_pipelines, seed)
    cores = sorted(tasks["core_dataset"].unique())
    return rng, tasks, pipelines, pd.Series(rng.normal(0.55, 0.08, len(cores)), index=cores)


def budget_capacity(budget: float, smallest: float, ratio: float = 4.0) -> float:
    """The capacity a budget favours: 0.3 at the smallest budget, +0.3 per ``ratio`` times
    more budget, at most 1 (mobilenetv2 at 4 s, efficientnet_lite1 at 16 s, lite2 at 64 s)."""
    return float(min(0.3 + 0.3 * np.log(budget / smallest) / np.log(ratio), 1.0))


def make_budget_metadataset(
    budgets: tuple[float, ...] = (4.0, 16.0, 64.0),
    n_core: int = 6,
    tasks_per_core: int = 4,
    n_pipelines: int = 30,
    seed: int = 0,
    kept_per_budget: float = 0.7,
    noise: float = 0.01,
) -> MetaDataset:
    """A multi-budget MetaDataset whose best pipeline changes with the budget (module note):
    each budget's ALC is the one-budget rule plus ``-0.6 * (capacity - budget_capacity(b))**2``
    and a gain of 0.05 per ``4x`` budget. Each larger budget keeps a random ``kept_per_budget``
    of the previous budget's cells (at least two per task)."""
    if not budgets or min(budgets) <= 0 or not 0.0 < kept_per_budget <= 1.0:
        raise ValueError("Need positive budgets and 0 < kept_per_budget <= 1.")
    rng, tasks, pipelines, core_base = _draw(n_core, tasks_per_core, n_pipelines, seed)
    base = true_alc(tasks, pipelines, core_base) + rng.normal(0.0, 0.02, len(pipelines))[None, :]
    cap = np.array([CAPACITY[p.architecture] for p in pipelines])[None, :]
    ids = [p.id for p in pipelines]
    ordered = sorted(float(b) for b in budgets)
    keep = np.ones(base.shape, dtype=bool)
    frames = {}
    for i, b in enumerate(ordered):
        if i > 0:
            keep = _nested(keep, kept_per_budget, rng)
        gain = 0.05 * np.log(b / ordered[0]) / np.log(4.0)
        alc = base + gain - 0.6 * (cap - budget_capacity(b, ordered[0])) ** 2
        alc = np.clip(alc + rng.normal(0.0, noise, alc.shape), 0.0, 1.0)
        frames[b] = pd.DataFrame(np.where(keep, alc, np.nan), index=tasks.index, columns=ids)
    return MetaDataset.from_budgets(tasks, dict(zip(ids, pipelines, strict=True)), frames)


def _nested(keep: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """A random ``fraction`` of the cells in ``keep``, at least two per task."""
    out = keep & (rng.random(keep.shape) < fraction)
    for i in np.flatnonzero(out.sum(axis=1) < 2):
        out[i, rng.choice(np.flatnonzero(keep[i]), 2, replace=False)] = True
    return out


def make_synthetic_metadataset(
    n_core: int = 8,
    tasks_per_core: int = 5,
    n_pipelines: int = 40,
    seed: int = 0,
    density: float = 1.0,
    noise: float = 0.01,
) -> MetaDataset:
    """A MetaDataset of ``n_core * tasks_per_core`` tasks x ``n_pipelines`` pipelines whose best
    pipeline per task follows the rule in the module docstring, plus noise. ``density < 1`` drops
    cells at random (NaN), keeping at least two per task."""
    if not 0.0 < density <= 1.0:
        raise ValueError(f"The 'density' parameter must be in (0, 1]. Got {density!r} instead.")
    if n_core < 1 or tasks_per_core < 1 or n_pipelines < 2:
        raise ValueError("Need n_core >= 1, tasks_per_core >= 1 and n_pipelines >= 2.")
    rng, tasks, pipelines, core_base = _draw(n_core, tasks_per_core, n_pipelines, seed)
    alc = true_alc(tasks, pipelines, core_base)
    alc = alc + rng.normal(0.0, 0.02, len(pipelines))[None, :]  # the other hyperparameters
    alc = np.clip(alc + rng.normal(0.0, noise, alc.shape), 0.0, 1.0)
    if density < 1.0:
        keep = rng.random(alc.shape) < density
        for i in range(len(alc)):  # every task keeps at least two runs so it yields pairs
            if keep[i].sum() < 2:
                keep[i, rng.choice(len(pipelines), 2, replace=False)] = True
        alc = np.where(keep, alc, np.nan)
    ids = [p.id for p in pipelines]
    perf = pd.DataFrame(alc, index=tasks.index, columns=ids)
    return MetaDataset(tasks=tasks, pipelines=dict(zip(ids, pipelines, strict=True)), perf=perf)
