"""A fresh hold-out set (fresh27), prepared on 2026-12-07 before any model ran on it:
``molecules`` (the Debian package libavogadro-data 1.97.0-3), from a package that no other set
and no meta-dataset source reads. Planned with the helpers of ``holdout_sets.py``,
``holdout_sets_fresh2.py``, ``holdout_sets_fresh3.py``, ``holdout_sets_fresh4.py``,
``holdout_sets_fresh23.py`` and ``holdout_sets_fresh24.py``, whose ``SETS`` this module extends
when it is imported (``holdout_sets`` imports it at its end); it adds its picture reader to
fresh2's ``PICTURE_READERS``, which ``prepare.py`` reads (its ``FITTED_SIDES`` needs
``"molecules": 96``).

libavogadro-data 1.97.0-3 (the data of Avogadro 2, a molecule editor; BSD-3-Clause, the
molecules' own ``LICENSE`` Geoffrey Hutchison's, most of them from the Blue Obelisk Chemical
Structures set, with geometries from the Pitt Quantum Repository) ships
``usr/share/avogadro2/molecules/<family>/<name>.cml``: 383 molecules as Chemical Markup Language,
each atom's element and 3D position (Angstrom) and each bond's atoms and order, filed under 28
chemical families. The package is read where it is installed (``/usr/share/avogadro2``) or else
unpacked, never installed, into ``$ZAPML_CACHE/debian/libavogadro-data_1.97.0-3`` (default
``~/.cache/zapml/debian``)::

    apt-get download libavogadro-data=1.97.0-3
    dpkg -x libavogadro-data_1.97.0-3_all.deb ~/.cache/zapml/debian/libavogadro-data_1.97.0-3

A picture is a molecule drawn as a ball-and-stick model by this module (numpy and Pillow, no
other program): the atoms turned into their principal axes (``principal_frame``: the widest
spread across, the thinnest toward the viewer, so a ring is seen face-on; signs fixed by the
third moment, a turn, never a mirror, so an enantiomer stays one), then turned by one of
``MOLECULE_VIEWS`` (yaw, pitch), projected straight on, atoms as shaded discs in the Jmol
element colours (``ELEMENT_COLOURS``: carbon grey, hydrogen white, nitrogen blue, oxygen red,
sulfur yellow, ...) and ball-and-stick radii (``ATOM_RADII``), bonds as sticks coloured half
by each atom (a double or triple bond as two or three thinner sticks), far parts drawn first,
on a clear ``MOLECULE_RENDER`` px square, then fitted into 96 px on white. Its class is the
family folder (``MOLECULE_CLASSES``): alkanes, alkenes, amines, amino_acids, aromatics,
carbohydrates (open-chain sugars), carboxylic_acids, cyclic_alkanes, cyclic_sugars (pyranoses),
fullerenes. Left out: families of fewer than 15 molecules (fatty_acids 13, cyclic_alkenes 13,
thiols 12, alcohols and ethers 10, the rest 1-7), heteroaromatics (18: furan, pyridine,
thiophene and their kin, while aromatics holds indole, quinoline, acridine and benzofuran too,
so the two folders do not part one kind from another), the package's crystals (unit cells, not
molecules) and one file that is not well-formed XML (``cyclic_alkanes/adamantane.cml``, whose
first tag reads ``<molecule">``: the reader takes tags by pattern, so it is read).

A molecule's family is its file name less stereo and conformer marks (``molecule_family``:
``D-``/``L-``, ``alpha-``/``beta-``, ``cis-``/``trans-``, ``allo-``, ``E``/``Z``/``R``/``S``
locants, ``-boat``/``-chair``/``-twist``): an amino acid's two enantiomers, a pyranose's
anomers and D/L forms, an alkene's E and Z isomers are one family, and its views are of it.
fresh3's ``near_groups`` (grey 16 px thumbnails closer than 13/255) chains families within a
class, at most ``FAMILY_MOST`` pictures a group are kept, evenly spaced, and a group stays on
one side. fresh4's ``drawing_groups`` is not used (round atoms overlap across most drawings).
Dropped: blank and identical pictures, and pictures whose grey thumbnail is within 6/255 of one
of another class (fresh23's ``one_class_only``).

Of 267 molecules' 801 views, none is blank, 3 repeat another (``E-butanoic_acid``'s file draws
``butanoic_acid``) and none is a drawing of two classes: 605 pictures once capped at 5 a group,
then at ``MOLECULE_TRAIN_PER_CLASS`` / ``MOLECULE_TEST_PER_CLASS`` a class (amino_acids and
cyclic_sugars reach them). Final counts (train / test): 428 / 162 pictures in 119 / 48 groups,
constant-answer floor 24/162 = 0.148 (amino_acids); per class, and the doubts (colour and size
tell much of the class; homologues and isomers one carbon apart on both sides; Avogadro's
folders file some molecules loosely), in the README and ``test_holdout_sets_fresh27.py``.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from holdout_sets import SETS, HoldoutSet, Item, slug
from holdout_sets_fresh2 import (
    PICTURE_READERS,
    Entry,
)
from holdout_sets_fresh4 import centred
from holdout_sets_fresh23 import near_group_plan

from zapml.data.cache import cache_root

if TYPE_CHECKING:
    from PIL import Image

AVOGADRO_PACKAGE = "libavogadro-data"
AVOGADRO_VERSION = "1.97.0-3"
MOLECULE_FOLDER = Path("usr/share/avogadro2/molecules")  # inside the package
INSTALLED_MOLECULES = Path("/") / MOLECULE_FOLDER
# family folder -> class; see the module docstring for the folders left out
MOLECULE_CLASSES = {
    "alkanes": "alkanes",
    "alkenes": "alkenes",
    "amines": "amines",
    "amino_acids": "amino_acids",
    "aromatics": "aromatics",
    "carbohydrates": "carbohydrates",
    "carboxylic_acids": "carboxylic_acids",
    "cyclic_alkanes": "cyclic_alkanes",
    "cyclic_sugars": "cyclic_sugars",
    "fullerenes": "fullerenes",
}
# stereo and conformer marks a family name drops, at its start or end
STEREO_PREFIX = re.compile(r"^(?:alpha|beta|cis|trans|allo|[dl]|(?:\d*[ezrs])+)[-_]")
CONFORMER_SUFFIX = re.compile(r"-(?:twist-boat|boat|chair|twist)$")
CML_TAG = re.compile(r"<(atom|bond)\b([^>]*)>")
CML_FIELD = re.compile(r'([\w:]+)="([^"]*)"')
# Jmol's element colours; ball-and-stick radii (Angstrom, about a quarter of van der Waals')
ELEMENT_COLOURS = {
    "H": (255, 255, 255),
    "C": (144, 144, 144),
    "N": (48, 80, 248),
    "O": (255, 13, 13),
    "F": (144, 224, 80),
    "P": (255, 128, 0),
    "S": (255, 255, 48),
    "Cl": (31, 240, 31),
    "Br": (166, 41, 41),
    "I": (148, 0, 148),
}
OTHER_COLOUR = (255, 20, 147)
ATOM_RADII = {"H": 0.30, "C": 0.42, "N": 0.40, "O": 0.39, "F": 0.36, "S": 0.46, "Cl": 0.44}
OTHER_RADIUS = 0.46
STICK = 0.12  # Angstrom: a single bond's stick; a double or triple bond's sticks are thinner
THIN_STICK = 0.07
STICK_GAP = 0.2  # Angstrom between the sticks of a double or triple bond
SHADES = 6  # discs drawn per atom, from its dark rim to its highlight
MOLECULE_VIEWS = ((0.0, 0.0), (50.0, 25.0), (-35.0, 60.0))  # (yaw, pitch) in degrees
MOLECULE_MARGIN = 0.04  # of the square, left clear on every side
MOLECULE_RENDER = 192  # px: a molecule is drawn into this square, then fitted into 96 px
MOLECULE_PLAN_SIDE = 64  # px: the square the plan compares molecules in
MOLECULE_TRAIN_PER_CLASS = 60
MOLECULE_TEST_PER_CLASS = 24

Atom = tuple[str, float, float, float]  # element, x, y, z
Bond = tuple[int, int, int]  # first atom, second atom, order


def debian_cache() -> Path:
    """Where Debian packages that sets read are unpacked: ``$ZAPML_CACHE/debian`` (default
    ``~/.cache/zapml/debian``), beside fresh24's ``pypi`` folder."""
    return cache_root() / "debian"


