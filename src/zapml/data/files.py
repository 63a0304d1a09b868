"""File sources: a folder of class folders (optionally under train/ and test/) and path,label CSVs.

Both first list ``(file, class)`` items, then ``decode_items`` reads headers (to choose the common
size and channel count without decoding), decodes, and hands arrays to ``build_split``.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zapml.data.assemble import build_split, sorted_classes
from zapml.data.dataset import DataSplit
from zapml.data.imaging import choose_side, decode, read_header
from zapml.data.validation import (
    Findings,
    check_class_counts,
    check_missing_files,
    check_test_classes,
    csv_path_inside_root,
    is_ignored_entry,
    is_image_file,
    name_list,
    report_ignored,
    report_non_images,
)
from zapml.errors import DataError

SPLIT_DIRS = {"train": "train", "training": "train", "test": "test", "testing": "test"}
PATH_HEADERS = frozenset(
    {"path", "file", "filename", "file_name", "filepath", "image", "image_path"}
)
LABEL_HEADERS = frozenset({"label", "class", "target", "y", "category", "class_name"})


@dataclass(frozen=True)
class Item:
    path: Path
    class_name: str
    label: str  # how messages name the file: relative to the data root


# ------------------------------------------------------------------------------- folders


def load_folder(root: Path, *, max_side: int, image_size: int | None) -> DataSplit:
    findings = Findings()
    train_dir, test_dir = _split_dirs(root, findings)
    ignored: list[str] = []
    skipped: list[str] = []
    train = _scan_class_folders(train_dir, root, ignored, skipped, findings)
    test = _scan_class_folders(test_dir, root, ignored, skipped, findings) if test_dir else None
    report_ignored(ignored, findings)
    report_non_images(skipped, findings)
    return decode_items(
        root.name,
        train,
        test,
        findings,
        max_side=max_side,
        image_size=image_size,
        where=f"'{root}'",
    )


def _split_dirs(root: Path, findings: Findings) -> tuple[Path, Path | None]:
    """``root/train`` + ``root/test`` when a train folder exists, else ``root`` alone."""
    children = {c.name.lower(): c for c in sorted(root.iterdir()) if c.is_dir()}
    found = {SPLIT_DIRS[n]: c for n, c in children.items() if n in SPLIT_DIRS}
    if "train" not in found:
        return root, None
    others = [
        c.name for n, c in children.items() if n not in SPLIT_DIRS and not is_ignored_entry(n)
    ]
    if others:
        findings.warn(
            f"'{root}' has train/ (and test/) folders, so the other folder(s) {name_list(others)} "
            "are not used. Move their class folders into train/ or test/."
        )
    return found["train"], found.get("test")


def _scan_class_folders(
    folder: Path, root: Path, ignored: list[str], skipped: list[str], findings: Findings
) -> dict[str, list[Item]]:
    """Class name -> image items; images in nested sub-folders belong to the top class folder."""
    classes: dict[str, list[Item]] = {}
    loose: list[str] = []
    for child in sorted(folder.iterdir()):
        rel = child.relative_to(root).as_posix()
        if is_ignored_entry(child.name):
            ignored.append(rel)
        elif child.is_dir():
            classes[child.name] = _walk_class(child, root, ignored, skipped)
        elif is_image_file(child):
            loose.append(rel)
        else:
            skipped.append(rel)
    if loose:
        findings.warn(
            f"{len(loose)} image(s) lie directly in '{folder}' rather than in a class folder "
            f"({name_list(loose)}); skipped. Move each into a folder named after its class."
        )
    return classes


def _walk_class(folder: Path, root: Path, ignored: list[str], skipped: list[str]) -> list[Item]:
    items: list[Item] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        ignored.extend(
            (here / d).relative_to(root).as_posix() for d in dirnames if is_ignored_entry(d)
        )
        # Pruning in place stops os.walk from entering hidden folders such as .ipynb_checkpoints.
        dirnames[:] = sorted(d for d in dirnames if not is_ignored_entry(d))
        for name in sorted(filenames):
            rel = (here / name).relative_to(root).as_posix()
            if is_ignored_entry(name):
                ignored.append(rel)
            elif is_image_file(here / name):
                items.append(Item(here / name, folder.name, rel))
            else:
                skipped.append(rel)
    return items


# ----------------------------------------------------------------------------------- CSV


def load_csv(path: Path, *, max_side: int, image_size: int | None) -> DataSplit:
    findings = Findings()
    rows = _read_rows(path)
    root = path.parent
    resolved = [
        (row, raw, csv_path_inside_root(root, raw, row, path.name), label)
        for row, raw, label in rows
    ]
    resolved = _drop_duplicates(resolved, path.name, findings)
    missing = [(row, raw) for row, raw, full, _ in resolved if not full.is_file()]
    check_missing_files(missing, path.name)
    classes: dict[str, list[Item]] = {}
    skipped: list[str] = []
    for _, raw, full, label in resolved:
        if is_image_file(full):
            classes.setdefault(label, []).append(Item(full, label, raw))
        else:
            skipped.append(raw)
    report_non_images(skipped, findings)
    return decode_items(
        path.stem,
        classes,
        None,
        findings,
        max_side=max_side,
        image_size=image_size,
        where=f"'{path.name}'",
    )


def _read_rows(path: Path) -> list[tuple[int, str, str]]:
    """``(line number, path, label)`` for every data row; a header row is recognised and skipped."""
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        # utf-8-sig: spreadsheet programs often start CSV files with a byte-order mark.
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            raw_rows = [(reader.line_num, cells) for cells in reader]
    except UnicodeDecodeError:
        raise DataError(f"'{path.name}' is not UTF-8 text; save it as UTF-8 CSV.") from None
    rows: list[tuple[int, str, str]] = []
    for index, (line, cells) in enumerate(raw_rows):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if index == 0 and _is_header(cells):
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise DataError(
                f"'{path.name}', row {line}: expected 'path{delimiter}label', got "
                f"{delimiter.join(cells)!r}. Give every row an image path and a label."
            )
        rows.append((line, cells[0], cells[1]))
    if not rows:
        raise DataError(f"'{path.name}' has no data rows; add one 'path,label' row per image.")
    return rows


def _is_header(cells: list[str]) -> bool:
    first = cells[0].lower()
    second = cells[1].lower() if len(cells) > 1 else ""
    return first in PATH_HEADERS or second in LABEL_HEADERS


def _drop_duplicates(
    rows: list[tuple[int, str, Path, str]], csv_name: str, findings: Findings
) -> list[tuple[int, str, Path, str]]:
    """The same file twice: a conflicting label is an error, a repeated one a warning."""
    first_seen: dict[Path, tuple[int, str]] = {}
    kept: list[tuple[int, str, Path, str]] = []
    repeats: list[str] = []
    for row, raw, full, label in rows:
        if full not in first_seen:
            first_seen[full] = (row, label)
            kept.append((row, raw, full, label))
            continue
        first_row, first_label = first_seen[full]
        if label != first_label:
            raise DataError(
                f"'{csv_name}': rows {first_row} and {row} give '{raw}' different labels "
                f"('{first_label}' and '{label}'). Keep one row per image with its correct label."
            )
        repeats.append(f"'{raw}' (rows {first_row} and {row})")
    if repeats:
        findings.warn(
            f"'{csv_name}' lists {len(repeats)} image(s) more than once: "
            f"{', '.join(repeats[:5])}{' ...' if len(repeats) > 5 else ''}; each is used once. "
            "Remove the repeated rows."
        )
    return kept


# ------------------------------------------------------------------------------ decoding


def decode_items(
    name: str,
    train: dict[str, list[Item]],
    test: dict[str, list[Item]] | None,
    findings: Findings,
    *,
    max_side: int,
    image_size: int | None,
    where: str,
) -> DataSplit:
    """Headers first (cheap) to choose size and channels, then decode straight to that size."""
    # Count what is listed before decoding anything, so a one-class folder fails at once.
    check_class_counts({c: len(items) for c, items in train.items()}, where)
    class_names = sorted_classes(train)
    if test is not None:
        check_test_classes(class_names, [c for c, items in test.items() if items], where)

    headers = {
        split: [
            (item, read_header(item.path, item.label, findings))
            for items in d.values()
            for item in items
        ]
        for split, d in (("train", train), ("test", test or {}))
    }
    readable = [h for pairs in headers.values() for _, h in pairs if h is not None]
    side = choose_side([s for h in readable for s in (h.width, h.height)], max_side, image_size)
    gray = all(h.gray for h in readable)

    index = {c: i for i, c in enumerate(class_names)}
    arrays = {}
    for split, pairs in headers.items():
        images = np.empty((len(pairs), side, side, 1 if gray else 3), dtype=np.uint8)
        labels = np.empty(len(pairs), dtype=np.int64)
        n = 0
        for item, header in pairs:
            img = decode(header, item.label, side, gray, findings) if header else None
            if img is not None:
                images[n], labels[n] = img, index[item.class_name]
                n += 1
        arrays[split] = (images[:n], labels[:n])
    if not len(arrays["train"][1]):
        raise DataError(f"{where} has no readable images; see the warnings above for each file.")
    has_test = test is not None and len(arrays["test"][1]) > 0
    return build_split(
        name,
        arrays["train"],
        arrays["test"] if has_test else None,
        class_names,
        findings,
        max_side=max_side,
        image_size=side,
        where=where,
    )
