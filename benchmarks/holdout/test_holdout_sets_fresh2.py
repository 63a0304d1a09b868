"""The fresh hold-out sets of 2026-12-04 (cataclysm, angband, chess): parsing, silhouette groups,
leak-free and deterministic plans, and their pictures. Checks that read a Debian package skip,
naming it, where it is not installed."""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402
import holdout_sets_fresh2 as fresh2  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS, Item  # noqa: E402
from plan_checks import check_plan, skip_unless_installed  # noqa: E402

needs = skip_unless_installed

MONSTER_BASE_SAMPLE = """\
# File: monster_base.txt
N:dragon
G:d
F:DRAGON | EVIL
D:Dragon

N:person
G:p
F:MALE
"""

MONSTER_SAMPLE = """\
N:0:<player>
T:player

N:1:Baby blue dragon
T:dragon
F:FORCE_SLEEP
F:ANIMAL

N:2:Acolyte
T:person
F:MALE | DROP_1

N:3:Dracolich
T:dragon
F:UNDEAD | EVIL

N:4:Mage
T:person
"""

GRAF_SAMPLE = """\
# Monster attr/char definitions
R:1:0x8b:0x80
R:2:0x90:0xB6
F:6:lit:0x96:0x8D
"""


# ----------------------------------------------------------------------------- cataclysm


def test_item_types_reads_every_item_file_and_drops_ids_with_two_types(tmp_path):
    items = tmp_path / "json" / "items"
    (items / "gun").mkdir(parents=True)
    (items / "gun" / "pistol.json").write_text(
        json.dumps([{"id": "glock_19", "type": "GUN"}, {"abstract": "pistol_base", "type": "GUN"}])
    )
    (items / "tools.json").write_text(json.dumps({"id": "hammer", "type": "TOOL"}))
    (items / "obsolete.json").write_text(
        json.dumps([{"id": "hammer", "type": "TOOL"}, {"id": "old", "type": "ARMOR"}])
    )
    (items / "migration.json").write_text(json.dumps([{"id": "old", "type": "MIGRATION"}]))
    types = fresh2.item_types(tmp_path)
    assert types == {"glock_19": "GUN", "hammer": "TOOL"}  # "old" has two types


def test_first_sprite_and_tile_sprites_read_every_form_of_fg():
    first = fresh2.first_sprite
    assert first(5) == 5 and first([7, 8]) == 7 and first(None) is None and first([]) is None
    assert first([{"weight": 2, "sprite": [3, 4]}, {"weight": 1, "sprite": 9}]) == 3
    config = {
        "tiles-new": [
            {"file": "a.png", "tiles": [{"id": ["cup", "mug"], "fg": 4}, {"id": "hole"}]},
            {"file": "b.png", "tiles": [{"id": "rifle", "fg": [{"weight": 1, "sprite": 11}]}]},
        ]
    }
    assert list(fresh2.tile_sprites(config)) == [("cup", 4), ("mug", 4), ("rifle", 11)]


def test_sheet_ranges_number_sprites_across_sheets_row_by_row(tmp_path):
    Image.new("RGBA", (64, 64)).save(tmp_path / "tiles.png")  # 2 x 2 sprites of 32: 0-3
    Image.new("RGBA", (60, 20)).save(tmp_path / "small.png")  # 3 x 1 sprites of 20: 4-6
    config = {
        "tile_info": [{"width": 32, "height": 32}],
        "tiles-new": [
            {"file": "tiles.png", "tiles": []},
            {"file": "small.png", "sprite_width": 20, "sprite_height": 20, "tiles": []},
        ],
    }
    ranges = fresh2.sheet_ranges(tmp_path, config)
    assert ranges == [(0, 4, "tiles.png", 32, 32, 2), (4, 3, "small.png", 20, 20, 3)]
    assert fresh2.sprite_box(0, ranges) == ("tiles.png", "0,0,32,32")
    assert fresh2.sprite_box(3, ranges) == ("tiles.png", "32,32,64,64")
    assert fresh2.sprite_box(6, ranges) == ("small.png", "40,0,60,20")
    assert fresh2.sprite_box(7, ranges) is None
    assert fresh2.item_name(Path("h&k416a5")) == "h_k416a5"


# -------------------------------------------------------------------------------- angband


