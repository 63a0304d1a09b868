"""The sixth fresh hold-out set (art4apps): the white key, classes and families, names, pixel
digests, how prepare draws a picture, and a leak-free and deterministic plan. Checks that read the
Debian package skip, naming it, where it is not installed."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh6 as fresh6  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS, Item  # noqa: E402
from plan_checks import assert_leak_free_plan, skip_unless_installed  # noqa: E402


def square_picture(path: Path, colour: tuple[int, int, int], side: int = 200) -> Path:
    """A white ``side`` square with a ``colour`` square over its middle half, saved as PNG."""
    picture = Image.new("RGB", (side, side), "white")
    picture.paste(colour, (side // 4, side // 4, 3 * side // 4, 3 * side // 4))
    picture.save(path)
    return path


# ---------------------------------------------------------------------------- white key


def test_white_keyed_clears_pixels_whose_every_channel_is_near_white():
    picture = Image.new("RGB", (4, 1))
    picture.putdata([(255, 255, 255), (236, 250, 240), (235, 255, 255), (10, 20, 30)])
    keyed = fresh6.white_keyed(picture)
    assert keyed.mode == "RGBA"
    assert np.asarray(keyed)[0, :, 3].tolist() == [0, 0, 255, 255]
    assert keyed.getpixel((3, 0)) == (10, 20, 30, 255)
    assert np.asarray(fresh6.white_keyed(picture, 250))[0, :, 3].tolist() == [0, 255, 255, 255]


def test_plan_picture_is_the_drawing_scaled_to_64_px_on_a_clear_ground(tmp_path):
    picture = fresh6.plan_picture(square_picture(tmp_path / "box.png", (0, 0, 0)))
    assert picture.mode == "RGBA" and picture.size == (64, 64)
    assert picture.getpixel((0, 0))[3] == 0 and picture.getpixel((63, 63))[3] == 0
    assert picture.getpixel((32, 32)) == (0, 0, 0, 255)  # the square covers 16..48
    small = fresh6.plan_picture(square_picture(tmp_path / "small.png", (0, 0, 0), 64))
    assert fresh2.silhouette(small).sum() == 32 * 32  # at 64 px, drawn as it is


def test_picture_digest_reads_pixels_not_files(tmp_path):
    first = square_picture(tmp_path / "a.png", (200, 0, 0))
    with Image.open(first) as image:
        image.save(tmp_path / "a.bmp")
    second = square_picture(tmp_path / "b.png", (0, 200, 0))
    assert fresh6.picture_digest(first) == fresh6.picture_digest(tmp_path / "a.bmp")
    assert fresh6.picture_digest(first) != fresh6.picture_digest(second)


# ------------------------------------------------------------------- classes, families


def test_art4apps_pictures_take_the_classes_families_and_names(tmp_path):
    files = (
        "animals/lion_cub.jpg",
        "animals/lion.jpg",
        "food/meat.jpg",
        "food/ham.jpg",  # redraws meat: one family
        "fruit_n_veg/kernel.jpg",  # redraws apricot
        "clothes_n_accessories/guinea_hat.jpg",
        "actions/bark.jpg",  # a folder left out
        "food/notes.txt",  # not a picture
    )
    for relative in files:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(b"")
    found = fresh6.art4apps_pictures(tmp_path)
    assert [(label, family) for label, family, _ in found] == [
        ("animals", "lion"),
        ("animals", "lion"),
        ("clothes", "guinea"),
        ("food", "meat"),
        ("food", "meat"),
        ("fruit_veg", "apricot"),
    ]
    assert [fresh6.art4apps_name(path) for *_, path in found] == [
        "lion",
        "lion_cub",
        "guinea_hat",
        "ham",
        "meat",
        "kernel",
    ]


# ------------------------------------------------------------------------------ pictures


def test_prepare_fits_a_picture_into_96_px_whole(tmp_path):
    source = square_picture(tmp_path / "box.png", (255, 0, 0))
    item = Item("train", "food", "box", source, None, "box", fresh6.ART4APPS_RENDER)
    image = prepare.load_item(item)
    assert image.mode == "RGB" and image.size == (96, 96)
    assert image.getpixel((0, 0)) == (255, 255, 255) and image.getpixel((95, 95)) == (255,) * 3
    assert image.getpixel((48, 48)) == (255, 0, 0)  # the square covers 24..72: scaled, not cut
    assert image.getpixel((12, 48)) == (255, 255, 255)


# ------------------------------------------------------------------------------- plans


def test_art4apps_set_is_registered_and_drawn_at_96_px():
    assert "art4apps" in SETS and "provinces" in SETS
    assert SETS["art4apps"].package == "pysiogame"
    assert prepare.FITTED_SIDES[fresh6.ART4APPS_RENDER] == 96
    assert fresh6.ART4APPS_RENDER not in fresh2.PICTURE_READERS  # a file, fitted as it is


def test_art4apps_plan_is_leak_free_deterministic_and_without_repeats():
    skip_unless_installed("art4apps")
    items = SETS["art4apps"].plan()
    assert items == SETS["art4apps"].plan()
    labels = assert_leak_free_plan(items, 7)
    assert set(labels["train"]) == set(fresh6.ART4APPS_CLASSES.values())
    assert 225 <= labels["train"].total() <= 260 and 90 <= labels["test"].total() <= 115
    assert min(labels["train"].values()) >= 25 and min(labels["test"].values()) >= 10
    assert max(labels["train"].values()) <= 45 and max(labels["test"].values()) <= 20
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    pixels = [fresh6.picture_digest(i.source) for i in items]
    assert len(set(pixels)) == len(pixels), "a picture is planned twice"
    where = {(i.label, i.name): (i.split, i.group) for i in items}
    assert where[("food", "ham")] == where[("food", "meat")]
    assert where[("body", "toe")] == where[("body", "foot")] == where[("body", "ankle")]
    assert where[("fruit_veg", "kernel")] == where[("fruit_veg", "apricot")]
    assert not any(i.source.parent.name == "actions" for i in items)


def test_render_fitted_reads_art4apps_pictures():
    skip_unless_installed("art4apps")
    items = SETS["art4apps"].plan()
    for item in (items[0], items[-1]):
        image = prepare.load_item(item)
        assert image.mode == "RGB" and image.size == (96, 96)
        corners = [image.getpixel(xy) for xy in ((0, 0), (95, 0), (0, 95), (95, 95))]
        assert min(min(pixel) for pixel in corners) >= 200  # the white ground
        assert np.asarray(image).min() < 100  # and a drawing on it
