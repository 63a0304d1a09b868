"""The fourth fresh hold-out, prepared on 2026-12-04 in the sixteenth session and never evaluated:
``xfig`` (xfig-libs), from a package that no other set and no meta-dataset source reads. Planned
with the helpers of ``holdout_sets.py`` and ``holdout_sets_fresh2.py``, whose ``SETS`` this module
extends when it is imported (``holdout_sets`` imports it at its end); it adds its picture reader
to fresh2's ``PICTURE_READERS``, which ``prepare.py`` reads.

xfig-libs is the clip-art library of the xfig drawing program: one ``.fig`` drawing per file under
``/usr/share/xfig/Libraries/<library>/**``. A drawing's class is its top-level library folder
(``Maps/Africa/chad.fig`` is ``maps``). Drawings are drawn by fig2dev (SVG) and rsvg-convert (PNG),
the tools of the fig2dev and librsvg2-bin packages. Identical pictures are removed
(``unique_icons``), and drawings of one library whose outlines overlap by 90% or more, at 64 px or
coarsened to 16 px, whose grey 16 px thumbnails differ by less than a quarter of their ink, or
whose file names share a first word (the sizes and variants of one drawing) are chained into one
group that stays on one side.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from holdout_sets import (
    SETS,
    HoldoutSet,
    Item,
    chained,
    name_family,
    slug,
    split_and_cap,
    unique_icons,
)
from holdout_sets_fresh2 import (
    FAMILY_MOST,
    PICTURE_READERS,
    SILHOUETTE_NEAR,
    Entry,
    cap_per_group,
    is_blank,
    pixel_digest,
    silhouette,
)
from holdout_sets_fresh3 import thumbnail

from zapml.data.builtin_cards import RSVG_HINT  # rsvg-convert's package, named once

if TYPE_CHECKING:
    from PIL import Image

XFIG_ROOT = Path("/usr/share/xfig/Libraries")  # xfig-libs
# Library folder -> class: the libraries of 40 or more drawings that keep 35 or more pictures once
# repeats are removed and each family is cut to ``FAMILY_MOST``. Left out (README): Electronic
# (1,117, whose gates are Logic's too), Logic (40), Flags (the flags set's domain), Examples
# (sample figures of every kind), Knitting (36 of its 108 are one square in 36 colours), Welding
# (104 drawings of one welded plate, the weld symbol changed), and, with 20-30 pictures left,
# GUI, Mechanical_DIN and Networks.
XFIG_CLASSES = {
    "Computers": "computers",
    "Maps": "maps",
    "Music": "music",
    "ProcessFlowsheet": "process_flowsheet",
    "Structural_Analysis": "structural_analysis",
}
XFIG_RENDER = 128  # px: a drawing is drawn into this square, then fitted into prepare's 96 px
XFIG_PLAN_SIDE = 64  # px: the square the plan compares drawings in (repeats, outlines)
XFIG_COARSE = 4  # 64 px outlines are also compared as 16 px ones (4x4 cells with any ink)
# Grey 16 px thumbnails (``thumbnail``) closer than this share of their ink (mean darkness) are one
# drawing redrawn (a dialog and a form that differ by two buttons: 0.06); unlike drawings are
# 0.3 or more (a Warren and a Pratt truss 0.30, two maps 1.4). A fixed 13/255, as for lgeneral,
# would chain any two thin-lined maps, whose whole ink is a few levels of 255.
XFIG_INK_NEAR = 0.25
XFIG_TRAIN_PER_CLASS = 45
XFIG_TEST_PER_CLASS = 20
TOOLS_HINT = "sudo apt-get install fig2dev librsvg2-bin"


def render_fig(path: Path, side: int) -> Image.Image:
    """The drawing as RGBA, fitted into a ``side`` square (its aspect ratio kept): fig2dev writes
    SVG, rsvg-convert draws it; a drawing they cannot convert comes back empty (1x1, clear)."""
    from PIL import Image

    if shutil.which("fig2dev") is None or shutil.which("rsvg-convert") is None:
        raise RuntimeError(f"fig2dev or rsvg-convert was not found: {TOOLS_HINT}")
    svg = subprocess.run(["fig2dev", "-L", "svg", str(path)], capture_output=True, check=False)
    if svg.returncode != 0:
        return Image.new("RGBA", (1, 1), (0, 0, 0, 0))
    return render_svg(svg.stdout, side)


def render_svg(data: bytes, side: int) -> Image.Image:
    """An SVG (or gzipped SVG) as RGBA, drawn by rsvg-convert into a ``side`` square (its
    aspect ratio kept); one it cannot draw comes back empty (1x1, clear)."""
    from PIL import Image

    if shutil.which("rsvg-convert") is None:
        raise RuntimeError(f"rsvg-convert was not found: {RSVG_HINT}")
    command = ["rsvg-convert", "-w", str(side), "-h", str(side), "--keep-aspect-ratio"]
    done = subprocess.run(command, input=data, capture_output=True, check=False)
    if done.returncode != 0 or not done.stdout:
        return Image.new("RGBA", (1, 1), (0, 0, 0, 0))
    return Image.open(io.BytesIO(done.stdout)).convert("RGBA")


def read_drawing(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the xfig set: the drawing drawn ``XFIG_RENDER`` px large."""
    return render_fig(item.source, XFIG_RENDER)


