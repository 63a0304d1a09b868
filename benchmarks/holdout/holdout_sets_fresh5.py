"""The fifth fresh hold-out, prepared on 2026-12-04 in the sixteenth session and never evaluated:
``provinces`` (gcompris-qt-data), from a package that no other set and no meta-dataset source
reads. Planned with the helpers of ``holdout_sets.py``, ``holdout_sets_fresh2.py`` and
``holdout_sets_fresh4.py``, whose ``SETS`` this module extends when it is imported
(``holdout_sets`` imports it at its end); it adds its picture reader to fresh2's
``PICTURE_READERS``, which ``prepare.py`` reads.

GCompris packs each activity into a Qt resource file (``rcc/<activity>.rcc``), which
``rcc_members`` reads. Its ``geo-country`` activity is a puzzle of a country's map: every board
(``resource/board/*.qml``) names one background map (type ``SHAPE_BACKGROUND_IMAGE``) and the
provinces or states to place on it, one ``.svgz`` drawing each under ``resource/<country>/``. A
province's class is that country folder (``usa/texas.svgz`` is ``usa``); backgrounds are left out.
Identical pictures are removed (``unique_icons``), and provinces of one country whose outlines
overlap by 90% or more (at 64 px or coarsened to 16 px), whose grey thumbnails are near, or whose
names share a first word (``north_dakota``, ``north_carolina``) are chained into one group that
stays on one side (fresh4's ``drawing_groups``).
"""

from __future__ import annotations

import re
import struct
import zlib
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from holdout_sets import (
    SETS,
    HoldoutSet,
    Item,
    name_family,
    slug,
    split_and_cap,
    unique_icons,
    visible_box,
)
from holdout_sets_fresh2 import (
    FAMILY_MOST,
    PICTURE_READERS,
    Entry,
    cap_per_group,
    pixel_digest,
    silhouette,
)
from holdout_sets_fresh4 import centred, drawing_groups, render_svg

if TYPE_CHECKING:
    from PIL import Image

GEO_RCC = Path("/usr/share/gcompris-qt/rcc/geo-country.rcc")  # gcompris-qt-data
GEO_RESOURCE = "gcompris/src/activities/geo-country/resource/"  # its boards and drawings
GEO_BACKGROUND = "SHAPE_BACKGROUND_IMAGE"  # a board's whole map, not a piece of it
# Country folder -> class: the countries with 30 or more pieces on the boards once the backgrounds
# are left out (31-81). Left out (README), too few to split 70/30 into 20 or more training and 8
# or more test pieces: brazil 27, argentina 24, italy 20, spain 19, germany and poland 16, and
# the others with 5-13 pieces.
GEO_CLASSES = {
    "china": "china",
    "india": "india",
    "mexico": "mexico",
    "scotland": "scotland",
    "turkey": "turkey",
    "usa": "usa",
}
GEO_RENDER = 128  # px: a province is drawn into this square, then fitted into prepare's 96 px
GEO_PLAN_SIDE = 64  # px: the square the plan compares provinces in (repeats, outlines)
# Pieces whose visible pixels cover less than this share of the square around them are specks:
# India's enclaves and island chains (Puducherry 0.5%, Lakshadweep 2.7%, Andaman and Nicobar
# 3.0%) are a few dots once fitted, nearly white and alike; the next sparsest, Hawaii, 8.5%.
GEO_SPECK = 0.05
GEO_TRAIN_PER_CLASS = 45
GEO_TEST_PER_CLASS = 20
# One board piece: ``{ "pixmapfile" : "usa/texas.svgz", ... }``; the type only on backgrounds.
BOARD_PIECE = re.compile(r"\{([^{}]*)\}")
BOARD_FIELD = re.compile(r'"(pixmapfile|type)"\s*:\s*"([^"]*)"')
RCC_COMPRESSED, RCC_DIRECTORY, RCC_ZSTD = 1, 2, 4  # flags of a resource tree entry


def rcc_members(data: bytes) -> dict[str, bytes]:
    """The files of a Qt resource file (``rcc``, versions 1-3) by their path, zlib-compressed
    ones uncompressed. Header: ``qres``, version, then the offsets of the tree, the data and the
    names; a tree entry is a name offset and flags, then (a folder) its child count and first
    child, or (a file) country, language and data offset; versions 2+ add a modification time."""
    if data[:4] != b"qres":
        raise ValueError("not a Qt resource file (no 'qres' header)")
    version, tree, payload, names = struct.unpack(">IIII", data[4:20])
    entry_size = 14 if version == 1 else 22

    def name(offset: int) -> str:
        (length,) = struct.unpack(">H", data[names + offset : names + offset + 2])
        return data[names + offset + 6 : names + offset + 6 + 2 * length].decode("utf-16-be")

    found: dict[str, bytes] = {}
    stack = [(0, "")]  # (tree entry, path of its folder); entry 0 is the root
    while stack:
        index, folder = stack.pop()
        at = tree + index * entry_size
        name_at, flags = struct.unpack(">IH", data[at : at + 6])
        path = f"{folder}{name(name_at)}" if index else ""
        if flags & RCC_DIRECTORY:
            count, first = struct.unpack(">II", data[at + 6 : at + 14])
            stack.extend(
                (child, f"{path}/" if index else "") for child in range(first, first + count)
            )
            continue
        (offset,) = struct.unpack(">I", data[at + 10 : at + 14])
        (size,) = struct.unpack(">I", data[payload + offset : payload + offset + 4])
        body = data[payload + offset + 4 : payload + offset + 4 + size]
        if flags & RCC_ZSTD:
            raise ValueError(f"{path}: zstd-compressed resources are not read")
        # qCompress format: the uncompressed size (4 bytes), then a zlib stream.
        found[path] = zlib.decompress(body[4:]) if flags & RCC_COMPRESSED else body
    return found


