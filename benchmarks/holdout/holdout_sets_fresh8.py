"""A set of the fourth fresh hold-out, prepared on 2026-12-04 in the seventeenth session (after
``qet``) before any model ran on it and evaluated once in that session (results 15): ``scripts``
(fonts-unifont), from a package that no other set and no
meta-dataset source reads. Planned with the helpers of ``holdout_sets.py``,
``holdout_sets_fresh2.py`` and ``holdout_sets_fresh4.py``, whose ``SETS`` this module extends
when it is imported (``holdout_sets`` imports it at its end); it adds its picture reader to
fresh2's ``PICTURE_READERS``, which ``prepare.py`` reads.

GNU Unifont draws every character of the Unicode Basic Multilingual Plane as one 16 px high
bitmap (8 or 16 px wide), one hand for all scripts. A picture is one letter of a writing system
drawn from ``unifont.otf`` at its own 16 px size and enlarged eightfold, pixel for pixel; its
class is the script, read from the Unicode block of its code point (``U+0D05`` is
``malayalam``). Only letters (general category ``Lo``, ``Lu``, ``Ll``) are read: no digits,
marks or signs; a letter that is one dot (``is_dot``) is dropped. Identical pictures
are removed (``unique_icons``), and letters of one script that are one drawing with a mark
added are chained into one group that stays on one side: ``letter_family`` (the letter's Unicode
name without its case and what follows ``WITH``: ``ARABIC LETTER BEH WITH THREE DOTS BELOW`` is
``beh``, ``ARMENIAN CAPITAL LETTER AYB`` and ``ARMENIAN SMALL LETTER AYB`` are ``ayb``; a long
vowel is its short one; an Ethiopic syllable is its consonant's row; ``LETTER_FAMILIES``, the
redraws found on contact sheets), ``letter_body`` (letters whose bitmaps without their dots are
the same: Arabic's ``beh``, ``teh`` and ``theh``) and fresh4's ``drawing_groups`` (outlines
overlapping, near grey thumbnails).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from holdout_sets import (
    SETS,
    HoldoutSet,
    Item,
    chained,
    split_and_cap,
    unique_icons,
)
from holdout_sets_fresh2 import (
    FAMILY_MOST,
    PICTURE_READERS,
    Entry,
    cap_per_group,
    is_blank,
    pixel_digest,
)
from holdout_sets_fresh4 import centred, drawing_groups

if TYPE_CHECKING:
    from PIL import Image

SCRIPTS_ROOT = Path("/usr/share/fonts/opentype/unifont")  # fonts-unifont
SCRIPTS_FONT = SCRIPTS_ROOT / "unifont.otf"  # the Basic Multilingual Plane
# Unicode block (first, last code point) -> class: eight scripts of 50 or more letters, far from
# the Latin letters the ``glyphs_alnum`` core dataset draws, two of each kind (Arabic, Armenian,
# Georgian, Ethiopic; Devanagari and Malayalam, Thai and Myanmar, Brahmic scripts of India and of
# South-East Asia). Left out (README): Latin, Greek, Cyrillic and Cherokee (letters like Latin
# ones), Hangul and CJK (thousands of syllables and ideographs built from shared parts), Canadian
# syllabics (one shape turned four ways), the scripts of under 50 letters (Hebrew 31, Tamil 37)
# and the other Brahmic scripts (Bengali, Gujarati, Gurmukhi, Oriya, Kannada, Telugu, Sinhala,
# Tibetan, Khmer, Lao: eight classes are enough, two of a kind make them close).
SCRIPTS_BLOCKS = {
    (0x0600, 0x06FF): "arabic",
    (0x0530, 0x058F): "armenian",
    (0x0900, 0x097F): "devanagari",
    (0x1200, 0x137F): "ethiopic",
    (0x10A0, 0x10FF): "georgian",
    (0x0D00, 0x0D7F): "malayalam",
    (0x1000, 0x109F): "myanmar",
    (0x0E00, 0x0E7F): "thai",
}
SCRIPTS_LETTERS = frozenset({"Lo", "Lu", "Ll"})  # general categories read: letters
SCRIPTS_EM = 16  # px: Unifont's own size, at which every glyph is one bitmap
SCRIPTS_ZOOM = 8  # each bitmap pixel becomes a ZOOM x ZOOM block (16 px -> 128 px)
SCRIPTS_PLAN_SIDE = 64  # px: the square the plan compares letters in (16 px bitmaps, x4)
# px: an 8-connected piece of a 16 px letter this small is a dot or a mark (Arabic's dots, in
# ones, twos and threes); letters whose bodies without such pieces are the same are one drawing
# with its dots moved (``beh``, ``teh``, ``theh``; ``jeem``, ``hah``, ``khah``).
DOT_MOST = 4
ETHIOPIC_ROW = 8  # an Ethiopic consonant's syllables are a row of 8 code points
SCRIPTS_TRAIN_PER_CLASS = 45
SCRIPTS_TEST_PER_CLASS = 20
CASE_WORDS = re.compile(r"\b(CAPITAL|SMALL|LETTER|SYLLABLE|CHARACTER)\b")
# An Indic independent vowel's long or compound form is its short one with a mark added (the
# last word of the name: ``MALAYALAM LETTER II`` joins ``I``, ``VOCALIC RR`` joins ``VOCALIC R``).
VOWEL_FAMILIES = {"AA": "A", "II": "I", "UU": "U", "EE": "E", "AI": "E", "OO": "O", "AU": "O"}
VOWEL_FAMILIES |= {"RR": "R", "LL": "L"}
# Letters drawn as another with a stroke or mark added, which neither the names nor the pixel
# rules join (found on contact sheets): code point -> the letter whose family it joins.
# Devanagari's vowels built on A (candra, short, O, AU, OE, AW, ...) and on E, U; Thai's pairs
# that differ by a notch or a longer stem; Ethiopic's consonants drawn from another by a stroke
# (sha from sa, cha from ta, nya from na, ...) and the labialised rows (kwa from ka).
LETTER_FAMILIES = (
    dict.fromkeys([0x0904, 0x0906, 0x0911, 0x0912, 0x0913, 0x0914], 0x0905)
    | dict.fromkeys([0x0972, 0x0973, 0x0974, 0x0975], 0x0905)
    | {0x090D: 0x090F, 0x090E: 0x090F, 0x0976: 0x0909, 0x0977: 0x0909}
    | {0x0E03: 0x0E02, 0x0E05: 0x0E04, 0x0E06: 0x0E04, 0x0E0B: 0x0E0A, 0x0E0F: 0x0E0E}
    | {0x0E15: 0x0E14, 0x0E1B: 0x0E1A, 0x0E1D: 0x0E1C, 0x0E1F: 0x0E1E, 0x0E20: 0x0E16}
    | {0x0E24: 0x0E16, 0x0E26: 0x0E16, 0x0E44: 0x0E43}
    | {0x1238: 0x1230, 0x1248: 0x1240, 0x1250: 0x1240, 0x1258: 0x1240, 0x1268: 0x1260}
    | {0x1278: 0x1270, 0x1288: 0x1280, 0x1298: 0x1290, 0x12B0: 0x12A8, 0x12B8: 0x12A8}
    | {0x12C0: 0x12A8, 0x12E0: 0x12D8, 0x12F8: 0x12F0, 0x1300: 0x12F0, 0x1310: 0x1308}
    | {0x1318: 0x1308, 0x1328: 0x1320, 0x1340: 0x1338}
)


def script_of(code: int) -> str | None:
    """The class of a code point: the script of the ``SCRIPTS_BLOCKS`` block it lies in."""
    return next((s for (a, b), s in SCRIPTS_BLOCKS.items() if a <= code <= b), None)


def letter_family(code: int) -> str:
    """The drawing a letter varies: that of the letter it redraws (``LETTER_FAMILIES``; an
    Ethiopic syllable by its row's first code point), an Ethiopic syllable's row (its
    consonant), else its Unicode name without what follows ``WITH``, the script's word and the
    words of case and kind, a long vowel as its short one (``VOWEL_FAMILIES``) and a chillu as
    its consonant (``ARABIC LETTER BEH WITH SMALL V`` -> ``beh``; ``GEORGIAN CAPITAL LETTER AN``
    -> ``an``; ``MALAYALAM LETTER CHILLU NN`` -> ``nna``)."""
    script = script_of(code)
    if script == "ethiopic":
        row = code - (code - 0x1200) % ETHIOPIC_ROW
        return f"row{(LETTER_FAMILIES.get(row, row) - 0x1200) // ETHIOPIC_ROW}"
    if code in LETTER_FAMILIES:
        return letter_family(LETTER_FAMILIES[code])
    name = unicodedata.name(chr(code), f"U{code:04X}").split(" WITH ")[0]
    words = CASE_WORDS.sub(" ", name).split()
    if words and words[0].lower() == script:
        words = words[1:]
    if words[:1] == ["CHILLU"] and len(words) == 2:
        words = [f"{words[1]}A"]
    if words and words[-1] in VOWEL_FAMILIES and set(words[:-1]) <= {"VOCALIC"}:
        words[-1] = VOWEL_FAMILIES[words[-1]]
    return "_".join(words).lower() or f"u{code:04x}"


def letter_codes(first: int, last: int) -> list[int]:
    """The code points of a block that are letters (``SCRIPTS_LETTERS``)."""
    return [
        code
        for code in range(first, last + 1)
        if unicodedata.category(chr(code)) in SCRIPTS_LETTERS
    ]


@lru_cache(maxsize=1)
def unifont(path: Path = SCRIPTS_FONT) -> object:
    from PIL import ImageFont

    return ImageFont.truetype(str(path), SCRIPTS_EM)


def render_letter(font_path: Path, code: int, zoom: int) -> Image.Image:
    """A letter in black on a clear canvas, RGBA: drawn at ``SCRIPTS_EM`` px without
    anti-aliasing (Unifont is a bitmap font), cropped to its ink and enlarged ``zoom`` times
    pixel for pixel; a letter with no ink comes back empty (1x1, clear)."""
    from PIL import Image, ImageDraw

    font = unifont(font_path)
    canvas = Image.new("L", (4 * SCRIPTS_EM, 2 * SCRIPTS_EM), 0)
    draw = ImageDraw.Draw(canvas)
    draw.fontmode = "1"
    draw.text((SCRIPTS_EM, 0), chr(code), font=font, fill=255)  # type: ignore[arg-type]
    box = canvas.point(lambda value: 255 if value > 127 else 0).getbbox()
    if box is None:
        return Image.new("RGBA", (1, 1), (0, 0, 0, 0))
    mask = canvas.crop(box).point(lambda value: 255 if value > 127 else 0)
    mask = mask.resize((mask.width * zoom, mask.height * zoom), Image.Resampling.NEAREST)
    letter = Image.new("RGBA", mask.size, (0, 0, 0, 0))
    letter.paste((0, 0, 0, 255), mask=mask)
    return letter


def letter_code(key: Path) -> int:
    """The code point of a key ``<font>/U+0D05``."""
    return int(key.name.removeprefix("U+"), 16)


def read_letter(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the scripts set: the letter enlarged ``SCRIPTS_ZOOM`` times
    (16 px bitmaps -> 128 px)."""
    return render_letter(item.source, letter_code(Path(str(item.element))), SCRIPTS_ZOOM)


@lru_cache(maxsize=2048)
def plan_picture(key: Path) -> Image.Image:
    """The letter as the plan compares it: enlarged four times and centred on
    ``SCRIPTS_PLAN_SIDE`` px (cached: the plan reads each letter several times)."""
    zoom = SCRIPTS_PLAN_SIDE // SCRIPTS_EM
    return centred(render_letter(key.parent, letter_code(key), zoom), SCRIPTS_PLAN_SIDE)


def pieces(mask: Any) -> list[list[tuple[int, int]]]:
    """The 8-connected pieces of a boolean 2-D mask, each a list of (row, column)."""
    todo = {(int(r), int(c)) for r, c in zip(*mask.nonzero(), strict=True)}
    found = []
    while todo:
        stack, piece = [todo.pop()], []
        while stack:
            row, column = stack.pop()
            piece.append((row, column))
            for near in [(row + i, column + j) for i in (-1, 0, 1) for j in (-1, 0, 1)]:
                if near in todo:
                    todo.remove(near)
                    stack.append(near)
        found.append(piece)
    return found


def dotless(mask: Any) -> bytes:
    """A boolean 2-D mask without its dots (pieces of ``DOT_MOST`` pixels or fewer), cropped,
    as bytes (its shape first); the whole mask, cropped, when it is all dots."""
    import numpy as np

    body = np.zeros_like(mask)
    for piece in pieces(mask):
        if len(piece) > DOT_MOST:
            body[tuple(zip(*piece, strict=True))] = True
    if not body.any():
        body = mask
    rows, columns = body.nonzero()
    body = body[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]
    return bytes(body.shape) + np.packbits(body).tobytes()


@lru_cache(maxsize=2048)
def letter_bitmap(key: Path) -> Any:
    """The letter's 16 px bitmap, cropped to its ink, as a boolean array."""
    import numpy as np

    return np.asarray(render_letter(key.parent, letter_code(key), 1).getchannel("A")) > 127


def letter_body(key: Path) -> bytes:
    """The letter's 16 px bitmap without its dots (``dotless``)."""
    return dotless(letter_bitmap(key))


def body_families(entries: list[Entry]) -> list[Entry]:
    """The entries with their family chained: letters of one script that share a family or
    whose ``letter_body`` is the same, named after the first."""
    bodies = [letter_body(key) for *_, key in entries]

    def linked(i: int, j: int) -> bool:
        same_family = entries[i][1] == entries[j][1]
        return entries[i][0] == entries[j][0] and (same_family or bodies[i] == bodies[j])

    roots = chained(len(entries), linked)
    return [(label, entries[roots[i]][1], key) for i, (label, _, key) in enumerate(entries)]


def is_dot(bitmap: Any) -> bool:
    """A letter whose whole ink is a dot, ``DOT_MOST`` pixels or fewer of its 16 px bitmap
    (``MALAYALAM LETTER DOT REPH``, 2 x 2), which fitted into a square is a black square."""
    return int(bitmap.sum()) <= DOT_MOST


def script_letters(font: Path = SCRIPTS_FONT) -> list[Entry]:
    """(class, family, key) of every letter of the blocks used, sorted by code point; the key
    is ``<font>/U+XXXX``."""
    return [
        (label, letter_family(code), font / f"U+{code:04X}")
        for (first, last), label in sorted(SCRIPTS_BLOCKS.items())
        for code in letter_codes(first, last)
    ]


def letter_name(key: Path) -> str:
    """Output stem: the code point and the letter's family (``u0d05_a``), unique in a script."""
    return f"u{letter_code(key):04x}_{letter_family(letter_code(key))}"


def plan_scripts(font: Path = SCRIPTS_FONT) -> list[Item]:
    """Script of a Unifont letter as the class; blank and repeated pictures dropped; test =
    whole groups per script (outlines overlapping by 90% or more at 64 px or 16 px, near
    thumbnails, or one ``letter_family``, chained; ``FAMILY_MOST`` letters a group at most)."""

    drawn = [
        entry
        for entry in script_letters(font)
        if not is_blank(plan_picture(entry[2])) and not is_dot(letter_bitmap(entry[2]))
    ]
    grouped = drawing_groups(
        body_families(unique_icons(drawn, pixel_digest(plan_picture))), plan_picture
    )
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        "scripts",
        (SCRIPTS_TRAIN_PER_CLASS, SCRIPTS_TEST_PER_CLASS),
        "scripts",
        letter_name,
        lambda key: key.parent,
        lambda key: key.name,
    )


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS["scripts"] = read_letter
FRESH8_SETS = (
    HoldoutSet(
        "scripts",
        "fonts-unifont",
        SCRIPTS_ROOT,
        "writing system of a letter drawn by GNU Unifont (8)",
        "by family (letters of one script whose Unicode names agree once case and what follows "
        "WITH are left out (a long vowel joins its short one, an Ethiopic syllable its "
        "consonant's row, a hand-made list of redraws: Thai fo fa and pho phung, Devanagari's "
        "vowels built on A), whose bitmaps without their dots are the same (beh, teh, theh), "
        "whose outlines overlap by 90% or more at 64 px or coarsened to 16 px, or whose grey "
        "16 px thumbnails differ by less than a quarter of their ink, chained; at most 5 letters "
        "a family), about 30% of each script, after removing dots and identical pictures",
        plan_scripts,
    ),
)
SETS.update({spec.name: spec for spec in FRESH8_SETS})
