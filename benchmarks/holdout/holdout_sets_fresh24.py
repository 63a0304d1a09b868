"""A fresh hold-out set (fresh24), prepared on 2026-12-07 before any model ran on it:
``musicsigns`` (the PyPI wheel verovio 6.4.1), from a package that no other set and no
meta-dataset source reads, and the first set read from a PyPI package rather than a Debian one.
Planned with the helpers of ``holdout_sets.py``, ``holdout_sets_fresh2.py``,
``holdout_sets_fresh3.py``, ``holdout_sets_fresh4.py`` and ``holdout_sets_fresh23.py``, whose
``SETS`` this module extends when it is imported (``holdout_sets`` imports it at its end); it
adds its picture reader to fresh2's ``PICTURE_READERS``, which ``prepare.py`` reads (its
``FITTED_SIDES`` needs ``"musicsigns": 96``).

verovio 6.4.1 (a music-engraving library, LGPL-3.0-only; its wheel is
``verovio-6.4.1-cp310-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl``, sha256
``c19311ec...``) ships, under ``verovio/data``, the glyphs of five SMuFL music fonts that it
engraves with: Bravura, Gootville, Leipzig, Leland and Petaluma (free fonts, released under the SIL
Open Font Licence as far as known; the wheel carries only verovio's LGPL texts, and the fonts' own
licence files were not checked here), drawn by different hands (Petaluma hand-written, Gootville
and Leipzig in older engraving styles). ``<Font>.xml`` lists a font's glyphs, each with its SMuFL
code, its SMuFL name (``accidentalFlat``, ``restQuarter``, ``gClef8vb``) and its bounding box, and
``<Font>/<code>.xml`` holds the glyph's outline as an SVG path. The wheel is not installed: it is
downloaded and unpacked into ``$ZAPML_CACHE/pypi/verovio-6.4.1`` (default ``~/.cache/zapml/pypi``),
as ``prepare.py`` prints when it is missing::

    pip download --no-deps verovio==6.4.1 -d /tmp/verovio-6.4.1
    python -m zipfile -e /tmp/verovio-6.4.1/*.whl ~/.cache/zapml/pypi/verovio-6.4.1

A picture is a glyph: its path put in an SVG whose view box is the glyph's bounding box (5%
margin), drawn black by rsvg-convert (``SIGN_RENDER`` px) and fitted into 96 px on white. Its
class is the kind of music sign that its SMuFL name names (``sign_class``): the name's first word
(``SIGN_KINDS``: accidental, articulation (``artic``), flag, notehead, ornament, rest), or clef for
a name with the word ``Clef``. Left out: every other SMuFL range (time signatures, dynamics,
figured bass, tuplets and fingerings, which are digits and letters; lute tablature, mensural and
chant notation, beaters, staff lines, repeats, tremolos and the rest, each under 40 glyphs or a
notation of its own), and within the classes used the glyphs that do not draw the sign
(``LEFT_OUT_WORDS``: accidental and notehead parentheses and brackets, the tablature clefs' letters
``TAB``, the unpitched-percussion clefs' two bars; ``ORNAMENT_PARTS``, the vertical strokes and
zigzag lines that SMuFL builds ornaments of), blank glyphs (``noteheadNull``), identical pictures,
and glyphs whose grey 16 px thumbnail is within 6/255 of one of another class (fresh23's
``one_class_only``: staccato dots squeezed into a square are the black notehead's disc, the double
whole rest's block is the black square notehead).

A glyph's family is its name less the words that name a variant of one drawing
(``sign_family``, ``VARIANT_WORDS``: placement and direction, ``Above``/``Below``, ``Up``/``Down``,
``Left``/``Right``; size and form, ``Small``, ``Large``, ``Short``, ``Straight``, ``Old``,
``Change``, ``Reversed``, ``Turned``, ``Alt``, ``Oversized``; a notehead's value and fill,
``Whole``, ``Half``, ``Black``, ``White``, ``Void``, ``Filled``, one outline tilted, opened or
filled; octave marks, ``8vb``, ``15ma``; bare numbers, the small digit of
``accidental2CommaFlat``): ``flag16thUpStraight`` and ``flag16thDown`` are ``flag16th``,
``gClef8vb`` is ``gClef`` and ``noteheadSlashWhiteHalf`` is ``noteheadSlash``, so a sign's five
fonts and its variants are one family; so are two names that a font draws alike
(``same_drawing_families``: a font's ``accidentalBakiyeSharp`` is its ``accidentalSharp``), so
the sign's other fonts go with them. fresh3's ``near_groups`` (grey 16 px thumbnails closer than
13/255) chains families within a class (the whole and half rests' bar with the double whole
rest's block). fresh4's ``drawing_groups`` is not used: on solid black glyphs its outline overlaps
chained every flag and every clef into two or three groups. At most ``FAMILY_MOST`` glyphs a group
are kept, and a group stays on one side.

Of the wheel's 2,663 glyphs (Bravura 886, Leipzig 658, Petaluma 558, Leland 354, Gootville 207),
979 are of the classes used (flag 170, accidental 168, articulation 164, notehead 158, ornament
139, clef 105, rest 75; by font Bravura 285, Petaluma 240, Leipzig 193, Leland 163, Gootville 98),
in 130 families, 124 once names drawn alike are joined; 4 are blank, 47 repeat another glyph, 46 of
them in their font (Turkish accidentals drawn as the plain sharp and flat, Bravura's alternates),
11 are drawings of two classes: 917 glyphs in 120 groups (ornament 34, accidental 30, articulation
16, notehead 12, rest 12, clef 8, flag 8), 514 once capped at 5 a group. Final counts (train /
test): accidental 40/16, articulation 40/16, clef 17/6, flag 30/10, notehead 40/15, ornament 40/16,
rest 40/14: 247 / 93 in 87 / 31 groups, constant-answer floor 16/93 = 0.172 (accidental). White
share of the fitted pictures 0.64-0.84 a class (noteheads, black ovals and squares, the least
white), mean level 170-219.

Doubtful: these are notation signs, drawn black in one style per font, not pictures of things; the
class is what the sign is in music, and shape gives much of it (flags and hooked rests are tall and
thin, noteheads round or square). Small sides: clef 17 / 6 (8 groups: G, F and C clefs and their
French and old forms; its test side is the C clef in five fonts and the 19th-century F clef), flag
30 / 10 (8 groups, a flag of 1 to 8 hooks; test: the 8th and 16th flags), notehead's test side 3
groups (double whole heads with bars, slashed heads, slash heads), rest's 3. Accidentals carry
small digits (``accidental1CommaFlat``) and ornaments the letters ``tr``. The nearest train/test
pair of a class on the grey 16 px thumbnails is 14.4/255 (two Turkish flats of Leipzig, bakiye and
buyuk mucenneb, accidental), then 18.4 (the 256th and 512th rests, rest), the others 22-69.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from holdout_sets import SETS, HoldoutSet, Item, slug, split_and_cap, unique_icons
from holdout_sets_fresh2 import (
    FAMILY_MOST,
    PICTURE_READERS,
    Entry,
    cap_per_group,
    is_blank,
    pixel_digest,
)
from holdout_sets_fresh3 import near_groups
from holdout_sets_fresh4 import centred, render_svg
from holdout_sets_fresh23 import one_class_only

from zapml.data.cache import cache_root

if TYPE_CHECKING:
    from PIL import Image


def pypi_cache() -> Path:
    """Where PyPI packages that sets read are unpacked: ``$ZAPML_CACHE/pypi`` (default
    ``~/.cache/zapml/pypi``), beside the prepared sets' ``holdout`` folder."""
    return cache_root() / "pypi"


