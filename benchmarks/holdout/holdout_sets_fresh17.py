"""A set of the thirteenth fresh hold-out, prepared on 2026-12-06 before any model ran on it:
``crossfire`` (crossfire-client-images 1.70.0-2), from a package that no other set and no
meta-dataset source reads. Planned with the helpers of ``holdout_sets.py``,
``holdout_sets_fresh2.py`` and ``holdout_sets_fresh3.py``, whose ``SETS`` this module extends
when it is imported (``holdout_sets`` imports it at its end); it adds its picture reader to
fresh2's ``PICTURE_READERS``, which ``prepare.py`` reads (its ``FITTED_SIDES`` needs
``"crossfire": 64``).

crossfire-client-images holds the faces (pictures) of Crossfire, a tile-based role-playing game,
as the client caches them: ``crossfire.base`` is a run of ``IMAGE <bytes> <name>`` lines, each
followed by that many bytes of PNG (5,767 faces, most 32x32 px RGBA, buildings and big monsters
64 or 96 px), and a face's name is its file in the game's arch tree,
``./arch/<kind>/<folder>/<object>.<frame>`` (``./arch/weapon/sword/katana.111``). A picture is a
face; its class is the kind of object, the arch tree's first folder (``CROSSFIRE_KINDS``:
armour, building (``construct``), container (``misc/Container``), flesh (body parts: eyes,
hands, scales), food, jewel (gems, ingots, coins, ore), monster, talisman (amulets and rings),
weapon). Left out: the map's walls, floors, grounds, roads, rivers, exits, doors and shops
(tiles of a map, not objects), spells and their effects, the player's races and classes (one
figure in many robes), the system faces, gods' altars, skills' scrolls (one scroll recoloured 31
times), potions (a bottle and a vial recoloured: 12 faces once chained, 2 of them test),
readables (books, cards, signs: 25 of no one kind), light sources (12), the rest of ``misc`` (a
catch-all), ``inorganic`` (alchemy powders) and ``transport`` (16), then identical pictures
(``unique_icons``). A group is an object, its frames (``.111``, ``.112``, directions ``.x11``,
``.x71``) together, and the names that differ by colour or direction words (``VARIANT_WORDS``:
``dragon_blue_scale`` and ``dragon_green_scale``, ``lighthouse_west`` and
``lighthouse_northwest``) are one object; within a class, 32 px faces whose visible pixels
overlap by 90% (fresh2's ``silhouette_groups``: one drawing recoloured, an amulet in many
colours) and faces whose grey 16 px thumbnails differ by less than 13/255 on average (fresh3's
``near_groups``) are chained; at most ``FAMILY_MOST`` faces of a group are kept, and each group
stays on one side.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from holdout_sets import SETS, HoldoutSet, Item, chained, slug, split_and_cap, unique_icons
from holdout_sets_fresh2 import (
    FAMILY_MOST,
    PICTURE_READERS,
    Entry,
    cap_per_group,
    pixel_digest,
    silhouette_groups,
)
from holdout_sets_fresh3 import near_groups

if TYPE_CHECKING:
    from PIL import Image

CROSSFIRE_ROOT = Path("/usr/share/games/crossfire-client")  # crossfire-client-images
CROSSFIRE_FACES = CROSSFIRE_ROOT / "crossfire.base"  # the base face set, PNG
FACE_HEADER = re.compile(rb"IMAGE (\d+) (\S+)\n")
# Arch folder (under ``./arch/``) -> class; the longest folder that a face's path starts with.
CROSSFIRE_KINDS = {
    "armour": "armour",
    "construct": "building",
    "misc/Container": "container",
    "flesh": "flesh",
    "food": "food",
    "jewel": "jewel",
    "monster": "monster",
    "talisman": "talisman",
    "weapon": "weapon",
}
# Words of a face's name that make a recolour or a turned copy of one drawing.
VARIANT_WORDS = frozenset(
    [
        "black",
        "blue",
        "brown",
        "cyan",
        "dark",
        "darkmagenta",
        "darkred",
        "gold",
        "gray",
        "green",
        "grey",
        "magenta",
        "orange",
        "pink",
        "purple",
        "red",
        "silver",
        "white",
        "yellow",
        "east",
        "west",
        "north",
        "south",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
    ]
)
TILE = (32, 32)  # the faces ``silhouette_groups`` compares (one size; bigger ones are not)
CROSSFIRE_RENDER = "crossfire"
CROSSFIRE_TRAIN_PER_CLASS = 35
CROSSFIRE_TEST_PER_CLASS = 15


def face_index(data: bytes) -> dict[str, tuple[int, int]]:
    """Face name -> (offset, length) of its PNG bytes in a face file's ``data``: each
    ``IMAGE <length> <name>`` line is followed by that many bytes."""
    index, at = {}, 0
    while header := FACE_HEADER.match(data, at):
        start, length = header.end(), int(header.group(1))
        index[header.group(2).decode()] = (start, length)
        at = start + length
    return index


@lru_cache(maxsize=2)
def read_faces(path: Path) -> tuple[bytes, dict[str, tuple[int, int]]]:
    data = path.read_bytes()
    return data, face_index(data)


def face_picture(path: Path, name: str) -> Image.Image:
    """The face ``name`` of the face file ``path``, RGBA."""
    from PIL import Image

    data, index = read_faces(path)
    start, length = index[name]
    with Image.open(io.BytesIO(data[start : start + length])) as image:
        return image.convert("RGBA")


def read_face(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the crossfire set: the item's face, from its face file."""
    return face_picture(item.source, str(item.element))


