"""The fresh27 set (molecules, ``holdout_sets_fresh27``): a molecule's family, the CML reader, the
principal frame and the ball-and-stick drawing, a leak-free, deterministic plan on a small
molecule library made here, the missing-package error and skip, and the plan on
libavogadro-data. Checks that read the package skip, naming it and the command that brings it,
where it is neither installed nor unpacked."""

from __future__ import annotations

import dataclasses
import math
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh27 as fresh27  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS  # noqa: E402
from plan_checks import assert_leak_free_plan, skip_unless_installed  # noqa: E402

# ------------------------------------------------------------ a molecule library made here

Atoms = list[tuple[str, float, float, float]]


def cml(atoms: Atoms, bonds: Sequence[tuple[int, int, str]] = (), head: str = "<molecule>") -> str:
    """A CML file as Avogadro's: atoms ``a1``... with 3D positions, then bonds by atom number."""
    rows = [
        f'  <atom id="a{n}" elementType="{e}" x3="{x:.4f}" y3="{y:.4f}" z3="{z:.4f}"/>'
        for n, (e, x, y, z) in enumerate(atoms, start=1)
    ]
    links = [f'  <bond atomRefs2="a{i} a{j}" order="{o}"/>' for i, j, o in bonds]
    body = ["<atomArray>", *rows, "</atomArray>", "<bondArray>", *links, "</bondArray>"]
    return "\n".join(['<?xml version="1.0"?>', head, *body, "</molecule>", ""])


def chain(count: int, element: str = "C") -> Atoms:
    """A zigzag chain in the x-y plane, 1.3 A a step."""
    return [(element, 1.3 * i, 0.45 * (-1) ** i, 0.0) for i in range(count)]


def ring(elements: str, pucker: tuple[float, ...] = (0.0,)) -> Atoms:
    """A ring of one-letter ``elements`` of radius 1.4 A, each atom lifted by the next
    ``pucker`` height in turn, and a hydrogen outside each."""
    atoms = []
    for k, element in enumerate(elements):
        angle = 2 * math.pi * k / len(elements)
        z = pucker[k % len(pucker)]
        atoms.append((element, 1.4 * math.cos(angle), 1.4 * math.sin(angle), z))
        atoms.append(("H", 2.4 * math.cos(angle), 2.4 * math.sin(angle), z))
    return atoms


def alanine(mirror: float) -> Atoms:
    """Alanine's heavy atoms round a central carbon; ``mirror`` -1 gives the other enantiomer."""
    return [
        ("C", 0.0, 0.0, 0.0),
        ("N", -1.2, 0.8, 0.3 * mirror),
        ("C", 0.0, -1.5, 0.4 * mirror),
        ("C", 1.3, 0.7, -0.2 * mirror),
        ("O", 2.4, 0.1, -0.5 * mirror),
        ("O", 1.3, 2.0, 0.1 * mirror),
        ("H", -0.1, 0.2, 1.1 * mirror),
    ]


STAR = [("C", 0.0, 0.0, 0.0), ("C", 1.5, 0.0, 0.2), ("C", -0.7, 1.3, 0.2), ("C", -0.8, -1.3, 0.2)]
CUBE = [("C", 1.4 * x, 1.4 * y, 1.4 * z) for x in (0, 1) for y in (0, 1) for z in (0, 1)]
BENZENE = cml(ring("CCCCCC"), [(1, 3, "2"), (3, 5, "1"), (1, 2, "1")])
LIBRARY = {
    "alkanes/butane.cml": cml(chain(4), [(1, 2, "1"), (2, 3, "1"), (3, 4, "1")]),
    "alkanes/cyclohexane-chair.cml": cml(ring("CCCCCC", (0.25, -0.25))),
    "alkanes/cyclohexane-boat.cml": cml(ring("CCCCCC", (0.3, -0.1, -0.1))),  # benzene-like
    "alkanes/2-methylpropane.cml": cml(STAR),  # fullerenes' C28 too: every copy dropped
    "amino_acids/D-alanine.cml": cml(alanine(1.0), [(1, 2, "1"), (4, 5, "2")]),
    "amino_acids/L-alanine.cml": cml(alanine(-1.0), [(1, 2, "1"), (4, 5, "2")]),  # alanine
    "amino_acids/glycine.cml": cml(chain(3, "N") + [("O", 3.9, 0.0, 0.0)]),
    "amino_acids/empty.cml": cml([]),  # nothing drawn: dropped
    "aromatics/benzene.cml": BENZENE,
    "aromatics/toluene.cml": BENZENE,  # benzene's pictures again: dropped
    "aromatics/thiazole.cml": cml(chain(5, "S") + [("N", 2.6, 2.2, 0.0)]),
    "fullerenes/C8.cml": cml(CUBE),
    "fullerenes/C28.cml": cml(STAR),
    "fullerenes/C60.cml": cml(ring("CCCCCCCCCCCC", (0.8, -0.8)) + [("O", 0.0, 0.0, 3.0)]),
    "thiols/methanethiol.cml": cml(chain(2) + [("S", 2.6, 0.0, 0.0)]),  # a family not used
}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "usr" / "share" / "avogadro2" / "molecules"
    for name, text in LIBRARY.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


