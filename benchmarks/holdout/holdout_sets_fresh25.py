"""A fresh hold-out set (fresh25), prepared on 2026-12-07 before any model ran on it:
``signmoves`` (the PyPI wheel sutton-signwriting-font 1.0.1), from a package that no other set
and no meta-dataset source reads. Planned with the helpers of ``holdout_sets.py``,
``holdout_sets_fresh2.py``, ``holdout_sets_fresh3.py``, ``holdout_sets_fresh4.py``,
``holdout_sets_fresh23.py`` and ``holdout_sets_fresh24.py``, whose ``SETS`` this module extends
when it is imported (``holdout_sets`` imports it at its end); it adds its picture reader to
fresh2's ``PICTURE_READERS``, which ``prepare.py`` reads (its ``FITTED_SIDES`` needs
``"signmoves": 96``).

sutton-signwriting-font 1.0.1 (Steve Slevinski's Python tools for drawing Sutton SignWriting, the
script that writes sign languages; MIT licence for the package; the symbols are Valerie Sutton's
ISWA 2010 set, whose fonts are released under the SIL Open Font Licence as far as known, not
checked here; its wheel is ``sutton_signwriting_font-1.0.1-py3-none-any.whl``, sha256
``a007b3b3...``) ships ``sutton_signwriting_font/db/iswa2010.db``, an SQLite table ``symbol`` of
the 37,811 symbols of the International SignWriting Alphabet 2010, each with its key
(``S22a04``: base symbol 0x22a, fill 0, rotation 4), width, height and outline as an SVG
fragment. A base symbol's fills and rotations are one drawing filled, turned or mirrored (for a
movement arrow: the arrowhead black, white or open for the right, left or both hands). The wheel
is not installed: it is downloaded and unpacked into
``$ZAPML_CACHE/pypi/sutton-signwriting-font-1.0.1`` (default ``~/.cache/zapml/pypi``), as
``prepare.py`` prints when it is missing::

    pip download --no-deps sutton-signwriting-font==1.0.1 -d /tmp/sutton-signwriting-font-1.0.1
    python -m zipfile -e /tmp/sutton-signwriting-font-1.0.1/*.whl \\
        ~/.cache/zapml/pypi/sutton-signwriting-font-1.0.1

A picture is a symbol: its fragment put in an SVG of its width and height (5% margin), drawn by
rsvg-convert (``MOVE_RENDER`` px) and fitted into 96 px on white. Its class is the ISWA 2010
group of its base symbol in the movement category (``MOVE_GROUPS``, each running from its first
base to the next group's, as sutton-signwriting-core 1.1.3 lists them in
``fsw_structure_group``; the class names are ours, from the Unicode names of the group's
symbols): contact (touch, grasp, strike, brush and rub marks: asterisks, rings, spirals,
hashes), wall_straight and floor_straight (straight movements in the wall and floor planes:
SignWriting draws the first with a double stem, the second with a single one), wall_curve and
floor_curve (curves, humps, loops, waves and rotations in either plane). Left out: the groups of
few families (``LEFT_OUT_GROUPS``: diagonal 4, floor_curve_hitting 5, circle 6, its last two
bases bare arrowheads, wall_curve_hitting 6, and finger, 7 families but 6 groups once near
drawings chain, which would leave its test side one family), the hand, dynamics, head, body,
location and punctuation categories (hands a fine reading of fingers, a set of its own; the
others a few families a group, or faces that ``near_groups`` chains into 3-4 groups),
identical pictures (none found), and pictures whose grey 16 px thumbnail is within 6/255 of one
of another class (fresh23's ``one_class_only``: the single wrist flex of the floor and wall
planes, ``S26931`` and ``S22e31``). Of each base's fills and rotations ``VARIANTS_PER_BASE`` are
drawn, evenly spaced over its keys.

A symbol's family is the Unicode name of its base (``SIGNWRITING MOVEMENT-WALLPLANE SINGLE
STRAIGHT SMALL``; Unicode's Sutton SignWriting block holds base ``b`` at U+1D800 + b - 0x100,
read from Python's ``unicodedata``) less the words of a variant (``move_family``,
``VARIANT_WORDS``: a size, ``SMALL`` to ``LARGEST``; a count, ``SINGLE``, ``DOUBLE``,
``TRIPLE``, ``MULTIPLE``, ``ALTERNATING``, ``SEQUENTIAL``, one arrow drawn twice side by side;
``BETWEEN``, a contact mark between two bars; ``UP``, ``DOWN``; what a curve hits, ``CHEST``,
``FRONT WALL``, ``CEILING``, ``FLOOR``), so a movement's sizes, counts, fills and rotations are
one family; fresh3's ``near_groups`` (grey 16 px thumbnails closer than 13/255) chains families
within a class. fresh4's ``drawing_groups`` is not used (as in fresh24: solid arrowheads and
stems overlap across most drawings). At most ``FAMILY_MOST`` pictures a group are kept, and a
group stays on one side.

Of the wheel's 37,811 symbols, 11,105 are of the movement category; the five classes hold 132
bases (contact 17, floor_curve 14, floor_straight 35, wall_curve 30, wall_straight 43) in 56
families (7, 8, 15, 10, 16); 675 symbols drawn (5 a base), none blank or repeated, 2 drawings of
two classes: 673 symbols in 54 groups (contact 7, floor_curve 7, floor_straight 14, wall_curve
10, wall_straight 16), 270 once capped at 5 a group. Final counts (train / test): contact 25/10,
floor_curve 25/10, floor_straight 40/16, wall_curve 35/15, wall_straight 40/16: 165 / 67 in 39 /
15 groups, constant-answer floor 16/67 = 0.239 (floor_straight). White share of the fitted
pictures 0.71-0.83 a class (contact the least white), mean level 190-219.

Doubtful: these are notation signs, drawn black in one style, not pictures of things, and the
class is partly a drawing convention (a wall-plane arrow has a double stem, a floor-plane one a
single stem; the arrowheads and the shapes of both planes are alike). contact and floor_curve
have 5 train and 2 test groups each. Five classes only: the other movement groups have too few
families once sizes, counts and directions are joined.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from bisect import bisect_right
from contextlib import closing
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from holdout_sets import SETS, HoldoutSet, Item, evenly_spaced, slug
from holdout_sets_fresh2 import (
    PICTURE_READERS,
    Entry,
)
from holdout_sets_fresh4 import centred, render_svg
from holdout_sets_fresh23 import near_group_plan
from holdout_sets_fresh24 import pypi_cache

if TYPE_CHECKING:
    from PIL import Image


SIGNWRITING_PIN = "sutton-signwriting-font==1.0.1"
# the wheel, unpacked: its folder holding the symbol database
SIGNWRITING_DB_FOLDER = (
    pypi_cache() / "sutton-signwriting-font-1.0.1" / "sutton_signwriting_font" / "db"
)
SIGNWRITING_DB = SIGNWRITING_DB_FOLDER / "iswa2010.db"
# ISWA 2010's movement groups: first base symbol -> class; a group runs to the next one's start
MOVE_GROUPS = (
    (0x205, "contact"),
    (0x216, "finger"),
    (0x22A, "wall_straight"),
    (0x255, "diagonal"),
    (0x265, "floor_straight"),
    (0x288, "wall_curve"),
    (0x2A6, "wall_curve_hitting"),
    (0x2B7, "floor_curve_hitting"),
    (0x2D5, "floor_curve"),
    (0x2E3, "circle"),
)
MOVE_END = 0x2F7  # the dynamics category starts here
# groups of few families (``move_family``): diagonal 4, floor_curve_hitting 5, circle 6 (its
# last two bases bare arrowheads), wall_curve_hitting 6; finger has 7, but 6 groups once near
# drawings are chained, which leaves its test side one family
LEFT_OUT_GROUPS = frozenset(
    {"diagonal", "floor_curve_hitting", "circle", "wall_curve_hitting", "finger"}
)
UNICODE_FIRST = 0x1D800  # Unicode's SIGNWRITING HAND-FIST INDEX, base symbol 0x100
# name words of one movement drawn larger, repeated side by side or between two bars, turned the
# other way, or with another mark of what it hits
VARIANT_WORDS = frozenset(
    {"SMALL", "MEDIUM", "LARGE", "LARGEST"}
    | {"SINGLE", "DOUBLE", "TRIPLE", "MULTIPLE", "ALTERNATING", "ALTERNATE", "SEQUENTIAL"}
    | {"BETWEEN", "UP", "DOWN", "CHEST", "FRONT", "WALL", "CEILING", "FLOOR"}
)
VARIANTS_PER_BASE = 5  # fills and rotations drawn of a base symbol, evenly spaced over its keys
MOVE_RENDER = 192  # px: a symbol is drawn into this square, then fitted into 96 px
MOVE_PLAN_SIDE = 64  # px: the square the plan compares symbols in
MOVE_MARGIN = 0.05  # of the symbol's longer side, round it
MOVE_TRAIN_PER_CLASS = 40
MOVE_TEST_PER_CLASS = 16
SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="{}">'


def base_of(key: str) -> int:
    """A symbol key's base symbol (``S22a04`` -> 0x22a)."""
    return int(key[1:4], 16)


