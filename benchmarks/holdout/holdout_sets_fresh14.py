"""A set of the tenth fresh hold-out, prepared on 2026-12-06 before any model ran on it:
``cadparts`` (librecad-data), from a package that no other set and no meta-dataset source
reads. Planned with the helpers of ``holdout_sets.py``, ``holdout_sets_fresh2.py`` and
``holdout_sets_fresh4.py``, whose ``SETS`` this module extends when it is imported
(``holdout_sets`` imports it at its end); it adds its picture reader to fresh2's
``PICTURE_READERS``, which ``prepare.py`` reads (its ``FITTED_SIDES`` needs ``"cadparts": 96``).

librecad-data holds LibreCAD's parts library: one ``.dxf`` drawing per symbol under
``/usr/share/librecad/library/<library>/``, numbered within a library (``kinetics/kin12.dxf``,
``power_station/ed7.dxf``) or named after the part (``elektro/diode-iso/Diode-Zener.dxf``). A
picture is one symbol, drawn by Pillow from its file (``dxf_shapes``): its lines, arcs, circles,
ellipses and polylines as black strokes of one width, its hatches (all solid) filled; texts and
points (labels, connection markers) are not drawn, as ``qet`` leaves them out. Its class is its
library (``CAD_CLASSES``): a flowchart symbol, a kinematic-scheme symbol (gears, bearings,
springs, couplings), a power-station equipment symbol (boilers, heat exchangers, tanks, pumps),
an air and water piping symbol (valves, fans, gauges) or an electrical symbol (``elektro``'s 46
component folders together). Left out: drawings that use a block (``INSERT``) or a spline, which
this drawer does not draw (7 of the 5 libraries' 1,130), blank drawings (2, with no entity),
``dev22`` (``CAD_LEFT_OUT``: a stray line shrinks its symbol to a dot) and identical pictures
(``unique_icons``, 35: the 15 copies of 5 pictures found in two libraries, which go altogether,
such as a plain rectangle, triangle or circle (``Gen`` and ``Mot`` are circles once their
letter, a text, is not drawn), and 20 repeats within a library, of which the first stays). An
electrical symbol's family is its component folder less ``-iso`` (``diode`` and ``diode-iso``
draw the same diodes by two standards); another symbol's is its file (a library's numbers say
nothing of which symbols are alike) or, for 269 drawings, the first of its line of
``JOINED_PARTS``: one symbol with a mark, a fill, a leg or a pipe more, turned or stretched,
joined by hand from contact sheets of every drawing of the four libraries. Families are chained
by fresh4's ``drawing_groups`` (outlines overlapping by 90% or more at 64 px or coarsened to 16
px, grey 16 px thumbnails differing by less than a quarter of their ink): the electrical folders
chain into 20 groups of 3 to 110 drawings (``fuse``, ``lamp``, ``resistor`` and ``transformer``
into one), the other libraries' 402 drawings into 170 groups of 1 to 17 (the diamonds of
air_water); at most ``FAMILY_MOST`` drawings of a group are kept, and a group stays on one side.
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Iterator, Sequence
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
from holdout_sets_fresh4 import centred, drawing_groups

if TYPE_CHECKING:
    from PIL import Image

CAD_ROOT = Path("/usr/share/librecad/library")  # librecad-data
# Library folder -> class. Left out (README): ``block`` (28 arrows, stars and polygons: the
# flowchart library's shapes, a hexagon, a diamond and a triangle in both, so no picture tells
# the two apart), ``plan/vegetation`` (33, over half of them circles, dots or a few lines),
# ``plan/architect`` (31 files, 24 pieces of furniture, 7 drawn twice, and 2 made of blocks),
# ``plan/gasification``, ``plan/power_engineering``, ``plan/doors``, ``misc`` (9, 11, 4, 4) and
# ``sheets`` (drawing frames, not symbols).
CAD_CLASSES = {
    "algoritm": "flowchart",
    "elektro": "electrical",
    "kinetics": "kinematics",
    "plan/air_water": "air_water",
    "power_station": "power_station",
}
CAD_FAMILY_FOLDERS = frozenset({"elektro"})  # libraries whose sub-folders are families
ISO_ENDING = "-iso"  # ``elektro``'s folders of ISO drawings of the components of another
# Drawings joined into one family by hand, each line's drawings (library folder, then file stems)
# one, named after its first: one symbol with a mark, a fill, a leg or a pipe more or less,
# turned, flipped or stretched, whose outlines and thumbnails ``drawing_groups`` does not find
# near once each is fitted to its square (``aw44`` is ``aw39`` with two legs, ``wt10`` is ``wt6``
# with a triangle filled, ``kin131`` is ``kin103`` with a mark on the belt). Found on the contact
# sheets of every drawing of the four libraries, before any model ran on them; ``elektro``'s
# families are whole component folders already.
JOINED_PARTS = (
    "algoritm alg4 alg22 alg26",  # diamonds
    "algoritm alg10 alg17",
    "algoritm alg11 alg12",
    "algoritm alg15 alg19",  # boxes in perspective
    "algoritm alg21 alg24",
    "algoritm alg28 alg31",  # rectangles with inner lines
    "kinetics kin1 kin2 kin3 kin4",  # waves
    "kinetics kin6 kin43",
    "kinetics kin14 kin16 kin20 kin21 kin22 kin31",  # levers on guide lines
    "kinetics kin17 kin18 kin19 kin23 kin24 kin25 kin26 kin27 kin29 kin30",  # hinges, levers
    "kinetics kin32 kin33 kin34 kin35 kin36 kin37",  # cones on a shaft
    "kinetics kin40 kin42",
    "kinetics kin44 kin45 kin46 kin47 kin48",
    "kinetics kin49 kin51 kin53",
    "kinetics kin50 kin52 kin54 kin83 kin87 kin88 kin123",  # crossed boxes on a shaft
    "kinetics kin56 kin57 kin58 kin59 kin60 kin61 kin63 kin64 kin65 kin66 kin67 kin68",
    "kinetics kin69 kin70 kin72 kin75 kin77 kin78 kin79",  # bevel gears
    "kinetics kin71 kin73 kin74 kin76 kin81 kin82 kin122 kin124",  # wheels on a cross
    "kinetics kin96 kin103 kin104 kin105 kin106 kin130 kin131 kin132",  # belt drives
    "kinetics kin98 kin101",
    "kinetics kin108 kin109",
    "kinetics kin119 kin120 kin121",
    "kinetics kin107 kin112 kin113 kin118 kin125 kin126",  # arrows onto plates
    "kinetics kin127 kin128",
    "kinetics kin135 kin136 kin137 kin138 kin139",
    "kinetics kin129 kin140 kin141 kin142 kin143",
    "kinetics kin144 kin145 kin146",  # springs
    "kinetics kin149 kin150 kin151 kin152 kin153 kin154 kin155 kin156",  # joints on a surface
    "plan/air_water aw5 aw15 wt24",  # gauge bubbles on a stem
    "plan/air_water aw17 aw18 aw19 aw23",  # pumps
    "plan/air_water aw27 aw28 aw29 aw30 aw32",  # a triangle or arrow on a stem
    "plan/air_water aw35 aw36 aw53 aw55 aw56 aw57",  # boxes on a pipe
    "plan/air_water aw37 aw38 aw39 aw44 aw47 aw48 aw49 aw50 wt1 wt2 wt16 wt17",  # diamonds
    "plan/air_water aw54 wt18",
    "plan/air_water wt3 wt4",
    "plan/air_water wt5 wt7 wt8 wt11 wt12 wt13 wt22 wt26",  # straight and three-way valves
    "plan/air_water wt6 wt9 wt10 wt14 wt23",  # angle valves
    "power_station ed1 ed69 ed70 ed71 ed84 ed88 ed102 ed103 ed123",  # marked circles on a pipe
    "power_station ed2 ed110",
    "power_station ed4 ed5",
    "power_station ed7 ed12 ed13 ed14 ed16 ed50 ed51",  # vessels with a cone
    "power_station ed15 ed22 ed64 ed65",
    "power_station ed3 ed17 ed105 ed106 ed111 ed113 ed118 ed119 ed120 ed121 ed122 ed127 "
    "ed138 ed139 ed146",  # a square or oblong on a pipe, a mark inside
    "power_station ed18 ed19 ed20 ed27",
    "power_station ed21 ed35 ed36 ed37",
    "power_station ed33 ed34 ed39",
    "power_station ed42 ed43 ed44 ed45",
    "power_station ed46 ed117",
    "power_station ed47 ed48",
    "power_station ed52 ed67 ed78 ed79 ed80",
    "power_station ed59 ed60",
    "power_station ed63 ed116",
    "power_station ed74 ed75",
    "power_station ed73 ed125 ed126 ed128 ed133 ed134",  # capsules
    "power_station ed86 ed87",
    "power_station ed93 ed95 ed98 ed100 ed101",
    "power_station ed107 ed108 ed109",
    "power_station ed115 ed131",
    "power_station ed140 ed141 ed142 ed143 ed145 ed147",  # zigzags
)
PART_FAMILIES = {
    f"{folder}/{stem}": f"{folder}/{stems[0]}"
    for folder, *stems in (line.split() for line in JOINED_PARTS)
    for stem in stems[1:]
}
CAD_UNDRAWN = frozenset({"INSERT", "SPLINE", "IMAGE"})  # a drawing with one of these: left out
# Drawings left out by hand: ``dev22`` has a stray line 170 units from its 16-unit symbol, which
# fitting the whole drawing to its square shrinks to a dot (the only drawing of the five
# libraries that one entity widens more than 6 times; long leads widen others 2 to 5.5 times).
CAD_LEFT_OUT = frozenset({"elektro/dev/dev22"})
LINE_COLOUR = (0, 0, 0, 255)
CAD_RENDER = 128  # px: a symbol is drawn into this square, then fitted into prepare's 96 px
CAD_PLAN_SIDE = 64  # px: the square the plan compares symbols in (repeats, outlines)
CAD_MARGIN = 0.04  # of the square, left clear on every side
ARC_STEPS = 48  # segments of a whole circle; an arc gets its share, at least 2
CAD_TRAIN_PER_CLASS = 45
CAD_TEST_PER_CLASS = 20

Pair = tuple[str, str]  # a DXF group code and its value, both stripped
Entity = tuple[str, tuple[Pair, ...]]  # its kind (``LINE``) and its pairs after the kind
Point = tuple[float, float]
Shape = tuple[str, list[Point]]  # ("line" | "fill", points in drawing units, y up)


@lru_cache(maxsize=2048)
def dxf_entities(path: Path) -> tuple[Entity, ...]:
    """The entities of a DXF file's ``ENTITIES`` section, in order (cached: the plan reads each
    drawing several times). A DXF is a list of (group code, value) line pairs; code 0 opens an
    entity or section, and ``0 SECTION`` is followed by ``2 <name>``."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    found: list[tuple[str, list[Pair]]] = []
    section, current, previous = "", None, ("", "")
    for raw_code, raw_value in zip(lines[0::2], lines[1::2], strict=False):
        code, value = raw_code.strip(), raw_value.strip()
        if previous == ("0", "SECTION") and code == "2":
            section = value
        if code == "0":
            section = "" if value == "ENDSEC" else section
            current = [] if section == "ENTITIES" and value != "SECTION" else None
            if current is not None:
                found.append((value, current))
        elif current is not None:
            current.append((code, value))
        previous = (code, value)
    return tuple((kind, tuple(pairs)) for kind, pairs in found)


