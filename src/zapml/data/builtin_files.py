"""Built-ins made of image files inside a package: labels (and groups) come from the paths.

A package reader lists ``LabelledFile`` entries; ``decode_labelled`` turns them into ``RawData``
for ``zapml.data.builtin``, skipping files PIL cannot read with one note naming them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zapml.data.builtin_readers import RawData
from zapml.data.imaging import decode, read_header
from zapml.data.validation import BOMB_PIXELS, Findings, name_list
from zapml.errors import DataError


@dataclass(frozen=True)
class LabelledFile:
    """One image file, its class name and (for grouped splits) the group it belongs to."""

    path: Path
    label: str
    group: str = ""


def keep_classes_with(files: Sequence[LabelledFile], minimum: int) -> list[LabelledFile]:
    """The files of classes with at least ``minimum`` images, order kept."""
    counts = Counter(f.label for f in files)
    return [f for f in files if counts[f.label] >= minimum]


def leading_word(stem: str) -> str:
    """The run of letters a file name starts with: ``fighter-ne-axe3`` -> ``fighter``.

    Animation frames and variants of one picture share it (``desert2``, ``desert-oasis``), so
    grouping by it can merge two pictures into one group but never splits one picture's frames.
    """
    match = re.match(r"[a-z]*", stem.lower())
    return match.group(0) if match and match.group(0) else stem.lower()


def decode_labelled(
    files: Sequence[LabelledFile], side: int, root: Path, *, pad: str | None = None
) -> RawData:
    """Decode every file to ``side`` x ``side`` RGB (``pad``: see ``imaging.decode``); class
    names sorted, groups kept if given."""
    class_names = tuple(sorted({f.label for f in files}))
    index = {name: i for i, name in enumerate(class_names)}
    findings = Findings(quiet=True)
    images: list[np.ndarray] = []
    kept: list[LabelledFile] = []
    skipped: list[str] = []
    for item in files:
        header = read_header(item.path, str(item.path), findings)
        img = decode(header, str(item.path), side, False, findings, pad=pad) if header else None
        if img is None:
            skipped.append(item.path.relative_to(root).as_posix())
            continue
        images.append(img)
        kept.append(item)
    if not images:
        raise DataError(
            f"none of the {len(files)} image files under '{root}' could be decoded; "
            "reinstall the package that ships them."
        )
    groups = np.asarray([f.group for f in kept]) if any(f.group for f in kept) else None
    return RawData(
        x=np.stack(images),
        y=np.asarray([index[f.label] for f in kept], dtype=np.int64),
        class_names=class_names,
        notes=_skip_note(skipped),
        groups=groups,
    )


def _skip_note(skipped: list[str]) -> tuple[str, ...]:
    if not skipped:
        return ()
    return (
        f"Note: skipped {len(skipped)} file(s) that are unreadable or larger than "
        f"{BOMB_PIXELS // 1_000_000} MP: {name_list(skipped)}.",
    )
