"""A set of the ninth fresh hold-out, prepared on 2026-12-05 in the thirtieth session before any
model ran on it: ``materials`` (ufoai-textures), from a package that no other set and no
meta-dataset source reads. Planned with the helpers of ``holdout_sets.py``,
``holdout_sets_fresh2.py`` and ``holdout_sets_fresh3.py``, whose ``SETS`` this module extends
when it is imported (``holdout_sets`` imports it at its end); it adds its picture reader to
fresh2's ``PICTURE_READERS``, which ``prepare.py`` reads (its ``FITTED_SIDES`` needs
``"materials": 96``).

ufoai-textures holds the surface textures of UFO: Alien Invasion's maps, most of them
photographs, in one zip archive, ``0textures.pk3`` (``textures/tex_<theme>/<name>.jpg|png``).
A picture is one texture, the centre square of it (a texture repeats, so a square of it shows
all of its kind); its class is the material its file name starts with (``wood007a``,
``bricks_r_2``, ``carpet014``; ``TEXTURE_CLASSES``), whatever the theme folder: themes
(buildings, nature, ``mattn``, ``ctp1``) mix materials. Normal, specular and glow maps
(``_nm``, ``_sm``, ``_gm``, ...) are not pictures of the surface and are left out, as are
textures with clear parts (fences, grates: an object, not a surface). Identical pictures are
removed (``unique_icons``). A texture's family is its theme folder and its name less a variant
ending (``texture_family``), with rock series and recolours joined by hand (``JOINED_FAMILIES``);
families are chained when their grey or colour 16 px thumbnails are near (``texture_groups``),
and a group stays on one side.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from holdout_sets import (
    ALPHA_VISIBLE,
    SETS,
    HoldoutSet,
    Item,
    chained,
    slug,
    split_and_cap,
    unique_icons,
)
from holdout_sets_fresh2 import FAMILY_MOST, PICTURE_READERS, Entry, cap_per_group, pixel_digest
from holdout_sets_fresh3 import thumbnail

if TYPE_CHECKING:
    from PIL import Image

TEXTURE_PK3 = Path("/usr/share/games/ufoai/base/0textures.pk3")  # ufoai-textures
# Class -> the start of a texture's file name (lower case) that names its material. Left out
# (README): roof 22, tiles 22, dirt 23, wallpaper 21 textures (under 28: too few for 20 train
# and 8 test once families are kept whole); grass, 35 textures but 11 of them one meadow with
# paths and 12 one grass, dry and green, mowed and tall: 23 pictures once its recolours are
# joined, 17 train and 6 test; and names of a use, not a material (``wall``,
# ``floor``, ``door``, ``box``: their material varies).
TEXTURE_CLASSES = {
    "brick": re.compile(r"^(wall_)?bricks?(\d|_|$)|^trak4_brick"),
    "carpet": re.compile(r"^carpet\d"),
    "concrete": re.compile(r"^concr?ete(\d|_)"),
    "metal": re.compile(r"^metall?(\d|_)"),
    "rock": re.compile(r"^(pj)?rocks?(\d|_)|^rockyground"),
    "wood": re.compile(r"^(s_)?woodb?(\d|_)|^(floor|wall)_wood"),
}
# A name ending of a map that goes with a texture (normal, specular, gloss, glow), not a picture.
MAP_ENDING = re.compile(r"_(nm|sm|gm|g|glow)$")
# A variant ending: what follows a name's first number (``wood007a``, ``grass003_way_hor``,
# ``concrete01dark``), or a last one-letter word of a name without a number
# (``grass_mowed_dry_a``): the variants of one texture.
AFTER_NUMBER = re.compile(r"^([^0-9]*[0-9]+).*$")
LETTER_ENDING = re.compile(r"_[a-z]$")
TEXTURE_SUFFIXES = (".jpg", ".png")
TEXTURE_CLEAR_MOST = 0.05  # share of clear pixels above which a texture is an object, not a surface
TEXTURE_PLAN_SIDE = 64  # px: the square the plan compares textures in (repeats, thumbnails)
# Grey 16 px thumbnails (fresh3's ``thumbnail``) closer than ``TEXTURE_GREY_NEAR`` on average (of
# 255), or colour 16 px thumbnails closer than ``TEXTURE_COLOUR_NEAR``, are one texture edited
# (recoloured, a stain or a trim added; ``bricks_p_1`` is ``bricks_r_5`` in purple, 0.9 grey)
# or copied (``wood_chips01`` and ``02``, 7.4 colour). A texture's 16 px thumbnail keeps its
# layout (a rug's border, a wall's trim) and brightness, little of its grain: at 10 colour, whole
# classes of plain dark metals and grey concretes chain (metal's largest group 20, concrete's
# 13), at 8 the largest groups are 11. fresh12's rule, a share of the ink, does not fit pictures
# with no white ground.
TEXTURE_GREY_NEAR = 4.0
TEXTURE_COLOUR_NEAR = 8.0
TEXTURE_THUMB = 16  # px, the side of the colour thumbnails (as fresh3's grey ones)
# Families joined by hand (their thumbnails are not near), each line's families one, named after
# its first. Rocks, seen on the contact sheets of every rock (one rock face photographed or
# cropped again, at other light): the ``pjrock`` series is one cliff with and without grass and
# flowers; nature's rock004-007 one tan rock face, rock008-011 one grey-green one, rock014-016
# one blue-grey one; rockyground02 is rockyground01 darker. Recolours (one layout in another
# colour and brightness: their grey thumbnails, less their mean and scaled to one length,
# correlate by 0.9 or more), found across the split of a first plan without these lines; the
# correlation is no rule of its own, since at 0.95 it also chains plain dark metals and grasses
# by their shading (metal's largest group 22 of 45, grass's 15 of 35).
JOINED_FAMILIES = (
    "nature/pjrock1 nature/pjrock6 nature/pjrock16 nature/pjrock17 nature/pjrock21",
    "nature/rock001 nature/rock002 nature/rock003",
    "nature/rock004 nature/rock005 nature/rock006 nature/rock007",
    "nature/rock008 nature/rock009 nature/rock010 nature/rock011",
    "nature/rock012 nature/rock013",
    "nature/rock014 nature/rock015 nature/rock016",
    "nature/rockyground01 nature/rockyground02",
    "mattn/rock001 mattn/rock003 mattn/rock005",
    "material/wood001 material/s_wood001",
    "buildings/concrete012 buildings/concrete013",
    "ctp1/wood_b_2 ctp1/wood_b_3",
    "ctp1/metal_r_1 ctp1/metal_r_2",
    "ctp1/bricks_r_3 ctp1/bricks_t_4",
    "ctp1/bricks_p_1 ctp1/bricks_b_1",
    "ctp1/bricks_r_2 ctp1/bricks_t_2",
    "buildings/concrete009 buildings_snow/concrete001",
    "material/metall015 material/metall018",
    "buildings/concrete004 buildings/concrete006",
    "ctp1/concrete_b_1 ctp1/concrete_g_5",
)
TEXTURE_FAMILIES = {
    family: line.split()[0] for line in JOINED_FAMILIES for family in line.split()[1:]
}
TEXTURE_TRAIN_PER_CLASS = 45
TEXTURE_TEST_PER_CLASS = 20


def texture_class(stem: str) -> str | None:
    """The class of a texture's file stem (lower case), or None: a map, or no material class."""
    if MAP_ENDING.search(stem):
        return None
    return next((label for label, start in TEXTURE_CLASSES.items() if start.search(stem)), None)


