"""A set of the eighth fresh hold-out, prepared on 2026-12-05 in the thirtieth session before any
model ran on it: ``footprints`` (kicad-footprints), from a package that no other set and no
meta-dataset source reads. Planned with the helpers of ``holdout_sets.py``,
``holdout_sets_fresh2.py`` and ``holdout_sets_fresh4.py``, whose ``SETS`` this module extends
when it is imported (``holdout_sets`` imports it at its end); it adds its picture reader to
fresh2's ``PICTURE_READERS``, which ``prepare.py`` reads (its ``FITTED_SIDES`` needs
``"footprints": 96``).

kicad-footprints is KiCad's library of PCB footprints: one ``.kicad_mod`` file (an
s-expression) per footprint under ``/usr/share/kicad/footprints/<library>.pretty/``. A picture
is one footprint of a chip or transistor package library, drawn by Pillow from its file: its
front copper pads (drill holes left white) and the lines of its silkscreen and fabrication
layers (the part's body outline); its class is the package kind, the library
(``Package_SO.pretty`` is ``so``; ``FOOTPRINT_CLASSES``), footprints mounted otherwise than the
library's kind left out (``FOOTPRINT_MOUNTING``). Blank and identical pictures are removed
(``unique_icons``). A footprint's family is its name up to the first word with a digit, the
package and pin count (``SOIC-8_3.9x4.9mm_P1.27mm`` and its ``_ThermalVias`` variant are
``SOIC-8``); families are chained (``footprint_groups``) when their outlines overlap by 90% or
more, their grey thumbnails are near, or their pads are the same but at most two (SOT-23-5
and SOT-23-6, SOIC-14-16 and SOIC-16); a group stays on one side.
"""

from __future__ import annotations

import math
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
    is_blank,
    pixel_digest,
    silhouette,
)
from holdout_sets_fresh3 import thumbnail
from holdout_sets_fresh4 import centred, overlaps

if TYPE_CHECKING:
    from PIL import Image, ImageDraw

