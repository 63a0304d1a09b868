"""The fresh18 hold-out set (costumes, ``holdout_sets_fresh18``): costume families, the pictures
of the folders used, the plan's picture, and a leak-free, deterministic plan on a small costume
library made here and on the Debian package. Checks that read the package skip, naming it,
where it is not installed."""

from __future__ import annotations

import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh18 as fresh18  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS  # noqa: E402
from plan_checks import SHAPES, assert_leak_free_plan, skip_unless_installed  # noqa: E402

# ------------------------------------------------------------------ a costume library made here

COSTUMES = (  # folder/file, drawing, ink
    ("Animals/cat1-a.png", "disc", (200, 0, 0)),
    ("Animals/cat1-b.png", "ring", (200, 0, 0)),  # family cat: one group with cat1-a
    ("Animals/dog1.gif", "cross", (90, 50, 0)),  # a GIF on a white ground
    ("Animals/bat1.png", "plus", (0, 0, 0)),
    ("Animals/lion1.png", "triangle", (200, 160, 0)),
    ("Animals/lioness1.png", "frame", (200, 160, 0)),  # joined to lion by COSTUMES_FAMILIES
    ("Fantasy/fantasy1-a.png", "triangle", (0, 120, 0)),
    ("Fantasy/fantasy2.png", "cross", (0, 120, 0)),  # a series: another family than fantasy1
    ("Fantasy/sun.png", "disc", (250, 200, 0)),  # left out: a thing
    ("Fantasy/knight1.png", "plus", (90, 90, 90)),  # left out: a person
    ("People/dan1.gif", "ring", (0, 0, 160)),
    ("People/dan2.gif", "frame", (0, 0, 160)),  # family dan
    ("People/girl1-standing.png", "cross", (160, 0, 160)),
    ("Things/ball.png", "disc", (0, 160, 160)),
    ("Things/orb.png", "disc", (0, 160, 160)),  # ball's pixels again: dropped
    ("Things/hat.png", "triangle", (60, 60, 200)),
    ("Things/button.png", "frame", (100, 100, 100)),  # left out: an interface button
    ("Transportation/car1.png", "plus", (200, 0, 0)),
    ("Transportation/boat.png", "ring", (0, 0, 0)),  # bat1's RGB, not its pixels: kept
    ("Transportation/magiccarpet.png", "frame", (150, 0, 0)),  # left out: a rug
    ("Letters/circles/a.png", "ring", (0, 0, 0)),  # glyphs: not read
)