def test_monster_kind_and_tiles_are_read_from_the_edit_and_pref_files():
    records = fresh2.parse_records(MONSTER_SAMPLE)
    assert [value for value, _ in records] == [
        "0:<player>",
        "1:Baby blue dragon",
        "2:Acolyte",
        "3:Dracolich",
        "4:Mage",
    ]
    assert fresh2.record_flags(records[1][1]) == {"FORCE_SLEEP", "ANIMAL"}
    bases = {name: fresh2.record_flags(f) for name, f in fresh2.parse_records(MONSTER_BASE_SAMPLE)}
    assert bases == {"dragon": {"DRAGON", "EVIL"}, "person": {"MALE"}}
    kind = fresh2.monster_kind
    assert kind({"DRAGON", "EVIL"}, "dragon") == "dragon"
    assert kind({"DRAGON", "ANIMAL"}, "dragon") is None  # two kinds
    assert kind({"DRAGON", "UNDEAD"}, "dragon") is None
    assert kind({"MALE"}, "person") == "person" and kind(set(), "jelly") is None
    assert fresh2.monster_tiles(GRAF_SAMPLE) == {1: (11, 0), 2: (16, 54)}


def test_angband_monsters_pair_kind_name_and_tile(tmp_path):
    (tmp_path / "monster_base.txt").write_text(MONSTER_BASE_SAMPLE)
    (tmp_path / "monster.txt").write_text(MONSTER_SAMPLE)
    (tmp_path / "graf.prf").write_text(GRAF_SAMPLE + "R:4:0x81:0x82\n")
    found, box_of = fresh2.angband_monsters(tmp_path, tmp_path / "graf.prf")
    # 1: ANIMAL (own flag) and DRAGON (its base): two kinds, left out; 3: no tile; 0: player
    assert found == [
        ("person", "Acolyte", Path("002_acolyte")),
        ("person", "Mage", Path("004_mage")),
    ]
    assert box_of == {Path("002_acolyte"): "1728,512,1760,544", Path("004_mage"): "64,32,96,64"}


# ---------------------------------------------------------------------- silhouette groups


def test_chained_joins_links_transitively():
    links = {(0, 2), (2, 3)}
    assert holdout_sets.chained(5, lambda i, j: (i, j) in links) == [0, 1, 0, 0, 4]


def square(colour: str, box: tuple[int, int, int, int]) -> Image.Image:
    picture = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    picture.paste(colour, box)
    return picture


def test_silhouette_moves_the_visible_pixels_to_the_top_left():
    picture = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    picture.putpixel((2, 1), (9, 9, 9, 255))
    picture.putpixel((3, 2), (9, 9, 9, 5))  # alpha 5: not visible
    picture.putpixel((3, 3), (9, 9, 9, 200))
    assert fresh2.silhouette(picture).reshape(4, 4).astype(int).tolist() == [
        [1, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 0, 0],
    ]
    assert not fresh2.silhouette(Image.new("RGBA", (4, 4), (0, 0, 0, 0))).any()


def test_silhouette_groups_chain_recolours_within_a_class_only():
    pictures = {
        Path("red"): square("red", (4, 4, 28, 28)),
        Path("blue"): square("blue", (6, 7, 30, 30)),  # recoloured, moved: IoU 23 / 24 = 0.96
        Path("bar"): square("red", (4, 12, 28, 20)),  # another shape
        Path("other"): square("green", (4, 4, 28, 28)),  # same shape, other class
    }
    entries = [
        ("a", "red", Path("red")),
        ("a", "blue", Path("blue")),
        ("a", "bar", Path("bar")),
        ("b", "other", Path("other")),
    ]
    groups = fresh2.silhouette_groups(entries, pictures.__getitem__)
    assert [group for _, group, _ in groups] == ["red", "red", "bar", "other"]
    assert fresh2.silhouette_groups([], pictures.__getitem__) == []


def test_cap_per_group_keeps_evenly_spaced_members_in_order():
    entries = [("a", "g", Path(f"g{i}")) for i in range(6)] + [("a", "h", Path("h0"))]
    entries.insert(2, ("b", "g", Path("other")))  # same group name, other class
    kept = fresh2.cap_per_group(entries, 2)
    assert [key.name for *_, key in kept] == ["g0", "other", "g3", "h0"]


def test_read_sprite_cuts_the_box_and_prepare_fits_it(tmp_path):
    sheet = Image.new("RGBA", (64, 32), (0, 0, 0, 0))
    sheet.paste((200, 0, 0, 255), (40, 8, 56, 24))  # a 16 px square in the second sprite
    sheet.save(tmp_path / "sheet.png")
    item = Item("train", "a", "x", tmp_path / "sheet.png", "32,0,64,32", "g", "cataclysm")
    assert fresh2.read_sprite(item).getpixel((16, 16)) == (200, 0, 0, 255)
    assert fresh2.is_blank(fresh2.sprite(tmp_path / "sheet.png", "0,0,32,32"))
    image = prepare.load_item(item)
    assert image.size == (64, 64) and image.getpixel((32, 32)) == (200, 0, 0)


