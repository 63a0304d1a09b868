"""A fresh hold-out set (fresh23), prepared on 2026-12-07 before any model ran on it: ``cisco``
(dia-common), from a package that no other set and no meta-dataset source reads. Planned with
the helpers of ``holdout_sets.py``, ``holdout_sets_fresh2.py``, ``holdout_sets_fresh3.py`` and
``holdout_sets_fresh4.py``, whose ``SETS`` this module extends when it is imported
(``holdout_sets`` imports it at its end); it adds its picture reader to fresh2's
``PICTURE_READERS``, which ``prepare.py`` reads (its ``FITTED_SIDES`` needs ``"cisco": 96``).

dia-common 0.97.3+git20220525-5 (the Dia diagram editor's shapes, GPL-2+) holds Cisco's network
diagram symbols, ``/usr/share/dia/shapes/Cisco/<stem>.shape``: one XML file a symbol, its
``<name>`` (``Cisco - Router``) and its drawing as SVG paths (shaded boxes, cylinders, screens,
telephones, buildings and people in Cisco's blue, beige and grey, seen from above at an angle).
Dia's sheets, ``/usr/share/dia/sheets/cisco<kind>.sheet``, list the symbols by name in five
groups: computer (PCs, terminals, workstations, mainframes, laptops, printers, storage), hub
(routers, switches and hubs: Dia's sheet title is "Cisco - Hub"), network (firewalls, access
points, wireless bridges, optical and WAN gear, gateways, clouds), telephony (telephones,
pagers, fax machines, PBXs, voice routers and switches) and misc. They are diagram symbols, not
a desktop icon theme (reserved, see ``../shared/OFFLINE_ASSETS.md``): pictures of network
equipment drawn for network plans, filed by the kind of equipment, with no programs, files or
user-interface actions.

A picture is a symbol: its paths made into an SVG whose view box is the paths' bounding box
(``shape_svg``; Dia's ``foreground`` and ``background`` colours as black and white), drawn by
rsvg-convert (``CISCO_RENDER`` px) and fitted into 96 px on white. Its class is its sheet
(``CISCO_SHEETS``), but the misc sheet, a catch-all, is split by the symbol's name: buildings
(``Generic Building``, ``University``, ``House``, ``Branch office``) are class building, people
(``Man``, ``Running woman``, ``Telecommuter``) class person, and the rest of it (a lock, a key,
a satellite, a car, a microphone) is left out (``cisco_class``). Symbols of the folder that no
sheet lists (11) have no class and are left out, as are blank and identical pictures.

A symbol's family is its name less a colour or variant word (``symbol_family``: ``Router
subdued`` -> ``router``, ``Man gold`` -> ``man``, ``Cloud Dark`` -> ``cloud``); fresh3's
``near_groups`` (grey 16 px thumbnails closer than 13/255) chains families within a class. At
most ``FAMILY_MOST`` pictures a group are kept, and a group stays on one side.

Checked for this set (2026-12-07) and not used: inkscape-open-symbols 1.2.1-1 (no National
Park Service, OCHA, road-sign or word-balloon sets in this version; beside SJJB, Material
Design, Suru and emoji: icon fonts, ``StateFace`` 52 state outlines, ``circuitikz`` 184
electrical symbols, ``weather-symbols`` 13, ``humble-ui`` 33), inkscape 1.2.2-2+deb12u1 (its
own symbol files: ``MapSymbolsNPS`` 51 symbols and ``AigaSymbols`` 65, each drawn twice, plain
and inverted, with no categories; flow chart, logic and balloons under 35), povray-examples
1:3.7.0.10-2 (Lohmueller's insert-menu previews: materials on one box-and-sphere scene, woods 59,
stones and granites 82, metals 43 (chrome and gold variants alike), glass 16 on another floor;
the shapes folders are named by include file and drawn each on a background of its own;
pavement 111 is one orange tiling pattern recoloured), povray-doc (MediaWiki images in hash
folders, no kind), povray-includes (no pictures), gimp-data-extras 1:2.0.2-1.1 (110 patterns in
one folder), calligra-data 1:3.2.1+dfsg-6 (Dia's sheets again, as 22 px PNG thumbnails and ODG
drawings), sweethome3d-textures-editor (the editor only); stellarium-data's deep-sky textures
(the package is read by the ``skyculture_art`` built-in) were not looked into.

dia-common was checked on 2026-12-04 and not used then ("only the Cisco sheet has over 53
shapes"): that counted Dia's shape folders; Dia's sheets split the Cisco folder into the five
groups used here.

The drawing of a symbol may be filed under two kinds: the plain beige box is ``Mini VAX`` and
``Host`` in computer, ``MUX`` and ``CSU/DSU`` in network, ``PBX switch`` and ``SONET MUX`` in
telephony, and a router cylinder is ``Content router`` in hub and ``10700`` in network.
``one_class_only`` drops every symbol whose grey 16 px thumbnail is within
``CISCO_TWO_CLASSES_NEAR`` (6/255) of one of another class (27 symbols); bodies that differ by a
glyph (a router and a voice router, 6.1/255 and more) stay. 334 shapes, 323 listed, 310
classed (network 99, hub 71, telephony 54, computer 49, person 19, building 18), 308 drawn (2
blank), 281 after the drop (256 families), 233 planned in 198 groups. Final counts (train /
test): building 10/4, computer 31/13, hub 40/16, network 40/16, person 12/4, telephony 33/14:
166 / 67, constant-answer floor 16/67 = 0.239 (hub). White share of the fitted pictures
0.35-0.73 a class (person, thin figures, the most white), mean level 160-228.

Doubtful: the sheets file equipment by use, not by look: hub, network and telephony are all
Cisco-blue boxes and cylinders with white arrows (telephony's voice routers are hub's router
cylinder with a ``V``, 6.1/255 from it; network holds clouds and firewalls beside blue boxes),
and computer's beige PCs and towers are told apart by colour as much as by shape; building and
person are small (14 and 16 symbols, 4 test each, the men and women one recoloured family);
network is the widest class (firewalls, access points, optical gear, clouds, gateways). Cisco
calls these drawings icons; they are network-plan symbols, filed by equipment, not a desktop
theme. Within a class the nearest train/test pair is 14.0/255 (computer's ``BBS`` and ``PC
card``), just over the 13 cut, and hub's ``router`` (test) is 14.3/255 from ``7505`` (train),
the same cylinder without arrows; person's ``PC Man`` (test) is ``CiscoWorks Man`` (train) with
another screen, 15.8/255.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

from holdout_sets import SETS, HoldoutSet, Item, slug, split_and_cap, unique_icons
from holdout_sets_fresh2 import (
    FAMILY_MOST,
    PICTURE_READERS,
    Entry,
    cap_per_group,
    is_blank,
    pixel_digest,
)
from holdout_sets_fresh3 import near_groups, thumbnail
from holdout_sets_fresh4 import centred, render_svg

if TYPE_CHECKING:
    from PIL import Image

CISCO_SHAPES = Path("/usr/share/dia/shapes/Cisco")  # dia-common
DIA_SHEETS = Path("/usr/share/dia/sheets")  # dia-common
# sheet file stem -> class; the misc sheet is split by name (``MISC_KINDS``)
CISCO_SHEETS = {
    "ciscocomputer": "computer",
    "ciscohub": "hub",
    "cisconetwork": "network",
    "ciscotelephony": "telephony",
    "ciscomisc": None,
}
# class -> the name words that file a misc symbol in it (buildings first: "Telecommuter house")
MISC_KINDS = (
    ("building", frozenset({"building", "university", "business", "office", "house", "mdu"})),
    ("person", frozenset({"man", "woman", "person", "telecommuter"})),
)
# words that name a colour or a variant of one drawing, not another symbol
VARIANT_WORDS = frozenset(
    {"subdued", "blue", "red", "gold", "white", "dark", "reversed", "horizontal", "old-style", "2"}
)
NAME_PREFIX = "Cisco - "
CISCO_RENDER = 192  # px: a symbol is drawn into this square, then fitted into 96 px
CISCO_PLAN_SIDE = 64  # px: the square the plan compares symbols in
# grey 16 px thumbnails of two classes closer than this (of 255): one drawing under two names (the
# plain beige box at 0.4-5.5, a router cylinder at 3.3-5.0); bodies that differ by a glyph, such
# as a router and a voice router (6.1-9.6), stay
CISCO_TWO_CLASSES_NEAR = 6.0
CISCO_TRAIN_PER_CLASS = 40
CISCO_TEST_PER_CLASS = 16
PATH_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
PATH_ARGS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}
SVG_NS = "http://www.w3.org/2000/svg"


def name_words(name: str) -> list[str]:
    """A symbol's name, less ``Cisco - ``, as lower-case words."""
    return name.removeprefix(NAME_PREFIX).lower().replace("/", " ").split()


