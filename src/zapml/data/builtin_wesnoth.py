"""Two built-ins from Battle for Wesnoth's artwork (Debian ``wesnoth-1.16-data``, GPL-2).

* ``wesnoth_units``: unit sprites labelled by race folder (``units/<race>/**.png``). One unit
  has dozens of near-identical animation frames, so every image carries its unit as a group and
  the test split is grouped by unit. The unit comes from Wesnoth's unit definitions (see
  ``wesnoth_units_wml``); sprites none names fall back to the file name's first word.
* ``wesnoth_terrain``: full 72x72 hex tiles labelled by terrain folder (``terrain/<type>/**``).
  Transition and edge pieces (names with a direction token such as ``-ne`` or ``-tl``) are
  mostly transparent slivers and multi-hex pieces are larger than a hex: both are left out.
  Tiles are grouped by their base name (``desert``, ``desert2``, ``desert-oasis``), so variants
  and animation frames of one tile stay on one side of the split too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PIL import Image

from zapml.data import wesnoth_units_wml as wml
from zapml.data.builtin_files import (
    LabelledFile,
    decode_labelled,
    keep_classes_with,
    leading_word,
)
from zapml.data.builtin_readers import RawData
from zapml.data.validation import is_ignored_entry
from zapml.errors import DataError

WESNOTH_IMAGES = Path("/usr/share/games/wesnoth/1.16/data/core/images")
WESNOTH_HINT = "sudo apt-get install wesnoth-1.16-data"
# Wesnoth's hex is 72x72 px; units and tiles are drawn for it.
HEX_SIDE = 72
# Below this a class cannot give a 20 % test side of a few images plus a training side.
MIN_PER_CLASS = 20
# Hex directions and corners (top-left, ...) name edge and transition pieces: "grass/dry-ne-se".
EDGE_TOKENS = frozenset({"n", "ne", "nw", "s", "se", "sw", "l", "r", "tl", "tr", "bl", "br"})
# Map-editor markers drawn on a hex, not terrain.
MARKER_TOKENS = frozenset({"editor", "symbol"})


def units_dir() -> Path:
    return WESNOTH_IMAGES / "units"


def terrain_dir() -> Path:
    return WESNOTH_IMAGES / "terrain"


def wesnoth_missing() -> str | None:
    return None if units_dir().is_dir() and terrain_dir().is_dir() else WESNOTH_HINT


def _pngs_by_class(root: Path) -> Iterator[tuple[str, Path, Path]]:
    """(class folder, file, path below the class folder) for every PNG one level or more down."""
    if not root.is_dir():
        return
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not is_ignored_entry(p.name)):
        for path in sorted(folder.rglob("*.png")):
            below = path.relative_to(folder)
            if not any(is_ignored_entry(part) for part in below.parts):
                yield folder.name, path, below


def _group(label: str, below: Path) -> str:
    """A unit's own sub-folder (``human-loyalists/knight/...``) or its file name's first word."""
    word = below.parts[0] if len(below.parts) > 1 else leading_word(below.stem)
    return f"{label}/{word}"


def unit_configs_dir() -> Path:
    return WESNOTH_IMAGES.parent / "units"  # data/core/units/, beside data/core/images/


def unit_files() -> list[LabelledFile]:
    """Sprites labelled by race folder, grouped by the unit the unit files say they show."""
    found = list(_pngs_by_class(units_dir()))
    refs = [f"units/{label}/{below.as_posix()}" for label, _, below in found]
    words = [_group(label, below) for label, _, below in found]
    units = wml.unit_groups(refs, words, unit_configs_dir())
    # Within the label: a unit drawn in two race folders gives one group per folder.
    files = [
        LabelledFile(path, label, f"{label}/unit{unit}")
        for (label, path, _), unit in zip(found, units, strict=True)
    ]
    return keep_classes_with(files, MIN_PER_CLASS)


def is_full_tile_name(stem: str) -> bool:
    tokens = set(stem.lower().split("-"))
    return not tokens & (EDGE_TOKENS | MARKER_TOKENS)


def _is_hex_sized(path: Path) -> bool:
    try:
        with Image.open(path) as im:
            return im.size == (HEX_SIDE, HEX_SIDE)
    except OSError:
        return True  # let decoding skip it with a note naming the file


def terrain_files() -> list[LabelledFile]:
    files = [
        LabelledFile(path, label, _group(label, below))
        for label, path, below in _pngs_by_class(terrain_dir())
        if is_full_tile_name(path.stem) and _is_hex_sized(path)
    ]
    return keep_classes_with(files, MIN_PER_CLASS)


def read_units() -> RawData:
    # Big units (drakes, monsters) are drawn larger than a hex: fit them, never stretch. White is
    # what their transparent background becomes.
    return decode_labelled(_required(unit_files()), HEX_SIDE, units_dir(), pad="white")


def read_terrain() -> RawData:
    return decode_labelled(_required(terrain_files()), HEX_SIDE, terrain_dir())


def _required(files: list[LabelledFile]) -> list[LabelledFile]:
    if not files:
        raise DataError(f"Wesnoth images were not found under '{WESNOTH_IMAGES}': {WESNOTH_HINT}")
    return files


def unit_sizes() -> tuple[int, int]:
    files = unit_files()
    return len({f.label for f in files}), len(files)


def terrain_sizes() -> tuple[int, int]:
    files = terrain_files()
    return len({f.label for f in files}), len(files)
