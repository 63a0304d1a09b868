"""The fifth fresh hold-out set (provinces): the Qt resource reader, the boards' pieces, classes and
families, specks, names, a leak-free and deterministic plan, and its pictures. Checks that read the
Debian package skip, naming it, where it is not installed; the drawing checks skip without
rsvg-convert."""

from __future__ import annotations

import gzip
import shutil
import struct
import sys
import zlib
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh4 as fresh4  # noqa: E402  (render_svg and its install hint)
import holdout_sets_fresh5 as fresh5  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS, Item  # noqa: E402
from plan_checks import assert_leak_free_plan, skip_unless_installed  # noqa: E402

SVG_BOX = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
    '<rect x="0" y="0" width="40" height="20" fill="#3080e0"/></svg>'
)
RESOURCE = fresh5.GEO_RESOURCE


def skip_without_rsvg() -> None:
    if shutil.which("rsvg-convert") is None:
        pytest.skip(f"rsvg-convert not installed: {fresh4.RSVG_HINT}")


# ------------------------------------------------------------------------- resource files


def rcc_name(text: str) -> bytes:
    """A name of the names section: length, a hash (not read), the UTF-16 characters."""
    return struct.pack(">HI", len(text), 0) + text.encode("utf-16-be")


def tiny_rcc() -> bytes:
    """A version 3 resource file by hand: the root holds the folder ``res``, which holds
    ``a.txt`` (stored: ``plain``) and ``b.txt`` (zlib-compressed: ``packed``)."""
    names = rcc_name("res") + rcc_name("a.txt") + rcc_name("b.txt")  # offsets 0, 12, 28
    packed = struct.pack(">I", 6) + zlib.compress(b"packed")
    payload = struct.pack(">I", 5) + b"plain" + struct.pack(">I", len(packed)) + packed
    tree = b"".join(
        (
            struct.pack(">IHII", 0, 2, 1, 1) + bytes(8),  # root: 1 child, from entry 1
            struct.pack(">IHII", 0, 2, 2, 2) + bytes(8),  # res: 2 children, from entry 2
            struct.pack(">IHHHI", 12, 0, 0, 0, 0) + bytes(8),  # a.txt, data at 0
            struct.pack(">IHHHI", 28, 1, 0, 0, 9) + bytes(8),  # b.txt, compressed, data at 9
        )
    )
    header = 24
    offsets = (header, header + len(tree), header + len(tree) + len(payload))
    return b"qres" + struct.pack(">IIIII", 3, *offsets, 1) + tree + payload + names


def test_rcc_members_reads_stored_and_compressed_files():
    assert fresh5.rcc_members(tiny_rcc()) == {"res/a.txt": b"plain", "res/b.txt": b"packed"}
    with pytest.raises(ValueError, match="qres"):
        fresh5.rcc_members(b"PK\x03\x04" + bytes(20))


# ------------------------------------------------------------------------ boards, classes

BOARD = """QtObject {
   property var levels: [
      {
         "pixmapfile" : "usa/usa.svgz",
         "type" : "SHAPE_BACKGROUND_IMAGE"
      },
      {
         "pixmapfile" : "usa/north_dakota.svgz",
         //: State of USA: North Dakota
         "toolTipText" : qsTr("North Dakota"),
         "x" : "0.5", "y" : "0.2"
      },
      { "pixmapfile" : "usa/texas.svgz", "x" : "0.5", "y" : "0.8" }
   ]
}
"""


def test_board_pieces_leave_out_the_background():
    assert fresh5.board_pieces(BOARD) == ["usa/north_dakota.svgz", "usa/texas.svgz"]
    assert fresh5.board_pieces("QtObject { }") == []


def test_geo_provinces_take_each_drawn_piece_of_a_class_once():
    second = '[{ "pixmapfile" : "usa/texas.svgz" }, { "pixmapfile" : "italy/lazio.svgz" },'
    second += ' { "pixmapfile" : "usa/ohio.svgz" }]'  # ohio has no drawing: left out
    members = {
        f"{RESOURCE}board/board1_0.qml": BOARD.encode(),
        f"{RESOURCE}board/board2_0.qml": second.encode(),
        f"{RESOURCE}usa/usa.svgz": b"",  # the background
        f"{RESOURCE}usa/north_dakota.svgz": b"",
        f"{RESOURCE}usa/texas.svgz": b"",
        f"{RESOURCE}italy/lazio.svgz": b"",  # a country left out
        f"{RESOURCE}usa/utah.svgz": b"",  # on no board
    }
    found = fresh5.geo_provinces(members)
    assert [(label, family) for label, family, _ in found] == [("usa", "north"), ("usa", "texas")]
    assert [fresh5.province_name(key) for *_, key in found] == ["north_dakota", "texas"]
    assert found[1][2].as_posix() == f"{RESOURCE}usa/texas.svgz"


