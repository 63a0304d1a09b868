"""The fresh hold-out of 2026-12-04 (fourteenth session): ``cataclysm`` (cataclysm-dda-data),
``angband`` (angband, angband-data) and ``chess`` (pychess), from packages that no other set and
no meta-dataset source reads. Planned with the helpers of ``holdout_sets.py``, whose ``SETS``
this module extends when it is imported (``holdout_sets`` imports it at its end);
``PICTURE_READERS`` tells ``prepare.py`` how to cut a picture out of a sprite sheet or draw a
chess piece before it is fitted into its square.

Every split keeps near-duplicates on one side: Cataclysm item tiles and Angband monster tiles by
silhouette family (tiles of one class whose visible pixels, moved to one corner, overlap by 90% or
more, chained: the recolours and relabels of one drawing; at most ``FAMILY_MOST`` tiles of a
family are kept), chess pieces by piece set (a redrawn set counts with the one it redraws).
Identical tiles are removed first (``unique_icons``, as for megaglest); these plans decode the
sprite sheets for that and for the silhouettes.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from holdout_sets import (
    ALPHA_VISIBLE,
    SETS,
    HoldoutSet,
    Item,
    chained,
    evenly_spaced,
    slug,
    split_and_cap,
    split_groups_by_size,
    unique_icons,
    visible_box,
)

if TYPE_CHECKING:
    from PIL import Image

Entry = tuple[str, str, Path]  # (class, name or group, path or key of the picture)
SILHOUETTE_NEAR = 0.9  # visible pixels overlapping by this share (intersection over union)
FAMILY_MOST = 5  # tiles kept of one silhouette family (one drawing and its recolours)


# -------------------------------------------------------------- shared: sprites of one sheet


@lru_cache(maxsize=4)
def sheet_image(path: Path) -> Image.Image:
    from PIL import Image

    with Image.open(path) as image:
        return image.convert("RGBA")


def crop_box(box: str) -> tuple[int, int, int, int]:
    """``"32,0,64,32"`` -> ``(32, 0, 64, 32)``: left, top, right, bottom."""
    left, top, right, bottom = (int(value) for value in box.split(","))
    return left, top, right, bottom


def sprite(sheet: Path, box: str) -> Image.Image:
    """One sprite of a sheet, RGBA."""
    return sheet_image(sheet).crop(crop_box(box))


def read_sprite(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the sprite sets: the item's sprite, cut from its sheet."""
    return sprite(item.source, str(item.element))


def is_blank(picture: Image.Image) -> bool:
    return visible_box(picture) is None


def silhouette(picture: Image.Image) -> Any:
    """The visible pixels (alpha above ``ALPHA_VISIBLE``) of a sprite as a flat boolean array,
    moved to the top left corner, so that one drawing placed a pixel or two apart in two tiles
    has one silhouette."""
    import numpy as np

    mask = np.asarray(picture.getchannel("A")) > ALPHA_VISIBLE
    rows, columns = np.nonzero(mask)
    aligned = np.zeros_like(mask)
    if len(rows):
        top, left = rows.min(), columns.min()
        aligned[: mask.shape[0] - top, : mask.shape[1] - left] = mask[top:, left:]
    return aligned.reshape(-1)


def silhouette_groups(
    entries: Sequence[Entry], picture: Callable[[Path], Image.Image]
) -> list[Entry]:
    """The entries (class, name, key) with their group in place of the name: within a class,
    sprites (all of one size) whose silhouettes overlap by ``SILHOUETTE_NEAR`` or more of their
    union are chained, so a drawing and its recolours or relabels share a group, named after its
    first member."""
    import numpy as np

    if not entries:
        return []
    masks = np.stack([silhouette(picture(key)) for *_, key in entries]).astype(np.int64)
    overlap = masks @ masks.T
    sizes = masks.sum(axis=1)
    union = sizes[:, None] + sizes[None, :] - overlap
    near = overlap >= SILHOUETTE_NEAR * np.maximum(union, 1)
    labels = [label for label, _, _ in entries]
    roots = chained(len(entries), lambda i, j: labels[i] == labels[j] and bool(near[i, j]))
    return [(label, entries[roots[i]][1], key) for i, (label, _, key) in enumerate(entries)]


def pixel_digest(picture: Callable[[Path], Image.Image]) -> Callable[[Path], str]:
    """A key's digest of the pixels ``picture`` draws for it: ``unique_icons`` drops repeats by
    it."""

    def digest(key: Path) -> str:
        return hashlib.sha1(picture(key).tobytes()).hexdigest()

    return digest


