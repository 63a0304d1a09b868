"""A set of the sixth fresh hold-out, prepared on 2026-12-05 before any model ran on it: ``kanji``
(fonts-seto, labelled with unicode-data's Unihan database), from packages that no other set and
no meta-dataset source reads (the Seto font is not among the glyph built-ins' font packages).
Planned with the helpers of ``holdout_sets.py``, ``holdout_sets_fresh2.py``,
``holdout_sets_fresh4.py`` and ``holdout_sets_fresh9.py`` (a character is drawn as a hieroglyph
is), whose ``SETS`` this module extends when it is imported (``holdout_sets`` imports it at its
end); it adds its picture reader to fresh2's ``PICTURE_READERS``, which ``prepare.py`` reads.

The Seto font (``setofont.ttf``, handwritten by Seto Tomoko) draws the Japanese kanji. A picture
is one kanji of the Joyo or Jinmeiyo lists (Unihan's ``kJoyoKanji`` and ``kJinmeiyoKanji``: the
characters taught in school and allowed in names), drawn by Pillow and fitted into a square; its
class is its Kangxi radical (Unihan's ``kRSUnicode``), the part that dictionaries sort it under
and that shows in the drawing: the water radical on the left of a kanji, the grass radical on
its top (``RADICAL_CLASSES``). Characters the font does not draw and identical pictures are
removed (``unique_icons``); variants of one character (Unihan's ``kZVariant``,
``kSemanticVariant``, ``kSpecializedSemanticVariant``, ``kSimplifiedVariant``,
``kTraditionalVariant``: the old and new forms of one kanji) are chained into one family
(``kanji_families``), and fresh4's ``drawing_groups`` chains near pictures (outlines
overlapping, near grey thumbnails); a family stays on one side.
"""

from __future__ import annotations

import bz2
import re
from functools import lru_cache
from pathlib import Path

from holdout_sets import SETS, HoldoutSet, Item, chained
from holdout_sets_fresh2 import (
    PICTURE_READERS,
    Entry,
)
from holdout_sets_fresh9 import plan_drawn_signs, read_sign, sign_code, sign_font

KANJI_ROOT = Path("/usr/share/fonts/truetype/seto")  # fonts-seto
KANJI_FONT = KANJI_ROOT / "setofont.ttf"  # the font's regular file (setofont-ex.ttf: extras)
UNIHAN_ROOT = Path("/usr/share/unicode")  # unicode-data
UNIHAN_LISTS = UNIHAN_ROOT / "Unihan_OtherMappings.txt.bz2"  # kJoyoKanji, kJinmeiyoKanji
UNIHAN_RADICALS = UNIHAN_ROOT / "Unihan_IRGSources.txt.bz2"  # kRSUnicode
UNIHAN_VARIANTS = UNIHAN_ROOT / "Unihan_Variants.txt.bz2"
KANJI_LISTS = frozenset({"kJoyoKanji", "kJinmeiyoKanji"})
VARIANT_FIELDS = frozenset(
    {
        "kZVariant",
        "kSemanticVariant",
        "kSpecializedSemanticVariant",
        "kSimplifiedVariant",
        "kTraditionalVariant",
    }
)
# Kangxi radical number -> class: the six radicals with 85 or more kanji of the two lists that
# the font draws, each a shape of its own on the left or top of a kanji (water, tree, hand, silk,
# speech on the left; grass on the top). Left out (README): the person (9, 128 kanji) and heart
# (61, 100) radicals, drawn in two unlike forms each (亻 and 人, 忄 and 心), and mouth (30, 93),
# whose square is a part of many kanji of other radicals.
RADICAL_CLASSES = {
    85: "water",
    75: "tree",
    64: "hand",
    140: "grass",
    120: "silk",
    149: "speech",
}
CODE_POINT = re.compile(r"U\+([0-9A-F]{4,5})")
# A kanji of at most this many strokes beside its radical is the radical with a stroke added.
RADICAL_NEAR = 1
UNCOVERED = 0xEFFFD  # a code point no font draws: what the font draws for it is its missing glyph
KANJI_TRAIN_PER_CLASS = 45
KANJI_TEST_PER_CLASS = 20


def unihan_fields(path: Path, fields: frozenset[str]) -> dict[int, dict[str, str]]:
    """Code point -> {field: value} of the ``fields`` of a Unihan file (``U+6C34<TAB>kField<TAB>
    value`` lines, bzip2-compressed as unicode-data ships them)."""
    found: dict[int, dict[str, str]] = {}
    with bz2.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3 and parts[1] in fields and parts[0].startswith("U+"):
                found.setdefault(int(parts[0][2:], 16), {})[parts[1]] = parts[2]
    return found


def variant_codes(value: str) -> list[int]:
    """The code points a Unihan field names (``U+6DFA<kMatthews U+6E05``, or ``2010:U+85AB``
    in ``kJinmeiyoKanji``: the Joyo kanji that an old form is allowed for)."""
    return [int(code, 16) for code in CODE_POINT.findall(value)]