def centred(picture: Image.Image, side: int) -> Image.Image:
    """The picture centred on a clear ``side`` square (it fits: ``render_fig`` fitted it), so
    that drawings of every aspect ratio have silhouettes of one size."""
    from PIL import Image

    canvas = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    canvas.paste(picture, ((side - picture.width) // 2, (side - picture.height) // 2))
    return canvas


@lru_cache(maxsize=4096)
def plan_picture(path: Path) -> Image.Image:
    """The drawing as the plan compares it: drawn into and centred on ``XFIG_PLAN_SIDE`` px
    (cached: the plan reads each drawing several times, and tests plan twice)."""
    return centred(render_fig(path, XFIG_PLAN_SIDE), XFIG_PLAN_SIDE)


def coarse(mask: Any, cell: int = XFIG_COARSE) -> Any:
    """A flat square boolean mask with each ``cell`` x ``cell`` block merged into one pixel, set
    where the block has ink: thin lines a pixel apart in two renders fall into one cell."""
    side = int(round(mask.size**0.5))
    blocks = mask.reshape(side // cell, cell, side // cell, cell)
    return blocks.any(axis=(1, 3)).reshape(-1)


def overlaps(masks: Any) -> Any:
    """Pairs of flat boolean masks whose set pixels overlap by ``SILHOUETTE_NEAR`` or more of
    their union, as a boolean matrix."""
    import numpy as np

    ink = masks.astype(np.int64)
    overlap = ink @ ink.T
    sizes = ink.sum(axis=1)
    union = sizes[:, None] + sizes[None, :] - overlap
    return overlap >= SILHOUETTE_NEAR * np.maximum(union, 1)


def ink_near(first: Any, second: Any) -> bool:
    """Two grey thumbnails (0-255) that differ on average by less than ``XFIG_INK_NEAR`` of
    their mean ink (255 less the grey level); two blank thumbnails are near."""
    import numpy as np

    ink = (float((255 - first).mean()) + float((255 - second).mean())) / 2
    return float(np.abs(first - second).mean()) <= XFIG_INK_NEAR * ink


def drawing_groups(entries: list[Entry], picture: Any) -> list[Entry]:
    """The entries (class, name, path) with their group in place of the name: within a class,
    drawings whose silhouettes overlap by 90% or more at full size or coarsened, whose
    thumbnails are ``ink_near``, or that share a name family, are chained, named after the first."""
    import numpy as np

    if not entries:
        return []
    masks = np.stack([silhouette(picture(path)) for *_, path in entries])
    full, rough = overlaps(masks), overlaps(np.stack([coarse(mask) for mask in masks]))
    thumbs = [thumbnail(picture(path)) for *_, path in entries]

    def linked(i: int, j: int) -> bool:
        if entries[i][0] != entries[j][0]:
            return False
        if entries[i][1] == entries[j][1] or full[i, j] or rough[i, j]:
            return True
        return ink_near(thumbs[i], thumbs[j])

    roots = chained(len(entries), linked)
    return [(label, entries[roots[i]][1], path) for i, (label, _, path) in enumerate(entries)]


def xfig_drawings(root: Path = XFIG_ROOT) -> list[Entry]:
    """(class, name family, path) of every drawing of the libraries used, sorted by path: the
    family is the file name's first word (``name_family``), since a library names the sizes and
    variants of one drawing alike (``edit_m``, ``edit_s``; ``AOpenKF45D``, ``AOpenKF45E``)."""
    return [
        (label, name_family(path.stem), path)
        for folder, label in sorted(XFIG_CLASSES.items())
        for path in sorted((root / folder).rglob("*.fig"))
    ]


def xfig_name(path: Path) -> str:
    """Output stem: the drawing's folder and file name (``Maps/Africa/chad.fig`` ->
    ``africa_chad``), since a file name alone repeats across a library's folders."""
    return slug(f"{path.parent.name}_{path.stem}")


def plan_xfig(root: Path = XFIG_ROOT) -> list[Item]:
    """Library of an xfig clip-art drawing as the class; blank and repeated pictures dropped;
    test = whole groups per class (outlines overlapping by 90% or more at 64 px or 16 px, near
    thumbnails or one name family, chained; ``FAMILY_MOST`` drawings a group at most)."""

    drawn = [entry for entry in xfig_drawings(root) if not is_blank(plan_picture(entry[2]))]
    grouped = drawing_groups(unique_icons(drawn, pixel_digest(plan_picture)), plan_picture)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        "xfig",
        (XFIG_TRAIN_PER_CLASS, XFIG_TEST_PER_CLASS),
        "xfig",
        xfig_name,
    )


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS["xfig"] = read_drawing
FRESH4_SETS = (
    HoldoutSet(
        "xfig",
        "xfig-libs fig2dev librsvg2-bin",
        XFIG_ROOT,
        "library of an xfig clip-art drawing (5)",
        "by family (drawings of one library whose outlines overlap by 90% or more at 64 px or "
        "coarsened to 16 px, whose grey 16 px thumbnails differ by less than a quarter of their "
        "ink, or whose file names share a first word, chained; at most 5 drawings a family), "
        "about 30% of "
        "each library, after removing blank and identical pictures",
        plan_xfig,
    ),
)
SETS.update({spec.name: spec for spec in FRESH4_SETS})
