"""The fifteenth fresh hold-out's set (fresh19), prepared on 2026-12-06 before any model ran on it:
``slashem`` (slashem-common and slashem-gtk), from packages that no other set and no
meta-dataset source reads. Planned with the helpers of ``holdout_sets.py``,
``holdout_sets_fresh2.py``, ``holdout_sets_fresh3.py`` and ``holdout_sets_fresh4.py``, whose
``SETS`` this module extends when it is imported (``holdout_sets`` imports it at its end); it
adds its picture reader to fresh2's ``PICTURE_READERS``, which ``prepare.py`` reads (its
``FITTED_SIDES`` needs ``"slashem": 64``).

slashem-common 0.0.7E7F3-10+b3 holds the tiles of SLASH'EM, a NetHack variant, as one XPM
sheet, ``x11bigtiles`` (1216x1184 px, 38 tiles of 32 px a row, drawn on one dark teal ground with
a black drop shadow), and slashem-gtk (same version) its tile map, ``x11bigtiles.map``: one line a
tile in sheet order, ``tile 412 "object, weapons, long sword"``, the game's own kind, class of
object or of monster, and name. A picture is a tile, its ground made clear (the sheet's top left
pixel), fitted into 64 px; its class is the kind of thing it draws: armour, food, ring, tool,
wand, weapon (the object classes, ``OBJECT_KINDS``), animal (insects, dogs, cats, rodents,
spiders, birds and bats, snakes, lizards, hoofed and sea animals, horses and unicorns), person
(humans and elves, the Keystone Kops) and monster (blobs, jellies, eyes and spheres, vortices,
worms, dragons, nagas, fungi, oozes, ghosts, piercers: ``MONSTER_KINDS``). Left out: map
features, explosions, zaps and warnings (not objects); potions, scrolls, spellbooks, amulets and
gems (``rocks``), each one drawing recoloured (a flask, a sheet, a book, a pendant, a cut stone),
so that once recolours are chained a kind is one or a few groups; the lone coins, iron ball,
chain, boulders, venoms and illegal object; the monster classes of humanoid form that are
neither people nor animals to the eye (dwarves, gnomes, orcs, kobolds, giants, ogres, trolls,
nymphs, angels, demons, golems, elementals, the undead, centaurs, apes and yetis), cockatrices
(chickens among them) and mimics; four tiles of ``human or elf`` that draw no person
(``PERSONS_LEFT_OUT``). Identical pictures and blank tiles are removed. A tile's family is its
name's last word (``name_family``: ``mud boots`` and ``jungle boots``, one boot drawing
recoloured, are ``boots``; ``fire ant`` and ``soldier ant`` are ``ant``); fresh3's
``near_groups`` (grey 16 px thumbnails closer than 13/255) and fresh4's ``drawing_groups``
(outlines overlapping by 90% at 32 px or coarsened to 8 px, thumbnails closer than a quarter of
their ink: a dragon and its colours, the chromatic dragon among them) chain families within a
class; at most ``FAMILY_MOST`` tiles a group are kept, and a group stays on one side. 740 tiles
of the classes used, 721 once repeats go, in 295 groups (animal 89, person 52, weapon 38, tool 38,
food 24, monster 22, armour 16, ring 8, wand 8): 271 train / 109 test, at most 40 / 16 a
class (animal 40/16, armour 33/14, food 24/9, monster 33/14, person 40/16, ring 13/5, tool
33/13, wand 15/6, weapon 40/16). White share of the fitted tiles 0.36-0.50 a class but wands
0.63 and weapons 0.59 (thin diagonal sticks and blades).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from holdout_sets import SETS, HoldoutSet, Item, slug, split_and_cap, unique_icons
from holdout_sets_fresh2 import (
    FAMILY_MOST,
    PICTURE_READERS,
    Entry,
    cap_per_group,
    crop_box,
    is_blank,
    pixel_digest,
)
from holdout_sets_fresh3 import near_groups
from holdout_sets_fresh4 import drawing_groups

if TYPE_CHECKING:
    from PIL import Image

SLASHEM_ROOT = Path("/usr/share/games/slashem")
SLASHEM_SHEET = SLASHEM_ROOT / "x11bigtiles"  # slashem-common: the 32 px tiles, XPM
SLASHEM_MAP = SLASHEM_ROOT / "x11bigtiles.map"  # slashem-gtk: the tiles' kinds and names
SLASHEM_TILE = 32
MAP_LINE = re.compile(r'tile (\d+) "([^,"]+), ([^,"]+), ([^"]+)"')
# Class of object of the map -> class.
OBJECT_KINDS = {
    "armor": "armour",
    "food": "food",
    "rings": "ring",
    "tools": "tool",
    "wands": "wand",
    "weapons": "weapon",
}
# Class of monster of the map -> class: animals (of real form, and horses with a horn), people
# (humans and elves, the Keystone Kops) and monsters of no human or animal form (blobs, jellies,
# eyes, vortices, worms, dragons, nagas, fungi, oozes, ghosts). Left out: the classes of
# humanoid form that are neither people nor animals to the eye (dwarves, gnomes, orcs, kobolds,
# giants, ogres, trolls, nymphs, angels, demons, golems, elementals, the undead, centaurs, apes
# and yetis), cockatrices (chickens among them), mimics, the worm's tail and the unseen monster.
MONSTER_KINDS = {
    "ant or other insect": "animal",
    "bat or bird": "animal",
    "cat or other feline": "animal",
    "dog or other canine": "animal",
    "lizard": "animal",
    "quadruped": "animal",
    "rodent": "animal",
    "sea monster": "animal",
    "snake": "animal",
    "spider": "animal",
    "unicorn or horse": "animal",
    "Zouthern animal": "animal",
    "human or elf": "person",
    "Keystone Kop": "person",
    "blob": "monster",
    "dragon": "monster",
    "eye or sphere": "monster",
    "fungus or mold": "monster",
    "ghost": "monster",
    "jabberwock": "monster",
    "jelly": "monster",
    "light": "monster",
    "naga": "monster",
    "piercer": "monster",
    "pudding or ooze": "monster",
    "rust monster or disenchanter": "monster",
    "trapper or lurker above": "monster",
    "vortex": "monster",
    "worm": "monster",
    "xan or other mythical\\/fantastic insect": "monster",
    "xorn": "monster",
}
# Tiles of "human or elf" that do not draw a person: a shape-changer's rainbow, Medusa with
# her snakes, two cave creatures.
PERSONS_LEFT_OUT = frozenset(["doppelganger", "Medusa", "gibberling", "grimlock"])
SLASHEM_RENDER = "slashem"
SLASHEM_TRAIN_PER_CLASS = 40
SLASHEM_TEST_PER_CLASS = 16


def parse_tile_map(text: str) -> list[tuple[int, str, str, str]]:
    """(tile number, kind, class, name) of each line of a tile map
    (``tile 27 "monster, cockatrice, chicken"`` -> ``(27, "monster", "cockatrice", "chicken")``);
    lines of two fields (the warnings and most map features: ``cmap, altar``) are skipped."""
    found = []
    for line in text.splitlines():
        if match := MAP_LINE.fullmatch(line.strip()):
            number, kind, group, name = match.groups()
            found.append((int(number), kind, group, name))
    return found


def tile_kind(kind: str, group: str, name: str) -> str | None:
    """A tile's class from its map kind, class and name (``object``, ``weapons`` -> ``weapon``;
    ``monster``, ``rodent`` -> ``animal``), or None for one left out."""
    if kind == "object":
        return OBJECT_KINDS.get(group)
    if kind != "monster" or name in PERSONS_LEFT_OUT:
        return None
    return MONSTER_KINDS.get(group)


def tile_box(number: int, columns: int, side: int = SLASHEM_TILE) -> str:
    """Crop box (``"left,top,right,bottom"``) of tile ``number`` on a sheet of ``columns``
    tiles a row, filled row by row."""
    left, top = (number % columns) * side, (number // columns) * side
    return f"{left},{top},{left + side},{top + side}"


@lru_cache(maxsize=2)
def keyed_sheet(path: Path) -> Image.Image:
    """The tile sheet, RGBA, its ground colour (the top left pixel) made clear."""
    import numpy as np
    from PIL import Image

    with Image.open(path) as image:
        pixels = np.array(image.convert("RGBA"))
    ground = (pixels[..., :3] == pixels[0, 0, :3]).all(axis=-1)
    pixels[ground, 3] = 0
    return Image.fromarray(pixels, "RGBA")


def tile_picture(sheet: Path, box: str) -> Image.Image:
    return keyed_sheet(sheet).crop(crop_box(box))


def read_tile(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the slashem set: the item's tile, cut from its sheet."""
    return tile_picture(item.source, str(item.element))


