"""A fresh hold-out set (fresh26), prepared on 2026-12-07 before any model ran on it:
``signhands`` (the PyPI wheel sutton-signwriting-font 1.0.1, the hand category of the symbol
database that ``signmoves``, fresh25, reads the movement category of). Planned with the helpers
of ``holdout_sets.py``, ``holdout_sets_fresh2.py``, ``holdout_sets_fresh3.py``,
``holdout_sets_fresh4.py``, ``holdout_sets_fresh23.py`` and ``holdout_sets_fresh25.py``, whose
``SETS`` this module extends when it is imported (``holdout_sets`` imports it at its end); it
adds its picture reader to fresh2's ``PICTURE_READERS``, which ``prepare.py`` reads (its
``FITTED_SIDES`` needs ``"signhands": 96``).

The wheel, its licence, its symbol database ``iswa2010.db`` and the way it is downloaded and
unpacked (never installed) are fresh25's: see ``holdout_sets_fresh25``. A hand symbol's key
(``S14c20``: base 0x14c, fill 2, rotation 0) names a hand shape (the base), the side of the
hand shown (fills 0-2: palm, side and back of the hand facing the reader, drawn white, half
black and black; fills 3-5: the same seen from above, drawn with a gap at the wrist) and its
rotation (0-7 a right hand turned by 45 degrees anticlockwise, 8-f the mirrored left hand).

A picture is a symbol drawn as fresh25 draws one (``symbol_svg``: its fragment in an SVG of its
size with a 5% margin, rsvg-convert at ``MOVE_RENDER`` px, fitted into 96 px on white). Its
class is the ISWA 2010 group of its base symbol in the hand category (``HAND_GROUPS``, each
running from its first base to the next group's, as sutton-signwriting-core 1.1.3 lists them in
``fsw_structure_group``; the names are the ISWA's, as the sign-language-processing tools spell
them): index, index_middle, index_middle_thumb, four_fingers, five_fingers, baby_finger,
ring_finger, middle_finger, index_thumb and thumb, the fingers the hand shape is built round
(open, bent, hooked or touching the thumb; the others curled). Of each base's 96 keys four are
drawn (``hand_keys``): the palm and the back of the hand (fills 0 and 2: one outline, white or
black) of the right hand upright and turned a quarter (rotations 0 and 2); the side view, the
views from above and the left hands are left out (the same outline half filled, broken at the
wrist or mirrored: more pictures of one drawing, not more drawings). The 7 heel bases, drawn
side-on only (fill 1), give their 2 side views; ``S15b`` (palm facings, fills 0-3) its 4.

A symbol's family is its base (its Unicode name as a slug, ``hand_flat_five_fingers_spread``;
fresh25's ``symbol_name``): its fills and rotations are one drawing. fresh3's ``near_groups``
(grey 16 px thumbnails closer than 13/255) chains bases within a class (a hand shape and its
redraw with one finger a little bent), at most ``FAMILY_MOST`` pictures a group are kept,
evenly spaced, and a group stays on one side. fresh4's ``drawing_groups`` is not used (as in
fresh24 and fresh25: the square palm and the finger strokes overlap across most drawings).
Dropped: blank and identical pictures, and pictures whose grey thumbnail is within 6/255 of one
of another class (fresh23's ``one_class_only``: one hand shape filed under two groups).

Of the wheel's 37,811 symbols, 24,464 are of the hand category: 261 bases (index 14,
index_middle 16, index_middle_thumb 38, four_fingers 8, five_fingers 58, baby_finger 30,
ring_finger 22, middle_finger 19, index_thumb 40, thumb 16), 1,030 symbols drawn, none blank;
4 repeats within a class (HAND-CIRCLE and HAND-FIST turned a quarter are the upright drawing) and
4 drawings of two classes (the palms of HAND-FLAT FOUR FINGERS HINGED and HAND-FLAT FIVE FINGERS
SPREAD HINGED) dropped: 1,022 symbols in 244 groups, 974 once capped at 5 a group, then at
``HAND_TRAIN_PER_CLASS`` / ``HAND_TEST_PER_CLASS`` a class. Final counts (train / test): 499 /
196 pictures in 174 / 69 groups, constant-answer floor 24/196 = 0.122; per class in the README
and ``test_holdout_sets_fresh26.py``. No group is left out: four_fingers, the smallest (8 bases,
8 groups), keeps 6 train and 2 test groups.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from holdout_sets import SETS, HoldoutSet, Item, slug
from holdout_sets_fresh2 import (
    PICTURE_READERS,
    Entry,
)
from holdout_sets_fresh4 import centred
from holdout_sets_fresh23 import near_group_plan
from holdout_sets_fresh25 import (
    MOVE_PLAN_SIDE,
    MOVE_RENDER,
    SIGNWRITING_DB,
    SIGNWRITING_DB_FOLDER,
    SIGNWRITING_PIN,
    base_of,
    category_rows,
    draw_symbol,
    symbol_name,
)

if TYPE_CHECKING:
    from PIL import Image


# ISWA 2010's hand groups: first base symbol -> class; a group runs to the next one's start
HAND_GROUPS = (
    (0x100, "index"),
    (0x10E, "index_middle"),
    (0x11E, "index_middle_thumb"),
    (0x144, "four_fingers"),
    (0x14C, "five_fingers"),
    (0x186, "baby_finger"),
    (0x1A4, "ring_finger"),
    (0x1BA, "middle_finger"),
    (0x1CD, "index_thumb"),
    (0x1F5, "thumb"),
)
HAND_END = 0x205  # the movement category starts here
LEFT_OUT_HAND_GROUPS: frozenset[str] = frozenset()  # see the README: none has too few bases
HAND_FILLS = (0, 2)  # palm and back of the hand facing the reader: one outline, white or black
HAND_ROTATIONS = (0, 2)  # the right hand upright and turned a quarter anticlockwise
HAND_TRAIN_PER_CLASS = 60
HAND_TEST_PER_CLASS = 24


def hand_class(key: str) -> str | None:
    """The class of a symbol key: its ISWA hand group, or None for another category or a group
    left out (``S14c20`` -> ``five_fingers``)."""
    base = base_of(key)
    if base >= HAND_END:
        return None
    label = next((name for start, name in reversed(HAND_GROUPS) if start <= base), None)
    return label if label not in LEFT_OUT_HAND_GROUPS else None


def hand_rows(db: Path) -> dict[str, tuple[int, int, str]]:
    """fresh25's ``category_rows`` of the hand category."""
    return category_rows(db, HAND_GROUPS[0][0], HAND_END)