def radical_strokes(value: str) -> tuple[int, int] | None:
    """(radical, strokes beside it) of a ``kRSUnicode`` value (``85.5`` -> (85, 5)); None for a
    simplified radical's form (``120'.3``), which the Japanese kanji do not use."""
    radical, _, strokes = value.split()[0].partition(".")
    return None if "'" in radical else (int(radical), int(strokes or 0))


def kanji_families(codes: list[int], variants: dict[int, dict[str, str]]) -> dict[int, str]:
    """Code point -> family: the lowest code point of the ``codes`` chained to it through a
    variant field (``variants``: code point -> {field: value}), as hex digits (``6c34``)."""
    index = {code: i for i, code in enumerate(codes)}
    linked: set[tuple[int, int]] = set()
    for code in codes:
        for value in variants.get(code, {}).values():
            for other in variant_codes(value):
                if other in index and other != code:
                    linked |= {(index[code], index[other]), (index[other], index[code])}
    roots = chained(len(codes), lambda i, j: (i, j) in linked)
    return {code: f"{codes[roots[i]]:x}" for i, code in enumerate(codes)}


@lru_cache(maxsize=4)
def missing_glyph(font: Path) -> bytes:
    """The mask the font draws for a code point it lacks."""
    return bytes(sign_font(font, 64).getmask(chr(UNCOVERED)))  # type: ignore[attr-defined]


def draws(font: Path, code: int) -> bool:
    """Whether the font has a drawing of its own for the code point."""
    mask = sign_font(font, 64).getmask(chr(code))  # type: ignore[attr-defined]
    return bytes(mask) != missing_glyph(font)


def kanji_classes(root: Path = UNIHAN_ROOT) -> dict[int, tuple[str, int]]:
    """Code point -> (class, strokes beside the radical) of every kanji of the two lists whose
    radical is a class."""
    lists = unihan_fields(root / UNIHAN_LISTS.name, KANJI_LISTS)
    radicals = unihan_fields(root / UNIHAN_RADICALS.name, frozenset({"kRSUnicode"}))
    found = {}
    for code in sorted(lists):
        counted = radical_strokes(radicals.get(code, {}).get("kRSUnicode", "0.0"))
        if counted is not None and counted[0] in RADICAL_CLASSES:
            found[code] = (RADICAL_CLASSES[counted[0]], counted[1])
    return found


def kanji_entries(font: Path = KANJI_FONT, root: Path = UNIHAN_ROOT) -> list[Entry]:
    """(class, family, key) of every kanji of the classes that the font draws, sorted by class
    and code point; the key is ``<font>/U+XXXX``. Families: ``kanji_families`` over Unihan's
    variant fields and the two lists' references (an old form to its Joyo kanji), and the
    radical alone or with one stroke added (``氷``, ``本``, ``才``) in the radical's family."""
    classes = kanji_classes(root)
    codes = [code for code in sorted(classes) if draws(font, code)]
    links = unihan_fields(root / UNIHAN_VARIANTS.name, VARIANT_FIELDS)
    for code, fields in unihan_fields(root / UNIHAN_LISTS.name, KANJI_LISTS).items():
        links.setdefault(code, {}).update(fields)
    families = kanji_families(codes, links)
    found = []
    for code in codes:
        label, strokes = classes[code]
        family = f"radical-{label}" if strokes <= RADICAL_NEAR else families[code]
        found.append((label, family, font / f"U+{code:X}"))
    return sorted(found, key=lambda entry: (entry[0], sign_code(entry[2])))


def kanji_name(key: Path) -> str:
    """Output stem: the code point in lower-case hex with the character's ``u`` (``u6c34``)."""
    return f"u{sign_code(key):x}"


def plan_kanji(font: Path = KANJI_FONT, root: Path = UNIHAN_ROOT) -> list[Item]:
    """Kangxi radical of a kanji as the class; blank and repeated pictures dropped; test = whole
    groups per radical (Unihan variants, outlines overlapping by 90% or more at 64 px or 16 px,
    or near thumbnails, chained; ``FAMILY_MOST`` kanji a group at most)."""
    sizes = (KANJI_TRAIN_PER_CLASS, KANJI_TEST_PER_CLASS)
    return plan_drawn_signs(kanji_entries(font, root), "kanji", sizes, kanji_name)


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS["kanji"] = read_sign
FRESH10_SETS = (
    HoldoutSet(
        "kanji",
        "fonts-seto unicode-data",
        KANJI_ROOT,
        "Kangxi radical of a Japanese kanji, from its handwritten drawing (6)",
        "by family (kanji of one radical that Unihan names as variants of one another, whose "
        "outlines overlap by 90% or more at 64 px or coarsened to 16 px, or whose grey 16 px "
        "thumbnails differ by less than a quarter of their ink, chained; at most 5 kanji a "
        "family), about 30% of each radical, after removing identical pictures",
        plan_kanji,
        (KANJI_FONT, UNIHAN_LISTS, UNIHAN_RADICALS, UNIHAN_VARIANTS),
    ),
)
SETS.update({spec.name: spec for spec in FRESH10_SETS})
