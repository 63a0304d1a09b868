"""The fresh hold-out set prepared in the fifteenth session (lgeneral): parsing the unit library,
cutting icons from the sheet, family groups, a leak-free and deterministic plan, and its
pictures. Checks that read the Debian package skip, naming it, where it is not installed."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh3 as fresh3  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS, Item  # noqa: E402
from plan_checks import assert_leak_free_plan, skip_unless_installed  # noqa: E402

UDB_SAMPLE = """\
@
icons»kukgen.bmp
<move_types
<air
name»Air
>
>
<unit_lib
<0
name»Etrich Taube
class»reconair
move_type»air
<attack
count»1
>
icon_id»2
>
<1
name»K.u.k. Inf
move_type»leg
icon_id»0
>
<2
name»Albatros DIII
move_type»air
icon_id»2
>
<3
name»Skoda 10cm
move_type»towed
icon_id»1
>
<4
name»Mountain Inf
move_type»climb
icon_id»1
>
<5
name»Lorry
move_type»wheeled
icon_id»3
>
>
"""
MARK = fresh3.LGENERAL_MARKER


# ----------------------------------------------------------------------------- parsing


def test_parse_udb_reads_nested_sections():
    library = fresh3.parse_udb(UDB_SAMPLE)
    assert library["icons"] == "kukgen.bmp" and library["move_types"]["air"] == {"name": "Air"}
    taube = library["unit_lib"]["0"]
    assert taube["name"] == "Etrich Taube" and taube["icon_id"] == "2"
    assert taube["attack"] == {"count": "1"}  # a nested section closes before icon_id


def test_icon_units_keep_icons_whose_units_share_a_used_move_type():
    units = fresh3.icon_units(fresh3.parse_udb(UDB_SAMPLE))
    # icon 1: towed and climb (two move types); icon 3: wheeled (not a class used)
    assert units == {0: ("leg", "K.u.k. Inf"), 2: ("air", "Etrich Taube")}


def sheet_sample() -> Image.Image:
    """A 10 px wide sheet of two icons: rows 0-3 (a red square) and rows 4-6 (blank)."""
    sheet = Image.new("RGB", (10, 7), (0, 0, 0))
    for y in (0, 3, 4, 6):
        sheet.putpixel((0, y), MARK)
    sheet.putpixel((8, 0), MARK)  # a width marker: made transparent too
    sheet.paste((200, 0, 0), (3, 1, 6, 3))
    return sheet


def test_icon_boxes_run_from_marker_to_marker_and_key_out_black(tmp_path):
    sheet = sheet_sample()
    assert fresh3.icon_boxes(sheet) == ["0,0,10,4", "0,4,10,7"]
    sheet.save(tmp_path / "units.bmp")
    first = fresh3.icon_picture(tmp_path / "units.bmp", "0,0,10,4")
    assert first.mode == "RGBA" and first.size == (10, 4)
    assert first.getpixel((3, 1)) == (200, 0, 0, 255)
    assert first.getpixel((1, 1))[3] == 0 and first.getpixel((0, 0))[3] == 0
    assert first.getpixel((8, 0))[3] == 0
    assert fresh2.is_blank(fresh3.icon_picture(tmp_path / "units.bmp", "0,4,10,7"))
    canvas = fresh3.on_canvas(first, 6)
    assert canvas.size == (10, 6) and canvas.getpixel((3, 1)) == (200, 0, 0, 255)
    assert canvas.getpixel((3, 5))[3] == 0


def test_lgeneral_icons_pair_class_unit_and_box(tmp_path):
    (tmp_path / "units.udb").write_text(UDB_SAMPLE, encoding="latin-1")
    sheet_sample().save(tmp_path / "units.bmp")  # two icons: icon 2 is not on the sheet
    found, box_of = fresh3.lgeneral_icons(tmp_path / "units.udb", tmp_path / "units.bmp")
    assert found == [("leg", "K.u.k. Inf", Path("000_k_u_k_inf"))]
    assert box_of == {Path("000_k_u_k_inf"): "0,0,10,4"}


# ---------------------------------------------------------------------------- families


def bar(colour: str, box: tuple[int, int, int, int]) -> Image.Image:
    picture = Image.new("RGBA", (32, 16), (0, 0, 0, 0))
    picture.paste(colour, box)
    return picture


def test_near_groups_join_close_thumbnails_and_groups_within_a_class():
    pictures = {
        Path("a"): bar("grey", (2, 4, 30, 12)),
        Path("b"): bar("grey", (0, 2, 28, 10)),  # moved: the same thumbnail
        Path("c"): bar("black", (10, 0, 14, 16)),  # another drawing
        Path("d"): bar("grey", (2, 4, 30, 12)),  # like a, but another class
        Path("e"): bar("red", (0, 0, 2, 2)),  # another drawing, in c's silhouette group
    }
    entries = [
        ("x", "a", Path("a")),
        ("x", "b", Path("b")),
        ("x", "c", Path("c")),
        ("y", "d", Path("d")),
        ("x", "c", Path("e")),
    ]
    groups = fresh3.near_groups(entries, pictures.__getitem__)
    assert [group for _, group, _ in groups] == ["a", "a", "c", "d", "c"]
    assert not (fresh3.thumbnail(Image.new("RGBA", (4, 4), (0, 0, 0, 0))) < 255).any()


# ------------------------------------------------------------------------------- plans


def test_lgeneral_set_is_registered_with_reader_and_side():
    assert "lgeneral" in SETS and SETS is holdout_sets.SETS and "chess" in SETS
    assert fresh2.PICTURE_READERS["lgeneral"] is fresh3.read_icon
    assert prepare.FITTED_SIDES["lgeneral"] == 64


def test_lgeneral_plan_is_leak_free_deterministic_and_without_repeats():
    skip_unless_installed("lgeneral")
    items = SETS["lgeneral"].plan()
    assert items == SETS["lgeneral"].plan()
    labels = assert_leak_free_plan(items, 4)
    assert set(labels["train"]) == {"air", "leg", "naval", "towed"}
    assert 110 <= labels["train"].total() <= 150 and 40 <= labels["test"].total() <= 65
    assert min(labels["train"].values()) >= 18 and min(labels["test"].values()) >= 6
    assert {i.source for i in items} == {fresh3.LGENERAL_ICONS}
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    pictures = [fresh3.read_icon(i) for i in items]
    assert not any(fresh2.is_blank(p) for p in pictures)
    assert len({p.tobytes() for p in pictures}) == len(pictures), "a picture is planned twice"
    names = {i.name: i for i in items}
    assert names["141_voisin"].group == names["166_farman"].group  # one drawing, two markings


def test_render_fitted_reads_lgeneral_icons():
    skip_unless_installed("lgeneral")
    items = SETS["lgeneral"].plan()
    for item in (items[0], items[-1]):
        image = prepare.load_item(item)
        assert image.mode == "RGB" and image.size == (64, 64)
        assert image.getpixel((0, 0)) == (255, 255, 255)
        assert image.getextrema() != ((255, 255), (255, 255), (255, 255))


def test_read_icon_cuts_the_box_of_the_item(tmp_path):
    sheet_sample().save(tmp_path / "units.bmp")
    item = Item("train", "leg", "x", tmp_path / "units.bmp", "0,0,10,4", "g", "lgeneral")
    assert fresh3.read_icon(item).getpixel((4, 2)) == (200, 0, 0, 255)
    image = prepare.load_item(item)
    assert image.size == (64, 64) and image.getpixel((32, 32)) == (200, 0, 0)
