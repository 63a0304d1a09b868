"""The seventh fresh hold-out's set (mahjong, ``holdout_sets_fresh11``): tile ids and classes, the
xmahjongg sheets' crop boxes, and a leak-free, deterministic plan on small tile sets made here
and on the Debian packages. Checks that read the packages skip, naming them, where they are not
installed; those that draw SVG skip without rsvg-convert (librsvg2-bin)."""

from __future__ import annotations

import gzip
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh11 as fresh11  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS, Item  # noqa: E402
from plan_checks import assert_leak_free_plan, needs_rsvg, skip_unless_installed  # noqa: E402

# ------------------------------------------------------------------------- tiles and boxes


def test_tile_ids_and_classes():
    ids = fresh11.kmahjongg_tile_ids()
    assert len(ids) == len(set(ids)) == 42  # 3 suits of 9, 4 winds, 3 dragons, 8 bonus tiles
    assert ids[:2] == ["BAMBOO_1", "BAMBOO_2"] and ids[-1] == "SEASON_4"
    classes = Counter(fresh11.tile_class(tile) for tile in ids)
    assert classes == {"bamboo": 9, "characters": 9, "dots": 9, "honors": 7, "bonus": 8}


def test_sheet_boxes_cut_equal_cells_and_skip_dashes():
    layout = (5, 3, 1, ("A_1 - B_2", "C_3"))
    boxes = fresh11.sheet_boxes((100, 60), layout)  # cells of 20 x 20 px
    assert boxes == {"A_1": "1,1,19,19", "B_2": "41,1,59,19", "C_3": "1,21,19,39"}
    real = fresh11.sheet_boxes((532, 396), fresh11.XMAHJONGG_LAYOUTS["real"])
    assert real["ROD_2"] == "62,3,115,76"  # 532 / 9 = 59.1 and 396 / 5 = 79.2, rounded, inset 3
    assert real["DRAGON_3"] == "358,320,411,393"  # row 4, column 6: 355 to 414


def test_xmahjongg_layouts_name_each_tile_once():
    valid = set(fresh11.kmahjongg_tile_ids())
    for name, (_, _, _, rows) in fresh11.XMAHJONGG_LAYOUTS.items():
        tiles = [tile for row in rows for tile in row.split() if tile != "-"]
        assert len(tiles) == len(set(tiles)) and set(tiles) <= valid, name
        assert len(tiles) == (38 if name == "gnome" else 42), name  # gnome's flowers left out
    gnome = set(fresh11.sheet_boxes((840, 224), fresh11.XMAHJONGG_LAYOUTS["gnome"]))
    assert valid - gnome == {"FLOWER_1", "FLOWER_2", "FLOWER_3", "FLOWER_4"}


# ------------------------------------------------------------------- plan on a fixture


def write_kmahjongg(path: Path, shade: int, blank: str = "", twin: tuple[str, str] = ("", "")):
    """A tile set as KMahjongg's: one ``<rect>`` per face id, each of its own width, gzipped;
    ``blank`` drawn fully transparent, ``twin[1]`` drawn exactly as ``twin[0]``."""
    rects = []
    for index, tile in enumerate(fresh11.kmahjongg_tile_ids()):
        like = fresh11.kmahjongg_tile_ids().index(twin[0]) if tile == twin[1] else index
        opacity = 0 if tile == blank else 1
        rects.append(
            f'<rect id="{tile}" x="{10 * index}" y="0" width="{4 + like % 6}" '
            f'height="{10 + like}" fill="rgb({shade},{like * 5},0)" fill-opacity="{opacity}"/>'
        )
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="500" height="60">{"".join(rects)}</svg>'
    path.write_bytes(gzip.compress(svg.encode()))


def write_xmahjongg(path: Path, size: tuple[int, int], offset: int) -> None:
    """A sheet as xmahjongg's: a palette GIF whose cells are filled each with a colour of its
    own (``offset`` makes two sheets' colours differ)."""
    from PIL import Image, ImageDraw

    columns, rows, _, _ = fresh11.XMAHJONGG_LAYOUTS[path.stem]
    sheet = Image.new("P", size, 0)
    sheet.putpalette([value for i in range(256) for value in (i, (i * 7) % 256, offset)])
    draw = ImageDraw.Draw(sheet)
    width, height = size[0] // columns, size[1] // rows
    for cell in range(columns * rows):
        left, top = cell % columns * width, cell // columns * height
        draw.rectangle((left, top, left + width - 1, top + height - 1), fill=cell % 255 + 1)
    sheet.save(path)


@pytest.fixture
def tile_sets(tmp_path: Path) -> tuple[Path, Path]:
    """Three KMahjongg sets and the three xmahjongg sheets: classic's DRAGON_1 blank and its
    WIND_1 drawn as its ROD_1 (one picture in two classes); gnome's BAMBOO_3 the colour of its
    BAMBOO_2 (one picture twice in a class: its cells are filled by index, so made alike here)."""
    kmahjongg, xmahjongg = tmp_path / "k", tmp_path / "x"
    kmahjongg.mkdir()
    xmahjongg.mkdir()
    write_kmahjongg(kmahjongg / "classic.svgz", 10, "DRAGON_1", ("ROD_1", "WIND_1"))
    write_kmahjongg(kmahjongg / "default.svgz", 20)
    write_kmahjongg(kmahjongg / "traditional.svgz", 30)
    write_xmahjongg(xmahjongg / "dorothys.gif", (1344, 320), 40)
    write_xmahjongg(xmahjongg / "real.gif", (532, 396), 60)
    write_xmahjongg(xmahjongg / "gnome.gif", (840, 224), 80)
    from PIL import Image

    with Image.open(xmahjongg / "gnome.gif") as image:
        gnome = image.copy()
    boxes = fresh11.sheet_boxes(gnome.size, fresh11.XMAHJONGG_LAYOUTS["gnome"])
    left, top, _, _ = (int(v) for v in boxes["BAMBOO_3"].split(","))
    twin = gnome.crop(tuple(int(v) for v in boxes["BAMBOO_2"].split(",")))
    gnome.paste(twin, (left, top))
    gnome.save(xmahjongg / "gnome.gif")
    return kmahjongg, xmahjongg


