"""The fresh24 set (musicsigns, ``holdout_sets_fresh24``): a SMuFL name's class and family, the
font lists, a glyph's SVG, names drawn alike joined, a leak-free, deterministic plan on small
font lists and glyphs made here, ``prepare.py``'s PyPI version and install hint, and the plan on
the unpacked verovio wheel. Checks that read the wheel skip, naming it, where it is not
unpacked."""

from __future__ import annotations

import dataclasses
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh24 as fresh24  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS, HoldoutSet  # noqa: E402
from plan_checks import assert_leak_free_plan, needs_rsvg, skip_unless_installed  # noqa: E402

# ------------------------------------------------------------- font lists and glyphs made here

# outlines in font units, y up (0-300), as verovio's glyph files hold them
PATHS = {
    "triangle": "M0 0L300 0L150 300Z",
    "slim_triangle": "M0 0L300 0L110 300Z",
    "plus": "M0 120H300V180H0ZM120 0H180V300H120Z",
    "thin_plus": "M0 130H300V170H0ZM130 0H170V300H130Z",
    "corner": "M0 0H300V60H60V300H0Z",
    "diagonal": "M0 0L60 0L300 240L300 300L240 300L0 60Z",
    "disc": "M0 150A150 150 0 1 0 300 150A150 150 0 1 0 0 150Z",
    "x": "M0 0L60 0L300 240L300 300L240 300L0 60ZM240 0L300 0L300 60L60 300L0 300L0 240Z",
    "ring": "M0 150A150 150 0 1 0 300 150A150 150 0 1 0 0 150ZM60 150A90 90 0 1 1 240 150"
    "A90 90 0 1 1 60 150Z",
    "frame": "M0 0H300V300H0ZM40 40V260H260V40Z",
    "tee": "M0 240H300V300H0ZM120 0H180V240H120Z",
}
BOX = "0 0 300 300"
# font -> (code, SMuFL name, drawing or None for an empty glyph)
GLYPHS = {
    "Bravura": (
        ("E000", "accidentalFlat", "triangle"),
        ("E001", "accidentalSharp", "plus"),
        ("E002", "accidentalBakiyeSharp", "plus"),  # the sharp again: one family, one kept
        ("E003", "accidentalParensLeft", "frame"),  # not an accidental: left out
        ("E010", "restQuarter", "corner"),
        ("E011", "restWhole", "diagonal"),
        ("E020", "noteheadBlack", "disc"),
        ("E021", "noteheadNull", None),  # nothing drawn: dropped
        ("E022", "noteheadXBlack", "x"),
        ("E030", "gClef", "ring"),
        ("E031", "gClef8vb", "frame"),  # family gclef, with gClef
        ("E032", "fClef", "tee"),
        ("E040", "timeSig0", "disc"),  # a digit: no class
        ("E041", "6stringTabClef", "tee"),  # the letters TAB: left out
    ),
    "Leipzig": (
        ("E000", "accidentalFlat", "slim_triangle"),
        ("E001", "accidentalSharp", "thin_plus"),  # joined with Bravura's bakiye sharp
    ),
}


def make_data(folder: Path) -> Path:
    """A ``verovio/data`` folder: a list and glyph files for the fonts of ``GLYPHS``, empty lists
    for the other SMuFL fonts."""
    for font in fresh24.SMUFL_FONTS:
        (folder / font).mkdir(parents=True)
        rows = []
        for code, name, shape in GLYPHS.get(font, ()):
            box = BOX if shape else "0 0 0 0"
            x, y, w, h = box.split()
            rows.append(f'  <g c="{code}" x="{x}" y="{y}" w="{w}" h="{h}" n="{name}" />')
            path = f'<path transform="scale(1,-1)" d="{PATHS[shape]}"/>' if shape else ""
            (folder / font / f"{code}.xml").write_text(f'<g id="{code}">{path}</g>')
        text = "\n".join([f'<bounding-boxes font-family="{font}">', *rows, "</bounding-boxes>"])
        (folder / f"{font}.xml").write_text(text + "\n")
    return folder


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return make_data(tmp_path / "verovio-6.4.1" / "verovio" / "data")


