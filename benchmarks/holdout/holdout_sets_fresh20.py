"""A fresh hold-out set (fresh20), prepared on 2026-12-06 before any model ran on it:
``fritzing`` (fritzing-parts), from a package that no other set and no meta-dataset source
reads. Planned with the helpers of ``holdout_sets.py``, ``holdout_sets_fresh2.py``,
``holdout_sets_fresh3.py`` and ``holdout_sets_fresh4.py``, whose ``SETS`` this module extends
when it is imported (``holdout_sets`` imports it at its end); it adds its picture reader to
fresh2's ``PICTURE_READERS``, which ``prepare.py`` reads (its ``FITTED_SIDES`` needs
``"fritzing": 96``).

fritzing-parts 0.9.6~unreleased-1 is the parts library of Fritzing, an electronics design
program: one ``.fzp`` XML file a part in ``core/`` (1,735), whose ``family`` property names the
part's swap family (``Capacitor [unidirectional]``, ``microcontroller board (arduino)``,
``SparkFun Switch (SPST)``; 904 parts are the SparkFun Eagle library's) and whose
breadboard view links an SVG drawing of the part as it looks on a breadboard
(``svg/core/breadboard/*.svg``). A picture is that drawing, drawn by rsvg-convert
(``FRITZING_RENDER`` px) and fitted into 96 px on white; its class is the kind of part its family
names (``PART_KINDS``, the first pattern that the family less a ``SparkFun`` prefix matches):
board (microcontroller and CPU boards: Arduino, LilyPad, Raspberry Pi, Teensy, Basic Stamp),
shield (add-on boards: Arduino and WeMos shields), connector (headers, terminal blocks, jacks,
sockets, plugs), display (LCDs, LED matrices, seven-segment and e-paper displays), switch
(switches and buttons) and sensor; 599 parts. Left out: families of other kinds, each of 1 to 5
groups once near drawings are chained (ICs: every DIP chip is one black box with its name
written on it, so they chain into one or two groups; capacitors, 23 distinct drawings in 5
groups; transistors, relays, batteries, potentiometers, LEDs, motors, crystals), PICAXE
"boards" (their breadboard views draw the bare chip), drivers (chips), breakout boards (a
small board of any kind) and servo headers (``FAMILY_WORDS_LEFT_OUT``); parts whose drawing is
missing (59 of all parts); drawings that are mostly the green of a footprint board
(``FOOTPRINT_GREEN``, over ``FOOTPRINT_SHARE`` of the visible pixels: 225 of the 599, most of
them SparkFun parts that draw an SO-8 or QFN footprint labelled with its package name in place
of the part, and Fritzing's generic surface-mount ICs and Molex and Hirose headers drawn alike);
identical pictures (one drawing linked by several parts, 59; a picture in two classes goes
entirely). A picture's family is its part's family (its variants: pin counts, sizes, colours);
fresh3's ``near_groups`` (grey 16 px thumbnails closer than 13/255) chains families within a
class (Fritzing's and SparkFun's drawing of one part, a series redrawn); fresh4's
``drawing_groups`` is not used (the outlines of rectangular boards all overlap, so it chains
every board into one group). 315 pictures in 106 groups (board 104 in 25, connector 65 in 25,
shield 48 in 18, switch 35 in 12, display 33 in 11, sensor 30 in 15); at most ``FAMILY_MOST``
pictures a group are kept, and a group stays on one side. Final counts (train / test): board
40/16, connector 35/14, display 22/9, sensor 21/9, shield 28/12, switch 24/10: 170 / 70,
constant-answer floor 16/70 = 0.229. White share of the fitted pictures 0.39-0.47 a class and
mean level 163-189, but shields 0.23 and 133 (square boards, most of them SparkFun's red ones,
mean colour spread 75 of 255 against 19-34): colour and shape go with that class. Doubtful:
shields and boards are both circuit boards (shields' test side holds an LCD shield, displays'
two small red display boards); sensors span breakout boards, TO-92 temperature sensors (drawn
as transistors are), ultrasonic modules and textile sensors (a thread, a knitted patch); a
Cherry MX switch is drawn as a box with ``MX`` written in it. The package was checked on
2026-12-04 and not used for its SparkFun bins, whose drawings are mostly such footprints: they
are left out here.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
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

FRITZING_ROOT = Path("/usr/share/fritzing/parts")  # fritzing-parts
FRITZING_PARTS = FRITZING_ROOT / "core"  # the parts' .fzp files
FRITZING_SVG = FRITZING_ROOT / "svg" / "core"  # their drawings, by view
# (class, pattern searched in the lower-case family less "sparkfun "), the first match wins:
# shields before boards, connectors before displays ("display connector").
PART_KINDS = (
    ("shield", r"shield"),
    ("board", r"^(microcontroller ?board|cpu board|chipkit|arduino$|nucleoboard$)"),
    ("connector", r"connector|header|molex|hirose|terminal|jst|ctb01|jack|sub-d|socket|plug"),
    ("display", r"display|lcd|e-paper"),
    ("switch", r"\bswitch\b|button"),  # not "switching supply controller" (a chip)
    ("sensor", r"sensor|accelerometer|gyroscope|magnetometer|compass|^imu$"),
)
# Words of families left out whatever else they say: PICAXE "boards" are drawn as the bare
# chip, drivers are chips, a breakout is a small board of any kind, a servo header a cable.
FAMILY_WORDS_LEFT_OUT = ("picaxe", "driver", "breakout", "servo")
FOOTPRINT_GREEN = (0x1F, 0x7A, 0x34)  # the green board of the SparkFun Eagle library's drawings
FOOTPRINT_NEAR = 24  # per channel, of 255: anti-aliased edges of that green
FOOTPRINT_SHARE = 0.5  # of the visible pixels: the drawing is a footprint board, not the part
FRITZING_RENDER = 192  # px: a drawing is drawn into this square, then fitted into 96 px
FRITZING_PLAN_SIDE = 64  # px: the square the plan compares drawings in
FRITZING_TRAIN_PER_CLASS = 40
FRITZING_TEST_PER_CLASS = 16


def part_kind(family: str) -> str | None:
    """A part's class from its family (``SparkFun Switch (SPST)`` -> ``switch``), or None
    for a family of a kind left out."""
    name = family.strip().lower()
    if any(word in name for word in FAMILY_WORDS_LEFT_OUT):
        return None
    name = name.removeprefix("sparkfun ")
    return next((label for label, pattern in PART_KINDS if re.search(pattern, name)), None)


def parse_part(text: str) -> tuple[str, str | None]:
    """(family, breadboard drawing relative to ``svg/core``) of a part's ``.fzp`` text; the
    drawing is None when the part has no breadboard view, the family "" when it has none."""
    root = ET.fromstring(text)
    family = next(
        ((p.text or "").strip() for p in root.iter("property") if p.get("name") == "family"), ""
    )
    layers = root.find("views/breadboardView/layers")
    return family, None if layers is None else layers.get("image")


def fritzing_parts(parts: Path = FRITZING_PARTS, svg: Path = FRITZING_SVG) -> list[Entry]:
    """(class, family, drawing) of every part of the classes used whose breadboard drawing
    exists, by ``.fzp`` name; one drawing linked by several parts comes once per part."""
    entries = []
    for path in sorted(parts.glob("*.fzp")):
        family, image = parse_part(path.read_text(errors="replace"))
        label = part_kind(family)
        if label and image and (svg / image).is_file():
            entries.append((label, family.strip().lower(), svg / image))
    return entries


def draw_part(path: Path, side: int) -> Image.Image:
    """A breadboard drawing as RGBA, drawn by rsvg-convert into a ``side`` square."""
    return render_svg(path.read_bytes(), side)


@lru_cache(maxsize=4096)
def plan_picture(path: Path) -> Image.Image:
    """The drawing as the plan compares it: drawn into and centred on ``FRITZING_PLAN_SIDE`` px
    (cached: the plan reads each drawing several times, and tests plan twice)."""
    return centred(draw_part(path, FRITZING_PLAN_SIDE), FRITZING_PLAN_SIDE)


def read_part(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the fritzing set: the drawing, ``FRITZING_RENDER`` px."""
    return draw_part(item.source, FRITZING_RENDER)


