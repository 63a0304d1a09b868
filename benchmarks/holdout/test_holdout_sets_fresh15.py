"""The eleventh fresh hold-out's set (mlfigures, ``holdout_sets_fresh15``): which figures an
example page shows, classes and families from the gallery's folders and pages, names, and a
leak-free, deterministic plan on a small gallery made here and on the Debian package. Checks
that read the package skip, naming it, where it is not installed."""

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
import holdout_sets_fresh15 as fresh15  # noqa: E402
import prepare  # noqa: E402
from holdout_sets import SETS  # noqa: E402
from plan_checks import assert_leak_free_plan, skip_unless_installed  # noqa: E402

# ------------------------------------------------------------------ a gallery made here


SHAPES = {  # distinct drawings, also once cropped to their ink (fresh3's thumbnails crop)
    "block": lambda draw: draw.rectangle((40, 30, 120, 90), fill="black"),
    "small_block": lambda draw: draw.rectangle((10, 10, 40, 30), fill="black"),
    "cross": lambda draw: [draw.line(xy, fill="black", width=4) for xy in CROSS],
    "ring": lambda draw: draw.ellipse((30, 10, 130, 110), outline="black", width=4),
    "plus": lambda draw: [draw.line(xy, fill="black", width=4) for xy in PLUS],
    "frame": lambda draw: draw.rectangle((5, 5, 155, 115), outline="black", width=3),
    "corners": lambda draw: [draw.rectangle(xy, fill="black") for xy in CORNERS],
    "triangle": lambda draw: draw.polygon(((80, 5), (155, 115), (5, 115)), outline="black"),
    "wave": lambda draw: draw.line(WAVE, fill="black", width=3),
}
CROSS = ((10, 10, 150, 110), (10, 110, 150, 10))
PLUS = ((80, 5, 80, 115), (5, 60, 155, 60))
CORNERS = ((5, 5, 35, 30), (125, 90, 155, 115))
WAVE = [(x, 60 + (40 if x % 40 else -40)) for x in range(0, 161, 20)]


def figure(root: Path, name: str, shape: str) -> Path:
    """A 160x120 white figure with one black drawing of ``SHAPES``, saved as
    ``_images/sphx_glr_<name>.png``."""
    picture = Image.new("RGBA", (160, 120), "white")
    SHAPES[shape](ImageDraw.Draw(picture))
    path = root / "_images" / f"sphx_glr_{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path)
    return path


def page(root: Path, section: str, example: str, *sources: str) -> None:
    """An example page of a section showing ``sources`` as sphinx-gallery writes them."""
    tags = "".join(
        f'<img src="{source}" srcset="{source}" alt="a title" class = "sphx-glr-single-img"/>\n'
        for source in sources
    )
    path = root / "auto_examples" / section / f"{example}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<html><body>\n{tags}</body></html>\n", encoding="utf-8")


def shown(name: str) -> str:
    return f"../../_images/sphx_glr_{name}.png"


@pytest.fixture
def gallery(tmp_path: Path) -> Path:
    """Four sections of two examples each (distinct shapes), and what the plan leaves out."""
    root = tmp_path / "html"
    shapes = iter(["block", "cross", "ring", "plus", "frame", "corners", "triangle", "wave"])
    for section in ("cluster", "manifold", "neighbors", "svm"):
        for example in ("plot_a", "plot_b"):
            name = f"{section}_{example}_001"
            figure(root, name, next(shapes))
            page(root, section, f"{section}_{example}", shown(name))
    # plot_a draws a second figure; plot_b's page shows it too: one family, the first page's
    figure(root, "extra_002", "small_block")
    page(root, "cluster", "cluster_plot_a", shown("cluster_plot_a_001"), shown("extra_002"))
    page(root, "cluster", "cluster_plot_b", shown("cluster_plot_b_001"), shown("extra_002"))
    # a thumbnail, a picture of the theme and a figure the package lacks: not figures
    figure(root, "svm_plot_a_thumb", "block")
    page(root, "svm", "svm_plot_a", shown("svm_plot_a_001"), shown("svm_plot_a_thumb"),
         "../../_static/logo.png", shown("missing_001"))  # fmt: skip
    # shown by pages of two sections: left out; a section not used: not read
    figure(root, "both_001", "small_block")
    page(root, "manifold", "manifold_plot_c", shown("both_001"))
    page(root, "neighbors", "neighbors_plot_c", shown("both_001"))
    figure(root, "misc_001", "ring")
    page(root, "miscellaneous", "plot_misc", shown("misc_001"))
    # plot_b of svm draws its figure twice: one picture
    figure(root, "svm_plot_b_002", "wave")
    page(root, "svm", "svm_plot_b", shown("svm_plot_b_001"), shown("svm_plot_b_002"))
    return root


