"""The twelfth fresh hold-out's set (fillets, ``holdout_sets_fresh16``): levels' areas from the
world description, light models' pictures from a level's models, object families, families of
two areas dropped, levels chained by a shared family, and a leak-free, deterministic plan on a
small game made here and on the Debian package. Checks that read the package skip, naming it,
where it is not installed."""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh16 as fresh16  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS  # noqa: E402
from plan_checks import assert_leak_free_plan, skip_unless_installed  # noqa: E402

# ------------------------------------------------------------------ a game made here


SHAPES = {  # distinct drawings, also once cropped to their visible pixels (fresh3's thumbnails)
    "disc": lambda draw, ink: draw.ellipse((2, 2, 42, 42), fill=ink),
    "ring": lambda draw, ink: draw.ellipse((2, 2, 42, 42), outline=ink, width=4),
    "cross": lambda draw, ink: [draw.line(xy, fill=ink, width=5) for xy in CROSS],
    "bar": lambda draw, ink: draw.rectangle((0, 15, 44, 29), fill=ink),
    "triangle": lambda draw, ink: draw.polygon(((22, 2), (42, 42), (2, 42)), fill=ink),
    "plus": lambda draw, ink: [draw.line(xy, fill=ink, width=5) for xy in PLUS],
    "frame": lambda draw, ink: draw.rectangle((2, 2, 42, 42), outline=ink, width=3),
    "corner": lambda draw, ink: draw.line(((4, 2), (4, 40), (42, 40)), fill=ink, width=6),
}
# The ink of a level's pictures, by its first letter: one drawing in two areas is two pictures
# (``unique_icons`` drops a picture found in two areas altogether).
INKS = {"d": (90, 50, 0), "u": (0, 120, 0), "c": (200, 0, 0), "h": (0, 0, 0), "n": (0, 0, 160)}
CROSS = ((2, 2, 42, 42), (2, 42, 42, 2))
PLUS = ((22, 2, 22, 42), (2, 22, 42, 22))
WORLD_LINES = (
    'worldmap_addDesc("menu", "en", "Game menu", "Fish Fillets - Next Generation")',
    'worldmap_addDesc("d1", "en", "Barrels", "Dump")',
    'worldmap_addDesc("d1", "cs", "Sudy", "Skladka")',  # not English: not read
    'worldmap_addDesc("d2", "en", "Ducks", "Dump")',
    'worldmap_addDesc("u1", "en", "Weapons", "UFO")',
    'worldmap_addDesc("u2", "en", "Eyes", "UFO")',
    'worldmap_addDesc("c1", "en", "Corals", "Coral reef")',
    'worldmap_addDesc("c2", "en", "Shells", "Coral reef")',
    'worldmap_addDesc("h1", "en", "Books", "Fish House")',
    'worldmap_addDesc("h2", "en", "More books", "Fish House")',
    'worldmap_addDesc("h3", "en", "Chairs", "Fish House")',
    'worldmap_addDesc("n1", "en", "Linux", "Branch of the New Generation")',  # left out
)


def picture(root: Path, level: str, name: str, shape: str) -> None:
    """A 45x45 clear sprite with one drawing of ``SHAPES`` in the level's ink, as
    ``images/<level>/<name>``."""
    sprite = Image.new("RGBA", (45, 45), (0, 0, 0, 0))
    SHAPES[shape](ImageDraw.Draw(sprite), INKS[level[0]])
    path = root / "images" / level / name
    path.parent.mkdir(parents=True, exist_ok=True)
    sprite.save(path)


