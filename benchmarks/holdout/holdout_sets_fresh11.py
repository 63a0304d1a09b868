"""A set of the seventh fresh hold-out, prepared on 2026-12-05 in the thirtieth session before any
model ran on it: ``mahjong`` (kdegames-mahjongg-data-kf5 and xmahjongg), from packages that no
other set and no meta-dataset source reads. Planned with the helpers of ``holdout_sets.py`` and
``holdout_sets_fresh2.py``, whose ``SETS`` this module extends when it is imported
(``holdout_sets`` imports it at its end); it adds its picture reader to fresh2's
``PICTURE_READERS``, which ``prepare.py`` reads (its ``FITTED_SIDES`` needs ``"mahjong": 96``).

A picture is one Mahjong tile of a tile set; its class is the tile's suit or kind: bamboo,
characters, dots (circles), honors (the four winds and three dragons) or bonus (the four flowers
and four seasons). Tile sets: three of KMahjongg's (``<set>.svgz``, one SVG element per face:
``BAMBOO_1`` .. ``SEASON_4``; a face is drawn by rsvg-convert and cropped to its ink) and three
of xmahjongg's (``<set>.gif``, one sheet of whole tiles in a grid, in an order read off the
sheets: ``XMAHJONGG_LAYOUTS``). Identical pictures are removed (``unique_icons``); the split is
by tile-set family, like ``chess``'s by piece set: whole families, all their tiles, are test
(``MAHJONG_FAMILIES`` joins a set to the one it redraws).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from holdout_sets import SETS, HoldoutSet, Item, split_groups_by_size, unique_icons, visible_box
from holdout_sets_fresh2 import PICTURE_READERS, Entry, is_blank, pixel_digest, sprite

from zapml.data.builtin_cards import rsvg_element

if TYPE_CHECKING:
    from PIL import Image

KMAHJONGG_ROOT = Path("/usr/share/kmahjongglib/tilesets")  # kdegames-mahjongg-data-kf5
XMAHJONGG_ROOT = Path("/usr/share/games/xmahjongg/tiles")  # xmahjongg
# KMahjongg's sets used. Left out (README): alphabet (letters and digits under the suits' ids),
# egypt (Egyptian pictures under the suits' ids: papyrus for bamboo, gods for characters; its
# four flowers are one picture, its four seasons another) and jade (its faces are white shapes
# for a red tile: on white they vanish).
KMAHJONGG_SETS = ("classic", "default", "traditional")
# xmahjongg sheet -> (columns, rows, inset px, the tiles of its first rows in reading order).
# The sheets hold whole tiles (bevel and face) in a grid; their lower rows repeat the tiles
# highlighted. ``-`` is a cell left out: real's caption, and gnome's four flowers, drawn as the
# four wind characters in another colour. Winds are numbered as KMahjongg's (1 north, 2 south,
# 3 east, 4 west), dragons too (1 white, 2 green, 3 red), flowers 1 plum, 2 orchid,
# 3 chrysanthemum, 4 bamboo. Left out: dorwhite and gnome2 (dorothys and gnome on other tile
# colours), and small, thick and thin (GIF frames drawn over one another).
XMAHJONGG_FIRST_ROW = (
    "ROD_1 ROD_2 ROD_3 ROD_4 ROD_5 ROD_6 ROD_7 ROD_8 ROD_9 WIND_1 WIND_4 WIND_2 WIND_3 "
    "DRAGON_3 DRAGON_2 CHARACTER_1 CHARACTER_2 CHARACTER_3 CHARACTER_4 CHARACTER_5 CHARACTER_6"
)
XMAHJONGG_SECOND_ROW = (
    "CHARACTER_7 CHARACTER_8 CHARACTER_9 BAMBOO_1 BAMBOO_2 BAMBOO_3 BAMBOO_4 BAMBOO_5 BAMBOO_6 "
    "BAMBOO_7 BAMBOO_8 BAMBOO_9 SEASON_1 SEASON_2 SEASON_3 SEASON_4 DRAGON_1"
)
XMAHJONGG_LAYOUTS: dict[str, tuple[int, int, int, tuple[str, ...]]] = {
    "dorothys": (
        21,
        4,
        0,
        (XMAHJONGG_FIRST_ROW, XMAHJONGG_SECOND_ROW + " FLOWER_4 FLOWER_2 FLOWER_1 FLOWER_3"),
    ),
    "gnome": (21, 4, 0, (XMAHJONGG_FIRST_ROW, XMAHJONGG_SECOND_ROW + " - - - -")),
    "real": (
        9,
        5,
        3,  # px: the photographed tiles touch; the inset drops the grey seams between them
        (
            "ROD_1 ROD_2 ROD_3 ROD_4 ROD_5 ROD_6 ROD_7 ROD_8 ROD_9",
            "BAMBOO_1 BAMBOO_2 BAMBOO_3 BAMBOO_4 BAMBOO_5 BAMBOO_6 BAMBOO_7 BAMBOO_8 BAMBOO_9",
            "CHARACTER_1 CHARACTER_2 CHARACTER_3 CHARACTER_4 CHARACTER_5 CHARACTER_6 "
            "CHARACTER_7 CHARACTER_8 CHARACTER_9",
            "SEASON_1 SEASON_2 SEASON_3 SEASON_4 WIND_1 WIND_2 WIND_3 WIND_4 -",
            "FLOWER_1 FLOWER_2 FLOWER_3 FLOWER_4 DRAGON_2 DRAGON_1 DRAGON_3 - -",
        ),
    ),
}
# A tile's suit or kind (its id up to ``_``) -> class. Winds and dragons are one class, as are
# flowers and seasons: alone, dragons (3 a set) and each bonus kind (4) are too few to learn.
MAHJONG_CLASSES = {
    "BAMBOO": "bamboo",
    "CHARACTER": "characters",
    "ROD": "dots",
    "WIND": "honors",
    "DRAGON": "honors",
    "FLOWER": "bonus",
    "SEASON": "bonus",
}
# tiles of each kind in a full set
MAHJONG_TILES = {
    "BAMBOO": 9, "CHARACTER": 9, "ROD": 9, "WIND": 4, "DRAGON": 3, "FLOWER": 4, "SEASON": 4,
}  # fmt: skip
# A set redrawn from another stays on its side: traditional's characters, winds and bamboos are
# default's drawings recoloured (the contact sheets); no other two sets share a drawing.
MAHJONG_FAMILIES = {"traditional": "default"}
# Each set is about a sixth of the tiles, so a test share of 0.3 would hold one set (17%); at 0.4
# two sets (about a third) are test.
MAHJONG_TEST_FRACTION = 0.4
MAHJONG_ZOOM = 2.0  # KMahjongg faces (60-70 px wide in their SVG) are drawn twice as large
MAHJONG_SIDE = 96  # prepare's square


def kmahjongg_tile_ids() -> list[str]:
    """The ids of a KMahjongg face, in suit order: ``BAMBOO_1`` .. ``SEASON_4`` (42)."""
    return [
        f"{kind}_{number}"
        for kind, count in MAHJONG_TILES.items()
        for number in range(1, count + 1)
    ]


def tile_class(tile: str) -> str:
    """The class of a tile id (``WIND_3`` -> ``honors``)."""
    return MAHJONG_CLASSES[tile.partition("_")[0]]


def sheet_boxes(
    size: tuple[int, int], layout: tuple[int, int, int, tuple[str, ...]]
) -> dict[str, str]:
    """Tile id -> crop box (``"left,top,right,bottom"``) of the cells of an xmahjongg sheet of
    ``size`` px: ``columns`` x ``rows`` equal cells (edges rounded), ``inset`` px taken off each
    side; cells marked ``-`` left out."""
    columns, rows, inset, named = layout
    width, height = size
    boxes = {}
    for row, line in enumerate(named):
        for column, tile in enumerate(line.split()):
            if tile == "-":
                continue
            left, right = round(column * width / columns), round((column + 1) * width / columns)
            top, bottom = round(row * height / rows), round((row + 1) * height / rows)
            boxes[tile] = f"{left + inset},{top + inset},{right - inset},{bottom - inset}"
    return boxes


@lru_cache(maxsize=512)
def render_face(svgz: Path, element: str, zoom: float = MAHJONG_ZOOM) -> Image.Image:
    """A KMahjongg face, RGBA, drawn by rsvg-convert at ``zoom`` and cropped to its visible
    pixels (rsvg-convert draws an element where it lies on the sheet); a face with no visible
    pixels comes back empty (1x1, clear)."""
    from PIL import Image

    face = rsvg_element(svgz, element, zoom)
    box = visible_box(face)
    return face.crop(box) if box else Image.new("RGBA", (1, 1), (0, 0, 0, 0))


@lru_cache(maxsize=8)
def xmahjongg_boxes(sheet: Path) -> dict[str, str]:
    """Tile id -> crop box of an xmahjongg sheet of ``XMAHJONGG_LAYOUTS``."""
    from PIL import Image

    with Image.open(sheet) as image:
        return sheet_boxes(image.size, XMAHJONGG_LAYOUTS[sheet.stem])


def tile_element(key: Path) -> str:
    """Where a tile of key ``<set file>/<tile id>`` is drawn: its SVG element id, or its crop
    box on the xmahjongg sheet."""
    if key.parent.suffix == ".svgz":
        return key.name
    return xmahjongg_boxes(key.parent)[key.name]


def tile_picture(key: Path) -> Image.Image:
    """The tile of a key, RGBA: a KMahjongg face or an xmahjongg tile cut from its sheet."""
    if key.parent.suffix == ".svgz":
        return render_face(key.parent, key.name)
    return sprite(key.parent, tile_element(key))


def read_tile(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the mahjong set: the face drawn from its SVG element, or the
    tile cut from its sheet by its crop box."""
    if item.source.suffix == ".svgz":
        return render_face(item.source, str(item.element))
    return sprite(item.source, str(item.element))