# -------------------------------------------------------------------- families and reading


@pytest.mark.parametrize(
    ("stem", "family"),
    [
        ("alpha-D-glucopyranose", "glucopyranose"),
        ("beta-L-arabinopyranose", "arabinopyranose"),
        ("D-alanine", "alanine"),
        ("L-allo-isoleucine", "isoleucine"),
        ("d-glucose", "glucose"),
        ("E-hex-2-ene", "hex-2-ene"),
        ("3Z-penta-1_3-diene", "penta-1_3-diene"),
        ("3Z_3-ethylhepta-1_3-diene", "3-ethylhepta-1_3-diene"),
        ("1R-camphor", "camphor"),
        ("S-sec-butylamine", "sec-butylamine"),
        ("cis-decahydronaphthalene", "decahydronaphthalene"),
        ("cyclohexane-twist-boat", "cyclohexane"),
        ("cyclohexane-chair", "cyclohexane"),
        ("2-methylpropane", "2-methylpropane"),
        ("1H-indole", "1h-indole"),
        ("ethane", "ethane"),
        ("C60-buckminsterfullerene", "c60-buckminsterfullerene"),
    ],
)
def test_molecule_family_drops_stereo_and_conformer_marks(stem, family):
    assert fresh27.molecule_family(stem) == family


def test_read_cml_reads_atoms_and_bonds_tag_by_tag(tmp_path):
    atoms = [("C", 0.0, 0.0, 0.0), ("O", 1.2, 0.0, 0.0), ("H", -1.0, 0.5, 0.25)]
    bonds = [(1, 2, "2"), (1, 3, " 1"), (1, 9, "1"), (2, 3, "A")]
    # the package's adamantane opens with a tag that is not well-formed XML
    path = tmp_path / "a.cml"
    path.write_text(cml(atoms, bonds, head='<molecule">'), encoding="utf-8")
    read, links = fresh27.read_cml(path)
    assert read == atoms
    assert links == [(0, 1, 2), (0, 2, 1), (1, 2, 1)]  # a9 does not exist; "A" counts as 1


def test_principal_frame_turns_a_molecule_the_same_whatever_its_pose():
    rng = np.random.default_rng(0)
    xyz = rng.normal(size=(9, 3)) * [3.0, 1.5, 0.4]
    angle = 0.7
    turn = np.array(
        [[math.cos(angle), -math.sin(angle), 0], [math.sin(angle), math.cos(angle), 0], [0, 0, 1]]
    )
    frame = fresh27.principal_frame(xyz)
    assert np.allclose(frame, fresh27.principal_frame(xyz @ turn.T + [5.0, -2.0, 1.0]))
    # widest spread across, thinnest toward the viewer; distances kept
    spread = frame.std(axis=0)
    assert spread[0] > spread[1] > spread[2]
    pairs = np.linalg.norm(xyz[:, None] - xyz[None], axis=2)
    assert np.allclose(pairs, np.linalg.norm(frame[:, None] - frame[None], axis=2))
    # a turn, not a mirror: the mirrored molecule (another enantiomer) is not the same
    mirrored = fresh27.principal_frame(xyz * [1.0, 1.0, -1.0])
    assert not np.allclose(frame, mirrored)
    volume = np.linalg.det(xyz[1:4] - xyz[0])
    assert np.sign(np.linalg.det(frame[1:4] - frame[0])) == np.sign(volume)


def test_turned_turns_about_the_vertical_then_the_horizontal_axis():
    point = np.array([[1.0, 0.0, 0.0]])
    assert np.allclose(fresh27.turned(point, 90.0, 0.0), [[0.0, 0.0, -1.0]])
    assert np.allclose(fresh27.turned(np.array([[0.0, 1.0, 0.0]]), 0.0, 90.0), [[0, 0, 1.0]])


def test_draw_molecule_draws_atoms_in_their_colours_with_a_clear_ground(tmp_path):
    path = tmp_path / "co.cml"
    path.write_text(cml([("C", 0.0, 0.0, 0.0), ("O", 1.2, 0.0, 0.0)], [(1, 2, "2")]))
    picture = fresh27.draw_molecule(path, 0, 100)
    pixels = np.asarray(picture).astype(int)
    assert picture.size == (100, 100) and picture.mode == "RGBA"
    # the first atom (in file order) on the right: a symmetric spread is signed by it
    red, green, blue, alpha = pixels[50, 25]
    assert alpha == 255 and red > 150 and green < 60 and blue < 60  # oxygen, left
    red, green, blue, alpha = pixels[50, 75]
    assert alpha == 255 and abs(red - green) < 8 and abs(green - blue) < 8  # carbon, right
    assert pixels[3, 3, 3] == 0 and pixels[96, 96, 3] == 0  # corners clear
    empty = tmp_path / "empty.cml"
    empty.write_text(cml([]))
    assert fresh2.is_blank(fresh27.draw_molecule(empty, 1, 64))