FOOTPRINT_ROOT = Path("/usr/share/kicad/footprints")  # kicad-footprints
# Library -> class: KiCad's libraries of integrated-circuit and transistor packages, each a
# layout of its own (a grid of balls; short pads on two or four sides of a thermal pad; two rows
# of through-hole pads; two rows of SMD leads; a few SMD pads of unlike sizes; a row of
# through-hole pins under a body). Left out (README): Package_QFP (70 pictures, 66 of which chain
# into one group: one layout, four rows of leads, at a few pitches, with and without a thermal
# pad; 7 train / 2 test would be left), Package_CSP (a grid of balls, as BGA), Package_SON
# (DFN's layout), Package_LGA, Package_SIP, Package_SO_J-Lead, Package_LCC and
# Package_DirectFET (28, 16, 1, 23 and 29 footprints), and the connector, passive and module
# libraries (not packages of a chip).
FOOTPRINT_CLASSES = {
    "Package_BGA": "bga",
    "Package_DFN_QFN": "dfn_qfn",
    "Package_DIP": "dip",
    "Package_SO": "so",
    "Package_TO_SOT_SMD": "to_sot_smd",
    "Package_TO_SOT_THT": "to_sot_tht",
}
# Library -> the mounting (``attr``) its class keeps: Package_DIP also holds 108 SMD footprints
# (SMDIP, and DIPs and sockets with gull-wing pads for surface mounting), two rows of SMD pads
# drawn as SO's are; Package_TO_SOT_THT holds through-hole footprints only, the other libraries
# SMD ones.
FOOTPRINT_MOUNTING = {"Package_DIP": "through_hole", "Package_TO_SOT_THT": "through_hole"}
COPPER_LAYERS = frozenset({"F.Cu", "*.Cu"})  # a pad on the front copper (paste-only: no)
LINE_LAYERS = frozenset({"F.SilkS", "F.Fab"})  # the outlines drawn (courtyard and text: no)
PAD_COLOUR = (184, 115, 51, 255)  # copper
LINE_COLOUR = (60, 60, 60, 255)
HOLE_COLOUR = (255, 255, 255, 255)
FOOTPRINT_RENDER = 128  # px: a footprint is drawn into this square, then fitted into 96 px
FOOTPRINT_PLAN_SIDE = 64  # px: the square the plan compares footprints in (repeats, outlines)
FOOTPRINT_MARGIN = 0.04  # of the square, left clear on every side
# Grey 16 px thumbnails (fresh3's ``thumbnail``) closer than this share of their ink are one
# drawing redrawn. fresh4's 0.25, and its outlines coarsened to 16 px, chain whole classes here
# (a class is one layout at many pin counts: 457 of DFN_QFN's 504 pictures in one chain, 287 of
# SO's 305, 120 of DIP's 128); at 0.15 the largest chains are 414 QFNs, 147 TSSOPs and 81 DIPs
# of 14-64 pins, each cut to ``FAMILY_MOST``; at 0.1, TO-220s of 7 and 9 pins and DIPs of 16 and
# 22 straddled the split, near alike on the contact sheets.
FOOTPRINT_INK_NEAR = 0.15
# A TO or SOT package with its pin count: ``TO-220-7``, ``Heraeus_TO-92-2``, ``SOT-23-5``
# (group 1: the package without it). The TO-220 body is one outline for 2 to 15 leads (the
# contact sheets: TO-220-7 and TO-220-9 differ by two pins), unlike a DIP's, which grows with
# its pins.
TRANSISTOR_BODY = re.compile(r"^((?:[A-Za-z]+_)?(?:TO|SOT)-[0-9]+[A-Z]*)-[0-9]+$")
PAD_GRID = 0.05  # mm: pads are compared by centre and size rounded to this
# Footprints whose pads (``pad_set``) are the same but at most this many are one drawing with
# pins or a thermal pad left out (SOT-23-5 and SOT-23-6, SOIC-14-16 and SOIC-16, LQFP-64 and
# LQFP-64-1EP); siblings of other pin counts have their pads elsewhere and stay apart.
PADS_LEFT_OUT = 2
ARC_STEPS = 24  # segments of a drawn arc
FOOTPRINT_TRAIN_PER_CLASS = 45
FOOTPRINT_TEST_PER_CLASS = 20
TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[()]|[^\s()"]+')

Node = str | list["Node"]
Point = tuple[float, float]
Shape = tuple[str, list[Point]]  # ("pad" | "hole" | "line" | "ring", points in mm)


def parse_sexpr(text: str) -> list[Node]:
    """An s-expression as nested lists of atoms (quotes taken off strings)."""
    stack: list[list[Node]] = [[]]
    for token in TOKEN.findall(text):
        if token == "(":
            stack.append([])
        elif token == ")":
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(token[1:-1] if token.startswith('"') else token)
    return stack[0]


def children(node: list[Node], head: str) -> list[list[Node]]:
    """The sub-lists of ``node`` that start with ``head``."""
    return [c for c in node if isinstance(c, list) and c and c[0] == head]


def layers(node: list[Node]) -> set[str]:
    """The layers of a pad (``layers``) or graphic (``layer``)."""
    return {str(v) for c in children(node, "layers") + children(node, "layer") for v in c[1:]}


def numbers(node: list[Node], head: str) -> list[float]:
    """The numbers of ``node``'s first ``(head ...)`` (``(at 1 2 90)`` -> [1, 2, 90]; words
    such as ``oval`` in ``(drill oval 1 2)`` skipped)."""
    found = children(node, head)
    atoms = [v for v in found[0][1:] if isinstance(v, str)] if found else []
    return [float(v) for v in atoms if re.fullmatch(r"-?[0-9.]+(e-?[0-9]+)?", v)]


def turned(points: list[Point], centre: Point, degrees: float) -> list[Point]:
    """``points`` (relative to the pad's centre) turned by ``degrees`` counter-clockwise on the
    board, whose y axis points down as an image's does, then moved to ``centre``."""
    angle = math.radians(degrees)
    cos, sin = math.cos(angle), math.sin(angle)
    return [(centre[0] + x * cos + y * sin, centre[1] - x * sin + y * cos) for x, y in points]


def outline(kind: str, width: float, height: float) -> list[Point]:
    """The outline of a pad or hole shape centred on (0, 0): a circle, an oval (a stadium) or
    a rectangle (``rect``, ``roundrect``, ``trapezoid``: their corners do not tell packages
    apart)."""
    if kind == "circle":
        return ellipse_points(width / 2, width / 2)
    if kind == "oval":
        radius, reach = min(width, height) / 2, abs(width - height) / 2
        half = [(radius * math.cos(t), radius * math.sin(t)) for t in arc_angles(-90, 90)]
        if width >= height:
            return [(reach + x, y) for x, y in half] + [(-reach - x, -y) for x, y in half]
        return [(y, reach + x) for x, y in half] + [(-y, -reach - x) for x, y in half]
    return [(-width / 2, -height / 2), (width / 2, -height / 2), (width / 2, height / 2),
            (-width / 2, height / 2)]  # fmt: skip


def arc_angles(first: float, last: float) -> list[float]:
    """``ARC_STEPS + 1`` angles (radians) from ``first`` to ``last`` degrees."""
    step = (last - first) / ARC_STEPS
    return [math.radians(first + step * i) for i in range(ARC_STEPS + 1)]


def ellipse_points(rx: float, ry: float) -> list[Point]:
    """``ARC_STEPS`` points around an ellipse centred on (0, 0)."""
    return [(rx * math.cos(t), ry * math.sin(t)) for t in arc_angles(0, 360)[:-1]]


def arc_points(start: Point, mid: Point, end: Point) -> list[Point]:
    """Points along the arc from ``start`` through ``mid`` to ``end`` (KiCad 6's ``fp_arc``);
    a straight line when the three points are in a row."""
    (ax, ay), (bx, by), (cx, cy) = start, mid, end
    d = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by))
    if abs(d) < 1e-9:
        return [start, end]
    ux = (ax**2 + ay**2) * (by - cy) + (bx**2 + by**2) * (cy - ay) + (cx**2 + cy**2) * (ay - by)
    uy = (ax**2 + ay**2) * (cx - bx) + (bx**2 + by**2) * (ax - cx) + (cx**2 + cy**2) * (bx - ax)
    ox, oy = ux / d, uy / d
    radius = math.hypot(ax - ox, ay - oy)
    first, middle, last = (math.degrees(math.atan2(y - oy, x - ox)) for x, y in (start, mid, end))
    # go the way that passes through ``mid``: counter-clockwise in degrees if it lies between
    sweep = (last - first) % 360
    if (middle - first) % 360 > sweep:
        sweep -= 360
    return [(ox + radius * math.cos(t), oy + radius * math.sin(t))
            for t in arc_angles(first, first + sweep)]  # fmt: skip