# ---------------------------------------------------------------------------------- chess


def test_chess_sets_and_pieces_read_both_layouts(tmp_path):
    (tmp_path / "alpha").mkdir()
    (tmp_path / "alpha" / "wk.svg").write_text("<svg/>")
    for name in ("celtic", "makruk", "ttf"):
        (tmp_path / name).mkdir()
    assert fresh2.chess_sets(tmp_path) == ["alpha", "celtic"]  # makruk left out, fonts not read
    assert fresh2.chess_piece(tmp_path, "alpha", "w", "k") == (tmp_path / "alpha" / "wk.svg", None)
    assert fresh2.chess_piece(tmp_path, "celtic", "b", "n") == (
        tmp_path / "celtic" / "celtic.svg",
        "BlackKnight",
    )


# ------------------------------------------------------------------------------------- plans


def test_fresh_sets_are_registered_with_readers_and_sides():
    assert {"cataclysm", "angband", "chess"} <= set(SETS) and "pingus" in SETS
    assert SETS is holdout_sets.SETS
    for render in ("cataclysm", "angband", "chess"):
        assert render in fresh2.PICTURE_READERS and render in prepare.FITTED_SIDES


def test_cataclysm_plan_reads_32_px_tiles_split_by_silhouette():
    needs("cataclysm")
    items = check_plan("cataclysm", classes=6, train=(200, 320), test=(80, 130))
    assert {i.label for i in items} == set(fresh2.CATACLYSM_CLASSES.values())
    assert {i.source.name for i in items} == {fresh2.CATACLYSM_SHEET}
    assert all(i.render == "cataclysm" for i in items)
    labels = {s: Counter(i.label for i in items if i.split == s) for s in ("train", "test")}
    assert min(labels["train"].values()) >= 15 and min(labels["test"].values()) >= 6
    groups = Counter((i.label, i.group) for i in items)
    assert max(groups.values()) <= fresh2.FAMILY_MOST
    pictures = [fresh2.read_sprite(i) for i in items]
    assert {p.size for p in pictures} == {(32, 32)}
    assert len({p.tobytes() for p in pictures}) == len(pictures), "a picture is planned twice"


def test_angband_plan_has_five_kinds_without_repeats():
    needs("angband")
    items = check_plan("angband", classes=5, train=(140, 220), test=(55, 100))
    assert {i.label for i in items} == {"animal", "demon", "dragon", "person", "undead"}
    labels = {s: Counter(i.label for i in items if i.split == s) for s in ("train", "test")}
    assert min(labels["train"].values()) >= 15 and min(labels["test"].values()) >= 6
    assert {i.source for i in items} == {fresh2.ANGBAND_TILES}
    pictures = [fresh2.read_sprite(i).tobytes() for i in items]
    assert len(set(pictures)) == len(pictures), "a picture is planned twice"
    kinds = {name: label for label, name, _ in fresh2.angband_monsters()[0]}  # before the caps
    assert kinds["Cave spider"] == "animal" and kinds["Baby blue dragon"] == "dragon"
    assert kinds["Acolyte"] == "person" and kinds["Poltergeist"] == "undead"
    assert kinds["Manes"] == "demon" and "Dracolich" not in kinds and "Cave orc" not in kinds


def test_chess_plan_keeps_each_piece_set_on_one_side():
    needs("chess")
    items = check_plan("chess", classes=6, train=(150, 190), test=(50, 90))
    sides = defaultdict(set)
    for item in items:
        sides[item.group].add(item.split)
    assert all(len(s) == 1 for s in sides.values()), "a piece set is on both sides"
    sets = {item.name.rsplit("_", 1)[0] for item in items}
    assert not sets & set(fresh2.CHESS_SETS_LEFT_OUT) and len(sets) == 19
    assert Counter(i.name.rsplit("_", 1)[0] for i in items) == {s: 12 for s in sets}
    assert {i.group for i in items if i.name.startswith("merida")} == {"merida"}


@pytest.mark.parametrize("name", ["cataclysm", "angband", "chess"])
def test_render_fitted_reads_every_fresh_set(name):
    needs(name)
    if name == "chess" and shutil.which("rsvg-convert") is None:
        pytest.skip("rsvg-convert not installed (sudo apt-get install librsvg2-bin)")
    items = SETS[name].plan()
    side = prepare.FITTED_SIDES[name]
    for item in (items[0], items[-1]):
        image = prepare.load_item(item)
        assert image.mode == "RGB" and image.size == (side, side)
        assert image.getextrema() != ((255, 255), (255, 255), (255, 255))
