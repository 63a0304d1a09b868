"""The thirteenth fresh hold-out's set (crossfire, ``holdout_sets_fresh17``): the face file's
index, a face's class and object from its arch path, recolours chained by silhouette, and a
leak-free, deterministic plan on a small face file made here and on the Debian package. Checks
that read the package skip, naming it, where it is not installed."""

from __future__ import annotations

import io
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh17 as fresh17  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS  # noqa: E402
from plan_checks import assert_leak_free_plan, skip_unless_installed  # noqa: E402

# ------------------------------------------------------------------ a face file made here

CROSS = ((2, 2, 29, 29), (2, 29, 29, 2))
PLUS = ((15, 2, 15, 29), (2, 15, 29, 15))
SHAPES = {  # distinct drawings, also once cropped to their visible pixels (fresh3's thumbnails)
    "disc": lambda draw, ink: draw.ellipse((2, 2, 29, 29), fill=ink),
    "ring": lambda draw, ink: draw.ellipse((2, 2, 29, 29), outline=ink, width=3),
    "cross": lambda draw, ink: [draw.line(xy, fill=ink, width=4) for xy in CROSS],
    "bar": lambda draw, ink: draw.rectangle((0, 10, 31, 20), fill=ink),
    "triangle": lambda draw, ink: draw.polygon(((15, 2), (29, 29), (2, 29)), fill=ink),
    "plus": lambda draw, ink: [draw.line(xy, fill=ink, width=4) for xy in PLUS],
    "frame": lambda draw, ink: draw.rectangle((2, 2, 29, 29), outline=ink, width=2),
    "corner": lambda draw, ink: draw.line(((3, 2), (3, 28), (29, 28)), fill=ink, width=4),
}
INKS = {"weapon": (90, 90, 90), "armour": (0, 0, 160), "food": (200, 0, 0)}
INKS |= {"monster": (0, 120, 0), "wall": (0, 0, 0), "potion": (0, 0, 0), "spell": (0, 0, 0)}
# (face name, drawing, side, ink or None for the class's ink)
FACES = (
    ("./arch/system/bug.111", "bar", 32, (0, 0, 0)),  # left out
    ("./arch/weapon/sword/katana.111", "disc", 32, None),
    ("./arch/weapon/sword/katana.112", "ring", 32, None),  # a frame: the katana
    ("./arch/weapon/axe/axe.111", "cross", 32, None),
    ("./arch/weapon/bow/bow.111", "bar", 32, None),
    ("./arch/weapon/bow/bow2.111", "bar", 32, None),  # bow's pixels again: dropped
    ("./arch/armour/helmet/helmet.111", "triangle", 32, None),
    ("./arch/armour/helmet/helmet_red.111", "frame", 32, None),  # a colour word: the helmet
    ("./arch/armour/shield/shield.111", "plus", 32, None),
    ("./arch/armour/shield/buckler.111", "plus", 32, (0, 90, 255)),  # recoloured: the shield
    ("./arch/food/apple/apple.111", "disc", 32, None),
    ("./arch/food/loaf/loaf.111", "frame", 32, None),
    ("./arch/monster/giant/ogre.x11", "corner", 64, None),  # two tiles high and wide
    ("./arch/monster/animal/bat.111", "triangle", 32, None),
    ("./arch/wall/stone/stone.111", "frame", 32, None),  # map tiles and spells: left out
    ("./arch/spell/Bolt/bolt.111", "cross", 32, None),
    ("./arch/potion/vial_red.111", "ring", 32, None),
)


def png(shape: str, side: int, ink: tuple[int, int, int]) -> bytes:
    """A clear ``side`` px face with one drawing of ``SHAPES`` (drawn at 32 px), as PNG."""
    face = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    SHAPES[shape](ImageDraw.Draw(face), ink)
    buffer = io.BytesIO()
    face.save(buffer, format="PNG")
    return buffer.getvalue()


def face_file(path: Path, faces: tuple[tuple[str, str, int, tuple | None], ...]) -> Path:
    """A face file as the client caches it: ``IMAGE <bytes> <name>`` and the PNG, in turn."""
    chunks = []
    for name, shape, side, ink in faces:
        kind = name.split("/")[2]
        data = png(shape, side, ink or INKS[kind])
        chunks.append(f"IMAGE {len(data)} {name}\n".encode() + data)
    path.write_bytes(b"".join(chunks))
    return path


@pytest.fixture
def faces(tmp_path: Path) -> Path:
    return face_file(tmp_path / "crossfire.base", FACES)


# ------------------------------------------------------------------ reading the face file


