"""The sixth fresh hold-out's set (kanji, ``holdout_sets_fresh10``): Unihan fields read from
unicode-data's files, radicals and variant families, which code points the font draws, and a
leak-free and deterministic plan. Checks that read the Debian packages skip, naming them, where
they are not installed."""

from __future__ import annotations

import bz2
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh9 as fresh9  # noqa: E402
import holdout_sets_fresh10 as fresh10  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS, Item  # noqa: E402
from plan_checks import assert_leak_free_plan, skip_unless_installed  # noqa: E402

LATIN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # fonts-dejavu-core


def write_unihan(root: Path, name: str, lines: list[str]) -> None:
    """A Unihan file as unicode-data ships it: a comment, then tab-separated lines, bzip2."""
    text = "# Unihan test file\n\n" + "".join(line.replace(" | ", "\t") + "\n" for line in lines)
    (root / name).write_bytes(bz2.compress(text.encode("utf-8")))


@pytest.fixture
def unihan(tmp_path: Path) -> Path:
    """A small Unihan: water 水 (85.0), 氷 (85.1), 沢 (85.4) and its old form 澤 (85.13), tree
    桜 (75.6) and its old form 櫻 (75.17), silk 紅 (120.3) and its simplified 红 (120'.3), the
    person radical's 休 (9.4); 林 (75.4) in no list."""
    write_unihan(
        tmp_path,
        fresh10.UNIHAN_LISTS.name,
        [
            "U+6C34 | kJoyoKanji | 2010",
            "U+6C37 | kJoyoKanji | 2010",
            "U+6CA2 | kJoyoKanji | 2010",
            "U+6FA4 | kJinmeiyoKanji | 2010:U+6CA2",
            "U+685C | kJoyoKanji | 2010",
            "U+6AFB | kJinmeiyoKanji | 2010:U+685C",
            "U+7D05 | kJoyoKanji | 2010",
            "U+7EA2 | kJoyoKanji | 2010",
            "U+4F11 | kJoyoKanji | 2010",
            "U+6C34 | kJis0 | 3169",
        ],
    )
    radicals = {
        "6C34": "85.0",
        "6C37": "85.1",
        "6CA2": "85.4",
        "6FA4": "85.13",
        "685C": "75.6",
        "6AFB": "75.17",
        "7D05": "120.3",
        "7EA2": "120'.3",
        "4F11": "9.4",
        "6797": "75.4",
    }
    write_unihan(
        tmp_path,
        fresh10.UNIHAN_RADICALS.name,
        [f"U+{code} | kRSUnicode | {value}" for code, value in radicals.items()],
    )
    write_unihan(
        tmp_path,
        fresh10.UNIHAN_VARIANTS.name,
        ["U+7D05 | kSimplifiedVariant | U+7EA2", "U+6CA2 | kSpoofingVariant | U+6C34"],
    )
    return tmp_path


# ------------------------------------------------------------------------------ Unihan


def test_unihan_fields_reads_the_fields_asked_for(unihan):
    found = fresh10.unihan_fields(unihan / fresh10.UNIHAN_LISTS.name, fresh10.KANJI_LISTS)
    assert found[0x6C34] == {"kJoyoKanji": "2010"}  # kJis0 not asked for
    assert found[0x6FA4] == {"kJinmeiyoKanji": "2010:U+6CA2"}
    assert len(found) == 9


def test_variant_codes_and_radical_strokes_parse_unihan_values():
    assert fresh10.variant_codes("U+6DFA<kMatthews U+6E05") == [0x6DFA, 0x6E05]
    assert fresh10.variant_codes("2010:U+85AB") == [0x85AB]
    assert fresh10.variant_codes("2010") == []
    assert fresh10.variant_codes("U+20B9F") == [0x20B9F]
    assert fresh10.radical_strokes("85.5") == (85, 5)
    assert fresh10.radical_strokes("75.0 75.1") == (75, 0)  # the first of several
    assert fresh10.radical_strokes("120'.3") is None  # a simplified radical's form


def test_kanji_families_chain_variants_both_ways():
    codes = [0x6C34, 0x6CA2, 0x6FA4, 0x7027]
    variants = {0x6FA4: {"kJinmeiyoKanji": "2010:U+6CA2"}, 0x7027: {"kZVariant": "U+9999"}}
    families = fresh10.kanji_families(codes, variants)
    assert families == {0x6C34: "6c34", 0x6CA2: "6ca2", 0x6FA4: "6ca2", 0x7027: "7027"}


