"""A set of the fifth fresh hold-out, prepared on 2026-12-05 in the twenty-seventh session before
any model ran on it: ``hieroglyphs`` (fonts-ancient-scripts), from a package that no other set
and no meta-dataset source reads (its fonts are not among the glyph built-ins' font packages).
Planned with the helpers of ``holdout_sets.py``, ``holdout_sets_fresh2.py`` and
``holdout_sets_fresh4.py``, whose ``SETS`` this module extends when it is imported
(``holdout_sets`` imports it at its end); it adds its picture reader to fresh2's
``PICTURE_READERS``, which ``prepare.py`` reads.

George Douros' Gardiner font (``Gardiner_hint.ttf``) draws the 1,071 signs of Unicode's Egyptian
Hieroglyphs block, each a small line drawing: a man seated, an eye, a bull, an owl, a reed, a
house. Unicode names every sign by its number in Alan Gardiner's sign list (``EGYPTIAN
HIEROGLYPH G017``), whose letter is the sign's category (G: birds). A picture is one sign drawn by
Pillow and fitted into a square; its class is its Gardiner category (``GARDINER_CLASSES``).
Identical pictures are removed (``unique_icons``), and signs of one category that are one drawing
redrawn are chained into one group that stays on one side: ``sign_family`` (the Gardiner number
without its letter: ``A006``, ``A006A`` and ``A006B`` are variants of one sign; ``SIGN_FAMILIES``,
the redraws found on contact sheets) and fresh4's ``drawing_groups`` (outlines overlapping, near
grey thumbnails).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from holdout_sets import SETS, HoldoutSet, Item, split_and_cap, unique_icons
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

HIEROGLYPHS_ROOT = Path("/usr/share/fonts/truetype/ancient-scripts")  # fonts-ancient-scripts
# Gardiner's own font of the package: its lines are bolder than Aegyptus' (the same drawings),
# so they survive being fitted into 96 px.
HIEROGLYPHS_FONT = HIEROGLYPHS_ROOT / "Gardiner_hint.ttf"
HIEROGLYPHS_BLOCK = (0x13000, 0x1342F)  # Unicode's Egyptian Hieroglyphs block
# Gardiner category -> class: six categories of 44 or more signs whose signs show what the
# category names, things a person tells apart on sight. Left out (README), though as large: F
# (parts of mammals: heads, horns and hides, between body and mammals), S (crowns, dress,
# staves), T (warfare), U (agriculture, crafts), V (rope, baskets) and N (sky, earth, water),
# mixed bags of tools and marks, and Z (strokes); and the categories of under 44 signs (Aa
# unclassified 34, R temple furniture 34, W vessels 32, C gods 28, NU and NL nome standards 26
# and 22, I reptiles 19, B women 10, ...).
GARDINER_CLASSES = {
    "A": "man",
    "D": "body",
    "E": "mammals",
    "G": "birds",
    "M": "plants",
    "O": "buildings",
}
SIGN_NAME = re.compile(r"EGYPTIAN HIEROGLYPH ([A-Z]+)(\d+)([A-Z]*)")
# Families left out: D067 to D067H are one to nine counting dots, in the body category but no
# part of a body.
FAMILIES_LEFT_OUT = frozenset({"d067"})
# One drawing redrawn under another number, which the pixel rules of ``drawing_groups`` do not
# chain: Gardiner number -> the number of the drawing it redraws (its arms, what it holds or
# stands on, its crown or a part changed). Found on contact sheets of every class: the seated man
# (a001) holding or doing a dozen things, the seated king (a040) crowned, with a flail or wrapped
# in a mantle, the forearm (d036) holding nine things, the eye (d004) painted, weeping or framed,
# the falcon (g005) on a standard, a collar or a boat, two vultures (g002) for one (g001).
SIGN_FAMILIES = (
    dict.fromkeys(["a002", "a003", "a004", "a007", "a008", "a009", "a010", "a011"], "a001")
    | dict.fromkeys(["a012", "a056", "a069", "a070"], "a001")
    | dict.fromkeys(["a041", "a042", "a043", "a044", "a045", "a046", "a052"], "a040")
    | dict.fromkeys(["a047", "a048", "a049"], "a040")
    | dict.fromkeys(["a019", "a020", "a022", "a023"], "a021")
    | {"a018": "a017", "a025": "a024", "a060": "a024", "a015": "a014"}
    | {"a059": "a024", "a028": "a030", "a031": "a030", "a062": "a061", "a068": "a066"}
    | {"a051": "a050", "a063": "a050", "a055": "a054"}
    | dict.fromkeys(["d005", "d006", "d007", "d008", "d009", "d010"], "d004")
    | dict.fromkeys(["d037", "d038", "d039", "d040", "d041", "d042", "d043", "d044"], "d036")
    | dict.fromkeys(["d029", "d030", "d031"], "d028")
    | dict.fromkeys(["d047", "d048", "d049"], "d046")
    | {"d014": "d011", "d016": "d015", "d017": "d015", "d020": "d019", "d023": "d021"}
    | {"d024": "d021", "d025": "d021", "d053": "d052", "d055": "d054", "d059": "d058"}
    | {"d060": "d058", "d062": "d061", "d063": "d061", "d051": "d050", "d045": "d036"}
    | {"e002": "e001", "e003": "e001", "e005": "e001", "e016": "e015", "e018": "e015"}
    | {"e021": "e020", "e024": "e022", "e037": "e036", "e029": "e028", "e014": "e017"}
    | dict.fromkeys(["g007", "g008", "g009", "g010"], "g005")
    | {"g012": "g011", "g013": "g011", "g015": "g014", "g018": "g017", "g019": "g017"}
    | {"g024": "g023", "g028": "g026", "g030": "g029", "g032": "g031", "g037": "g036"}
    | {"g039": "g038", "g041": "g040", "g049": "g048", "g002": "g001"}
    | dict.fromkeys(["g044", "g045", "g046"], "g043")
    | dict.fromkeys(["m005", "m006", "m007"], "m004")
    | {"m014": "m013", "m016": "m015", "m018": "m017", "m021": "m020", "m023": "m022"}
    | {"m024": "m022", "m038": "m037", "m039": "m036"}
    | {"o002": "o001", "o003": "o001", "o008": "o006", "o009": "o006", "o012": "o011"}
    | {"o014": "o013", "o017": "o016", "o019": "o018", "o021": "o020", "o035": "o034"}
    | {"o037": "o036", "o041": "o040", "o043": "o042", "o046": "o045", "o049": "o048"}
    | {"o050": "o048"}
)
HIEROGLYPHS_EM = 160  # px: the font size a sign is drawn at, before it is scaled to its square
HIEROGLYPHS_RENDER = 128  # px: a sign is drawn into this square, then fitted into prepare's 96
HIEROGLYPHS_PLAN_SIDE = 64  # px: the square the plan compares signs in (repeats, outlines)
HIEROGLYPHS_TRAIN_PER_CLASS = 45
HIEROGLYPHS_TEST_PER_CLASS = 20


def gardiner_code(code: int) -> tuple[str, int, str] | None:
    """A sign's Gardiner category, number and variant letter from its Unicode name
    (``EGYPTIAN HIEROGLYPH A006B`` -> ``("A", 6, "B")``); None for other code points."""
    found = SIGN_NAME.fullmatch(unicodedata.name(chr(code), ""))
    return (found[1], int(found[2]), found[3]) if found else None


def sign_label(code: int) -> str:
    """A sign's Gardiner number as written in the list, in lower case (``a006b``)."""
    category, number, variant = gardiner_code(code) or ("u", code, "")
    return f"{category}{number:03d}{variant}".lower()