def face_kind(name: str) -> str | None:
    """A face's class, from its arch folders (``./arch/misc/Container/chest_1.111`` ->
    ``container``), or None for a kind left out."""
    folders = name.removeprefix("./arch/").rsplit("/", 1)[0] + "/"
    kinds = [k for k in CROSSFIRE_KINDS if folders.startswith(k + "/")]
    return CROSSFIRE_KINDS[max(kinds, key=len)] if kinds else None


def face_object(name: str) -> str:
    """The object a face draws: its folders and file stem, the frame dropped and so are colour
    and direction words, which name recolours and turned copies of one drawing
    (``./arch/flesh/dragon/dragon_blue_scale.111`` -> ``flesh/dragon/dragon_scale``,
    ``./arch/construct/tower/lighthouse_west.x11`` -> ``construct/tower/lighthouse``)."""
    folders, _, stem = name.removeprefix("./arch/").rsplit(".", 1)[0].rpartition("/")
    words = [word for word in stem.split("_") if word not in VARIANT_WORDS]
    return f"{folders}/{'_'.join(words) or stem}"


def crossfire_entries(faces: Path = CROSSFIRE_FACES) -> list[Entry]:
    """(class, object, face name as a path) of every face of the kinds used, sorted by class
    and name."""
    found = []
    for name in read_faces(faces)[1]:
        if kind := face_kind(name):
            found.append((kind, face_object(name), Path(name.removeprefix("./"))))
    return sorted(found, key=lambda entry: (entry[0], entry[2].as_posix()))


def recolour_groups(entries: list[Entry], picture: Callable[[Path], Image.Image]) -> list[Entry]:
    """The entries with their groups joined: within a class, entries of one group or 32 px
    faces of one silhouette (fresh2's ``silhouette_groups``: a drawing recoloured) are
    chained, named after the first."""
    tiles = [entry for entry in entries if picture(entry[2]).size == TILE]
    silhouette_of = {key: group for _, group, key in silhouette_groups(tiles, picture)}
    shapes = [silhouette_of.get(key) for *_, key in entries]

    def linked(i: int, j: int) -> bool:
        if entries[i][0] != entries[j][0]:
            return False
        return entries[i][1] == entries[j][1] or (shapes[i] is not None and shapes[i] == shapes[j])

    roots = chained(len(entries), linked)
    return [(label, entries[roots[i]][1], key) for i, (label, _, key) in enumerate(entries)]


def crossfire_name(path: Path) -> str:
    """Output stem: the face's path under the arch tree (``arch/weapon/sword/katana.111`` ->
    ``weapon_sword_katana_111``)."""
    return slug("_".join(path.parts[1:]))


def plan_crossfire(faces: Path = CROSSFIRE_FACES) -> list[Item]:
    """Kind of object as the class, from a face; repeated pictures dropped; an object's frames,
    recolours and near drawings chained; ``FAMILY_MOST`` faces a group; test = whole groups."""

    def picture(key: Path) -> Image.Image:
        return face_picture(faces, f"./{key.as_posix()}")

    kept = unique_icons(crossfire_entries(faces), pixel_digest(picture))
    objects = cap_per_group(kept, FAMILY_MOST)  # an object's frames
    grouped = near_groups(recolour_groups(objects, picture), picture)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        "crossfire",
        (CROSSFIRE_TRAIN_PER_CLASS, CROSSFIRE_TEST_PER_CLASS),
        CROSSFIRE_RENDER,
        crossfire_name,
        source=lambda key: faces,
        element=lambda key: f"./{key.as_posix()}",
    )


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS[CROSSFIRE_RENDER] = read_face
FRESH17_SETS = (
    HoldoutSet(
        "crossfire",
        "crossfire-client-images",
        CROSSFIRE_ROOT,
        "kind of Crossfire object a face draws, from its arch folder (9: armour, building, "
        "container, flesh, food, jewel, monster, talisman, weapon)",
        "by object (its animation frames, directions and colour-named recolours together; 32 px "
        "faces of one "
        "silhouette, recolours, and faces whose grey 16 px thumbnails differ by less than "
        "13/255 on average chained; at most 5 faces a group), about 30% of each kind, after "
        "removing map tiles, spells, player figures, potions, readables, lights, the rest of "
        "misc and identical pictures",
        plan_crossfire,
        needs=(CROSSFIRE_FACES,),
    ),
)
SETS.update({spec.name: spec for spec in FRESH17_SETS})
