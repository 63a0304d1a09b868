"""A fresh hold-out set (fresh22), prepared on 2026-12-06 before any model ran on it:
``mapsymbols`` (qgis-providers-common and openstreetmap-carto-common), from packages that no
other set and no meta-dataset source reads. Planned with the helpers of ``holdout_sets.py``,
``holdout_sets_fresh2.py``, ``holdout_sets_fresh3.py`` and ``holdout_sets_fresh4.py``, whose
``SETS`` this module extends when it is imported (``holdout_sets`` imports it at its end); it
adds its picture reader to fresh2's ``PICTURE_READERS``, which ``prepare.py`` reads (its
``FITTED_SIDES`` needs ``"mapsymbols": 96``).

Map symbols: the point symbols a map draws where a shop, a bus stop, a church or a tower is.
They differ from a desktop icon theme (reserved, see ``../shared/OFFLINE_ASSETS.md``): they
show places and features on the ground, not programs, files, devices or user-interface
actions; they are one-colour glyphs without the shading, perspective and colour of an icon
theme; and they are filed by the map-feature key of OpenStreetMap or by the SJJB map icons'
categories, not by freedesktop.org icon contexts. Two packages of bookworm:

- qgis-providers-common 3.22.16+dfsg-1 (QGIS's SVG symbol library, ``/usr/share/qgis/svg``,
  under the package's ``Files: *`` licence, GPL-2+; qgis-common, checked on 2026-12-04, holds
  none of it): one folder a category, most files named and drawn as the SJJB map icons are, on
  a 580 px canvas (``shopping_bakery.svg``; the package names no origin),
  a few named by an OpenStreetMap tag (``amenity=taxi.svg``), their colours QGIS parameters
  (``fill="param(fill)"``) that rsvg-convert draws in its default black.
- openstreetmap-carto-common 5.7.0-1 (the symbols of OpenStreetMap's standard map style,
  ``/usr/share/openstreetmap-carto-common/symbols``, CC0): one folder an OpenStreetMap key,
  a file its value (``shop/bakery.svg``), 14 px glyphs drawn for the map.

A picture is a symbol, drawn by rsvg-convert (``MAPSYMBOL_RENDER`` px) and fitted into 96 px on
white. Its class is the kind of place or feature its folder names (``SYMBOL_FOLDERS``): shop
(QGIS ``shopping``, carto ``shop``), transport (QGIS ``transport``), barrier (carto
``barrier`` and QGIS's ``barrier_*`` files, which QGIS files under transport), religion (the
``religion`` folder of both), sport (QGIS), tourist (QGIS: sights and attractions) and man_made
(carto: towers, masts, chimneys, cranes, mills). Left out: the catch-all folders (QGIS
``amenity``, ``symbol``, ``gpsicons``, ``services``, ``landmark``, ``entertainment``, carto
``amenity``), interface and map art (QGIS ``arrows``, ``backgrounds``, ``crosses``,
``wind_roses``, ``logos``, ``components``; carto's road shields, area patterns and ``place``
dots), folders of under 12 symbols (QGIS ``accommodation``, ``health``, ``food``, ``money``,
``emergency``; carto ``natural``, ``office``, ``highway``), carto ``tourism`` (mostly
accommodation and information signs, not QGIS's tourist sights), ``leisure`` and ``historic``
(their values are QGIS's sport and tourist symbols: golf, playground, castle, memorial), the
symbols that draw a box and no picture (``SYMBOLS_LEFT_OUT``), a symbol whose value is in two
classes (``symbol_key``: lighthouse in transport and man_made, windmill in tourist and
man_made), blank and identical pictures.

A picture's family is its key's first word (``symbol_family``: ``parking_car_paid`` and
``parking_bicycle`` -> ``parking``, ``tower_lattice`` -> ``tower``; the QGIS and carto
symbols of one value, ``shopping_alcohol`` and ``shop/alcohol``, share it, and
``RELIGION_ALIASES`` joins the two packages' names of one religion), fresh3's ``near_groups``
(grey 16 px thumbnails closer than 13/255) chains families within a class; fresh4's
``drawing_groups`` is not used (square glyphs' outlines overlap, chaining unlike symbols). At
most ``FAMILY_MOST`` pictures a group are kept, and a group stays on one side. Carto's
``man_made/cross`` is its ``religion/christian`` drawn again: a picture in two classes goes
entirely. 252 symbols classed (shop 99, transport 37, religion 27, man_made 25, sport 24, tourist
23, barrier 17), 196 planned in 136 groups. Final counts (train / test): barrier 12/5, man_made
13/5, religion 19/7, shop 40/16, sport 17/7, tourist 16/6, transport 24/9: 141 / 55,
constant-answer floor 16/55 = 0.291 (shop). All black glyphs on white (a few grey parts):
white share of the fitted pictures 0.54-0.67 a class, mean level 150-181.

Doubtful: a small set (141 train), under the usual 150. Package goes with class: sport, tourist
and transport are QGIS's drawings only, man_made carto's only, shop (26 carto / 14 QGIS in
train), religion and barrier mixed; QGIS's SJJB drawings are more detailed (a figure, a car)
than carto's 14 px glyphs, so drawing style tells part of the class. QGIS's religion symbols
come twice, plain and ``3`` (the same sign over a grey base), one family each. Carto's masts and
towers are built from parts (a lattice, a pole, radio waves, light rays): the nearest
train/test pair, 15.5/255 on the grey thumbnails (just over the 13 cut), is
``mast_communications`` (test) and ``tower_cantilever_communication`` (train); QGIS's museum
(test) and monument (train) are both a row of columns. Barrier's carto symbols are abstract
map signs (bars, crosses), not pictures of a gate.
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
    is_blank,
    pixel_digest,
)
from holdout_sets_fresh3 import near_groups
from holdout_sets_fresh4 import centred, render_svg

if TYPE_CHECKING:
    from PIL import Image

QGIS_SVG = Path("/usr/share/qgis/svg")  # qgis-providers-common
CARTO_SYMBOLS = Path("/usr/share/openstreetmap-carto-common/symbols")  # openstreetmap-carto-common
# (package root, folder) -> class; the folders of each package that name a kind of place
SYMBOL_FOLDERS = {
    ("qgis", "shopping"): "shop",
    ("qgis", "transport"): "transport",
    ("qgis", "religion"): "religion",
    ("qgis", "sport"): "sport",
    ("qgis", "tourist"): "tourist",
    ("carto", "shop"): "shop",
    ("carto", "barrier"): "barrier",
    ("carto", "religion"): "religion",
    ("carto", "man_made"): "man_made",
}
BARRIER_PREFIX = "barrier_"  # QGIS's barrier symbols, in its transport folder
# Symbols that draw a box and no picture: QGIS's generic place of worship (a black square) and
# its unknown religion (a grey box), carto's low-zoom power tower markers (grey squares).
SYMBOLS_LEFT_OUT = frozenset(
    {"place_of_worship", "place_of_worship_unknown3", "power_tower", "power_tower_small"}
)
# The SJJB names' category prefixes (and one misspelt), stripped from a QGIS file's stem
SJJB_PREFIXES = (
    "place_of_worship_", "shopping_", "transport_", "tourist_", "tourisum_", "sport_", "barrier_",
)  # fmt: skip
RELIGION_ALIASES = {"hinduist": "hindu", "muslim": "islamic", "sikhist": "sikh"}
RELIGION_ALIASES |= {"shintoist": "shinto"}  # carto's names -> QGIS's
MAPSYMBOL_RENDER = 192  # px: a symbol is drawn into this square, then fitted into 96 px
MAPSYMBOL_PLAN_SIDE = 64  # px: the square the plan compares symbols in
MAPSYMBOL_TRAIN_PER_CLASS = 40
MAPSYMBOL_TEST_PER_CLASS = 16


def symbol_class(package: str, folder: str, stem: str) -> str | None:
    """A symbol's class from its package, folder and file stem, or None when left out."""
    if stem in SYMBOLS_LEFT_OUT:
        return None
    if package == "qgis" and folder == "transport" and stem.startswith(BARRIER_PREFIX):
        return "barrier"
    return SYMBOL_FOLDERS.get((package, folder))


