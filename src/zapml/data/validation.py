"""Strict checks on user data, with messages that name the file and say how to fix it.

Two kinds of findings exist. Problems that make a dataset unusable raise ``DataError`` (the CLI
prints the message without a traceback). Problems we can work around (an unreadable file we can
skip, an image we can downscale) are collected by ``Findings`` and end up in
``Dataset.warnings``; they are also emitted through ``warnings.warn`` and ``logging`` so library
users see them without reading the tuple.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from zapml.errors import DataError

logger = logging.getLogger("zapml.data")

# File suffixes we try to decode. Anything else in a data folder is skipped with a warning, so a
# stray README or labels file never reaches PIL.
IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm", ".pbm"}
)

# Operating-system and tool debris that is never data; ignored with a note, not a warning.
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", "__macosx"})

# Above either limit an image is still used but costs a lot to decode: warn so users downscale.
LARGE_SIDE = 4096
LARGE_PIXELS = 40_000_000
# Above this we refuse to decode at all: a tiny compressed file can claim billions of pixels
# (a "decompression bomb") and exhaust memory before any check runs.
BOMB_PIXELS = 150_000_000

# How many names an error or warning lists before it says "and N more".
LIST_LIMIT = 5


class DataWarning(UserWarning):
    """A data problem zapml worked around (file skipped, image downscaled, ...)."""


@dataclass
class Findings:
    """Warnings and notes gathered while loading one dataset, in the order they arose."""

    messages: list[str] = field(default_factory=list)
    # Quiet collectors only record: built-in readers summarise file problems in one note,
    # since users cannot fix files inside a system package.
    quiet: bool = False

    def warn(self, message: str) -> None:
        self.messages.append(message)
        if self.quiet:
            return
        # stacklevel 2 points at the loader, which is more useful than this helper.
        warnings.warn(message, DataWarning, stacklevel=2)
        # INFO, not WARNING: without configured logging Python would print the message a second
        # time next to the warnings module's copy.
        logger.info(message)

    def note(self, message: str) -> None:
        self.messages.append(f"Note: {message}")
        logger.debug(message)


def name_list(names: Sequence[str], limit: int = LIST_LIMIT) -> str:
    """``'a', 'b', 'c' and 4 more`` -- keeps messages short for folders with thousands of files."""
    shown = ", ".join(f"'{n}'" for n in names[:limit])
    rest = len(names) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown


def is_ignored_entry(name: str) -> bool:
    """Hidden entries (``.DS_Store``, ``.ipynb_checkpoints``, ``._x.png``) and OS debris."""
    return name.startswith(".") or name.lower() in SYSTEM_FILES


def is_image_file(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def report_ignored(ignored: Sequence[str], findings: Findings) -> None:
    if ignored:
        findings.note(
            f"ignored {len(ignored)} hidden or system entr{'y' if len(ignored) == 1 else 'ies'} "
            f"({name_list(ignored)}); they are never treated as data."
        )


def report_non_images(skipped: Sequence[str], findings: Findings) -> None:
    if skipped:
        suffixes = ", ".join(sorted(IMAGE_SUFFIXES))
        findings.warn(
            f"skipped {len(skipped)} file(s) that are not images: {name_list(skipped)}. "
            f"Only {suffixes} files are read; move other files out of the data folder to "
            "silence this warning."
        )


def check_class_counts(counts: Mapping[str, int], where: str) -> None:
    """A classification task needs two classes and at least two examples of each."""
    if len(counts) < 2:
        only = f" (only '{next(iter(counts))}')" if counts else ""
        raise DataError(
            f"{where} has {len(counts)} class{'' if len(counts) == 1 else 'es'}{only}; "
            "image classification needs at least 2. Add a folder (or label) per class."
        )
    small = [f"{name} ({n})" for name, n in counts.items() if n < 2]
    if small:
        raise DataError(
            f"{where}: class(es) with fewer than 2 readable images: {name_list(small)}. "
            "Add images to these classes or remove them."
        )


def check_test_classes(
    train_classes: Iterable[str], test_classes: Iterable[str], where: str
) -> None:
    """Test labels the training data never shows cannot be predicted: refuse them."""
    known = set(train_classes)
    unknown = sorted(c for c in test_classes if c not in known)
    if unknown:
        raise DataError(
            f"{where}: class(es) {name_list(unknown)} appear in the test split but not in the "
            "training split, so no model can learn them. Add training images for them or drop "
            "them from the test split."
        )


def csv_path_inside_root(root: Path, raw: str, row: int, csv_name: str) -> Path:
    """Resolve a CSV path relative to the CSV's folder and refuse paths that leave that folder.

    ``abspath`` normalises ``..`` without following symlinks, so users may still symlink image
    folders into the data root; only the written path has to stay inside.
    """
    root_abs = os.path.abspath(root)
    candidate = os.path.abspath(os.path.join(root_abs, raw))
    if os.path.commonpath([root_abs, candidate]) != root_abs:
        raise DataError(
            f"{csv_name}, row {row}: path '{raw}' points outside the data folder '{root_abs}'. "
            "Move the image inside that folder and give its path relative to the CSV file."
        )
    return Path(candidate)


def check_missing_files(missing: Sequence[tuple[int, str]], csv_name: str) -> None:
    if missing:
        listed = [f"row {row}: {raw}" for row, raw in missing]
        raise DataError(
            f"{csv_name}: {len(missing)} referenced file(s) do not exist: {name_list(listed)}. "
            "Fix the paths (relative to the CSV's folder) or remove those rows."
        )
