"""Images without labels, for prediction: one image file, or a folder of images (any depth)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from zapml.data.imaging import decode, read_header
from zapml.data.validation import Findings, is_ignored_entry, is_image_file
from zapml.errors import DataError


def is_unlabeled_source(source: str | Path) -> bool:
    """An image file, or a folder with image files directly inside (class folders hold none)."""
    path = Path(source)
    if path.is_file():
        return is_image_file(path)
    if not path.is_dir():
        return False
    return any(
        entry.is_file() and not is_ignored_entry(entry.name) and is_image_file(entry)
        for entry in path.iterdir()
    )


def _image_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = sorted(d for d in dirnames if not is_ignored_entry(d))
        here = Path(dirpath)
        files.extend(
            here / f
            for f in sorted(filenames)
            if not is_ignored_entry(f) and is_image_file(here / f)
        )
    return files


def load_unlabeled(
    source: str | Path, *, side: int, channels: int
) -> tuple[np.ndarray, list[str], list[str]]:
    """``(images (N, side, side, channels) uint8, relative paths, warnings)``; unreadable files
    are skipped with a warning naming them, as the labelled loaders do.

    The paths name images as ``Dataset.image_ids`` does for a folder: relative to ``source``
    (to its folder for a single file), ``/``-separated, one per returned image, in order."""
    root = Path(source)
    files = _image_files(root)
    if not files:
        raise DataError(
            f"'{source}' holds no image files to predict. Give an image, a folder of images, or "
            "a labelled dataset (`zap data inspect` tells what zapml sees there)."
        )
    findings = Findings()
    images: list[np.ndarray] = []
    names: list[str] = []
    base = root if root.is_dir() else root.parent
    for path in files:
        label = path.relative_to(base).as_posix()
        header = read_header(path, label, findings)
        if header is None:
            continue
        arr = decode(header, label, side, gray=channels == 1, findings=findings)
        if arr is not None:
            images.append(arr)
            names.append(label)
    if not images:
        raise DataError(f"None of the {len(files)} image files in '{source}' could be read.")
    return np.stack(images), names, findings.messages