def level(root: Path, codename: str, *models: tuple[str, str, str]) -> None:
    """A level whose ``models.lua`` places ``models`` (kind, file, shape) as the game writes
    them, a wall and the two fish; each picture file is drawn."""
    lines = ['createRoom(10, 10, "images/"..codename.."/room-p.png")']
    lines += ['room = addModel("item_fixed", 0, 0, [[\nXX\n]])']
    lines += ['addItemAnim(room, "images/"..codename.."/room-w.png")']
    lines += ['small = addModel("fish_small", 1, 1, [[\nXXX\n]])']
    lines += ['addFishAnim(small, LOOK_RIGHT, "images/fishes/small")']
    picture(root, codename, "room-w.png", "frame")
    for index, (kind, name, shape) in enumerate(models):
        lines += [f'obj{index} = addModel("{kind}", 2, 2, [[\nX\n]])']
        lines += [f'addItemAnim(obj{index}, "images/"..codename.."/{name}")']
        picture(root, codename, name, shape)
    path = root / "script" / codename / "models.lua"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def game(tmp_path: Path) -> Path:
    """Four areas of two level groups each, and what the plan leaves out."""
    root = tmp_path / "fillets-ng"
    (root / "script").mkdir(parents=True)
    (root / "script" / "worlddesc.lua").write_text("\n".join(WORLD_LINES) + "\n", encoding="utf-8")
    light, heavy = "item_light", "item_heavy"
    level(root, "d1", (light, "barel_00.png", "disc"), (light, "krab_00.png", "cross"),
          (heavy, "12-ocel.png", "bar"))  # fmt: skip
    level(root, "d2", (light, "kachna_00.png", "triangle"), (light, "kachna-b.png", "ring"))
    level(root, "u1", (light, "krab_01.png", "cross"), (light, "zbran.png", "frame"))
    level(root, "u2", (light, "oko_00.png", "plus"))
    level(root, "c1", (light, "koral.png", "disc"))
    level(root, "c2", (light, "musla.png", "triangle"), (light, "perla.png", "disc"))
    level(root, "h1", (light, "kniha.png", "bar"))
    level(root, "h2", (light, "kniha2.png", "ring"))  # family kniha: chained with h1
    level(root, "h3", (light, "zidle_m.png", "corner"))
    level(root, "n1", (light, "tux.png", "plus"))  # an area left out
    return root


# ------------------------------------------------------------------ reading a level


def test_level_areas_read_english_areas_of_the_classes_only(game):
    assert fresh16.level_areas(game) == {
        "d1": "dump", "d2": "dump", "u1": "ufo", "u2": "ufo", "c1": "coral_reef",
        "c2": "coral_reef", "h1": "fish_house", "h2": "fish_house", "h3": "fish_house",
    }  # fmt: skip


def test_light_pictures_follow_each_model_s_kind_and_skip_expressions():
    models = "\n".join(
        [
            'room = addModel("item_fixed", 0, 0, [[\nXX\n]])',
            'addItemAnim(room, "images/"..codename.."/room-w.png")',
            'vase = addModel("item_light", 1, 1, [[\nX\n]])',
            'addItemAnim(vase, "images/"..codename.."/vaza_00.png")',
            'item_heavy = addModel("item_heavy", 2, 2, [[\nX\n]])',
            'addItemAnim(item_heavy, "images/"..codename.."/12-ocel.png")',
            'ball = addModel("item_light", 3, 3, [[\nX\n]])',
            'addItemAnim(ball, "images/"..codename.."/micek_0"..random(6)..".png")',
            'big = addModel("fish_big", 4, 4, [[\nXX\n]])',
            'addFishAnim(big, LOOK_LEFT, "images/fishes/big")',
            'vase = addModel("item_heavy", 5, 5, [[\nX\n]])',  # the name reused: now heavy
            'addItemAnim(vase, "images/"..codename.."/anchor.png")',
            'crab = addModel("item_light", 6, 6, [[\nX\n]])',
            'addItemAnim(crab,  "images/"..codename.."/krab_00.png")',
        ]
    )
    assert fresh16.light_pictures(models) == ["vaza_00.png", "krab_00.png"]


@pytest.mark.parametrize(
    ("stem", "family"),
    [
        ("krystal-m_00", "krystal"),  # a frame number and a colour letter
        ("krystal_00", "krystal"),
        ("12-ocel", "ocel"),  # a leading size
        ("korunka1", "korunka"),
        ("plutonium-8-_00", "plutonium-8"),  # only the last ending goes
        ("vaza_cervena-a", "vaza_cervena"),
        ("zidle_m", "zidle_m"),  # a word after ``_`` stays: another object
        ("Kniha", "kniha"),
        ("007", "007"),  # nothing left once digits go: the stem
    ],
)
def test_object_family_drops_frames_sizes_and_variant_endings(stem, family):
    assert fresh16.object_family(stem) == family


def test_fillets_entries_read_light_models_of_the_areas_used(game):
    entries = fresh16.fillets_entries(game)
    assert [(label, family, path.relative_to(game / "images").as_posix()) for label, family, path
            in entries] == [
        ("coral_reef", "c1/koral", "c1/koral.png"),
        ("coral_reef", "c2/musla", "c2/musla.png"),
        ("coral_reef", "c2/perla", "c2/perla.png"),
        ("dump", "d1/barel", "d1/barel_00.png"),
        ("dump", "d1/krab", "d1/krab_00.png"),
        ("dump", "d2/kachna", "d2/kachna-b.png"),
        ("dump", "d2/kachna", "d2/kachna_00.png"),
        ("fish_house", "h1/kniha", "h1/kniha.png"),
        ("fish_house", "h2/kniha", "h2/kniha2.png"),
        ("fish_house", "h3/zidle_m", "h3/zidle_m.png"),
        ("ufo", "u1/krab", "u1/krab_01.png"),
        ("ufo", "u1/zbran", "u1/zbran.png"),
        ("ufo", "u2/oko", "u2/oko_00.png"),
    ]  # fmt: skip