# ------------------------------------------------------------------------- names and files


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("gClef8vb", ["g", "Clef", "8vb"]),
        ("6stringTabClef", ["6string", "Tab", "Clef"]),
        ("accidental2CommaFlat", ["accidental", "2", "Comma", "Flat"]),
        ("flag1024thUpStraight", ["flag", "1024th", "Up", "Straight"]),
        ("noteheadXBlack", ["notehead", "X", "Black"]),
    ],
)
def test_name_words_splits_camel_case_and_numbers(name, words):
    assert fresh24.name_words(name) == words


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("accidentalFlat", "accidental"),
        ("articAccentAbove", "articulation"),
        ("flag8thUp", "flag"),
        ("noteheadBlack", "notehead"),
        ("ornamentTrill", "ornament"),
        ("restQuarter", "rest"),
        ("gClef8vb", "clef"),
        ("cClefFrench20C", "clef"),
        ("accidentalParensLeft", None),
        ("accidentalBracketRight", None),
        ("noteheadParenthesisLeft", None),
        ("6stringTabClef", None),
        ("unpitchedPercussionClef1", None),
        ("ornamentZigZagLineNoRightEnd", None),
        ("ornamentLeftVerticalStroke", None),
        ("timeSig0", None),
        ("dynamicForte", None),
        ("mensuralGclef", None),
        ("pictBeaterSoftXylophoneUp", None),
        ("", None),
    ],
)
def test_sign_class_names_the_kind_of_sign(name, label):
    assert fresh24.sign_class(name) == label


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("flag16thUpStraight", "flag16th"),
        ("flag16thDown", "flag16th"),
        ("flag32ndUp", "flag32nd"),
        ("gClef8vb", "gclef"),
        ("fClef15ma", "fclef"),
        ("gClefChange", "gclef"),
        ("accidental2CommaFlat", "accidentalcommaflat"),
        ("articAccentAbove", "articaccent"),
        ("noteheadSlashWhiteHalf", "noteheadslash"),
        ("noteheadDoubleWholeAlt", "noteheaddouble"),
        ("rest8th", "rest8th"),
        ("accidentalDoubleFlat", "accidentaldoubleflat"),
    ],
)
def test_sign_family_drops_variant_words(name, family):
    assert fresh24.sign_family(name) == family


def test_font_glyphs_reads_code_name_and_box(data):
    glyphs = fresh24.font_glyphs(data / "Bravura.xml")
    assert glyphs[0] == ("E000", "accidentalFlat", BOX)
    assert glyphs[7] == ("E021", "noteheadNull", "0 0 0 0")
    assert len(glyphs) == len(GLYPHS["Bravura"])
    assert fresh24.font_glyphs(data / "Leland.xml") == []


def test_glyph_svg_frames_the_box_with_a_margin(data):
    svg = fresh24.glyph_svg(data / "Bravura" / "E000.xml", "-10 -20 200 100").decode()
    # margin 5% of 200 = 10; y runs down in SVG: top -(y + h) - 10 = -90
    assert svg.startswith(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="-20.0 -90.0 220.0 120.0">'
    )
    assert PATHS["triangle"] in svg and svg.endswith("</svg>")
    assert fresh24.glyph_svg(data / "Bravura" / "E021.xml", "0 0 0 0") == b""


@needs_rsvg
def test_draw_sign_draws_the_glyph_black_the_right_way_up(data):
    tee = fresh24.draw_sign(data / "Bravura" / "E032.xml", BOX, 64)
    alpha = np.asarray(tee.getchannel("A"))
    assert tee.mode == "RGBA" and tee.size == (64, 64)
    # the tee's bar is at the top (y up in the font): rows 3-5 inked across, low corners clear
    assert alpha[4, 8:56].min() > 200 and alpha[60, 2] == 0 and alpha[60, 32] > 200
    assert np.asarray(tee)[4, 32, :3].max() < 30  # black
    empty = fresh24.draw_sign(data / "Bravura" / "E021.xml", "0 0 0 0", 64)
    assert empty.size == (1, 1) and fresh2.is_blank(empty)


def test_same_drawing_families_joins_the_names_a_font_draws_alike():
    key = {name: Path(name) for name in ("a", "b", "c", "d", "e")}
    digest = {"a": "1", "b": "2", "c": "1", "d": "2", "e": "3"}.__getitem__
    entries = [
        ("accidental", "sharp", key["a"]),
        ("accidental", "sharp", key["b"]),
        ("accidental", "bakiyesharp", key["c"]),  # a's pixels: joined, named "bakiyesharp"
        ("rest", "whole", key["d"]),  # b's pixels but another class: not joined
        ("accidental", "flat", key["e"]),
    ]
    joined = fresh24.same_drawing_families(entries, lambda path: digest(path.name))
    assert [family for _, family, _ in joined] == [
        "bakiyesharp", "bakiyesharp", "bakiyesharp", "whole", "flat"
    ]  # fmt: skip


# --------------------------------------------------------------- the plan on small font lists


