"""The seventh fresh hold-out set (qet): QElectroTech symbols written as SVG (styles, arcs, strokes,
bounds), families, names, how prepare draws a symbol, and a leak-free and deterministic plan.
Checks that read the Debian package skip, naming it, where it is not installed; the drawing checks
skip without rsvg-convert."""

from __future__ import annotations

import shutil
import sys
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh4 as fresh4  # noqa: E402
import holdout_sets_fresh7 as fresh7  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS, Item  # noqa: E402
from plan_checks import assert_leak_free_plan, skip_unless_installed  # noqa: E402

NORMAL = "line-style:normal;line-weight:normal;filling:none;color:black"
# A 20 x 20 black square at (-10, -10), a line to its right, and what is not drawn: a text field,
# a connection point, and a frame with no pen and no filling far away.
SYMBOL = f"""<definition width="80" height="40" hotspot_x="10" hotspot_y="10" type="element">
  <names><name lang="en">Test</name></names>
  <description>
    <rect x="-10" y="-10" width="20" height="20" rx="0" ry="0"
          style="line-style:normal;line-weight:normal;filling:black;color:black"/>
    <line x1="10" y1="0" x2="30" y2="0" end1="none" end2="none" style="{NORMAL}"/>
    <dynamic_text x="40" y="40" text_from="ElementInfo"><text/><info_name>label</info_name>
    </dynamic_text>
    <terminal x="30" y="0" orientation="e"/>
    <rect x="-200" y="-200" width="10" height="10"
          style="line-style:normal;line-weight:none;filling:none;color:black"/>
  </description>
</definition>"""


def node(xml: str) -> ElementTree.Element:
    return ElementTree.fromstring(xml)


def skip_without_rsvg() -> None:
    if shutil.which("rsvg-convert") is None:
        pytest.skip(f"rsvg-convert not installed: {fresh4.RSVG_HINT}")


# ------------------------------------------------------------------------------- strokes


def test_qet_style_maps_pens_fillings_and_colours():
    plain = node(f'<line style="{NORMAL}"/>')
    assert fresh7.qet_style(plain) == 'fill="none" stroke="black" stroke-width="1"'
    dashed = node('<rect style="line-style:dashed;line-weight:thin;filling:white;color:red"/>')
    assert fresh7.qet_style(dashed) == (
        'fill="white" stroke="red" stroke-width="0.5" stroke-dasharray="4,2"'
    )
    html = node('<rect style="line-weight:hight;filling:HTMLBlueDeepSkyBlue;color:brun"/>')
    assert fresh7.qet_style(html) == 'fill="DeepSkyBlue" stroke="brown" stroke-width="2"'
    hatched = node('<rect style="filling:bdiag"/>')  # no pen given: the normal one
    assert fresh7.qet_style(hatched) == 'fill="none" stroke="black" stroke-width="1"'


def test_invisible_strokes_have_no_pen_and_no_filling():
    assert fresh7.invisible(node('<rect style="line-weight:none;filling:none;color:black"/>'))
    assert not fresh7.invisible(node('<rect style="line-weight:none;filling:black"/>'))
    assert not fresh7.invisible(node(f'<rect style="{NORMAL}"/>'))


def test_arc_path_turns_counter_clockwise_for_a_positive_angle():
    quarter = node('<arc x="0" y="0" width="20" height="10" start="0" angle="90"/>')
    shape, box = fresh7.arc_path(quarter)
    # From 3 o'clock (20, 5) up to 12 o'clock (10, 0): short, counter-clockwise on screen.
    assert shape == '<path d="M 20.000,5.000 A 10 5 0 0 0 10.000,0.000"'
    assert box == [(0.0, 0.0), (20.0, 10.0)]
    back = node('<arc x="0" y="0" width="20" height="20" start="90" angle="-270"/>')
    assert fresh7.arc_path(back)[0] == '<path d="M 10.000,0.000 A 10 10 0 1 1 0.000,10.000"'
    whole = node('<arc x="0" y="0" width="20" height="20" start="90" angle="-360"/>')
    assert fresh7.arc_path(whole)[0] == '<ellipse cx="10" cy="10" rx="10" ry="10"'


