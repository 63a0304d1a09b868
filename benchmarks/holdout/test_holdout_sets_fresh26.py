"""The fresh26 set (signhands, ``holdout_sets_fresh26``): a hand symbol's class, the keys drawn of
a base, a leak-free, deterministic plan on a small symbol database made here, the missing-wheel
skip, and the plan on the unpacked sutton-signwriting-font wheel. Checks that read the wheel skip,
naming it and the command that brings it, where it is not unpacked."""

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
import holdout_sets_fresh26 as fresh26  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS, unique_icons  # noqa: E402
from holdout_sets_fresh23 import one_class_only  # noqa: E402
from plan_checks import (  # noqa: E402
    SVG_SHAPES,
    assert_leak_free_plan,
    needs_rsvg,
    skip_unless_installed,
)

# ----------------------------------------------------------- a hand symbol database made here

# key -> drawings of plan_checks' SVG_SHAPES (32 px) joined by "+", or "" for nothing drawn
HANDS = {
    "S10000": "disc",  # index, HAND-FIST INDEX, palm upright
    "S10002": "disc",  # ... turned a quarter: the same picture again, dropped
    "S10008": "triangle",  # ... the left hand: not drawn
    "S10010": "bar",  # ... side view: not drawn (it would be index_middle's bar)
    "S10020": "ring",  # ... back of the hand: drawn, the same family
    "S10030": "cross",  # ... from above: not drawn
    "S10100": "cross",  # index, HAND-CIRCLE INDEX
    "S10e00": "triangle",  # index_middle, HAND-FIST INDEX MIDDLE
    "S10e02": "",  # ... nothing drawn: dropped
    "S10f00": "bar",  # index_middle, HAND-CIRCLE INDEX MIDDLE
    "S14c00": "corner",  # five_fingers, HAND-FLAT FIVE FINGERS SPREAD
    "S14d10": "plus",  # five_fingers, a heel base: side view only, drawn
    "S14d11": "ring",  # ... turned by 45 degrees: not drawn
    "S14d12": "frame",  # ... turned a quarter: drawn, but thumb's too: both dropped
    "S1f500": "frame",  # thumb, HAND-FIST THUMB
    "S1f610": "disc+cross",  # thumb, HAND-FIST THUMB HEEL: side view only
    "S1f700": "ring+plus",  # thumb, HAND-FIST THUMB SIDE DIAGONAL
    "S20500": "plus",  # movement: not read
}


def svg(shape: str) -> str:
    """Drawings of ``SVG_SHAPES`` in black, as a symbol's fragment; an empty group for none."""
    shapes = [SVG_SHAPES[name].format(ink="#000000") for name in shape.split("+") if name]
    return "".join(shapes) or "<g/>"


