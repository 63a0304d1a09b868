"""The hold-out image sets: which files of which Debian package, labels, and a leak-free split.

Each set is planned as a list of ``Item`` (split, class, output name, source file, SVG element)
without decoding anything, so the plan is cheap to test; ``prepare.py`` turns a plan into a
class-folder dataset (``train/<class>/*.png``, ``test/<class>/*.png``).

None of these sources is in the shipped meta-dataset (``src/zapml/metadataset/specs/shipped.yaml``:
digits, mnist5k, animal_mnist, fashion_mnist, lfw, textures, glyphs, clipart) or derived from
its sources. The one overlap found, and removed: the two Nicu Buculei decks of
kdegames-card-data-kf5 are the same drawings as the openclipart card folders the ``clipart``
core dataset reads (``recreation/games/cards/{ornamental,white}``).

Every split keeps near-duplicates on one side: cards are split by deck family, FreedroidRPG
items by item (its ~32 turntable views stay together), MegaGlest icons by unit or upgrade
folder after removing identical pictures. Choices are deterministic: sorted file lists and
``random.Random(f"{SEED}-<name>-<class>")`` shuffles.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

SEED = 0
TEST_FRACTION = 0.3  # of the groups (decks, items, units) of each class, at least one group

CARD_ROOT = Path("/usr/share/carddecks")
FREEDROID_ROOT = Path("/usr/share/freedroidrpg/data/graphics/items")
MEGAGLEST_ROOT = Path("/usr/share/games/megaglest/techs/megapack/factions")


@dataclass(frozen=True)
class Item:
    """One image of a planned set: where it goes and where it comes from."""

    split: str  # "train" or "test"
    label: str  # class folder name
    name: str  # output file stem, unique within its class folder
    source: Path  # image file, or the .svgz deck for cards
    element: str | None = None  # SVG element id of the card (cards only)
    group: str = ""  # what the split keeps together (deck family, item, unit)


@dataclass(frozen=True)
class HoldoutSet:
    name: str
    package: str  # Debian package that holds the images
    root: Path  # a path that exists once the package is installed
    label: str  # what the class is, for the report
    split_rule: str
    plan: Callable[[], list[Item]]

    def installed(self) -> bool:
        return self.root.is_dir()


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

CARD_RANKS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "jack", "queen", "king")
CARD_SUITS = ("club", "diamond", "heart", "spade")
# Left out, with the reason: nicu-* are openclipart's card drawings (the clipart core dataset's
# source); xskat-german draws German suits under French ids; future writes ranks as hex digits
# 0-C, a code no other deck uses, so its rank cannot be learned from the other decks.
CARD_DECKS_LEFT_OUT = {
    "svg-nicu-ornamental": "same drawings as openclipart recreation/games/cards/ornamental",
    "svg-nicu-white": "same drawings as openclipart recreation/games/cards/white",
    "svg-xskat-german": "German suits under French suit ids",
    "svg-future": "ranks written as hex digits 0-C",
}
# Variants of one design (same faces, other backgrounds) must stay on one side of the split.
CARD_FAMILIES = {"svg-oxygen-air": "svg-oxygen", "svg-oxygen-white": "svg-oxygen"}


def card_decks(root: Path = CARD_ROOT) -> dict[str, Path]:
    """Deck folder name -> its .svgz file, for the decks used."""
    decks = {}
    for folder in sorted(root.glob("svg-*")):
        files = sorted(folder.glob("*.svgz"))
        if files and folder.name not in CARD_DECKS_LEFT_OUT:
            decks[folder.name] = files[0]
    return decks


def plan_cards(root: Path = CARD_ROOT) -> list[Item]:
    """13 ranks (the decks' ace is "1") x 4 suits of every deck kept; test = whole families."""
    decks = card_decks(root)
    families = {deck: CARD_FAMILIES.get(deck, deck) for deck in decks}
    test_families = split_groups(list(families.values()), "cards")
    items = []
    for deck, svgz in decks.items():
        split = "test" if families[deck] in test_families else "train"
        short = deck.removeprefix("svg-")
        for rank in CARD_RANKS:
            for suit in CARD_SUITS:
                element = f"{rank}_{suit}"
                label = "ace" if rank == "1" else rank
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


def evenly_spaced(views: Sequence[Path], count: int) -> list[Path]:
    """``count`` views spread over the turntable (all when there are fewer)."""
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
    )
}