def test_view_keys_name_the_molecule_and_its_view(library):
    key = fresh27.view_key(library / "alkanes" / "butane.cml", 2)
    assert key == library / "alkanes" / "butane" / "2"
    assert fresh27.cml_of(key) == library / "alkanes" / "butane.cml"
    assert fresh27.view_of(key) == 2 and fresh27.molecule_name(key) == "butane_v2"


def test_molecule_root_prefers_the_installed_package(tmp_path):
    installed, unpacked = tmp_path / "usr-share", tmp_path / "cache"
    assert fresh27.molecule_root(installed, unpacked) == unpacked
    installed.mkdir()
    assert fresh27.molecule_root(installed, unpacked) == installed


# ------------------------------------------------------------- the plan on a small library


def test_molecule_views_read_the_classes_used_three_views_a_molecule(library):
    found = Counter((label, family) for label, family, _ in fresh27.molecule_views(library))
    assert found == {
        ("alkanes", "2-methylpropane"): 3,
        ("alkanes", "butane"): 3,
        ("alkanes", "cyclohexane"): 6,
        ("amino_acids", "alanine"): 6,
        ("amino_acids", "empty"): 3,
        ("amino_acids", "glycine"): 3,
        ("aromatics", "benzene"): 3,
        ("aromatics", "thiazole"): 3,
        ("aromatics", "toluene"): 3,
        ("fullerenes", "c28"): 3,
        ("fullerenes", "c60"): 3,
        ("fullerenes", "c8"): 3,
    }


def test_plan_drops_blanks_repeats_and_drawings_of_two_classes(library):
    items = fresh27.plan_molecules(library)
    assert items == fresh27.plan_molecules(library)
    labels = assert_leak_free_plan(items, 4)
    # identical pictures: the star in two classes (every copy goes), toluene (benzene's file)
    # and the chair's face-on view (the boat's); the face-on views of the boat and of benzene
    # (a ring of six carbons and their hydrogens) are within 6/255: a drawing of two classes;
    # the blank one; alanine's 6 views capped at 5
    assert labels["train"] + labels["test"] == {
        "alkanes": 7,
        "amino_acids": 8,
        "aromatics": 5,
        "fullerenes": 6,
    }
    molecules = Counter((item.group, item.source.stem, item.element) for item in items)
    assert sorted(molecules) == [
        ("alanine", "D-alanine", "0"),
        ("alanine", "D-alanine", "1"),
        ("alanine", "D-alanine", "2"),
        ("alanine", "L-alanine", "0"),
        ("alanine", "L-alanine", "1"),
        ("benzene", "benzene", "1"),
        ("benzene", "benzene", "2"),
        ("butane", "butane", "0"),
        ("butane", "butane", "1"),
        ("butane", "butane", "2"),
        ("c60", "C60", "0"),
        ("c60", "C60", "1"),
        ("c60", "C60", "2"),
        ("c8", "C8", "0"),
        ("c8", "C8", "1"),
        ("c8", "C8", "2"),
        ("cyclohexane", "cyclohexane-boat", "1"),
        ("cyclohexane", "cyclohexane-boat", "2"),
        ("cyclohexane", "cyclohexane-chair", "1"),
        ("cyclohexane", "cyclohexane-chair", "2"),
        ("glycine", "glycine", "0"),
        ("glycine", "glycine", "1"),
        ("glycine", "glycine", "2"),
        ("thiazole", "thiazole", "0"),
        ("thiazole", "thiazole", "1"),
        ("thiazole", "thiazole", "2"),
    ]
    # two groups a class: one is test, the other train
    sides = Counter((i.label, i.split) for i in {(i.label, i.group): i for i in items}.values())
    assert set(sides.values()) == {1} and len(sides) == 8
    boat = next(i for i in items if i.source.stem == "cyclohexane-boat" and i.element == "1")
    assert boat.name == "cyclohexane_boat_v1" and boat.render == "molecules"
    assert boat.source == library / "alkanes" / "cyclohexane-boat.cml"