UNPACKED_MOLECULES = debian_cache() / f"{AVOGADRO_PACKAGE}_{AVOGADRO_VERSION}" / MOLECULE_FOLDER
UNPACK_HINT = (
    f"apt-get download {AVOGADRO_PACKAGE}={AVOGADRO_VERSION} && dpkg -x "
    f"{AVOGADRO_PACKAGE}_{AVOGADRO_VERSION}_all.deb "
    f"{debian_cache() / f'{AVOGADRO_PACKAGE}_{AVOGADRO_VERSION}'}"
)


def molecule_root(
    installed: Path = INSTALLED_MOLECULES, unpacked: Path = UNPACKED_MOLECULES
) -> Path:
    """The molecules folder: the installed package's, else the unpacked one (also when neither
    is there, so that a missing set names the folder to unpack into)."""
    return installed if installed.is_dir() else unpacked


MOLECULE_ROOT = molecule_root()


def molecule_family(stem: str) -> str:
    """A molecule's family: its file name lower-cased, less stereo and conformer marks
    (``alpha-D-glucopyranose`` -> ``glucopyranose``, ``3Z-penta-1_3-diene`` ->
    ``penta-1_3-diene``, ``cyclohexane-twist-boat`` -> ``cyclohexane``)."""
    name = stem.lower()
    while (shorter := STEREO_PREFIX.sub("", name, count=1)) != name and shorter:
        name = shorter
    return CONFORMER_SUFFIX.sub("", name)