def sign_family(code: int) -> str:
    """The drawing a sign varies: its Gardiner number without the variant letter (``a006b`` ->
    ``a006``), or the family of the sign it redraws (``SIGN_FAMILIES``)."""
    category, number, _ = gardiner_code(code) or ("u", code, "")
    family = f"{category}{number:03d}".lower()
    if family in SIGN_FAMILIES:
        return SIGN_FAMILIES[family]
    return family


@lru_cache(maxsize=2)
def sign_font(path: Path, size: int) -> object:
    from PIL import ImageFont

    return ImageFont.truetype(str(path), size)


def render_sign(font_path: Path, code: int, side: int) -> Image.Image:
    """A sign in black on a clear canvas, RGBA: drawn at ``HIEROGLYPHS_EM`` px, cropped to its
    ink and scaled to fit a ``side`` square (its aspect ratio kept); a sign with no ink comes
    back empty (1x1, clear)."""
    from PIL import Image, ImageDraw

    font = sign_font(font_path, HIEROGLYPHS_EM)
    left, top, right, bottom = font.getbbox(chr(code))  # type: ignore[attr-defined]
    pad = 4
    canvas = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    draw = ImageDraw.Draw(canvas)
    draw.text((pad - left, pad - top), chr(code), font=font, fill=255)  # type: ignore[arg-type]
    box = canvas.getbbox()
    if box is None:
        return Image.new("RGBA", (1, 1), (0, 0, 0, 0))
    mask = canvas.crop(box)
    scale = side / max(mask.size)
    size = (max(1, round(mask.width * scale)), max(1, round(mask.height * scale)))
    mask = mask.resize(size, Image.Resampling.LANCZOS)
    sign = Image.new("RGBA", mask.size, (0, 0, 0, 0))
    sign.paste((0, 0, 0, 255), mask=mask)
    return sign


