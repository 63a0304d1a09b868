"""Tasks: ZAP-style subsets ("augmentations") of core datasets, rebuilt from (core, seed) alone.

A task is never shipped as image arrays: a worker gets the small ``TaskSpec`` and materialises the
task itself from the core dataset, which each worker process loads once and caches. The same
spec gives the same images on every machine because every random draw comes from a generator
seeded by (task seed, CRC32 of the core name).
"""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from zapml.data.dataset import Dataset, DataSplit
from zapml.metadataset.spec import BuildSpec, CoreSpec

SYNTHETIC_PREFIX = "synthetic:"


@dataclass(frozen=True)
class TaskSpec:
    """Everything needed to rebuild one task; ``id`` is ``"{seed}-{core}"`` (``"@{res}"`` added
    for a resolution variant), the form of ZAP's ``"{aug}-{dataset}"``."""

    core: str
    source: str
    seed: int
    resolution: int | None = None
    num_classes: tuple[int, int] = (2, 100)
    samples_per_class: tuple[int, int] = (20, 105)
    test_per_class: int = 50
    domain: str = "unknown"

    @property
    def id(self) -> str:
        base = f"{self.seed}-{self.core}"
        return base if self.resolution is None else f"{base}@{self.resolution}"

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["num_classes"] = list(self.num_classes)
        out["samples_per_class"] = list(self.samples_per_class)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaskSpec:
        d = dict(data)
        d["num_classes"] = tuple(d["num_classes"])
        d["samples_per_class"] = tuple(d["samples_per_class"])
        return cls(**d)


def core_of_task_id(task_id: str) -> str:
    """``"3-digits@32"`` -> ``"digits"``; also parses ZAP's ``"{aug}-{dataset}"`` ids."""
    rest = task_id.split("-", 1)[1] if "-" in task_id else task_id
    return rest.split("@", 1)[0]


def tasks_from_spec(spec: BuildSpec) -> list[TaskSpec]:
    return [
        _task(core, seed, res, spec)
        for core in spec.core_datasets
        for seed in range(spec.first_task_seed, spec.first_task_seed + spec.tasks_per_core)
        for res in spec.resolutions
    ]


def _task(core: CoreSpec, seed: int, res: int | None, spec: BuildSpec) -> TaskSpec:
    return TaskSpec(
        core=core.name,
        source=core.source,
        seed=seed,
        resolution=res,
        num_classes=spec.num_classes,
        samples_per_class=spec.samples_per_class,
        test_per_class=spec.test_per_class,
        domain=core.domain,
    )


# ---------------------------------------------------------------------------------------------
# core datasets, cached per process (a worker serves many cells of the same core dataset)


@lru_cache(maxsize=16)
def load_core(source: str) -> DataSplit:
    """The core dataset with a test split (cut off deterministically when the source has none)."""
    if source.startswith(SYNTHETIC_PREFIX):
        split = synthetic_core(source)
    else:
        from zapml.data import load_data  # type: ignore[attr-defined]

        split = load_data(source)
    return split.stratified_test_split(test_fraction=0.2, seed=0)


def synthetic_core(source: str) -> DataSplit:
    """``"synthetic:{classes}:{per_class}:{side}[:{channels}]"``: class-dependent blobs plus noise.

    Tests and benchmarks use it so they need no files and no loader; it is learnable (each class
    has its own mean image) but not trivial (noise)."""
    parts = [int(p) for p in source[len(SYNTHETIC_PREFIX) :].split(":")]
    classes, per_class, side = parts[:3]
    channels = parts[3] if len(parts) > 3 else 1
    rng = np.random.default_rng(zlib.crc32(source.encode()))
    means = rng.uniform(40, 215, size=(classes, side, side, channels))
    labels = np.repeat(np.arange(classes), per_class)
    noise = rng.normal(0, 30, size=(len(labels), side, side, channels))
    images = np.clip(means[labels] + noise, 0, 255).astype(np.uint8)
    names = tuple(f"class_{i}" for i in range(classes))
    return DataSplit(train=Dataset(images, labels, names, name=source))


# ---------------------------------------------------------------------------------------------
# materialising a task


def _rng(task: TaskSpec) -> np.random.Generator:
    return np.random.default_rng([task.seed, zlib.crc32(task.core.encode())])


def materialise(task: TaskSpec) -> DataSplit:
    """The task's train and test sets: a class subset of the core dataset, as ZAP augments; read
    from the task pack named by ``$ZAPML_TASK_PACK`` when it holds them (``task_pack``)."""
    from zapml.metadataset.task_pack import packed_task  # task_pack imports TaskSpec from here

    packed = packed_task(task)
    return packed if packed is not None else rebuild(task)


def rebuild(task: TaskSpec) -> DataSplit:
    """The task rebuilt from its core dataset (what ``materialise`` does without a pack)."""
    core = load_core(task.source)
    assert core.test is not None  # load_core always cuts a test split
    train_counts = core.train.class_counts()
    test_counts = core.test.class_counts()
    # a class can only be used when it has images on both sides
    eligible = np.flatnonzero((train_counts > 0) & (test_counts > 0))
    if len(eligible) < 2:
        raise ValueError(
            f"Core dataset '{task.core}' has {len(eligible)} class(es) with both train and test "
            "images; a task needs at least 2."
        )
    rng = _rng(task)
    hi = min(task.num_classes[1], len(eligible))
    lo = min(task.num_classes[0], hi)
    k = int(rng.integers(lo, hi + 1))
    classes = np.sort(rng.choice(eligible, size=k, replace=False))
    per_class = int(rng.integers(task.samples_per_class[0], task.samples_per_class[1] + 1))
    train_idx = _take_per_class(core.train.labels, classes, per_class, rng)
    test_idx = _take_per_class(core.test.labels, classes, task.test_per_class, rng)
    train = core.train.subset(train_idx).select_classes(classes, name=task.id)
    test = core.test.subset(test_idx).select_classes(classes, name=task.id)
    if task.resolution is not None:
        train, test = _resize(train, task.resolution), _resize(test, task.resolution)
    return DataSplit(train=train, test=test)


def _take_per_class(
    labels: np.ndarray, classes: np.ndarray, limit: int, rng: np.random.Generator
) -> np.ndarray:
    picked = [rng.permutation(np.flatnonzero(labels == c))[:limit] for c in classes]
    return np.sort(np.concatenate(picked))


def _resize(ds: Dataset, side: int) -> Dataset:
    from PIL import Image

    if ds.resolution == (side, side):
        return ds
    out = np.empty((len(ds), side, side, ds.num_channels), dtype=np.uint8)
    for i, img in enumerate(ds.images):
        pil = Image.fromarray(img[..., 0] if ds.num_channels == 1 else img)
        arr = np.asarray(pil.resize((side, side), Image.Resampling.BILINEAR))
        out[i] = arr.reshape(side, side, ds.num_channels)
    return Dataset(
        out, ds.labels, ds.class_names, name=ds.name, warnings=ds.warnings, image_ids=ds.image_ids
    )


def task_metafeatures(split: DataSplit) -> dict[str, float]:
    """ZAP's four meta-features, from ``zapml.metafeatures`` when it is installed."""
    try:
        from zapml.metafeatures import compute_metafeatures
    except ImportError:  # the metafeatures package is optional for building
        pass
    else:
        return {k: float(v) for k, v in compute_metafeatures(split.train).items()}
    train = split.train
    return {
        "num_channels": float(train.num_channels),
        "num_classes": float(train.num_classes),
        "num_train": float(len(train)),
        "resolution_0": float(train.resolution[0]),
    }