def test_face_index_follows_each_header_s_length():
    data = b"IMAGE 3 ./arch/a/b.111\nabcIMAGE 2 ./arch/c/d.112\nxyIMAGE"  # a broken tail
    # each header is 23 bytes: the first face's bytes at 23-25, the second header at 26-48
    assert fresh17.face_index(data) == {"./arch/a/b.111": (23, 3), "./arch/c/d.112": (49, 2)}
    assert data[23:26] == b"abc" and data[49:51] == b"xy"


def test_face_picture_reads_one_face_as_rgba(faces):
    picture = fresh17.face_picture(faces, "./arch/monster/giant/ogre.x11")
    assert picture.mode == "RGBA" and picture.size == (64, 64)
    assert picture.getpixel((3, 10)) == (0, 120, 0, 255) and picture.getpixel((40, 5))[3] == 0


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("./arch/weapon/sword/katana.111", "weapon"),
        ("./arch/construct/town/building4_east.x11", "building"),
        ("./arch/misc/Container/chest_1.111", "container"),  # the longer folder wins
        ("./arch/misc/anchor.111", None),  # the rest of misc
        ("./arch/food/apple/apple.111", "food"),
        ("./arch/foodstuff/x.111", None),  # a folder, not a prefix of a word
        ("./arch/potion/vial_red.111", None),
        ("./arch/wall/cave/cave1.111", None),
    ],
)
def test_face_kind_is_the_longest_arch_folder_listed(name, kind):
    assert fresh17.face_kind(name) == kind


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("./arch/weapon/sword/katana.112", "weapon/sword/katana"),
        ("./arch/flesh/dragon/dragon_blue_scale.111", "flesh/dragon/dragon_scale"),
        ("./arch/construct/tower/lighthouse_northwest.x11", "construct/tower/lighthouse"),
        ("./arch/talisman/amulet_darkred.111", "talisman/amulet"),
        ("./arch/talisman/ring_fire.111", "talisman/ring_fire"),  # not a colour word
        ("./arch/food/rose_red.111", "food/rose"),
        ("./arch/jewel/red.111", "jewel/red"),  # nothing left once colours go: the stem
    ],
)
def test_face_object_drops_frames_and_colour_and_direction_words(name, family):
    assert fresh17.face_object(name) == family


def test_crossfire_entries_class_faces_of_the_kinds_used(faces):
    found = [(c, g, p.as_posix()) for c, g, p in fresh17.crossfire_entries(faces)]
    assert found == [
        ("armour", "armour/helmet/helmet", "arch/armour/helmet/helmet.111"),
        ("armour", "armour/helmet/helmet", "arch/armour/helmet/helmet_red.111"),
        ("armour", "armour/shield/buckler", "arch/armour/shield/buckler.111"),
        ("armour", "armour/shield/shield", "arch/armour/shield/shield.111"),
        ("food", "food/apple/apple", "arch/food/apple/apple.111"),
        ("food", "food/loaf/loaf", "arch/food/loaf/loaf.111"),
        ("monster", "monster/animal/bat", "arch/monster/animal/bat.111"),
        ("monster", "monster/giant/ogre", "arch/monster/giant/ogre.x11"),
        ("weapon", "weapon/axe/axe", "arch/weapon/axe/axe.111"),
        ("weapon", "weapon/bow/bow", "arch/weapon/bow/bow.111"),
        ("weapon", "weapon/bow/bow2", "arch/weapon/bow/bow2.111"),
        ("weapon", "weapon/sword/katana", "arch/weapon/sword/katana.111"),
        ("weapon", "weapon/sword/katana", "arch/weapon/sword/katana.112"),
    ]


def test_recolour_groups_chain_one_silhouette_within_a_class_and_keep_groups_whole(faces):
    def picture(key: Path) -> Image.Image:
        return fresh17.face_picture(faces, f"./{key.as_posix()}")

    p = Path
    entries = [
        ("armour", "s", p("arch/armour/shield/shield.111")),  # plus
        ("armour", "b", p("arch/armour/shield/buckler.111")),  # plus, another ink: joined
        ("armour", "h", p("arch/armour/helmet/helmet.111")),  # triangle
        ("armour", "h", p("arch/armour/helmet/helmet_red.111")),  # frame, one group with it
        ("monster", "b", p("arch/monster/animal/bat.111")),  # triangle in another class
        ("monster", "o", p("arch/monster/giant/ogre.x11")),  # 64 px: not compared
        ("food", "l", p("arch/food/loaf/loaf.111")),  # frame in another class
    ]
    groups = [group for _, group, _ in fresh17.recolour_groups(entries, picture)]
    assert groups == ["s", "s", "h", "h", "b", "o", "l"]


def test_crossfire_name_is_the_face_s_arch_path():
    path = Path("arch/weapon/sword/katana.111")
    assert fresh17.crossfire_name(path) == "weapon_sword_katana_111"
    assert fresh17.crossfire_name(Path("arch/monster/giant/ogre.x11")) == "monster_giant_ogre_x11"