def cisco_class(sheet: str, name: str) -> str | None:
    """A symbol's class from its sheet's file stem and its name, or None when left out."""
    if sheet not in CISCO_SHEETS:
        return None
    label = CISCO_SHEETS[sheet]
    if label is not None:
        return label
    words = set(name_words(name))
    return next((kind for kind, marks in MISC_KINDS if words & marks), None)


def symbol_family(name: str) -> str:
    """A symbol's family: its name less colour and variant words (``Router subdued``,
    ``Cloud Gold`` -> ``router``, ``cloud``)."""
    words = [w for w in name_words(name) if w not in VARIANT_WORDS]
    return slug(" ".join(words)) or slug(name)


def sheet_names(sheets: Path) -> dict[str, str]:
    """Symbol name -> the stem of the Cisco sheet that lists it (the first, by file name)."""
    found: dict[str, str] = {}
    for path in sorted(sheets.glob("cisco*.sheet")):
        for name in re.findall(r'<object name="([^"]+)"', path.read_text(encoding="utf-8")):
            found.setdefault(name, path.stem)
    return found


def shape_name(path: Path) -> str:
    """The ``<name>`` of a Dia shape file."""
    found = re.search(r"<name>([^<]+)</name>", path.read_text(encoding="utf-8"))
    return found.group(1).strip() if found else path.stem