def number(pairs: Sequence[Pair], code: str, default: float = 0.0) -> float:
    """The first value of ``code`` among ``pairs`` as a number, or ``default``."""
    return next((float(value) for key, value in pairs if key == code), default)


def ellipse_arc(centre: Point, major: Point, ratio: float, start: float, end: float) -> list[Point]:
    """Points of an elliptic arc, counter-clockwise from parameter ``start`` to ``end``
    (radians; a whole ellipse when they are a turn apart or equal): ``major`` is the end of the
    major axis from the centre, ``ratio`` the minor axis over the major. A circle's arc is one
    with ``major = (r, 0)`` and ``ratio = 1``."""
    sweep = (end - start) % math.tau
    sweep = math.tau if sweep <= 1e-9 else sweep
    steps = max(2, math.ceil(ARC_STEPS * sweep / math.tau))
    (cx, cy), (mx, my) = centre, major
    points = []
    for index in range(steps + 1):
        t = start + sweep * index / steps
        u, v = math.cos(t), math.sin(t) * ratio
        points.append((cx + u * mx - v * my, cy + u * my + v * mx))
    return points


def circle_arc(centre: Point, radius: float, start: float, end: float) -> list[Point]:
    """A circular arc counter-clockwise from ``start`` to ``end`` degrees."""
    return ellipse_arc(centre, (radius, 0.0), 1.0, math.radians(start), math.radians(end))


