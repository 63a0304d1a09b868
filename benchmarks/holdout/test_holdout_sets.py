"""The hold-out sets emoji, icons, stamps, furniture, outfits and flags: parsing, group rules
and leak-free, deterministic plans. The development sets (cards, freedroid, megaglest) are
checked in ``benchmarks/test_holdout.py``. Checks that read a Debian package skip, naming it,
where it is not installed."""

from __future__ import annotations

import shutil
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS, Emoji, Item  # noqa: E402
from plan_checks import assert_leak_free_plan, skip_unless_installed  # noqa: E402

EMOJI_TEST_SAMPLE = """\
# group: Smileys & Emotion

# subgroup: face-smiling
1F600                   ; fully-qualified # 😀 E1.0 grinning face
263A FE0F               ; fully-qualified # ☺️ E0.6 smiling face
263A                    ; unqualified     # ☺ E0.6 smiling face

# Smileys & Emotion subtotal:		3

# group: People & Body

# subgroup: person-role
1F468 200D 1F373        ; fully-qualified # 👨‍🍳 E4.0 man cook
1F468 1F3FB 200D 1F373  ; fully-qualified # 👨🏻‍🍳 E4.0 man cook: light skin tone

# group: Component

# subgroup: skin-tone
1F3FB                   ; component       # 🏻 E1.0 light skin tone
"""

FURNITURE_CATALOG_SAMPLE = """\
# Sweet Home 3D catalog
id#1=scopia#bed1
name#1=Bed
category#1=Bedroom
icon#1=/scopia/bed1.png
category#2 = Miscellaneous
icon#2 = /scopia/keys.png
name#3=Bill 10\\u20ac
category#3=Office
"""

OUTFITS_SAMPLE = """\
outfit "Small Ion Steering"
\tcategory "Engines"
\t"cost" 5000
\tthumbnail "outfit/small ion steering"
\tdescription "A thruster."

# a comment between nodes
outfit "Laser"
\tthumbnail "outfit/laser"
\tweapon
\t\tcategory "Not this one"
\tcategory "Guns"
ship "Sparrow"
\tthumbnail "ship/sparrow"
\tcategory "Interceptor"
outfit "No picture"
\tcategory "Systems"
"""


needs = skip_unless_installed


# ----------------------------------------------------------------------- parsing and groups


def test_parse_emoji_test_keeps_fully_qualified_emoji_with_group_and_subgroup():
    parsed = holdout_sets.parse_emoji_test(EMOJI_TEST_SAMPLE)
    assert parsed == [
        Emoji((0x1F600,), "Smileys & Emotion", "face-smiling", "grinning face"),
        Emoji((0x263A, 0xFE0F), "Smileys & Emotion", "face-smiling", "smiling face"),
        Emoji((0x1F468, 0x200D, 0x1F373), "People & Body", "person-role", "man cook"),
        Emoji(
            (0x1F468, 0x1F3FB, 0x200D, 0x1F373),
            "People & Body",
            "person-role",
            "man cook: light skin tone",
        ),
    ]
    assert parsed[2].code == "1f468-200d-1f373"


def test_split_groups_by_size_fills_the_test_share_with_whole_groups():
    groups = ["big"] * 10 + ["b", "c", "d"]  # 13 images: target 0.3 * 13 = 3.9
    assert holdout_sets.split_groups_by_size(groups, "k") == {"b", "c", "d"}  # any shuffle
    two = ["x"] * 5 + ["y"] * 5  # both larger than the target: one group, never both
    chosen = holdout_sets.split_groups_by_size(two, "k")
    assert len(chosen) == 1 and chosen == holdout_sets.split_groups_by_size(two[::-1], "k")
    many = [f"g{i % 7}" for i in range(40)]
    assert holdout_sets.split_groups_by_size(many, "k") == holdout_sets.split_groups_by_size(
        sorted(many), "k"
    )
    with pytest.raises(ValueError, match="at least 2 groups"):
        holdout_sets.split_groups_by_size(["a", "a"], "k")


def test_group_rules_keep_variants_of_one_drawing_together():
    assert holdout_sets.slug("Smileys & Emotion") == "smileys_emotion"
    icon = holdout_sets.icon_group
    assert icon("folder-red") == icon("folder-documents") == icon("folder") == "folder"
    assert icon("weather-showers-scattered-night") == "weather"
    stamp = holdout_sets.stamp_group
    assert stamp("vehicles/iso_lorry3") == stamp("vehicles/iso_bus") == "vehicles/iso"
    assert stamp("space/rocket5") == stamp("space/rocket1") == "space/rocket"
    assert stamp("food/fruit/Apricot_whole") == stamp("food/fruit/apricot") == "food/fruit/apricot"
    assert stamp("space/planets/0_sun") == "space/planets/0_sun"  # no word left: the name
    assert holdout_sets.from_openclipart("town/houses/cartoon/inn")  # a whole folder
    assert holdout_sets.from_openclipart("household/dishes/glass")
    assert not holdout_sets.from_openclipart("household/dishes/mug")