def hand_keys(keys: list[str]) -> list[str]:
    """The keys drawn of one base: its ``HAND_FILLS`` (or, for a base with none of them, its
    first fill) at ``HAND_ROTATIONS``, by fill and rotation."""
    fills = sorted({int(key[4], 16) for key in keys})
    chosen = [fill for fill in HAND_FILLS if fill in fills] or fills[:1]
    wanted = {f"{fill:x}{rotation:x}" for fill in chosen for rotation in HAND_ROTATIONS}
    return sorted(key for key in keys if key[4:6] in wanted)


def draw_hand(db: Path, key: str, side: int) -> Image.Image:
    """A hand symbol, fresh25's ``draw_symbol``."""
    return draw_symbol(hand_rows(db), key, side)


@lru_cache(maxsize=8192)
def plan_hand(db: Path, key: str) -> Image.Image:
    """The symbol as the plan compares it: drawn into and centred on ``MOVE_PLAN_SIDE`` px
    (cached: the plan reads each symbol several times, and tests plan twice)."""
    return centred(draw_hand(db, key, MOVE_PLAN_SIDE), MOVE_PLAN_SIDE)


def read_hand(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the signhands set: the symbol, ``MOVE_RENDER`` px."""
    return draw_hand(item.source, str(item.element), MOVE_RENDER)


def hand_symbols(db: Path = SIGNWRITING_DB) -> list[Entry]:
    """(class, family, ``Path(key)``) of the drawn keys (``hand_keys``) of each base symbol of
    the classes used, the family its base's Unicode name, by class, family and key."""
    keys_of: dict[int, list[str]] = {}
    for key in hand_rows(db):
        keys_of.setdefault(base_of(key), []).append(key)
    entries = []
    for base, keys in keys_of.items():
        if label := hand_class(keys[0]):
            family = slug(symbol_name(base)) or f"s{base:x}"
            entries += [(label, family, Path(key)) for key in hand_keys(keys)]
    return sorted(entries, key=lambda e: (e[0], e[1], e[2].name))


def plan_signhands(db: Path = SIGNWRITING_DB) -> list[Item]:
    """ISWA hand group as the class; blank and repeated symbols and drawings of two classes
    dropped; a base's fills and rotations one family, near drawings chained; ``FAMILY_MOST``
    symbols a group; test = whole groups."""

    def picture(key: Path) -> Image.Image:
        return plan_hand(db, key.name)

    return near_group_plan(
        hand_symbols(db),
        picture,
        "signhands",
        (HAND_TRAIN_PER_CLASS, HAND_TEST_PER_CLASS),
        lambda key: f"{slug(symbol_name(base_of(key.name)))}_{key.name.lower()}",
        source=lambda key: db,
        element=lambda key: key.name,
    )


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS["signhands"] = read_hand
FRESH26_SETS = (
    HoldoutSet(
        "signhands",
        f"pypi:{SIGNWRITING_PIN}",
        SIGNWRITING_DB_FOLDER,
        "ISWA 2010 hand group of a Sutton SignWriting hand symbol, from its key (10: "
        "baby_finger, five_fingers, four_fingers, index, index_middle, index_middle_thumb, "
        "index_thumb, middle_finger, ring_finger, thumb)",
        "by family (a base hand shape: its palm and back views, upright and turned a quarter; "
        "near thumbnails chained by fresh3's near_groups; at most 5 symbols a group), about 30% "
        "of each class, after removing blank and identical symbols and drawings of two groups",
        plan_signhands,
        needs=(SIGNWRITING_DB,),
    ),
)
SETS.update({spec.name: spec for spec in FRESH26_SETS})