def read_cml(path: Path) -> tuple[list[Atom], list[Bond]]:
    """The atoms with a 3D position and the bonds between them of a CML file, read tag by tag
    (so a file whose XML is not well-formed elsewhere is still read); a bond order that is not
    a number (aromatic ``A``) counts as 1."""
    atoms: list[Atom] = []
    index: dict[str, int] = {}
    pairs: list[tuple[str, str, str]] = []
    for tag, body in CML_TAG.findall(path.read_text(encoding="utf-8", errors="replace")):
        fields = dict(CML_FIELD.findall(body))
        if tag == "atom" and {"id", "elementType", "x3", "y3", "z3"} <= fields.keys():
            index[fields["id"]] = len(atoms)
            position = (float(fields["x3"]), float(fields["y3"]), float(fields["z3"]))
            atoms.append((fields["elementType"], *position))
        elif tag == "bond" and len(ends := fields.get("atomRefs2", "").split()) == 2:
            pairs.append((ends[0], ends[1], fields.get("order", "1").strip()))
    bonds = [
        (index[a], index[b], int(order) if order.isdigit() else 1)
        for a, b, order in pairs
        if a in index and b in index and a != b
    ]
    return atoms, bonds


def fixed_sign(values: Any) -> float:
    """+1 or -1: the sign that makes an axis's third moment positive, or, for a symmetric
    spread, its first clearly non-zero coordinate (in file order)."""
    import numpy as np

    moment = float(np.sum(values**3))
    if abs(moment) > 1e-6:
        return 1.0 if moment > 0 else -1.0
    first = next((float(v) for v in values if abs(v) > 1e-3), 1.0)
    return 1.0 if first > 0 else -1.0