def test_parse_furniture_catalog_pairs_category_and_icon_by_piece_number():
    assert holdout_sets.parse_furniture_catalog(FURNITURE_CATALOG_SAMPLE) == [
        ("Bedroom", "scopia/bed1.png"),
        ("Miscellaneous", "scopia/keys.png"),
    ]  # piece 3 has no icon


def test_parse_outfits_reads_top_level_outfit_fields_only():
    assert holdout_sets.parse_outfits(OUTFITS_SAMPLE) == [
        ("Engines", "outfit/small ion steering"),
        ("Guns", "outfit/laser"),
    ]


def test_parse_nation_reads_groups_and_flag():
    text = '[nation_x]\ngroups="Modern", "European", "Core"\nflag="france"\nflag_alt = "-"\n'
    assert holdout_sets.parse_nation(text) == (["Modern", "European", "Core"], "france")


def test_new_group_rules_keep_variants_together():
    furniture = holdout_sets.furniture_group
    assert furniture("scopia/bed1") == furniture("scopia/bed2") == "scopia/bed"
    assert furniture("scopia/sofaRed") == furniture("scopia/sofa-blue") == "scopia/sofa"
    assert furniture("scopia/com_bath2_soap") == "scopia/com"
    assert furniture("blendswap-cc-0/bed1") != furniture("scopia/bed1")  # other catalog
    outfit = holdout_sets.outfit_group
    assert outfit("small atomic steering hai") == outfit("huge atomic thruster") == "atomic"
    assert outfit("quad blaster turret") == outfit("blaster turret") == "blaster"
    assert outfit("anti-missile") == "anti-missile" and outfit("large") == "large"


def test_near_flag_groups_chain_near_identical_flags_within_a_class(tmp_path):
    colours = {"a": "red", "b": "red", "c": "blue", "d": "red"}
    for name, colour in colours.items():
        image = Image.new("RGB", (44, 30), colour)
        if name == "b":
            image.paste((255, 255, 255), (20, 12, 24, 16))  # a small emblem on flag a
        image.save(tmp_path / f"{name}.png")
    flags = [("x", n, tmp_path / f"{n}.png") for n in ("a", "b", "c")]
    flags.append(("y", "d", tmp_path / "d.png"))  # same picture as a, other class
    groups = [group for _, group, _ in holdout_sets.near_flag_groups(flags)]
    assert groups == ["a", "a", "c", "d"]


def test_cap_per_class_spreads_the_kept_items_over_each_side():
    items = [Item("train", "a", f"t{i}", Path(f"t{i}")) for i in range(10)]
    items += [Item("test", "a", f"s{i}", Path(f"s{i}")) for i in range(3)]
    kept = holdout_sets.cap_per_class(items, train=5, test=2)
    assert [i.name for i in kept] == ["t0", "t2", "t4", "t6", "t8", "s0", "s1"]


# ------------------------------------------------------------------------------------- plans


def check_plan(
    name: str, classes: int, train: tuple[int, int], test: tuple[int, int]
) -> list[Item]:
    """Leak-free (no group on both sides within a class), deterministic, every class on both
    sides, unique output names, and the expected size."""
    items = SETS[name].plan()
    assert items == SETS[name].plan()
    labels = assert_leak_free_plan(items, classes)
    assert train[0] <= labels["train"].total() <= train[1]
    assert test[0] <= labels["test"].total() <= test[1]
    return items


def test_emoji_plan_splits_by_subgroup_without_skin_tones_flags_or_symbols():
    needs("emoji")
    items = check_plan("emoji", classes=7, train=(600, 850), test=(200, 420))
    assert {i.label for i in items} == {
        "smileys_emotion",
        "people_body",
        "animals_nature",
        "food_drink",
        "travel_places",
        "activities",
        "objects",
    }
    points = [int(p, 16) for i in items for p in str(i.element).split("-")]
    assert not holdout_sets.SKIN_TONES.intersection(points)
    assert 0x1F1E6 not in points  # regional indicator A: flags are left out
    counts = Counter(i.label for i in items if i.split == "train")
    assert max(counts.values()) <= holdout_sets.EMOJI_TRAIN_PER_CLASS


def test_icons_plan_splits_by_name_family_without_links_or_repeats():
    needs("icons")
    items = check_plan("icons", classes=6, train=(250, 600), test=(100, 300))
    assert not [i for i in items if i.source.is_symlink()]
    assert {holdout_sets.png_size(i.source) for i in items} == {(64, 64)}
    digests = [holdout_sets.file_digest(i.source) for i in items]
    assert len(set(digests)) == len(digests)
    names = defaultdict(set)
    for item in items:
        names[item.name].add(item.split)
    assert all(len(s) == 1 for s in names.values()), "an icon name is on both sides"