def test_prepare_fits_a_molecule_into_96_px_on_white(library):
    path = library / "aromatics" / "thiazole.cml"
    item = holdout_sets.Item("train", "aromatics", "x", path, "0", "g", "molecules")
    fitted = prepare.load_item(item)
    pixels = np.asarray(fitted).astype(int)
    assert fitted.mode == "RGB" and fitted.size == (96, 96)
    assert pixels[0, 0].min() == 255 and pixels[95, 95].min() == 255  # white corners
    blue = (pixels[..., 2] > 180) & (pixels[..., 0] < 110)  # the nitrogen
    yellow = (pixels[..., 0] > 200) & (pixels[..., 1] > 200) & (pixels[..., 2] < 90)  # sulfur
    assert blue.sum() > 20 and yellow.sum() > 20
    assert np.array_equal(pixels, np.asarray(prepare.fit_on_white(fresh27.read_molecule(item), 96)))


def test_a_missing_package_is_an_error_naming_both_commands(tmp_path, monkeypatch):
    missing = tmp_path / "debian" / "libavogadro-data_1.97.0-3" / "usr/share/avogadro2/molecules"
    with pytest.raises(FileNotFoundError) as error:
        fresh27.plan_molecules(missing)
    message = str(error.value)
    assert str(missing) in message and "sudo apt-get install libavogadro-data" in message
    assert "apt-get download libavogadro-data=1.97.0-3 && dpkg -x" in message
    monkeypatch.setitem(SETS, "molecules", dataclasses.replace(SETS["molecules"], root=missing))
    with pytest.raises(pytest.skip.Exception) as skipped:
        skip_unless_installed("molecules")
    assert str(skipped.value) == (
        f"libavogadro-data not installed ({missing} missing): sudo apt-get install libavogadro-data"
    )


# ------------------------------------------------------------------------- on the package


def test_molecules_set_is_registered():
    spec = SETS["molecules"]
    assert spec.package == "libavogadro-data" and spec.root == fresh27.MOLECULE_ROOT
    assert spec.root.parts[-4:] == ("usr", "share", "avogadro2", "molecules")
    assert fresh2.PICTURE_READERS["molecules"] is fresh27.read_molecule
    assert prepare.FITTED_SIDES["molecules"] == 96


def test_molecule_views_of_the_package():
    skip_unless_installed("molecules")
    entries = fresh27.molecule_views()
    molecules = Counter(label for label, _, key in entries if key.name == "0")
    assert molecules == {
        "alkanes": 19, "alkenes": 30, "amines": 16, "amino_acids": 42, "aromatics": 38,
        "carbohydrates": 23, "carboxylic_acids": 19, "cyclic_alkanes": 19, "cyclic_sugars": 44,
        "fullerenes": 17,
    }  # fmt: skip
    families = Counter(label for label, _ in {(label, family) for label, family, _ in entries})
    assert families == {
        "alkanes": 19, "alkenes": 20, "amines": 16, "amino_acids": 21, "aromatics": 38,
        "carbohydrates": 23, "carboxylic_acids": 15, "cyclic_alkanes": 15, "cyclic_sugars": 19,
        "fullerenes": 17,
    }  # fmt: skip


def test_molecules_plan_is_leak_free_deterministic_and_of_the_expected_size():
    skip_unless_installed("molecules")
    items = SETS["molecules"].plan()
    assert items == SETS["molecules"].plan()
    labels = assert_leak_free_plan(items, 10)
    assert labels["train"] == {
        "alkanes": 23, "alkenes": 40, "amines": 35, "amino_acids": 60, "aromatics": 49,
        "carbohydrates": 51, "carboxylic_acids": 37, "cyclic_alkanes": 37, "cyclic_sugars": 60,
        "fullerenes": 36,
    }  # fmt: skip
    assert labels["test"] == {
        "alkanes": 9, "alkenes": 14, "amines": 12, "amino_acids": 24, "aromatics": 20,
        "carbohydrates": 18, "carboxylic_acids": 14, "cyclic_alkanes": 12, "cyclic_sugars": 24,
        "fullerenes": 15,
    }  # fmt: skip
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    sides: dict[tuple[str, str], set[str]] = {}
    for item in items:  # a molecule's views and stereo forms (its family) on one side
        family = fresh27.molecule_family(item.source.stem)
        sides.setdefault((item.label, family), set()).add(item.split)
    assert all(len(s) == 1 for s in sides.values())
    # the repeat: E-butanoic_acid's file draws butanoic_acid's pictures
    assert not any(item.source.stem == "butanoic_acid" for item in items)
    assert all(item.render == "molecules" and item.element in "012" for item in items)


@pytest.mark.parametrize("index", [0, -1])
def test_prepare_fits_package_molecules_into_their_listed_side(index):
    skip_unless_installed("molecules")
    item = SETS["molecules"].plan()[index]
    expected = prepare.fit_on_white(fresh27.read_molecule(item), 96)
    assert expected.mode == "RGB" and expected.size == (96, 96)
    assert np.array_equal(np.asarray(prepare.load_item(item)), np.asarray(expected))