def principal_frame(xyz: Any) -> Any:
    """The positions centred and turned into their principal axes: x the widest spread, y the
    next, z (toward the viewer) the thinnest; x and y signed by ``fixed_sign``, z their cross
    product, so the frame is a turn and never a mirror."""
    import numpy as np

    centred_xyz = xyz - xyz.mean(axis=0)
    _, _, axes = np.linalg.svd(centred_xyz, full_matrices=True)
    first, second = axes[0], axes[1]
    first = first * fixed_sign(centred_xyz @ first)
    second = second * fixed_sign(centred_xyz @ second)
    return centred_xyz @ np.stack([first, second, np.cross(first, second)]).T


def turned(points: Any, yaw: float, pitch: float) -> Any:
    """The points turned by ``yaw`` degrees about the vertical axis, then ``pitch`` about the
    horizontal one."""
    import numpy as np

    a, b = math.radians(yaw), math.radians(pitch)
    about_y = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    about_x = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
    return points @ about_y.T @ about_x.T


def shaded(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int, int]:
    red, green, blue = (min(255, max(0, round(c * factor))) for c in colour)
    return red, green, blue, 255


def bond_shapes(
    points: Any, screen: Any, scale: float, atoms: list[Atom], bonds: list[Bond]
) -> list[tuple[float, int, Any]]:
    """(depth, kind, drawing) of every bond: a stick a half from each atom to the bond's middle
    in that atom's colour, an order's sticks side by side across the bond on the screen."""
    import numpy as np

    shapes = []
    for first, second, order in bonds:
        middle = (screen[first] + screen[second]) / 2
        across = screen[second] - screen[first]
        across = np.array([-across[1], across[0]]) / max(float(np.hypot(*across)), 1e-9)
        width = max(1, round((STICK if order == 1 else THIN_STICK) * scale))
        for stick in range(order):
            shift = across * (stick - (order - 1) / 2) * STICK_GAP * scale
            for atom in (first, second):
                depth = (3 * points[atom, 2] + points[first if atom == second else second, 2]) / 4
                colour = shaded(ELEMENT_COLOURS.get(atoms[atom][0], OTHER_COLOUR), 0.8)
                ends = [tuple(screen[atom] + shift), tuple(middle + shift)]
                shapes.append((float(depth), 0, (ends, colour, width)))
    return shapes


def draw_shapes(side: int, shapes: list[tuple[float, int, Any]]) -> Image.Image:
    """The bonds and atoms on a clear ``side`` square, far ones first: an atom a dark disc under
    ``SHADES`` lighter, smaller ones moved toward the top left (a highlight)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    for _, kind, shape in sorted(shapes, key=lambda s: (s[0], s[1])):
        if kind == 0:
            ends, colour, width = shape
            pen.line(ends, fill=colour, width=width)
            continue
        (x, y), radius, colour = shape
        for step in range(SHADES):
            share = 1 - step / (SHADES + 0.5)
            cx, cy = x - radius * 0.3 * step / SHADES, y - radius * 0.3 * step / SHADES
            box = (
                cx - radius * share,
                cy - radius * share,
                cx + radius * share,
                cy + radius * share,
            )
            pen.ellipse(box, fill=shaded(colour, 0.45 + 0.13 * step))
    return image


def draw_molecule(path: Path, view: int, side: int) -> Image.Image:
    """The molecule of a CML file as a ball-and-stick model seen from ``MOLECULE_VIEWS[view]``,
    fitted into a clear ``side`` square (``MOLECULE_MARGIN`` round it); blank without atoms."""
    import numpy as np
    from PIL import Image

    atoms, bonds = read_cml(path)
    if not atoms:
        return Image.new("RGBA", (side, side), (0, 0, 0, 0))
    xyz = np.array([atom[1:] for atom in atoms], dtype=float)
    points = turned(principal_frame(xyz), *MOLECULE_VIEWS[view])
    radii = np.array([ATOM_RADII.get(atom[0], OTHER_RADIUS) for atom in atoms])
    low = (points[:, :2] - radii[:, None]).min(axis=0)
    high = (points[:, :2] + radii[:, None]).max(axis=0)
    scale = side * (1 - 2 * MOLECULE_MARGIN) / float(max(high - low))
    screen = points[:, :2] * scale + (side - (high - low) * scale) / 2 - low * scale
    screen[:, 1] = side - screen[:, 1]  # y up in the model, down on the screen
    shapes = bond_shapes(points, screen, scale, atoms, bonds)
    for atom, (element, *_) in enumerate(atoms):
        drawing = (
            tuple(screen[atom]),
            radii[atom] * scale,
            ELEMENT_COLOURS.get(element, OTHER_COLOUR),
        )
        shapes.append((float(points[atom, 2]), 1, drawing))
    return draw_shapes(side, shapes)


def view_key(path: Path, view: int) -> Path:
    """A picture's key: ``<class folder>/<molecule>/<view>`` (``cml_of`` and ``view_of`` read
    it back)."""
    return path.with_suffix("") / str(view)


def cml_of(key: Path) -> Path:
    return key.parent.with_suffix(".cml")


def view_of(key: Path) -> int:
    return int(key.name)


@lru_cache(maxsize=4096)
def plan_molecule(path: Path, view: int) -> Image.Image:
    """The molecule as the plan compares it: drawn into and centred on ``MOLECULE_PLAN_SIDE``
    px (cached: the plan reads each picture several times, and tests plan twice)."""
    return centred(draw_molecule(path, view, MOLECULE_PLAN_SIDE), MOLECULE_PLAN_SIDE)


def read_molecule(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the molecules set: the molecule, ``MOLECULE_RENDER`` px."""
    return draw_molecule(item.source, int(str(item.element)), MOLECULE_RENDER)


