"""A set of the fourth fresh hold-out, prepared on 2026-12-04 in the seventeenth session before
any model ran on it and evaluated once in that session (results 15): ``art4apps`` (pysiogame),
from a package that no other set and no meta-dataset source reads.
Planned with the helpers of ``holdout_sets.py``, ``holdout_sets_fresh2.py`` and
``holdout_sets_fresh4.py``, whose ``SETS`` this module extends when it is imported
(``holdout_sets`` imports it at its end).

pysiogame, an educational game, ships the Art4Apps pictures (Smart4Kids, CC BY-SA; not
openclipart's), one 200 px JPEG a word under ``res/images/art4apps/<category>/``, drawn in one
cartoon style on white. A picture's class is its category folder (``animals/zebra.jpg`` is
``animals``). Identical pictures are removed (``unique_icons``), and pictures of one class that
are one drawing redrawn are chained into one group that stays on one side: fresh4's
``drawing_groups`` (outlines, near grey thumbnails, one first word of the file name) on the
pictures with their white background made clear, and ``ART4APPS_FAMILIES``, the redraws those
rules miss (found on the contact sheets: a drawing recoloured, mirrored or cut another way).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from holdout_sets import SETS, HoldoutSet, Item, name_family, slug, split_and_cap, unique_icons
from holdout_sets_fresh2 import FAMILY_MOST, Entry, cap_per_group
from holdout_sets_fresh4 import drawing_groups

if TYPE_CHECKING:
    from PIL import Image

ART4APPS_ROOT = Path("/usr/share/games/pysiogame/res/images/art4apps")  # pysiogame
# Category folder -> class: the folders of 35 or more pictures whose pictures show what the
# folder names. Left out (README): actions (80 verbs, each drawn with whatever does it: a dog
# barking, a girl reading; four of them are jobs' pictures), people 29, sport 29 (games and
# their gear), transport 21 and nature 19 (under the 35 a class needs for 25 train and 10 test).
ART4APPS_CLASSES = {
    "animals": "animals",
    "body": "body",
    "clothes_n_accessories": "clothes",
    "construction": "construction",
    "food": "food",
    "fruit_n_veg": "fruit_veg",
    "jobs": "jobs",
}
# One drawing redrawn under another word, which the pixel rules of ``drawing_groups`` do not
# chain (recoloured and given an arrow, mirrored, zoomed or cut another way): word -> the word
# of the drawing it redraws. Found on contact sheets of every class; the pixel rules chain the
# recolours lama and llama, frog and toad, beef and steak, kimono and sash by themselves.
ART4APPS_FAMILIES = {
    "ham": "meat",
    "smoke": "chimney",
    "eyelash": "eyebrow",
    "toe": "foot",
    "ankle": "foot",
    "neck": "chin",
    "nostril": "nose",
    "doe": "deer",
    "fawn": "deer",
    "sugar": "coffee",
    "lemonade": "juice",
    "slice": "sausage",
    "peach": "apricot",
    "kernel": "apricot",
}
ART4APPS_WHITE = 236  # pixels with every channel at or above this are background (JPEG white)
ART4APPS_PLAN_SIDE = 64  # px: the square the plan compares pictures in (outlines, thumbnails)
# prepare.py's key for this set (FITTED_SIDES: a picture file fitted into a 96 px white square).
# A JPEG has no clear pixels, so the 200 px picture is scaled down whole, its white margin kept.
ART4APPS_RENDER = "art4apps"
ART4APPS_TRAIN_PER_CLASS = 45
ART4APPS_TEST_PER_CLASS = 20


def white_keyed(picture: Image.Image, level: int = ART4APPS_WHITE) -> Image.Image:
    """The picture in RGBA, its near-white pixels (every channel ``level`` or more) made clear,
    so that the outline helpers, which read transparency, see the drawing on its white ground."""
    import numpy as np
    from PIL import Image

    pixels = np.asarray(picture.convert("RGBA")).copy()
    pixels[np.all(pixels[..., :3] >= level, axis=2), 3] = 0
    return Image.fromarray(pixels, "RGBA")


@lru_cache(maxsize=1024)
def plan_picture(path: Path) -> Image.Image:
    """The picture as the plan compares it: scaled into ``ART4APPS_PLAN_SIDE`` px, white keyed
    (cached: the plan reads each picture several times, and tests plan twice)."""
    from PIL import Image

    with Image.open(path) as image:
        side = (ART4APPS_PLAN_SIDE, ART4APPS_PLAN_SIDE)
        return white_keyed(image.convert("RGB").resize(side, Image.Resampling.BILINEAR))


def picture_digest(path: Path) -> str:
    """Hash of the decoded pixels, so one picture saved twice counts once."""
    from PIL import Image

    with Image.open(path) as image:
        return hashlib.sha1(image.convert("RGB").tobytes()).hexdigest()


def art4apps_pictures(root: Path = ART4APPS_ROOT) -> list[Entry]:
    """(class, family, path) of every picture of the folders used, sorted by path: the family
    is the drawing a word redraws (``ART4APPS_FAMILIES``), else the file name's first word
    (``lion`` and ``lion_cub``)."""
    return [
        (label, ART4APPS_FAMILIES.get(path.stem, name_family(path.stem)), path)
        for folder, label in sorted(ART4APPS_CLASSES.items())
        for path in sorted((root / folder).glob("*.jpg"))
    ]


def art4apps_name(path: Path) -> str:
    """Output stem: the picture's word (``guinea_pig.jpg`` -> ``guinea_pig``): unique within a
    category folder, which is the class."""
    return slug(path.stem)


def plan_art4apps(root: Path = ART4APPS_ROOT) -> list[Item]:
    """Art4Apps category of a picture as the class; repeated pictures dropped; test = whole
    groups per class (outlines overlapping by 90% or more, near thumbnails, one first word or one
    drawing of ``ART4APPS_FAMILIES``, chained; ``FAMILY_MOST`` pictures a group at most)."""
    pictures = unique_icons(art4apps_pictures(root), picture_digest)
    grouped = drawing_groups(pictures, plan_picture)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        "art4apps",
        (ART4APPS_TRAIN_PER_CLASS, ART4APPS_TEST_PER_CLASS),
        ART4APPS_RENDER,
        art4apps_name,
    )


# ----------------------------------------------------------------------------- the sets

FRESH6_SETS = (
    HoldoutSet(
        "art4apps",
        "pysiogame",
        ART4APPS_ROOT,
        "Art4Apps category of a cartoon picture of a word (7)",
        "by family (pictures of one category whose outlines, white ground made clear, overlap by "
        "90% or more at 64 px or coarsened to 16 px, whose grey 16 px thumbnails differ by less "
        "than a quarter of their ink, whose file names share a first word, or that redraw one "
        "drawing (a hand-made list: ham and meat, toe and foot), chained; at most 5 pictures a "
        "family), about 30% of each category, after removing identical pictures",
        plan_art4apps,
    ),
)
SETS.update({spec.name: spec for spec in FRESH6_SETS})
