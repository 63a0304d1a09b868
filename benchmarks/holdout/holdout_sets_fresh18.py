"""A fresh hold-out set (fresh18), prepared on 2026-12-06 before any model ran on it:
``costumes`` (scratch), from a package that no other set and no meta-dataset source reads.
Planned with the helpers of ``holdout_sets.py``, ``holdout_sets_fresh2.py``,
``holdout_sets_fresh4.py`` and ``holdout_sets_fresh6.py``, whose ``SETS`` this module extends
when it is imported (``holdout_sets`` imports it at its end); ``prepare.py`` fits its picture
files as they are (its ``FITTED_SIDES`` needs ``"costumes": 96``; no picture reader).

scratch 1.4.0.6~dfsg1-6.1 is MIT's Scratch 1.4, a programming environment for children (not a
game). Its media library holds the sprites' costumes, one picture a file under
``/usr/share/scratch/Media/Costumes/<folder>/``: cartoons and cut-out photographs, PNG or GIF
with clear pixels, 90-300 px a side. A picture's class is its folder, which names the kind of
thing it shows: animals (a bat, a cat, a shark), fantasy (dragons, ghosts, monsters, robots),
people (children, dancers, players), things (balls, hats, a lamp, a laptop) and vehicles (the
folder ``Transportation``: cars, boats, planes). Left out: the folder ``Letters`` (letters in ten
type styles: glyphs, not things), the ``.sprite`` files (Squeak objects holding costumes and
scripts), ``scratchthumbs.db``, and the pictures whose folder does not name what they show
(``COSTUMES_LEFT_OUT``: the knight, witch, wizard and monkey king of ``Fantasy`` are people in
costume, its sun, skull and snowmen are things, the magic carpet of ``Transportation`` is a rug,
the two buttons of ``Things`` are interface buttons). Identical pictures are removed
(``unique_icons``). A costume's poses and colours (``cassy-dancing-1`` .. ``-4``, ``dog2-a`` ..
``-c``, ``dan1`` .. ``dan6``) share a file name's first word, digits dropped (``name_family``; but
``fantasy1`` .. ``fantasy14``, fourteen different monsters, keep their number; the lioness and the
lion cub, drawn with the lion, join it by a hand-made list, ``COSTUMES_FAMILIES``); fresh4's
``drawing_groups`` chains those families and the pictures whose outlines, white ground made clear,
overlap by 90% or more at 64 px or coarsened to 16 px, or whose grey 16 px thumbnails differ by
less than a quarter of their ink (this also chains round things cropped to a disc: the basketball,
beach ball, tennis ball, drums, a bowl, a plate and a manhole, one group of 8; and the bus with the
street cleaner); at most ``FAMILY_MOST`` pictures a group are kept, and a group stays on one side.
258 pictures of 127 groups (no repeats); 222 in 123 groups kept: 166 train / 56 test, at most 60 /
16 a class (animals 49/16, fantasy 25/10, people 56/16, things 23/9, vehicles 13/5). People are
mostly cut-out photographs, tall and narrow (white share 0.75), animals and fantasy mostly
cartoons; the shape of a kind of thing is part of what shows it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from holdout_sets import (
    SETS,
    HoldoutSet,
    Item,
    name_family,
    slug,
    split_and_cap,
    unique_icons,
    visible_box,
)
from holdout_sets_fresh2 import FAMILY_MOST, Entry, cap_per_group, pixel_digest, sheet_image
from holdout_sets_fresh4 import drawing_groups
from holdout_sets_fresh6 import white_keyed

if TYPE_CHECKING:
    from PIL import Image

COSTUMES_ROOT = Path("/usr/share/scratch/Media/Costumes")  # scratch
# Costume folder -> class: what the pictures of the folder show. Left out: Letters (glyphs).
COSTUMES_CLASSES = {
    "Animals": "animals",
    "Fantasy": "fantasy",
    "People": "people",
    "Things": "things",
    "Transportation": "vehicles",
}
COSTUMES_SUFFIXES = (".gif", ".png")  # the pictures; ``.sprite`` files are Squeak objects
# Pictures whose folder does not name what they show (found on the contact sheets): file stems.
COSTUMES_LEFT_OUT = frozenset(
    {
        "knight1",  # Fantasy: people in costume
        "witch1",
        "wizard1",
        "monkeyking",
        "sun",  # Fantasy: things
        "skull1",
        "snowman1",
        "snowman2",
        "magiccarpet",  # Transportation: a rug
        "button",  # Things: interface buttons
        "buttonPressed",
    }
)
# Kin of one drawing under another name, which ``name_family`` does not join (found on the
# contact sheets): the lioness and the cub are drawn with the lion, in its style and colours.
COSTUMES_FAMILIES = {"lioness1": "lion", "cub1": "lion"}
# First words of a numbered series of different drawings: their number stays in the family.
COSTUMES_SERIES = frozenset({"fantasy"})
COSTUMES_PLAN_SIDE = 64  # px: the square the plan compares pictures in (outlines, thumbnails)
# prepare.py's key for this set (FITTED_SIDES: a picture file, its clear pixels on white, cropped
# to its visible pixels and fitted into a 96 px square).
COSTUMES_RENDER = "costumes"
COSTUMES_TRAIN_PER_CLASS = 60
COSTUMES_TEST_PER_CLASS = 16


def costume_family(stem: str) -> str:
    """The costume a file draws: ``name_family`` (``dog2-a`` -> ``dog``, ``sunglassF3`` ->
    ``sunglassf``), but a series name keeps its number (``fantasy10`` -> ``fantasy10``,
    ``fantasy1-b`` -> ``fantasy1``)."""
    family = name_family(stem)
    if family in COSTUMES_SERIES:
        digits = stem.lower()[len(family) :]
        number = digits[: len(digits) - len(digits.lstrip("0123456789"))]
        return family + number
    return family


def costume_pictures(root: Path = COSTUMES_ROOT) -> list[Entry]:
    """(class, family, path) of every picture of the folders used, sorted by path, but those of
    ``COSTUMES_LEFT_OUT``: the family is ``COSTUMES_FAMILIES``' or else ``costume_family``'s."""
    return [
        (label, COSTUMES_FAMILIES.get(path.stem, costume_family(path.stem)), path)
        for folder, label in sorted(COSTUMES_CLASSES.items())
        for path in sorted((root / folder).iterdir())
        if path.suffix.lower() in COSTUMES_SUFFIXES and path.stem not in COSTUMES_LEFT_OUT
    ]


def keyed_square(path: Path, side: int) -> Image.Image:
    """A picture file on white, white keyed (a picture without clear pixels has a white ground;
    near-white pixels of a photograph's ground go clear too), cropped to its visible pixels and
    squeezed into a ``side`` square."""
    from PIL import Image

    with Image.open(path) as image:
        picture = image.convert("RGBA")
    white = Image.new("RGBA", picture.size, "white")
    white.alpha_composite(picture)
    keyed = white_keyed(white.convert("RGB"))
    box = visible_box(keyed)
    return (keyed.crop(box) if box else keyed).resize((side, side), Image.Resampling.BILINEAR)


@lru_cache(maxsize=1024)
def plan_picture(path: Path) -> Image.Image:
    """The picture as the plan compares it: ``keyed_square`` at ``COSTUMES_PLAN_SIDE`` (cached:
    the plan reads each picture several times, and tests plan twice)."""
    return keyed_square(path, COSTUMES_PLAN_SIDE)


def costume_name(path: Path) -> str:
    """Output stem: the file stem (``boy4-walking-a.gif`` -> ``boy4_walking_a``), unique within
    a folder, which is the class."""
    return slug(path.stem)


def plan_costumes(root: Path = COSTUMES_ROOT) -> list[Item]:
    """Scratch costume folder as the class; repeated pictures dropped; test = whole groups per
    class (one costume family, outlines overlapping by 90% or more or near thumbnails, chained;
    ``FAMILY_MOST`` pictures a group at most)."""
    pictures = unique_icons(costume_pictures(root), pixel_digest(sheet_image))
    grouped = drawing_groups(pictures, plan_picture)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        "costumes",
        (COSTUMES_TRAIN_PER_CLASS, COSTUMES_TEST_PER_CLASS),
        COSTUMES_RENDER,
        costume_name,
    )


# ----------------------------------------------------------------------------- the sets

FRESH18_SETS = (
    HoldoutSet(
        "costumes",
        "scratch",
        COSTUMES_ROOT,
        "kind of thing a Scratch 1.4 costume shows, from its costume folder (5)",
        "by family (costumes of one folder whose file names share a first word, digits dropped "
        "but for the numbered fantasy monsters, whose outlines, white ground made clear, overlap "
        "by 90% or more at 64 px or coarsened to 16 px, or whose grey 16 px thumbnails differ by "
        "less than a quarter of their ink, chained; at most 5 pictures a family), about 30% of "
        "each folder, after removing identical pictures and those whose folder is not what they "
        "show",
        plan_costumes,
    ),
)
SETS.update({spec.name: spec for spec in FRESH18_SETS})
