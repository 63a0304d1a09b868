"""Array sources: numpy ``.npz`` files and MNIST-style idx files (optionally gzipped)."""

from __future__ import annotations

import gzip
import re
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from zapml.data.assemble import build_split, encode_labels, sorted_classes
from zapml.data.dataset import DataSplit, index_ids
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
    arrays = _read_npz(path, where)
    findings = Findings()
    x_key = _first_key(arrays, NPZ_IMAGE_KEYS, where, "images")
    y_key = _first_key(arrays, NPZ_LABEL_KEYS, where, "labels")
    has_test = "x_test" in arrays or "y_test" in arrays
    if has_test and not ("x_test" in arrays and "y_test" in arrays):
        raise DataError(f"{where} has only one of 'x_test' and 'y_test'; give both or neither.")
    pairs = [(x_key, y_key)] + ([("x_test", "y_test")] if has_test else [])
    for xk, yk in pairs:
        _check_lengths(arrays[xk], arrays[yk], where, xk, yk)
    labels = [label_values(arrays[yk], where, yk, findings) for _, yk in pairs]
    class_names = _npz_class_names(arrays, labels, where)
    # With a class_names array the labels already are indices; otherwise they are the names.
    indices = [
        y.astype(np.int64) if "class_names" in arrays else encode_labels(y, class_names)
        for y in labels
    ]
    return build_split(
        path.stem,
        (arrays[x_key], indices[0]),
        (arrays["x_test"], indices[1]) if has_test else None,
        class_names,
        findings,
        max_side=max_side,
        image_size=image_size,
        where=where,
        ids=(
            index_ids(path.name, len(indices[0])),
            index_ids(path.name, len(indices[1]), "test") if has_test else None,
        ),
    )


def _read_npz(path: Path, where: str) -> dict[str, np.ndarray]:
    """Every array of an npz file; empty, truncated, corrupt or pickled files raise DataError."""
    how = (
        "Save it with numpy.savez(path, x=images, y=labels) using plain numeric or string "
        "arrays (no object arrays)."
    )
    if path.stat().st_size == 0:
        raise DataError(f"{where} is empty (0 bytes), probably an interrupted save. {how}")
    try:
        # allow_pickle=False: an npz from the internet must not be able to run code on load.
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise DataError(f"{where} holds a single .npy array, not named arrays. {how}")
        with loaded as npz:
            return {key: npz[key] for key in npz.files}
    except DataError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise DataError(f"{where} is not a readable .npz file ({exc}). {how}") from None


def _first_key(arrays: dict[str, np.ndarray], keys: Sequence[str], where: str, what: str) -> str:
    for key in keys:
        if key in arrays:
            return key
    raise DataError(
        f"{where} has no {what} array: expected one of {', '.join(keys)}; found "
        f"{', '.join(sorted(arrays)) or 'nothing'}. "
        "Save it as numpy.savez(path, x=images, y=labels)."
    )


def _check_lengths(x: np.ndarray, y: np.ndarray, where: str, xname: str, yname: str) -> None:
    if x.ndim == 0:
        raise DataError(
            f"{where}: '{xname}' is a single value (a 0-d array), not a stack of images. Save "
            "the images as one array of shape (N, H, W) or (N, H, W, C)."
        )
    if y.ndim != 1 or len(x) != len(y):
        raise DataError(
            f"{where}: '{xname}' holds {len(x)} images but '{yname}' has shape {y.shape}; "
            "give exactly one label per image (a 1-d array of length N)."
        )
    if not len(x):
        raise DataError(f"{where}: '{xname}' holds no images; save at least 2 per class.")


def label_values(y: np.ndarray, where: str, key: str, findings: Findings) -> np.ndarray:
    """Labels as integers or text, checked.

    Whole floats (1.0, 2.0) become the integers 1, 2, so labels saved as floats name their
    classes as integer labels would ("1", not "1.0"). NaN, infinite, fractional and empty labels
    are refused, as are dtypes that are neither numbers nor text (complex, dates, bytes that are
    not UTF-8).
    """
    kind = y.dtype.kind
    if kind in "iub":
        return y
    if kind == "f":
        return _float_labels(y, where, key)
    if kind in "US":
        return _text_labels(y, where, key, findings)
    raise DataError(
        f"{where}: labels '{key}' have dtype {y.dtype}; give integer or string labels, "
        "one value per class."
    )