def texture_family(member: str) -> str:
    """``<theme>/<name less a variant ending>`` of an archive member
    (``textures/tex_material/wood007a.png`` -> ``material/wood007``)."""
    folder, _, name = member.rpartition("/")
    stem = name.rsplit(".", 1)[0].lower()
    if any(character.isdigit() for character in stem):
        stem = AFTER_NUMBER.sub(r"\1", stem)
    else:
        stem = LETTER_ENDING.sub("", stem)
    family = f"{folder.rpartition('/')[2].removeprefix('tex_')}/{stem}"
    return TEXTURE_FAMILIES.get(family, family)


@lru_cache(maxsize=4)
def archive_names(pk3: Path) -> tuple[str, ...]:
    """The members of a ``.pk3`` (a zip), sorted."""
    with zipfile.ZipFile(pk3) as archive:
        return tuple(sorted(archive.namelist()))


def texture_entries(pk3: Path = TEXTURE_PK3) -> list[Entry]:
    """(class, family, member) of every texture picture of a class, sorted by class and member."""
    found = []
    for member in archive_names(pk3):
        if not member.lower().endswith(TEXTURE_SUFFIXES):
            continue
        label = texture_class(member.rpartition("/")[2].rsplit(".", 1)[0].lower())
        if label is not None:
            found.append((label, texture_family(member), Path(member)))
    return sorted(found, key=lambda entry: (entry[0], entry[2].as_posix()))


@lru_cache(maxsize=2048)
def texture_square(pk3: Path, member: str, side: int | None = None) -> Image.Image:
    """The centre square of a texture, RGBA as stored (clear parts kept), ``side`` px large
    (its own size when None)."""
    import io

    from PIL import Image

    with zipfile.ZipFile(pk3) as archive, Image.open(io.BytesIO(archive.read(member))) as image:
        picture = image.convert("RGBA")
    small = min(picture.size)
    left, top = (picture.width - small) // 2, (picture.height - small) // 2
    square = picture.crop((left, top, left + small, top + small))
    return square if side is None else square.resize((side, side), Image.Resampling.LANCZOS)