def footprint_share(picture: Image.Image) -> float:
    """Share of a picture's visible pixels in ``FOOTPRINT_GREEN`` (0 for a blank one)."""
    import numpy as np

    pixels = np.asarray(picture.convert("RGBA")).astype(int)
    visible = pixels[..., 3] > 128
    near = (np.abs(pixels[..., :3] - np.array(FOOTPRINT_GREEN)) <= FOOTPRINT_NEAR).all(axis=-1)
    return float((visible & near).sum()) / max(int(visible.sum()), 1)


def part_name(path: Path) -> str:
    """Output name of a drawing: its path under its view folders, as a slug."""
    return slug(f"{path.parent.name}_{path.stem}")


def plan_fritzing(parts: Path = FRITZING_PARTS, svg: Path = FRITZING_SVG) -> list[Item]:
    """Kind of part as the class, from the family; footprint boards, blank and repeated
    drawings dropped; near drawings chained; ``FAMILY_MOST`` a group; test = whole groups."""
    entries = fritzing_parts(parts, svg)
    drawn = [
        entry
        for entry in entries
        if not is_blank(plan_picture(entry[2]))
        and footprint_share(plan_picture(entry[2])) <= FOOTPRINT_SHARE
    ]
    kept = unique_icons(drawn, pixel_digest(plan_picture))
    grouped = near_groups(kept, plan_picture)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        "fritzing",
        (FRITZING_TRAIN_PER_CLASS, FRITZING_TEST_PER_CLASS),
        "fritzing",
        part_name,
    )


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS["fritzing"] = read_part
FRESH20_SETS = (
    HoldoutSet(
        "fritzing",
        "fritzing-parts",
        FRITZING_PARTS,
        "kind of electronic part a Fritzing breadboard drawing shows, from the part's family "
        "(6: board, connector, display, sensor, shield, switch)",
        "by family (near thumbnails chained by fresh3's near_groups; at most 5 drawings a "
        "group), about 30% of each kind, after removing SparkFun footprint boards, ICs and "
        "other kinds of few groups, blank and identical drawings",
        plan_fritzing,
        needs=(FRITZING_SVG,),
    ),
)
SETS.update({spec.name: spec for spec in FRESH20_SETS})
