"""The fresh hold-out of 2026-12-04 prepared in the fifteenth session and never evaluated:
``lgeneral`` (lgeneral-data), from a package that no other set and no meta-dataset source reads.
Planned with the helpers of ``holdout_sets.py`` and ``holdout_sets_fresh2.py``, whose ``SETS``
this module extends when it is imported (``holdout_sets`` imports it at its end); it adds its
picture reader to fresh2's ``PICTURE_READERS``, which ``prepare.py`` reads.

LGeneral's unit icons lie one under another on one sheet (``gfx/units/kukgen.bmp``): a marker
pixel (``LGENERAL_MARKER``) in the first column opens an icon and another one closes it; black is
the sheet's transparent colour. An icon's class is the move type (``move_type``) of the units of
``units/kukgen.udb`` drawn with it, where all of them agree. Identical icons are removed
(``unique_icons``), and icons of one class whose silhouettes overlap by 90% or more, or whose
grey 16 px thumbnails differ by less than ``LGENERAL_NEAR`` (the same drawing in another
nation's colours or markings), are chained into one group that stays on one side.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from holdout_sets import (
    SETS,
    HoldoutSet,
    Item,
    chained,
    slug,
    split_and_cap,
    unique_icons,
    visible_box,
)
from holdout_sets_fresh2 import (
    FAMILY_MOST,
    PICTURE_READERS,
    Entry,
    cap_per_group,
    crop_box,
    is_blank,
    pixel_digest,
    sheet_image,
    silhouette_groups,
)

if TYPE_CHECKING:
    from PIL import Image

LGENERAL_ROOT = Path("/usr/share/games/lgeneral")  # lgeneral-data
LGENERAL_UNITS = LGENERAL_ROOT / "units" / "kukgen.udb"  # the unit library: class, move type, icon
LGENERAL_ICONS = LGENERAL_ROOT / "gfx" / "units" / "kukgen.bmp"  # its icon sheet, 65 px wide
LGENERAL_MARKER = (0, 192, 248)  # first-column pixel that opens and closes an icon
LGENERAL_KEY = (0, 0, 0)  # the sheet's transparent colour
# Move type -> class. Left out: wheeled (13 icons: lorries, armoured cars and a few guns),
# tracked, halftracked, climb, allterrain, inland (1-3 icons each), and the icons drawn for
# units of two move types.
LGENERAL_CLASSES = {"air": "air", "leg": "leg", "naval": "naval", "towed": "towed"}
LGENERAL_NEAR = 13  # grey thumbnails closer than this on average (of 255): one drawing
LGENERAL_THUMB = 16  # side of those thumbnails: the icon cropped to its visible pixels, on white
LGENERAL_TRAIN_PER_CLASS = 45
LGENERAL_TEST_PER_CLASS = 20


def parse_udb(text: str) -> dict[str, Any]:
    """An LGeneral database (``.udb``, ``.ndb``): ``<name`` opens a section, ``>`` closes it,
    ``key»value`` sets a value in the open section; other lines are skipped."""
    root: dict[str, Any] = {}
    stack = [root]
    for line in text.splitlines():
        if line.startswith("<"):
            section: dict[str, Any] = {}
            stack[-1][line[1:]] = section
            stack.append(section)
        elif line == ">" and len(stack) > 1:
            stack.pop()
        elif "»" in line:
            key, _, value = line.partition("»")
            stack[-1][key] = value
    return root


def icon_units(library: dict[str, Any]) -> dict[int, tuple[str, str]]:
    """Icon id -> (class from ``LGENERAL_CLASSES``, name of its first unit) for every icon whose
    units (``unit_lib``, in file order) all have one move type of the classes used."""
    moves: dict[int, set[str]] = defaultdict(set)
    first: dict[int, str] = {}
    for unit in library.get("unit_lib", {}).values():
        if isinstance(unit, dict) and "icon_id" in unit and "move_type" in unit:
            icon = int(unit["icon_id"])
            moves[icon].add(str(unit["move_type"]))
            first.setdefault(icon, str(unit.get("name", "")))
    return {
        icon: (LGENERAL_CLASSES[next(iter(kinds))], first[icon])
        for icon, kinds in sorted(moves.items())
        if len(kinds) == 1 and next(iter(kinds)) in LGENERAL_CLASSES
    }


def icon_boxes(sheet: Image.Image) -> list[str]:
    """Crop boxes ``"left,top,right,bottom"`` of the icons of a sheet, in order (icon id = its
    index): rows from a marker pixel in the first column to the next one, both included, the
    sheet's whole width; a last marker without its pair is left out."""
    import numpy as np

    pixels = np.asarray(sheet.convert("RGB"))
    rows = np.nonzero(np.all(pixels[:, 0] == LGENERAL_MARKER, axis=1))[0].tolist()
    pairs = zip(rows[::2], rows[1::2], strict=False)
    return [f"0,{top},{sheet.width},{bottom + 1}" for top, bottom in pairs]


