"""The fifth fresh hold-out's set (hieroglyphs, ``holdout_sets_fresh9``): Gardiner numbers
read from Unicode names, sign families (variant letters, hand-made list), how a sign is drawn and
fitted, and a leak-free and deterministic plan. Checks that read the Debian package skip, naming
it, where it is not installed."""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh9 as fresh9  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS, Item  # noqa: E402
from plan_checks import assert_leak_free_plan, skip_unless_installed  # noqa: E402

LATIN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # fonts-dejavu-core
SIGNS = {  # code points of a few signs, from the Unicode charts
    "a001": 0x13000,
    "a006b": 0x13008,
    "d067": 0x130C9,
    "g017": 0x13153,
}


def signs_per_category() -> Counter[str]:
    """Signs of the Egyptian Hieroglyphs block per Gardiner category, counted from the Unicode
    names alone (not with the module's parser)."""
    counts: Counter[str] = Counter()
    for code in range(0x13000, 0x13430):
        name = unicodedata.name(chr(code), "")
        if name.startswith("EGYPTIAN HIEROGLYPH "):
            counts[re.sub(r"\d.*", "", name.split()[-1])] += 1
    return counts


# ------------------------------------------------------------------ Gardiner numbers


def test_gardiner_code_reads_category_number_and_variant():
    assert fresh9.gardiner_code(SIGNS["a001"]) == ("A", 1, "")
    assert fresh9.gardiner_code(SIGNS["a006b"]) == ("A", 6, "B")
    assert fresh9.gardiner_code(SIGNS["g017"]) == ("G", 17, "")
    assert fresh9.gardiner_code(0x0041) is None  # LATIN CAPITAL LETTER A
    assert fresh9.gardiner_code(0x13430) is None  # a format control after the block
    assert fresh9.sign_label(SIGNS["a006b"]) == "a006b" and fresh9.sign_label(0x13000) == "a001"


def test_sign_family_drops_the_variant_letter_and_follows_the_hand_made_list():
    assert fresh9.sign_family(SIGNS["a006b"]) == "a006"
    assert fresh9.sign_family(SIGNS["g017"]) == "g017"
    codes = {fresh9.sign_label(code): code for code in range(0x13000, 0x13430)}
    assert fresh9.sign_family(codes["a002"]) == "a001"  # the seated man, hand to mouth
    assert fresh9.sign_family(codes["a045a"]) == "a040"  # the seated king, red crown
    assert fresh9.sign_family(codes["g002"]) == "g001"  # two vultures
    assert fresh9.sign_family(SIGNS["d067"]) == "d067"


def test_hand_made_families_name_signs_of_one_category_without_chains():
    numbers = {fresh9.sign_label(code)[:4] for code in range(0x13000, 0x13430)}
    for sign, base in fresh9.SIGN_FAMILIES.items():
        assert sign in numbers and base in numbers, (sign, base)
        assert sign[0] == base[0], "a redraw is in the category of the drawing it redraws"
        assert base not in fresh9.SIGN_FAMILIES, "sign_family looks a sign up once"
        assert base[0].upper() in fresh9.GARDINER_CLASSES


def test_hieroglyph_signs_are_the_categories_used_less_the_counting_dots(tmp_path):
    font = tmp_path / "font.ttf"  # only named in the keys: listing the signs reads no font
    found = fresh9.hieroglyph_signs(font)
    per_category = signs_per_category()
    dots = sum(1 for code in range(0x13000, 0x13430) if fresh9.sign_family(code) == "d067")
    assert dots == 9  # D067, D067A..D067H
    expected = {label: per_category[letter] for letter, label in fresh9.GARDINER_CLASSES.items()}
    expected["body"] -= dots
    assert Counter(label for label, _, _ in found) == expected
    assert expected == {
        "man": 80,
        "body": 83,
        "mammals": 44,
        "birds": 64,
        "plants": 66,
        "buildings": 75,
    }
    assert all(key.parent == font and key.name.startswith("U+13") for *_, key in found)
    assert found == sorted(found, key=lambda entry: (entry[0], fresh9.sign_code(entry[2])))
    assert ("man", "a006", font / "U+13008") in found  # A006B
    assert not any(key.name == f"U+{SIGNS['d067']:X}" for *_, key in found)