def test_music_signs_class_the_glyphs_of_the_kinds_used(data):
    entries, box_of = fresh24.music_signs(data)
    found = [(label, family, f"{key.parent.name}/{key.stem}") for label, family, key in entries]
    assert found == [
        ("accidental", "accidentalbakiyesharp", "Bravura/E002"),
        ("accidental", "accidentalflat", "Bravura/E000"),
        ("accidental", "accidentalflat", "Leipzig/E000"),
        ("accidental", "accidentalsharp", "Bravura/E001"),
        ("accidental", "accidentalsharp", "Leipzig/E001"),
        ("clef", "fclef", "Bravura/E032"),
        ("clef", "gclef", "Bravura/E030"),
        ("clef", "gclef", "Bravura/E031"),
        ("notehead", "notehead", "Bravura/E020"),
        ("notehead", "noteheadnull", "Bravura/E021"),
        ("notehead", "noteheadx", "Bravura/E022"),
        ("rest", "rest", "Bravura/E011"),  # a rest's value word goes, as a notehead's
        ("rest", "restquarter", "Bravura/E010"),
    ]
    assert box_of[data / "Bravura" / "E021.xml"] == "0 0 0 0"
    assert box_of[data / "Leipzig" / "E001.xml"] == BOX


@needs_rsvg
def test_plan_joins_fonts_and_alike_names_and_drops_repeats_and_blanks(data):
    items = fresh24.plan_musicsigns(data)
    assert items == fresh24.plan_musicsigns(data)
    labels = assert_leak_free_plan(items, 4)
    # Bravura's sharp repeats its bakiye sharp, the null notehead is blank: both dropped
    assert labels["train"] + labels["test"] == {
        "accidental": 4,
        "clef": 3,
        "notehead": 2,
        "rest": 2,
    }
    group = {item.name: item.group for item in items}
    assert group["accidentalbakiyesharp_bravura_e002"] == "accidentalbakiyesharp"
    assert group["accidentalsharp_leipzig_e001"] == "accidentalbakiyesharp"
    assert group["accidentalflat_bravura_e000"] == group["accidentalflat_leipzig_e000"]
    assert group["gclef_bravura_e030"] == group["gclef8vb_bravura_e031"] == "gclef"
    assert "accidentalsharp_bravura_e001" not in group and "noteheadnull_bravura_e021" not in group
    # two groups a class: one is test, the other train
    sides = Counter((i.label, i.split) for i in {(i.label, i.group): i for i in items}.values())
    assert set(sides.values()) == {1} and len(sides) == 8
    flat = next(i for i in items if i.name == "accidentalflat_leipzig_e000")
    assert flat.source == data / "Leipzig" / "E000.xml" and flat.element == BOX
    assert flat.render == "musicsigns"


@needs_rsvg
def test_prepare_fits_a_glyph_into_96_px_on_white(data):
    item = holdout_sets.Item(
        "train", "rest", "x", data / "Bravura" / "E010.xml", BOX, "g", "musicsigns"
    )
    fitted = prepare.load_item(item)
    assert fitted.mode == "RGB" and fitted.size == (96, 96)
    pixels = np.asarray(fitted).astype(int)
    # the corner: a black bottom bar and left post, white above the bar right of the post
    assert pixels[92, 10:86].max() < 60 and pixels[40, 4].max() < 60
    assert pixels[40, 60].min() == 255


# -------------------------------------------------------------- prepare.py and a PyPI package


def test_package_version_gives_a_pypi_pin_s_version():
    assert prepare.package_version("pypi:verovio==6.4.1") == "6.4.1"
    assert prepare.package_version("pypi:a==1.0 pypi:b==2") == "1.0, 2"


def test_install_hint_downloads_and_unpacks_a_pypi_wheel(tmp_path):
    root = tmp_path / "pypi" / "verovio-6.4.1" / "verovio" / "data"
    spec = dataclasses.replace(SETS["musicsigns"], root=root)
    folder = tmp_path / "pypi" / "verovio-6.4.1"
    assert prepare.install_hint(spec) == (
        "pip download --no-deps verovio==6.4.1 -d /tmp/verovio-6.4.1 && "
        f"python -m zipfile -e /tmp/verovio-6.4.1/*.whl {folder}"
    )
    debian = HoldoutSet("x", "dia-common", Path("/nowhere"), "", "", list)
    assert prepare.install_hint(debian) == "sudo apt-get install dia-common"