def test_figure_pattern_reads_sphinx_gallery_image_tags_only():
    html = (
        '<img src="../../_images/sphx_glr_plot_kmeans_digits_001.png" srcset="x.png" '
        'alt="K-means" class = "sphx-glr-single-img"/>\n'
        '<img alt="" src="../../_images/sphx_glr_plot_roc_002.png" />\n'
        '<img src="../_images/sphx_glr_plot_roc_003.png"/>\n'  # another folder depth
        '<img src="../../_static/logo.png"/>\n'
        '<a href="../../_images/sphx_glr_plot_roc_004.png">a link</a>\n'
    )
    assert fresh15.ML_FIGURE.findall(html) == [
        "sphx_glr_plot_kmeans_digits_001.png",
        "sphx_glr_plot_roc_002.png",
    ]


def test_figure_pages_list_each_figure_s_pages_without_thumbnails(gallery):
    pages = fresh15.figure_pages(gallery)
    assert pages["sphx_glr_extra_002.png"] == {
        ("cluster", "cluster_plot_a"),
        ("cluster", "cluster_plot_b"),
    }
    assert pages["sphx_glr_both_001.png"] == {
        ("manifold", "manifold_plot_c"),
        ("neighbors", "neighbors_plot_c"),
    }
    assert "sphx_glr_svm_plot_a_thumb.png" not in pages
    assert "sphx_glr_misc_001.png" not in pages  # miscellaneous: not a class
    assert "sphx_glr_missing_001.png" in pages  # shown, though not in the package
    assert len(pages) == 8 + 1 + 1 + 1 + 1  # the eight, extra, both, missing, svm's second


def test_figure_entries_keep_one_section_s_figures_that_exist(gallery):
    entries = fresh15.figure_entries(gallery)
    relative = [(label, example, path.name) for label, example, path in entries]
    assert ("cluster", "cluster_plot_a", "sphx_glr_extra_002.png") in relative  # first page
    assert not {name for *_, name in relative} & {
        "sphx_glr_both_001.png",
        "sphx_glr_missing_001.png",
        "sphx_glr_svm_plot_a_thumb.png",
    }
    assert Counter(label for label, *_ in relative) == {
        "cluster": 3,
        "manifold": 2,
        "neighbors": 2,
        "svm": 3,
    }
    assert [name for *_, name in relative] == sorted(name for *_, name in relative)


def test_figure_name_drops_the_gallery_prefix():
    assert fresh15.figure_name(Path("/x/sphx_glr_plot_kmeans_digits_001.png")) == (
        "plot_kmeans_digits_001"
    )
    assert fresh15.figure_name(Path("/x/sphx_glr_plot_SVM-margin_002.png")) == (
        "plot_svm_margin_002"
    )


def test_plan_drops_repeats_and_keeps_examples_whole(gallery):
    items = fresh15.plan_mlfigures(gallery)
    assert items == fresh15.plan_mlfigures(gallery)
    labels = assert_leak_free_plan(items, 4)
    totals = labels["train"] + labels["test"]
    # svm's second figure repeats its first; extra_002 is cluster's third figure
    assert totals == {"cluster": 3, "manifold": 2, "neighbors": 2, "svm": 2}
    group = {item.name: item.group for item in items}
    assert group["extra_002"] == group["cluster_plot_a_001"] == "cluster_plot_a"
    side = {item.name: item.split for item in items}
    assert side["extra_002"] == side["cluster_plot_a_001"]
    # two examples a section: one is test, the other train
    sides = Counter((i.label, i.split) for i in {(i.label, i.group): i for i in items}.values())
    assert all(sides[(label, "test")] == sides[(label, "train")] == 1 for label in totals)
    item = next(i for i in items if i.name == "svm_plot_b_001")
    assert item.source == gallery / "_images/sphx_glr_svm_plot_b_001.png"
    assert item.element is None and item.render == "mlfigures"


def test_prepare_fits_a_figure_whole_into_96_px(gallery):
    item = next(i for i in fresh15.plan_mlfigures(gallery) if i.name == "cluster_plot_a_001")
    fitted = prepare.load_item(item)
    assert fitted.mode == "RGB" and fitted.size == (96, 96)
    pixels = np.asarray(fitted)
    # 160x120 scaled to 96x72, centred: white bands of 12 rows above and below
    assert (pixels[:11] == 255).all() and (pixels[-11:] == 255).all()
    assert pixels[48, 48].max() < 64  # the block, over the middle


# ------------------------------------------------------------------ on the package