def cisco_symbols(shapes: Path = CISCO_SHAPES, sheets: Path = DIA_SHEETS) -> list[Entry]:
    """(class, family, path) of every Cisco shape its sheet and name class, by path."""
    sheet_of = sheet_names(sheets)
    found = []
    for path in sorted(shapes.glob("*.shape")):
        name = shape_name(path)
        label = cisco_class(sheet_of.get(name, ""), name)
        if label is not None:
            found.append((label, symbol_family(name), path))
    return found


def path_points(d: str) -> list[tuple[float, float]]:
    """The end and control points of an SVG path's segments, absolute (a bounding box of them
    holds the path: Dia's shapes mix absolute and relative commands)."""
    segments: list[tuple[str, list[float]]] = []
    for token in PATH_TOKEN.findall(d):
        if token.isalpha():
            segments.append((token, []))
        elif segments:
            segments[-1][1].append(float(token))
    x = y = start_x = start_y = 0.0
    points: list[tuple[float, float]] = []
    for command, numbers in segments:
        kind, relative = command.upper(), command.islower()
        if kind == "Z":
            x, y = start_x, start_y
            continue
        size = PATH_ARGS[kind]
        for at in range(0, len(numbers) - size + 1, size):
            v = numbers[at : at + size]
            ox, oy = (x, y) if relative else (0.0, 0.0)
            if kind == "H":
                x = v[0] + ox
            elif kind == "V":
                y = v[0] + oy
            elif kind == "A":
                x, y = v[5] + ox, v[6] + oy
            if kind in "HVA":
                points.append((x, y))
            else:
                points += [(v[k] + ox, v[k + 1] + oy) for k in range(0, size, 2)]
                x, y = points[-1]
            if kind == "M" and at == 0:
                start_x, start_y = x, y
    return points


def shape_svg(path: Path) -> bytes:
    """A Dia shape's drawing as a standalone SVG: its ``svg:svg`` element with a view box round
    its paths (3% margin) and Dia's ``foreground``/``background`` colours black and white."""
    import xml.etree.ElementTree as ET

    svg = ET.parse(path).getroot().find(f"{{{SVG_NS}}}svg")
    if svg is None:
        return b""
    points = [p for el in svg.iter(f"{{{SVG_NS}}}path") for p in path_points(el.get("d", ""))]
    if not points:
        return b""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    pad = 0.03 * max(width, height, 1e-6)
    box = (min(xs) - pad, min(ys) - pad, width + 2 * pad, height + 2 * pad)
    svg.attrib = {"viewBox": " ".join(f"{v:.2f}" for v in box)}
    text = ET.tostring(svg, encoding="unicode")
    return text.replace("foreground", "#000000").replace("background", "#ffffff").encode()


