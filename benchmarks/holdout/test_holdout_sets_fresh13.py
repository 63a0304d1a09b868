"""The ninth fresh hold-out's set (materials, ``holdout_sets_fresh13``): classes and families from
file names, the centre square, the thumbnails' chains, and a leak-free, deterministic plan on a
small texture archive made here and on the Debian package. Checks that read the package skip,
naming it, where it is not installed."""

from __future__ import annotations

import io
import sys
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh13 as fresh13  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS, Item  # noqa: E402
from plan_checks import assert_leak_free_plan, skip_unless_installed  # noqa: E402

# ------------------------------------------------------------------ names


@pytest.mark.parametrize(
    ("stem", "label"),
    [
        ("bricks_r_2", "brick"),
        ("wall_bricks004", "brick"),
        ("trak4_brick2a", "brick"),
        ("carpet014", "carpet"),
        ("concrete_slabs01", "concrete"),
        ("grass003_way_hor", None),  # grass: left out (README)
        ("metall010a", "metal"),
        ("metal_duct_rust", "metal"),
        ("pjrock16", "rock"),
        ("rockyground01", "rock"),
        ("s_wood002", "wood"),
        ("floor_wood01", "wood"),
        ("woodb_5", "wood"),
        ("wood007a_nm", None),  # a normal map
        ("metal012_sm", None),  # a specular map
        ("2ln_g", None),  # a glow map, and no material
        ("wall001", None),  # a use, not a material
        ("carpets", None),  # no number after the material
        ("woodceiling1a", None),  # a material word inside a longer one
    ],
)
def test_texture_class_reads_the_material_at_the_name_s_start(stem, label):
    assert fresh13.texture_class(stem) == label


@pytest.mark.parametrize(
    ("member", "family"),
    [
        ("textures/tex_material/wood007a.png", "material/wood007"),  # a letter after the number
        ("textures/tex_nature/grass003_way_hor.jpg", "nature/grass003"),  # words after it
        ("textures/tex_buildings/concrete01dark.jpg", "buildings/concrete01"),
        ("textures/tex_nature/grass_mowed_dry_a.jpg", "nature/grass_mowed_dry"),  # no number
        ("textures/tex_ctp1/bricks_r_2.jpg", "ctp1/bricks_r_2"),  # a number: kept
        ("textures/tex_buildings/carpet014.png", "buildings/carpet014"),
        ("textures/tex_nature/pjrock16.png", "nature/pjrock1"),  # joined by hand
        ("textures/tex_nature/rock013.png", "nature/rock012"),
        ("textures/tex_mattn/rock013.png", "mattn/rock013"),  # another theme: not joined
        ("textures/tex_buildings_snow/concrete001.png", "buildings/concrete009"),  # a recolour
    ],
)
def test_texture_family_drops_a_variant_ending_and_joins_series(member, family):
    assert fresh13.texture_family(member) == family


def test_texture_name_keeps_the_theme_since_themes_repeat_names():
    assert fresh13.texture_name(Path("textures/tex_nature/rock001.png")) == "nature_rock001"
    assert fresh13.texture_name(Path("textures/tex_ctp1/Wood_B_1.jpg")) == "ctp1_wood_b_1"


# ------------------------------------------------------------------ pictures


def png(picture: Image.Image) -> bytes:
    data = io.BytesIO()
    picture.save(data, "PNG")
    return data.getvalue()


def solid(colour: tuple[int, ...], size: tuple[int, int] = (32, 32)) -> bytes:
    return png(Image.new("RGBA" if len(colour) == 4 else "RGB", size, colour))