def costume(root: Path, name: str, shape: str, ink: tuple[int, int, int]) -> None:
    """A 45x45 picture of one drawing of ``SHAPES``: a clear PNG, or a GIF on white."""
    gif = name.endswith(".gif")
    picture = Image.new("RGBA", (45, 45), (255, 255, 255, 255) if gif else (0, 0, 0, 0))
    SHAPES[shape](ImageDraw.Draw(picture), ink)
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    (picture.convert("RGB") if gif else picture).save(path)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Five folders of two to four costume families each, and what the plan leaves out."""
    root = tmp_path / "Costumes"
    for name, shape, ink in COSTUMES:
        costume(root, name, shape, ink)
    (root / "Animals" / "Crawling Ant.sprite").write_bytes(b"squeak object")
    (root / "Animals" / "scratchthumbs.db").write_bytes(b"\x00thumbs")
    return root


# ------------------------------------------------------------------ families and pictures


@pytest.mark.parametrize(
    ("stem", "family"),
    [
        ("dog2-a", "dog"),  # a pose letter and the number go
        ("cassy-dancing-1", "cassy"),
        ("boy4-walking-e", "boy"),
        ("dan6", "dan"),
        ("sunglassF3", "sunglassf"),
        ("cheesy-puffs", "cheesy"),
        ("fantasy10", "fantasy10"),  # a series of different monsters keeps its number
        ("fantasy1-b", "fantasy1"),
        ("Fantasy3", "fantasy3"),
        ("fantasy", "fantasy"),
    ],
)
def test_costume_family_drops_poses_and_numbers_but_a_series_number(stem, family):
    assert fresh18.costume_family(stem) == family


def test_costume_pictures_read_the_folders_used_less_what_is_left_out(library):
    found = [
        (label, family, path.relative_to(library).as_posix())
        for label, family, path in fresh18.costume_pictures(library)
    ]
    assert found == [
        ("animals", "bat", "Animals/bat1.png"),
        ("animals", "cat", "Animals/cat1-a.png"),
        ("animals", "cat", "Animals/cat1-b.png"),
        ("animals", "dog", "Animals/dog1.gif"),
        ("animals", "lion", "Animals/lion1.png"),
        ("animals", "lion", "Animals/lioness1.png"),
        ("fantasy", "fantasy1", "Fantasy/fantasy1-a.png"),
        ("fantasy", "fantasy2", "Fantasy/fantasy2.png"),
        ("people", "dan", "People/dan1.gif"),
        ("people", "dan", "People/dan2.gif"),
        ("people", "girl", "People/girl1-standing.png"),
        ("things", "ball", "Things/ball.png"),
        ("things", "hat", "Things/hat.png"),
        ("things", "orb", "Things/orb.png"),
        ("vehicles", "boat", "Transportation/boat.png"),
        ("vehicles", "car", "Transportation/car1.png"),
    ]


def test_plan_picture_keys_a_white_gif_and_crops_it_to_its_drawing(library):
    picture = fresh18.plan_picture(library / "Animals" / "dog1.gif")  # a cross on white
    assert picture.mode == "RGBA" and picture.size == (64, 64)
    alpha = np.asarray(picture.getchannel("A"))
    # cropped to the cross, which now runs corner to corner; the white between its arms clear
    assert alpha[4, 4] > 0 and alpha[59, 59] > 0 and alpha[4, 59] > 0 and alpha[32, 32] > 0
    assert alpha[32, 2] == 0 and alpha[2, 32] == 0 and alpha[62, 32] == 0


def test_costume_name_is_the_file_stem():
    assert fresh18.costume_name(Path("/m/People/boy4-walking-a.gif")) == "boy4_walking_a"
    assert fresh18.costume_name(Path("/m/Things/fortune_cookie.gif")) == "fortune_cookie"


# ------------------------------------------------------------------ the plan on a small library


def test_plan_keeps_families_whole_and_drops_repeats(library):
    items = fresh18.plan_costumes(library)
    assert items == fresh18.plan_costumes(library)
    labels = assert_leak_free_plan(items, 5)
    totals = labels["train"] + labels["test"]
    # orb repeats ball's pixels: the first (sorted) stays
    assert totals == {"animals": 6, "fantasy": 2, "people": 3, "things": 2, "vehicles": 2}
    names = {item.name for item in items}
    assert not names & {"orb", "sun", "knight1", "button", "magiccarpet", "a"}
    group = {item.name: item.group for item in items}
    assert group["cat1_a"] == group["cat1_b"] == "cat"
    assert group["lion1"] == group["lioness1"] == "lion"
    assert group["dan1"] == group["dan2"] == "dan"
    assert group["fantasy1_a"] != group["fantasy2"]
    # each class has a group on each side
    sides = Counter((i.label, i.split) for i in {(i.label, i.group): i for i in items}.values())
    assert all(sides[(label, "train")] >= 1 and sides[(label, "test")] >= 1 for label in totals)
    item = next(i for i in items if i.name == "hat")
    assert item.source == library / "Things/hat.png" and item.element is None
    assert item.render == "costumes"


def test_prepare_fits_a_costume_into_96_px_on_white(library):
    source = library / "Things/hat.png"  # a 41x41 triangle on a clear picture
    item = holdout_sets.Item("train", "things", "hat", source, None, "hat", "costumes")
    fitted = prepare.load_item(item)
    assert fitted.mode == "RGB" and fitted.size == (96, 96)
    pixels = np.asarray(fitted)
    # cropped to the triangle and scaled to fill the square: its base row inked, top corners white
    assert (pixels[94, 5:90] < 200).any(axis=1).all() and (pixels[2, 2] == 255).all()


# ------------------------------------------------------------------ on the package


def test_costumes_set_is_registered():
    assert "costumes" in SETS and "fillets" in SETS
    spec = SETS["costumes"]
    assert spec.package == "scratch" and spec.root == fresh18.COSTUMES_ROOT
    assert spec.needs == () and "costumes" not in fresh2.PICTURE_READERS
    assert prepare.FITTED_SIDES["costumes"] == 96
    assert sorted(fresh18.COSTUMES_CLASSES.values()) == [
        "animals", "fantasy", "people", "things", "vehicles",
    ]  # fmt: skip


def test_costume_pictures_of_the_package_match_a_count_of_its_folders():
    skip_unless_installed("costumes")
    root = fresh18.COSTUMES_ROOT
    counted = {
        fresh18.COSTUMES_CLASSES[folder]: sum(
            name.lower().endswith((".png", ".gif"))
            and os.path.splitext(name)[0] not in fresh18.COSTUMES_LEFT_OUT
            for name in os.listdir(root / folder)
        )
        for folder in fresh18.COSTUMES_CLASSES
    }
    found = Counter(label for label, _, _ in fresh18.costume_pictures())
    assert found == counted
    # counted with ls: 76, 49, 105, 50 and 23 files, less .sprite files, thumbs and left-outs
    assert found == {"animals": 71, "fantasy": 35, "people": 99, "things": 35, "vehicles": 18}


def test_costumes_plan_is_leak_free_deterministic_and_of_the_expected_size():
    skip_unless_installed("costumes")
    items = SETS["costumes"].plan()
    assert items == SETS["costumes"].plan()
    labels = assert_leak_free_plan(items, 5)
    assert labels["train"] == {
        "animals": 49, "fantasy": 25, "people": 56, "things": 23, "vehicles": 13,
    }  # fmt: skip
    assert labels["test"] == {
        "animals": 16, "fantasy": 10, "people": 16, "things": 9, "vehicles": 5,
    }  # fmt: skip
    groups = Counter((i.label, i.group) for i in items)
    assert max(groups.values()) <= fresh2.FAMILY_MOST
    assert all(item.render == "costumes" and item.element is None for item in items)


def test_costumes_plan_keeps_a_costume_s_poses_on_one_side():
    skip_unless_installed("costumes")
    items = SETS["costumes"].plan()
    sides: defaultdict[str, set[str]] = defaultdict(set)
    for item in items:
        sides[fresh18.costume_family(item.source.stem)].add(item.split)
    assert all(len(s) == 1 for s in sides.values()), "a costume is on both sides of the split"
    group = {item.source.stem: item.group for item in items}
    assert group["lion1-a"] == group["lioness1"] == group["cub1"]
    assert len({group[f"fantasy{n}"] for n in range(2, 15) if f"fantasy{n}" in group}) > 5
    stems = {item.source.stem for item in items}
    assert not stems & fresh18.COSTUMES_LEFT_OUT


@pytest.mark.parametrize("index", [0, -1])
def test_prepare_fits_package_costumes_into_their_listed_side(index):
    skip_unless_installed("costumes")
    item = SETS["costumes"].plan()[index]
    with Image.open(item.source) as image:
        expected = prepare.fit_on_white(image, 96)
    assert expected.mode == "RGB" and expected.size == (96, 96)
    assert np.array_equal(np.asarray(prepare.load_item(item)), np.asarray(expected))