def hand_db(path: Path, hands: dict[str, str] = HANDS) -> Path:
    """A ``symbol`` table as the wheel's ``iswa2010.db`` holds, of ``hands`` in their order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE symbol(id int primary key unique, symkey text unique, width int, "
            "height int, svg text)"
        )
        connection.executemany(
            "INSERT INTO symbol VALUES (?, ?, ?, ?, ?)",
            [
                (n, key, 32 if shape else 0, 32 if shape else 0, svg(shape))
                for n, (key, shape) in enumerate(hands.items(), start=1)
            ],
        )
    connection.close()
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return hand_db(tmp_path / "sutton_signwriting_font" / "db" / "iswa2010.db")


# ------------------------------------------------------------------- classes and keys drawn


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("S10000", "index"),
        ("S10d5f", "index"),
        ("S10e00", "index_middle"),
        ("S11e00", "index_middle_thumb"),
        ("S14300", "index_middle_thumb"),
        ("S14400", "four_fingers"),
        ("S14b00", "four_fingers"),
        ("S14c20", "five_fingers"),
        ("S18500", "five_fingers"),
        ("S18600", "baby_finger"),
        ("S1a400", "ring_finger"),
        ("S1ba00", "middle_finger"),
        ("S1cd00", "index_thumb"),
        ("S1f400", "index_thumb"),
        ("S1f500", "thumb"),
        ("S20400", "thumb"),  # the last hand
        ("S20500", None),  # the first movement
        ("S2f700", None),  # dynamics
        ("S38b00", None),  # punctuation
        ("S0ff00", None),  # below the ISWA range
    ],
)
def test_hand_class_names_the_iswa_hand_group(key, label):
    assert fresh26.hand_class(key) == label


def test_hand_groups_hold_the_261_hand_bases():
    starts = [start for start, _ in fresh26.HAND_GROUPS] + [fresh26.HAND_END]
    sizes = [end - start for start, end in zip(starts, starts[1:], strict=False)]
    assert sizes == [14, 16, 38, 8, 58, 30, 22, 19, 40, 16] and sum(sizes) == 261
    assert fresh25.symbol_name(0x100) == "HAND-FIST INDEX"
    assert fresh25.symbol_name(0x204) == "HAND-FIST HEEL"
    assert fresh25.symbol_name(0x205) == "TOUCH SINGLE"


def test_hand_keys_draw_palm_and_back_upright_and_turned_a_quarter():
    full = [f"S14c{fill}{rotation:x}" for fill in range(6) for rotation in range(16)]
    assert fresh26.hand_keys(full) == ["S14c00", "S14c02", "S14c20", "S14c22"]
    heel = [f"S14d1{rotation:x}" for rotation in range(16)]  # side view only
    assert fresh26.hand_keys(heel) == ["S14d10", "S14d12"]
    facings = [f"S15b{fill}{rotation:x}" for fill in range(4) for rotation in range(16)]
    assert fresh26.hand_keys(facings) == ["S15b00", "S15b02", "S15b20", "S15b22"]


def test_hand_rows_reads_the_hand_category_only(db):
    rows = fresh26.hand_rows(db)
    assert list(rows) == [key for key in HANDS if key != "S20500"]
    assert rows["S10e02"] == (0, 0, "<g/>")
    assert rows["S14c00"] == (32, 32, SVG_SHAPES["corner"].format(ink="#000000"))


@needs_rsvg
def test_draw_hand_draws_the_symbol_the_right_way_up(db):
    corner = fresh26.draw_hand(db, "S14c00", 70)
    alpha = np.asarray(corner.getchannel("A"))
    # the corner's post is on the left, its foot at the bottom (y down); top right clear
    assert corner.size == (70, 70) and alpha[35, 9] > 200 and alpha[59, 35] > 200
    assert alpha[12, 55] == 0
    assert fresh2.is_blank(fresh26.draw_hand(db, "S10e02", 64))


# ----------------------------------------------------------- the plan on a small database


def test_hand_symbols_class_the_drawn_keys_of_each_base(db):
    found = [(label, family, key.name) for label, family, key in fresh26.hand_symbols(db)]
    assert found == [
        ("five_fingers", "hand_flat_five_fingers_spread", "S14c00"),
        ("five_fingers", "hand_flat_heel_five_fingers_spread", "S14d10"),
        ("five_fingers", "hand_flat_heel_five_fingers_spread", "S14d12"),
        ("index", "hand_circle_index", "S10100"),
        ("index", "hand_fist_index", "S10000"),
        ("index", "hand_fist_index", "S10002"),
        ("index", "hand_fist_index", "S10020"),
        ("index_middle", "hand_circle_index_middle", "S10f00"),
        ("index_middle", "hand_fist_index_middle", "S10e00"),
        ("index_middle", "hand_fist_index_middle", "S10e02"),
        ("thumb", "hand_fist_thumb", "S1f500"),
        ("thumb", "hand_fist_thumb_heel", "S1f610"),
        ("thumb", "hand_fist_thumb_side_diagonal", "S1f700"),
    ]


@needs_rsvg
def test_plan_drops_blanks_repeats_and_drawings_of_two_classes(db):
    items = fresh26.plan_signhands(db)
    assert items == fresh26.plan_signhands(db)
    labels = assert_leak_free_plan(items, 4)
    assert labels["train"] + labels["test"] == {
        "index": 3,
        "index_middle": 2,
        "five_fingers": 2,
        "thumb": 2,
    }
    group = {item.element: item.group for item in items}
    assert group == {
        "S10000": "hand_fist_index",
        "S10020": "hand_fist_index",
        "S10100": "hand_circle_index",
        "S10e00": "hand_fist_index_middle",
        "S10f00": "hand_circle_index_middle",
        "S14c00": "hand_flat_five_fingers_spread",
        "S14d10": "hand_flat_heel_five_fingers_spread",
        "S1f610": "hand_fist_thumb_heel",
        "S1f700": "hand_fist_thumb_side_diagonal",
    }
    # five_fingers' frame S14d12 is thumb's S1f500: both dropped
    # two groups a class: one is test, the other train
    sides = Counter((i.label, i.split) for i in {(i.label, i.group): i for i in items}.values())
    assert set(sides.values()) == {1} and len(sides) == 8
    fist = next(i for i in items if i.element == "S10020")
    assert fist.name == "hand_fist_index_s10020" and fist.source == db
    assert all(item.render == "signhands" for item in items)


@needs_rsvg
def test_prepare_fits_a_hand_into_96_px_on_white(db):
    item = holdout_sets.Item("train", "five_fingers", "x", db, "S14c00", "g", "signhands")
    fitted = np.asarray(prepare.load_item(item)).astype(int)
    assert fitted.shape == (96, 96, 3)
    # the corner: a dark post down the left and foot along the bottom, white top right
    assert fitted[48, :12].min() < 60 and fitted[86:94, 48].min() < 60
    assert fitted[10, 80].min() == 255


def test_a_missing_wheel_skips_with_the_pip_download_command(tmp_path, monkeypatch):
    folder = tmp_path / "pypi" / "sutton-signwriting-font-1.0.1"
    root = folder / "sutton_signwriting_font" / "db"
    monkeypatch.setitem(SETS, "signhands", dataclasses.replace(SETS["signhands"], root=root))
    with pytest.raises(pytest.skip.Exception) as skipped:
        skip_unless_installed("signhands")
    message = str(skipped.value)
    assert message.startswith(f"pypi:sutton-signwriting-font==1.0.1 not installed ({root}")
    assert message.endswith(
        "pip download --no-deps sutton-signwriting-font==1.0.1 -d "
        f"/tmp/sutton-signwriting-font-1.0.1 && python -m zipfile -e "
        f"/tmp/sutton-signwriting-font-1.0.1/*.whl {folder}"
    )


# ------------------------------------------------------------------------- on the package


def test_signhands_set_is_registered():
    spec = SETS["signhands"]
    assert spec.package == "pypi:sutton-signwriting-font==1.0.1"
    assert spec.root == fresh25.SIGNWRITING_DB_FOLDER
    assert spec.needs == (fresh25.SIGNWRITING_DB,)
    assert fresh2.PICTURE_READERS["signhands"] is fresh26.read_hand
    assert prepare.FITTED_SIDES["signhands"] == 96


def test_hand_symbols_of_the_wheel():
    skip_unless_installed("signhands")
    rows = fresh26.hand_rows(fresh25.SIGNWRITING_DB)
    # 253 bases of 6 fills x 16 rotations, 7 heel bases of 16 (side view), S15b of 4 x 16
    assert len(rows) == 253 * 96 + 7 * 16 + 64 == 24464
    entries = fresh26.hand_symbols()
    # 4 keys a base; the heel bases 2 (five_fingers S14d, S14f, S151, S15c, S15e; thumb S1f6,
    # S204); so bases x 4 less 2 a heel base
    assert Counter(label for label, _, _ in entries) == {
        "index": 56, "index_middle": 64, "index_middle_thumb": 152, "four_fingers": 32,
        "five_fingers": 58 * 4 - 10, "baby_finger": 120, "ring_finger": 88, "middle_finger": 76,
        "index_thumb": 160, "thumb": 16 * 4 - 4,
    }  # fmt: skip
    families = Counter(label for label, _ in {(label, family) for label, family, _ in entries})
    assert families == {
        "index": 14, "index_middle": 16, "index_middle_thumb": 38, "four_fingers": 8,
        "five_fingers": 58, "baby_finger": 30, "ring_finger": 22, "middle_finger": 19,
        "index_thumb": 40, "thumb": 16,
    }  # fmt: skip


@needs_rsvg
def test_wheel_repeats_and_drawings_of_two_classes():
    skip_unless_installed("signhands")
    db = fresh25.SIGNWRITING_DB

    def picture(key: Path):
        return fresh26.plan_hand(db, key.name)

    entries = fresh26.hand_symbols(db)
    assert not any(fresh2.is_blank(picture(key)) for *_, key in entries)
    unique = unique_icons(entries, fresh2.pixel_digest(picture))
    # HAND-CIRCLE and HAND-FIST: a disc and a square, the same turned a quarter
    assert {key.name for *_, key in entries} - {key.name for *_, key in unique} == {
        "S17602", "S17622", "S20302", "S20322",
    }  # fmt: skip
    kept = one_class_only(unique, picture)
    # the palm of HAND-FLAT FOUR FINGERS HINGED and HAND-FLAT FIVE FINGERS SPREAD HINGED
    assert {key.name for *_, key in unique} - {key.name for *_, key in kept} == {
        "S14600", "S14602", "S15700", "S15702",
    }  # fmt: skip


@needs_rsvg
def test_signhands_plan_is_leak_free_deterministic_and_of_the_expected_size():
    skip_unless_installed("signhands")
    items = SETS["signhands"].plan()
    assert items == SETS["signhands"].plan()
    labels = assert_leak_free_plan(items, 10)
    assert labels["train"] == {
        "baby_finger": 60, "five_fingers": 60, "four_fingers": 22, "index": 40,
        "index_middle": 48, "index_middle_thumb": 60, "index_thumb": 60, "middle_finger": 50,
        "ring_finger": 60, "thumb": 39,
    }  # fmt: skip
    assert labels["test"] == {
        "baby_finger": 24, "five_fingers": 24, "four_fingers": 8, "index": 16,
        "index_middle": 16, "index_middle_thumb": 24, "index_thumb": 24, "middle_finger": 20,
        "ring_finger": 24, "thumb": 16,
    }  # fmt: skip
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    sides: dict[tuple[str, int], set[str]] = {}
    for item in items:  # a base's fills and rotations (its family) on one side
        sides.setdefault((item.label, fresh25.base_of(str(item.element))), set()).add(item.split)
    assert all(len(s) == 1 for s in sides.values())
    assert all(
        item.render == "signhands" and item.source == fresh25.SIGNWRITING_DB for item in items
    )


@needs_rsvg
@pytest.mark.parametrize("index", [0, -1])
def test_prepare_fits_wheel_hands_into_their_listed_side(index):
    skip_unless_installed("signhands")
    item = SETS["signhands"].plan()[index]
    expected = prepare.fit_on_white(fresh26.read_hand(item), 96)
    assert expected.mode == "RGB" and expected.size == (96, 96)
    assert np.array_equal(np.asarray(prepare.load_item(item)), np.asarray(expected))