def symbol_key(stem: str) -> str:
    """The feature a symbol stands for, one name for both packages: the value of an
    OpenStreetMap tag (``amenity=taxi`` -> ``taxi``), less an SJJB category prefix and a
    trailing variant number (``place_of_worship_christian3`` -> ``christian``)."""
    key = stem.lower().split("=", 1)[-1].split(",")[0]
    for prefix in SJJB_PREFIXES:
        key = key.removeprefix(prefix)
    key = re.sub(r"\d+$", "", key)
    return RELIGION_ALIASES.get(key, key)


def symbol_family(stem: str) -> str:
    """A symbol's name family: its key's first word (``parking_car_paid`` -> ``parking``)."""
    return re.split(r"[_-]", symbol_key(stem))[0]


def map_symbols(qgis: Path = QGIS_SVG, carto: Path = CARTO_SYMBOLS) -> list[Entry]:
    """(class, family, path) of every SVG symbol of the classes used, QGIS's first, by path;
    the symbols of a key found in two classes are left out."""
    found = []
    for package, root in (("qgis", qgis), ("carto", carto)):
        for path in sorted(root.glob("*/*.svg")):
            label = symbol_class(package, path.parent.name, path.stem)
            if label is not None:
                found.append((label, path))
    classes_of: dict[str, set[str]] = {}
    for label, path in found:
        classes_of.setdefault(symbol_key(path.stem), set()).add(label)
    return [
        (label, symbol_family(path.stem), path)
        for label, path in found
        if len(classes_of[symbol_key(path.stem)]) == 1
    ]