def test_stamps_plan_leaves_out_openclipart_and_prefers_png_twins():
    needs("stamps")
    items = check_plan("stamps", classes=7, train=(180, 400), test=(80, 200))
    root = holdout_sets.STAMP_ROOT
    stems = [i.source.with_suffix("").relative_to(root).as_posix() for i in items]
    assert not [s for s in stems if holdout_sets.from_openclipart(s)]
    assert not [
        i for i in items if i.source.suffix == ".svg" and i.source.with_suffix(".png").exists()
    ]
    listed = [
        f"{folder}/{name}"
        for folder, names in holdout_sets.STAMPS_FROM_OPENCLIPART.items()
        for name in names.split()
        if name != "*"
    ]
    missing = [s for s in listed if not (root / f"{s}.txt").is_file()]
    assert not missing, f"listed openclipart stamps not in the package: {missing}"


def test_furniture_plan_reads_the_catalogs_without_repeats():
    needs("furniture")
    items = check_plan("furniture", classes=9, train=(300, 500), test=(120, 260))
    assert {i.label for i in items} == set(holdout_sets.FURNITURE_CLASSES.values())
    assert {i.source.suffix for i in items} == {".sh3f"} and all(i.element for i in items)
    counts = Counter(i.label for i in items if i.split == "train")
    assert max(counts.values()) <= holdout_sets.FURNITURE_TRAIN_PER_CLASS


def test_outfits_plan_splits_by_family_without_the_placeholder():
    needs("outfits")
    items = check_plan("outfits", classes=6, train=(140, 220), test=(55, 110))
    assert "unknown" not in {i.source.stem for i in items}
    digests = [holdout_sets.file_digest(i.source) for i in items]
    assert len(set(digests)) == len(digests)
    families = defaultdict(set)
    for item in items:
        families[(item.label, holdout_sets.outfit_group(item.source.stem))].add(item.split)
    assert all(len(s) == 1 for s in families.values()), "a family is on both sides"


def test_flags_plan_has_four_continents_and_single_continent_nations():
    needs("flags")
    items = check_plan("flags", classes=4, train=(250, 380), test=(100, 180))
    assert {i.label for i in items} == {"african", "american", "asian", "european"}
    nations = {flag: label for label, flag, _ in holdout_sets.nation_flags()}  # before the cap
    assert nations["france"] == nations["germany"] == "european" and nations["japan"] == "asian"
    assert not {"russia", "australia"} & set(nations)  # two continents; Oceania left out
    assert all(i.source.name.endswith("-large.png") for i in items)


# --------------------------------------------------------------------------------- rendering


def not_blank(image: Image.Image) -> bool:
    return image.getextrema() != ((255, 255), (255, 255), (255, 255))


def test_render_emoji_draws_a_colour_glyph_on_white():
    needs("emoji")
    image = prepare.render_emoji(holdout_sets.EMOJI_FONT, "1f34e")  # red apple
    assert image.mode == "RGB" and image.size == (prepare.EMOJI_SIDE, prepare.EMOJI_SIDE)
    assert image.getpixel((0, 0)) == (255, 255, 255) and not_blank(image)
    red, green, blue = image.getpixel((prepare.EMOJI_SIDE // 2, prepare.EMOJI_SIDE * 2 // 3))
    assert red > 150 and green < 100 and blue < 100  # colour, not a monochrome outline


def test_render_icon_and_stamp_composite_on_white():
    needs("icons")
    icon = prepare.render_icon(holdout_sets.ICON_ROOT / "places" / "folder-red.png")
    assert icon.mode == "RGB" and icon.size == (64, 64) and icon.getpixel((0, 0)) == (255,) * 3
    needs("stamps")
    if shutil.which("rsvg-convert") is None:
        pytest.skip("rsvg-convert is not installed (Debian librsvg2-bin)")
    for name in ("animals/birds/pelican.png", "food/cheese.svg"):
        stamp = prepare.render_stamp(holdout_sets.STAMP_ROOT / name)
        assert stamp.mode == "RGB" and stamp.size == (prepare.STAMP_SIDE, prepare.STAMP_SIDE)
        assert stamp.getpixel((0, 0)) == (255, 255, 255) and not_blank(stamp)


def test_fit_on_white_scales_small_flags_up_and_large_icons_down():
    flag = Image.new("RGBA", (44, 30), (200, 0, 0, 255))
    fitted = prepare.fit_on_white(flag, 64)
    assert fitted.size == (64, 64) and fitted.mode == "RGB"
    assert fitted.getpixel((32, 32)) == (200, 0, 0) and fitted.getpixel((32, 2)) == (255,) * 3
    icon = Image.new("RGBA", (128, 128), (0, 0, 0, 0))
    icon.paste((0, 0, 255, 255), (32, 32, 96, 64))  # 64x32 visible, transparent around it
    fitted = prepare.fit_on_white(icon, 96)
    assert fitted.getpixel((48, 48)) == (0, 0, 255) and fitted.getpixel((48, 10)) == (255,) * 3


def test_render_fitted_reads_furniture_from_its_catalog_and_outfits_and_flags():
    for name in ("furniture", "outfits", "flags"):
        needs(name)
        item = SETS[name].plan()[0]
        image = prepare.load_item(item)
        side = prepare.FITTED_SIDES[item.render]
        assert image.mode == "RGB" and image.size == (side, side) and not_blank(image)