def pad_shapes(pad: list[Node]) -> list[Shape]:
    """What a pad on the front copper draws: its copper outline (a custom pad: its anchor and
    primitive polygons) and its drill hole; a hole with no copper (``np_thru_hole``) is a ring.
    Pads of the back copper or of paste only (the apertures of a thermal pad) draw nothing."""
    if not layers(pad) & COPPER_LAYERS or len(pad) < 4:
        return []
    kind, shape = str(pad[2]), str(pad[3])
    at, size = numbers(pad, "at") + [0.0] * 3, numbers(pad, "size") + [0.0] * 2
    centre, angle = (at[0], at[1]), at[2]
    drill = numbers(pad, "drill")
    oval_drill = any(c == "oval" for c in children(pad, "drill")[0]) if drill else False
    hole: list[Shape] = []
    if drill:
        hole_size = (drill[0], drill[1] if oval_drill and len(drill) > 1 else drill[0])
        hole_kind = "oval" if oval_drill else "circle"
        hole = [("hole", turned(outline(hole_kind, *hole_size), centre, angle))]
    if kind == "np_thru_hole":
        return [("ring", points) for _, points in hole]
    if shape == "custom":
        anchor = [o for c in children(pad, "options") for o in children(c, "anchor")]
        anchor_kind = str(anchor[0][1]) if anchor and len(anchor[0]) > 1 else "rect"
        found = [("pad", turned(outline(anchor_kind, *size[:2]), centre, angle))]
        for primitives in children(pad, "primitives"):
            for poly in children(primitives, "gr_poly"):
                points = [(float(p[1]), float(p[2])) for p in xy_points(poly)]
                found.append(("pad", turned(points, centre, angle)))
        return found + hole
    return [("pad", turned(outline(shape, *size[:2]), centre, angle))] + hole