def bulge_arc(first: Point, last: Point, bulge: float) -> list[Point]:
    """A polyline segment from ``first`` to ``last``: straight for bulge 0, else the arc whose
    included angle is ``4 atan(bulge)`` (counter-clockwise when positive). Its centre ``c``
    turns ``first`` into ``last``: ``last - c = (first - c) e^(i angle)``."""
    if abs(bulge) < 1e-9:
        return [first, last]
    angle = 4 * math.atan(bulge)
    p, q, turn = complex(*first), complex(*last), cmath.exp(1j * angle)
    centre = (p * turn - q) / (turn - 1)
    steps = max(2, math.ceil(ARC_STEPS * abs(angle) / math.tau))
    points = [centre + (p - centre) * cmath.exp(1j * angle * i / steps) for i in range(steps + 1)]
    return [(z.real, z.imag) for z in points]


def polyline_points(pairs: Sequence[Pair]) -> list[Point]:
    """An ``LWPOLYLINE``'s path: vertices (codes 10, 20), each with the bulge (42) of the
    segment it starts; closed (70 bit 1) back to the first vertex."""
    vertices: list[list[float]] = []
    for code, value in pairs:
        if code == "10":
            vertices.append([float(value), 0.0, 0.0])
        elif code in ("20", "42") and vertices:
            vertices[-1][1 if code == "20" else 2] = float(value)
    if int(number(pairs, "70")) & 1 and vertices:
        vertices.append(vertices[0])
    points: list[Point] = [(vertices[0][0], vertices[0][1])] if vertices else []
    for (x0, y0, bulge), (x1, y1, _) in zip(vertices, vertices[1:], strict=False):
        points.extend(bulge_arc((x0, y0), (x1, y1), bulge)[1:])
    return points