def test_stroke_svg_draws_shapes_and_skips_texts_and_terminals():
    line = fresh7.stroke_svg(node('<line x1="1" y1="2" x2="3" y2="4"/>'))
    assert line == ('<line x1="1" y1="2" x2="3" y2="4"', [(1.0, 2.0), (3.0, 4.0)])
    circle = fresh7.stroke_svg(node('<circle x="0" y="10" diameter="8"/>'))
    assert circle == ('<circle cx="4" cy="14" r="4"', [(0.0, 10.0), (8.0, 18.0)])
    ellipse = fresh7.stroke_svg(node('<ellipse x="0" y="0" width="8" height="4"/>'))
    assert ellipse is not None and ellipse[0] == '<ellipse cx="4" cy="2" rx="4" ry="2"'
    open_polygon = node('<polygon x1="0" y1="0" x2="5" y2="0" x3="5" y3="5" closed="false"/>')
    assert fresh7.stroke_svg(open_polygon) == (
        '<polyline points="0,0 5,0 5,5"',
        [(0.0, 0.0), (5.0, 0.0), (5.0, 5.0)],
    )
    closed = fresh7.stroke_svg(node('<polygon x1="0" y1="0" x2="5" y2="0" x3="5" y3="5"/>'))
    assert closed is not None and closed[0].startswith("<polygon ")
    for skipped in ('<text x="0" y="0" text="M"/>', '<terminal x="0" y="0"/>', "<input/>"):
        assert fresh7.stroke_svg(node(skipped)) is None


def test_element_svg_views_the_visible_strokes_with_a_margin():
    svg = node(fresh7.element_svg(SYMBOL).decode())
    # Strokes span x -10..30, y -10..10; the margin is 2 units; the far frame is not drawn.
    assert svg.get("viewBox") == "-12 -12 44 24"
    drawn = [child.tag.split("}")[-1] for child in svg]
    assert drawn == ["rect", "line"]
    empty = node(fresh7.element_svg("<definition><description/></definition>").decode())
    assert empty.get("viewBox") == "-2 -2 5 5" and len(empty) == 0


def test_render_symbol_draws_the_strokes(tmp_path):
    skip_without_rsvg()
    path = tmp_path / "box.elmt"
    path.write_text(SYMBOL)
    picture = fresh7.render_symbol(path, 44)  # 44 x 24 units into 44 px: one unit a pixel
    assert picture.mode == "RGBA" and picture.size == (44, 24)
    assert picture.getpixel((12, 12)) == (0, 0, 0, 255)  # inside the black square
    assert picture.getpixel((0, 0))[3] == 0 and picture.getpixel((38, 20))[3] == 0
    # The line, 1 unit wide at y 0 (pixel row 12 with the margin), runs x 10..30 (22..42 px):
    # half of rows 11 and 12 are covered along it, nothing past its end or above it.
    assert 100 <= picture.getpixel((35, 12))[3] <= 160
    assert picture.getpixel((43, 12))[3] == 0 and picture.getpixel((35, 9))[3] == 0
    assert fresh7.plan_picture(path).size == (64, 64)


# ---------------------------------------------------------------------------- families


def test_two_word_family_drops_digits_one_letter_and_contact_state_words():
    assert fresh7.two_word_family("capteur_capacitif_nc_3p") == "capteur_capacitif"
    assert fresh7.two_word_family("pressostat_nc") == "pressostat"
    assert fresh7.two_word_family("022_inter_2n") == "inter"
    assert fresh7.two_word_family("int_diff2") == "int_diff"
    assert fresh7.two_word_family("disjonct-m_1fn") == "disjonct_fn"
    assert fresh7.two_word_family("ddr4") == "ddr"
    assert fresh7.two_word_family("90-10-0101") == "90-10-0101"  # no word: the whole name


def test_qet_family_reads_the_folder_then_the_hand_made_list():
    assert fresh7.qet_family(Path("11_optical/lampe2.elmt")) == "lampara_azul"
    assert fresh7.qet_family(Path("11_optical/lampara-red.elmt")) == "lampara_azul"  # two words
    assert fresh7.qet_family(Path("70_meters/voltmetre-h.elmt")) == "galvanometre"
    assert fresh7.qet_family(Path("70_meters/galvanometre-v.elmt")) == "galvanometre"
    assert fresh7.qet_family(Path("01_resistors/resistance.elmt")) == "resistance"
    # Every symbol of a folder of variants is one family, whatever its name.
    assert fresh7.qet_family(Path("x/11_circuit_breakers/ddr4.elmt")) == "11_circuit_breakers"
    assert fresh7.qet_family(Path("x/15_connectors_dsub/lampe2.elmt")) == "15_connectors_dsub"


