"""The hold-out image sets: which files of which Debian package, labels, and a leak-free split.

Each set is planned as a list of ``Item`` (split, class, output name, source file or zip, SVG
element or zip entry) without decoding anything (the duplicate checks aside), so the plan is
cheap to test; ``prepare.py`` turns a plan into a class-folder dataset (``train/<class>/*.png``,
``test/<class>/*.png``).

cards, freedroid and megaglest are development sets; furniture (sweethome3d-furniture), outfits
(endless-sky-data) and flags (freeciv-data) were the hold-out of three sessions; units (0ad-data),
freeorion (freeorion-data) and pingus (pingus-data) are the fresh hold-out of 2026-12-03;
cataclysm, angband and chess (2026-12-04) are planned in ``holdout_sets_fresh2.py``. Desktop
icon themes, emoji fonts and Tux Paint stamps are reserved for the project's independent
evaluation (``../shared/OFFLINE_ASSETS.md``) and are not read here.

None of these sources is in the shipped meta-dataset (``src/zapml/metadataset/specs/shipped.yaml``:
digits, mnist5k, animal_mnist, fashion_mnist, lfw, textures, glyphs, clipart; v2 adds
opencv_digits, glyphs_alnum, wesnoth_units, wesnoth_terrain, skyculture_art) or derived from
its sources. The overlap found, and removed: the two Nicu Buculei decks of
kdegames-card-data-kf5 are the same drawings as the openclipart card folders the ``clipart``
core dataset reads (``recreation/games/cards/{ornamental,white}``).

Every split keeps near-duplicates on one side: cards are split by deck family, FreedroidRPG
items by item (its ~32 turntable views stay together), MegaGlest icons by unit or upgrade
folder after removing identical pictures, furniture by catalog and first word of the icon name,
outfits by family (name without size and faction words), flags by chains of near-identical
flags, 0 A.D. portraits by civilisation, FreeOrion icons and Pingus pieces by name family.
Choices are deterministic: sorted file lists, ``random.Random(f"{SEED}-<name>-<class>")``
shuffles, and evenly spaced picks where a class is capped.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

# The card decks, what is left out, and picture cropping live with the ``cards`` built-in; the
# other hold-out modules import ``visible_box`` and ``ALPHA_VISIBLE`` from here.
from zapml.data.builtin_cards import (  # noqa: F401
    ALPHA_VISIBLE,
    CARD_DECKS_LEFT_OUT,
    CARD_FAMILIES,
    CARD_RANKS,
    CARD_ROOT,
    CARD_SUITS,
    card_decks,
    card_family,
    card_label,
    visible_box,
)

T = TypeVar("T")
SEED = 0
TEST_FRACTION = 0.3  # of each class's groups (decks, items, units), or of its images (the sets
# whose groups differ in size); at least one group


FREEDROID_ROOT = Path("/usr/share/freedroidrpg/data/graphics/items")
MEGAGLEST_ROOT = Path("/usr/share/games/megaglest/techs/megapack/factions")


@dataclass(frozen=True)
class Item:
    """One image of a planned set: where it goes and where it comes from."""

    split: str  # "train" or "test"
    label: str  # class folder name
    name: str  # output file stem, unique within its class folder
    source: Path  # image file, or the .svgz deck for cards
    element: str | None = None  # SVG element id of the card, or the entry of a zip ``source``
    group: str = ""  # what the split keeps together (deck family, item, unit, subgroup)
    render: str = ""  # prepare.py's drawing: "" (the file as it is), or a FITTED_SIDES key


@dataclass(frozen=True)
class HoldoutSet:
    name: str
    package: str  # Debian package that holds the images
    root: Path  # a path that exists once the package is installed
    label: str  # what the class is, for the report
    split_rule: str
    plan: Callable[[], list[Item]]
    needs: tuple[Path, ...] = ()  # other files it reads (from the other packages named)

    def installed(self) -> bool:
        return self.root.is_dir() and all(path.exists() for path in self.needs)


def split_groups(groups: Sequence[str], key: str, fraction: float = TEST_FRACTION) -> set[str]:
    """The test groups: a seeded shuffle of the sorted groups, ``round(fraction * n)`` of them,
    at least one and never all (a class needs training images)."""
    ordered = sorted(set(groups))
    if len(ordered) < 2:
        raise ValueError(f"{key}: a leak-free split needs at least 2 groups, got {ordered}")
    random.Random(f"{SEED}-{key}").shuffle(ordered)
    count = min(max(1, round(fraction * len(ordered))), len(ordered) - 1)
    return set(ordered[:count])


# ----------------------------------------------------------------------------------- cards


def plan_cards(root: Path = CARD_ROOT) -> list[Item]:
    """13 ranks (the decks' ace is "1") x 4 suits of every deck kept; test = whole families."""
    decks = card_decks(root)
    families = {deck: card_family(deck) for deck in decks}
    test_families = split_groups(list(families.values()), "cards")
    items = []
    for deck, svgz in decks.items():
        split = "test" if families[deck] in test_families else "train"
        short = deck.removeprefix("svg-")
        for rank in CARD_RANKS:
            for suit in CARD_SUITS:
                element = f"{rank}_{suit}"
                label = card_label(rank)
                name = f"{short}_{element}"
                items.append(Item(split, label, name, svgz, element, families[deck]))
    return items


# ------------------------------------------------------------------------------- freedroid

FREEDROID_MIN_ITEMS = 3  # a category needs items on both sides of the split
FREEDROID_TARGET_PER_CLASS = 160  # views per item = ceil(target / items), all views at most


def freedroid_categories(root: Path = FREEDROID_ROOT) -> dict[str, dict[str, list[Path]]]:
    """Category -> item -> its sorted turntable views, for categories with enough items.
    A category is a folder whose sub-folders are items (single-item folders are left out)."""
    categories = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        items = {
            item.name: sorted(item.glob("portrait_*.jpg"))
            for item in sorted(p for p in folder.iterdir() if p.is_dir())
        }
        items = {name: views for name, views in items.items() if views}
        if len(items) >= FREEDROID_MIN_ITEMS:
            categories[folder.name] = items
    return categories


def evenly_spaced(views: Sequence[T], count: int) -> list[T]:
    """``count`` views spread over the turntable (all when there are fewer); any sequence."""
    if count >= len(views):
        return list(views)
    step = len(views) / count
    return [views[math.floor(i * step)] for i in range(count)]


def plan_freedroid(root: Path = FREEDROID_ROOT) -> list[Item]:
    """Item category (weapons, armours, ...) as the class; test = whole items, all views."""
    items = []
    for category, members in freedroid_categories(root).items():
        per_item = math.ceil(FREEDROID_TARGET_PER_CLASS / len(members))
        test_items = split_groups(list(members), f"freedroid-{category}")
        for item, views in members.items():
            split = "test" if item in test_items else "train"
            for view in evenly_spaced(views, per_item):
                items.append(Item(split, category, f"{item}_{view.stem}", view, None, item))
    return items


# ------------------------------------------------------------------------------- megaglest

MEGAGLEST_SUFFIXES = (".bmp", ".png", ".jpg")


def is_particle_texture(path: Path) -> bool:
    """Projectile and particle sprites (all 32x32, mostly generic blobs), not unit icons."""
    return "particle" in path.stem or path.stem in ("spark",)


def megaglest_icons(root: Path = MEGAGLEST_ROOT) -> list[tuple[str, str, Path]]:
    """(faction, group, path) of every icon under ``<faction>/<units|upgrades>/<group>/images``,
    sorted, particle textures left out."""
    found = []
    for path in sorted(root.glob("*/*/*/images/*")):
        if path.suffix.lower() in MEGAGLEST_SUFFIXES and not is_particle_texture(path):
            faction, kind, group = path.relative_to(root).parts[:3]
            found.append((faction, f"{kind}/{group}", path))
    return found


def unique_icons(
    icons: list[tuple[str, str, Path]], digest: Callable[[Path], str]
) -> list[tuple[str, str, Path]]:
    """Drop repeated pictures: a picture found in two factions has no faction, so every copy
    goes; within one faction the first copy (sorted path) stays, so no picture is in both
    train and test."""
    factions_of: dict[str, set[str]] = defaultdict(set)
    digests = [digest(path) for _, _, path in icons]
    for (faction, _, _), key in zip(icons, digests, strict=True):
        factions_of[key].add(faction)
    kept, seen = [], set()
    for icon, key in zip(icons, digests, strict=True):
        if len(factions_of[key]) == 1 and key not in seen:
            seen.add(key)
            kept.append(icon)
    return kept


def pixel_digest(path: Path) -> str:
    """Hash of the decoded RGB pixels, so one picture saved as .bmp and .png counts once."""
    from PIL import Image

    with Image.open(path) as image:
        rgb = image.convert("RGB")
    return hashlib.sha1(f"{rgb.size}".encode() + rgb.tobytes()).hexdigest()


def plan_megaglest(root: Path = MEGAGLEST_ROOT) -> list[Item]:
    """Faction as the class; test = whole unit or upgrade folders (a unit's icon and its attack
    icon are one drawing in two poses)."""
    icons = unique_icons(megaglest_icons(root), pixel_digest)
    groups_of: dict[str, list[str]] = defaultdict(list)
    for faction, group, _ in icons:
        groups_of[faction].append(group)
    test_groups = {f: split_groups(g, f"megaglest-{f}") for f, g in groups_of.items()}
    items = []
    for faction, group, path in icons:
        split = "test" if group in test_groups[faction] else "train"
        name = f"{group.replace('/', '_')}_{path.stem}"
        items.append(Item(split, faction, name, path, None, group))
    return items


# ------------------------------------------------- shared by the sets split by group size


def slug(text: str) -> str:
    """A class folder name: ``Smileys & Emotion`` -> ``smileys_emotion``."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def split_groups_by_size(
    groups: Sequence[str], key: str, fraction: float = TEST_FRACTION
) -> set[str]:
    """The test groups, for groups of very different sizes (one image per entry of ``groups``):
    the sorted groups in a seeded shuffle, each taken while the test side stays within
    ``fraction`` of the images, so that side holds close to ``fraction`` of them whatever the
    draw; the first group when every group is larger; never all groups."""
    sizes = Counter(groups)
    if len(sizes) < 2:
        raise ValueError(f"{key}: a leak-free split needs at least 2 groups, got {sorted(sizes)}")
    ordered = sorted(sizes)
    random.Random(f"{SEED}-{key}").shuffle(ordered)
    target, taken, chosen = fraction * len(groups), 0, set()
    for group in ordered:
        if taken + sizes[group] <= target:
            chosen.add(group)
            taken += sizes[group]
    return chosen or {ordered[0]}


def split_per_label(entries: Sequence[tuple[str, str, Path]], key: str) -> set[tuple[str, str]]:
    """The (label, group) pairs that are test: ``split_groups_by_size`` per label, on (label,
    group, path) entries."""
    groups_of: dict[str, list[str]] = defaultdict(list)
    for label, group, _ in entries:
        groups_of[label].append(group)
    return {
        (label, group)
        for label, groups in groups_of.items()
        for group in split_groups_by_size(groups, f"{key}-{label}")
    }


def cap_per_class(items: list[Item], train: int, test: int) -> list[Item]:
    """At most ``train`` / ``test`` items per class and side, evenly spaced over the plan's order
    (sorted paths), so a large class keeps images of all its groups."""
    sides: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in items:
        sides[(item.label, item.split)].append(item)
    caps = {"train": train, "test": test}
    return [i for (_, split), side in sides.items() for i in evenly_spaced(side, caps[split])]


def split_and_cap(
    entries: Sequence[tuple[str, str, Path]],
    key: str,
    caps: tuple[int, int],
    render: str,
    name: Callable[[Path], str],
    source: Callable[[Path], Path] = lambda path: path,
    element: Callable[[Path], str | None] = lambda path: None,
) -> list[Item]:
    """The items of (class, group, path) entries: test = whole groups per class
    (``split_per_label``), each class then capped at ``caps`` (train, test). ``source`` and
    ``element`` say where the picture is read from (a file, or an entry of a zip)."""
    test_groups = split_per_label(entries, key)
    items = [
        Item(
            "test" if (c, g) in test_groups else "train",
            c,
            name(p),
            source(p),
            element(p),
            g,
            render,
        )
        for c, g, p in entries
    ]
    return cap_per_class(items, *caps)


def file_digest(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


# -------------------------------------------------------------------------------- furniture

FURNITURE_ROOT = Path("/usr/share/sweethome3d/furniture")  # sweethome3d-furniture
# Sweet Home 3D catalog category -> class. Left out: "Miscellaneous" (146 pieces: a catch-all of
# things no other category takes, not a kind of thing), "Staircases" (2 pieces) and
# "Characters" (37: people and animals, 25 of them one catalog's people models in several poses,
# female01 / sitFemale01 / holdingFemale01, which no name rule keeps on one side).
FURNITURE_CLASSES = {
    "Bathroom": "bathroom",
    "Bedroom": "bedroom",
    "Doors and windows": "doors_windows",
    "Exterior": "exterior",
    "Kitchen": "kitchen",
    "Lights": "lights",
    "Living room": "living_room",
    "Office": "office",
    "Vehicles": "vehicles",
}
FURNITURE_TRAIN_PER_CLASS = 80
FURNITURE_TEST_PER_CLASS = 35
CATALOG_ENTRY = re.compile(r"^(category|icon)#(\d+)\s*[=:]\s*(.*?)\s*$", re.M)


def parse_furniture_catalog(text: str) -> list[tuple[str, str]]:
    """(category, icon entry) of every piece of a ``PluginFurnitureCatalog.properties``, in
    piece order; the icon's leading ``/`` is dropped, so it names the entry in the .sh3f zip.
    Only ``category#N`` and ``icon#N`` are read (ASCII in every catalog shipped)."""
    fields: dict[str, dict[str, str]] = defaultdict(dict)
    for key, index, value in CATALOG_ENTRY.findall(text):
        fields[index][key] = value
    ordered = sorted(fields.items(), key=lambda entry: int(entry[0]))
    return [
        (piece["category"], piece["icon"].lstrip("/"))
        for _, piece in ordered
        if "category" in piece and "icon" in piece
    ]


def furniture_group(stem: str) -> str:
    """``scopia/bed2`` -> ``scopia/bed``: the catalog folder and the first word of the icon name,
    words split at ``-``, ``_``, ``.``, spaces and lower-to-upper case changes, digits dropped, so
    numbered and coloured pieces of one model (``bed1``/``bed2``, ``com_bath2_soap``,
    ``sofaRed``/``sofaBlue``) stay together."""
    folder, _, name = stem.rpartition("/")
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    word = re.split(r"[-_. ]", spaced)[0].rstrip("0123456789") or name
    return f"{folder}/{word.lower()}"


def furniture_icons(
    root: Path = FURNITURE_ROOT,
) -> tuple[list[tuple[str, str, Path]], dict[Path, Path]]:
    """(class, group, icon entry) of every piece of the classes used, catalogs in sorted order,
    and each entry's catalog file (the group: ``furniture_group``)."""
    import zipfile

    found: list[tuple[str, str, Path]] = []
    catalog_of: dict[Path, Path] = {}
    for catalog in sorted(root.glob("*.sh3f")):
        with zipfile.ZipFile(catalog) as archive:
            text = archive.read("PluginFurnitureCatalog.properties").decode("latin-1")
        for category, entry in parse_furniture_catalog(text):
            if category in FURNITURE_CLASSES:
                stem = entry.rsplit(".", 1)[0]
                found.append((FURNITURE_CLASSES[category], furniture_group(stem), Path(entry)))
                catalog_of[Path(entry)] = catalog
    return found, catalog_of


def zip_digests(catalog_of: dict[Path, Path]) -> dict[Path, str]:
    """Hash of every icon entry's bytes, to find one picture filed twice."""
    import zipfile

    digests = {}
    for catalog in sorted(set(catalog_of.values())):
        with zipfile.ZipFile(catalog) as archive:
            for entry, source in catalog_of.items():
                if source == catalog:
                    digests[entry] = hashlib.sha1(archive.read(entry.as_posix())).hexdigest()
    return digests


def plan_furniture(root: Path = FURNITURE_ROOT) -> list[Item]:
    """Sweet Home 3D catalog category (bathroom, kitchen, lights, ...) as the class; test =
    whole name families of one catalog, after removing identical icons."""
    icons, catalog_of = furniture_icons(root)
    digests = zip_digests(catalog_of)
    icons = unique_icons(icons, digests.__getitem__)
    return split_and_cap(
        icons,
        "furniture",
        (FURNITURE_TRAIN_PER_CLASS, FURNITURE_TEST_PER_CLASS),
        "furniture",
        name=lambda entry: entry.with_suffix("").as_posix().replace("/", "_"),
        source=catalog_of.__getitem__,
        element=Path.as_posix,
    )


# -------------------------------------------------------------------------------- outfits

OUTFIT_ROOT = Path("/usr/share/games/endless-sky")  # endless-sky-data
# Endless Sky outfit category -> class. Left out: "Secondary Weapons" (15 launchers), "Special"
# (14: harvested minerals, a map, a licence), "Hand to Hand" (5), and the placeholder thumbnail
# ``outfit/unknown``, which outfits of seven categories share.
OUTFIT_CLASSES = {
    "Ammunition": "ammunition",
    "Engines": "engines",
    "Guns": "guns",
    "Power": "power",
    "Systems": "systems",
    "Turrets": "turrets",
}
OUTFIT_TRAIN_PER_CLASS = 50
OUTFIT_TEST_PER_CLASS = 25
# Words that name a size, a faction's recolour or a multiple of one drawing: dropped before the
# family is read, so "small atomic steering hai" and "huge atomic thruster" are one family.
OUTFIT_VARIANT_WORDS = frozenset(
    {"tiny", "small", "medium", "large", "huge", "hai", "mod", "quad", "dual", "double"}
    | {"triple", "heavy"}
)
OUTFIT_FIELD = re.compile(r'^\t(category|thumbnail) "([^"]*)"')


def parse_outfits(text: str) -> list[tuple[str, str]]:
    """(category, thumbnail) of every top-level ``outfit`` block of an Endless Sky data file
    that has both; a field is a line indented by one tab inside the block."""
    found: list[tuple[str, str]] = []
    fields: dict[str, str] = {}
    inside = False
    for line in [*text.splitlines(), "end"]:
        if line[:1] not in ("\t", " ", "#", ""):  # a new top-level node ends the block
            if inside and "category" in fields and "thumbnail" in fields:
                found.append((fields["category"], fields["thumbnail"]))
            inside, fields = line.startswith("outfit "), {}
        elif inside and (match := OUTFIT_FIELD.match(line)):
            fields[match.group(1)] = match.group(2)
    return found


def outfit_group(name: str) -> str:
    """The outfit's family: its first word once size, faction and multiple words are dropped
    (``large ion steering`` -> ``ion``, ``quad blaster turret`` -> ``blaster``)."""
    words = [w for w in name.split() if w not in OUTFIT_VARIANT_WORDS]
    return words[0] if words else name


def endless_sky_outfits(root: Path = OUTFIT_ROOT) -> list[tuple[str, str, Path]]:
    """(class, family, thumbnail file) of every thumbnail whose outfits (in all data files,
    sorted) have one category, of the classes used; sorted by file."""
    categories: dict[str, set[str]] = defaultdict(set)
    for data in sorted((root / "data").glob("*.txt")):
        for category, thumbnail in parse_outfits(data.read_text(encoding="utf-8")):
            categories[thumbnail].add(category)
    found = []
    for thumbnail, kinds in sorted(categories.items()):
        path = root / "images" / f"{thumbnail}.png"
        if len(kinds) == 1 and (kind := next(iter(kinds))) in OUTFIT_CLASSES and path.is_file():
            found.append((OUTFIT_CLASSES[kind], outfit_group(path.stem), path))
    return found


def outfit_name(path: Path) -> str:
    """Output stem: the thumbnail's name with ``_`` for spaces (``tiny_ion_thruster``)."""
    return path.stem.replace(" ", "_")


def plan_outfits(root: Path = OUTFIT_ROOT) -> list[Item]:
    """Endless Sky outfit category (engines, guns, power, ...) as the class; test = whole
    families (sizes and recolours of one drawing), after removing identical files."""
    outfits = unique_icons(endless_sky_outfits(root), file_digest)
    caps = (OUTFIT_TRAIN_PER_CLASS, OUTFIT_TEST_PER_CLASS)
    return split_and_cap(outfits, "outfits", caps, "outfit", outfit_name)


# ---------------------------------------------------------------------------------- flags

FLAG_ROOT = Path("/usr/share/games/freeciv")  # freeciv-data
# Continent groups of the nation rulesets -> class. Left out: "Oceanian" (18 nations, fewer than
# the 20 a class needs), nations in two continent groups (28: Russian,
# Turkish, ...) or in none (23: imaginary and barbarian nations, ancient peoples).
FLAG_CLASSES = {
    "African": "african",
    "American": "american",
    "Asian": "asian",
    "European": "european",
}
FLAG_TRAIN_PER_CLASS = 90
FLAG_TEST_PER_CLASS = 40
FLAG_NEAR = 16.0  # mean absolute difference (of 255) of 12x8 thumbnails: one picture redrawn


def parse_nation(text: str) -> tuple[list[str], str]:
    """The ``groups`` and the ``flag`` of a Freeciv ``nation/*.ruleset``."""
    groups = re.search(r"^groups\s*=\s*(.*)$", text, re.M)
    flag = re.search(r'^flag\s*=\s*"([^"]*)"', text, re.M)
    return re.findall(r'"([^"]*)"', groups.group(1) if groups else ""), flag[1] if flag else ""


def nation_flags(root: Path = FLAG_ROOT) -> list[tuple[str, str, Path]]:
    """(class, flag name, large flag file) of every nation in exactly one continent group of
    the classes used, sorted by ruleset."""
    found = []
    for ruleset in sorted((root / "nation").glob("*.ruleset")):
        groups, flag = parse_nation(ruleset.read_text(encoding="utf-8"))
        continents = [g for g in groups if g in FLAG_CLASSES or g == "Oceanian"]
        path = root / "flags" / f"{flag}-large.png"
        if len(continents) == 1 and continents[0] in FLAG_CLASSES and path.is_file():
            found.append((FLAG_CLASSES[continents[0]], flag, path))
    return found


def chained(count: int, linked: Callable[[int, int], bool]) -> list[int]:
    """For each of ``count`` items, the first item of its chain: items ``i < j`` are chained
    when ``linked(i, j)``, and chains that share an item are one."""
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(count):
        for j in range(i + 1, count):
            if root(i) != root(j) and linked(i, j):
                parent[max(root(i), root(j))] = min(root(i), root(j))
    return [root(i) for i in range(count)]


def near_flag_groups(flags: list[tuple[str, str, Path]]) -> list[tuple[str, str, Path]]:
    """The flags with their group: within a class, flags whose 12x8 thumbnails differ by less
    than ``FLAG_NEAR`` on average are chained into one group (variants of one flag, such as an
    emblem added), named after its first flag; every other flag is a group of its own."""
    from PIL import Image, ImageChops, ImageStat

    def thumb(path: Path) -> Image.Image:
        with Image.open(path) as image:
            picture = Image.new("RGBA", image.size, "white")
            picture.alpha_composite(image.convert("RGBA"))
        return picture.convert("RGB").resize((12, 8), Image.Resampling.BILINEAR)

    thumbs = [thumb(path) for _, _, path in flags]

    def near(i: int, j: int) -> bool:
        if flags[i][0] != flags[j][0]:
            return False
        difference = ImageChops.difference(thumbs[i], thumbs[j])
        return sum(ImageStat.Stat(difference).mean) / 3 < FLAG_NEAR

    roots = chained(len(flags), near)
    return [(label, flags[roots[i]][1], path) for i, (label, _, path) in enumerate(flags)]


def flag_name(path: Path) -> str:
    """Output stem: the flag's name (``germany-large.png`` -> ``germany``)."""
    return path.stem.removesuffix("-large")


def plan_flags(root: Path = FLAG_ROOT) -> list[Item]:
    """Continent of a Freeciv nation (its ruleset's group) as the class, from the nation's
    flag; identical pictures removed, test = whole groups of near-identical flags."""
    flags = near_flag_groups(unique_icons(nation_flags(root), pixel_digest))
    return split_and_cap(
        flags, "flags", (FLAG_TRAIN_PER_CLASS, FLAG_TEST_PER_CLASS), "flag", flag_name
    )


# -------------------------------------------------------------------------------- 0 A.D. units

ZERO_AD_ZIP = Path("/usr/share/games/0ad/mods/public/public.zip")  # 0ad-data
UNIT_PORTRAITS = "art/textures/ui/session/portraits/units/"
# The unit's role, as 0 A.D. names its portraits (``athen_cavalry_javelinist``): the class. Left
# out: ``champion`` (57 portraits: the elite rank of infantry, cavalry and chariots, a rank and
# not a look) and the few portraits named without a role (war dogs, ``global_mustang``, ...).
UNIT_ROLES = ("cavalry", "hero", "infantry", "ship", "siege", "support")
UNIT_TRAIN_PER_CLASS = 60
UNIT_TEST_PER_CLASS = 25


def unit_role(member: str) -> tuple[str, str] | None:
    """(role, civilisation) of a portrait entry: the civilisation is the first word of the name
    (``hele``, ``celt`` and ``global`` are shared portraits, kept as their own group), or the
    sub-folder (``units/han/``), or ``generic`` for a name that starts with the role;
    ``None`` for a portrait without one of ``UNIT_ROLES`` right after it."""
    relative = member.removeprefix(UNIT_PORTRAITS)
    folder, _, file = relative.rpartition("/")
    words = file.split(".", 1)[0].split("_")
    if folder:
        civilisation, role = folder, words[0]
    elif words[0] in UNIT_ROLES or words[0] == "champion":
        civilisation, role = "generic", words[0]
    else:
        civilisation, role = words[0], words[1] if len(words) > 1 else ""
    return (role, civilisation) if role in UNIT_ROLES else None


def unit_portraits(archive: Path = ZERO_AD_ZIP) -> list[tuple[str, str, str, str]]:
    """(role, civilisation, zip entry, digest of its bytes) of every unit portrait with a role of
    ``UNIT_ROLES``, in entry order sorted."""
    import zipfile

    found = []
    with zipfile.ZipFile(archive) as bundle:
        for member in sorted(n for n in bundle.namelist() if n.startswith(UNIT_PORTRAITS)):
            parsed = unit_role(member)
            if parsed and member.endswith((".png", ".dds")):
                digest = hashlib.sha1(bundle.read(member)).hexdigest()
                found.append((*parsed, member, digest))
    return found


def unit_name(member: Path) -> str:
    """Output stem: the portrait's name (``athen_cavalry_javelinist``; ``han_infantry_archer``
    for the Han sub-folder, whose names have no civilisation)."""
    stem = member.name.split(".", 1)[0]
    return f"han_{stem}" if member.parent.name == "han" else stem


def plan_units(archive: Path = ZERO_AD_ZIP) -> list[Item]:
    """Role of a 0 A.D. unit (cavalry, hero, infantry, ship, siege, support) as the class, from
    its portrait; test = whole civilisations per role (a civilisation draws its soldiers as one
    cast: its spearman on foot and on a horse are one man), after removing identical entries."""
    portraits = unit_portraits(archive)
    digests = {member: digest for _, _, member, digest in portraits}
    entries = [(role, civ, Path(member)) for role, civ, member, _ in portraits]
    entries = unique_icons(entries, lambda member: digests[str(member)])
    return split_and_cap(
        entries,
        "units",
        (UNIT_TRAIN_PER_CLASS, UNIT_TEST_PER_CLASS),
        "unit",
        name=unit_name,
        source=lambda member: archive,
        element=str,
    )


# --------------------------------------------------------------------------------- FreeOrion

FREEORION_ICONS = Path("/usr/share/games/freeorion/default/data/art/icons")  # freeorion-data
# Icon folder -> class: what kind of game object the picture shows. Left out: ``species`` and
# ``tech`` (101 of 141 and 64 of 89 are greyscale, so the colour mode alone would give the class
# away), and the folders of interface symbols (buttons, meters, sitrep, focus, ...).
FREEORION_CLASSES = {
    "building": "building",
    "monsters": "monster",
    "ship_hulls": "ship_hull",
    "ship_parts": "ship_part",
    "specials_huge": "special",
}
FREEORION_TRAIN_PER_CLASS = 70
FREEORION_TEST_PER_CLASS = 30


def name_family(stem: str) -> str:
    """The first word of a file name, split at ``-``, ``_``, spaces and digits, in lower case
    (``juggernaut-2`` -> ``juggernaut``, ``asteroid_hull_small`` -> ``asteroid``), so numbered
    variants and sizes of one drawing share a group; the whole name if it has no letters."""
    words = [w for w in re.split(r"[-_ 0-9]+", stem.lower()) if w]
    return words[0] if words else stem.lower()


def freeorion_icons(root: Path = FREEORION_ICONS) -> list[tuple[str, str, Path]]:
    """(class, name family, file) of every PNG of the folders used, sorted."""
    return [
        (label, name_family(path.stem), path)
        for folder, label in sorted(FREEORION_CLASSES.items())
        for path in sorted((root / folder).glob("*.png"))
    ]


def plan_freeorion(root: Path = FREEORION_ICONS) -> list[Item]:
    """Kind of FreeOrion object (building, monster, ship hull, ship part, special) as the class;
    test = whole name families per class, after removing identical pictures."""
    icons = unique_icons(freeorion_icons(root), pixel_digest)
    caps = (FREEORION_TRAIN_PER_CLASS, FREEORION_TEST_PER_CLASS)
    return split_and_cap(icons, "freeorion", caps, "freeorion", lambda path: path.stem)


# ------------------------------------------------------------------------------------ pingus

PINGUS_ROOT = Path("/usr/share/games/pingus/data/images/groundpieces")  # pingus-data
PINGUS_KINDS = ("ground", "solid", "transparent")  # the level pieces; bridges and removers not
# Themes with at least 20 pieces over the three kinds. Left out: ``misc`` (a catch-all),
# ``test`` (colour-depth test pieces), ``real`` (photographs cut out, mixed subjects) and the
# themes with fewer pieces (crystal 18, easter 13, space 9, ...).
PINGUS_CLASSES = (
    "desert",
    "foliage",
    "halloween",
    "industrial",
    "jungle",
    "snow",
    "sweets",
    "xmas",
)
PINGUS_TRAIN_PER_CLASS = 40
PINGUS_TEST_PER_CLASS = 18


def pingus_pieces(root: Path = PINGUS_ROOT) -> list[tuple[str, str, Path]]:
    """(theme, name family, file) of every piece of the themes used, sorted; the family keeps the
    kind (``ground/grass`` and ``transparent/grass`` are different drawings)."""
    return [
        (theme, f"{kind}/{name_family(path.stem)}", path)
        for theme in PINGUS_CLASSES
        for kind in PINGUS_KINDS
        for path in sorted((root / kind / theme).glob("*.png"))
    ]


def pingus_name(path: Path) -> str:
    """Output stem: kind and name (``transparent_grass1``), unique within a theme."""
    return f"{path.parent.parent.name}_{path.stem}"


def plan_pingus(root: Path = PINGUS_ROOT) -> list[Item]:
    """Pingus level theme (desert, snow, sweets, ...) as the class, from a ground piece; test =
    whole name families per theme (``grass1`` .. ``grass16``), after removing identical pictures."""
    pieces = unique_icons(pingus_pieces(root), pixel_digest)
    caps = (PINGUS_TRAIN_PER_CLASS, PINGUS_TEST_PER_CLASS)
    return split_and_cap(pieces, "pingus", caps, "pingus", pingus_name)


SETS: dict[str, HoldoutSet] = {
    s.name: s
    for s in (
        HoldoutSet(
            "cards",
            "kdegames-card-data-kf5",
            CARD_ROOT,
            "card rank (13)",
            "by deck family: 3 of 10 families (oxygen, oxygen-air, oxygen-white are one family)",
            plan_cards,
        ),
        HoldoutSet(
            "freedroid",
            "freedroidrpg-data",
            FREEDROID_ROOT,
            "item category (7)",
            "by item: 30% of each category's items, with all their views, are test",
            plan_freedroid,
        ),
        HoldoutSet(
            "megaglest",
            "megaglest-data",
            MEGAGLEST_ROOT,
            "faction (7)",
            "by unit/upgrade folder (30% per faction), after removing identical pictures",
            plan_megaglest,
        ),
        HoldoutSet(
            "furniture",
            "sweethome3d-furniture",
            FURNITURE_ROOT,
            "Sweet Home 3D furniture category (9)",
            "by catalog and first word of the icon name (scopia/bed1-2, sofaRed/sofaBlue stay "
            "together), about "
            "30% of each category, after removing identical icons",
            plan_furniture,
        ),
        HoldoutSet(
            "outfits",
            "endless-sky-data",
            OUTFIT_ROOT / "images" / "outfit",
            "Endless Sky outfit category (6)",
            "by family (the name without size and faction words: small/large ion steering, "
            "atomic thruster hai stay together), about 30% of each category",
            plan_outfits,
            (OUTFIT_ROOT / "data",),
        ),
        HoldoutSet(
            "flags",
            "freeciv-data",
            FLAG_ROOT / "flags",
            "continent of a Freeciv nation, from its flag (4)",
            "by flag, near-identical flags (12x8 thumbnails within 16/255) chained into one "
            "group, about 30% of each continent, after removing identical pictures",
            plan_flags,
            (FLAG_ROOT / "nation",),
        ),
        HoldoutSet(
            "units",
            "0ad-data",
            ZERO_AD_ZIP.parent,
            "role of a 0 A.D. unit, from its portrait (6)",
            "by civilisation: whole civilisations per role, about 30% of each role's portraits, "
            "after removing identical entries",
            plan_units,
            (ZERO_AD_ZIP,),
        ),
        HoldoutSet(
            "freeorion",
            "freeorion-data",
            FREEORION_ICONS,
            "kind of FreeOrion object, from its icon (5)",
            "by name family (first word: juggernaut-1..3, asteroid_hull_small), about 30% of "
            "each kind, after removing identical pictures",
            plan_freeorion,
        ),
        HoldoutSet(
            "pingus",
            "pingus-data",
            PINGUS_ROOT,
            "Pingus level theme, from a ground piece (8)",
            "by kind and name family (ground/grass1..16 stay together), about 30% of each "
            "theme, after removing identical pictures",
            plan_pingus,
        ),
    )
}

# The fresh hold-out of 2026-12-04 (cataclysm, angband, chess) is planned in its own module, which
# adds its sets to SETS when imported (it needs the helpers above, hence the import down here);
# so are those prepared in the fifteenth (lgeneral, holdout_sets_fresh3.py), sixteenth (xfig,
# holdout_sets_fresh4.py; provinces, holdout_sets_fresh5.py) and seventeenth sessions (art4apps,
# holdout_sets_fresh6.py; qet, holdout_sets_fresh7.py; scripts, holdout_sets_fresh8.py),
# twenty-seventh (hieroglyphs, holdout_sets_fresh9.py) and twenty-eighth sessions (kanji,
# holdout_sets_fresh10.py).
import holdout_sets_fresh2  # noqa: E402, F401
import holdout_sets_fresh3  # noqa: E402, F401
import holdout_sets_fresh4  # noqa: E402, F401
import holdout_sets_fresh5  # noqa: E402, F401
import holdout_sets_fresh6  # noqa: E402, F401
import holdout_sets_fresh7  # noqa: E402, F401
import holdout_sets_fresh8  # noqa: E402, F401
import holdout_sets_fresh9  # noqa: E402, F401
import holdout_sets_fresh10  # noqa: E402, F401
import holdout_sets_fresh11  # noqa: E402, F401
import holdout_sets_fresh12  # noqa: E402, F401
import holdout_sets_fresh13  # noqa: E402, F401
import holdout_sets_fresh14  # noqa: E402, F401
import holdout_sets_fresh15  # noqa: E402, F401
import holdout_sets_fresh16  # noqa: E402, F401
import holdout_sets_fresh17  # noqa: E402, F401
import holdout_sets_fresh18  # noqa: E402, F401
import holdout_sets_fresh19  # noqa: E402, F401
import holdout_sets_fresh20  # noqa: E402, F401
import holdout_sets_fresh21  # noqa: E402, F401
import holdout_sets_fresh22  # noqa: E402, F401
import holdout_sets_fresh23  # noqa: E402, F401
import holdout_sets_fresh24  # noqa: E402, F401
import holdout_sets_fresh25  # noqa: E402, F401
import holdout_sets_fresh26  # noqa: E402, F401
import holdout_sets_fresh27  # noqa: E402, F401
