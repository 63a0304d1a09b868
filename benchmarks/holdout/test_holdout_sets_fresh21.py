"""The fresh21 hold-out set (qabcs, ``holdout_sets_fresh21``): the pictures of the folders used,
their families, the plan's picture, and a leak-free, deterministic plan on a small picture
library made here and on the Debian package. Checks that read the package skip, naming it,
where it is not installed."""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh21 as fresh21  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS  # noqa: E402
from plan_checks import SHAPES, assert_leak_free_plan, skip_unless_installed  # noqa: E402

# ------------------------------------------------------------------ a picture library made here

PICTURES = (  # folder/file, drawing, ink
    ("animals/bear.png", "disc", (200, 0, 0)),  # apple's pixels too: dropped
    ("animals/bird.png", "ring", (0, 0, 0)),
    ("animals/cat.png", "triangle", (90, 90, 0)),  # left out: openclipart's
    ("animals/lion.png", "cross", (90, 50, 0)),
    ("animals/lion_cub.png", "frame", (0, 0, 0)),  # family lion: one group with lion
    ("food/apple.png", "disc", (200, 0, 0)),  # bear's pixels in another folder: both dropped
    ("food/date.png", "frame", (100, 60, 0)),
    ("food/dates.png", "frame", (100, 60, 0)),  # date's pixels again: dropped, date stays
    ("food/kidney_beans.png", "triangle", (0, 120, 0)),
    ("food/kidney_pie.png", "plus", (0, 120, 0)),  # family kidney
    ("food/ruffe.png", "cross", (0, 90, 90)),  # left out: a live fish
    ("instrument/clarinet.png", "triangle", (10, 10, 10)),  # shawm's thumbnail, nearly: chained
    ("instrument/flute.png", "plus", (0, 0, 160)),  # left out: openclipart's
    ("instrument/pipe.png", "ring", (0, 0, 160)),
    ("instrument/lyre.png", "frame", (160, 120, 0)),
    ("instrument/jack.png", "plus", (90, 90, 90)),  # left out: a plug
    ("instrument/shawm.png", "triangle", (0, 0, 0)),
    ("instrument/western_concert_flute.png", "cross", (0, 0, 160)),  # family western
    ("toys/kite.png", "plus", (200, 0, 200)),
    ("toys/spider.png", "ring", (90, 50, 0)),  # left out: an animal
    ("toys/yoyo.png", "disc", (0, 160, 160)),
    ("misc/ear.png", "disc", (250, 200, 150)),  # a folder of no kind: not read
)


