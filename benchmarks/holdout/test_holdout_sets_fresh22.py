"""The fresh22 set (mapsymbols, ``holdout_sets_fresh22``): a symbol's class from its package and
folder, its key and name family, the symbols left out, and a leak-free, deterministic plan on two
small symbol libraries made here and on the Debian packages. Checks that read the packages skip,
naming them, where they are not installed."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh22 as fresh22  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS  # noqa: E402
from plan_checks import SVG_SHAPES, assert_leak_free_plan, needs_rsvg, skip_unless_installed  # noqa: E402

# ------------------------------------------------------- two symbol libraries made here

SHAPES = SVG_SHAPES
RED, BLUE, GREY, BLACK = "#c80000", "#0000a0", "#5a5a5a", "#000000"
# (library folder: svg = QGIS, symbols = carto; folder; stem; shape; ink)
SYMBOLS = (
    ("svg", "shopping", "shopping_bakery", "disc", RED),
    ("svg", "shopping", "shopping_alcohol", "ring", RED),
    ("svg", "transport", "transport_parking", "cross", GREY),
    ("svg", "transport", "transport_parking_car", "cross", BLUE),  # the parking family
    ("svg", "transport", "highway=bus_stop", "bar", GREY),
    ("svg", "transport", "barrier_gate", "triangle", BLUE),  # a barrier, in transport
    ("svg", "transport", "transport_lighthouse", "plus", RED),  # also a man_made value
    ("svg", "religion", "place_of_worship_christian3", "frame", GREY),
    ("svg", "religion", "place_of_worship", "corner", GREY),  # a box: left out
    ("svg", "arrows", "NorthArrow_01", "disc", GREY),  # interface art: folder not used
    ("symbols", "shop", "alcohol", "triangle", GREY),  # QGIS's alcohol family
    ("symbols", "shop", "clothes", "plus", BLUE),
    ("symbols", "barrier", "stile", "corner", RED),
    ("symbols", "religion", "muslim", "disc", BLUE),  # QGIS's islamic family
    ("symbols", "religion", "christian", "bar", BLACK),  # drawn as man_made/cross: both go
    ("symbols", "man_made", "cross", "bar", BLACK),
    ("symbols", "man_made", "lighthouse", "ring", GREY),  # also a transport value
    ("symbols", "man_made", "power_tower", "frame", RED),  # a box: left out
    ("symbols", "amenity", "bench", "bar", RED),  # a catch-all folder: not used
)


def svg(shape: str, ink: str) -> str:
    body = SHAPES[shape].format(ink=ink)
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32">{body}</svg>'


def make_libraries(folder: Path) -> tuple[Path, Path]:
    """``SYMBOLS`` as a QGIS ``svg`` folder and a carto ``symbols`` folder."""
    for library, sub, stem, shape, ink in SYMBOLS:
        path = folder / library / sub / f"{stem}.svg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(svg(shape, ink))
    return folder / "svg", folder / "symbols"


@pytest.fixture
def made(tmp_path: Path) -> tuple[Path, Path]:
    return make_libraries(tmp_path)


# ------------------------------------------------------------------ classes and keys


@pytest.mark.parametrize(
    ("package", "folder", "stem", "label"),
    [
        ("qgis", "shopping", "shopping_bakery", "shop"),
        ("carto", "shop", "bakery", "shop"),
        ("qgis", "transport", "amenity=taxi", "transport"),
        ("qgis", "transport", "barrier_lift_gate", "barrier"),
        ("carto", "barrier", "lift_gate", "barrier"),
        ("qgis", "religion", "place_of_worship_jain3", "religion"),
        ("qgis", "religion", "place_of_worship", None),
        ("qgis", "religion", "place_of_worship_unknown3", None),
        ("carto", "religion", "taoist", "religion"),
        ("qgis", "sport", "sport_golf", "sport"),
        ("qgis", "tourist", "tourist_zoo", "tourist"),
        ("carto", "man_made", "crane", "man_made"),
        ("carto", "man_made", "power_tower_small", None),
        ("qgis", "amenity", "amenity_bench", None),
        ("carto", "amenity", "bench", None),
        ("carto", "tourism", "hotel", None),
        ("carto", "leisure", "golf", None),
        ("qgis", "barrier", "barrier_gate", None),  # QGIS has no barrier folder
        ("carto", "transport", "bus", None),  # nor carto a transport one
        ("qgis", "arrows", "NorthArrow_01", None),
    ],
)
def test_symbol_class_names_the_kind_of_place(package, folder, stem, label):
    assert fresh22.symbol_class(package, folder, stem) == label


@pytest.mark.parametrize(
    ("stem", "key", "family"),
    [
        ("shopping_alcohol", "alcohol", "alcohol"),
        ("alcohol", "alcohol", "alcohol"),
        ("amenity=pharmacy,dispensing=yes", "pharmacy", "pharmacy"),
        ("highway=bus_stop", "bus_stop", "bus"),
        ("transport_parking_car_paid", "parking_car_paid", "parking"),
        ("transport_aerodrome2", "aerodrome", "aerodrome"),
        ("place_of_worship_christian3", "christian", "christian"),
        ("muslim", "islamic", "islamic"),
        ("hinduist", "hindu", "hindu"),
        ("tourisum_fountain", "fountain", "fountain"),
        ("full-height_turnstile", "full-height_turnstile", "full"),
        ("barrier_lift_gate", "lift_gate", "lift"),
        ("level_crossing2", "level_crossing", "level"),
    ],
)
def test_symbol_key_and_family_join_both_packages_names(stem, key, family):
    assert fresh22.symbol_key(stem) == key
    assert fresh22.symbol_family(stem) == family


def test_map_symbols_classes_the_symbols_and_drops_values_of_two_classes(made):
    qgis, carto = made
    found = [(label, family, path.stem) for label, family, path in fresh22.map_symbols(*made)]
    assert found == [
        ("religion", "christian", "place_of_worship_christian3"),
        ("shop", "alcohol", "shopping_alcohol"),
        ("shop", "bakery", "shopping_bakery"),
        ("barrier", "gate", "barrier_gate"),
        ("transport", "bus", "highway=bus_stop"),
        ("transport", "parking", "transport_parking"),
        ("transport", "parking", "transport_parking_car"),
        ("barrier", "stile", "stile"),
        ("man_made", "cross", "cross"),
        ("religion", "christian", "christian"),
        ("religion", "islamic", "muslim"),
        ("shop", "alcohol", "alcohol"),
        ("shop", "clothes", "clothes"),
    ]  # lighthouse (transport and man_made), the boxes and unused folders gone
    assert fresh22.map_symbols(qgis, carto)[0][2] == qgis / "religion" / (
        "place_of_worship_christian3.svg"
    )


def test_symbol_name_keeps_the_library_and_folder():
    assert fresh22.symbol_name(Path("/usr/share/qgis/svg/shopping/shopping_pet2.svg")) == (
        holdout_sets.slug("svg_shopping_shopping_pet2")
    )
    name = fresh22.symbol_name(Path("/x/symbols/shop/pet.svg"))
    assert name == holdout_sets.slug("symbols_shop_pet") and name != "svg_shop_pet"


# ------------------------------------------------------------- the plan on small libraries


@needs_rsvg
def test_plan_drops_repeats_across_classes_and_keeps_families_together(made):
    items = fresh22.plan_mapsymbols(*made)
    assert items == fresh22.plan_mapsymbols(*made)
    labels = assert_leak_free_plan(items, 4)
    # carto's christian and man_made/cross are one drawing in two classes: both dropped, and
    # with them the man_made class
    assert labels["train"] + labels["test"] == {
        "barrier": 2, "religion": 2, "shop": 4, "transport": 3,
    }  # fmt: skip
    group = {item.name: item.group for item in items}
    side = {item.name: item.split for item in items}
    alcohol = ("svg_shopping_shopping_alcohol", "symbols_shop_alcohol")
    assert {group[holdout_sets.slug(n)] for n in alcohol} == {"alcohol"}
    assert len({side[holdout_sets.slug(n)] for n in alcohol}) == 1
    assert group[holdout_sets.slug("symbols_religion_muslim")] == "islamic"
    assert all(i.render == "mapsymbols" and i.source.suffix == ".svg" for i in items)


@needs_rsvg
def test_prepare_fits_a_symbol_into_96_px_on_white(made):
    qgis, _ = made
    source = qgis / "transport" / "highway=bus_stop.svg"
    item = holdout_sets.Item("train", "transport", "x", source, None, "bus", "mapsymbols")
    fitted = prepare.load_item(item)
    assert fitted.mode == "RGB" and fitted.size == (96, 96)
    pixels = np.asarray(fitted).astype(int)
    # the bar (32x10) cropped, scaled to 96x30 and centred: grey rows 33-62
    assert (abs(pixels[48] - 90) <= 2).all() and (pixels[10] == 255).all()
    assert (pixels[85] == 255).all()


@needs_rsvg
def test_plan_picture_is_centred_on_the_plan_square(made):
    qgis, _ = made
    picture = fresh22.plan_picture(qgis / "transport" / "highway=bus_stop.svg")
    assert picture.size == (fresh22.MAPSYMBOL_PLAN_SIDE,) * 2
    alpha = np.asarray(picture.getchannel("A"))
    assert alpha[32].min() > 200 and alpha[5].max() == 0 and alpha[58].max() == 0
    assert fresh2.is_blank(Image.new("RGBA", (4, 4), (0, 0, 0, 0)))


# ------------------------------------------------------------------ on the packages


def test_mapsymbols_set_is_registered():
    assert "mapsymbols" in SETS and "fritzing" in SETS
    spec = SETS["mapsymbols"]
    assert spec.package == "qgis-providers-common openstreetmap-carto-common"
    assert spec.root == fresh22.QGIS_SVG and spec.needs == (fresh22.CARTO_SYMBOLS,)
    assert fresh2.PICTURE_READERS["mapsymbols"] is fresh22.read_symbol
    assert prepare.FITTED_SIDES["mapsymbols"] == 96


def test_map_symbols_of_the_packages():
    skip_unless_installed("mapsymbols")
    entries = fresh22.map_symbols()
    assert Counter(label for label, _, _ in entries) == {
        "shop": 99, "transport": 37, "religion": 27, "man_made": 25, "sport": 24,
        "tourist": 23, "barrier": 17,
    }  # fmt: skip
    stems = {path.stem for _, _, path in entries}
    assert {"shopping_bakery", "bakery", "barrier_gate", "muslim", "crane"} <= stems
    assert not stems & {"lighthouse", "transport_lighthouse", "windmill", "tourist_windmill"}
    assert not stems & fresh22.SYMBOLS_LEFT_OUT


@needs_rsvg
def test_mapsymbols_plan_is_leak_free_deterministic_and_of_the_expected_size():
    skip_unless_installed("mapsymbols")
    items = SETS["mapsymbols"].plan()
    assert items == SETS["mapsymbols"].plan()
    labels = assert_leak_free_plan(items, 7)
    assert labels["train"] == {
        "barrier": 12, "man_made": 13, "religion": 19, "shop": 40, "sport": 17, "tourist": 16,
        "transport": 24,
    }  # fmt: skip
    assert labels["test"] == {
        "barrier": 5, "man_made": 5, "religion": 7, "shop": 16, "sport": 7, "tourist": 6,
        "transport": 9,
    }  # fmt: skip
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    sides: dict[tuple[str, str], set[str]] = {}
    for item in items:  # a name family on one side
        key = (item.label, fresh22.symbol_family(item.source.stem))
        sides.setdefault(key, set()).add(item.split)
    assert all(len(s) == 1 for s in sides.values())
    stems = {item.source.stem for item in items}
    assert "cross" not in stems and "christian" not in stems  # one drawing in two classes


@needs_rsvg
@pytest.mark.parametrize("index", [0, -1])
def test_prepare_fits_package_symbols_into_their_listed_side(index):
    skip_unless_installed("mapsymbols")
    item = SETS["mapsymbols"].plan()[index]
    expected = prepare.fit_on_white(fresh22.read_symbol(item), 96)
    assert expected.mode == "RGB" and expected.size == (96, 96)
    assert np.array_equal(np.asarray(prepare.load_item(item)), np.asarray(expected))