def cap_per_group(entries: Sequence[Entry], most: int) -> list[Entry]:
    """At most ``most`` entries of each (class, group), evenly spaced over its members in their
    order; the entries' order is kept."""
    members: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, (label, group, _) in enumerate(entries):
        members[(label, group)].append(index)
    kept = {index for indices in members.values() for index in evenly_spaced(indices, most)}
    return [entry for index, entry in enumerate(entries) if index in kept]


def plan_sprites(
    entries: Sequence[Entry],
    sheet: Path,
    box_of: dict[Path, str],
    key: str,
    caps: tuple[int, int],
    name: Callable[[Path], str],
) -> list[Item]:
    """Items of sprites cut from one sheet (entries: class, name, key of ``box_of``): blank
    sprites and repeated pictures dropped, grouped by silhouette, ``FAMILY_MOST`` tiles of a
    group kept (so that a drawing recoloured a dozen times does not fill a side of its class),
    test = whole groups per class (``split_and_cap``), rendered by ``PICTURE_READERS[key]``."""

    def picture(path: Path) -> Image.Image:
        return sprite(sheet, box_of[path])

    visible = [entry for entry in entries if not is_blank(picture(entry[2]))]
    grouped = silhouette_groups(unique_icons(visible, pixel_digest(picture)), picture)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        key,
        caps,
        key,
        name,
        source=lambda path: sheet,
        element=box_of.__getitem__,
    )


# ------------------------------------------------------------------------------ cataclysm

CATACLYSM_ROOT = Path("/usr/share/games/cataclysm-dda")  # cataclysm-dda-data
CATACLYSM_TILESET_NAME = "MshockXotto+"  # its items are drawn at 32 px on one sheet
CATACLYSM_TILESET = CATACLYSM_ROOT / "gfx" / CATACLYSM_TILESET_NAME
CATACLYSM_SHEET = "tiles.png"  # the tileset's 32 px sheet: its 20 px sprites (small.png,
# fillersmall.png) are left out, so that a picture's resolution says nothing of its class
# Item type (``"type"`` of the item's JSON) -> class. Left out: GENERIC (a catch-all of 271 tiles,
# from sticks to glass sheets), and the types with few tiles or mixed looks (MAGAZINE,
# TOOL_ARMOR, GUNMOD, BIONIC_ITEM, WHEEL, ENGINE, PET_ARMOR, ...).
CATACLYSM_CLASSES = {
    "AMMO": "ammo",
    "ARMOR": "armor",
    "BOOK": "book",
    "COMESTIBLE": "comestible",
    "GUN": "gun",
    "TOOL": "tool",
}
CATACLYSM_TRAIN_PER_CLASS = 50
CATACLYSM_TEST_PER_CLASS = 20


def item_types(root: Path = CATACLYSM_ROOT) -> dict[str, str]:
    """Item id -> its type (``GUN``, ``ARMOR``, ...) of every object with a string ``id`` and a
    ``type`` under ``json/items`` (files sorted); an id given two types is left out."""
    types: dict[str, set[str]] = defaultdict(set)
    for path in sorted((root / "json" / "items").rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for entry in data if isinstance(data, list) else [data]:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str) and "type" in entry:
                types[entry["id"]].add(str(entry["type"]))
    return {item: next(iter(kinds)) for item, kinds in types.items() if len(kinds) == 1}


def first_sprite(fg: Any) -> int | None:
    """The first sprite of a tile's ``fg``: an index, a list (rotations), or weighted variants
    ``{"weight": w, "sprite": ...}``; None when there is none."""
    while isinstance(fg, list | dict):
        fg = fg.get("sprite") if isinstance(fg, dict) else (fg[0] if fg else None)
    return fg if isinstance(fg, int) else None


def tile_sprites(config: dict[str, Any]) -> Iterator[tuple[str, int]]:
    """(id, first ``fg`` sprite) of every tile of a ``tile_config.json``, in file order; a tile
    drawn for a list of ids gives one pair per id."""
    for sheet in config["tiles-new"]:
        for tile in sheet.get("tiles", []):
            ids = tile["id"] if isinstance(tile["id"], list) else [tile["id"]]
            index = first_sprite(tile.get("fg"))
            if index is not None:
                yield from ((str(i), index) for i in ids)


Sheet = tuple[int, int, str, int, int, int]  # first sprite, sprites, file, width, height, columns


