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
from zapml.data.imaging import ImageHeader, choose_side, decode, read_header
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
    # How messages and ``Dataset.image_ids`` name the file: its path relative to the data root.
    label: str


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
    rows, has_header = _read_rows(path)
    root = path.parent
    resolved = [
        (row, raw, csv_path_inside_root(root, raw, row, path.name), label)
        for row, raw, label in rows
    ]
    if not has_header:
        _check_column_order(resolved, root, path.name)
    resolved = _drop_duplicates(resolved, path.name, findings)
    missing = [(row, raw) for row, raw, full, _ in resolved if not full.is_file()]
    check_missing_files(missing, path.name)
    classes: dict[str, list[Item]] = {}
    skipped: list[str] = []
    root_abs = Path(os.path.abspath(root))
    for _, raw, full, label in resolved:
        if is_image_file(full):
            # The id is the normalised path inside the CSV's folder: './a/../b.png' -> 'b.png'.
            classes.setdefault(label, []).append(
                Item(full, label, full.relative_to(root_abs).as_posix())
            )
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


def _read_rows(path: Path) -> tuple[list[tuple[int, str, str]], bool]:
    """``(line number, path, label)`` for every data row, and whether a header row was found.

    A header names its columns (``path,label``, ``label,path``, ``filename,class`` ...; see
    ``PATH_HEADERS``/``LABEL_HEADERS``); columns are then read by name, in any order. Without
    one, the first column is the image path and the second the label.
    """
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    lines = _csv_lines(path, delimiter)
    columns = _header_columns(lines[0][1], path.name) if lines else None
    path_col, label_col = columns or (0, 1)
    header = lines[0][1] if columns else ["path", "label"]
    expected = f"'{delimiter.join(header)}'"
    rows: list[tuple[int, str, str]] = []
    for line, cells in lines[1:] if columns else lines:
        if len(cells) <= max(path_col, label_col) or not cells[path_col] or not cells[label_col]:
            raise DataError(
                f"'{path.name}', row {line}: expected {expected}, got "
                f"{delimiter.join(cells)!r}. Give every row an image path and a label."
            )
        rows.append((line, cells[path_col], cells[label_col]))
    if not rows:
        raise DataError(f"'{path.name}' has no data rows; add one 'path,label' row per image.")
    return rows, columns is not None


def _csv_lines(path: Path, delimiter: str) -> list[tuple[int, list[str]]]:
    """Non-empty rows as ``(line number, stripped cells)``."""
    try:
        # utf-8-sig: spreadsheet programs often start CSV files with a byte-order mark.
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            raw_rows = [(reader.line_num, [c.strip() for c in cells]) for cells in reader]
    except UnicodeDecodeError:
        raise DataError(f"'{path.name}' is not UTF-8 text; save it as UTF-8 CSV.") from None
    except csv.Error as exc:
        raise DataError(f"'{path.name}' is not a valid CSV file ({exc}).") from None
    return [(line, cells) for line, cells in raw_rows if any(cells)]


def _header_columns(cells: list[str], csv_name: str) -> tuple[int, int] | None:
    """``(path column, label column)`` when ``cells`` is a header row, else ``None``."""
    names = [c.lower() for c in cells]
    path_cols = [i for i, n in enumerate(names) if n in PATH_HEADERS]
    label_cols = [i for i, n in enumerate(names) if n in LABEL_HEADERS]
    if not path_cols and not label_cols:
        return None
    if path_cols and label_cols and path_cols[0] != label_cols[0]:
        return path_cols[0], label_cols[0]
    if len(cells) == 2:
        # One known name in a two-column header: the other column is the other field.
        path_col = path_cols[0] if path_cols else 1 - label_cols[0]
        return path_col, 1 - path_col
    raise DataError(
        f"'{csv_name}': the header row {cells!r} must name both the image-path column (one of "
        f"{', '.join(sorted(PATH_HEADERS))}) and the label column (one of "
        f"{', '.join(sorted(LABEL_HEADERS))}), in any order."
    )


def _check_column_order(rows: list[tuple[int, str, Path, str]], root: Path, csv_name: str) -> None:
    """Without a header: refuse swapped columns, and a header row with names we don't know."""
    swapped = [
        (row, label) for row, _, full, label in rows if not full.is_file() and _is_file(root, label)
    ]
    if len(swapped) * 2 > len(rows):
        row, label = swapped[0]
        raise DataError(
            f"'{csv_name}': the second column holds the image paths (row {row}: '{label}'), but "
            "without a header the columns are read as 'path,label'. Swap the columns, or add a "
            "header row naming them ('label,path' is read by name)."
        )
    first_row, first_raw, first_full, first_label = rows[0]
    if len(rows) > 1 and not first_full.is_file() and all(r[2].is_file() for r in rows[1:]):
        raise DataError(
            f"'{csv_name}': row {first_row} ('{first_raw}', '{first_label}') names no file while "
            "every other row does. If it is a header, name its columns: the image path as one "
            f"of {', '.join(sorted(PATH_HEADERS))} and the label as one of "
            f"{', '.join(sorted(LABEL_HEADERS))}."
        )


def _is_file(root: Path, raw: str) -> bool:
    try:
        return (root / raw).is_file()
    except (OSError, ValueError):  # NUL bytes or over-long names
        return False


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
        split: [(item, read_header(item.path, item.label, findings)) for item in _items(d)]
        for split, d in (("train", train), ("test", test or {}))
    }
    readable = [h for pairs in headers.values() for _, h in pairs if h is not None]
    side = choose_side([s for h in readable for s in (h.width, h.height)], max_side, image_size)
    gray = all(h.gray for h in readable)
    index = {c: i for i, c in enumerate(class_names)}
    decoded = {
        split: _decode_all(pairs, index, side, gray, findings) for split, pairs in headers.items()
    }
    x_train, y_train, ids_train = decoded["train"]
    if not len(y_train):
        raise DataError(f"{where} has no readable images; see the warnings above for each file.")
    x_test, y_test, ids_test = decoded["test"]
    has_test = test is not None and len(y_test) > 0
    return build_split(
        name,
        (x_train, y_train),
        (x_test, y_test) if has_test else None,
        class_names,
        findings,
        max_side=max_side,
        image_size=side,
        where=where,
        ids=(ids_train, ids_test if has_test else None),
    )


def _items(classes: dict[str, list[Item]]) -> list[Item]:
    return [item for items in classes.values() for item in items]


def _decode_all(
    pairs: list[tuple[Item, ImageHeader | None]],
    index: dict[str, int],
    side: int,
    gray: bool,
    findings: Findings,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``(images, labels, ids)`` of the files that decode; the others are skipped with a warning."""
    images = np.empty((len(pairs), side, side, 1 if gray else 3), dtype=np.uint8)
    labels = np.empty(len(pairs), dtype=np.int64)
    ids: list[str] = []
    for item, header in pairs:
        img = decode(header, item.label, side, gray, findings) if header else None
        if img is not None:
            images[len(ids)], labels[len(ids)] = img, index[item.class_name]
            ids.append(item.label)
    return images[: len(ids)], labels[: len(ids)], ids