def molecule_views(root: Path = MOLECULE_ROOT) -> list[Entry]:
    """(class, family, ``view_key``) of every view of every molecule of the classes used, by
    class, family and file name; a missing folder is an error that names the command that
    brings it."""
    if not root.is_dir():
        raise FileNotFoundError(
            f"'{root}' not found: {AVOGADRO_PACKAGE} {AVOGADRO_VERSION} is neither installed "
            f"nor unpacked: sudo apt-get install {AVOGADRO_PACKAGE}, or {UNPACK_HINT}"
        )
    entries = []
    for folder, label in MOLECULE_CLASSES.items():
        for path in sorted((root / folder).glob("*.cml")):
            family = molecule_family(path.stem)
            entries += [(label, family, view_key(path, v)) for v in range(len(MOLECULE_VIEWS))]
    return sorted(entries, key=lambda e: (e[0], e[1], str(e[2])))


def molecule_name(key: Path) -> str:
    return f"{slug(key.parent.name)}_v{view_of(key)}"


def plan_molecules(root: Path = MOLECULE_ROOT) -> list[Item]:
    """Avogadro's chemical family as the class; blank and repeated pictures and drawings of two
    classes dropped; a molecule's stereo forms and views one family, near drawings chained;
    ``FAMILY_MOST`` pictures a group; test = whole groups."""

    def picture(key: Path) -> Image.Image:
        return plan_molecule(cml_of(key), view_of(key))

    return near_group_plan(
        molecule_views(root),
        picture,
        "molecules",
        (MOLECULE_TRAIN_PER_CLASS, MOLECULE_TEST_PER_CLASS),
        molecule_name,
        source=cml_of,
        element=lambda key: key.name,
    )


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS["molecules"] = read_molecule
FRESH27_SETS = (
    HoldoutSet(
        "molecules",
        AVOGADRO_PACKAGE,
        MOLECULE_ROOT,
        "chemical family of an Avogadro molecule, from a ball-and-stick drawing (10: alkanes, "
        "alkenes, amines, amino_acids, aromatics, carbohydrates, carboxylic_acids, "
        "cyclic_alkanes, cyclic_sugars, fullerenes)",
        "by family (a molecule's stereo forms and conformers, three views each; near thumbnails "
        "chained by fresh3's near_groups; at most 5 pictures a group), about 30% of each class, "
        "after removing blank and identical pictures and drawings of two classes",
        plan_molecules,
    ),
)
SETS.update({spec.name: spec for spec in FRESH27_SETS})