def clear_share(picture: Image.Image) -> float:
    """The share of a picture's pixels that are clear (alpha at most ``ALPHA_VISIBLE``)."""
    import numpy as np

    return float((np.asarray(picture.getchannel("A")) <= ALPHA_VISIBLE).mean())


def read_texture(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the materials set: the centre square of the texture
    (``element``, a member of the archive ``source``), on white."""
    from PIL import Image

    square = texture_square(item.source, str(item.element))
    white = Image.new("RGBA", square.size, "white")
    white.alpha_composite(square)
    return white


def colour_thumbnail(picture: Image.Image) -> Any:
    """The picture on white, in colour, squeezed into a ``TEXTURE_THUMB`` square (each pixel the
    mean of its cell), as a float array: fresh3's ``thumbnail`` in colour, since a grey one takes
    a green grass and a brown rug of one brightness for one picture."""
    import numpy as np
    from PIL import Image

    white = Image.new("RGBA", picture.size, "white")
    white.alpha_composite(picture.convert("RGBA"))
    side = (TEXTURE_THUMB, TEXTURE_THUMB)
    return np.asarray(white.convert("RGB").resize(side, Image.Resampling.BOX), dtype=float)


def texture_groups(entries: list[Entry], picture: Callable[[Path], Image.Image]) -> list[Entry]:
    """The entries (class, family, member) with their group in place of the family: within a
    class, textures of one family, whose grey thumbnails differ by less than
    ``TEXTURE_GREY_NEAR`` or whose colour thumbnails by less than ``TEXTURE_COLOUR_NEAR`` on
    average, are chained, named after the first (fresh3's ``near_groups`` rule, at this set's
    distances and in colour too)."""
    import numpy as np

    greys = [thumbnail(picture(member)) for *_, member in entries]
    colours = [colour_thumbnail(picture(member)) for *_, member in entries]

    def linked(i: int, j: int) -> bool:
        if entries[i][0] != entries[j][0]:
            return False
        grey = float(np.abs(greys[i] - greys[j]).mean()) < TEXTURE_GREY_NEAR
        colour = float(np.abs(colours[i] - colours[j]).mean()) < TEXTURE_COLOUR_NEAR
        return entries[i][1] == entries[j][1] or grey or colour

    roots = chained(len(entries), linked)
    return [(label, entries[roots[i]][1], member) for i, (label, _, member) in enumerate(entries)]


def texture_name(member: Path) -> str:
    """Output stem: theme and file stem (``textures/tex_nature/rock001.png`` ->
    ``nature_rock001``): themes repeat names (``mattn`` and ``nature`` both have ``rock001``)."""
    return slug(f"{member.parent.name.removeprefix('tex_')}_{member.stem}")


def plan_materials(pk3: Path = TEXTURE_PK3) -> list[Item]:
    """Material of a UFO:AI texture (its file name's start) as the class; textures with clear
    parts and repeated pictures dropped; test = whole groups per class (``texture_groups``;
    ``FAMILY_MOST`` textures a group at most)."""

    def picture(member: Path) -> Image.Image:
        return texture_square(pk3, member.as_posix(), TEXTURE_PLAN_SIDE)

    entries = texture_entries(pk3)
    surfaces = [entry for entry in entries if clear_share(picture(entry[2])) <= TEXTURE_CLEAR_MOST]
    grouped = texture_groups(unique_icons(surfaces, pixel_digest(picture)), picture)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        "materials",
        (TEXTURE_TRAIN_PER_CLASS, TEXTURE_TEST_PER_CLASS),
        "materials",
        texture_name,
        source=lambda member: pk3,
        element=lambda member: member.as_posix(),
    )


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS["materials"] = read_texture
FRESH13_SETS = (
    HoldoutSet(
        "materials",
        "ufoai-textures",
        TEXTURE_PK3.parent,  # a folder (``installed`` asks for one); ufoai-data's files share it
        "material of a UFO:AI surface texture, from its file name (6)",
        "by family (textures of one theme folder whose names agree up to their first number, "
        "or but a last one-letter word; 8 series of rocks and 11 recolours joined by hand; "
        "whose grey 16 px thumbnails differ by less than 4/255 or colour ones by less than "
        "8/255 on average; chained; at most 5 textures a family), about 30% of each material, "
        "after removing maps, textures with clear parts and identical pictures",
        plan_materials,
        (TEXTURE_PK3,),
    ),
)
SETS.update({spec.name: spec for spec in FRESH13_SETS})
