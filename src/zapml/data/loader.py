"""``load_data``: one entry point that recognises the kind of source and dispatches to a loader."""

from __future__ import annotations

import difflib
from pathlib import Path

from zapml.data.arrays import is_idx_folder, load_idx, load_npz
from zapml.data.builtin import BUILTINS, load_builtin
from zapml.data.dataset import DataSplit
from zapml.data.files import load_csv, load_folder
from zapml.errors import DataError

BUILTIN_PREFIX = "builtin:"


def source_kind(source: str | Path) -> str:
    """``builtin``, ``folder``, ``idx``, ``csv`` or ``npz``; an existing path beats a built-in name.

    ``builtin:NAME`` always means the built-in, even when a folder called NAME exists.
    """
    text = str(source)
    if text.startswith(BUILTIN_PREFIX):
        return "builtin"
    path = Path(source).expanduser()
    if path.is_dir():
        return "idx" if is_idx_folder(path) else "folder"
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in (".csv", ".tsv"):
            return "csv"
        if suffix == ".npz":
            return "npz"
        raise DataError(
            f"'{path}' is a {suffix or 'suffix-less'} file; zapml reads a folder of class "
            "folders, a .csv of path,label rows, a .npz with x and y arrays, or an idx folder."
        )
    if text in BUILTINS:
        return "builtin"
    close = difflib.get_close_matches(text, list(BUILTINS), n=1)
    suggestion = f" Did you mean the built-in '{close[0]}'?" if close else ""
    raise DataError(
        f"'{text}' is neither an existing file or folder nor a built-in dataset.{suggestion} "
        "Check the path, or run `zap data list` for the built-ins."
    )


def load_data(
    source: str | Path, *, max_side: int = 256, image_size: int | None = None
) -> DataSplit:
    """Load a dataset from a folder, CSV, npz, idx folder or built-in name.

    Every image is brought to one square side (``image_size`` if given, else the median side
    clipped to [8, ``max_side``]) and one channel count (1 if all gray, else 3). Raises
    ``DataError`` for unusable data; recoverable problems end up in ``split.train.warnings``.
    """
    kind = source_kind(source)
    if kind == "builtin":
        name = str(source).removeprefix(BUILTIN_PREFIX)
        return load_builtin(name, max_side=max_side, image_size=image_size)
    path = Path(source).expanduser()
    if kind == "idx":
        return load_idx(path, max_side=max_side, image_size=image_size)
    if kind == "npz":
        return load_npz(path, max_side=max_side, image_size=image_size)
    if kind == "csv":
        return load_csv(path, max_side=max_side, image_size=image_size)
    return load_folder(path, max_side=max_side, image_size=image_size)