def xy_points(node: list[Node]) -> list[list[Node]]:
    """The ``(xy x y)`` nodes of a polygon's ``pts``."""
    return [p for pts in children(node, "pts") for p in children(pts, "xy") if len(p) >= 3]


def graphic_shape(node: list[Node]) -> Shape | None:
    """A silkscreen or fabrication line, rectangle, circle, arc or polygon as a polyline (a
    closed shape repeats its first point); None for other layers and kinds."""
    if not layers(node) & LINE_LAYERS:
        return None
    start, end = numbers(node, "start")[:2], numbers(node, "end")[:2]
    head = node[0]
    if head == "fp_line" and len(start) == 2 and len(end) == 2:
        points = [(start[0], start[1]), (end[0], end[1])]
    elif head == "fp_rect" and len(start) == 2 and len(end) == 2:
        (x0, y0), (x1, y1) = start, end
        points = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    elif head == "fp_circle" and numbers(node, "center") and len(end) == 2:
        cx, cy = numbers(node, "center")[:2]
        radius = math.hypot(end[0] - cx, end[1] - cy)
        points = [(cx + x, cy + y) for x, y in ellipse_points(radius, radius)]
        points.append(points[0])
    elif head == "fp_arc" and len(numbers(node, "mid")) >= 2 and len(start) == 2 and len(end) == 2:
        mid = numbers(node, "mid")
        points = arc_points((start[0], start[1]), (mid[0], mid[1]), (end[0], end[1]))
    elif head == "fp_poly" and xy_points(node):
        points = [(float(p[1]), float(p[2])) for p in xy_points(node)]
        points.append(points[0])
    else:
        return None
    return ("line", points)


@lru_cache(maxsize=4096)
def footprint_tree(path: Path) -> list[Node]:
    """The parsed ``(footprint ...)`` node of a file (cached: the plan reads each footprint
    several times, and tests plan twice)."""
    parsed = parse_sexpr(path.read_text(encoding="utf-8", errors="replace"))
    return next((n for n in parsed if isinstance(n, list) and n), [])


def mounting(path: Path) -> str:
    """How a footprint is mounted: its ``attr`` (``smd``, ``through_hole``), or ``""``."""
    attr = children(footprint_tree(path), "attr")
    return str(attr[0][1]) if attr and len(attr[0]) > 1 else ""


def footprint_shapes(path: Path) -> list[Shape]:
    """Everything a footprint file draws, lines first (the body under the pads), then pads,
    then holes."""
    top = footprint_tree(path)
    lines = [s for n in top if isinstance(n, list) and (s := graphic_shape(n)) is not None]
    pads = [s for n in children(top, "pad") for s in pad_shapes(n)]
    order = {"line": 0, "ring": 0, "pad": 1, "hole": 2}
    return sorted(lines + pads, key=lambda shape: order[shape[0]])


def draw_shape(draw: ImageDraw.ImageDraw, kind: str, points: list[Point], line: int) -> None:
    """One shape in pixels: pads filled with copper, holes white, lines and rings drawn
    ``line`` px wide."""
    if kind == "pad" and len(points) >= 3:
        draw.polygon(points, fill=PAD_COLOUR)
    elif kind == "hole" and len(points) >= 3:
        draw.polygon(points, fill=HOLE_COLOUR)
    elif kind == "ring" and len(points) >= 3:
        draw.line([*points, points[0]], fill=LINE_COLOUR, width=line)
    elif len(points) >= 2:
        draw.line(points, fill=LINE_COLOUR, width=line, joint="curve")