def section_figures_by_scanning(root: Path) -> dict[str, set[str]]:
    """A second count of each section's figures, by splitting the pages' text at the figure
    prefix (not ``ML_FIGURE``): section -> figure file names, thumbnails left out."""
    marker = 'src="../../_images/sphx_glr_'
    found: dict[str, set[str]] = defaultdict(set)
    for path in (root / "auto_examples").glob("*/*.html"):
        for piece in path.read_text(encoding="utf-8").split(marker)[1:]:
            name = "sphx_glr_" + piece.split('"', 1)[0]
            if name.endswith(".png") and "_thumb" not in name:
                found[path.parent.name].add(name)
    return found


def test_mlfigures_set_is_registered():
    assert "mlfigures" in SETS and "cadparts" in SETS
    spec = SETS["mlfigures"]
    assert spec.package == "python-sklearn-doc" and spec.root == fresh15.ML_ROOT
    assert spec.needs == ()
    assert "mlfigures" not in fresh2.PICTURE_READERS  # the files are fitted as they are
    assert prepare.FITTED_SIDES["mlfigures"] == 96
    assert len(fresh15.ML_CLASSES) == 9 and "miscellaneous" not in fresh15.ML_CLASSES


def test_mlfigures_sections_hold_the_figures_counted_by_a_second_scan():
    skip_unless_installed("mlfigures")
    scanned = section_figures_by_scanning(fresh15.ML_ROOT)
    counts = {section: len(scanned[section]) for section in fresh15.ML_CLASSES}
    assert counts == {
        "cluster": 57, "decomposition": 18, "ensemble": 28, "gaussian_process": 27,
        "linear_model": 55, "manifold": 27, "model_selection": 48, "neighbors": 19, "svm": 20,
    }  # fmt: skip
    entries = fresh15.figure_entries()
    assert Counter(label for label, *_ in entries) == counts  # no figure of two sections
    # every section left out has fewer than 16 figures, but the catch-all
    others = {s: len(n) for s, n in scanned.items() if s not in fresh15.ML_CLASSES}
    assert len(others) == 18 and others["miscellaneous"] == 18
    assert others["release_highlights"] == others["mixture"] == 10
    assert sorted(others.values())[:-3] == [3, 4, 4, 5, 5, 5, 6, 7, 7, 7, 7, 7, 7, 7, 8]


def test_mlfigures_plan_is_leak_free_deterministic_and_of_the_expected_size():
    skip_unless_installed("mlfigures")
    items = SETS["mlfigures"].plan()
    assert items == SETS["mlfigures"].plan()
    labels = assert_leak_free_plan(items, 9)
    assert labels["train"] == {
        "cluster": 39, "decomposition": 13, "ensemble": 20, "gaussian_process": 19,
        "linear_model": 37, "manifold": 12, "model_selection": 26, "neighbors": 12, "svm": 12,
    }  # fmt: skip
    assert labels["test"] == {
        "cluster": 16, "decomposition": 5, "ensemble": 8, "gaussian_process": 7,
        "linear_model": 15, "manifold": 5, "model_selection": 11, "neighbors": 4, "svm": 4,
    }  # fmt: skip
    assert max(Counter((i.label, i.group) for i in items).values()) <= fresh2.FAMILY_MOST
    assert all(item.render == "mlfigures" and item.element is None for item in items)


def test_mlfigures_plan_keeps_each_example_on_one_side():
    skip_unless_installed("mlfigures")
    items = SETS["mlfigures"].plan()
    example = {path.name: name for _, name, path in fresh15.figure_entries()}
    sides: defaultdict[str, set[str]] = defaultdict(set)
    for item in items:
        sides[example[item.source.name]].add(item.split)
    assert all(len(s) == 1 for s in sides.values()), "an example is on both sides of the split"
    names = {item.source.name for item in items}
    assert not any("_thumb" in name for name in names)
    # plot_lle_digits draws 14 embeddings: 5 kept
    assert sum(name.startswith("sphx_glr_plot_lle_digits_") for name in names) == 5


def test_mlfigures_sections_share_their_commonest_size():
    skip_unless_installed("mlfigures")
    sizes: defaultdict[str, Counter[tuple[int, int]]] = defaultdict(Counter)
    for label, _, path in fresh15.figure_entries():
        with Image.open(path) as image:
            sizes[label][image.size] += 1
    assert all(found.most_common(1)[0][0] == (640, 480) for found in sizes.values())
    assert sum(found[(640, 480)] for found in sizes.values()) == 156


@pytest.mark.parametrize("index", [0, -1])
def test_prepare_fits_figures_into_their_listed_side(index):
    skip_unless_installed("mlfigures")
    item = SETS["mlfigures"].plan()[index]
    with Image.open(item.source) as image:
        assert image.mode == "RGBA" and np.asarray(image)[..., 3].min() == 255  # opaque
        expected = prepare.fit_on_white(image, 96)
    assert expected.size == (96, 96)
    assert np.array_equal(np.asarray(prepare.load_item(item)), np.asarray(expected))
