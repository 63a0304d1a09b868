"""The fresh20 set (fritzing, ``holdout_sets_fresh20``): a part's class from its family, the
``.fzp`` reader, footprint boards, and a leak-free, deterministic plan on a small parts library
made here and on the Debian package. Checks that read the package skip, naming it, where it is
not installed."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh20 as fresh20  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS  # noqa: E402
from plan_checks import SVG_SHAPES, assert_leak_free_plan, needs_rsvg, skip_unless_installed  # noqa: E402

# ----------------------------------------------------------- a parts library made here

SHAPES = {  # SVG_SHAPES and a footprint board
    **SVG_SHAPES,
    "board": '<rect x="0" y="0" width="32" height="32" fill="#1F7A34"/>'
    '<rect x="12" y="12" width="8" height="8" fill="#222222"/>',  # a footprint board
}
RED, BLUE, GREY = "#c80000", "#0000a0", "#5a5a5a"
# (part file, family, drawing file, shape, ink); the drawing None: no breadboard view
PARTS = (
    ("a_uno.fzp", "microcontroller board (arduino)", "uno.svg", "disc", RED),
    ("b_pi.fzp", "CPU Board (Raspberry Pi)", "pi.svg", "triangle", RED),
    ("c_proto.fzp", "Prototype Shield", "proto.svg", "ring", GREY),
    ("d_wemos.fzp", "WeMos D1 Mini Shield", "wemos.svg", "cross", GREY),
    ("e_motor.fzp", "Motor Shield", "proto.svg", None, None),  # the proto shield's drawing
    ("f_screw.fzp", "Screw Terminal", "screw.svg", "bar", GREY),
    ("g_db.fzp", "SparkFun DB Connector", "db.svg", "frame", BLUE),
    ("h_molex.fzp", "Molex Picoblade", "molex.svg", "board", None),  # a footprint: dropped
    ("i_button.fzp", "Button", "button.svg", "plus", RED),
    ("j_spst.fzp", "SparkFun Switch (SPST)", "spst.svg", "corner", GREY),
    ("k_2pin.fzp", "Switch - 2 pin", "twopin.svg", "plus", BLUE),  # the button recoloured
    ("l_picaxe.fzp", "Microcontroller Board (PICAXE)", "picaxe.svg", "bar", RED),  # a chip
    ("m_ic.fzp", "Generic IC", "ic.svg", "frame", RED),  # a kind left out
    ("n_gone.fzp", "Switch", "gone.svg", None, None),  # its drawing is missing
    ("o_none.fzp", "Button", None, None, None),  # no breadboard view
)


def fzp(family: str, image: str | None) -> str:
    """A part file as Fritzing writes it (single-quoted attributes, as many core parts)."""
    view = ""
    if image is not None:
        view = (
            f"<breadboardView><layers image='breadboard/{image}'><layer layerId='breadboard'/>"
            "</layers></breadboardView>"
        )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n<module moduleId='x'><title>t</title>"
        f"<properties><property name='family'>{family}</property>"
        f"<property name='variant'>v</property></properties><views>{view}"
        "<schematicView><layers image='schematic/s.svg'/></schematicView></views></module>"
    )


def svg(shape: str, ink: str | None) -> str:
    body = SHAPES[shape].format(ink=ink)
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32">{body}</svg>'


def make_library(folder: Path) -> tuple[Path, Path]:
    """``PARTS`` as a ``core`` folder of part files and an ``svg/core`` folder of drawings."""
    parts, drawings = folder / "core", folder / "svg" / "core"
    (drawings / "breadboard").mkdir(parents=True)
    parts.mkdir()
    for name, family, image, shape, ink in PARTS:
        (parts / name).write_text(fzp(family, image))
        if image is not None and shape is not None:
            (drawings / "breadboard" / image).write_text(svg(shape, ink))
    return parts, drawings


@pytest.fixture
def made(tmp_path: Path) -> tuple[Path, Path]:
    return make_library(tmp_path)


# ------------------------------------------------------------------- classes and parts


@pytest.mark.parametrize(
    ("family", "label"),
    [
        ("microcontroller board (arduino)", "board"),
        ("Microcontrollerboard (dquidio)", "board"),
        ("CPU Board (Raspberry Pi)", "board"),
        ("Microcontroller Board (PICAXE)", None),
        ("Microcontroller", None),
        ("Arduino Shield", "shield"),
        ("LCD Shield", "shield"),
        ("SparkFun DB Connector", "connector"),
        ("Molex Picoblade", "connector"),
        ("Display Connector", "connector"),
        ("Character Display", "display"),
        ("SparkFun LCD (Graphical)", "display"),
        ("SparkFun Switch (SPST)", "switch"),
        ("Button", "switch"),
        ("SparkFun Switching Supply Controller", None),
        ("temperature sensor", "sensor"),
        ("SparkFun Gyroscope", "sensor"),
        ("Pressure Sensor Breakout", None),
        ("Dagu DGServo 9g header", None),
        ("Motor Driver", None),
        ("Capacitor [unidirectional]", None),
        ("Generic IC", None),
        ("", None),
    ],
)
def test_part_kind_names_the_kind_of_part(family, label):
    assert fresh20.part_kind(family) == label


def test_parse_part_reads_family_and_breadboard_drawing():
    assert fresh20.parse_part(fzp(" Button ", "b.svg")) == ("Button", "breadboard/b.svg")
    assert fresh20.parse_part(fzp("Button", None)) == ("Button", None)
    text = '<module><properties><property name="variant">x</property></properties></module>'
    assert fresh20.parse_part(text) == ("", None)


def test_fritzing_parts_class_the_parts_with_a_drawing(made):
    parts, drawings = made
    found = [(label, family, path.name) for label, family, path in fresh20.fritzing_parts(*made)]
    assert found == [
        ("board", "microcontroller board (arduino)", "uno.svg"),
        ("board", "cpu board (raspberry pi)", "pi.svg"),
        ("shield", "prototype shield", "proto.svg"),
        ("shield", "wemos d1 mini shield", "wemos.svg"),
        ("shield", "motor shield", "proto.svg"),
        ("connector", "screw terminal", "screw.svg"),
        ("connector", "sparkfun db connector", "db.svg"),
        ("connector", "molex picoblade", "molex.svg"),
        ("switch", "button", "button.svg"),
        ("switch", "sparkfun switch (spst)", "spst.svg"),
        ("switch", "switch - 2 pin", "twopin.svg"),
    ]
    assert fresh20.fritzing_parts(parts, drawings)[0][2] == drawings / "breadboard" / "uno.svg"


@needs_rsvg
def test_footprint_share_is_the_board_green_share(made):
    _, drawings = made
    board = fresh20.plan_picture(drawings / "breadboard" / "molex.svg")
    assert fresh20.footprint_share(board) > 0.9
    assert fresh20.footprint_share(fresh20.plan_picture(drawings / "breadboard" / "uno.svg")) == 0
    assert fresh20.footprint_share(Image.new("RGBA", (4, 4), (0, 0, 0, 0))) == 0


def test_part_name_keeps_the_view_folder():
    assert fresh20.part_name(Path("/x/breadboard/Arduino Uno (Rev3).svg")) == (
        holdout_sets.slug("breadboard_Arduino Uno (Rev3)")
    )


# ------------------------------------------------------------- the plan on a small library


@needs_rsvg
def test_plan_drops_footprints_and_repeats_and_chains_recolours(made):
    items = fresh20.plan_fritzing(*made)
    assert items == fresh20.plan_fritzing(*made)
    labels = assert_leak_free_plan(items, 4)
    # the molex footprint board and the motor shield (the proto shield's drawing) dropped
    assert labels["train"] + labels["test"] == {
        "board": 2,
        "connector": 2,
        "shield": 2,
        "switch": 3,
    }
    group = {item.name: item.group for item in items}
    assert group[fresh20.part_name(Path("breadboard/twopin.svg"))] == "button"
    assert group[fresh20.part_name(Path("breadboard/proto.svg"))] == "prototype shield"
    # two groups a class: one is test, the other train
    sides = Counter((i.label, i.split) for i in {(i.label, i.group): i for i in items}.values())
    assert set(sides.values()) == {1} and len(sides) == 8
    assert all(i.render == "fritzing" and i.source.suffix == ".svg" for i in items)


@needs_rsvg
def test_prepare_fits_a_drawing_into_96_px_on_white(made):
    _, drawings = made
    source = drawings / "breadboard" / "screw.svg"
    item = holdout_sets.Item("train", "connector", "x", source, None, "s", "fritzing")
    fitted = prepare.load_item(item)
    assert fitted.mode == "RGB" and fitted.size == (96, 96)
    pixels = np.asarray(fitted).astype(int)
    # the bar (32x10) cropped, scaled to 96x30 and centred: grey rows 33-62
    assert (abs(pixels[48] - 90) <= 2).all() and (pixels[10] == 255).all()
    assert (pixels[85] == 255).all()


# ------------------------------------------------------------------ on the package


def test_fritzing_set_is_registered():
    assert "fritzing" in SETS and "slashem" in SETS
    spec = SETS["fritzing"]
    assert spec.package == "fritzing-parts" and spec.root == fresh20.FRITZING_PARTS
    assert spec.needs == (fresh20.FRITZING_SVG,)
    assert fresh2.PICTURE_READERS["fritzing"] is fresh20.read_part
    assert prepare.FITTED_SIDES["fritzing"] == 96


def test_fritzing_parts_of_the_package():
    skip_unless_installed("fritzing")
    assert len(list(fresh20.FRITZING_PARTS.glob("*.fzp"))) == 1735
    entries = fresh20.fritzing_parts()
    assert Counter(label for label, _, _ in entries) == {
        "connector": 207, "board": 115, "sensor": 107, "switch": 69, "display": 53, "shield": 48,
    }  # fmt: skip
    families = {family for _, family, _ in entries}
    assert "microcontroller board (arduino)" in families and "sparkfun pin header" in families
    assert not any("picaxe" in family or "capacitor" in family for family in families)


@needs_rsvg
def test_fritzing_plan_is_leak_free_deterministic_and_of_the_expected_size():
    skip_unless_installed("fritzing")
    items = SETS["fritzing"].plan()
    assert items == SETS["fritzing"].plan()
    labels = assert_leak_free_plan(items, 6)
    assert labels["train"] == {
        "board": 40, "connector": 35, "display": 22, "sensor": 21, "shield": 28, "switch": 24,
    }  # fmt: skip
    assert labels["test"] == {
        "board": 16, "connector": 14, "display": 9, "sensor": 9, "shield": 12, "switch": 10,
    }  # fmt: skip
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    family_of: dict[Path, str] = {}
    for _, family, path in fresh20.fritzing_parts():  # the first part of a drawing
        family_of.setdefault(path, family)
    sides: dict[tuple[str, str], set[str]] = {}
    for item in items:  # a part family on one side
        sides.setdefault((item.label, family_of[item.source]), set()).add(item.split)
    assert all(len(s) == 1 for s in sides.values())
    shares = [fresh20.footprint_share(fresh20.plan_picture(i.source)) for i in items]
    assert max(shares) <= fresh20.FOOTPRINT_SHARE


@needs_rsvg
@pytest.mark.parametrize("index", [0, -1])
def test_prepare_fits_package_drawings_into_their_listed_side(index):
    skip_unless_installed("fritzing")
    item = SETS["fritzing"].plan()[index]
    expected = prepare.fit_on_white(fresh20.read_part(item), 96)
    assert expected.mode == "RGB" and expected.size == (96, 96)
    assert np.array_equal(np.asarray(prepare.load_item(item)), np.asarray(expected))