def name_family(name: str) -> str:
    """A tile's family: the last word of its name, which names the thing that the words before
    it vary (``mud boots`` and ``combat boots`` -> ``boots``; ``fire ant`` -> ``ant``)."""
    return name.split()[-1].lower()


def slashem_tiles(
    sheet: Path = SLASHEM_SHEET, tile_map: Path = SLASHEM_MAP
) -> tuple[list[Entry], dict[Path, str]]:
    """(class, tile name, ``Path("<number>_<name>")``) of every tile of the classes used, by
    number, and each one's crop box."""
    from PIL import Image

    with Image.open(sheet) as image:
        columns = image.width // SLASHEM_TILE
    entries, box_of = [], {}
    for number, kind, group, name in parse_tile_map(tile_map.read_text()):
        if label := tile_kind(kind, group, name):
            key = Path(f"{number:04d}_{slug(name)}")
            entries.append((label, name_family(name), key))
            box_of[key] = tile_box(number, columns)
    return entries, box_of


def plan_slashem(sheet: Path = SLASHEM_SHEET, tile_map: Path = SLASHEM_MAP) -> list[Item]:
    """Kind of object as the class, from the tile map; blank and repeated tiles dropped;
    recolours and near drawings chained; ``FAMILY_MOST`` tiles a group; test = whole groups."""
    entries, box_of = slashem_tiles(sheet, tile_map)

    def picture(key: Path) -> Image.Image:
        return tile_picture(sheet, box_of[key])

    visible = [entry for entry in entries if not is_blank(picture(entry[2]))]
    kept = unique_icons(visible, pixel_digest(picture))
    grouped = drawing_groups(near_groups(kept, picture), picture)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        "slashem",
        (SLASHEM_TRAIN_PER_CLASS, SLASHEM_TEST_PER_CLASS),
        SLASHEM_RENDER,
        lambda key: key.name,
        source=lambda key: sheet,
        element=lambda key: box_of[key],
    )


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS[SLASHEM_RENDER] = read_tile
FRESH19_SETS = (
    HoldoutSet(
        "slashem",
        "slashem-common slashem-gtk",
        SLASHEM_ROOT,
        "kind of thing a SLASH'EM tile draws, from the game's tile map (9: animal, armour, "
        "food, monster, person, ring, tool, wand, weapon)",
        "by family (a name's last word; near thumbnails, tiles of one outline and recolours "
        "chained by fresh3's near_groups and fresh4's drawing_groups; at most 5 tiles a "
        "group), about 30% of each kind, after removing map tiles, effects, potions, scrolls, "
        "spellbooks, amulets, gems, humanoid monsters and identical pictures",
        plan_slashem,
        needs=(SLASHEM_SHEET, SLASHEM_MAP),
    ),
)
SETS.update({spec.name: spec for spec in FRESH19_SETS})