@needs_rsvg
def test_plan_drops_blank_and_repeated_tiles_and_splits_by_family(tile_sets):
    kmahjongg, xmahjongg = tile_sets
    entries = fresh11.mahjong_tiles(kmahjongg, xmahjongg)
    assert len(entries) == 3 * 42 + 42 + 42 + 38
    families = Counter(family for _, family, _ in entries)
    assert families == {"classic": 42, "default": 84, "dorothys": 42, "real": 42, "gnome": 38}
    items = fresh11.plan_mahjong(kmahjongg, xmahjongg)
    assert items == fresh11.plan_mahjong(kmahjongg, xmahjongg)
    names = {item.name for item in items}
    # 248 tiles less classic's blank white dragon, its wind and dots twins (both: one picture in
    # two classes has no class) and gnome's second bamboo twin (the first copy stays).
    assert len(items) == 248 - 4
    assert not names & {"classic_dragon_1", "classic_wind_1", "classic_rod_1", "gnome_bamboo_3"}
    assert "gnome_bamboo_2" in names and "traditional_wind_1" in names
    sides = {(item.group, item.split) for item in items}
    assert len(sides) == 5  # every family on one side
    test = {family for family, split in sides if split == "test"}
    share = sum(item.split == "test" for item in items) / len(items)
    assert len(test) == 2 and 0.3 <= share <= 0.4  # two of five families, about a third
    assert_leak_free_plan(items, 5)
    item = next(i for i in items if i.name == "real_rod_2")
    assert item.source == xmahjongg / "real.gif" and item.element == "62,3,115,76"
    assert item.label == "dots" and item.render == "mahjong"
    face = next(i for i in items if i.name == "default_bamboo_2")
    assert face.element == "BAMBOO_2" and face.group == "default"
    assert next(i for i in items if i.name == "traditional_bamboo_2").group == "default"


@needs_rsvg
def test_read_tile_draws_a_face_cropped_and_cuts_a_cell(tile_sets):
    kmahjongg, xmahjongg = tile_sets
    item = Item("train", "bamboo", "classic_bamboo_2", kmahjongg / "classic.svgz", "BAMBOO_2")
    face = fresh11.read_tile(item)
    # BAMBOO_2 is the second rect: 5 x 11 px, drawn at zoom 2 and cropped to its ink
    assert face.mode == "RGBA" and face.size == (10, 22)
    assert np.asarray(face)[..., 3].min() == 255
    cell = Item("test", "dots", "real_rod_2", xmahjongg / "real.gif", "62,3,115,76")
    assert fresh11.read_tile(cell).size == (53, 73)
    fitted = prepare.fit_on_white(fresh11.read_tile(cell), fresh11.MAHJONG_SIDE)
    assert fitted.mode == "RGB" and fitted.size == (96, 96)


# ------------------------------------------------------------------ on the packages


def test_mahjong_set_is_registered():
    assert "mahjong" in SETS and "kanji" in SETS
    spec = SETS["mahjong"]
    assert spec.package == "kdegames-mahjongg-data-kf5 xmahjongg librsvg2-bin"
    assert spec.root == fresh11.KMAHJONGG_ROOT
    assert fresh11.XMAHJONGG_ROOT / "real.gif" in spec.needs
    assert fresh2.PICTURE_READERS["mahjong"] is fresh11.read_tile


@needs_rsvg
def test_mahjong_plan_is_leak_free_deterministic_and_of_the_expected_size():
    skip_unless_installed("mahjong")
    items = SETS["mahjong"].plan()
    assert items == SETS["mahjong"].plan()
    labels = assert_leak_free_plan(items, 5)
    assert labels["train"] == {
        "bamboo": 36,
        "characters": 36,
        "dots": 36,
        "honors": 28,
        "bonus": 28,
    }
    assert labels["test"] == {"bamboo": 18, "characters": 18, "dots": 18, "honors": 14, "bonus": 16}
    sides = {(item.group, item.split) for item in items}
    assert {family for family, split in sides if split == "test"} == {"dorothys", "real"}
    assert len({family for family, _ in sides}) == len(sides) == 5


@needs_rsvg
@pytest.mark.parametrize("index", [0, -1])
def test_mahjong_tiles_fit_into_96_px(index):
    skip_unless_installed("mahjong")
    item = SETS["mahjong"].plan()[index]
    image = prepare.fit_on_white(fresh11.read_tile(item), fresh11.MAHJONG_SIDE)
    assert image.mode == "RGB" and image.size == (96, 96)
    assert np.asarray(image).min() < 100 and np.asarray(image).max() == 255  # ink on white


@needs_rsvg
def test_prepare_fits_mahjong_tiles_into_their_listed_side():
    skip_unless_installed("mahjong")
    assert prepare.FITTED_SIDES["mahjong"] == fresh11.MAHJONG_SIDE
    item = SETS["mahjong"].plan()[0]
    expected = prepare.fit_on_white(fresh11.read_tile(item), fresh11.MAHJONG_SIDE)
    assert np.array_equal(np.asarray(prepare.load_item(item)), np.asarray(expected))