def test_qet_symbols_take_the_classes_families_and_names(tmp_path):
    files = (
        "390_sensors_instruments/70_meters/voltmetre-h.elmt",
        "390_sensors_instruments/70_meters/galvanometre-v.elmt",
        "390_sensors_instruments/01_capacitive/capteur_capacitif_no.elmt",
        "200_fuses_protective_gears/10_fuses/pojistka1p.elmt",
        "200_fuses_protective_gears/90_overvoltage/parafoudre-2.elmt",
        "500_home_installation/20_home_appliances/four.elmt",  # a category left out
        "200_fuses_protective_gears/qet_directory",  # not a symbol
    )
    for relative in files:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(SYMBOL)
    found = fresh7.qet_symbols(tmp_path)
    assert [(label, family) for label, family, _ in found] == [
        ("fuses_protective", "10_fuses"),
        ("fuses_protective", "parafoudre"),
        ("sensors_instruments", "capteur_capacitif"),
        ("sensors_instruments", "galvanometre"),
        ("sensors_instruments", "galvanometre"),
    ]
    assert [fresh7.qet_name(path) for *_, path in found] == [
        "10_fuses_pojistka1p",
        "90_overvoltage_parafoudre_2",
        "01_capacitive_capteur_capacitif_no",
        "70_meters_galvanometre_v",
        "70_meters_voltmetre_h",
    ]


# ------------------------------------------------------------------------------ pictures


def test_prepare_fits_a_symbol_into_96_px(tmp_path):
    skip_without_rsvg()
    (tmp_path / "box.elmt").write_text(SYMBOL)
    item = Item("train", "relays_contacts", "box", tmp_path / "box.elmt", None, "box", "qet")
    image = prepare.load_item(item)
    assert image.mode == "RGB" and image.size == (96, 96)
    # Cropped to the strokes (40 x 21 units), fitted 96 px wide: the square fills its left half.
    assert image.getpixel((20, 48)) == (0, 0, 0)
    assert image.getpixel((2, 2)) == (255, 255, 255) and image.getpixel((93, 93)) == (255,) * 3


def test_qet_set_is_registered_and_drawn_at_96_px():
    assert "qet" in SETS and "art4apps" in SETS
    assert SETS["qet"].package.split()[0] == "qelectrotech-data"
    assert prepare.FITTED_SIDES["qet"] == 96
    assert fresh2.PICTURE_READERS["qet"] is fresh7.read_symbol


# ------------------------------------------------------------------------------- plans


def test_qet_plan_is_leak_free_deterministic_and_without_repeats():
    skip_unless_installed("qet")
    items = SETS["qet"].plan()
    assert items == SETS["qet"].plan()
    labels = assert_leak_free_plan(items, 6)
    assert set(labels["train"]) == set(fresh7.QET_CLASSES.values())
    assert 200 <= labels["train"].total() <= 235 and 80 <= labels["test"].total() <= 100
    assert min(labels["train"].values()) >= 24 and min(labels["test"].values()) >= 9
    assert max(labels["train"].values()) <= 45 and max(labels["test"].values()) <= 20
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    pixels = [fresh7.plan_picture(i.source).tobytes() for i in items]
    assert len(set(pixels)) == len(pixels), "a symbol is planned twice"
    sides: dict[tuple[str, str], set[str]] = {}
    for item in items:  # a family (folder, hand-made list or two words) stays on one side
        sides.setdefault((item.label, fresh7.qet_family(item.source)), set()).add(item.split)
    assert all(len(split) == 1 for split in sides.values())
    assert ("signaling_operating", "lampara_azul") in sides  # lampe2, lampara-red, ...
    assert ("sensors_instruments", "galvanometre") in sides  # the meters, their letters left out
    assert ("fuses_protective", "11_circuit_breakers") in sides
    assert not any("500_home_installation" in i.source.parts for i in items)


def test_hand_made_families_name_symbols_and_folders_of_the_package():
    skip_unless_installed("qet")
    symbols = list(fresh7.QET_ROOT.rglob("*.elmt"))
    stems, folders = {path.stem for path in symbols}, {path.parent.name for path in symbols}
    assert not set(fresh7.QET_FAMILIES) - stems, "a hand-made family names no symbol"
    assert not fresh7.QET_FOLDER_FAMILIES - folders, "a folder family names no folder"


def test_render_fitted_reads_qet_symbols():
    skip_unless_installed("qet")
    skip_without_rsvg()
    items = SETS["qet"].plan()
    for item in (items[0], items[-1]):
        image = prepare.load_item(item)
        assert image.mode == "RGB" and image.size == (96, 96)
        assert np.asarray(image).min() < 200 and np.asarray(image).max() == 255  # ink on white
