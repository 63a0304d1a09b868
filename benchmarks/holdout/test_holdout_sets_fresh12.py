"""The eighth fresh hold-out's set (footprints, ``holdout_sets_fresh12``): the s-expression
reader, pad and line geometry, families, the drawing, and a leak-free, deterministic plan on
small footprint libraries made here and on the Debian package. Checks that read the package skip,
naming it, where it is not installed."""

from __future__ import annotations

import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh12 as fresh12  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS, Item  # noqa: E402
from plan_checks import assert_leak_free_plan, skip_unless_installed  # noqa: E402

# ------------------------------------------------------------------ reading and geometry


def test_parse_sexpr_nests_lists_and_unquotes_strings():
    text = '(footprint "SO-8 x" (at 1 -2.5 90) (layer "F.Cu") (empty))'
    assert fresh12.parse_sexpr(text) == [
        ["footprint", "SO-8 x", ["at", "1", "-2.5", "90"], ["layer", "F.Cu"], ["empty"]]
    ]


def test_numbers_children_and_layers():
    pad = fresh12.parse_sexpr('(pad "1" thru_hole oval (drill oval 1 2) (layers "*.Cu" "*.Mask"))')
    pad = pad[0]
    assert fresh12.numbers(pad, "drill") == [1.0, 2.0]  # the word "oval" skipped
    assert fresh12.numbers(pad, "at") == []
    assert len(fresh12.children(pad, "drill")) == 1
    assert fresh12.layers(pad) == {"*.Cu", "*.Mask"}


def test_turned_is_counter_clockwise_on_a_board_whose_y_points_down():
    ((x, y),) = fresh12.turned([(1.0, 0.0)], (10.0, 10.0), 90)
    assert math.isclose(x, 10.0, abs_tol=1e-9) and math.isclose(y, 9.0)  # right turns to up
    ((x, y),) = fresh12.turned([(1.0, 0.0)], (0.0, 0.0), 180)
    assert math.isclose(x, -1.0) and math.isclose(y, 0.0, abs_tol=1e-9)