@lru_cache(maxsize=2)
def read_rcc(path: Path) -> dict[str, bytes]:
    """``rcc_members`` of a file (cached: every picture of the set is read from one file)."""
    return rcc_members(path.read_bytes())


def board_pieces(text: str) -> list[str]:
    """The drawings (``pixmapfile``, relative to the resource folder) of a board's pieces,
    in order, without its background map."""
    pieces = []
    for block in BOARD_PIECE.findall(text):
        fields = dict(BOARD_FIELD.findall(block))
        if "pixmapfile" in fields and fields.get("type") != GEO_BACKGROUND:
            pieces.append(fields["pixmapfile"])
    return pieces


def geo_provinces(members: dict[str, bytes]) -> list[Entry]:
    """(class, name family, ``Path(member)``) of every piece of a board whose country folder is
    a class, once each (sorted by member), the member being its drawing in the resource file:
    the family is the file name's first word (``new_york``, ``new_jersey``: ``new``)."""
    found = set()
    for member, body in members.items():
        if member.startswith(f"{GEO_RESOURCE}board/") and member.endswith(".qml"):
            for piece in board_pieces(body.decode("utf-8")):
                if f"{GEO_RESOURCE}{piece}" in members:
                    found.add(f"{GEO_RESOURCE}{piece}")
    entries = []
    for member in sorted(found):
        path = PurePosixPath(member)
        if path.parent.name in GEO_CLASSES:
            entries.append((GEO_CLASSES[path.parent.name], name_family(path.stem), Path(member)))
    return entries


def ink_share(picture: Image.Image) -> float:
    """The share of the square around a picture's visible pixels (the side of their box's
    longer edge, as ``prepare`` fits it) that they cover; 0 for a blank picture."""
    box = visible_box(picture)
    if box is None:
        return 0.0
    left, top, right, bottom = box
    return float(silhouette(picture.crop(box)).sum()) / max(right - left, bottom - top) ** 2


def read_province(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the provinces set: the item's drawing (``element``, a member
    of the resource file ``source``) drawn ``GEO_RENDER`` px large."""
    return render_svg(read_rcc(item.source)[str(item.element)], GEO_RENDER)


def province_name(member: Path) -> str:
    """Output stem: the drawing's file name (``.../usa/texas.svgz`` -> ``texas``): unique
    within a country folder, which is the class."""
    return slug(member.stem)


def plan_provinces(rcc: Path = GEO_RCC) -> list[Item]:
    """Country of a GCompris map piece (a province or state) as the class; specks (``ink_share``
    below ``GEO_SPECK``, blank pictures among them) and repeated pictures dropped; test = whole
    groups per class (outlines overlapping by 90% or more, near thumbnails or one name family,
    chained; ``FAMILY_MOST`` pieces a group at most)."""
    members = read_rcc(rcc)
    pictures: dict[Path, Image.Image] = {}

    def picture(member: Path) -> Image.Image:
        # Drawn once into and centred on ``GEO_PLAN_SIDE`` px: the plan reads each one often.
        if member not in pictures:
            drawn = render_svg(members[member.as_posix()], GEO_PLAN_SIDE)
            pictures[member] = centred(drawn, GEO_PLAN_SIDE)
        return pictures[member]

    drawn = [entry for entry in geo_provinces(members) if ink_share(picture(entry[2])) >= GEO_SPECK]
    grouped = drawing_groups(unique_icons(drawn, pixel_digest(picture)), picture)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        "provinces",
        (GEO_TRAIN_PER_CLASS, GEO_TEST_PER_CLASS),
        "provinces",
        province_name,
        source=lambda member: rcc,
        element=lambda member: member.as_posix(),
    )


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS["provinces"] = read_province
FRESH5_SETS = (
    HoldoutSet(
        "provinces",
        "gcompris-qt-data librsvg2-bin",
        GEO_RCC.parent,
        "country of a GCompris map piece, a province or state, from its drawing (6)",
        "by family (pieces of one country whose outlines overlap by 90% or more at 64 px or "
        "coarsened to 16 px, whose grey 16 px thumbnails differ by less than a quarter of their "
        "ink, or whose file names share a first word, chained; at most 5 pieces a family), "
        "about 30% of each country, after removing specks (pieces covering under 5% of their "
        "square) and identical pictures",
        plan_provinces,
        (GEO_RCC,),
    ),
)
SETS.update({spec.name: spec for spec in FRESH5_SETS})