def symbol_name(base: int) -> str:
    """The Unicode name of a base symbol less ``SIGNWRITING`` (0x22a -> ``MOVEMENT-WALLPLANE
    SINGLE STRAIGHT SMALL``); empty for a number outside the block."""
    if not 0x100 <= base <= 0x38B:
        return ""
    return unicodedata.name(chr(UNICODE_FIRST + base - 0x100), "").removeprefix("SIGNWRITING ")


def move_class(key: str) -> str | None:
    """The class of a symbol key: its ISWA movement group, or None for another category or a
    group left out (``S22a04`` -> ``wall_straight``)."""
    base = base_of(key)
    starts = [start for start, _ in MOVE_GROUPS]
    if not starts[0] <= base < MOVE_END:
        return None
    label = MOVE_GROUPS[bisect_right(starts, base) - 1][1]
    return None if label in LEFT_OUT_GROUPS else label


def move_family(name: str) -> str:
    """A base symbol's family: its name less size and count words, as a slug
    (``MOVEMENT-WALLPLANE DOUBLE STRAIGHT`` -> ``movement_wallplane_straight``)."""
    return slug(" ".join(word for word in name.split() if word not in VARIANT_WORDS))


def connect(db: Path) -> sqlite3.Connection:
    """The symbol database, read only."""
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


