"""The fourth fresh hold-out set (xfig): coarse outlines, the near-thumbnail rule, family groups,
names, a leak-free and deterministic plan, and its pictures. Checks that read the Debian package
skip, naming it, where it is not installed; the drawing checks skip without fig2dev and
rsvg-convert."""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import holdout_sets  # noqa: E402, F401  (first: it imports the fresh modules in order)
import holdout_sets_fresh2 as fresh2  # noqa: E402
import holdout_sets_fresh4 as fresh4  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS, Item  # noqa: E402
from plan_checks import assert_leak_free_plan, skip_unless_installed  # noqa: E402

FIG_SAMPLE = """#FIG 3.2
Landscape
Center
Inches
Letter
100.00
Single
-2
1200 2
2 2 0 20 0 7 50 -1 -1 0.000 0 0 -1 0 0 5
\t 0 0 2400 0 2400 1200 0 1200 0 0
"""


def skip_without_tools() -> None:
    if shutil.which("fig2dev") is None or shutil.which("rsvg-convert") is None:
        pytest.skip(f"fig2dev or rsvg-convert not installed: {fresh4.TOOLS_HINT}")


# --------------------------------------------------------------------------- outlines


def test_coarse_merges_blocks_with_any_ink():
    mask = np.zeros((8, 8), dtype=bool)
    mask[0, 1] = mask[5, 6] = True
    assert fresh4.coarse(mask.reshape(-1)).tolist() == [True, False, False, True]


def test_overlaps_join_masks_sharing_nine_tenths_of_their_union():
    masks = np.zeros((3, 20), dtype=bool)
    masks[0, :10] = masks[1, :9] = True  # 9 of 10: near
    masks[2, :8] = True  # 8 of 10 with the first, 8 of 9 with the second
    near = fresh4.overlaps(masks)
    assert near[0, 1] and not near[1, 2] and not near[0, 2] and near[2, 2]


def test_ink_near_is_relative_to_the_ink():
    white = np.full((16, 16), 255.0)
    line, other = white.copy(), white.copy()
    line[8, :] = 0  # 16 of 256 cells: ink 15.9
    other[2, :] = 0
    assert not fresh4.ink_near(line, other)  # mean difference 31.9: twice the ink
    shifted = line.copy()
    shifted[8, :2] = 255  # 2 of 16 cells differ: 2.0, an eighth of the ink
    assert fresh4.ink_near(line, shifted) and fresh4.ink_near(white, white)


def picture_of(*boxes: tuple[int, int, int, int]) -> Image.Image:
    picture = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    for box in boxes:
        picture.paste((0, 0, 0, 255), box)
    return picture


def frame(left: int, top: int, side: int, line: int) -> Image.Image:
    """A hollow square: its 16 px thumbnail is the same at any size if ``line`` scales too."""
    right, bottom = left + side, top + side
    return picture_of(
        (left, top, right, top + line),
        (left, bottom - line, right, bottom),
        (left, top, left + line, bottom),
        (right - line, top, right, bottom),
    )


def test_drawing_groups_chain_outlines_names_and_near_thumbnails_within_a_class():
    pictures = {
        Path("a"): picture_of((4, 4, 60, 12)),  # a bar
        Path("b"): picture_of((10, 30, 66, 38)),  # a's bar, moved: one silhouette
        Path("c"): picture_of((30, 0, 34, 64), (30, 60, 64, 64)),  # an L
        Path("d"): picture_of((4, 4, 60, 12)),  # like a, but another class
        Path("e"): frame(0, 0, 16, 2),  # a small frame, of c's name family
        Path("f"): frame(8, 8, 48, 6),  # e three times larger: one thumbnail
        Path("g"): frame(0, 30, 32, 8),  # a thicker frame: another drawing
    }
    entries = [
        ("x", "bar", Path("a")),
        ("x", "other", Path("b")),
        ("x", "ell", Path("c")),
        ("y", "bar", Path("d")),
        ("x", "ell", Path("e")),
        ("x", "box", Path("f")),
        ("x", "thick", Path("g")),
    ]
    groups = fresh4.drawing_groups(entries, pictures.__getitem__)
    assert [group for _, group, _ in groups] == ["bar", "bar", "ell", "bar", "ell", "ell", "thick"]
    assert fresh4.drawing_groups([], pictures.__getitem__) == []


def test_xfig_drawings_and_names(tmp_path):
    for relative in ("Maps/Africa/chad.fig", "Maps/Asia/chad.fig", "Music/g-clef_2.fig"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(FIG_SAMPLE)
    (tmp_path / "Flags").mkdir()
    (tmp_path / "Flags" / "france.fig").write_text(FIG_SAMPLE)  # a library left out
    found = fresh4.xfig_drawings(tmp_path)
    assert [(label, family) for label, family, _ in found] == [
        ("maps", "chad"),
        ("maps", "chad"),
        ("music", "g"),
    ]
    assert [fresh4.xfig_name(path) for *_, path in found] == [
        "africa_chad",
        "asia_chad",
        "music_g_clef_2",
    ]


# ------------------------------------------------------------------------------ pictures


def test_render_fig_draws_a_rectangle_and_fails_empty(tmp_path):
    skip_without_tools()
    (tmp_path / "box.fig").write_text(FIG_SAMPLE)
    picture = fresh4.render_fig(tmp_path / "box.fig", 64)
    assert picture.mode == "RGBA" and max(picture.size) == 64
    assert not fresh2.is_blank(picture)
    (tmp_path / "broken.fig").write_text("not a figure\n")
    assert fresh2.is_blank(fresh4.render_fig(tmp_path / "broken.fig", 64))
    item = Item("train", "maps", "box", tmp_path / "box.fig", None, "box", "xfig")
    image = prepare.load_item(item)
    assert image.mode == "RGB" and image.size == (96, 96)
    assert image.getpixel((0, 0)) == (255, 255, 255)
    assert image.getextrema() != ((255, 255), (255, 255), (255, 255))


# ------------------------------------------------------------------------------- plans


def test_xfig_set_is_registered_with_reader_and_side():
    assert "xfig" in SETS and "lgeneral" in SETS
    assert fresh2.PICTURE_READERS["xfig"] is fresh4.read_drawing
    assert prepare.FITTED_SIDES["xfig"] == 96


def test_xfig_plan_is_leak_free_deterministic_and_without_repeats():
    skip_unless_installed("xfig")
    skip_without_tools()
    items = SETS["xfig"].plan()
    assert items == SETS["xfig"].plan()
    labels = assert_leak_free_plan(items, 5)
    assert set(labels["train"]) == set(fresh4.XFIG_CLASSES.values())
    assert 140 <= labels["train"].total() <= 175 and 55 <= labels["test"].total() <= 75
    assert min(labels["train"].values()) >= 25 and min(labels["test"].values()) >= 10
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    pictures = [fresh4.plan_picture(i.source) for i in items]
    assert not any(fresh2.is_blank(p) for p in pictures)
    assert len({p.tobytes() for p in pictures}) == len(pictures), "a picture is planned twice"
    groups = {i.source.stem: i.group for i in items}
    assert groups.get("AOpenKF45D", "aopenkf") == groups.get("AOpenKF45E", "aopenkf")


def test_render_fitted_reads_xfig_drawings():
    skip_unless_installed("xfig")
    skip_without_tools()
    items = SETS["xfig"].plan()
    for item in (items[0], items[-1]):
        image = prepare.load_item(item)
        assert image.mode == "RGB" and image.size == (96, 96)
        assert image.getpixel((0, 0)) == (255, 255, 255)
        assert image.getextrema() != ((255, 255), (255, 255), (255, 255))
