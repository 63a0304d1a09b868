"""The fresh25 set (signmoves, ``holdout_sets_fresh25``): a symbol key's class, a base symbol's
name and family, a symbol's SVG, a leak-free, deterministic plan on a small symbol database made
here, ``prepare.py``'s install hint, and the plan on the unpacked sutton-signwriting-font wheel.
Checks that read the wheel skip, naming it, where it is not unpacked."""

from __future__ import annotations

import dataclasses
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh25 as fresh25  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS  # noqa: E402
from plan_checks import assert_leak_free_plan, needs_rsvg, skip_unless_installed  # noqa: E402

# ---------------------------------------------------------------- a symbol database made here

# outlines on a 30 x 30 symbol, y down, as the database's fragments hold them
PATHS = {
    "bar": "M0 0H30V8H0Z",
    "post": "M0 0H8V30H0Z",
    "plus": "M0 11H30V19H0ZM11 0H19V30H11Z",
    "corner": "M0 0H30V8H8V30H0Z",
    "tee": "M0 0H30V8H19V30H11V8H0Z",
    "box": "M0 0H30V30H0ZM6 6V24H24V6Z",
    "disc": "M0 15A15 15 0 1 0 30 15A15 15 0 1 0 0 15Z",
    "x": "M0 0L6 0L30 24L30 30L24 30L0 6ZM24 0L30 0L30 6L6 30L0 30L0 24Z",
    "ring": "M0 15A15 15 0 1 0 30 15A15 15 0 1 0 0 15ZM6 15A9 9 0 1 1 24 15A9 9 0 1 1 6 15Z",
}
# (key, drawing or None for an empty symbol)
SYMBOLS = (
    ("S10000", "disc"),  # a hand: no class
    ("S20500", "plus"),  # contact: TOUCH SINGLE
    ("S20600", "x"),  # contact: TOUCH MULTIPLE, family touch
    ("S20800", "box"),  # contact: GRASP SINGLE
    ("S21600", "bar"),  # finger: left out
    ("S22a00", "corner"),  # wall_straight: SINGLE STRAIGHT SMALL
    ("S22b00", "corner"),  # ... MEDIUM: the same drawing again, dropped
    ("S22c00", None),  # ... LARGE: nothing drawn, dropped
    ("S23300", "tee"),  # wall_straight: CROSS
    ("S26500", "post"),  # floor_straight: SINGLE STRAIGHT SMALL
    ("S26e00", "disc"),  # floor_straight: CROSS
    ("S28800", "bar"),  # wall_curve: CURVE QUARTER SMALL
    ("S29200", "ring"),  # wall_curve: HUMP SMALL
    ("S2d500", "plus"),  # floor_curve: CURVE SMALL, contact's touch drawn again: both dropped
)