@lru_cache(maxsize=8)
def category_rows(db: Path, first_base: int, end_base: int) -> dict[str, tuple[int, int, str]]:
    """Key -> (width, height, SVG fragment) of every symbol whose base lies in [``first_base``,
    ``end_base``) (one category: fresh25's movements, fresh26's hands), in the database's order."""
    first, end = f"S{first_base:x}", f"S{end_base:x}"
    query = "SELECT symkey, width, height, svg FROM symbol WHERE symkey >= ? AND symkey < ?"
    with closing(connect(db)) as connection:
        rows = connection.execute(query + " ORDER BY id", (first, end)).fetchall()
    return {key: (int(width), int(height), svg) for key, width, height, svg in rows}


def move_rows(db: Path) -> dict[str, tuple[int, int, str]]:
    """``category_rows`` of the movement category."""
    return category_rows(db, MOVE_GROUPS[0][0], MOVE_END)


def symbol_svg(width: int, height: int, fragment: str) -> bytes:
    """A symbol's fragment as an SVG of its size with a ``MOVE_MARGIN`` margin; empty for an
    empty size."""
    if width <= 0 or height <= 0:
        return b""
    pad = MOVE_MARGIN * max(width, height)
    view = f"{-pad:.2f} {-pad:.2f} {width + 2 * pad:.2f} {height + 2 * pad:.2f}"
    return (SVG_HEAD.format(view) + fragment + "</svg>").encode()


