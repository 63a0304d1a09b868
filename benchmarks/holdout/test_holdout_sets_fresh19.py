"""The fresh19 set (slashem, ``holdout_sets_fresh19``): the tile map's lines, a tile's class and
family, the sheet's ground made clear, and a leak-free, deterministic plan on a small sheet and
map made here and on the Debian packages. Checks that read the packages skip, naming them, where
they are not installed."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh19 as fresh19  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS  # noqa: E402
from plan_checks import assert_leak_free_plan, skip_unless_installed  # noqa: E402

# ------------------------------------------------------------ a tile sheet and map made here

GROUND = (71, 108, 108)  # the dark teal the game's tiles are drawn on
CROSS = ((2, 2, 29, 29), (2, 29, 29, 2))
PLUS = ((15, 2, 15, 29), (2, 15, 29, 15))
SHAPES = {  # distinct drawings, also once cropped to their visible pixels
    "disc": lambda draw, ink: draw.ellipse((2, 2, 29, 29), fill=ink),
    "ring": lambda draw, ink: draw.ellipse((2, 2, 29, 29), outline=ink, width=3),
    "cross": lambda draw, ink: [draw.line(xy, fill=ink, width=4) for xy in CROSS],
    "bar": lambda draw, ink: draw.rectangle((0, 10, 31, 20), fill=ink),
    "triangle": lambda draw, ink: draw.polygon(((15, 2), (29, 29), (2, 29)), fill=ink),
    "plus": lambda draw, ink: [draw.line(xy, fill=ink, width=4) for xy in PLUS],
    "frame": lambda draw, ink: draw.rectangle((2, 2, 29, 29), outline=ink, width=2),
    "corner": lambda draw, ink: draw.line(((3, 2), (3, 28), (29, 28)), fill=ink, width=4),
    "blank": lambda draw, ink: None,
}
GREY, RED, BLUE = (90, 90, 90), (200, 0, 0), (0, 0, 160)
# (map text of tile 0, 1, ..., drawing, ink); the sheet is 4 tiles a row
TILES = (
    ("monster, dog or other canine, jackal", "disc", RED),
    ("monster, dog or other canine, coyote", "cross", RED),
    ("monster, human or elf, doppelganger", "frame", RED),  # not a person: left out
    ("monster, human or elf, watchman", "triangle", BLUE),
    ("monster, human or elf, watch captain", "frame", BLUE),
    ("monster, orc, hill orc", "disc", GREY),  # a class of monster left out
    ("object, weapons, long sword", "bar", GREY),
    ("object, weapons, short sword", "corner", GREY),  # family "sword", as the long sword
    ("object, weapons, axe", "ring", GREY),
    ("object, potions, ruby", "disc", RED),  # potions: left out
    ("object, armor, leather cloak", "plus", BLUE),
    ("object, armor, small shield", "plus", RED),  # the cloak recoloured: chained
    ("object, armor, helmet", "disc", BLUE),
    ("object, weapons, dagger", "bar", GREY),  # the long sword's pixels: dropped
    ("object, tools, skeleton key", "blank", GREY),  # nothing drawn: dropped
    ("cmap, dark part of a room", "frame", GREY),  # no class: not a tile of the plan
)


def make_sheet(folder: Path) -> tuple[Path, Path]:
    """A PNG sheet of ``TILES`` on the ground colour, 4 tiles a row, and its tile map."""
    sheet = Image.new("RGB", (4 * 32, 4 * 32), GROUND)
    lines = []
    for number, (text, shape, ink) in enumerate(TILES):
        tile = Image.new("RGB", (32, 32), GROUND)
        SHAPES[shape](ImageDraw.Draw(tile), ink)
        sheet.paste(tile, ((number % 4) * 32, (number // 4) * 32))
        lines.append(f'tile {number} "{text}"')
    sheet.save(folder / "tiles.png")
    (folder / "tiles.map").write_text("\n".join(lines) + "\n")
    return folder / "tiles.png", folder / "tiles.map"


@pytest.fixture
def made(tmp_path: Path) -> tuple[Path, Path]:
    return make_sheet(tmp_path)


# ------------------------------------------------------------------ the map and the sheet


def test_parse_tile_map_reads_number_kind_class_and_name():
    text = (
        'tile 0 "monster, ant or other insect, giant ant"\n'
        'tile 218 "monster, xan or other mythical\\/fantastic insect, grid bug"\n'
        'tile 1003 "object, weapons, bow, arrow"\n'  # a comma in the name stays in it
        'tile 1200 "cmap, dark part of a room"\n'  # no class: skipped
        "# a comment\n"
    )
    assert fresh19.parse_tile_map(text) == [
        (0, "monster", "ant or other insect", "giant ant"),
        (218, "monster", "xan or other mythical\\/fantastic insect", "grid bug"),
        (1003, "object", "weapons", "bow, arrow"),
    ]


@pytest.mark.parametrize(
    ("kind", "group", "name", "label"),
    [
        ("object", "weapons", "long sword", "weapon"),
        ("object", "armor", "helmet", "armour"),
        ("object", "potions", "ruby", None),
        ("object", "spell books", "parchment", None),
        ("monster", "rodent", "sewer rat", "animal"),
        ("monster", "Zouthern animal", "koala", "animal"),
        ("monster", "human or elf", "watchman", "person"),
        ("monster", "human or elf", "Medusa", None),
        ("monster", "dragon", "red dragon", "monster"),
        ("monster", "xan or other mythical\\/fantastic insect", "grid bug", "monster"),
        ("monster", "orc", "hill orc", None),
        ("monster", "piece of food", "bad egg", None),
        ("explosion", "dark", "top left", None),
    ],
)
def test_tile_kind_names_the_kind_of_thing(kind, group, name, label):
    assert fresh19.tile_kind(kind, group, name) == label


@pytest.mark.parametrize(
    ("name", "family"),
    [("mud boots", "boots"), ("giant ant", "ant"), ("Medusa", "medusa"), ("bow, arrow", "arrow")],
)
def test_name_family_is_the_name_s_last_word(name, family):
    assert fresh19.name_family(name) == family


def test_tile_box_counts_tiles_row_by_row():
    assert fresh19.tile_box(0, 38) == "0,0,32,32"
    assert fresh19.tile_box(39, 38) == "32,32,64,64"
    assert fresh19.tile_box(5, 4, side=16) == "16,16,32,32"


def test_tile_picture_makes_the_ground_clear(made):
    sheet, _ = made
    jackal = fresh19.tile_picture(sheet, fresh19.tile_box(0, 4))
    assert jackal.mode == "RGBA" and jackal.size == (32, 32)
    assert jackal.getpixel((16, 16)) == (*RED, 255) and jackal.getpixel((0, 0))[3] == 0
    key = fresh19.tile_picture(sheet, fresh19.tile_box(14, 4))  # nothing drawn: all clear
    assert np.asarray(key.getchannel("A")).max() == 0


def test_slashem_tiles_class_the_tiles_of_the_kinds_used(made):
    entries, box_of = fresh19.slashem_tiles(*made)
    found = [(label, family, key.as_posix()) for label, family, key in entries]
    assert found == [
        ("animal", "jackal", "0000_jackal"),
        ("animal", "coyote", "0001_coyote"),
        ("person", "watchman", "0003_watchman"),
        ("person", "captain", "0004_watch_captain"),
        ("weapon", "sword", "0006_long_sword"),
        ("weapon", "sword", "0007_short_sword"),
        ("weapon", "axe", "0008_axe"),
        ("armour", "cloak", "0010_leather_cloak"),
        ("armour", "shield", "0011_small_shield"),
        ("armour", "helmet", "0012_helmet"),
        ("weapon", "dagger", "0013_dagger"),
        ("tool", "key", "0014_skeleton_key"),
    ]
    assert box_of[Path("0013_dagger")] == "32,96,64,128"


# ------------------------------------------------------------------ the plan on a small sheet


def test_plan_chains_recolours_and_families_and_drops_repeats_and_blanks(made):
    items = fresh19.plan_slashem(*made)
    assert items == fresh19.plan_slashem(*made)
    labels = assert_leak_free_plan(items, 4)
    # the dagger repeats the long sword's pixels, the key is blank: both dropped
    assert labels["train"] + labels["test"] == {"animal": 2, "armour": 3, "person": 2, "weapon": 3}
    group = {item.name: item.group for item in items}
    assert group["0006_long_sword"] == group["0007_short_sword"] == "sword"
    assert group["0010_leather_cloak"] == group["0011_small_shield"] == "cloak"
    assert len({group["0000_jackal"], group["0001_coyote"]}) == 2
    assert group["0008_axe"] == "axe" and group["0012_helmet"] == "helmet"
    # two groups a class: one is test, the other train
    sides = Counter((i.label, i.split) for i in {(i.label, i.group): i for i in items}.values())
    assert set(sides.values()) == {1} and len(sides) == 8
    axe = next(i for i in items if i.name == "0008_axe")
    assert axe.source == made[0] and axe.element == "0,64,32,96" and axe.render == "slashem"


def test_prepare_fits_a_tile_into_64_px_on_white(made):
    item = holdout_sets.Item("train", "weapon", "x", made[0], "64,32,96,64", "s", "slashem")
    fitted = prepare.load_item(item)
    assert fitted.mode == "RGB" and fitted.size == (64, 64)
    pixels = np.asarray(fitted).astype(int)
    # the long sword's bar (32x11) cropped, scaled to 64x22 and centred: grey rows 21-42
    assert (abs(pixels[32] - 90) <= 2).all() and (pixels[5] == 255).all()
    assert (pixels[58] == 255).all()


# ------------------------------------------------------------------ on the packages


def test_slashem_set_is_registered():
    assert "slashem" in SETS and "crossfire" in SETS
    spec = SETS["slashem"]
    assert spec.package == "slashem-common slashem-gtk" and spec.root == fresh19.SLASHEM_ROOT
    assert spec.needs == (fresh19.SLASHEM_SHEET, fresh19.SLASHEM_MAP)
    assert fresh2.PICTURE_READERS["slashem"] is fresh19.read_tile
    assert prepare.FITTED_SIDES["slashem"] == 64


def test_slashem_tiles_of_the_packages():
    skip_unless_installed("slashem")
    text = fresh19.SLASHEM_MAP.read_text()
    tiles = fresh19.parse_tile_map(text)
    assert len(text.splitlines()) == 1404 and [number for number, *_ in tiles[:3]] == [0, 1, 2]
    # 28 lines of two fields (22 map features, 6 warnings) skipped
    kinds = Counter(kind for _, kind, _, _ in tiles)
    assert kinds == {"monster": 638, "object": 537, "cmap": 106, "explosion": 63, "zap": 32}
    entries, _ = fresh19.slashem_tiles()
    # also counted with awk over the map's kind and class fields
    assert Counter(label for label, _, _ in entries) == {
        "animal": 160, "person": 115, "monster": 111, "weapon": 100, "armour": 89,
        "tool": 61, "food": 38, "ring": 33, "wand": 33,
    }  # fmt: skip


def test_slashem_plan_is_leak_free_deterministic_and_of_the_expected_size():
    skip_unless_installed("slashem")
    items = SETS["slashem"].plan()
    assert items == SETS["slashem"].plan()
    labels = assert_leak_free_plan(items, 9)
    assert labels["train"] == {
        "animal": 40, "armour": 33, "food": 24, "monster": 33, "person": 40, "ring": 13,
        "tool": 33, "wand": 15, "weapon": 40,
    }  # fmt: skip
    assert labels["test"] == {
        "animal": 16, "armour": 14, "food": 9, "monster": 14, "person": 16, "ring": 5,
        "tool": 13, "wand": 6, "weapon": 16,
    }  # fmt: skip
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    sides: dict[tuple[str, str], set[str]] = {}
    for item in items:  # a family (the name's last word) on one side
        family = fresh19.name_family(item.name.split("_", 1)[1].replace("_", " "))
        sides.setdefault((item.label, family), set()).add(item.split)
    assert all(len(s) == 1 for s in sides.values())
    assert all(item.render == "slashem" for item in items)


@pytest.mark.parametrize("index", [0, -1])
def test_prepare_fits_package_tiles_into_their_listed_side(index):
    skip_unless_installed("slashem")
    item = SETS["slashem"].plan()[index]
    expected = prepare.fit_on_white(fresh19.read_tile(item), 64)
    assert expected.mode == "RGB" and expected.size == (64, 64)
    assert np.array_equal(np.asarray(prepare.load_item(item)), np.asarray(expected))