def test_kanji_classes_keep_the_radicals_used_of_listed_kanji(unihan):
    found = fresh10.kanji_classes(unihan)
    assert found == {
        0x6C34: ("water", 0),
        0x6C37: ("water", 1),
        0x6CA2: ("water", 4),
        0x6FA4: ("water", 13),
        0x685C: ("tree", 6),
        0x6AFB: ("tree", 17),
        0x7D05: ("silk", 3),
    }  # 红 a simplified radical's form, 休 the person radical, 林 in no list
    assert set(fresh10.RADICAL_CLASSES.values()) == {
        "water",
        "tree",
        "hand",
        "grass",
        "silk",
        "speech",
    }


def test_kanji_entries_join_old_forms_and_the_radical_with_a_stroke(unihan):
    if not fresh10.KANJI_FONT.exists():
        pytest.skip(f"{fresh10.KANJI_FONT} missing (Debian package fonts-seto)")
    font = fresh10.KANJI_FONT
    found = fresh10.kanji_entries(font, unihan)
    assert found == [
        ("silk", "7d05", font / "U+7D05"),
        ("tree", "685c", font / "U+685C"),
        ("tree", "685c", font / "U+6AFB"),  # 櫻, the old form of 桜
        ("water", "radical-water", font / "U+6C34"),
        ("water", "radical-water", font / "U+6C37"),  # 氷: 水 with a stroke
        ("water", "6ca2", font / "U+6CA2"),  # a spoofing variant is no family
        ("water", "6ca2", font / "U+6FA4"),  # 澤, the old form of 沢
    ]


# ------------------------------------------------------------------------- drawing


def test_draws_tells_drawn_code_points_from_missing_ones():
    if not LATIN_FONT.exists():
        pytest.skip(f"{LATIN_FONT} missing (Debian package fonts-dejavu-core)")
    assert fresh10.draws(LATIN_FONT, ord("A"))
    assert not fresh10.draws(LATIN_FONT, 0x6C34)  # DejaVu has no kanji
    assert fresh10.kanji_name(LATIN_FONT / "U+6C34") == "u6c34"


def test_prepare_fits_a_kanji_into_96_px():
    skip_unless_installed("kanji")
    item = Item("train", "water", "u6c34", fresh10.KANJI_FONT, "U+6C34", "radical-water", "kanji")
    image = prepare.load_item(item)
    assert image.mode == "RGB" and image.size == (96, 96)
    pixels = np.asarray(image)
    assert pixels.min() == 0 and pixels.max() == 255  # black ink on white
    assert (pixels[..., 0] == pixels[..., 2]).all()  # grey: no colour
    assert (pixels[:, :, 0] < 128).any(axis=0).sum() >= 40  # 水 fills the square


def test_kanji_set_is_registered_and_drawn_at_96_px():
    assert "kanji" in SETS and "hieroglyphs" in SETS
    assert SETS["kanji"].package == "fonts-seto unicode-data"
    assert SETS["kanji"].needs[0] == fresh10.KANJI_FONT
    assert prepare.FITTED_SIDES["kanji"] == 96
    assert fresh2.PICTURE_READERS["kanji"] is fresh9.read_sign


# ------------------------------------------------------------------------------- plans


def test_kanji_plan_is_leak_free_deterministic_and_without_repeats():
    skip_unless_installed("kanji")
    items = SETS["kanji"].plan()
    assert items == SETS["kanji"].plan()
    labels = assert_leak_free_plan(items, 6)
    assert set(labels["train"]) == set(fresh10.RADICAL_CLASSES.values())
    assert labels["train"].total() == 270 and labels["test"].total() == 120
    assert set(labels["train"].values()) == {45} and set(labels["test"].values()) == {20}
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    keys = [i.source / str(i.element) for i in items]
    pixels = [fresh9.plan_picture(key).tobytes() for key in keys]
    assert len(set(pixels)) == len(pixels), "a kanji is planned twice"
    entries = {key: (label, family) for label, family, key in fresh10.kanji_entries()}
    sides: dict[tuple[str, str], set[str]] = {}
    for item, key in zip(items, keys, strict=True):  # a family stays on one side
        assert entries[key][0] == item.label
        sides.setdefault(entries[key], set()).add(item.split)
    assert all(len(split) == 1 for split in sides.values())


@pytest.mark.parametrize("index", [0, -1])
def test_render_fitted_reads_kanji(index):
    skip_unless_installed("kanji")
    item = SETS["kanji"].plan()[index]
    image = prepare.load_item(item)
    assert image.mode == "RGB" and image.size == (96, 96)
    assert np.asarray(image).min() < 100 and np.asarray(image).max() == 255  # ink on white
