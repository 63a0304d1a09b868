"""Array sources: numpy ``.npz`` files and MNIST-style idx files (optionally gzipped)."""

from __future__ import annotations

import gzip
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from zapml.data.assemble import build_split, encode_labels, sorted_classes
from zapml.data.dataset import DataSplit
from zapml.data.validation import Findings
from zapml.errors import DataError

IDX_IMAGES = 0x0803  # magic: unsigned bytes, 3 dimensions
IDX_LABELS = 0x0801  # magic: unsigned bytes, 1 dimension
_IDX_NAME = re.compile(
    r"^(?P<prefix>.+?)[-_.](?P<kind>images|labels)[-_.]idx(?P<dims>[13])-ubyte(\.gz)?$"
)

NPZ_IMAGE_KEYS = ("x", "images", "x_train", "X", "X_train")
NPZ_LABEL_KEYS = ("y", "labels", "y_train", "Y", "Y_train")


# ---------------------------------------------------------------------------------------- npz


def load_npz(path: Path, *, max_side: int, image_size: int | None) -> DataSplit:
    where = f"'{path.name}'"
    try:
        # allow_pickle=False: an npz from the internet must not be able to run code on load.
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise DataError(
            f"{where} is not a readable .npz file ({exc}). Save it with numpy.savez(path, x=..., "
            "y=...) using plain numeric or string arrays (no object arrays)."
        ) from None
    x = _first_key(arrays, NPZ_IMAGE_KEYS, where, "images")
    y = _first_key(arrays, NPZ_LABEL_KEYS, where, "labels")
    has_test = "x_test" in arrays or "y_test" in arrays
    if has_test and not ("x_test" in arrays and "y_test" in arrays):
        raise DataError(f"{where} has only one of 'x_test' and 'y_test'; give both or neither.")
    _check_lengths(x, y, where, "x", "y")
    test = (arrays["x_test"], arrays["y_test"]) if has_test else None
    if test is not None:
        _check_lengths(test[0], test[1], where, "x_test", "y_test")

    raw_labels = [y] + ([test[1]] if test is not None else [])
    class_names = _npz_class_names(arrays, raw_labels, where)
    # With a class_names array the labels already are indices; otherwise they are the names.
    to_index = (
        (lambda v: v.astype(np.int64))
        if "class_names" in arrays
        else (lambda v: encode_labels(v, class_names))
    )
    train_pair = (x, to_index(y))
    test_pair = (test[0], to_index(test[1])) if test is not None else None
    return build_split(
        path.stem,
        train_pair,
        test_pair,
        class_names,
        Findings(),
        max_side=max_side,
        image_size=image_size,
        where=where,
    )


def _first_key(
    arrays: dict[str, np.ndarray], keys: Sequence[str], where: str, what: str
) -> np.ndarray:
    for key in keys:
        if key in arrays:
            return arrays[key]
    raise DataError(
        f"{where} has no {what} array: expected one of {', '.join(keys)}; found "
        f"{', '.join(sorted(arrays)) or 'nothing'}. "
        "Save it as numpy.savez(path, x=images, y=labels)."
    )


def _check_lengths(x: np.ndarray, y: np.ndarray, where: str, xname: str, yname: str) -> None:
    if y.ndim != 1 or len(x) != len(y):
        raise DataError(
            f"{where}: '{xname}' holds {len(x)} images but '{yname}' has shape {y.shape}; "
            "give exactly one label per image."
        )


def _npz_class_names(
    arrays: dict[str, np.ndarray], labels: list[np.ndarray], where: str
) -> tuple[str, ...]:
    """Integer labels with a ``class_names`` array index into it; otherwise labels are names."""
    if "class_names" in arrays:
        names = tuple(str(n) for n in arrays["class_names"].tolist())
        for y in labels:
            if y.dtype.kind not in "iu" or (len(y) and (y.min() < 0 or y.max() >= len(names))):
                raise DataError(
                    f"{where}: with a 'class_names' array, labels must be integers in "
                    f"[0, {len(names) - 1}]."
                )
        return names
    return sorted_classes(str(v) for y in labels for v in y.tolist())


# ---------------------------------------------------------------------------------------- idx


def read_idx(path: Path) -> np.ndarray:
    """One idx file (MNIST format) as a uint8 array; sizes are checked against the header."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            data = fh.read()
    except (OSError, EOFError) as exc:
        raise DataError(f"'{path}' cannot be read ({exc}); re-download it.") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise DataError(
            f"'{path}' is not an idx file of unsigned bytes (bad magic number); expected the "
            "MNIST format (e.g. train-images-idx3-ubyte.gz)."
        )
    ndim = data[3]
    header = 4 + 4 * ndim
    dims = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(dims)) if dims else 0
    if len(data) - header != expected:
        raise DataError(
            f"'{path}' is truncated or corrupt: its header announces {expected} values of shape "
            f"{dims} but it holds {len(data) - header}. Re-download it."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def find_idx_pairs(folder: Path) -> dict[str, tuple[Path, Path]]:
    """``{prefix: (images, labels)}`` for every complete pair in a folder, e.g. train and t10k."""
    images: dict[str, Path] = {}
    labels: dict[str, Path] = {}
    for entry in sorted(folder.iterdir()):
        match = _IDX_NAME.match(entry.name)
        if match and entry.is_file():
            target = images if match["kind"] == "images" else labels
            target.setdefault(match["prefix"], entry)
    return {p: (images[p], labels[p]) for p in sorted(images) if p in labels}


def is_idx_folder(folder: Path) -> bool:
    return bool(find_idx_pairs(folder))


def load_idx_arrays(
    folder: Path,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray] | None]:
    """Raw (train, test) arrays of an idx folder; test comes from a ``t10k``/``test`` prefix."""
    pairs = find_idx_pairs(folder)
    if not pairs:
        raise DataError(
            f"'{folder}' has no idx image/label pair; expected files like "
            "train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz."
        )
    test_keys = [p for p in pairs if "t10k" in p.lower() or "test" in p.lower()]
    train_keys = [p for p in pairs if p not in test_keys]
    if len(train_keys) != 1 or len(test_keys) > 1:
        raise DataError(
            f"'{folder}' holds idx pairs with prefixes {', '.join(sorted(pairs))}; expected one "
            "training prefix (e.g. 'train') and at most one test prefix ('t10k' or 'test')."
        )
    train = _read_pair(*pairs[train_keys[0]])
    test = _read_pair(*pairs[test_keys[0]]) if test_keys else None
    return train, test


def _read_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    x, y = read_idx(images_path), read_idx(labels_path)
    if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
        raise DataError(
            f"'{images_path.name}' ({x.shape}) and '{labels_path.name}' ({y.shape}) do not match: "
            "expected N images of H x W and N labels."
        )
    return x, y.astype(np.int64)


def load_idx(
    folder: Path,
    *,
    max_side: int,
    image_size: int | None,
    class_names: Sequence[str] | None = None,
    name: str | None = None,
) -> DataSplit:
    train, test = load_idx_arrays(folder)
    labels = [train[1]] + ([test[1]] if test is not None else [])
    top = int(max(y.max() for y in labels)) if len(train[1]) else 0
    names = tuple(class_names) if class_names is not None else tuple(str(i) for i in range(top + 1))
    if top >= len(names):
        raise DataError(f"'{folder}': label {top} has no class name (only {len(names)} given).")
    return build_split(
        name or folder.name,
        train,
        test,
        names,
        Findings(),
        max_side=max_side,
        image_size=image_size,
        where=f"'{folder}'",
    )