def hatch_edge(kind: str, pairs: Sequence[Pair]) -> list[Point]:
    """One edge of a hatch boundary: a line (type 1), a circular arc (2: centre, radius, start
    and end degrees) or an elliptic arc (3: centre, major axis end, ratio, degrees), walked
    clockwise when its flag 73 is 0."""
    centre = (number(pairs, "10"), number(pairs, "20"))
    if kind == "1":
        return [centre, (number(pairs, "11"), number(pairs, "21"))]
    start, end = math.radians(number(pairs, "50")), math.radians(number(pairs, "51"))
    clockwise = number(pairs, "73", 1.0) == 0
    if kind == "2":
        major, ratio = (number(pairs, "40"), 0.0), 1.0
    elif kind == "3":
        major, ratio = (number(pairs, "11"), number(pairs, "21")), number(pairs, "40", 1.0)
    else:
        return []  # a spline edge (type 4): none in the libraries used
    if clockwise:
        return ellipse_arc(centre, major, ratio, end, start)[::-1]
    return ellipse_arc(centre, major, ratio, start, end)


def hatch_paths(pairs: Sequence[Pair]) -> Iterator[list[Point]]:
    """The boundary paths of a ``HATCH`` (after code 91, up to its style, 75), each the points of
    its edges in order. A path opens with 92 and each edge with 72 (its type); a path of the
    polyline kind (92 bit 2, none in the libraries used) is skipped."""
    codes = [code for code, _ in pairs]
    if "91" not in codes:
        return
    path: list[Point] | None = None
    edge: tuple[str, list[Pair]] | None = None
    for code, value in [*pairs[codes.index("91") + 1 :], ("75", "")]:
        if code in ("92", "97", "75") and edge is not None and path is not None:
            path.extend(hatch_edge(edge[0], edge[1]))
            edge = None
        if code == "92" or code == "75":
            if path:
                yield path
            path = [] if code == "92" and not int(value) & 2 else None
            if code == "75":
                return
        elif code == "72" and path is not None:
            if edge is not None:
                path.extend(hatch_edge(edge[0], edge[1]))
            edge = (value, [])
        elif edge is not None:
            edge[1].append((code, value))


