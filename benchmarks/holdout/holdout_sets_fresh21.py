"""A fresh hold-out set (fresh21), prepared on 2026-12-06 before any model ran on it:
``qabcs`` (qabcs-data), from a package that no other set and no meta-dataset source reads.
Planned with the helpers of ``holdout_sets.py``, ``holdout_sets_fresh2.py``,
``holdout_sets_fresh3.py`` and ``holdout_sets_fresh18.py``, whose ``SETS`` this module extends
when it is imported (``holdout_sets`` imports it at its end); ``prepare.py`` fits its picture
files as they are (its ``FITTED_SIDES`` needs ``"qabcs": 96``; no picture reader).

qabcs-data 1.0.2-6 holds the data of qABCs, an educational program that teaches children the
alphabet (not a game): for every letter a word of five themes, each shown by one picture,
``/usr/share/qabcs/abcs/all/pics/<theme>/<word>.png`` (the alphabets of
``abcs/<language>/abc1.json`` name a picture by that path). The pictures are 290 px PNGs with
clear pixels (RGBA, a few palette), cut-out photographs and cartoons, GPL-3+ but for a few CC0 and
public-domain drawings the copyright file names. A picture's class is its theme folder, which
names the kind of thing it shows: animals (a bear, a booby, a ladybug), food (an apple, fries,
lasagna), instruments (the folder ``instrument``: an accordion, bagpipes, a zither) and toys (a
ball, a kite, a rocking horse, but also dolls and children's cartoon characters). Left out: the
folder ``misc`` (29 pictures of anything, an airplane, an ear, a pupil, a yin-yang sign: no kind),
and the pictures whose folder does not name what they show (``QABCS_LEFT_OUT``, found on the
contact sheets): of ``instrument`` an audio jack plug, a quarter note and a loudspeaker sign; of
``food`` a live ruffe and a live squid (animals to the eye); of ``toys`` a foot with an anklet, a
log cabin and four animals drawn as cartoons (a monkey, a spider, a polar bear cub, the firebird).
Left out too: 28 pictures that are openclipart-png's (``QABCS_OPENCLIPART``), which the
``clipart`` built-in reads, so a meta-dataset has seen them: over grey 16 px thumbnails (cropped,
on white) of the 8,121 PNGs of openclipart-png 1:0.18+dfsg-19, each picture's 8 nearest were
compared as colour 32 px thumbnails, and so were the openclipart files whose name holds the
picture's word (mean difference of 255). Every picture within 16/255 of one was looked at beside
it: 28 are the same drawing rendered at another size (the flute, the wagon and the ice skate
0.3, up to the juice 15.2), the rest thin sticks matched to a sword, a rake, a line icon or a
mountain dulcimer (6.4-15.3); beyond, other drawings of a word (a pig against another pig 25.1).
Identical pictures are removed (``unique_icons``; none repeats another). A picture's family is
its file name's first word (``name_family``: ``kidney_beans`` -> ``kidney``); fresh3's
``near_groups`` chains those families and the pictures whose grey 16 px thumbnails (cropped to
the picture, white ground made clear) differ by less than 13/255 on average: that joins three
thin, diagonal wind instruments, the ney, the washint and the concert flute (the nearest two
pictures of the package, 3.7/255). fresh4's ``drawing_groups`` was not used: its outline rule
chains every picture that fills its square, a round or square photograph, into one group (25
foods: an apple, a donut, an egg, a quiche; 12 toys: balls, dice, a lunchbox), though no two
are one picture (every picture is its own photograph or drawing, none a recolour, a frame or a
resize of another: looked at on contact sheets of every folder). At most ``FAMILY_MOST``
pictures a group are kept, and a group stays on one side.
260 pictures of 258 groups; every class capped at 40 train / 16 test: 160 train / 64 test
(animals 76, food 66, instruments 58 and toys 60 before the caps), constant-answer floor 0.250.
Fitted pictures: white share 0.50 (food) to 0.67 (instruments), border mean 250-253/255, mean
ink colour RGB 140-170, 118-139, 93-107 a class, coloured share of the ink 0.43 (animals:
browns, greys) to 0.69 (food); photographs and cartoons in every class. The closest test picture
to a train one of its class (grey 32 px, mean difference) is a loach against a pike, 10.1/255,
then a quena against a topshuur's long neck 12.7 (instruments), a drone against a zipline 17.9
(toys) and lazanki against a casserole 18.7 (food): other pictures of like shape. Doubtful:
``toys`` is the package's catch-all for a child's world (balls, a kite, vehicles, a chalkboard, a
Christmas tree, dolls, a clown, a witch, cartoon and film characters, a game console); four
classes only (the package's fifth theme is ``misc``); the thin wind instruments are sticks on
white, as are a zipline and a swordfish in other classes.
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
)
from holdout_sets_fresh2 import FAMILY_MOST, Entry, cap_per_group, pixel_digest, sheet_image
from holdout_sets_fresh3 import near_groups
from holdout_sets_fresh18 import keyed_square

if TYPE_CHECKING:
    from PIL import Image

QABCS_ROOT = Path("/usr/share/qabcs/abcs/all/pics")  # qabcs-data
# Theme folder -> class: what the pictures of the folder show. Left out: misc (no kind).
QABCS_CLASSES = {
    "animals": "animals",
    "food": "food",
    "instrument": "instruments",
    "toys": "toys",
}
QABCS_SUFFIX = ".png"
# Pictures whose folder does not name what they show (found on the contact sheets): folder/stem.
QABCS_LEFT_OUT = frozenset(
    {
        "instrument/jack",  # an audio jack plug
        "instrument/quarter_note",  # a note symbol
        "instrument/sound",  # a loudspeaker sign
        "food/ruffe",  # a live fish
        "food/squid",  # a live squid
        "toys/anklet",  # a foot with an anklet
        "toys/cabin",  # a log cabin
        "toys/firebird",  # animals drawn as cartoons
        "toys/little_monkey",
        "toys/spider",
        "toys/umka",
    }
)
# Pictures that are openclipart-png's (0.18), the ``clipart`` built-in's source, redrawn at
# another size: a meta-dataset has seen them (found by comparing thumbnails, see above).
QABCS_OPENCLIPART = frozenset(
    {
        "animals/angelfish",
        "animals/cat",
        "animals/dog",
        "animals/dolphin",
        "animals/elephant",
        "animals/grasshopper",
        "food/fries",
        "food/grapes",
        "food/hot_dog",
        "food/juice",
        "food/lasagna",
        "food/mushroom",
        "food/pretzel",
        "food/radishes",
        "food/watermelon",
        "instrument/flute",
        "instrument/harp",
        "instrument/maracas",
        "instrument/oboe",
        "instrument/trumpet",
        "instrument/xylophone",
        "toys/balloons",
        "toys/glove",
        "toys/ice_skate",
        "toys/magnet",
        "toys/paper_airplane",
        "toys/volleyball",
        "toys/wagon",
    }
)
QABCS_PLAN_SIDE = 64  # px: the square the plan compares pictures in (outlines, thumbnails)
# prepare.py's key for this set (FITTED_SIDES: a picture file, its clear pixels on white, cropped
# to its visible pixels and fitted into a 96 px square).
QABCS_RENDER = "qabcs"
QABCS_TRAIN_PER_CLASS = 40
QABCS_TEST_PER_CLASS = 16


def qabcs_pictures(root: Path = QABCS_ROOT) -> list[Entry]:
    """(class, family, path) of every PNG of the folders used, sorted by path, but those of
    ``QABCS_LEFT_OUT`` and ``QABCS_OPENCLIPART``; the family is the file name's first word
    (``name_family``)."""
    dropped = QABCS_LEFT_OUT | QABCS_OPENCLIPART
    return [
        (label, name_family(path.stem), path)
        for folder, label in sorted(QABCS_CLASSES.items())
        for path in sorted((root / folder).iterdir())
        if path.suffix.lower() == QABCS_SUFFIX and f"{folder}/{path.stem}" not in dropped
    ]


@lru_cache(maxsize=1024)
def plan_picture(path: Path) -> Image.Image:
    """The picture as the plan compares it: fresh18's ``keyed_square`` at ``QABCS_PLAN_SIDE``
    (cached: the plan reads each picture several times, and tests plan twice)."""
    return keyed_square(path, QABCS_PLAN_SIDE)


def qabcs_name(path: Path) -> str:
    """Output stem: the file stem (``eagle-owl.png`` -> ``eagle_owl``), unique within a folder,
    which is the class."""
    return slug(path.stem)


def plan_qabcs(root: Path = QABCS_ROOT) -> list[Item]:
    """qABCs theme folder as the class; repeated pictures dropped; test = whole groups per
    class (one first word or near grey thumbnails, chained; ``FAMILY_MOST`` pictures a group at
    most)."""
    pictures = unique_icons(qabcs_pictures(root), pixel_digest(sheet_image))
    grouped = near_groups(pictures, plan_picture)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        "qabcs",
        (QABCS_TRAIN_PER_CLASS, QABCS_TEST_PER_CLASS),
        QABCS_RENDER,
        qabcs_name,
    )


# ----------------------------------------------------------------------------- the sets

FRESH21_SETS = (
    HoldoutSet(
        "qabcs",
        "qabcs-data",
        QABCS_ROOT,
        "kind of thing a qABCs word picture shows, from its theme folder (4)",
        "by family (pictures of one folder whose file names share a first word, or whose grey "
        "16 px thumbnails, white ground made clear, differ by less than 13/255 on average, "
        "chained: the thin wind instruments; at most 5 pictures a family), about 30% of each "
        "folder, after removing identical pictures, those whose folder is not what they show "
        "and those that are openclipart-png's",
        plan_qabcs,
    ),
)
SETS.update({spec.name: spec for spec in FRESH21_SETS})