def extents(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return (round(min(xs), 6), round(min(ys), 6), round(max(xs), 6), round(max(ys), 6))


def test_outline_of_rectangles_ovals_and_circles():
    assert fresh12.outline("rect", 2, 1) == [(-1, -0.5), (1, -0.5), (1, 0.5), (-1, 0.5)]
    assert fresh12.outline("roundrect", 2, 1) == fresh12.outline("rect", 2, 1)
    assert extents(fresh12.outline("oval", 4, 2)) == (-2, -1, 2, 1)
    assert extents(fresh12.outline("oval", 2, 4)) == (-1, -2, 1, 2)  # upright stadium
    assert extents(fresh12.outline("circle", 2, 2)) == (-1, -1, 1, 1)
    assert len(fresh12.outline("circle", 2, 2)) == fresh12.ARC_STEPS


def test_arc_points_go_through_the_middle_point():
    upper = fresh12.arc_points((1, 0), (0, 1), (-1, 0))
    assert len(upper) == fresh12.ARC_STEPS + 1
    assert np.allclose(upper[0], (1, 0)) and np.allclose(upper[-1], (-1, 0))
    assert all(math.isclose(math.hypot(x, y), 1) for x, y in upper)
    assert extents(upper) == (-1, 0, 1, 1)  # the half through (0, 1)
    lower = fresh12.arc_points((1, 0), (0, -1), (-1, 0))
    assert extents(lower) == (-1, -1, 1, 0)
    assert fresh12.arc_points((0, 0), (1, 1), (2, 2)) == [(0, 0), (2, 2)]  # in a row: a line


def test_footprint_family_keeps_package_and_pins_and_drops_a_transistor_s_pins():
    family = fresh12.footprint_family
    assert family("SOIC-8_3.9x4.9mm_P1.27mm") == "SOIC-8"
    assert family("SOIC-8_3.9x4.9mm_P1.27mm_ThermalVias") == "SOIC-8"
    assert family("Infineon_PG-HSOF-8-2_ThermalVias") == "Infineon_PG-HSOF-8-2"
    assert family("DIP-14_W7.62mm_Socket") == "DIP-14"
    assert family("TO-220-7_P2.54x3.8mm_StaggerOdd") == "TO-220"
    assert family("Heraeus_TO-92-2") == "Heraeus_TO-92"
    assert family("SOT-23-5_HandSoldering") == family("SOT-23") == "SOT-23"
    assert family("ATPAK") == "ATPAK"  # no digit: the whole name


# --------------------------------------------------------------- footprints made here


def pad(number: int, x: float, y: float, kind: str = "smd", shape: str = "rect", **extra) -> str:
    size = extra.get("size", "1 1")
    layers = extra.get("layers", '"F.Cu" "F.Paste" "F.Mask"')
    drill = f" (drill {extra['drill']})" if "drill" in extra else ""
    at = f"{x} {y}" + (f" {extra['angle']}" if "angle" in extra else "")
    return f'  (pad "{number}" {kind} {shape} (at {at}) (size {size}){drill} (layers {layers}))\n'


def line(x0: float, y0: float, x1: float, y1: float, layer: str = "F.SilkS") -> str:
    return f'  (fp_line (start {x0} {y0}) (end {x1} {y1}) (layer "{layer}") (width 0.12))\n'


def write_footprint(path: Path, body: str, attr: str = "smd") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = f'(footprint "{path.stem}" (version 20211014) (generator pcbnew)\n'
    text += f'  (layer "F.Cu")\n  (attr {attr})\n  (fp_text reference "REF**" (at 0 -3))\n'
    path.write_text(text + body + ")\n", encoding="utf-8")
    return path


def test_pad_shapes_draw_front_copper_and_holes_only(tmp_path):
    def shapes(body: str) -> list[tuple[str, tuple[float, float, float, float]]]:
        path = write_footprint(tmp_path / f"f{len(list(tmp_path.iterdir()))}.kicad_mod", body)
        return [(kind, extents(points)) for kind, points in fresh12.footprint_shapes(path)]

    assert shapes(pad(1, 0, 0, layers='"B.Cu" "B.Mask"')) == []  # the back copper
    assert shapes(pad(1, 0, 0, layers='"F.Paste"')) == []  # a thermal pad's paste aperture
    assert shapes(pad(1, 2, 0, size="2 1", angle=90)) == [("pad", (1.5, -1, 2.5, 1))]
    through = shapes(pad(1, 0, 0, "thru_hole", "circle", size="2 2", layers='"*.Cu"', drill=1))
    assert through == [("pad", (-1, -1, 1, 1)), ("hole", (-0.5, -0.5, 0.5, 0.5))]
    free = pad(1, 0, 0, "np_thru_hole", "circle", size="3 3", layers='"*.Cu"', drill=3)
    assert shapes(free) == [("ring", (-1.5, -1.5, 1.5, 1.5))]
    # lines come first, under the pads; courtyard lines are not drawn
    both = shapes(pad(1, 0, 0) + line(-3, 2, 3, 2) + line(-4, -4, 4, 4, "F.CrtYd"))
    assert both == [("line", (-3, 2, 3, 2)), ("pad", (-0.5, -0.5, 0.5, 0.5))]


def test_pads_near_joins_a_footprint_with_pins_left_out_but_not_a_longer_row(tmp_path):
    def row_pads(name: str, rows: list[float], left_out: tuple[int, ...] = ()) -> Path:
        body = "".join(
            pad(i, x, y, "thru_hole", "circle", layers='"*.Cu"', drill=0.8)
            for i, (x, y) in enumerate([(x, y) for x in (0, 7.62) for y in rows])
            if i not in left_out
        )
        return write_footprint(tmp_path / f"{name}.kicad_mod", body, "through_hole")

    pitch = 2.54
    dip6 = fresh12.pad_set(row_pads("DIP-6", [0, pitch, 2 * pitch]))
    dip5 = fresh12.pad_set(row_pads("DIP-5-6", [0, pitch, 2 * pitch], left_out=(4,)))
    dip4 = fresh12.pad_set(row_pads("DIP-4", [0, pitch]))
    dip8 = fresh12.pad_set(row_pads("DIP-8", [0, pitch, 2 * pitch, 3 * pitch]))
    assert len(dip6) == 6 and len(dip5) == 5
    assert fresh12.pads_near(dip6, dip5) and fresh12.pads_near(dip5, dip6)
    # pin 1 is the origin of both, so DIP-6's pads lie on DIP-8's; measured from the middle of
    # the pads they do not, so one more pin pair does not chain two packages
    assert not fresh12.pads_near(dip6, dip8) and not fresh12.pads_near(dip4, dip6)
    assert not fresh12.pads_near(frozenset(), dip4)


def test_render_footprint_scales_into_the_square_and_colours_pads_and_lines(tmp_path):
    # a 2 x 1 mm pad at (0, 0) and a silkscreen line from (-2, -1) to (2, -1): 4 mm wide, 1.5 mm
    # tall (y from -1 to 0.5), centred on (0, -0.25), at 64 * 0.92 / 4 = 14.72 px a mm
    path = write_footprint(
        tmp_path / "one.kicad_mod", pad(1, 0, 0, size="2 1") + line(-2, -1, 2, -1)
    )
    picture = fresh12.render_footprint(path, 64)
    assert picture.mode == "RGBA" and picture.size == (64, 64)
    pixels = np.asarray(picture)
    assert tuple(pixels[35, 32]) == fresh12.PAD_COLOUR  # (32 + 0, 32 + 0.25 * 14.72)
    # Pillow draws a point in the pixel its coordinates fall in: the line at row
    # int(32 - 0.75 * 14.72) = 20, from column int(32 - 2 * 14.72) = 2 to int(61.44) = 61
    assert tuple(pixels[20, 10]) == fresh12.LINE_COLOUR
    ink = pixels[..., 3] > 0
    columns, rows = np.nonzero(ink.any(axis=0))[0], np.nonzero(ink.any(axis=1))[0]
    assert (columns.min(), columns.max()) == (2, 61)  # a 4% margin: 2.56 px each side
    assert (rows.min(), rows.max()) == (20, 43)  # the pad's lower edge: 32 + 0.75 * 14.72
    assert pixels[0, 0, 3] == 0 and pixels[63, 63, 3] == 0  # clear around it
    blank = write_footprint(tmp_path / "paste.kicad_mod", pad(1, 0, 0, layers='"F.Paste"'))
    assert fresh12.render_footprint(blank, 64).size == (1, 1)
    fitted = prepare.fit_on_white(fresh12.read_footprint(Item("train", "so", "one", path)), 96)
    assert fitted.mode == "RGB" and fitted.size == (96, 96)


# Shapes of silkscreen lines, each with a pad at its middle: unlike drawings (no two overlap by
# 90%, nor have near thumbnails, nor the same pads).
SHAPES = {
    "ell": [(-3, -3, -3, 3), (-3, 3, 3, 3)],
    "tee": [(-3, -3, 3, -3), (0, -3, 0, 3)],
    "cross": [(-3, 0, 3, 0), (0, -3, 0, 3)],
    "box": [(-3, -3, 3, -3), (3, -3, 3, 3), (3, 3, -3, 3), (-3, 3, -3, -3)],
    "ex": [(-3, -3, 3, 3), (-3, 3, 3, -3)],
    "wedge": [(-3, 3, 0, -3), (0, -3, 3, 3)],
    "zig": [(-3, -3, 3, -3), (3, -3, -3, 3), (-3, 3, 3, 3)],
    "bars": [(-3, -3, -3, 3), (0, -3, 0, 3), (3, -3, 3, 3)],
}


def shape_body(shape: str) -> str:
    """The shape's lines around a pad of a width of its own (footprints with the same pads are
    one footprint to ``pads_near``)."""
    width = 0.5 + 0.25 * list(SHAPES).index(shape)
    return pad(1, 0, 0, size=f"{width} 1") + "".join(line(*segment) for segment in SHAPES[shape])


@pytest.fixture
def libraries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Four libraries of two families each (one drawing a family), and: BGA's ``BGA-9_B`` a
    second footprint of family ``BGA-9`` (the ell with one more pad); SO's ``SO-16_Copy`` drawn
    as ``SO-14`` (a repeat); DIP's ``SMDIP-8`` mounted as SMD (left out); SO's ``SO-20_Paste``
    with paste pads only (blank); and TO_SOT_SMD's ``Maker_X-5``, ``Maker_X-6`` with a pad left
    out (the pads rule chains them)."""
    monkeypatch.setattr(
        fresh12,
        "FOOTPRINT_CLASSES",
        {
            "Package_BGA": "bga",
            "Package_DIP": "dip",
            "Package_SO": "so",
            "Package_TO_SOT_SMD": "to",
        },
    )
    fresh12.footprint_tree.cache_clear()
    fresh12.plan_picture.cache_clear()
    fresh12.pad_set.cache_clear()
    layout = {
        "Package_BGA": {"BGA-9_A": "ell", "BGA-16_A": "tee"},
        "Package_DIP": {"DIP-8_W7.62mm": "cross", "DIP-14_W7.62mm": "box"},
        "Package_SO": {"SO-8_A": "ex", "SO-14_A": "wedge"},
        "Package_TO_SOT_SMD": {"Maker_Y-3": "zig", "Maker_X-6": "bars"},
    }
    for library, footprints in layout.items():
        attr = "through_hole" if library == "Package_DIP" else "smd"
        for name, shape in footprints.items():
            write_footprint(
                tmp_path / f"{library}.pretty" / f"{name}.kicad_mod", shape_body(shape), attr
            )
    folder = tmp_path / "Package_BGA.pretty"
    write_footprint(folder / "BGA-9_B.kicad_mod", shape_body("ell") + pad(2, 2, 2))
    folder = tmp_path / "Package_SO.pretty"
    write_footprint(folder / "SO-16_Copy.kicad_mod", shape_body("wedge"))
    write_footprint(folder / "SO-20_Paste.kicad_mod", pad(1, 0, 0, layers='"F.Paste"'))
    folder = tmp_path / "Package_DIP.pretty"
    write_footprint(folder / "SMDIP-8_W9.53mm.kicad_mod", shape_body("ex"), "smd")
    six = "".join(line(*segment) for segment in SHAPES["bars"])
    six += "".join(
        pad(i, x, y)
        for i, (x, y) in enumerate([(-3, -3), (0, -3), (3, -3), (-3, 3), (0, 3), (3, 3)])
    )
    write_footprint(tmp_path / "Package_TO_SOT_SMD.pretty" / "Maker_X-6.kicad_mod", six)
    five = six.replace(pad(4, 0, 3), "")
    write_footprint(tmp_path / "Package_TO_SOT_SMD.pretty" / "Maker_X-5.kicad_mod", five)
    return tmp_path


def test_plan_leaves_out_blank_repeated_and_other_mounted_footprints(libraries):
    items = fresh12.plan_footprints(libraries)
    assert items == fresh12.plan_footprints(libraries)
    labels = assert_leak_free_plan(items, 4)
    assert (labels["train"] + labels["test"]) == {"bga": 3, "dip": 2, "so": 2, "to": 3}
    names = {item.name for item in items}
    # SO-16_Copy repeats SO-14_A (the first copy stays), SO-20_Paste draws nothing, SMDIP-8 is
    # mounted as SMD in the through-hole DIP library
    assert not names & {"so_16_copy", "so_20_paste", "smdip_8_w9_53mm"}
    group = {item.name: item.group for item in items}
    assert group["bga_9_a"] == group["bga_9_b"] == "BGA-9"  # one family
    assert group["maker_x_5"] == group["maker_x_6"] == "Maker_X-5"  # a pad left out, chained
    folder = libraries / "Package_TO_SOT_SMD.pretty"
    five, six = (fresh12.pad_set(folder / f"Maker_X-{n}.kicad_mod") for n in (5, 6))
    assert len(five) == 5 and len(six) == 6 and fresh12.pads_near(five, six)
    assert group["maker_y_3"] == "Maker_Y-3" and group["dip_14_w7_62mm"] == "DIP-14"
    # two groups a class: neither fits in 30% of the class, so the first drawn is test
    sides = Counter(
        (item.label, item.split)
        for item in {(i.label, i.group, i.split): i for i in items}.values()
    )
    assert all(sides[(label, "test")] == sides[(label, "train")] == 1 for label in labels["train"])
    item = next(i for i in items if i.name == "so_8_a")
    assert item.source == libraries / "Package_SO.pretty" / "SO-8_A.kicad_mod"
    assert item.element is None and item.render == "footprints"


def test_footprint_entries_keep_each_library_s_mounting(libraries):
    entries = fresh12.footprint_entries(libraries)
    assert [path.name for label, _, path in entries if label == "dip"] == [
        "DIP-14_W7.62mm.kicad_mod",
        "DIP-8_W7.62mm.kicad_mod",
    ]
    assert fresh12.mounting(libraries / "Package_DIP.pretty" / "SMDIP-8_W9.53mm.kicad_mod") == "smd"


# ------------------------------------------------------------------ on the package


def test_footprints_set_is_registered():
    assert "footprints" in SETS and "mahjong" in SETS
    spec = SETS["footprints"]
    assert spec.package == "kicad-footprints" and spec.root == fresh12.FOOTPRINT_ROOT
    assert fresh2.PICTURE_READERS["footprints"] is fresh12.read_footprint
    assert sorted(fresh12.FOOTPRINT_CLASSES.values()) == [
        "bga", "dfn_qfn", "dip", "so", "to_sot_smd", "to_sot_tht",
    ]  # fmt: skip


def test_footprints_plan_is_leak_free_deterministic_and_of_the_expected_size():
    skip_unless_installed("footprints")
    items = SETS["footprints"].plan()
    assert items == SETS["footprints"].plan()
    labels = assert_leak_free_plan(items, 6)
    full = {"bga": 45, "dfn_qfn": 45, "so": 45, "to_sot_smd": 45, "to_sot_tht": 45}
    assert labels["train"] == {**full, "dip": 25}
    assert labels["test"] == {**{label: 20 for label in full}, "dip": 10}
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    assert all(item.render == "footprints" for item in items)


@pytest.mark.parametrize("index", [0, -1])
def test_prepare_fits_footprints_into_their_listed_side(index):
    skip_unless_installed("footprints")
    item = SETS["footprints"].plan()[index]
    expected = prepare.fit_on_white(fresh12.read_footprint(item), 96)
    assert expected.mode == "RGB" and expected.size == (96, 96)
    assert np.asarray(expected).min() < 100 and np.asarray(expected).max() == 255  # ink on white
    assert np.array_equal(np.asarray(prepare.load_item(item)), np.asarray(expected))