def test_prepare_prints_the_hint_when_the_wheel_is_missing(tmp_path, monkeypatch, capsys):
    root = tmp_path / "pypi" / "verovio-6.4.1" / "verovio" / "data"
    spec = dataclasses.replace(SETS["musicsigns"], root=root, needs=())
    monkeypatch.setitem(prepare.SETS, "musicsigns", spec)
    assert prepare.main(["--only", "musicsigns", "--root", str(tmp_path / "out")]) == 1
    printed = capsys.readouterr().out
    assert printed.startswith(f"musicsigns: '{root}' not found: pip download --no-deps verovio")
    assert not (tmp_path / "out" / "musicsigns").exists()


def test_a_missing_pypi_set_skips_with_the_pip_download_command(tmp_path, monkeypatch):
    root = tmp_path / "pypi" / "verovio-6.4.1" / "verovio" / "data"
    spec = dataclasses.replace(SETS["musicsigns"], root=root, needs=())
    monkeypatch.setitem(SETS, "musicsigns", spec)
    with pytest.raises(pytest.skip.Exception) as skipped:
        skip_unless_installed("musicsigns")
    message = str(skipped.value)
    assert message.startswith(f"pypi:verovio==6.4.1 not installed ({root} missing): ")
    assert message.endswith(
        "pip download --no-deps verovio==6.4.1 -d /tmp/verovio-6.4.1 && "
        f"python -m zipfile -e /tmp/verovio-6.4.1/*.whl {tmp_path / 'pypi' / 'verovio-6.4.1'}"
    )


# ------------------------------------------------------------------------- on the package


def test_musicsigns_set_is_registered():
    assert "musicsigns" in SETS and "cisco" in SETS
    spec = SETS["musicsigns"]
    assert spec.package == "pypi:verovio==6.4.1" and spec.root == fresh24.VEROVIO_DATA
    assert spec.root.parts[-3:] == ("verovio-6.4.1", "verovio", "data")
    assert spec.needs == tuple(fresh24.VEROVIO_DATA / f"{f}.xml" for f in fresh24.SMUFL_FONTS)
    assert fresh2.PICTURE_READERS["musicsigns"] is fresh24.read_sign
    assert prepare.FITTED_SIDES["musicsigns"] == 96


def test_music_signs_of_the_wheel():
    skip_unless_installed("musicsigns")
    data = fresh24.VEROVIO_DATA
    sizes = {font: len(fresh24.font_glyphs(data / f"{font}.xml")) for font in fresh24.SMUFL_FONTS}
    assert sizes == {
        "Bravura": 886,
        "Gootville": 207,
        "Leipzig": 658,
        "Leland": 354,
        "Petaluma": 558,
    }
    assert all((data / font / f"{code}.xml").is_file() for font in sizes for code, _, _ in
               fresh24.font_glyphs(data / f"{font}.xml"))  # fmt: skip
    entries, _ = fresh24.music_signs()
    # also counted with grep over the lists' n="..." attributes
    assert Counter(label for label, _, _ in entries) == {
        "flag": 170, "accidental": 168, "articulation": 164, "notehead": 158, "ornament": 139,
        "clef": 105, "rest": 75,
    }  # fmt: skip
    assert len({(label, family) for label, family, _ in entries}) == 130


@needs_rsvg
def test_musicsigns_plan_is_leak_free_deterministic_and_of_the_expected_size():
    skip_unless_installed("musicsigns")
    items = SETS["musicsigns"].plan()
    assert items == SETS["musicsigns"].plan()
    labels = assert_leak_free_plan(items, 7)
    assert labels["train"] == {
        "accidental": 40, "articulation": 40, "clef": 17, "flag": 30, "notehead": 40,
        "ornament": 40, "rest": 40,
    }  # fmt: skip
    assert labels["test"] == {
        "accidental": 16, "articulation": 16, "clef": 6, "flag": 10, "notehead": 15,
        "ornament": 16, "rest": 14,
    }  # fmt: skip
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    names = fresh24.glyph_names()
    sides: dict[tuple[str, str], set[str]] = {}
    for item in items:  # a sign's fonts and variants (its family) on one side
        sides.setdefault((item.label, fresh24.sign_family(names[item.source])), set()).add(
            item.split
        )
    assert all(len(s) == 1 for s in sides.values())
    assert all(item.render == "musicsigns" for item in items)


@needs_rsvg
@pytest.mark.parametrize("index", [0, -1])
def test_prepare_fits_wheel_glyphs_into_their_listed_side(index):
    skip_unless_installed("musicsigns")
    item = SETS["musicsigns"].plan()[index]
    expected = prepare.fit_on_white(fresh24.read_sign(item), 96)
    assert expected.mode == "RGB" and expected.size == (96, 96)
    assert np.array_equal(np.asarray(prepare.load_item(item)), np.asarray(expected))