# ------------------------------------------------------------------ the plan on a small file


def test_plan_keeps_objects_and_recolours_whole_and_drops_repeats(faces):
    items = fresh17.plan_crossfire(faces)
    assert items == fresh17.plan_crossfire(faces)
    labels = assert_leak_free_plan(items, 4)
    totals = labels["train"] + labels["test"]
    # bow2 repeats bow's pixels in one class: the first (sorted name) stays
    assert totals == {"armour": 4, "food": 2, "monster": 2, "weapon": 4}
    names = {item.name for item in items}
    assert "weapon_bow_bow2_111" not in names
    assert not any(n.startswith(("wall", "spell", "potion", "system")) for n in names)
    group = {item.name: item.group for item in items}
    assert group["weapon_sword_katana_111"] == group["weapon_sword_katana_112"]
    assert group["armour_shield_buckler_111"] == group["armour_shield_shield_111"]
    assert group["armour_helmet_helmet_111"] == group["armour_helmet_helmet_red_111"]
    # two or three groups a class: one is test, the others train
    sides = Counter((i.label, i.split) for i in {(i.label, i.group): i for i in items}.values())
    assert all(sides[(label, "test")] == 1 for label in totals)
    item = next(i for i in items if i.name == "monster_giant_ogre_x11")
    assert item.source == faces and item.element == "./arch/monster/giant/ogre.x11"
    assert item.render == "crossfire"


def test_prepare_fits_a_face_into_64_px_on_white(faces):
    item = holdout_sets.Item(
        "train", "weapon", "x", faces, "./arch/weapon/bow/bow.111", "b", "crossfire"
    )
    fitted = prepare.load_item(item)
    assert fitted.mode == "RGB" and fitted.size == (64, 64)
    pixels = np.asarray(fitted).astype(int)
    # cropped to the bar (32x11), scaled to 64x22 and centred: rows 21-42 grey, the rest white
    assert (abs(pixels[32] - 90) <= 2).all() and (pixels[5] == 255).all()
    assert (pixels[58] == 255).all()


# ------------------------------------------------------------------ on the package


def test_crossfire_set_is_registered():
    assert "crossfire" in SETS and "fillets" in SETS
    spec = SETS["crossfire"]
    assert spec.package == "crossfire-client-images" and spec.root == fresh17.CROSSFIRE_ROOT
    assert spec.needs == (fresh17.CROSSFIRE_FACES,)
    assert fresh2.PICTURE_READERS["crossfire"] is fresh17.read_face
    assert prepare.FITTED_SIDES["crossfire"] == 64


def test_crossfire_entries_of_the_package():
    skip_unless_installed("crossfire")
    data, index = fresh17.read_faces(fresh17.CROSSFIRE_FACES)
    assert len(index) == data.count(b"IMAGE ") == 5767  # no header inside a PNG
    entries = fresh17.crossfire_entries()
    # also counted with grep over the IMAGE lines' arch folders
    assert Counter(label for label, _, _ in entries) == {
        "monster": 1105, "weapon": 304, "building": 171, "armour": 125, "container": 87,
        "jewel": 65, "food": 64, "flesh": 59, "talisman": 56,
    }  # fmt: skip


def test_crossfire_plan_is_leak_free_deterministic_and_of_the_expected_size():
    skip_unless_installed("crossfire")
    items = SETS["crossfire"].plan()
    assert items == SETS["crossfire"].plan()
    labels = assert_leak_free_plan(items, 9)
    assert labels["train"] == {
        "armour": 35, "building": 35, "container": 35, "flesh": 35, "food": 35, "jewel": 33,
        "monster": 35, "talisman": 31, "weapon": 35,
    }  # fmt: skip
    assert labels["test"] == {
        "armour": 15, "building": 15, "container": 15, "flesh": 15, "food": 15, "jewel": 14,
        "monster": 15, "talisman": 12, "weapon": 15,
    }  # fmt: skip
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    sides: dict[str, set[str]] = {}
    for item in items:  # an object (its frames and colour variants) on one side
        sides.setdefault(fresh17.face_object(str(item.element)), set()).add(item.split)
    assert all(len(s) == 1 for s in sides.values())
    assert all(item.render == "crossfire" for item in items)


@pytest.mark.parametrize("index", [0, -1])
def test_prepare_fits_package_faces_into_their_listed_side(index):
    skip_unless_installed("crossfire")
    item = SETS["crossfire"].plan()[index]
    expected = prepare.fit_on_white(fresh17.read_face(item), 64)
    assert expected.mode == "RGB" and expected.size == (64, 64)
    assert np.array_equal(np.asarray(prepare.load_item(item)), np.asarray(expected))