# -------------------------------------------------------------------------------- specks


def test_ink_share_of_the_square_around_the_visible_pixels():
    picture = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    picture.paste((0, 0, 0, 255), (10, 10, 30, 20))  # 20 x 10: half its 20 px square
    assert fresh5.ink_share(picture) == pytest.approx(0.5)
    picture.paste((0, 0, 0, 255), (49, 49, 50, 50))  # one dot far away: 201 of 40 x 40
    assert fresh5.ink_share(picture) == pytest.approx(201 / 1600)
    assert fresh5.ink_share(Image.new("RGBA", (8, 8), (0, 0, 0, 0))) == 0.0


# ------------------------------------------------------------------------------ pictures


def test_render_svg_draws_plain_and_gzipped_svg_and_fails_empty():
    skip_without_rsvg()
    for data in (SVG_BOX.encode(), gzip.compress(SVG_BOX.encode())):
        picture = fresh5.render_svg(data, 64)
        assert picture.mode == "RGBA" and picture.size == (64, 32)
        assert picture.getpixel((32, 16)) == (0x30, 0x80, 0xE0, 255)
    assert fresh2.is_blank(fresh5.render_svg(b"not a drawing", 64))


def test_read_province_reads_its_member_of_the_resource_file(tmp_path, monkeypatch):
    skip_without_rsvg()
    member = f"{RESOURCE}usa/box.svgz"
    monkeypatch.setattr(fresh5, "read_rcc", lambda path: {member: gzip.compress(SVG_BOX.encode())})
    item = Item("train", "usa", "box", tmp_path / "x.rcc", member, "box", "provinces")
    assert fresh5.read_province(item).size == (128, 64)
    image = prepare.load_item(item)
    assert image.mode == "RGB" and image.size == (96, 96)
    assert image.getpixel((0, 0)) == (255, 255, 255) and image.getpixel((48, 48)) != (255,) * 3


# ------------------------------------------------------------------------------- plans


def test_provinces_set_is_registered_with_reader_and_side():
    assert "provinces" in SETS and "xfig" in SETS
    assert fresh2.PICTURE_READERS["provinces"] is fresh5.read_province
    assert prepare.FITTED_SIDES["provinces"] == 96


def test_provinces_plan_is_leak_free_deterministic_and_without_specks():
    skip_unless_installed("provinces")
    skip_without_rsvg()
    items = SETS["provinces"].plan()
    assert items == SETS["provinces"].plan()
    labels = assert_leak_free_plan(items, 6)
    assert set(labels["train"]) == set(fresh5.GEO_CLASSES.values())
    assert 155 <= labels["train"].total() <= 185 and 60 <= labels["test"].total() <= 80
    assert min(labels["train"].values()) >= 20 and min(labels["test"].values()) >= 8
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    names = {i.name for i in items}
    assert "puducherry" not in names and "usa" not in names  # a speck, a background
    members = fresh5.read_rcc(fresh5.GEO_RCC)
    pictures = [fresh5.render_svg(members[str(i.element)], 64) for i in items]
    assert min(fresh5.ink_share(p) for p in pictures) >= fresh5.GEO_SPECK
    assert len({p.tobytes() for p in pictures}) == len(pictures), "a picture is planned twice"
    groups = {(i.label, i.name): i.group for i in items}
    assert groups.get(("mexico", "baja_california")) == groups.get(
        ("mexico", "baja_california_sur"), "baja"
    )


def test_render_fitted_reads_provinces():
    skip_unless_installed("provinces")
    skip_without_rsvg()
    items = SETS["provinces"].plan()
    for item in (items[0], items[-1]):
        image = prepare.load_item(item)
        assert image.mode == "RGB" and image.size == (96, 96)
        assert image.getpixel((0, 0)) == (255, 255, 255)
        assert image.getextrema() != ((255, 255), (255, 255), (255, 255))