def test_area_families_drop_a_family_two_areas_use(game):
    kept = fresh16.area_families(fresh16.fillets_entries(game))
    # krab: in dump and ufo, so in neither
    assert {path.name for *_, path in kept} == {
        "koral.png", "musla.png", "perla.png", "barel_00.png", "kachna-b.png", "kachna_00.png",
        "kniha.png", "kniha2.png", "zidle_m.png", "zbran.png", "oko_00.png",
    }  # fmt: skip


def test_level_chains_join_levels_of_one_class_that_share_a_family():
    p = Path("x.png")
    entries = [
        ("a", "l1/vase", p), ("a", "l2/cup", p), ("a", "l3/vase", p), ("a", "l3/bowl", p),
        ("a", "l4/bowl", p), ("a", "l5/key", p), ("b", "l6/key", p), ("b", "l7/hat", p),
    ]  # fmt: skip
    groups = [group for _, group, _ in fresh16.level_chains(entries)]
    # l1-l3 by the vase, l3-l4 by the bowl: one chain, named after l1; l5 and l6 share a key
    # but not a class
    assert groups == ["l1", "l2", "l1", "l1", "l1", "l5", "l6", "l7"]


def test_fillets_name_keeps_the_level_since_file_names_repeat():
    assert fresh16.fillets_name(Path("/g/images/cave/vazav_01.png")) == "cave_vazav_01"
    assert fresh16.fillets_name(Path("/g/images/aztec/vazav.png")) == "aztec_vazav"


# ------------------------------------------------------------------ the plan on a small game


def test_plan_keeps_levels_whole_and_drops_repeats_and_shared_families(game):
    items = fresh16.plan_fillets(game)
    assert items == fresh16.plan_fillets(game)
    labels = assert_leak_free_plan(items, 4)
    totals = labels["train"] + labels["test"]
    # perla repeats koral's pixels in one area: the first (c1) stays; krab is in two areas
    assert totals == {"coral_reef": 2, "dump": 3, "fish_house": 3, "ufo": 2}
    names = {item.name for item in items}
    assert not names & {"c2_perla", "d1_krab_00", "u1_krab_01", "d1_12_ocel", "n1_tux"}
    assert not any("room" in name for name in names)  # walls and backgrounds
    group = {item.name: item.group for item in items}
    assert group["h1_kniha"] == group["h2_kniha2"] == "h1"  # one family: one group
    assert group["d2_kachna_00"] == group["d2_kachna_b"] == "d2"
    assert group["h3_zidle_m"] == "h3" and group["c1_koral"] == "c1"
    # two groups a class: one is test, the other train
    sides = Counter((i.label, i.split) for i in {(i.label, i.group): i for i in items}.values())
    assert all(sides[(label, "test")] == sides[(label, "train")] == 1 for label in totals)
    item = next(i for i in items if i.name == "u2_oko_00")
    assert item.source == game / "images/u2/oko_00.png" and item.element is None
    assert item.render == "fillets"


def test_prepare_fits_a_sprite_into_64_px_on_white(game):
    source = game / "images/h1/kniha.png"  # a 45x15 black bar on a clear sprite (ink "h")
    item = holdout_sets.Item("train", "fish_house", "h1_kniha", source, None, "h1", "fillets")
    fitted = prepare.load_item(item)
    assert fitted.mode == "RGB" and fitted.size == (64, 64)
    pixels = np.asarray(fitted)
    # cropped to the bar (45x15), scaled to 64x21 and centred: rows 21-42 black, the rest white
    assert (pixels[32] < 40).all() and (pixels[5] == 255).all() and (pixels[58] == 255).all()


# ------------------------------------------------------------------ on the package


def test_fillets_set_is_registered():
    assert "fillets" in SETS and "mlfigures" in SETS
    spec = SETS["fillets"]
    assert spec.package == "fillets-ng-data" and spec.root == fresh16.FILLETS_ROOT
    assert spec.needs == () and "fillets" not in fresh2.PICTURE_READERS
    assert prepare.FITTED_SIDES["fillets"] == 64
    assert sorted(fresh16.FILLETS_AREAS.values()) == [
        "city_in_the_deep", "coral_reef", "dump", "fish_house", "secret_computer",
        "ship_wrecks", "silvers_ship", "treasure_cave", "ufo",
    ]  # fmt: skip