def entity_shapes(kind: str, pairs: Sequence[Pair]) -> list[Shape]:
    """What one entity draws: a ``LINE``, ``CIRCLE``, ``ARC`` (degrees), ``ELLIPSE``
    (parameters in radians) or ``LWPOLYLINE`` as a stroke, a solid ``HATCH`` (the only kind in
    the libraries used) as filled paths; nothing for texts, points and the rest."""
    centre = (number(pairs, "10"), number(pairs, "20"))
    if kind == "LINE":
        return [("line", [centre, (number(pairs, "11"), number(pairs, "21"))])]
    if kind in ("CIRCLE", "ARC"):
        start, end = (number(pairs, "50"), number(pairs, "51")) if kind == "ARC" else (0, 360)
        return [("line", circle_arc(centre, number(pairs, "40"), start, end))]
    if kind == "ELLIPSE":
        major = (number(pairs, "11"), number(pairs, "21"))
        start, end = number(pairs, "41"), number(pairs, "42", math.tau)
        return [("line", ellipse_arc(centre, major, number(pairs, "40", 1.0), start, end))]
    if kind == "LWPOLYLINE":
        return [("line", polyline_points(pairs))]
    if kind == "HATCH":
        return [("fill", path) for path in hatch_paths(pairs)]
    return []


def dxf_shapes(path: Path) -> list[Shape]:
    """Everything a drawing draws, in file order, shapes of fewer than 2 points left out."""
    shapes = [shape for kind, pairs in dxf_entities(path) for shape in entity_shapes(kind, pairs)]
    return [(kind, points) for kind, points in shapes if len(points) >= 2]


def drawable(path: Path) -> bool:
    """A drawing with no entity of a kind this drawer does not draw but that is part of the
    picture (``CAD_UNDRAWN``: a block, a spline, a bitmap)."""
    return not any(kind in CAD_UNDRAWN for kind, _ in dxf_entities(path))


def render_dxf(path: Path, side: int) -> Image.Image:
    """The drawing as RGBA on a clear ``side`` square, scaled (aspect kept) so that all it draws
    fits inside the margin, centred, y turned down; strokes ``side / 64`` px wide whatever their
    line weight, so thin lines stay visible at 64 px. One that draws nothing comes back empty
    (1x1, clear)."""
    from PIL import Image, ImageDraw

    shapes = dxf_shapes(path)
    every = [point for _, points in shapes for point in points]
    if not every:
        return Image.new("RGBA", (1, 1), (0, 0, 0, 0))
    xs, ys = [x for x, _ in every], [y for _, y in every]
    reach = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    scale = side * (1 - 2 * CAD_MARGIN) / reach
    middle = ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
    canvas = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    line = max(1, round(side / 64))
    for kind, points in shapes:
        pixels = [((x - middle[0]) * scale + side / 2, side / 2 - (y - middle[1]) * scale)
                  for x, y in points]  # fmt: skip
        if kind == "fill" and len(pixels) >= 3:
            draw.polygon(pixels, fill=LINE_COLOUR, outline=LINE_COLOUR)
        else:
            draw.line(pixels, fill=LINE_COLOUR, width=line, joint="curve")
    return canvas


