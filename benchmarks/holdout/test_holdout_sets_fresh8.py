"""The eighth fresh hold-out set (scripts): Unicode blocks and letters, letter families (names,
hand-made list, dotless bodies), how a Unifont letter is drawn and fitted, and a leak-free and
deterministic plan. Checks that read the Debian package skip, naming it, where it is not
installed."""

from __future__ import annotations

import sys
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh8 as fresh8  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS, Item  # noqa: E402
from plan_checks import assert_leak_free_plan, skip_unless_installed  # noqa: E402

KEY = fresh8.SCRIPTS_FONT / "U+0628"  # ARABIC LETTER BEH


def mask(rows: list[str]) -> np.ndarray:
    return np.array([[cell == "#" for cell in row] for row in rows])


# ------------------------------------------------------------------------- blocks, letters


def test_script_of_reads_the_blocks_edges_included():
    assert fresh8.script_of(0x0628) == "arabic"
    assert fresh8.script_of(0x0600) == "arabic" and fresh8.script_of(0x06FF) == "arabic"
    assert fresh8.script_of(0x0E01) == "thai" and fresh8.script_of(0x10D0) == "georgian"
    assert fresh8.script_of(0x0041) is None and fresh8.script_of(0x05D0) is None  # Latin, Hebrew


def test_letter_codes_keep_letters_only():
    # Thai: 46 consonants (U+0E01-0E2E), paiyannoi, sara a, sara aa and am, and the 6 leading
    # vowels U+0E40-0E45; not mai han-akat (a mark), maiyamok (a modifier) or the digits.
    codes = fresh8.letter_codes(0x0E00, 0x0E7F)
    assert len(codes) == 46 + 2 + 2 + 6
    assert 0x0E31 not in codes and 0x0E46 not in codes and 0x0E51 not in codes
    assert fresh8.letter_codes(0x0030, 0x0039) == []  # digits


def test_letter_family_drops_case_with_and_the_script_word():
    family = fresh8.letter_family
    assert family(0x0628) == "beh" and family(0x067B) == "beeh"  # BEEH is its own name
    assert family(0x0680) == "beheh" and family(0x06B0) == "gaf"  # GAF WITH RING -> gaf
    assert family(0x0531) == family(0x0561) == "ayb"  # capital and small
    assert family(0x10A0) == family(0x10D0) == "an"  # Asomtavruli and Mkhedruli
    assert family(0x0E01) == "ko_kai"  # THAI CHARACTER KO KAI


def test_letter_family_joins_long_vowels_chillus_and_ethiopic_rows():
    family = fresh8.letter_family
    assert family(0x0D08) == family(0x0D07) == "i"  # Malayalam II, I
    assert family(0x0D60) == family(0x0D0B) == "vocalic_r"  # VOCALIC RR, VOCALIC R
    assert family(0x0D10) == family(0x0D0E) == "e"  # AI joins E
    assert family(0x0D33) == "lla"  # a consonant whose name ends like a vowel stays
    assert family(0x0D7A) == family(0x0D23) == "nna"  # CHILLU NN joins NNA
    assert family(0x102A) == family(0x1029) == "o"  # Myanmar AU joins O
    assert family(0x1200) == family(0x1206) == "row0"  # HA .. HO
    assert family(0x1208) == "row1"


def test_hand_made_families_join_redraws():
    family = fresh8.letter_family
    assert family(0x0974) == family(0x0905) == "a"  # Devanagari OOE is A with marks
    assert family(0x0914) == "a"  # AU: the list wins over the vowel rule (AU -> O)
    assert family(0x0E1D) == family(0x0E1C)  # Thai fo fa, pho phueng
    assert family(0x12C4) == family(0x12B8) == family(0x12A8) == "row21"  # kxwa, kxa, ka


def test_hand_made_families_name_letters_of_the_blocks_used():
    for code, base in fresh8.LETTER_FAMILIES.items():
        assert fresh8.script_of(code) == fresh8.script_of(base) is not None
        assert unicodedata.category(chr(code)) in fresh8.SCRIPTS_LETTERS
        assert unicodedata.category(chr(base)) in fresh8.SCRIPTS_LETTERS


# ------------------------------------------------------------------------- bodies, families


def test_pieces_are_eight_connected():
    found = fresh8.pieces(mask(["#..#", ".#..", "....", "##.."]))
    assert sorted(len(piece) for piece in found) == [1, 2, 2]  # the diagonal pair is one
    assert sorted(map(sorted, found))[0] == [(0, 0), (1, 1)]


def test_dotless_drops_dots_and_crops():
    bowl = ["......", "#....#", "######"]
    beh = fresh8.dotless(mask([*bowl, "......", "..#..."]))  # one dot below, apart
    teh = fresh8.dotless(mask(["..#.#.", *bowl, "......"]))  # two dots above
    assert beh == teh == fresh8.dotless(mask(bowl))
    assert beh[:2] == bytes((2, 6))  # the bowl alone: 2 rows, 6 columns
    other = fresh8.dotless(mask(["......", "#....#", "#####."]))
    assert other != beh
    dot = fresh8.dotless(mask(["...", ".##", "..."]))  # all dots: the whole letter, cropped
    assert dot[:2] == bytes((1, 2))