def sheet_ranges(tileset: Path, config: dict[str, Any]) -> list[Sheet]:
    """(first sprite index, sprites, file, sprite width, sprite height, columns) of every sheet:
    sprites are numbered from 0 across the sheets in their order, row by row."""
    from PIL import Image

    default = config["tile_info"][0]
    ranges, first = [], 0
    for sheet in config["tiles-new"]:
        width = int(sheet.get("sprite_width", default["width"]))
        height = int(sheet.get("sprite_height", default["height"]))
        with Image.open(tileset / sheet["file"]) as image:
            columns, rows = image.width // width, image.height // height
        ranges.append((first, columns * rows, str(sheet["file"]), width, height, columns))
        first += columns * rows
    return ranges


def sprite_box(index: int, ranges: Sequence[Sheet]) -> tuple[str, str] | None:
    """(sheet file, crop box ``"left,top,right,bottom"``) of a sprite index; None beyond the
    sheets."""
    for first, count, file, width, height, columns in ranges:
        if first <= index < first + count:
            left = (index - first) % columns * width
            top = (index - first) // columns * height
            return file, f"{left},{top},{left + width},{top + height}"
    return None


def cataclysm_items(root: Path = CATACLYSM_ROOT) -> tuple[list[Entry], dict[Path, str]]:
    """(class, item id, ``Path(id)``) of every item of the classes used whose tile (its first
    one in the tileset) is on ``CATACLYSM_SHEET``, sorted by id, and each one's crop box."""
    tileset = root / "gfx" / CATACLYSM_TILESET_NAME
    config = json.loads((tileset / "tile_config.json").read_text(encoding="utf-8"))
    types, ranges = item_types(root), sheet_ranges(tileset, config)
    first_tile: dict[str, int] = {}
    for item, index in tile_sprites(config):
        first_tile.setdefault(item, index)
    found, box_of = [], {}
    for item, index in sorted(first_tile.items()):
        place = sprite_box(index, ranges)
        if types.get(item) in CATACLYSM_CLASSES and place and place[0] == CATACLYSM_SHEET:
            found.append((CATACLYSM_CLASSES[types[item]], item, Path(item)))
            box_of[Path(item)] = place[1]
    return found, box_of