def draw_symbol(rows: dict[str, tuple[int, int, str]], key: str, side: int) -> Image.Image:
    """The symbol ``key`` of ``rows`` (``category_rows``) as RGBA, drawn by rsvg-convert into a
    ``side`` square (an empty one comes back 1x1 and clear)."""
    from PIL import Image

    data = symbol_svg(*rows[key])
    return render_svg(data, side) if data else Image.new("RGBA", (1, 1), (0, 0, 0, 0))


def draw_move(db: Path, key: str, side: int) -> Image.Image:
    """A movement symbol, ``draw_symbol``."""
    return draw_symbol(move_rows(db), key, side)


@lru_cache(maxsize=8192)
def plan_picture(db: Path, key: str) -> Image.Image:
    """The symbol as the plan compares it: drawn into and centred on ``MOVE_PLAN_SIDE`` px
    (cached: the plan reads each symbol several times, and tests plan twice)."""
    return centred(draw_move(db, key, MOVE_PLAN_SIDE), MOVE_PLAN_SIDE)


def read_move(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the signmoves set: the symbol, ``MOVE_RENDER`` px."""
    return draw_move(item.source, str(item.element), MOVE_RENDER)


def move_symbols(db: Path = SIGNWRITING_DB) -> list[Entry]:
    """(class, family, ``Path(key)``) of ``VARIANTS_PER_BASE`` keys of each base symbol of the
    classes used, evenly spaced over the base's keys, by class, family and key."""
    keys_of: dict[int, list[str]] = {}
    for key in move_rows(db):
        keys_of.setdefault(base_of(key), []).append(key)
    entries = []
    for base, keys in keys_of.items():
        if label := move_class(keys[0]):
            family = move_family(symbol_name(base))
            entries += [(label, family, Path(k)) for k in evenly_spaced(keys, VARIANTS_PER_BASE)]
    return sorted(entries, key=lambda e: (e[0], e[1], e[2].name))


def plan_signmoves(db: Path = SIGNWRITING_DB) -> list[Item]:
    """ISWA movement group as the class; blank and repeated symbols and drawings of two classes
    dropped; a movement's sizes, counts, fills and rotations one family, near drawings chained;
    ``FAMILY_MOST`` symbols a group; test = whole groups."""

    def picture(key: Path) -> Image.Image:
        return plan_picture(db, key.name)

    return near_group_plan(
        move_symbols(db),
        picture,
        "signmoves",
        (MOVE_TRAIN_PER_CLASS, MOVE_TEST_PER_CLASS),
        lambda key: f"{slug(symbol_name(base_of(key.name)))}_{key.name.lower()}",
        source=lambda key: db,
        element=lambda key: key.name,
    )


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS["signmoves"] = read_move
FRESH25_SETS = (
    HoldoutSet(
        "signmoves",
        f"pypi:{SIGNWRITING_PIN}",
        SIGNWRITING_DB_FOLDER,
        "ISWA 2010 movement group of a Sutton SignWriting symbol, from its key (5: contact, "
        "floor_curve, floor_straight, wall_curve, wall_straight)",
        "by family (a base symbol's Unicode name less size and count words, so a movement's "
        "sizes, counts, directions, fills and rotations are one family; near thumbnails chained "
        "by fresh3's near_groups; at most 5 symbols a group), about 30% of each class, after "
        "removing the movement groups of few families (diagonal, finger, circle and the "
        "curves that hit a surface), blank and identical symbols and drawings of two groups",
        plan_signmoves,
        needs=(SIGNWRITING_DB,),
    ),
)
SETS.update({spec.name: spec for spec in FRESH25_SETS})