def read_part(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the cadparts set: the symbol drawn into ``CAD_RENDER`` px."""
    return render_dxf(item.source, CAD_RENDER)


@lru_cache(maxsize=4096)
def plan_picture(path: Path) -> Image.Image:
    """The symbol as the plan compares it: drawn into and centred on ``CAD_PLAN_SIDE`` px."""
    return centred(render_dxf(path, CAD_PLAN_SIDE), CAD_PLAN_SIDE)


def part_family(path: Path, root: Path = CAD_ROOT) -> str:
    """A symbol's family: in ``elektro`` its component folder less ``-iso``
    (``elektro/diode-iso/Diode-Zener.dxf`` -> ``elektro/diode``), since both folders draw one
    component's symbols; elsewhere the drawing itself (``kinetics/kin12``), since a library's
    file numbers say nothing of which symbols are alike, or the first of its line of
    ``JOINED_PARTS`` (``kinetics/kin131`` -> ``kinetics/kin96``)."""
    relative = path.relative_to(root).with_suffix("")
    if relative.parts[0] in CAD_FAMILY_FOLDERS and len(relative.parts) > 2:
        return f"{relative.parts[0]}/{relative.parts[1].removesuffix(ISO_ENDING)}"
    return PART_FAMILIES.get(relative.as_posix(), relative.as_posix())


def part_entries(root: Path = CAD_ROOT) -> list[Entry]:
    """(class, family, file) of every drawing of the libraries used that this drawer draws
    whole (``drawable``) and that is not left out by hand (``CAD_LEFT_OUT``), sorted by library
    and path."""
    return [
        (label, part_family(path, root), path)
        for folder, label in sorted(CAD_CLASSES.items())
        for path in sorted((root / folder).rglob("*.dxf"))
        if drawable(path) and path.relative_to(root).with_suffix("").as_posix() not in CAD_LEFT_OUT
    ]


def part_name(path: Path) -> str:
    """Output stem: the drawing's folder and file name (``elektro/diode-iso/Diode-Zener.dxf``
    -> ``diode_iso_diode_zener``), since names repeat across ``elektro``'s folders."""
    return slug(f"{path.parent.name}_{path.stem}")


def plan_cadparts(root: Path = CAD_ROOT) -> list[Item]:
    """Library of a LibreCAD part as the class; blank and repeated pictures dropped; test =
    whole groups per class (fresh4's ``drawing_groups`` over ``part_family``; ``FAMILY_MOST``
    drawings a group at most)."""
    drawn = [entry for entry in part_entries(root) if not is_blank(plan_picture(entry[2]))]
    grouped = drawing_groups(unique_icons(drawn, pixel_digest(plan_picture)), plan_picture)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        "cadparts",
        (CAD_TRAIN_PER_CLASS, CAD_TEST_PER_CLASS),
        "cadparts",
        part_name,
    )


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS["cadparts"] = read_part
FRESH14_SETS = (
    HoldoutSet(
        "cadparts",
        "librecad-data",
        CAD_ROOT,
        "library of a LibreCAD part, from its drawing (5)",
        "by family (an electrical symbol's component folder less -iso, another symbol's own "
        "file, or one of 59 lines of drawings joined by hand: a symbol with a mark, fill, leg "
        "or pipe more, turned or stretched; chained with the symbols whose outlines overlap "
        "by 90% or more at 64 px or coarsened to 16 px, or whose grey 16 px thumbnails differ "
        "by less than a quarter of their ink; at most 5 symbols a family), about 30% of each "
        "library, after removing drawings with blocks or splines, a drawing with a stray line, "
        "blank and identical pictures",
        plan_cadparts,
    ),
)
SETS.update({spec.name: spec for spec in FRESH14_SETS})