def draw_symbol(path: Path, side: int) -> Image.Image:
    """A symbol as RGBA, drawn by rsvg-convert into a ``side`` square."""
    return render_svg(path.read_bytes(), side)


@lru_cache(maxsize=4096)
def plan_picture(path: Path) -> Image.Image:
    """The symbol as the plan compares it: drawn into and centred on ``MAPSYMBOL_PLAN_SIDE`` px
    (cached: the plan reads each symbol several times, and tests plan twice)."""
    return centred(draw_symbol(path, MAPSYMBOL_PLAN_SIDE), MAPSYMBOL_PLAN_SIDE)


def read_symbol(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the mapsymbols set: the symbol, ``MAPSYMBOL_RENDER`` px."""
    return draw_symbol(item.source, MAPSYMBOL_RENDER)


def symbol_name(path: Path) -> str:
    """Output name of a symbol: its library's folder (``svg``: QGIS, ``symbols``: carto), its
    folder and its stem, as a slug."""
    return slug(f"{path.parent.parent.name}_{path.parent.name}_{path.stem}")


def plan_mapsymbols(qgis: Path = QGIS_SVG, carto: Path = CARTO_SYMBOLS) -> list[Item]:
    """Kind of place as the class, from the folder; blank and repeated symbols dropped; name
    families and near symbols chained; ``FAMILY_MOST`` a group; test = whole groups."""
    entries = [e for e in map_symbols(qgis, carto) if not is_blank(plan_picture(e[2]))]
    kept = unique_icons(entries, pixel_digest(plan_picture))
    grouped = near_groups(kept, plan_picture)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        "mapsymbols",
        (MAPSYMBOL_TRAIN_PER_CLASS, MAPSYMBOL_TEST_PER_CLASS),
        "mapsymbols",
        symbol_name,
    )


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS["mapsymbols"] = read_symbol
FRESH22_SETS = (
    HoldoutSet(
        "mapsymbols",
        "qgis-providers-common openstreetmap-carto-common",
        QGIS_SVG,
        "kind of place a map symbol marks, from its folder (7: barrier, man_made, religion, "
        "shop, sport, tourist, transport)",
        "by family (a key's first word, both packages' symbols of one value together; near "
        "thumbnails chained by fresh3's near_groups; at most 5 symbols a group), about 30% of "
        "each kind, after removing catch-all and small folders, interface art, boxes, keys "
        "in two classes, blank and identical symbols",
        plan_mapsymbols,
        needs=(CARTO_SYMBOLS,),
    ),
)
SETS.update({spec.name: spec for spec in FRESH22_SETS})