def keyed(picture: Image.Image) -> Image.Image:
    """The picture in RGBA, its transparent colour and marker pixels made transparent."""
    import numpy as np
    from PIL import Image

    pixels = np.asarray(picture.convert("RGBA")).copy()
    rgb = pixels[..., :3]
    clear = np.all(rgb == LGENERAL_KEY, axis=2) | np.all(rgb == LGENERAL_MARKER, axis=2)
    pixels[clear, 3] = 0
    return Image.fromarray(pixels, "RGBA")


def icon_picture(sheet: Path, box: str) -> Image.Image:
    return keyed(sheet_image(sheet).crop(crop_box(box)))


def read_icon(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the lgeneral set: the item's icon, cut and keyed."""
    return icon_picture(item.source, str(item.element))


def on_canvas(picture: Image.Image, height: int) -> Image.Image:
    """The picture at the top left of a transparent canvas ``height`` px tall (its width kept),
    so that icons of different heights have silhouettes of one size."""
    from PIL import Image

    canvas = Image.new("RGBA", (picture.width, height), (0, 0, 0, 0))
    canvas.paste(picture, (0, 0))
    return canvas


def thumbnail(picture: Image.Image) -> Any:
    """The picture cropped to its visible pixels, on white, in grey, squeezed into a
    ``LGENERAL_THUMB`` square, as a float array (all white for a blank picture)."""
    import numpy as np
    from PIL import Image

    box = visible_box(picture)
    cropped = picture.crop(box) if box else picture
    white = Image.new("RGBA", cropped.size, "white")
    white.alpha_composite(cropped)
    side = (LGENERAL_THUMB, LGENERAL_THUMB)
    return np.asarray(white.convert("L").resize(side, Image.Resampling.BILINEAR), dtype=float)


def near_groups(entries: Sequence[Entry], picture: Callable[[Path], Image.Image]) -> list[Entry]:
    """The entries (class, group, key) with groups joined: within a class, entries of one group
    or whose thumbnails differ by less than ``LGENERAL_NEAR`` on average are chained (a drawing
    redrawn with another nation's markings, which moves its outline), named after the first."""
    import numpy as np

    thumbs = [thumbnail(picture(key)) for *_, key in entries]

    def linked(i: int, j: int) -> bool:
        if entries[i][0] != entries[j][0]:
            return False
        near = float(np.abs(thumbs[i] - thumbs[j]).mean()) < LGENERAL_NEAR
        return entries[i][1] == entries[j][1] or near

    roots = chained(len(entries), linked)
    return [(label, entries[roots[i]][1], key) for i, (label, _, key) in enumerate(entries)]


def lgeneral_icons(
    units: Path = LGENERAL_UNITS, sheet: Path = LGENERAL_ICONS
) -> tuple[list[Entry], dict[Path, str]]:
    """(class, name, ``Path("<icon id>_<first unit>")``) of every icon of the classes used that
    is on the sheet, by icon id, and each one's crop box."""
    library = parse_udb(units.read_text(encoding="latin-1"))
    boxes = icon_boxes(sheet_image(sheet))
    found, box_of = [], {}
    for icon, (label, unit) in icon_units(library).items():
        if icon < len(boxes):
            key = Path(f"{icon:03d}_{slug(unit)}")
            found.append((label, unit, key))
            box_of[key] = boxes[icon]
    return found, box_of


def plan_lgeneral(units: Path = LGENERAL_UNITS, sheet: Path = LGENERAL_ICONS) -> list[Item]:
    """Move type of an LGeneral unit (air, leg, naval, towed) as the class, from its icon; blank
    and repeated icons dropped; test = whole families per class (silhouettes overlapping by 90%
    or more, or thumbnails within ``LGENERAL_NEAR``, chained; ``FAMILY_MOST`` icons a family at
    most)."""
    icons, box_of = lgeneral_icons(units, sheet)

    def picture(key: Path) -> Image.Image:
        return icon_picture(sheet, box_of[key])

    visible = [entry for entry in icons if not is_blank(picture(entry[2]))]
    height = max((picture(key).height for *_, key in visible), default=1)
    unique = unique_icons(visible, pixel_digest(picture))
    silhouettes = silhouette_groups(unique, lambda key: on_canvas(picture(key), height))
    grouped = near_groups(silhouettes, picture)
    caps = (LGENERAL_TRAIN_PER_CLASS, LGENERAL_TEST_PER_CLASS)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        "lgeneral",
        caps,
        "lgeneral",
        lambda key: key.name,
        source=lambda key: sheet,
        element=box_of.__getitem__,
    )


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS["lgeneral"] = read_icon
FRESH3_SETS = (
    HoldoutSet(
        "lgeneral",
        "lgeneral-data",
        LGENERAL_ICONS.parent,
        "move type of an LGeneral unit, from its icon (4)",
        "by family (icons of one move type whose outlines overlap by 90% or more, or whose grey "
        "16 px thumbnails differ by less than 13/255, chained: one drawing in several nations' "
        "colours; at most 5 icons a family), about 30% of each move type, after removing blank "
        "and identical icons",
        plan_lgeneral,
        (LGENERAL_UNITS,),
    ),
)
SETS.update({spec.name: spec for spec in FRESH3_SETS})