VEROVIO_PIN = "verovio==6.4.1"
VEROVIO_DATA = pypi_cache() / "verovio-6.4.1" / "verovio" / "data"  # the wheel, unpacked
SMUFL_FONTS = ("Bravura", "Gootville", "Leipzig", "Leland", "Petaluma")
# first word of a SMuFL glyph name -> class; a name with the word "Clef" is class clef
SIGN_KINDS = {
    "accidental": "accidental",
    "artic": "articulation",
    "flag": "flag",
    "notehead": "notehead",
    "ornament": "ornament",
    "rest": "rest",
}
# name words of glyphs that do not draw their kind's sign: parentheses and brackets put round an
# accidental or a notehead, the letters TAB of tablature clefs, the unpitched-percussion clefs'
# two bars (restLonga's bars again)
LEFT_OUT_WORDS = frozenset({"Parens", "Parenthesis", "Bracket", "Tab", "unpitched"})
# SMuFL's ornament components, strokes and zigzag lines that ornaments are built of (a vertical
# bar, a black diamond), not ornaments themselves
ORNAMENT_PARTS = ("ornamentLeftVerticalStroke", "ornamentVerticalLine", "ornamentZigZagLine")
# name words of a variant of one drawing: placement, direction, size and form
VARIANT_WORDS = frozenset(
    {"Above", "Below", "Up", "Down", "Left", "Right", "Small", "Large", "Short", "Straight"}
    | {"Old", "Change", "Reversed", "Turned", "Alt", "Oversized"}
    # a notehead's (or rest's) note value and fill: the whole, half and black heads of one shape
    # are the same outline tilted, opened or filled (``noteheadSlashWhiteHalf``, ``...Whole``)
    | {"Whole", "Half", "Black", "White", "Void", "Filled"}
)
OCTAVE_MARK = re.compile(r"\d+(?:va|vb|ma|mb)")  # gClef8vb, fClef15ma
NAME_WORD = re.compile(r"\d+[a-z]*|[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
SIGN_RENDER = 192  # px: a glyph is drawn into this square, then fitted into 96 px
SIGN_PLAN_SIDE = 64  # px: the square the plan compares glyphs in
SIGN_MARGIN = 0.05  # of the bounding box's longer side, round the glyph
SIGN_TRAIN_PER_CLASS = 40
SIGN_TEST_PER_CLASS = 16
SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="{}">'


def name_words(name: str) -> list[str]:
    """A SMuFL name's words (``gClef8vb`` -> ``g``, ``Clef``, ``8vb``; ``6stringTabClef`` ->
    ``6string``, ``Tab``, ``Clef``)."""
    return NAME_WORD.findall(name)


def sign_class(name: str) -> str | None:
    """The kind of sign a SMuFL glyph name names (``accidentalFlat`` -> ``accidental``,
    ``cClefFrench`` -> ``clef``), or None for a glyph left out."""
    words = name_words(name)
    if not words or LEFT_OUT_WORDS & set(words) or name.startswith(ORNAMENT_PARTS):
        return None
    if "Clef" in words:
        return "clef"
    return SIGN_KINDS.get(words[0])


def sign_family(name: str) -> str:
    """A glyph's family: its name less variant words, octave marks and bare numbers, lower case
    (``flag16thUpStraight`` -> ``flag16th``, ``gClef8vb`` -> ``gclef``, ``accidental2CommaFlat``
    -> ``accidentalcommaflat``: one flat with a small 1, 2, 3 or 4)."""
    words = [
        word
        for word in name_words(name)
        if word not in VARIANT_WORDS and not OCTAVE_MARK.fullmatch(word) and not word.isdigit()
    ]
    return "".join(words).lower()


def font_glyphs(font_list: Path) -> list[tuple[str, str, str]]:
    """(code, name, bounding box ``"x y w h"``) of each glyph a font's list names, in its order."""
    found = []
    for glyph in ET.parse(font_list).getroot().iter("g"):
        box = " ".join(glyph.get(key, "0") for key in ("x", "y", "w", "h"))
        found.append((glyph.get("c", ""), glyph.get("n", ""), box))
    return found


def glyph_svg(glyph: Path, box: str) -> bytes:
    """A glyph file's outline as an SVG whose view box is the glyph's bounding box (font units,
    y up: the path flips itself) with a ``SIGN_MARGIN`` margin; empty for an empty box."""
    x, y, width, height = (float(v) for v in box.split())
    if width <= 0 or height <= 0:
        return b""
    pad = SIGN_MARGIN * max(width, height)
    view = f"{x - pad:.1f} {-(y + height) - pad:.1f} {width + 2 * pad:.1f} {height + 2 * pad:.1f}"
    return (SVG_HEAD.format(view) + glyph.read_text() + "</svg>").encode()


def draw_sign(glyph: Path, box: str, side: int) -> Image.Image:
    """A glyph as RGBA, black on clear, drawn by rsvg-convert into a ``side`` square (an empty
    one comes back 1x1 and clear)."""
    from PIL import Image

    data = glyph_svg(glyph, box)
    return render_svg(data, side) if data else Image.new("RGBA", (1, 1), (0, 0, 0, 0))


@lru_cache(maxsize=8192)
def plan_picture(glyph: Path, box: str) -> Image.Image:
    """The glyph as the plan compares it: drawn into and centred on ``SIGN_PLAN_SIDE`` px
    (cached: the plan reads each glyph several times, and tests plan twice)."""
    return centred(draw_sign(glyph, box, SIGN_PLAN_SIDE), SIGN_PLAN_SIDE)


def read_sign(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the musicsigns set: the glyph, ``SIGN_RENDER`` px."""
    return draw_sign(item.source, str(item.element), SIGN_RENDER)


def music_signs(data: Path = VEROVIO_DATA) -> tuple[list[Entry], dict[Path, str]]:
    """(class, family, glyph file) of every glyph of the classes used, by class, family, font
    and code, and each one's bounding box."""
    entries, box_of = [], {}
    for font in SMUFL_FONTS:
        for code, name, box in font_glyphs(data / f"{font}.xml"):
            if label := sign_class(name):
                glyph = data / font / f"{code}.xml"
                entries.append((label, sign_family(name), glyph))
                box_of[glyph] = box
    entries.sort(key=lambda e: (e[0], e[1], e[2].parent.name, e[2].name))
    return entries, box_of


def same_drawing_families(entries: list[Entry], digest: Callable[[Path], str]) -> list[Entry]:
    """The entries with the families of glyphs that a font draws alike joined, named after the
    first in sorted order (a font's ``accidentalBakiyeSharp`` is its ``accidentalSharp``), so
    that the sign's other fonts, drawn differently under both names, stay on one side."""
    parent: dict[str, str] = {}

    def root(family: str) -> str:
        while parent.get(family, family) != family:
            family = parent[family]
        return family

    first_of: dict[tuple[str, str], str] = {}
    for label, family, key in entries:
        seen = first_of.setdefault((label, digest(key)), family)
        low, high = sorted((root(seen), root(family)))
        if low != high:
            parent[high] = low
    return [(label, root(family), key) for label, family, key in entries]


def plan_musicsigns(data: Path = VEROVIO_DATA) -> list[Item]:
    """Kind of sign as the class, from the SMuFL name; blank and repeated glyphs and drawings
    of two classes dropped; variants, fonts and near drawings chained; ``FAMILY_MOST`` glyphs a
    group; test = whole groups."""
    entries, box_of = music_signs(data)
    names = {glyph: name for glyph, name in glyph_names(data).items() if glyph in box_of}

    def picture(glyph: Path) -> Image.Image:
        return plan_picture(glyph, box_of[glyph])

    visible = [entry for entry in entries if not is_blank(picture(entry[2]))]
    digest = pixel_digest(picture)
    joined = same_drawing_families(visible, digest)
    kept = one_class_only(unique_icons(joined, digest), picture)
    grouped = near_groups(kept, picture)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        "musicsigns",
        (SIGN_TRAIN_PER_CLASS, SIGN_TEST_PER_CLASS),
        "musicsigns",
        lambda glyph: f"{slug(names[glyph])}_{glyph.parent.name.lower()}_{glyph.stem.lower()}",
        element=lambda glyph: box_of[glyph],
    )


def glyph_names(data: Path = VEROVIO_DATA) -> dict[Path, str]:
    """Glyph file -> SMuFL name, for every glyph of the five fonts."""
    return {
        data / font / f"{code}.xml": name
        for font in SMUFL_FONTS
        for code, name, _ in font_glyphs(data / f"{font}.xml")
    }


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS["musicsigns"] = read_sign
FRESH24_SETS = (
    HoldoutSet(
        "musicsigns",
        f"pypi:{VEROVIO_PIN}",
        VEROVIO_DATA,
        "kind of music sign a SMuFL glyph of verovio's five fonts draws, from its SMuFL name "
        "(7: accidental, articulation, clef, flag, notehead, ornament, rest)",
        "by family (a name less placement, direction, size, note-value and octave words and "
        "bare numbers, so a sign's five fonts are one family; names a font draws alike joined; "
        "near thumbnails chained by fresh3's near_groups; at most 5 "
        "glyphs a group), about 30% of each kind, after removing the other SMuFL ranges, "
        "parentheses, brackets, tablature and percussion clefs, ornament components, blank and "
        "identical glyphs and drawings of two kinds",
        plan_musicsigns,
        needs=tuple(VEROVIO_DATA / f"{font}.xml" for font in SMUFL_FONTS),
    ),
)
SETS.update({spec.name: spec for spec in FRESH24_SETS})
