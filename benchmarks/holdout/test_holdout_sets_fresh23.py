"""The fresh23 set (cisco, ``holdout_sets_fresh23``): a symbol's class from its Dia sheet and
name, its family, the drawing made of a Dia shape, and a leak-free, deterministic plan on a small
shape library made here and on the Debian package. Checks that read the package skip, naming
it, where it is not installed."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh23 as fresh23  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS  # noqa: E402
from plan_checks import (  # noqa: E402
    SVG_SHAPES,
    assert_leak_free_plan,
    needs_rsvg,
    skip_unless_installed,
)

# --------------------------------------------------------- a Cisco shape library made here

BLACK, LIGHT, GREY, RED = "foreground", "#c8c8c8", "#5a5a5a", "#c80000"
# (sheet stem or None: listed by no sheet; file stem; name; shape (a path); ink)
SYMBOLS = (
    ("ciscocomputer", "pc", "Cisco - PC", "cross", BLACK),
    ("ciscocomputer", "laptop", "Cisco - Laptop", "plus", BLACK),
    ("ciscocomputer", "mini_vax", "Cisco - Mini VAX", "corner", GREY),  # the network MUX too
    ("ciscohub", "router", "Cisco - Router", "triangle", BLACK),
    ("ciscohub", "router_subdued", "Cisco - Router subdued", "triangle", LIGHT),  # router family
    ("ciscohub", "hub", "Cisco - Hub", "cross", RED),
    ("cisconetwork", "firewall", "Cisco - Firewall", "cross", LIGHT),
    ("cisconetwork", "cloud", "Cisco - Cloud", "plus", LIGHT),
    ("cisconetwork", "mux", "Cisco - MUX", "corner", GREY),
    ("ciscomisc", "man", "Cisco - Man", "triangle", RED),
    ("ciscomisc", "woman_gold", "Cisco - Woman gold", "plus", RED),
    ("ciscomisc", "house", "Cisco - House", "corner", BLACK),
    ("ciscomisc", "university", "Cisco - University", "triangle", GREY),
    ("ciscomisc", "lock", "Cisco - Lock", "cross", GREY),  # misc, neither building nor person
    (None, "extra", "Cisco - Extra", "plus", GREY),  # in no sheet
)


def shape_file(name: str, body: str) -> str:
    return (
        '<?xml version="1.0"?>\n<shape xmlns="http://www.daa.com.au/~james/dia-shape-ns" '
        f'xmlns:svg="http://www.w3.org/2000/svg">\n<name>{name}</name>\n<icon>x.png</icon>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="3cm" height="3cm">{body}</svg>\n'
        "</shape>\n"
    )


def make_library(folder: Path) -> tuple[Path, Path]:
    """``SYMBOLS`` as a Dia ``shapes/Cisco`` folder and a ``sheets`` folder."""
    shapes, sheets = folder / "shapes" / "Cisco", folder / "sheets"
    shapes.mkdir(parents=True)
    sheets.mkdir()
    listed: dict[str, list[str]] = {}
    for sheet, stem, name, shape, ink in SYMBOLS:
        body = SVG_SHAPES[shape].format(ink=ink)
        (shapes / f"{stem}.shape").write_text(shape_file(name, body))
        if sheet is not None:
            listed.setdefault(sheet, []).append(f'  <object name="{name}"/>')
    for sheet, objects in listed.items():
        text = "\n".join(["<sheet>", "<contents>", *objects, "</contents>", "</sheet>"])
        (sheets / f"{sheet}.sheet").write_text(text)
    return shapes, sheets


@pytest.fixture
def made(tmp_path: Path) -> tuple[Path, Path]:
    return make_library(tmp_path)


# ------------------------------------------------------------------ classes and families


@pytest.mark.parametrize(
    ("sheet", "name", "label"),
    [
        ("ciscocomputer", "Cisco - PC", "computer"),
        ("ciscohub", "Cisco - Router", "hub"),
        ("cisconetwork", "Cisco - Firewall", "network"),
        ("ciscotelephony", "Cisco - IP Phone", "telephony"),
        ("ciscomisc", "Cisco - Generic Building blue", "building"),
        ("ciscomisc", "Cisco - Telecommuter house", "building"),  # a house, not a person
        ("ciscomisc", "Cisco - Home office", "building"),
        ("ciscomisc", "Cisco - Running woman", "person"),
        ("ciscomisc", "Cisco - Telecommuter", "person"),
        ("ciscomisc", "Cisco - Androgynous Person", "person"),
        ("ciscomisc", "Cisco - Lock and Key", None),
        ("ciscomisc", "Cisco - Truck", None),
        ("", "Cisco - Router", None),  # listed by no sheet
        ("network", "Cisco - Router", None),  # Dia's own network sheet, not Cisco's
    ],
)
def test_cisco_class_names_the_kind_of_equipment(sheet, name, label):
    assert fresh23.cisco_class(sheet, name) == label


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("Cisco - Router subdued", "router"),
        ("Cisco - Router", "router"),
        ("Cisco - Man gold", "man"),
        ("Cisco - Cloud Dark", "cloud"),
        ("Cisco - Firewall horizontal", "firewall"),
        ("Cisco - Data Center Switch Reversed", "data_center_switch"),
        ("Cisco - Phone 2", "phone"),
        ("Cisco - Phone/Fax", "phone_fax"),
        ("Cisco - IP Old-style", "ip"),
        ("Cisco - Router with Firewall", "router_with_firewall"),
    ],
)
def test_symbol_family_drops_colour_and_variant_words(name, family):
    assert fresh23.symbol_family(name) == family


def test_path_points_follow_absolute_and_relative_commands():
    assert fresh23.path_points("M1 2L3 4Z") == [(1, 2), (3, 4)]
    points = fresh23.path_points("M10 10l5 0 0 5h-20v-30z m1 1")
    assert points == [(10, 10), (15, 10), (15, 15), (-5, 15), (-5, -15), (11, 11)]
    curve = fresh23.path_points("M0 0c1 2 3 4 5 6s1 1 2 2")
    assert curve[-1] == (7, 8) and (3, 4) in curve and (6, 7) in curve
    assert fresh23.path_points("M0 0A5 5 0 0 1 8 9") == [(0, 0), (8, 9)]
    assert fresh23.path_points("") == []


def test_shape_svg_frames_the_paths_and_sets_dias_colours(tmp_path):
    path = tmp_path / "a.shape"
    body = '<path d="M100 200l400 0l0 200z" style="fill: foreground; stroke: background"/>'
    path.write_text(shape_file("Cisco - A", body))
    svg = fresh23.shape_svg(path).decode()
    box = [float(v) for v in re.search(r'viewBox="([^"]+)"', svg).group(1).split()]
    assert box == pytest.approx([88, 188, 424, 224])  # 3% of 400 round the paths
    assert "fill: #000000; stroke: #ffffff" in svg and "width=" not in svg
    path.write_text(shape_file("Cisco - B", '<circle cx="5" cy="5" r="3"/>'))
    assert fresh23.shape_svg(path) == b""  # no paths: nothing drawn


def test_cisco_symbols_class_listed_shapes_by_sheet_and_name(made):
    found = [(label, family, path.stem) for label, family, path in fresh23.cisco_symbols(*made)]
    assert found == [
        ("network", "cloud", "cloud"),
        ("network", "firewall", "firewall"),
        ("building", "house", "house"),
        ("hub", "hub", "hub"),
        ("computer", "laptop", "laptop"),
        ("person", "man", "man"),
        ("computer", "mini_vax", "mini_vax"),
        ("network", "mux", "mux"),
        ("computer", "pc", "pc"),
        ("hub", "router", "router"),
        ("hub", "router", "router_subdued"),
        ("building", "university", "university"),
        ("person", "woman", "woman_gold"),
    ]  # the lock (misc) and the unlisted shape gone


# ------------------------------------------------------------- the plan on a small library


@needs_rsvg
def test_plan_drops_drawings_of_two_classes_and_keeps_families_together(made):
    items = fresh23.plan_cisco(*made)
    assert items == fresh23.plan_cisco(*made)
    labels = assert_leak_free_plan(items, 5)
    assert labels["train"] + labels["test"] == {
        "building": 2, "computer": 2, "hub": 3, "network": 2, "person": 2,
    }  # fmt: skip
    stems = {item.source.stem: item for item in items}
    assert "mini_vax" not in stems and "mux" not in stems  # one drawing, two classes
    assert stems["router"].group == stems["router_subdued"].group == "router"
    assert stems["router"].split == stems["router_subdued"].split
    assert all(i.render == "cisco" and i.source.suffix == ".shape" for i in items)


@needs_rsvg
def test_one_class_only_keeps_a_drawing_recoloured_across_classes(made):
    shapes, _ = made
    entries = [("a", "x", shapes / "pc.shape"), ("b", "y", shapes / "hub.shape")]
    entries.append(("b", "z", shapes / "mux.shape"))
    entries.append(("c", "w", shapes / "mini_vax.shape"))
    kept = fresh23.one_class_only(entries, fresh23.plan_picture)
    assert kept == entries[:2]  # black and red crosses differ; the grey corners are one


@needs_rsvg
def test_prepare_fits_a_symbol_into_96_px_on_white(made):
    shapes, _ = made
    item = holdout_sets.Item("train", "computer", "x", shapes / "laptop.shape", None, "p", "cisco")
    fitted = prepare.load_item(item)
    assert fitted.mode == "RGB" and fitted.size == (96, 96)
    pixels = np.asarray(fitted).astype(int)
    assert (pixels[48, 10:86] <= 10).all()  # the plus's black bar across the middle
    assert (pixels[8, 8] == 255).all() and (pixels[88, 88] == 255).all()


@needs_rsvg
def test_plan_picture_is_centred_on_the_plan_square(made):
    shapes, _ = made
    picture = fresh23.plan_picture(shapes / "laptop.shape")
    assert picture.size == (fresh23.CISCO_PLAN_SIDE,) * 2
    alpha = np.asarray(picture.getchannel("A"))
    # the plus's bar spans the square but the 3% margin of the view box
    assert alpha[32, 3:61].min() > 200 and alpha[32, 0] == 0 and alpha[3, 3] == 0


# ------------------------------------------------------------------ on the package


def test_cisco_set_is_registered():
    assert "cisco" in SETS and "mapsymbols" in SETS
    spec = SETS["cisco"]
    assert spec.package == "dia-common"
    assert spec.root == fresh23.CISCO_SHAPES and spec.needs == (fresh23.DIA_SHEETS,)
    assert fresh2.PICTURE_READERS["cisco"] is fresh23.read_symbol
    assert prepare.FITTED_SIDES["cisco"] == 96


def test_cisco_symbols_of_the_package():
    skip_unless_installed("cisco")
    entries = fresh23.cisco_symbols()
    assert Counter(label for label, _, _ in entries) == {
        "network": 99, "hub": 71, "telephony": 54, "computer": 49, "person": 19, "building": 18,
    }  # fmt: skip
    stems = {path.stem for _, _, path in entries}
    assert {"router", "pc", "ip_phone", "firewall", "university", "running_woman"} <= stems
    assert not stems & {"lock", "key", "car", "truck", "satellite"}


@needs_rsvg
def test_cisco_plan_is_leak_free_deterministic_and_of_the_expected_size():
    skip_unless_installed("cisco")
    items = SETS["cisco"].plan()
    assert items == SETS["cisco"].plan()
    labels = assert_leak_free_plan(items, 6)
    assert labels["train"] == {
        "building": 10, "computer": 31, "hub": 40, "network": 40, "person": 12, "telephony": 33,
    }  # fmt: skip
    assert labels["test"] == {
        "building": 4, "computer": 13, "hub": 16, "network": 16, "person": 4, "telephony": 14,
    }  # fmt: skip
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    sides: dict[tuple[str, str], set[str]] = {}
    for item in items:  # a name family on one side
        key = (item.label, fresh23.symbol_family(fresh23.shape_name(item.source)))
        sides.setdefault(key, set()).add(item.split)
    assert all(len(s) == 1 for s in sides.values())
    stems = {item.source.stem for item in items}
    assert not stems & {"mini_vax", "mux", "pbx_switch"}  # the beige box of three classes


@needs_rsvg
@pytest.mark.parametrize("index", [0, -1])
def test_prepare_fits_package_symbols_into_their_listed_side(index):
    skip_unless_installed("cisco")
    item = SETS["cisco"].plan()[index]
    expected = prepare.fit_on_white(fresh23.read_symbol(item), 96)
    assert expected.mode == "RGB" and expected.size == (96, 96)
    assert np.array_equal(np.asarray(prepare.load_item(item)), np.asarray(expected))