def picture(root: Path, name: str, shape: str, ink: tuple[int, int, int]) -> None:
    """A 45x45 clear PNG of one drawing of ``SHAPES``."""
    image = Image.new("RGBA", (45, 45), (0, 0, 0, 0))
    SHAPES[shape](ImageDraw.Draw(image), ink)
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Four theme folders of two or three families each, ``misc``, and what the plan leaves
    out."""
    root = tmp_path / "pics"
    for name, shape, ink in PICTURES:
        picture(root, name, shape, ink)
    (root / "animals" / "notes.txt").write_text("not a picture")
    return root


# ------------------------------------------------------------------ pictures and families


def test_qabcs_pictures_read_the_folders_used_less_what_is_left_out(library):
    found = [
        (label, family, path.relative_to(library).as_posix())
        for label, family, path in fresh21.qabcs_pictures(library)
    ]
    assert found == [
        ("animals", "bear", "animals/bear.png"),
        ("animals", "bird", "animals/bird.png"),
        ("animals", "lion", "animals/lion.png"),
        ("animals", "lion", "animals/lion_cub.png"),
        ("food", "apple", "food/apple.png"),
        ("food", "date", "food/date.png"),
        ("food", "dates", "food/dates.png"),
        ("food", "kidney", "food/kidney_beans.png"),
        ("food", "kidney", "food/kidney_pie.png"),
        ("instruments", "clarinet", "instrument/clarinet.png"),
        ("instruments", "lyre", "instrument/lyre.png"),
        ("instruments", "pipe", "instrument/pipe.png"),
        ("instruments", "shawm", "instrument/shawm.png"),
        ("instruments", "western", "instrument/western_concert_flute.png"),
        ("toys", "kite", "toys/kite.png"),
        ("toys", "yoyo", "toys/yoyo.png"),
    ]


def test_left_out_pictures_are_named_by_folder_and_stem_of_folders_used():
    assert not fresh21.QABCS_LEFT_OUT & fresh21.QABCS_OPENCLIPART
    for key in fresh21.QABCS_LEFT_OUT | fresh21.QABCS_OPENCLIPART:
        folder, _, stem = key.partition("/")
        assert folder in fresh21.QABCS_CLASSES and stem and "/" not in stem and "." not in stem


def test_plan_picture_crops_a_clear_picture_to_its_drawing(library):
    picture = fresh21.plan_picture(library / "toys" / "kite.png")  # a plus, clear around it
    assert picture.mode == "RGBA" and picture.size == (64, 64)
    alpha = np.asarray(picture.getchannel("A"))
    # cropped to the plus, whose arms now reach the edges; its corners clear
    assert alpha[32, 1] > 0 and alpha[32, 62] > 0 and alpha[1, 32] > 0 and alpha[62, 32] > 0
    assert alpha[2, 2] == 0 and alpha[61, 61] == 0 and alpha[2, 61] == 0


def test_qabcs_name_is_the_file_stem():
    assert fresh21.qabcs_name(Path("/p/animals/eagle-owl.png")) == "eagle_owl"
    assert fresh21.qabcs_name(Path("/p/food/cauliflower_au_gratin.png")) == "cauliflower_au_gratin"


# ------------------------------------------------------------------ the plan on a small library


def test_plan_keeps_families_whole_and_drops_repeats(library):
    items = fresh21.plan_qabcs(library)
    assert items == fresh21.plan_qabcs(library)
    labels = assert_leak_free_plan(items, 4)
    totals = labels["train"] + labels["test"]
    # dates repeats date's pixels: the first (sorted) stays; bear and apple are one picture in
    # two folders, which has no class: both go
    assert totals == {"animals": 3, "food": 3, "instruments": 5, "toys": 2}
    names = {item.name for item in items}
    assert "date" in names
    assert not names & {"bear", "apple", "dates", "ruffe", "jack", "spider", "ear", "notes"}
    assert not names & {"cat", "flute"}  # openclipart's
    group = {item.name: item.group for item in items}
    assert group["lion"] == group["lion_cub"] == "lion"
    assert group["kidney_beans"] == group["kidney_pie"] == "kidney"
    assert group["clarinet"] == group["shawm"]  # near grey thumbnails, chained
    assert len({group["lyre"], group["pipe"], group["western_concert_flute"]}) == 3
    assert group["lion"] != group["bird"]
    # each class has a group on each side
    sides = Counter((i.label, i.split) for i in {(i.label, i.group): i for i in items}.values())
    assert all(sides[(label, "train")] >= 1 and sides[(label, "test")] >= 1 for label in totals)
    item = next(i for i in items if i.name == "kite")
    assert item.source == library / "toys/kite.png" and item.element is None
    assert item.render == "qabcs"


def test_prepare_fits_a_picture_into_96_px_on_white(library):
    source = library / "food/kidney_beans.png"  # a 41x41 triangle on a clear picture
    item = holdout_sets.Item("train", "food", "kidney_beans", source, None, "kidney", "qabcs")
    fitted = prepare.load_item(item)
    assert fitted.mode == "RGB" and fitted.size == (96, 96)
    pixels = np.asarray(fitted)
    # cropped to the triangle and scaled to fill the square: its base row inked, top corners white
    assert (pixels[94, 5:90] < 200).any(axis=1).all() and (pixels[2, 2] == 255).all()


# ------------------------------------------------------------------ on the package


def test_qabcs_set_is_registered():
    assert "qabcs" in SETS and "costumes" in SETS
    spec = SETS["qabcs"]
    assert spec.package == "qabcs-data" and spec.root == fresh21.QABCS_ROOT
    assert spec.needs == () and "qabcs" not in fresh2.PICTURE_READERS
    assert prepare.FITTED_SIDES["qabcs"] == 96
    assert sorted(fresh21.QABCS_CLASSES.values()) == ["animals", "food", "instruments", "toys"]


def test_qabcs_pictures_of_the_package_match_a_count_of_its_folders():
    skip_unless_installed("qabcs")
    root = fresh21.QABCS_ROOT
    dropped = fresh21.QABCS_LEFT_OUT | fresh21.QABCS_OPENCLIPART
    counted = {
        fresh21.QABCS_CLASSES[folder]: sum(
            name.endswith(".png") and f"{folder}/{os.path.splitext(name)[0]}" not in dropped
            for name in os.listdir(root / folder)
        )
        for folder in fresh21.QABCS_CLASSES
    }
    found = Counter(label for label, _, _ in fresh21.qabcs_pictures())
    assert found == counted
    # counted with ls: 82, 77, 67 and 73 PNGs, less 0, 2, 3 and 6 left out and 6, 9, 6 and 7
    # openclipart's
    assert found == {"animals": 76, "food": 66, "instruments": 58, "toys": 60}


def test_qabcs_plan_is_leak_free_deterministic_and_of_the_expected_size():
    skip_unless_installed("qabcs")
    items = SETS["qabcs"].plan()
    assert items == SETS["qabcs"].plan()
    labels = assert_leak_free_plan(items, 4)
    assert labels["train"] == {"animals": 40, "food": 40, "instruments": 40, "toys": 40}
    assert labels["test"] == {"animals": 16, "food": 16, "instruments": 16, "toys": 16}
    groups = Counter((i.label, i.group) for i in items)
    assert max(groups.values()) <= fresh2.FAMILY_MOST
    assert all(item.render == "qabcs" and item.element is None for item in items)


def test_qabcs_plan_keeps_near_wind_instruments_on_one_side_and_drops_the_left_out():
    skip_unless_installed("qabcs")
    items = SETS["qabcs"].plan()
    group = {item.source.stem: item.group for item in items}
    side = {item.source.stem: item.split for item in items}
    winds = ("western_concert_flute", "ney", "washint")  # near grey thumbnails
    assert len({group[s] for s in winds}) == 1 and len({side[s] for s in winds}) == 1
    assert group["clarinet"] != group["ney"] and group["quena"] != group["ney"]
    stems = {f"{item.source.parent.name}/{item.source.stem}" for item in items}
    assert not stems & (fresh21.QABCS_LEFT_OUT | fresh21.QABCS_OPENCLIPART)
    assert not any(item.source.parent.name == "misc" for item in items)


@pytest.mark.parametrize("index", [0, -1])
def test_prepare_fits_package_pictures_into_their_listed_side(index):
    skip_unless_installed("qabcs")
    item = SETS["qabcs"].plan()[index]
    with Image.open(item.source) as image:
        expected = prepare.fit_on_white(image, 96)
    assert expected.mode == "RGB" and expected.size == (96, 96)
    assert np.array_equal(np.asarray(prepare.load_item(item)), np.asarray(expected))
