"""The hold-out sets furniture, outfits, flags, units, freeorion and pingus: parsing, group rules
and leak-free, deterministic plans. The development sets (cards, freedroid, megaglest) are
checked in ``benchmarks/test_holdout.py``. Checks that read a Debian package skip, naming it,
where it is not installed."""

from __future__ import annotations

import io
import sys
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS, Item  # noqa: E402
from plan_checks import check_plan, skip_unless_installed  # noqa: E402

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
    assert holdout_sets.slug("Living Room & Hall") == "living_room_hall"
    family = holdout_sets.name_family
    assert family("juggernaut-2") == family("Juggernaut_1") == family("juggernaut") == "juggernaut"
    assert family("asteroid_hull_small") == "asteroid" and family("grass16") == "grass"
    assert family("bigblock-broken3") == "bigblock" and family("2-1") == "2-1"  # no letters


def test_unit_role_reads_the_civilisation_and_role_from_the_portrait_name():
    role = holdout_sets.unit_role
    prefix = holdout_sets.UNIT_PORTRAITS
    assert role(f"{prefix}athen_cavalry_javelinist.png.cached.dds") == ("cavalry", "athen")
    assert role(f"{prefix}hele_ship_trireme.png") == ("ship", "hele")
    assert role(f"{prefix}han/infantry_archer.png.cached.dds") == ("infantry", "han")
    assert role(f"{prefix}support_female_citizen.png") == ("support", "generic")
    assert role(f"{prefix}rome_champion_infantry.png") is None  # a rank, left out
    assert role(f"{prefix}brit_war_dog.png") is None and role(f"{prefix}global_slave.png") is None


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


def test_units_plan_splits_by_civilisation_without_champions():
    needs("units")
    items = check_plan("units", classes=6, train=(140, 220), test=(50, 100))
    assert {i.label for i in items} == set(holdout_sets.UNIT_ROLES)
    assert all(i.source == holdout_sets.ZERO_AD_ZIP and i.element for i in items)
    assert not [i for i in items if "champion" in str(i.element)]
    civilisations = defaultdict(set)
    for item in items:
        civilisations[(item.label, item.group)].add(item.split)
    assert all(len(s) == 1 for s in civilisations.values()), "a civilisation is on both sides"


def test_freeorion_and_pingus_plans_keep_name_families_on_one_side():
    for name, classes, train, test in (
        ("freeorion", 5, (150, 260), (60, 120)),
        ("pingus", 8, (150, 260), (60, 120)),
    ):
        needs(name)
        items = check_plan(name, classes=classes, train=train, test=test)
        families = defaultdict(set)
        for item in items:
            kind = item.source.parent.parent.name if name == "pingus" else ""
            families[(item.label, kind, holdout_sets.name_family(item.source.stem))].add(item.split)
        assert all(len(s) == 1 for s in families.values()), f"{name}: a family on both sides"
    kinds = {i.source.parent.parent.name for i in SETS["pingus"].plan()}
    assert kinds == set(holdout_sets.PINGUS_KINDS)


# --------------------------------------------------------------------------------- rendering


def not_blank(image: Image.Image) -> bool:
    return image.getextrema() != ((255, 255), (255, 255), (255, 255))


def test_fit_on_white_scales_small_flags_up_and_large_icons_down():
    flag = Image.new("RGBA", (44, 30), (200, 0, 0, 255))
    fitted = prepare.fit_on_white(flag, 64)
    assert fitted.size == (64, 64) and fitted.mode == "RGB"
    assert fitted.getpixel((32, 32)) == (200, 0, 0) and fitted.getpixel((32, 2)) == (255,) * 3
    icon = Image.new("RGBA", (128, 128), (0, 0, 0, 0))
    icon.paste((0, 0, 255, 255), (32, 32, 96, 64))  # 64x32 visible, transparent around it
    fitted = prepare.fit_on_white(icon, 96)
    assert fitted.getpixel((48, 48)) == (0, 0, 255) and fitted.getpixel((48, 10)) == (255,) * 3


def test_render_fitted_reads_a_zip_entry_when_the_item_names_one(tmp_path):
    picture = io.BytesIO()
    Image.new("RGBA", (40, 20), (0, 128, 0, 255)).save(picture, "PNG")
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("art/unit.png", picture.getvalue())
    image = prepare.load_item(Item("train", "a", "unit", archive, "art/unit.png", "g", "unit"))
    assert image.size == (96, 96) and image.getpixel((48, 48)) == (0, 128, 0)
    assert image.getpixel((48, 5)) == (255, 255, 255)  # 40x20 fitted: white above and below


def test_render_fitted_reads_every_fitted_set():
    for name in ("furniture", "outfits", "flags", "units", "freeorion", "pingus"):
        needs(name)
        item = SETS[name].plan()[0]
        image = prepare.load_item(item)
        side = prepare.FITTED_SIDES[item.render]
        assert image.mode == "RGB" and image.size == (side, side) and not_blank(image)
