"""On-disk cache of decoded built-in datasets, so a second load is a single ``np.load``.

Location: ``$ZAPML_CACHE`` when set, else ``~/.cache/zapml``; files live in ``builtins/``.
Files are written to a temporary name and renamed, so concurrent loads (several workers building
a meta-dataset) never read half-written files.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from zapml.data.dataset import Dataset, DataSplit

# Bump when the decoding of any built-in changes, so stale caches are ignored.
CACHE_VERSION = 3  # 3: image ids stored


def cache_root() -> Path:
    configured = os.environ.get("ZAPML_CACHE")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "zapml"


def builtin_cache_path(name: str, fingerprint: str = "") -> Path:
    tag = f"-{fingerprint}" if fingerprint else ""
    return cache_root() / "builtins" / f"{name}-v{CACHE_VERSION}{tag}.npz"


def save_split(path: Path, split: DataSplit) -> None:
    arrays: dict[str, np.ndarray] = {
        "x_train": split.train.images,
        "y_train": split.train.labels,
        "class_names": np.asarray(split.train.class_names, dtype=np.str_),
        "warnings": np.asarray(split.train.warnings, dtype=np.str_),
        "ids_train": np.asarray(split.train.image_ids, dtype=np.str_),
    }
    if split.test is not None:
        arrays["x_test"] = split.test.images
        arrays["y_test"] = split.test.labels
        arrays["ids_test"] = np.asarray(split.test.image_ids, dtype=np.str_)
    write_npz_atomic(path, arrays)


def write_npz_atomic(path: Path, arrays: dict[str, np.ndarray]) -> bool:
    """Write a compressed npz under a temporary name, then rename it into place, so parallel
    workers never read half a file. Returns False (and writes nothing) when the cache folder is
    read-only or full: a cache only saves time, the caller has the arrays already."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
        os.replace(tmp, path)
    except OSError:
        return False
    return True


def load_split(path: Path, name: str) -> DataSplit | None:
    """The cached split, or ``None`` when absent or unreadable (then the caller decodes again)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            names = tuple(str(n) for n in npz["class_names"].tolist())
            notes = tuple(str(w) for w in npz["warnings"].tolist())
            train = _cached_dataset(npz, "train", names, name, notes)
            test = (
                _cached_dataset(npz, "test", names, name, notes) if "x_test" in npz.files else None
            )
    except (OSError, ValueError, KeyError):
        return None
    return DataSplit(train=train, test=test)


def _cached_dataset(
    npz: np.lib.npyio.NpzFile, part: str, names: tuple[str, ...], name: str, notes: tuple[str, ...]
) -> Dataset:
    ids = tuple(str(i) for i in npz[f"ids_{part}"].tolist())
    return Dataset(
        npz[f"x_{part}"], npz[f"y_{part}"], names, name=name, warnings=notes, image_ids=ids
    )


def cached_counts(path: Path) -> tuple[int, int] | None:
    """(classes, images) of a cached split without reading its images (npz members are lazy)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            total = len(npz["y_train"]) + (len(npz["y_test"]) if "y_test" in npz.files else 0)
            return len(npz["class_names"]), int(total)
    except (OSError, ValueError, KeyError):
        return None