def one_class_only(entries: list[Entry], picture: Callable[[Path], Image.Image]) -> list[Entry]:
    """The entries less those whose thumbnail is within ``CISCO_TWO_CLASSES_NEAR`` of one of
    another class (a drawing filed under two kinds: the plain beige box is a VAX in computer, a
    MUX in network and a PBX switch in telephony): both go."""
    import numpy as np

    thumbs = [thumbnail(picture(key)) for *_, key in entries]
    two = set()
    for i, j in combinations(range(len(entries)), 2):
        near = float(np.abs(thumbs[i] - thumbs[j]).mean()) < CISCO_TWO_CLASSES_NEAR
        if near and entries[i][0] != entries[j][0]:
            two |= {i, j}
    return [entry for k, entry in enumerate(entries) if k not in two]


def near_group_plan(
    entries: list[Entry],
    picture: Callable[[Path], Image.Image],
    key: str,
    caps: tuple[int, int],
    name: Callable[[Path], str],
    *,
    source: Callable[[Path], Path],
    element: Callable[[Path], str | None],
) -> list[Item]:
    """The plan of a drawn set (fresh25-27): blank and repeated pictures and drawings of two
    classes dropped, near drawings chained by fresh3's ``near_groups``, ``FAMILY_MOST`` pictures a
    group, test = whole groups (``split_and_cap`` of ``key`` at ``caps``)."""
    visible = [entry for entry in entries if not is_blank(picture(entry[2]))]
    kept = one_class_only(unique_icons(visible, pixel_digest(picture)), picture)
    grouped = cap_per_group(near_groups(kept, picture), FAMILY_MOST)
    return split_and_cap(grouped, key, caps, key, name, source=source, element=element)


def draw_symbol(path: Path, side: int) -> Image.Image:
    """A symbol as RGBA, drawn by rsvg-convert into a ``side`` square."""
    return render_svg(shape_svg(path), side)


@lru_cache(maxsize=4096)
def plan_picture(path: Path) -> Image.Image:
    """The symbol as the plan compares it: drawn into and centred on ``CISCO_PLAN_SIDE`` px
    (cached: the plan reads each symbol several times, and tests plan twice)."""
    return centred(draw_symbol(path, CISCO_PLAN_SIDE), CISCO_PLAN_SIDE)


def read_symbol(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the cisco set: the symbol, ``CISCO_RENDER`` px."""
    return draw_symbol(item.source, CISCO_RENDER)


def symbol_name(path: Path) -> str:
    """Output name of a symbol: its file stem, as a slug."""
    return slug(path.stem)


def plan_cisco(shapes: Path = CISCO_SHAPES, sheets: Path = DIA_SHEETS) -> list[Item]:
    """Kind of equipment as the class, from the sheet (misc by name); blank and repeated
    symbols and drawings of two classes dropped; families and near symbols chained;
    ``FAMILY_MOST`` a group; test = whole groups."""
    entries = [e for e in cisco_symbols(shapes, sheets) if not is_blank(plan_picture(e[2]))]
    kept = one_class_only(unique_icons(entries, pixel_digest(plan_picture)), plan_picture)
    grouped = near_groups(kept, plan_picture)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        "cisco",
        (CISCO_TRAIN_PER_CLASS, CISCO_TEST_PER_CLASS),
        "cisco",
        symbol_name,
    )


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS["cisco"] = read_symbol
FRESH23_SETS = (
    HoldoutSet(
        "cisco",
        "dia-common",
        CISCO_SHAPES,
        "kind of network equipment a Cisco diagram symbol shows, from Dia's sheet, the misc "
        "sheet split by name (6: building, computer, hub, network, person, telephony)",
        "by family (a name less colour and variant words; near thumbnails chained by fresh3's "
        "near_groups; at most 5 symbols a group), about 30% of each kind, after removing the "
        "rest of the misc sheet, unlisted, blank and identical symbols",
        plan_cisco,
        needs=(DIA_SHEETS,),
    ),
)
SETS.update({spec.name: spec for spec in FRESH23_SETS})