def test_sign_name_and_code_round_trip():
    key = fresh9.HIEROGLYPHS_FONT / "U+13008"
    assert fresh9.sign_code(key) == 0x13008
    assert fresh9.sign_name(key) == "a006b"


# ------------------------------------------------------------------------- drawing


def test_render_sign_crops_to_the_ink_and_fits_the_square():
    if not LATIN_FONT.exists():
        pytest.skip(f"{LATIN_FONT} missing (Debian package fonts-dejavu-core)")
    tall = fresh9.render_sign(LATIN_FONT, ord("l"), 64)
    assert tall.mode == "RGBA" and tall.height == 64 and tall.width < 20
    assert tall.getbbox() == (0, 0, tall.width, tall.height)  # cropped to the ink
    wide = fresh9.render_sign(LATIN_FONT, ord("-"), 64)
    assert wide.width == 64 and wide.height < 20
    assert set(np.asarray(tall)[..., :3].reshape(-1).tolist()) == {0}  # black, alpha only
    assert fresh9.render_sign(LATIN_FONT, ord(" "), 64).size == (1, 1)  # no ink


def test_prepare_fits_a_sign_into_96_px():
    skip_unless_installed("hieroglyphs")
    font = fresh9.HIEROGLYPHS_FONT
    item = Item("train", "birds", "g017", font, "U+13153", "g017", "hieroglyphs")
    image = prepare.load_item(item)
    assert image.mode == "RGB" and image.size == (96, 96)
    pixels = np.asarray(image)
    assert pixels.min() == 0 and pixels.max() == 255  # black ink on white
    assert (pixels[..., 0] == pixels[..., 2]).all()  # grey: no colour
    assert (pixels[:, :, 0] < 128).any(axis=0).sum() >= 40  # the owl fills the square


def test_hieroglyphs_set_is_registered_and_drawn_at_96_px():
    assert "hieroglyphs" in SETS and "scripts" in SETS
    assert SETS["hieroglyphs"].package == "fonts-ancient-scripts"
    assert SETS["hieroglyphs"].needs == (fresh9.HIEROGLYPHS_FONT,)
    assert prepare.FITTED_SIDES["hieroglyphs"] == 96
    assert fresh2.PICTURE_READERS["hieroglyphs"] is fresh9.read_sign


# ------------------------------------------------------------------------------- plans


def test_hieroglyphs_plan_is_leak_free_deterministic_and_without_repeats():
    skip_unless_installed("hieroglyphs")
    items = SETS["hieroglyphs"].plan()
    assert items == SETS["hieroglyphs"].plan()
    labels = assert_leak_free_plan(items, 6)
    assert set(labels["train"]) == set(fresh9.GARDINER_CLASSES.values())
    assert 240 <= labels["train"].total() <= 270 and 95 <= labels["test"].total() <= 120
    assert min(labels["train"].values()) >= 25 and min(labels["test"].values()) >= 10
    assert max(labels["train"].values()) <= 45 and max(labels["test"].values()) <= 20
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    keys = [i.source / str(i.element) for i in items]
    pixels = [fresh9.plan_picture(key).tobytes() for key in keys]
    assert len(set(pixels)) == len(pixels), "a sign is planned twice"
    sides: dict[tuple[str, str], set[str]] = {}
    for item, key in zip(items, keys, strict=True):  # a family stays on one side
        letter = fresh9.gardiner_code(fresh9.sign_code(key))[0]  # type: ignore[index]
        assert fresh9.GARDINER_CLASSES[letter] == item.label
        family = fresh9.sign_family(fresh9.sign_code(key))
        assert family != "d067"
        sides.setdefault((item.label, family), set()).add(item.split)
    assert all(len(split) == 1 for split in sides.values())


@pytest.mark.parametrize("index", [0, -1])
def test_render_fitted_reads_signs(index):
    skip_unless_installed("hieroglyphs")
    item = SETS["hieroglyphs"].plan()[index]
    image = prepare.load_item(item)
    assert image.mode == "RGB" and image.size == (96, 96)
    assert np.asarray(image).min() < 100 and np.asarray(image).max() == 255  # ink on white