def make_db(path: Path, symbols=SYMBOLS) -> Path:
    """An ``iswa2010.db`` with a ``symbol`` table as the wheel's, for ``symbols``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE TABLE symbol(id int primary key unique, symkey text unique, width int, "
        "height int, svg text)"
    )
    for number, (key, shape) in enumerate(symbols, start=1):
        fragment = f'<path fill="#000000" d="{PATHS[shape]}"/>' if shape else "<g/>"
        size = 30 if shape else 0
        connection.execute(
            "INSERT INTO symbol VALUES (?, ?, ?, ?, ?)", (number, key, size, size, fragment)
        )
    connection.commit()
    connection.close()
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return make_db(tmp_path / "sutton_signwriting_font" / "db" / "iswa2010.db")


# ------------------------------------------------------------------------- names and classes


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("S20500", "contact"),
        ("S215ff", "contact"),
        ("S22a04", "wall_straight"),
        ("S254f0", "wall_straight"),
        ("S26500", "floor_straight"),
        ("S28800", "wall_curve"),
        ("S2d500", "floor_curve"),
        ("S2e200", "floor_curve"),
        ("S10000", None),  # a hand
        ("S20400", None),  # the last hand
        ("S21600", None),  # finger movement
        ("S25500", None),  # diagonal
        ("S2a600", None),  # a wall-plane curve hitting the front wall
        ("S2b700", None),  # a floor-plane curve hitting the ceiling
        ("S2e300", None),  # circles
        ("S2f500", None),  # a bare arrowhead
        ("S2f700", None),  # dynamics
        ("S30a00", None),  # eyebrows
    ],
)
def test_move_class_names_the_iswa_movement_group(key, label):
    assert fresh25.move_class(key) == label


def test_symbol_name_reads_the_unicode_signwriting_block():
    assert fresh25.base_of("S22a04") == 0x22A
    assert fresh25.symbol_name(0x100) == "HAND-FIST INDEX"
    assert fresh25.symbol_name(0x22A) == "MOVEMENT-WALLPLANE SINGLE STRAIGHT SMALL"
    assert fresh25.symbol_name(0x205) == "TOUCH SINGLE"
    assert fresh25.symbol_name(0x38B) == "PARENTHESIS"
    assert fresh25.symbol_name(0x38C) == "" and fresh25.symbol_name(0xFF) == ""


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("MOVEMENT-WALLPLANE SINGLE STRAIGHT SMALL", "movement_wallplane_straight"),
        ("MOVEMENT-WALLPLANE SINGLE STRAIGHT LARGEST", "movement_wallplane_straight"),
        ("MOVEMENT-WALLPLANE DOUBLE STRAIGHT", "movement_wallplane_straight"),
        ("MOVEMENT-FLOORPLANE DOUBLE STRAIGHT", "movement_floorplane_straight"),
        ("MOVEMENT-WALLPLANE DOUBLE ALTERNATING WRIST FLEX", "movement_wallplane_wrist_flex"),
        ("TOUCH MULTIPLE", "touch"),
        ("BRUSH BETWEEN", "brush"),
        ("MOVEMENT-HINGE UP DOWN ALTERNATING LARGE", "movement_hinge"),
        ("MOVEMENT-WALLPLANE CURVE HITTING FRONT WALL", "movement_wallplane_curve_hitting"),
        ("MOVEMENT-WALLPLANE CURVE HITTING CHEST", "movement_wallplane_curve_hitting"),
        ("MOVEMENT-WALLPLANE CURVE HALF-CIRCLE MEDIUM", "movement_wallplane_curve_half_circle"),
        ("ROTATION-FLOORPLANE SINGLE", "rotation_floorplane"),
    ],
)
def test_move_family_drops_size_count_and_direction_words(name, family):
    assert fresh25.move_family(name) == family


def test_symbol_svg_frames_the_symbol_with_a_margin():
    svg = fresh25.symbol_svg(200, 100, '<path d="M0 0H1"/>').decode()
    # margin 5% of 200 = 10 on every side
    assert svg == (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="-10.00 -10.00 220.00 120.00">'
        '<path d="M0 0H1"/></svg>'
    )
    assert fresh25.symbol_svg(0, 30, "<g/>") == b""


def test_move_rows_reads_the_movement_category_only(db):
    rows = fresh25.move_rows(db)
    assert list(rows) == [key for key, _ in SYMBOLS if key != "S10000"]
    assert rows["S22a00"] == (30, 30, f'<path fill="#000000" d="{PATHS["corner"]}"/>')
    assert rows["S22c00"] == (0, 0, "<g/>")


@needs_rsvg
def test_draw_move_draws_the_symbol_black_the_right_way_up(db):
    corner = fresh25.draw_move(db, "S22a00", 66)
    alpha = np.asarray(corner.getchannel("A"))
    assert corner.mode == "RGBA" and corner.size == (66, 66)
    # the corner's bar is at the top (y down): inked across near the top, the low right clear
    assert alpha[8, 10:56].min() > 200 and alpha[50, 50] == 0 and alpha[50, 8] > 200
    assert np.asarray(corner)[8, 33, :3].max() < 30  # black
    empty = fresh25.draw_move(db, "S22c00", 64)
    assert empty.size == (1, 1) and fresh2.is_blank(empty)


# ----------------------------------------------------------- the plan on a small database


def test_move_symbols_class_the_keys_of_the_groups_used(db):
    found = [(label, family, key.name) for label, family, key in fresh25.move_symbols(db)]
    assert found == [
        ("contact", "grasp", "S20800"),
        ("contact", "touch", "S20500"),
        ("contact", "touch", "S20600"),
        ("floor_curve", "movement_floorplane_curve", "S2d500"),
        ("floor_straight", "movement_floorplane_cross", "S26e00"),
        ("floor_straight", "movement_floorplane_straight", "S26500"),
        ("wall_curve", "movement_wallplane_curve_quarter", "S28800"),
        ("wall_curve", "movement_wallplane_hump", "S29200"),
        ("wall_straight", "movement_wallplane_cross", "S23300"),
        ("wall_straight", "movement_wallplane_straight", "S22a00"),
        ("wall_straight", "movement_wallplane_straight", "S22b00"),
        ("wall_straight", "movement_wallplane_straight", "S22c00"),
    ]


def test_move_symbols_draws_at_most_five_variants_a_base(tmp_path):
    keys = [(f"S22a{fill}{rotation:x}", "corner") for fill in range(6) for rotation in range(16)]
    db = make_db(tmp_path / "many.db", keys)
    found = [key.name for _, _, key in fresh25.move_symbols(db)]
    assert len(found) == fresh25.VARIANTS_PER_BASE == 5
    assert found == ["S22a00", "S22a13", "S22a26", "S22a39", "S22a4c"]  # keys 0, 19, 38, 57, 76


@needs_rsvg
def test_plan_drops_blanks_repeats_and_drawings_of_two_classes(db):
    items = fresh25.plan_signmoves(db)
    assert items == fresh25.plan_signmoves(db)
    # floor_curve's one drawing is contact's touch: both go, and floor_curve with it
    labels = assert_leak_free_plan(items, 4)
    assert labels["train"] + labels["test"] == {
        "contact": 2,
        "floor_straight": 2,
        "wall_curve": 2,
        "wall_straight": 2,
    }
    group = {item.name: item.group for item in items}
    assert group["touch_multiple_s20600"] == "touch"
    assert "movement_wallplane_single_straight_medium_s22b00" not in group
    assert "movement_wallplane_single_straight_large_s22c00" not in group
    assert "touch_single_s20500" not in group and "curve_small_s2d500" not in group
    assert group["grasp_single_s20800"] == "grasp"
    # two groups a class: one is test, the other train
    sides = Counter((i.label, i.split) for i in {(i.label, i.group): i for i in items}.values())
    assert set(sides.values()) == {1} and len(sides) == 8
    cross = next(i for i in items if i.name == "movement_wallplane_cross_s23300")
    assert cross.source == db and cross.element == "S23300" and cross.render == "signmoves"


@needs_rsvg
def test_prepare_fits_a_symbol_into_96_px_on_white(db):
    item = holdout_sets.Item("train", "wall_straight", "x", db, "S22a00", "g", "signmoves")
    fitted = prepare.load_item(item)
    assert fitted.mode == "RGB" and fitted.size == (96, 96)
    pixels = np.asarray(fitted).astype(int)
    # the corner: a black top bar and left post, white below the bar right of the post
    assert pixels[4, 10:86].max() < 60 and pixels[60, 4].max() < 60
    assert pixels[60, 60].min() == 255


# -------------------------------------------------------------- prepare.py and the wheel


def test_install_hint_downloads_and_unpacks_the_wheel(tmp_path):
    root = tmp_path / "pypi" / "sutton-signwriting-font-1.0.1" / "sutton_signwriting_font" / "db"
    spec = dataclasses.replace(SETS["signmoves"], root=root)
    folder = tmp_path / "pypi" / "sutton-signwriting-font-1.0.1"
    wheels = "/tmp/sutton-signwriting-font-1.0.1"
    assert prepare.install_hint(spec) == (
        f"pip download --no-deps sutton-signwriting-font==1.0.1 -d {wheels} && "
        f"python -m zipfile -e {wheels}/*.whl {folder}"
    )
    assert prepare.package_version(spec.package) == "1.0.1"


def test_a_missing_wheel_skips_with_the_pip_download_command(tmp_path, monkeypatch):
    root = tmp_path / "pypi" / "sutton-signwriting-font-1.0.1" / "sutton_signwriting_font" / "db"
    spec = dataclasses.replace(SETS["signmoves"], root=root, needs=())
    monkeypatch.setitem(SETS, "signmoves", spec)
    with pytest.raises(pytest.skip.Exception) as skipped:
        skip_unless_installed("signmoves")
    message = str(skipped.value)
    assert message.startswith(f"pypi:sutton-signwriting-font==1.0.1 not installed ({root} missing)")
    assert message.endswith("pip download --no-deps sutton-signwriting-font==1.0.1 -d "
                            "/tmp/sutton-signwriting-font-1.0.1 && python -m zipfile -e "
                            "/tmp/sutton-signwriting-font-1.0.1/*.whl "
                            f"{tmp_path / 'pypi' / 'sutton-signwriting-font-1.0.1'}")  # fmt: skip


def test_prepare_prints_the_hint_when_the_wheel_is_missing(tmp_path, monkeypatch, capsys):
    root = tmp_path / "pypi" / "sutton-signwriting-font-1.0.1" / "sutton_signwriting_font" / "db"
    spec = dataclasses.replace(SETS["signmoves"], root=root, needs=())
    monkeypatch.setitem(prepare.SETS, "signmoves", spec)
    assert prepare.main(["--only", "signmoves", "--root", str(tmp_path / "out")]) == 1
    printed = capsys.readouterr().out
    assert printed.startswith(f"signmoves: '{root}' not found: pip download --no-deps sutton")
    assert not (tmp_path / "out" / "signmoves").exists()


# ------------------------------------------------------------------------- on the package


def test_signmoves_set_is_registered():
    assert "signmoves" in SETS and "musicsigns" in SETS
    spec = SETS["signmoves"]
    assert spec.package == "pypi:sutton-signwriting-font==1.0.1"
    assert spec.root == fresh25.SIGNWRITING_DB_FOLDER
    assert spec.root.parts[-3:] == (
        "sutton-signwriting-font-1.0.1",
        "sutton_signwriting_font",
        "db",
    )
    assert spec.needs == (fresh25.SIGNWRITING_DB,)
    assert fresh2.PICTURE_READERS["signmoves"] is fresh25.read_move
    assert prepare.FITTED_SIDES["signmoves"] == 96


def test_move_symbols_of_the_wheel():
    skip_unless_installed("signmoves")
    rows = fresh25.move_rows(fresh25.SIGNWRITING_DB)
    assert len(rows) == 11105
    entries = fresh25.move_symbols()
    assert Counter(label for label, _, _ in entries) == {
        "wall_straight": 215, "floor_straight": 175, "wall_curve": 150, "floor_curve": 70,
        "contact": 65,
    }  # fmt: skip
    families = Counter(label for label, _ in {(label, family) for label, family, _ in entries})
    assert families == {
        "wall_straight": 16, "floor_straight": 15, "wall_curve": 10, "floor_curve": 8,
        "contact": 7,
    }  # fmt: skip


@needs_rsvg
def test_signmoves_plan_is_leak_free_deterministic_and_of_the_expected_size():
    skip_unless_installed("signmoves")
    items = SETS["signmoves"].plan()
    assert items == SETS["signmoves"].plan()
    labels = assert_leak_free_plan(items, 5)
    assert labels["train"] == {
        "contact": 25, "floor_curve": 25, "floor_straight": 40, "wall_curve": 35,
        "wall_straight": 40,
    }  # fmt: skip
    assert labels["test"] == {
        "contact": 10, "floor_curve": 10, "floor_straight": 16, "wall_curve": 15,
        "wall_straight": 16,
    }  # fmt: skip
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    sides: dict[tuple[str, str], set[str]] = {}
    for item in items:  # a movement's sizes, counts and variants (its family) on one side
        name = fresh25.symbol_name(fresh25.base_of(str(item.element)))
        sides.setdefault((item.label, fresh25.move_family(name)), set()).add(item.split)
    assert all(len(s) == 1 for s in sides.values())
    assert all(item.render == "signmoves" for item in items)


@needs_rsvg
@pytest.mark.parametrize("index", [0, -1])
def test_prepare_fits_wheel_symbols_into_their_listed_side(index):
    skip_unless_installed("signmoves")
    item = SETS["signmoves"].plan()[index]
    expected = prepare.fit_on_white(fresh25.read_move(item), 96)
    assert expected.mode == "RGB" and expected.size == (96, 96)
    assert np.array_equal(np.asarray(prepare.load_item(item)), np.asarray(expected))