def _float_labels(y: np.ndarray, where: str, key: str) -> np.ndarray:
    for bad, what in ((np.isnan(y), "NaN"), (np.isinf(y), "infinite")):
        if bad.any():
            raise DataError(
                f"{where}: labels '{key}' hold {int(bad.sum())} {what} value(s) (first at index "
                f"{int(np.argmax(bad))}); such a label names no class. Give those images "
                f"their label, or drop them from both '{key}' and the image array."
            )
    fractional = (y != np.round(y)) | (np.abs(y) > 2**53)
    if fractional.any():
        first = int(np.argmax(fractional))
        raise DataError(
            f"{where}: labels '{key}' hold {int(fractional.sum())} non-whole value(s) (first "
            f"{float(y[first]):g} at index {first}); classification needs class labels, not "
            "measurements. Give integer or string labels."
        )
    return y.astype(np.int64)


def _text_labels(y: np.ndarray, where: str, key: str, findings: Findings) -> np.ndarray:
    if y.dtype.kind == "S":
        try:
            y = np.char.decode(y, "utf-8")
        except UnicodeDecodeError:
            raise DataError(f"{where}: labels '{key}' are bytes but not UTF-8 text.") from None
    text = np.char.lower(np.char.strip(y))
    empty, nan = text == "", text == "nan"
    if empty.any():
        raise DataError(
            f"{where}: labels '{key}' hold {int(empty.sum())} empty label(s) (first at index "
            f"{int(np.argmax(empty))}). Give those images their label or drop them."
        )
    if nan.any():
        # A legitimate class may be called "nan"; more often it is pandas' missing value as text.
        findings.warn(
            f"{where}: labels '{key}' hold {int(nan.sum())} label(s) 'nan' (first at index "
            f"{int(np.argmax(nan))}), used as a class named 'nan'. If they are missing values "
            "written as text, give those images their label or drop them."
        )
    return y


def _npz_class_names(
    arrays: dict[str, np.ndarray], labels: list[np.ndarray], where: str
) -> tuple[str, ...]:
    """Integer labels with a ``class_names`` array index into it; otherwise labels are names."""
    if "class_names" not in arrays:
        return sorted_classes(str(v) for y in labels for v in y.tolist())
    given = arrays["class_names"]
    names = tuple(str(n) for n in given.tolist()) if given.ndim == 1 else ()
    if not names or len(set(names)) != len(names):
        raise DataError(
            f"{where}: 'class_names' must be a 1-d array of distinct names, one per class; got "
            f"shape {given.shape}{' with repeated names' if names else ''}."
        )
    for y in labels:
        if y.dtype.kind not in "iu" or (len(y) and (y.min() < 0 or y.max() >= len(names))):
            raise DataError(
                f"{where}: with a 'class_names' array, labels must be integers in "
                f"[0, {len(names) - 1}]."
            )
    return names


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


def idx_split_files(folder: Path) -> tuple[tuple[Path, Path], tuple[Path, Path] | None]:
    """(images, labels) files of the training pair and of the test pair (``t10k``/``test``)."""
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
    return pairs[train_keys[0]], (pairs[test_keys[0]] if test_keys else None)


def load_idx_arrays(
    folder: Path,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray] | None]:
    """Raw (train, test) arrays of an idx folder; test comes from a ``t10k``/``test`` prefix."""
    train_files, test_files = idx_split_files(folder)
    train = _read_pair(*train_files)
    test = _read_pair(*test_files) if test_files is not None else None
    return train, test


def _read_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    x, y = read_idx(images_path), read_idx(labels_path)
    if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
        raise DataError(
            f"'{images_path.name}' ({x.shape}) and '{labels_path.name}' ({y.shape}) do not match: "
            "expected N images of H x W and N labels."
        )
    return x, y.astype(np.int64)


def load_idx(folder: Path, *, max_side: int, image_size: int | None) -> DataSplit:
    """A user's idx folder: the label values present (e.g. 0, 1, 3) are the class names."""
    train_files, test_files = idx_split_files(folder)
    train = _read_pair(*train_files)
    test = _read_pair(*test_files) if test_files is not None else None
    if not len(train[1]):
        raise DataError(f"'{train_files[1].name}' holds no labels; save at least 2 per class.")
    labels = [train[1]] + ([test[1]] if test is not None else [])
    names = sorted_classes(str(v) for y in labels for v in y.tolist())
    index = [encode_labels(y, names) for y in labels]
    return build_split(
        folder.name,
        (train[0], index[0]),
        (test[0], index[1]) if test is not None else None,
        names,
        Findings(),
        max_side=max_side,
        image_size=image_size,
        where=f"'{folder}'",
        ids=(
            index_ids(train_files[0].name, len(train[1])),
            index_ids(test_files[0].name, len(test[1])) if test_files and test else None,
        ),
    )
