"""A set of the twelfth fresh hold-out, prepared on 2026-12-06 before any model ran on it:
``fillets`` (fillets-ng-data), from a package that no other set and no meta-dataset source
reads. Planned with the helpers of ``holdout_sets.py``, ``holdout_sets_fresh2.py`` and
``holdout_sets_fresh3.py``, whose ``SETS`` this module extends when it is imported
(``holdout_sets`` imports it at its end); ``prepare.py`` fits its picture files as they are (its
``FITTED_SIDES`` needs ``"fillets": 64``; no picture reader).

fillets-ng-data holds the levels of Fish Fillets - Next Generation, a puzzle game in which two
fish push things about under water: per level (``codename``), ``script/<level>/models.lua``
places the level's models, each an ``addModel("<kind>", ...)`` whose first picture an
``addItemAnim(<model>, "images/"..codename.."/<file>.png")`` names (sprites drawn on a 15 px
grid, 15 to 360 px a side, most RGBA, some palette). A picture is the file of a light model,
``item_light``, which either fish can push (a vase, a book, a chair, a floppy disk, a statue);
its class is the area of the game's world map its level belongs to, as ``script/worlddesc.lua``
names it in English (``FILLETS_AREAS``: Fish House, Ship Wrecks, Silver's Ship, Coral reef,
Treasure Cave, Dump, Secret Computer, City In the Deep, UFO; 71 levels, 6-11 an area). Left
out: heavy models (``item_heavy``: steel, drawn alike in every area), the room's walls
(``item_fixed``) and background (``createRoom``), the fish (``images/fishes``), posters,
animation frames other than a model's first picture (``code.lua`` swaps them in: near copies),
the areas "Branch of the New Generation" and "UFO Exit", and the pictures of an object family (a
file stem less its frame number, a leading ``<n>-`` and an ending ``-<letters or digits>`` or
digits: ``krystal-c_00`` and ``krystal_00`` are crystals) that levels of two areas use (167 of
the 665 light pictures, 51 families: the snails, crabs, shells, skulls, baskets and ladders the
game puts in every area have no area), then identical pictures (``unique_icons``, 55). At most
``FAMILY_MOST`` pictures of a family in a level are kept (406 pictures of 65 levels). A level
and everything in it stays on one side: levels of an area that use one family (``vazav`` in
three Treasure Cave levels, ``kachna`` in two Dump levels) are chained, 45 groups, and so are
levels with pictures whose grey 16 px thumbnails are near (fresh3's ``near_groups``, under
13/255 on average; it joins none more: the nearest pair of two groups of an area is 17.5).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from holdout_sets import SETS, HoldoutSet, Item, chained, slug, split_and_cap, unique_icons
from holdout_sets_fresh2 import FAMILY_MOST, Entry, cap_per_group, pixel_digest, sheet_image
from holdout_sets_fresh3 import near_groups

FILLETS_ROOT = Path("/usr/share/games/fillets-ng")  # fillets-ng-data
FILLETS_WORLD = Path("script/worlddesc.lua")  # each level's name and area, per language
# ``worldmap_addDesc("<level>", "<lang>", "<level name>", "<area>")``: the English area is
# the class.
AREA_OF_LEVEL = re.compile(r'worldmap_addDesc\("([^"]+)",\s*"en",\s*"[^"]*",\s*"([^"]*)"\)')
# English area -> class. Left out (README): "Branch of the New Generation" (9 levels of no one
# place: "Linux Users Must Be Mad", "Filled Car Park", "Lock and Key", "Rotate It"; a catch-all,
# as the furniture set's "Miscellaneous"), "UFO Exit" (one level, ``electromagnet``), and the
# menu and score screens (no level).
FILLETS_AREAS = {
    "City In the Deep": "city_in_the_deep",
    "Coral reef": "coral_reef",
    "Dump": "dump",
    "Fish House": "fish_house",
    "Secret Computer": "secret_computer",
    "Ship Wrecks": "ship_wrecks",
    "Silver's Ship": "silvers_ship",
    "Treasure Cave": "treasure_cave",
    "UFO": "ufo",
}
# ``<model> = addModel("<kind>", x, y, ...)`` and ``addItemAnim(<model>, "images/"..codename..
# "/<file>.png")``: a model's kind and its first picture (pictures named by a Lua expression,
# ``"micek_0"..random(6)``, in one left-out level, are not read).
MODEL = re.compile(r'^\s*(\w+)\s*=\s*addModel\("(\w+)"', re.M)
MODEL_PICTURE = re.compile(r'addItemAnim\((\w+),\s*"images/"\.\.codename\.\."/([^"/]+\.png)"\)')
# The kind of model read: a light object, which either fish moves. Left out: ``item_heavy``, the
# steel a small fish cannot move, which every area draws alike (grey-blue bars, pipes and
# elbows, named by level: ``kankan-17-tmp``, ``chodba-20-tmp``; 46 of a first plan's 431
# pictures, in all nine areas), the room's walls (``item_fixed``) and the fish.
LIGHT = "item_light"
# A family: the stem less a frame number (``_00``), a leading ``<n>-``, an ending ``-<letters
# or digits>`` and ending digits (``krystal-m_00``, ``12-ocel``, ``korunka1``).
FRAME_ENDING = re.compile(r"_\d+$")
LEADING_NUMBER = re.compile(r"^\d+-")
VARIANT_ENDING = re.compile(r"(-[a-z0-9]*)?\d*$")
# prepare.py's key for this set (FITTED_SIDES: a picture file, its clear pixels on white, cropped
# to its visible pixels and fitted into a 64 px square, as the other sprite sets).
FILLETS_RENDER = "fillets"
FILLETS_TRAIN_PER_CLASS = 45
FILLETS_TEST_PER_CLASS = 20


def level_areas(root: Path = FILLETS_ROOT) -> dict[str, str]:
    """Level codename -> its class, for the levels of the areas used."""
    text = (root / FILLETS_WORLD).read_text(encoding="utf-8")
    return {
        level: FILLETS_AREAS[area]
        for level, area in AREA_OF_LEVEL.findall(text)
        if area in FILLETS_AREAS
    }


def light_pictures(models: str) -> list[str]:
    """The picture files of a level's light models (``models.lua`` text), in order: an
    ``addItemAnim`` names the model by the variable the last ``addModel`` before it set."""
    placed = [(found.start(), found.group(1), found.group(2)) for found in MODEL.finditer(models)]
    pictures = []
    for anim in MODEL_PICTURE.finditer(models):
        kinds = [kind for at, name, kind in placed if name == anim.group(1) and at < anim.start()]
        if kinds and kinds[-1] == LIGHT:
            pictures.append(anim.group(2))
    return pictures


def object_family(stem: str) -> str:
    """The object a file draws (``krystal-m_00`` -> ``krystal``, ``12-ocel`` -> ``ocel``)."""
    stem = LEADING_NUMBER.sub("", FRAME_ENDING.sub("", stem.lower()))
    return VARIANT_ENDING.sub("", stem, count=1) or stem


def fillets_entries(root: Path = FILLETS_ROOT) -> list[Entry]:
    """(class, ``<level>/<family>``, file) of every distinct light model picture of the levels
    used, sorted by class and file."""
    found = set()
    for level, label in level_areas(root).items():
        models = (root / "script" / level / "models.lua").read_text(encoding="utf-8")
        for name in light_pictures(models):
            path = root / "images" / level / name
            found.add((label, f"{level}/{object_family(path.stem)}", path))
    return sorted(found, key=lambda entry: (entry[0], entry[2].as_posix()))


def area_families(entries: list[Entry]) -> list[Entry]:
    """The entries whose family no level of another class uses (a prop of every area has no
    area)."""
    classes_of: dict[str, set[str]] = defaultdict(set)
    for label, family, _ in entries:
        classes_of[family.split("/")[1]].add(label)
    return [entry for entry in entries if len(classes_of[entry[1].split("/")[1]]) == 1]


def level_chains(entries: list[Entry]) -> list[Entry]:
    """The entries (class, ``<level>/<family>``, file) with their level in place of the family,
    levels of one class that use one family chained, named after the first (sorted)."""
    names: dict[tuple[str, str], set[str]] = defaultdict(set)
    for label, family, _ in entries:
        level, name = family.split("/")
        names[(label, level)].add(name)
    levels = sorted(names)
    roots = chained(
        len(levels),
        lambda i, j: levels[i][0] == levels[j][0] and bool(names[levels[i]] & names[levels[j]]),
    )
    root_of = {key: levels[roots[i]][1] for i, key in enumerate(levels)}
    return [(label, root_of[(label, fam.split("/")[0])], path) for label, fam, path in entries]


def fillets_name(path: Path) -> str:
    """Output stem: level and file stem (``images/cave/vazav_01.png`` -> ``cave_vazav_01``)."""
    return slug(f"{path.parent.name}_{path.stem}")


def plan_fillets(root: Path = FILLETS_ROOT) -> list[Item]:
    """Area of a Fish Fillets level as the class, from a light model's picture; families of
    two areas and repeated pictures dropped; ``FAMILY_MOST`` pictures of a family in a level;
    test = whole level groups per class (``level_chains``, then fresh3's ``near_groups``)."""
    kept = unique_icons(area_families(fillets_entries(root)), pixel_digest(sheet_image))
    grouped = near_groups(level_chains(cap_per_group(kept, FAMILY_MOST)), sheet_image)
    return split_and_cap(
        grouped,
        "fillets",
        (FILLETS_TRAIN_PER_CLASS, FILLETS_TEST_PER_CLASS),
        FILLETS_RENDER,
        fillets_name,
    )


# ----------------------------------------------------------------------------- the sets

FRESH16_SETS = (
    HoldoutSet(
        "fillets",
        "fillets-ng-data",
        FILLETS_ROOT,
        "Fish Fillets world-map area of the level a light object is placed in (9)",
        "by level (a level's objects together; levels of an area that use one object family, "
        "or with pictures whose grey 16 px thumbnails differ by less than 13/255 on average, "
        "chained; at most 5 pictures of a family in a level), about 30% of each area, after "
        "removing walls, backgrounds, fish, animation frames, families found in two areas and "
        "identical pictures",
        plan_fillets,
    ),
)
SETS.update({spec.name: spec for spec in FRESH16_SETS})