def test_level_areas_of_the_package_match_the_world_description_s_count():
    skip_unless_installed("fillets")
    areas = Counter(fresh16.level_areas().values())
    # counted by hand in script/worlddesc.lua's English lines
    assert areas == {
        "ship_wrecks": 11, "city_in_the_deep": 10, "fish_house": 9, "coral_reef": 8,
        "silvers_ship": 7, "dump": 7, "ufo": 7, "treasure_cave": 6, "secret_computer": 6,
    }  # fmt: skip


def scan_light_pictures(models: Path) -> set[str]:
    """A second reading of a ``models.lua``, line by line: the kind each name was last given,
    and the literal picture file of each ``addItemAnim`` of a light model."""
    kind_of: dict[str, str] = {}
    found = set()
    for line in models.read_text(encoding="utf-8").splitlines():
        if "= addModel(" in line:
            name, _, rest = line.partition("=")
            kind_of[name.strip()] = rest.split('"')[1]
        elif line.startswith("addItemAnim("):
            name, _, rest = line[len("addItemAnim(") :].partition(",")
            prefix = '"images/"..codename.."/'
            file = rest.strip().removeprefix(prefix).removesuffix('")')
            literal = rest.strip().startswith(prefix) and '"' not in file
            if kind_of.get(name.strip()) == "item_light" and literal:
                found.add(file)
    return found


def test_fillets_entries_match_a_line_by_line_count_of_light_models():
    skip_unless_installed("fillets")
    root = fresh16.FILLETS_ROOT
    expected = {
        f"{lvl}/{name}"
        for lvl in fresh16.level_areas()
        for name in scan_light_pictures(root / "script" / lvl / "models.lua")
    }
    entries = fresh16.fillets_entries()
    assert {path.relative_to(root / "images").as_posix() for *_, path in entries} == expected
    assert len(entries) == 665  # also counted with awk over the 71 levels' models.lua
    relative = {path.relative_to(root / "images").as_posix() for *_, path in entries}
    assert "barrel/kachna_00.png" in relative and "barrel/12-ocel.png" not in relative  # heavy
    assert "barrel/barely-okoli.png" not in relative  # the room's walls


def test_fillets_plan_is_leak_free_deterministic_and_of_the_expected_size():
    skip_unless_installed("fillets")
    items = SETS["fillets"].plan()
    assert items == SETS["fillets"].plan()
    labels = assert_leak_free_plan(items, 9)
    assert labels["train"] == {
        "city_in_the_deep": 32, "coral_reef": 30, "dump": 39, "fish_house": 24,
        "secret_computer": 45, "ship_wrecks": 41, "silvers_ship": 21, "treasure_cave": 33,
        "ufo": 45,
    }  # fmt: skip
    assert labels["test"] == {
        "city_in_the_deep": 13, "coral_reef": 6, "dump": 14, "fish_house": 8,
        "secret_computer": 12, "ship_wrecks": 17, "silvers_ship": 5, "treasure_cave": 4,
        "ufo": 6,
    }  # fmt: skip
    families = Counter((i.label, i.source.parent.name, fresh16.object_family(i.source.stem))
                       for i in items)  # fmt: skip
    assert max(families.values()) <= fresh2.FAMILY_MOST
    assert all(item.render == "fillets" and item.element is None for item in items)


def test_fillets_plan_keeps_levels_whole_and_leaves_out_props_of_every_area():
    skip_unless_installed("fillets")
    items = SETS["fillets"].plan()
    sides: defaultdict[str, set[str]] = defaultdict(set)
    for item in items:
        sides[item.source.parent.name].add(item.split)
    assert all(len(s) == 1 for s in sides.values()), "a level is on both sides of the split"
    group = {item.source.parent.name: item.group for item in items}
    assert group["duckie"] == group["barrel"] == "barrel"  # both use kachna (a duck)
    assert group["cave"] == "cave" and group["aztec"] == group["alibaba"]  # vazav, amphorae
    families = {fresh16.object_family(item.source.stem) for item in items}
    assert not families & {"krab", "maly_snek", "lebzna", "ocel", "shell"}  # in several areas


@pytest.mark.parametrize("index", [0, -1])
def test_prepare_fits_package_sprites_into_their_listed_side(index):
    skip_unless_installed("fillets")
    item = SETS["fillets"].plan()[index]
    with Image.open(item.source) as image:
        expected = prepare.fit_on_white(image, 64)
    assert expected.mode == "RGB" and expected.size == (64, 64)
    assert np.array_equal(np.asarray(prepare.load_item(item)), np.asarray(expected))