def test_body_families_chain_by_body_or_family_within_a_script(monkeypatch):
    root = Path("/font.otf")
    entries = [
        ("arabic", "beh", root / "U+0628"),
        ("arabic", "teh", root / "U+062A"),
        ("arabic", "jeem", root / "U+062C"),
        ("arabic", "beh", root / "U+067B"),
        ("thai", "ko_kai", root / "U+0E01"),
    ]
    bodies = {"U+0628": b"bowl", "U+062A": b"bowl", "U+062C": b"cup", "U+067B": b"other"}
    bodies["U+0E01"] = b"bowl"  # the same body in another script is not chained
    monkeypatch.setattr(fresh8, "letter_body", lambda key: bodies[key.name])
    families = [family for _, family, _ in fresh8.body_families(entries)]
    assert families == ["beh", "beh", "jeem", "beh", "ko_kai"]


def test_is_dot_counts_the_ink_of_the_bitmap():
    assert fresh8.is_dot(mask(["##", "##"]))  # 4 pixels: the dot reph
    assert not fresh8.is_dot(mask(["#"] * 8))  # a bar of 8: alef stays
    assert not fresh8.is_dot(mask(["###", "#.#"]))  # 5 pixels


def test_letter_name_and_code_round_trip():
    assert fresh8.letter_code(KEY) == 0x0628
    assert fresh8.letter_name(KEY) == "u0628_beh"


# ------------------------------------------------------------------------- drawing


def test_render_letter_enlarges_the_bitmap_pixel_for_pixel():
    skip_unless_installed("scripts")
    one = fresh8.render_letter(fresh8.SCRIPTS_FONT, 0x0628, 1)
    eight = fresh8.render_letter(fresh8.SCRIPTS_FONT, 0x0628, 8)
    assert eight.size == (one.width * 8, one.height * 8) and max(one.size) <= 16
    alpha = np.asarray(eight.getchannel("A"))
    assert set(np.unique(alpha)) <= {0, 255}  # no anti-aliasing
    blocks = alpha.reshape(one.height, 8, one.width, 8)
    assert (blocks == blocks[:, :1, :, :1]).all()  # each bitmap pixel is an 8 x 8 block
    assert (np.asarray(one.getchannel("A")) == blocks[:, 0, :, 0]).all()
    assert one.getbbox() == (0, 0, one.width, one.height)  # cropped to the ink


def test_prepare_fits_a_letter_into_96_px():
    skip_unless_installed("scripts")
    item = Item("train", "arabic", "u0628_beh", fresh8.SCRIPTS_FONT, "U+0628", "beh", "scripts")
    image = prepare.load_item(item)
    assert image.mode == "RGB" and image.size == (96, 96)
    pixels = np.asarray(image)
    assert pixels.min() == 0 and pixels.max() == 255  # black ink on white
    assert (pixels[..., 0] == pixels[..., 2]).all()  # grey: no colour


def test_scripts_set_is_registered_and_drawn_at_96_px():
    assert "scripts" in SETS and "qet" in SETS
    assert SETS["scripts"].package == "fonts-unifont"
    assert prepare.FITTED_SIDES["scripts"] == 96
    assert fresh2.PICTURE_READERS["scripts"] is fresh8.read_letter


# ------------------------------------------------------------------------------- plans


def test_scripts_plan_is_leak_free_deterministic_and_without_repeats():
    skip_unless_installed("scripts")
    items = SETS["scripts"].plan()
    assert items == SETS["scripts"].plan()
    labels = assert_leak_free_plan(items, 8)
    assert set(labels["train"]) == set(fresh8.SCRIPTS_BLOCKS.values())
    assert 330 <= labels["train"].total() <= 360 and 140 <= labels["test"].total() <= 160
    assert min(labels["train"].values()) >= 35 and min(labels["test"].values()) >= 15
    assert max(labels["train"].values()) <= 45 and max(labels["test"].values()) <= 20
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    keys = [i.source / str(i.element) for i in items]
    pixels = [fresh8.plan_picture(key).tobytes() for key in keys]
    assert len(set(pixels)) == len(pixels), "a letter is planned twice"
    sides: dict[tuple[str, object], set[str]] = {}
    for item, key in zip(items, keys, strict=True):  # a family or a body stays on one side
        assert fresh8.script_of(fresh8.letter_code(key)) == item.label
        sides.setdefault((item.label, fresh8.letter_family(fresh8.letter_code(key))), set())
        sides[(item.label, fresh8.letter_family(fresh8.letter_code(key)))].add(item.split)
        sides.setdefault((item.label, fresh8.letter_body(key)), set()).add(item.split)
    assert all(len(split) == 1 for split in sides.values())


@pytest.mark.parametrize("index", [0, -1])
def test_render_fitted_reads_letters(index):
    skip_unless_installed("scripts")
    item = SETS["scripts"].plan()[index]
    image = prepare.load_item(item)
    assert image.mode == "RGB" and image.size == (96, 96)
    assert np.asarray(image).min() < 100 and np.asarray(image).max() == 255  # ink on white