def sign_code(key: Path) -> int:
    """The code point of a key ``<font>/U+13000``."""
    return int(key.name.removeprefix("U+"), 16)


def read_sign(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the hieroglyphs set: the sign drawn into
    ``HIEROGLYPHS_RENDER`` px."""
    return render_sign(item.source, sign_code(Path(str(item.element))), HIEROGLYPHS_RENDER)


@lru_cache(maxsize=2048)
def plan_picture(key: Path) -> Image.Image:
    """The sign as the plan compares it: drawn into and centred on ``HIEROGLYPHS_PLAN_SIDE`` px
    (cached: the plan reads each sign several times, and tests plan twice)."""
    side = HIEROGLYPHS_PLAN_SIDE
    return centred(render_sign(key.parent, sign_code(key), side), side)


def hieroglyph_signs(font: Path = HIEROGLYPHS_FONT) -> list[Entry]:
    """(class, family, key) of every sign of the categories used, sorted by class and code
    point; the key is ``<font>/U+XXXXX``; ``FAMILIES_LEFT_OUT`` dropped."""
    first, last = HIEROGLYPHS_BLOCK
    found = []
    for code in range(first, last + 1):
        gardiner = gardiner_code(code)
        if gardiner is None or gardiner[0] not in GARDINER_CLASSES:
            continue
        if sign_family(code) not in FAMILIES_LEFT_OUT:
            found.append((GARDINER_CLASSES[gardiner[0]], sign_family(code), font / f"U+{code:X}"))
    return sorted(found, key=lambda entry: (entry[0], sign_code(entry[2])))


def sign_name(key: Path) -> str:
    """Output stem: the sign's Gardiner number (``a006b``), unique in its category."""
    return sign_label(sign_code(key))


def plan_drawn_signs(
    entries: list[Entry], name: str, sizes: tuple[int, int], item_name: Callable[[Path], str]
) -> list[Item]:
    """The plan of a set of characters drawn from a font (``entries`` keyed ``font / U+XXXX``):
    blank and repeated pictures dropped, near drawings chained into their entry's group (fresh4's
    ``drawing_groups``), ``FAMILY_MOST`` a group at most, then ``sizes`` (train, test) per class
    of whole groups. Shared by ``hieroglyphs`` and fresh10's ``kanji``."""
    drawn = [entry for entry in entries if not is_blank(plan_picture(entry[2]))]
    grouped = drawing_groups(unique_icons(drawn, pixel_digest(plan_picture)), plan_picture)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        name,
        sizes,
        name,
        item_name,
        lambda key: key.parent,
        lambda key: key.name,
    )


def plan_hieroglyphs(font: Path = HIEROGLYPHS_FONT) -> list[Item]:
    """Gardiner category of a hieroglyph as the class; blank and repeated pictures dropped; test
    = whole groups per category (outlines overlapping by 90% or more at 64 px or 16 px, near
    thumbnails, or one ``sign_family``, chained; ``FAMILY_MOST`` signs a group at most)."""
    sizes = (HIEROGLYPHS_TRAIN_PER_CLASS, HIEROGLYPHS_TEST_PER_CLASS)
    return plan_drawn_signs(hieroglyph_signs(font), "hieroglyphs", sizes, sign_name)


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS["hieroglyphs"] = read_sign
FRESH9_SETS = (
    HoldoutSet(
        "hieroglyphs",
        "fonts-ancient-scripts",
        HIEROGLYPHS_ROOT,
        "Gardiner category of an Egyptian hieroglyph, from its drawing (6)",
        "by family (signs of one category whose Gardiner numbers agree once the variant letter "
        "is left out (A006, A006A, A006B), that redraw one drawing (a hand-made list: the "
        "seated man holding a dozen things, the forearm holding nine), whose outlines overlap "
        "by 90% or more at 64 px or coarsened to 16 px, or whose grey 16 px thumbnails differ "
        "by less than a quarter of their ink, chained; at most 5 signs a family), about 30% of "
        "each category, after removing identical pictures and the counting dots D067",
        plan_hieroglyphs,
        (HIEROGLYPHS_FONT,),
    ),
)
SETS.update({spec.name: spec for spec in FRESH9_SETS})