def item_name(key: Path) -> str:
    """Output stem: the item id, characters other than letters, digits, ``_ . -`` as ``_``
    (``h&k416a5`` -> ``h_k416a5``)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", key.name)


def plan_cataclysm(root: Path = CATACLYSM_ROOT) -> list[Item]:
    """Type of a Cataclysm: DDA item (ammo, armor, book, comestible, gun, tool) as the class,
    from its 32 px tile; test = whole silhouette families per class, after removing identical
    tiles."""
    items, box_of = cataclysm_items(root)
    sheet = root / "gfx" / CATACLYSM_TILESET_NAME / CATACLYSM_SHEET
    caps = (CATACLYSM_TRAIN_PER_CLASS, CATACLYSM_TEST_PER_CLASS)
    return plan_sprites(items, sheet, box_of, "cataclysm", caps, item_name)


# -------------------------------------------------------------------------------- angband

ANGBAND_EDIT = Path("/etc/angband/edit")  # angband: monster.txt, monster_base.txt
ANGBAND_GRAF = Path("/etc/angband/pref/graf-dvg.prf")  # angband: David Gervais' tile of each
ANGBAND_TILES = Path("/usr/share/angband/xtra/graf/32x32.png")  # angband-data: those tiles
ANGBAND_TILE = 32
# Race flags that name a kind of creature -> class (with "person", the base of human fighters,
# mages, priests and thieves). Left out: monsters with two kinds (undead trolls and orcs, a
# dracolich, ...) and the other bases (orcs 18, giants and ogres 19, trolls 16, humanoids 22,
# jellies, molds, vortices, golems, elementals, ...: fewer than 21 monsters each, or no kind).
ANGBAND_KINDS = ("ANIMAL", "DEMON", "DRAGON", "UNDEAD")
ANGBAND_TRAIN_PER_CLASS = 50
ANGBAND_TEST_PER_CLASS = 20


def parse_records(text: str) -> list[tuple[str, dict[str, list[str]]]]:
    """The records of an Angband ``edit/*.txt`` file: (the value of its ``N:`` line, field
    letter -> the values of that field's lines in order); other lines are skipped."""
    records: list[tuple[str, dict[str, list[str]]]] = []
    for line in text.splitlines():
        code, colon, value = line.partition(":")
        if code == "N" and colon:
            records.append((value, defaultdict(list)))
        elif records and colon and len(code) == 1 and code.isalpha():
            records[-1][1][code].append(value)
    return records


def record_flags(fields: dict[str, list[str]]) -> set[str]:
    """The flags of a record's ``F:`` lines (``F:ANIMAL | EVIL`` -> ANIMAL, EVIL)."""
    return {
        flag.strip() for line in fields.get("F", []) for flag in line.split("|") if flag.strip()
    }


def monster_kind(flags: set[str], base: str) -> str | None:
    """The class of a monster from its flags (with its base's): its one kind of
    ``ANGBAND_KINDS`` in lower case, ``person`` for the ``person`` base without one, None for
    two kinds or none."""
    kinds = [kind for kind in ANGBAND_KINDS if kind in flags]
    if len(kinds) == 1:
        return kinds[0].lower()
    return "person" if not kinds and base == "person" else None


def monster_tiles(text: str) -> dict[int, tuple[int, int]]:
    """Monster number -> (row, column) of its tile, from the ``R:<number>:<attr>:<char>`` lines
    of a graf pref file (attr is 0x80 + row, char 0x80 + column)."""
    pattern = r"^R:(\d+):0x([0-9A-Fa-f]+):0x([0-9A-Fa-f]+)"
    return {
        int(number): (int(attr, 16) & 0x7F, int(char, 16) & 0x7F)
        for number, attr, char in re.findall(pattern, text, re.M)
    }


def angband_monsters(
    edit: Path = ANGBAND_EDIT, graf: Path = ANGBAND_GRAF
) -> tuple[list[Entry], dict[Path, str]]:
    """(class, name, ``Path("<number>_<name>")``) of every monster of the classes used that has a
    tile, in monster.txt's order, and each one's crop box on ``ANGBAND_TILES``."""
    base_text = (edit / "monster_base.txt").read_text(encoding="utf-8")
    bases = {name: record_flags(fields) for name, fields in parse_records(base_text)}
    tiles = monster_tiles(graf.read_text(encoding="utf-8"))
    found, box_of = [], {}
    for value, fields in parse_records((edit / "monster.txt").read_text(encoding="utf-8")):
        number, _, name = value.partition(":")
        base = fields["T"][0].strip() if fields.get("T") else ""
        label = monster_kind(record_flags(fields) | bases.get(base, set()), base)
        if label and number.isdigit() and int(number) in tiles:
            row, column = tiles[int(number)]
            key = Path(f"{int(number):03d}_{slug(name)}")
            left, top = column * ANGBAND_TILE, row * ANGBAND_TILE
            found.append((label, name, key))
            box_of[key] = f"{left},{top},{left + ANGBAND_TILE},{top + ANGBAND_TILE}"
    return found, box_of


def plan_angband(
    edit: Path = ANGBAND_EDIT, graf: Path = ANGBAND_GRAF, tiles: Path = ANGBAND_TILES
) -> list[Item]:
    """Kind of an Angband monster (animal, demon, dragon, person, undead) as the class, from
    its 32 px tile; test = whole silhouette families per class (the baby, young, mature and
    ancient dragons of one colour scheme are recolours of a few drawings), after removing
    identical tiles."""
    monsters, box_of = angband_monsters(edit, graf)
    caps = (ANGBAND_TRAIN_PER_CLASS, ANGBAND_TEST_PER_CLASS)
    return plan_sprites(monsters, tiles, box_of, "angband", caps, lambda key: key.name)


# ---------------------------------------------------------------------------------- chess

CHESS_ROOT = Path("/usr/share/pychess/pieces")  # pychess
CHESS_PIECES = {"k": "king", "q": "queen", "r": "rook", "b": "bishop", "n": "knight", "p": "pawn"}
CHESS_COLOURS = {"w": "White", "b": "Black"}
# Piece sets left out, with the reason (``ttf`` holds chess fonts, not read either).
CHESS_SETS_LEFT_OUT = {
    "ada": "Thai chess (makruk) pieces under chess names (its king is khun_w.svg)",
    "makruk": "Thai chess (makruk) pieces under chess names",
    "sittuyin": "Burmese chess (sittuyin) pieces under chess names",
    "freak": "each piece drawn as a caricatured person",
    "prmi": "each piece drawn as a cat",
    "skulls": "each piece drawn as a skull, a tombstone or a reaper",
    "spatial": "its pawn elements render empty with rsvg-convert",
    "fantasy_alt": "fantasy with five pieces redrawn: its other seven render exactly as fantasy's",
}
# A set redrawn from another stays on its side (merida_new: its rendered pieces are 20/255 from
# merida's on average, no two identical; the next closest sets, cburnett and merida, 33/255).
CHESS_FAMILIES = {"merida_new": "merida"}
CHESS_RENDER_HEIGHT = 192  # px; the piece is then cropped and fitted into prepare's square


def chess_sets(root: Path = CHESS_ROOT) -> list[str]:
    """The piece sets used: the folders of ``root``, sorted, but the fonts and those left out."""
    return [
        folder.name
        for folder in sorted(root.iterdir())
        if folder.is_dir() and folder.name != "ttf" and folder.name not in CHESS_SETS_LEFT_OUT
    ]


def chess_piece(root: Path, piece_set: str, colour: str, piece: str) -> tuple[Path, str | None]:
    """Where a piece is drawn: its own file ``<set>/<colour><piece>.svg`` (``alpha/wk.svg``), or
    the element ``WhiteKing`` (etc.) of the set's one file ``<set>/<set>.svg``."""
    own = root / piece_set / f"{colour}{piece}.svg"
    if own.is_file():
        return own, None
    element = f"{CHESS_COLOURS[colour]}{CHESS_PIECES[piece].title()}"
    return root / piece_set / f"{piece_set}.svg", element


def plan_chess(root: Path = CHESS_ROOT) -> list[Item]:
    """Chess piece (king, queen, rook, bishop, knight, pawn) as the class, white and black, from
    each piece set; test = whole set families (about 30% of the sets), all their pieces."""
    sets = chess_sets(root)
    families = {piece_set: CHESS_FAMILIES.get(piece_set, piece_set) for piece_set in sets}
    test_families = split_groups_by_size(list(families.values()), "chess")
    items = []
    for piece_set in sets:
        split = "test" if families[piece_set] in test_families else "train"
        for piece, label in CHESS_PIECES.items():
            for colour in CHESS_COLOURS:
                source, element = chess_piece(root, piece_set, colour, piece)
                name = f"{piece_set}_{colour}{piece}"
                items.append(
                    Item(split, label, name, source, element, families[piece_set], "chess")
                )
    return items


def chess_picture(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the chess set: the piece drawn ``CHESS_RENDER_HEIGHT`` px tall
    by rsvg-convert (librsvg2-bin), its whole file or its element of an all-in-one set."""
    from PIL import Image

    if shutil.which("rsvg-convert") is None:
        raise RuntimeError("rsvg-convert was not found: sudo apt-get install librsvg2-bin")
    command = ["rsvg-convert", "--height", str(CHESS_RENDER_HEIGHT)]
    command += ["--export-id", item.element] if item.element else []
    done = subprocess.run([*command, str(item.source)], capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"rsvg-convert failed on {item.source}: {done.stderr.decode()}")
    return Image.open(io.BytesIO(done.stdout)).convert("RGBA")


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS: dict[str, Callable[[Item], Image.Image]] = {
    "cataclysm": read_sprite,
    "angband": read_sprite,
    "chess": chess_picture,
}
FRESH2_SETS = (
    HoldoutSet(
        "cataclysm",
        "cataclysm-dda-data",
        CATACLYSM_TILESET,
        "type of a Cataclysm: DDA item, from its tile (6)",
        "by silhouette family (tiles of one type whose outlines overlap by 90% or more, chained: "
        "recolours and relabels of one drawing; at most 5 tiles a family), about 30% of each "
        "type, after removing identical tiles",
        plan_cataclysm,
        (CATACLYSM_ROOT / "json" / "items",),
    ),
    HoldoutSet(
        "angband",
        "angband-data angband",
        ANGBAND_TILES.parent,
        "kind of an Angband monster, from its tile (5)",
        "by silhouette family (tiles of one kind whose outlines overlap by 90% or more, chained: "
        "the recolours of one drawing; at most 5 tiles a family), about 30% of each kind, after "
        "removing identical tiles",
        plan_angband,
        (ANGBAND_TILES, ANGBAND_EDIT / "monster.txt", ANGBAND_GRAF),
    ),
    HoldoutSet(
        "chess",
        "pychess",
        CHESS_ROOT,
        "chess piece, from 19 piece sets (6)",
        "by piece set: about 30% of the sets (merida and merida_new are one family), all their "
        "pieces, are test",
        plan_chess,
    ),
)
SETS.update({spec.name: spec for spec in FRESH2_SETS})