def tile_set(key: Path) -> str:
    """The tile set of a key: its file's stem (``classic``, ``dorothys``)."""
    return key.parent.stem


def mahjong_tiles(
    kmahjongg: Path = KMAHJONGG_ROOT, xmahjongg: Path = XMAHJONGG_ROOT
) -> list[Entry]:
    """(class, tile-set family, ``<set file>/<tile id>``) of every tile of the sets used, sorted
    by class, set and id."""
    keys = [
        kmahjongg / f"{name}.svgz" / tile
        for name in KMAHJONGG_SETS
        for tile in kmahjongg_tile_ids()
    ]
    for name in sorted(XMAHJONGG_LAYOUTS):
        sheet = xmahjongg / f"{name}.gif"
        keys += [sheet / tile for tile in sorted(xmahjongg_boxes(sheet))]
    found = [
        (tile_class(key.name), MAHJONG_FAMILIES.get(tile_set(key), tile_set(key)), key)
        for key in keys
    ]
    return sorted(found, key=lambda entry: (entry[0], tile_set(entry[2]), entry[2].name))


def tile_name(key: Path) -> str:
    """Output stem: the set and the tile id in lower case (``classic_bamboo_1``)."""
    return f"{tile_set(key)}_{key.name.lower()}"


def plan_mahjong(kmahjongg: Path = KMAHJONGG_ROOT, xmahjongg: Path = XMAHJONGG_ROOT) -> list[Item]:
    """Suit or kind of a Mahjong tile as the class; blank and repeated pictures dropped (a
    picture drawn for two classes goes altogether); test = whole tile-set families, all their
    tiles (``split_groups_by_size`` over the families, one entry per tile)."""
    tiles = mahjong_tiles(kmahjongg, xmahjongg)
    drawn = [entry for entry in tiles if not is_blank(tile_picture(entry[2]))]
    kept = unique_icons(drawn, pixel_digest(tile_picture))
    families = [family for _, family, _ in kept]
    test = split_groups_by_size(families, "mahjong", MAHJONG_TEST_FRACTION)
    return [
        Item(
            "test" if family in test else "train",
            label,
            tile_name(key),
            key.parent,
            tile_element(key),
            family,
            "mahjong",
        )
        for label, family, key in kept
    ]


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS["mahjong"] = read_tile
FRESH11_SETS = (
    HoldoutSet(
        "mahjong",
        "kdegames-mahjongg-data-kf5 xmahjongg librsvg2-bin",
        KMAHJONGG_ROOT,
        "suit or kind of a Mahjong tile, from six tile sets (5)",
        "by tile-set family: 2 of 5 families (default and traditional are one) are test, all "
        "their tiles, after removing blank and identical pictures",
        plan_mahjong,
        tuple(XMAHJONGG_ROOT / f"{name}.gif" for name in sorted(XMAHJONGG_LAYOUTS)),
    ),
)
SETS.update({spec.name: spec for spec in FRESH11_SETS})