def write_pk3(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_texture_square_is_the_centre_square_and_read_texture_puts_clear_parts_on_white(tmp_path):
    # 8x4: columns 0-1 red, 2-5 half clear blue (alpha 0 on the left half), 6-7 red
    picture = Image.new("RGBA", (8, 4), (255, 0, 0, 255))
    for x in range(2, 6):
        for y in range(4):
            picture.putpixel((x, y), (0, 0, 255, 0 if x < 4 else 255))
    pk3 = write_pk3(tmp_path / "t.pk3", {"textures/tex_a/x.png": png(picture)})
    square = fresh13.texture_square(pk3, "textures/tex_a/x.png")
    assert square.size == (4, 4)  # columns 2-5
    assert fresh13.clear_share(square) == 0.5
    assert fresh13.texture_square(pk3, "textures/tex_a/x.png", 2).size == (2, 2)
    item = Item("train", "wood", "x", pk3, "textures/tex_a/x.png", "g", "materials")
    read = np.asarray(fresh13.read_texture(item).convert("RGB"))
    assert read.shape == (4, 4, 3)
    assert (read[:, :2] == 255).all()  # clear: white
    assert (read[:, 2:] == (0, 0, 255)).all()


def test_colour_thumbnail_averages_cells_in_colour():
    picture = Image.new("RGB", (32, 32), (255, 0, 0))
    picture.paste((0, 0, 255), (16, 0, 32, 32))
    thumb = fresh13.colour_thumbnail(picture)
    assert thumb.shape == (16, 16, 3)
    assert (thumb[:, :8] == (255, 0, 0)).all() and (thumb[:, 8:] == (0, 0, 255)).all()


# ------------------------------------------------------------------ the plan on a small archive


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Four materials, two groups each once chained; the members the plan leaves out."""
    members = {
        "textures/tex_a/bricks_r_1.png": solid((200, 0, 0)),
        "textures/tex_a/bricks_r_2.png": solid((204, 2, 0)),  # bricks_r_1 recoloured: chained
        "textures/tex_a/bricks_r_2_nm.png": solid((128, 128, 255)),  # its normal map
        "textures/tex_b/brick01.png": solid((0, 0, 200), (64, 32)),  # not square: centre
        "textures/tex_b/carpet001.png": solid((0, 200, 0)),
        "textures/tex_b/carpet002.png": solid((250, 250, 0)),
        "textures/tex_b/carpet003.png": solid((250, 250, 0)),  # carpet002 repeated: dropped
        "textures/tex_c/rocks_tall_a.png": solid((100, 100, 100)),
        "textures/tex_c/rocks_tall_b.png": solid((60, 60, 60)),  # far, but one family
        "textures/tex_c/rock001.png": solid((0, 0, 0)),
        "textures/tex_c/wood001.png": solid((255, 128, 0)),
        "textures/tex_c/wood001a.png": solid((255, 128, 255)),  # a variant of wood001
        "textures/tex_c/wood002.png": solid((128, 0, 255)),
        "textures/tex_c/wood_fence.png": solid((90, 60, 30, 0)),  # clear: an object, dropped
        "textures/tex_c/wall001.png": solid((9, 9, 9)),  # no material
        "textures/tex_c/readme.txt": b"not a picture",
    }
    return write_pk3(tmp_path / "0textures.pk3", members)


def test_texture_entries_read_classes_and_families_from_the_archive(archive):
    entries = fresh13.texture_entries(archive)
    assert [(label, family, path.name) for label, family, path in entries] == [
        ("brick", "a/bricks_r_1", "bricks_r_1.png"),
        ("brick", "a/bricks_r_2", "bricks_r_2.png"),
        ("brick", "b/brick01", "brick01.png"),
        ("carpet", "b/carpet001", "carpet001.png"),
        ("carpet", "b/carpet002", "carpet002.png"),
        ("carpet", "b/carpet003", "carpet003.png"),
        ("rock", "c/rock001", "rock001.png"),
        ("rock", "c/rocks_tall", "rocks_tall_a.png"),
        ("rock", "c/rocks_tall", "rocks_tall_b.png"),
        ("wood", "c/wood001", "wood001.png"),
        ("wood", "c/wood001", "wood001a.png"),
        ("wood", "c/wood002", "wood002.png"),
        ("wood", "c/wood_fence", "wood_fence.png"),
    ]


def test_plan_drops_maps_clear_and_repeated_textures_and_keeps_chains_whole(archive):
    items = fresh13.plan_materials(archive)
    assert items == fresh13.plan_materials(archive)
    labels = assert_leak_free_plan(items, 4)
    assert labels["train"] + labels["test"] == {"brick": 3, "carpet": 2, "rock": 3, "wood": 3}
    names = {item.name for item in items}
    assert not names & {"a_bricks_r_2_nm", "b_carpet003", "c_wood_fence", "c_wall001"}
    group = {item.name: item.group for item in items}
    assert group["a_bricks_r_1"] == group["a_bricks_r_2"] == "a/bricks_r_1"  # near: chained
    assert group["b_brick01"] == "b/brick01"
    assert group["c_rocks_tall_a"] == group["c_rocks_tall_b"] == "c/rocks_tall"
    assert group["c_wood001"] == group["c_wood001a"] == "c/wood001"
    # two groups a class: one is test, the other train
    sides = Counter(
        (item.label, item.split)
        for item in {(i.label, i.group, i.split): i for i in items}.values()
    )
    assert all(sides[(label, "test")] == sides[(label, "train")] == 1 for label in labels["train"])
    item = next(i for i in items if i.name == "b_brick01")
    assert item.source == archive and item.element == "textures/tex_b/brick01.png"
    assert item.render == "materials"


def test_texture_groups_chain_by_grey_or_colour_only_within_a_class():
    pictures = {
        "a": Image.new("RGBA", (16, 16), (200, 0, 0, 255)),
        "b": Image.new("RGBA", (16, 16), (0, 120, 0, 255)),  # grey 70 against a's 60: far
        "c": Image.new("RGBA", (16, 16), (205, 0, 0, 255)),  # a, a little lighter: near
        "d": Image.new("RGBA", (16, 16), (200, 0, 0, 255)),  # a's picture in another class
    }
    entries = [("x", "fa", Path("a")), ("x", "fb", Path("b")), ("x", "fc", Path("c"))]
    entries.append(("y", "fd", Path("d")))
    grouped = fresh13.texture_groups(entries, lambda key: pictures[key.name])
    assert [group for _, group, _ in grouped] == ["fa", "fb", "fa", "fd"]


# ------------------------------------------------------------------ on the package


def test_materials_set_is_registered():
    assert "materials" in SETS and "footprints" in SETS
    spec = SETS["materials"]
    assert spec.package == "ufoai-textures" and spec.root == fresh13.TEXTURE_PK3.parent
    assert spec.needs == (fresh13.TEXTURE_PK3,)
    assert fresh2.PICTURE_READERS["materials"] is fresh13.read_texture
    assert sorted(fresh13.TEXTURE_CLASSES) == [
        "brick", "carpet", "concrete", "metal", "rock", "wood",
    ]  # fmt: skip


def test_materials_plan_is_leak_free_deterministic_and_of_the_expected_size():
    skip_unless_installed("materials")
    items = SETS["materials"].plan()
    assert items == SETS["materials"].plan()
    labels = assert_leak_free_plan(items, 6)
    assert labels["train"] == {
        "brick": 24, "carpet": 21, "concrete": 28, "metal": 24, "rock": 22, "wood": 40,
    }  # fmt: skip
    assert labels["test"] == {
        "brick": 10, "carpet": 9, "concrete": 12, "metal": 9, "rock": 9, "wood": 17,
    }  # fmt: skip
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    assert all(item.render == "materials" for item in items)


@pytest.mark.parametrize("index", [0, -1])
def test_prepare_fits_materials_into_their_listed_side(index):
    skip_unless_installed("materials")
    item = SETS["materials"].plan()[index]
    expected = prepare.fit_on_white(fresh13.read_texture(item), 96)
    assert expected.mode == "RGB" and expected.size == (96, 96)
    pixels = np.asarray(expected)
    assert pixels.std() > 5 and (pixels[0] != 255).any()  # a texture filling the square
    assert np.array_equal(np.asarray(prepare.load_item(item)), np.asarray(expected))