def render_footprint(path: Path, side: int) -> Image.Image:
    """The footprint as RGBA on a clear ``side`` square, scaled (aspect kept) so that all it
    draws fits inside the margin and centred; lines are ``side / 64`` px wide whatever their
    width on the board, so thin outlines stay visible at 64 px. One that draws nothing comes
    back empty (1x1, clear)."""
    from PIL import Image, ImageDraw

    shapes = footprint_shapes(path)
    every = [point for _, points in shapes for point in points]
    if not every:
        return Image.new("RGBA", (1, 1), (0, 0, 0, 0))
    xs, ys = [x for x, _ in every], [y for _, y in every]
    reach = max(max(xs) - min(xs), max(ys) - min(ys), 1e-6)
    scale = side * (1 - 2 * FOOTPRINT_MARGIN) / reach
    middle = ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
    canvas = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    line = max(1, round(side / 64))
    for kind, points in shapes:
        pixels = [((x - middle[0]) * scale + side / 2, (y - middle[1]) * scale + side / 2)
                  for x, y in points]  # fmt: skip
        draw_shape(draw, kind, pixels, line)
    return canvas


def read_footprint(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the footprints set: the footprint drawn into
    ``FOOTPRINT_RENDER`` px."""
    return render_footprint(item.source, FOOTPRINT_RENDER)


@lru_cache(maxsize=4096)
def plan_picture(path: Path) -> Image.Image:
    """The footprint as the plan compares it: drawn into ``FOOTPRINT_PLAN_SIDE`` px (centred,
    so fresh4's outlines and thumbnails see footprints of every aspect ratio alike)."""
    return centred(render_footprint(path, FOOTPRINT_PLAN_SIDE), FOOTPRINT_PLAN_SIDE)


def footprint_family(stem: str) -> str:
    """A footprint's family: its name's ``_``-separated words up to the first with a digit, the
    package and its pin count (``SOIC-8_3.9x4.9mm_P1.27mm`` -> ``SOIC-8``), a maker's prefix
    kept (``Infineon_PG-HSOF-8-2_ThermalVias`` -> ``Infineon_PG-HSOF-8-2``): the sizes, pitches
    and variants (thermal vias, hand soldering, sockets) of one package stay together. A TO or
    SOT package's pin count is left out (``TO-220-7`` -> ``TO-220``), since its body is one
    drawing whatever the leads (``TRANSISTOR_BODY``)."""
    words = stem.split("_")
    for index, word in enumerate(words):
        if any(character.isdigit() for character in word):
            family = "_".join(words[: index + 1])
            body = TRANSISTOR_BODY.match(family)
            return body.group(1) if body else family
    return stem


def footprint_entries(root: Path = FOOTPRINT_ROOT) -> list[Entry]:
    """(class, family, file) of every footprint of the libraries used that is mounted as its
    class's are (``FOOTPRINT_MOUNTING``, else ``smd``), sorted by path."""
    return [
        (label, footprint_family(path.stem), path)
        for library, label in sorted(FOOTPRINT_CLASSES.items())
        for path in sorted((root / f"{library}.pretty").glob("*.kicad_mod"))
        if mounting(path) == FOOTPRINT_MOUNTING.get(library, "smd")
    ]


def footprint_name(path: Path) -> str:
    """Output stem: the footprint's name made a file name (``SOIC-8_3.9x4.9mm_P1.27mm`` ->
    ``soic_8_3_9x4_9mm_p1_27mm``)."""
    return slug(path.stem)


@lru_cache(maxsize=4096)
def pad_set(path: Path) -> frozenset[tuple[int, ...]]:
    """A footprint's copper pads as (centre x, centre y, width, height) in ``PAD_GRID`` steps,
    from their outlines' boxes, the centres measured from the middle of all pads (footprints
    put their origin at pin 1 or in the middle: so a pin left out in the middle of a row keeps
    the others in place, and one more pair of pins at a row's end moves them all)."""
    boxes = []
    for kind, points in footprint_shapes(path):
        if kind == "pad" and points:
            xs, ys = [x for x, _ in points], [y for _, y in points]
            boxes.append((min(xs), min(ys), max(xs), max(ys)))
    if not boxes:
        return frozenset()
    middle_x = (min(b[0] for b in boxes) + max(b[2] for b in boxes)) / 2
    middle_y = (min(b[1] for b in boxes) + max(b[3] for b in boxes)) / 2
    return frozenset(
        tuple(
            round(v / PAD_GRID)
            for v in ((x0 + x1) / 2 - middle_x, (y0 + y1) / 2 - middle_y, x1 - x0, y1 - y0)
        )
        for x0, y0, x1, y1 in boxes
    )


def pads_near(first: frozenset[tuple[int, ...]], second: frozenset[tuple[int, ...]]) -> bool:
    """Two pad sets of which one holds the other and at most ``PADS_LEFT_OUT`` pads more."""
    small, large = sorted((first, second), key=len)
    return bool(small) and small <= large and len(large) - len(small) <= PADS_LEFT_OUT


def footprint_groups(entries: list[Entry], picture: Callable[[Path], Image.Image]) -> list[Entry]:
    """The entries (class, family, path) with their group in place of the family: within a
    class, footprints of one family, whose outlines (``picture``'s visible pixels) overlap by 90%
    or more, whose grey thumbnails differ by at most ``FOOTPRINT_INK_NEAR`` of their mean ink, or
    whose pads are the same but at most two (``pads_near``), are chained, named after the first
    (fresh4's ``drawing_groups`` without its coarse outlines, with a closer thumbnail rule: see
    ``FOOTPRINT_INK_NEAR``; and with the pads' rule)."""
    import numpy as np

    if not entries:
        return []
    full = overlaps(np.stack([silhouette(picture(path)) for *_, path in entries]))
    thumbs = [thumbnail(picture(path)) for *_, path in entries]
    ink = [float((255 - thumb).mean()) for thumb in thumbs]
    pads = [pad_set(path) for *_, path in entries]

    def linked(i: int, j: int) -> bool:
        if entries[i][0] != entries[j][0]:
            return False
        if entries[i][1] == entries[j][1] or full[i, j] or pads_near(pads[i], pads[j]):
            return True
        difference = float(np.abs(thumbs[i] - thumbs[j]).mean())
        return difference <= FOOTPRINT_INK_NEAR * (ink[i] + ink[j]) / 2

    roots = chained(len(entries), linked)
    return [(label, entries[roots[i]][1], path) for i, (label, _, path) in enumerate(entries)]


def plan_footprints(root: Path = FOOTPRINT_ROOT) -> list[Item]:
    """Package library of a KiCad footprint as the class; blank and repeated pictures dropped;
    test = whole groups per class (``footprint_groups``; ``FAMILY_MOST`` footprints a group at
    most)."""
    drawn = [entry for entry in footprint_entries(root) if not is_blank(plan_picture(entry[2]))]
    grouped = footprint_groups(unique_icons(drawn, pixel_digest(plan_picture)), plan_picture)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        "footprints",
        (FOOTPRINT_TRAIN_PER_CLASS, FOOTPRINT_TEST_PER_CLASS),
        "footprints",
        footprint_name,
    )


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS["footprints"] = read_footprint
FRESH12_SETS = (
    HoldoutSet(
        "footprints",
        "kicad-footprints",
        FOOTPRINT_ROOT,
        "package kind of a KiCad chip or transistor footprint, from its drawing (6)",
        "by family (footprints of one package library whose names agree up to the first word "
        "with a digit, the package and pin count, a TO or SOT package's pin count left out; "
        "whose outlines overlap by 90% or more at 64 px, whose grey 16 px thumbnails differ by "
        "at most 0.15 of their ink, or whose pads are the same but at most two; chained; at "
        "most 5 footprints a family), about 30% of each package kind, after removing blank, "
        "identical and otherwise mounted footprints",
        plan_footprints,
    ),
)
SETS.update({spec.name: spec for spec in FRESH12_SETS})
