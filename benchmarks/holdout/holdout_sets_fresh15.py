"""A set of the eleventh fresh hold-out, prepared on 2026-12-06 before any model ran on it:
``mlfigures`` (python-sklearn-doc), from a package that no other set and no meta-dataset source
reads. Planned with the helpers of ``holdout_sets.py``, ``holdout_sets_fresh2.py``,
``holdout_sets_fresh4.py`` and ``holdout_sets_fresh6.py``, whose ``SETS`` this module extends
when it is imported (``holdout_sets`` imports it at its end); ``prepare.py`` fits its picture
files as they are (its ``FITTED_SIDES`` needs ``"mlfigures": 96``; no picture reader).

python-sklearn-doc holds scikit-learn's HTML manual, whose example gallery sphinx-gallery built:
one page per example script, ``auto_examples/<section>/<example>.html``, showing the figures
that script drew with matplotlib, ``_images/sphx_glr_<example>_NNN.png`` (RGBA, opaque, on
white; 300x300 to 2100x1300 px, 156 of the 299 used 640x480, the commonest size in every
section, so no section has a size of its own). A picture is one such figure;
its class is the gallery section whose example page shows it (``ML_CLASSES``: clustering,
decomposition, ensembles, Gaussian processes, linear models, manifold learning, model
selection, nearest neighbours, support vector machines). Left out: the other 18 sections
(10 figures or fewer each, or ``miscellaneous``, 18, a catch-all), the gallery's thumbnails
(``_thumb``: a figure again, smaller, on its index pages), a figure shown by pages of two
sections (none of the classes' 299 figures; the release highlights' pages show three of them
again and are not read) and repeated pictures (``unique_icons`` on the 64 px pictures below: 4
panels ``plot_cv_indices`` and ``plot_precision_recall`` draw twice). A figure's family is its
example (one script draws one plot for several parameters: ``plot_rbf_parameters`` 9 figures,
``plot_lle_digits`` 14 embeddings); families are chained by fresh4's ``drawing_groups`` on the
figures scaled to 64 px with their white made clear (fresh6's ``plan_picture``): outlines
overlapping by 90% or more at 64 px or coarsened to 16 px, grey 16 px thumbnails differing by
less than a quarter of their ink. That joins 15 of the 153 examples into others of their
section (decision surfaces on the iris data: ``plot_sgd_iris`` and ``plot_logistic_multinomial``
with ``plot_iris_logistic``, ``plot_nearest_centroid`` with neighbors' ``plot_classification``;
``plot_svm_kernels`` and ``plot_svm_margin`` with ``plot_rbf_parameters``), 138 groups in all; at
most ``FAMILY_MOST`` figures of a group are kept, and a group stays on one side.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from holdout_sets import SETS, HoldoutSet, Item, slug, split_and_cap, unique_icons
from holdout_sets_fresh2 import FAMILY_MOST, Entry, cap_per_group, pixel_digest
from holdout_sets_fresh4 import drawing_groups
from holdout_sets_fresh6 import plan_picture

ML_ROOT = Path("/usr/share/doc/python-sklearn-doc/html")  # python-sklearn-doc
# Gallery section folders (``auto_examples/<folder>``), each its class: the sections whose
# example pages show 16 or more distinct figures. Left out (README): ``miscellaneous`` (18, a
# catch-all of examples no other section takes, as the furniture set's "Miscellaneous"),
# ``mixture`` 10, ``tree`` 8, the other 14 sections 3-7 each, and ``release_highlights`` (10:
# four are other sections' figures again, the rest show several topics at once).
ML_CLASSES = (
    "cluster",
    "decomposition",
    "ensemble",
    "gaussian_process",
    "linear_model",
    "manifold",
    "model_selection",
    "neighbors",
    "svm",
)
ML_EXAMPLES = "auto_examples"
ML_IMAGES = "_images"
# A figure on an example page: ``<img src="../../_images/sphx_glr_<example>_NNN.png" ...>``.
ML_FIGURE = re.compile(r'<img\s[^>]*?src="\.\./\.\./_images/(sphx_glr_[^"/]+\.png)"')
ML_THUMB = "_thumb"  # the gallery's index thumbnails (a figure again, smaller): not pictures
ML_PREFIX = "sphx_glr_"
# prepare.py's key for this set (FITTED_SIDES: a picture file fitted into a 96 px white square);
# a figure has no clear pixels, so it is scaled down whole, its white margin kept.
ML_RENDER = "mlfigures"
ML_TRAIN_PER_CLASS = 45
ML_TEST_PER_CLASS = 20


def figure_pages(root: Path = ML_ROOT) -> dict[str, set[tuple[str, str]]]:
    """File name of each figure the classes' example pages show -> the (section, example) pairs
    of the pages that show it (thumbnails left out)."""
    shown: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for section in ML_CLASSES:
        for page in sorted((root / ML_EXAMPLES / section).glob("*.html")):
            for name in ML_FIGURE.findall(page.read_text(encoding="utf-8", errors="replace")):
                if ML_THUMB not in name:
                    shown[name].add((section, page.stem))
    return dict(shown)


def figure_entries(root: Path = ML_ROOT) -> list[Entry]:
    """(class, example, file) of every figure that pages of one section only show and that is
    in the package, sorted by file: the example is the first page's (by name) that shows it."""
    entries = []
    for name, pages in sorted(figure_pages(root).items()):
        path = root / ML_IMAGES / name
        if len({section for section, _ in pages}) == 1 and path.is_file():
            section, example = min(pages)
            entries.append((section, example, path))
    return entries


def figure_name(path: Path) -> str:
    """Output stem: the file's stem less sphinx-gallery's prefix
    (``sphx_glr_plot_kmeans_digits_001.png`` -> ``plot_kmeans_digits_001``)."""
    return slug(path.stem.removeprefix(ML_PREFIX))


def plan_mlfigures(root: Path = ML_ROOT) -> list[Item]:
    """Gallery section of a scikit-learn example figure as the class; repeated pictures
    dropped; test = whole groups per class (fresh4's ``drawing_groups`` over the examples;
    ``FAMILY_MOST`` figures a group at most)."""
    figures = unique_icons(figure_entries(root), pixel_digest(plan_picture))
    grouped = drawing_groups(figures, plan_picture)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        "mlfigures",
        (ML_TRAIN_PER_CLASS, ML_TEST_PER_CLASS),
        ML_RENDER,
        figure_name,
    )


# ----------------------------------------------------------------------------- the sets

FRESH15_SETS = (
    HoldoutSet(
        "mlfigures",
        "python-sklearn-doc",
        ML_ROOT,
        "scikit-learn gallery section of an example's figure (9)",
        "by family (the example script that draws the figure; chained with the figures whose "
        "outlines, their white made clear, overlap by 90% or more at 64 px or coarsened to "
        "16 px, or whose grey 16 px thumbnails differ by less than a quarter of their ink; at "
        "most 5 figures a family), about 30% of each section, after removing thumbnails and "
        "identical pictures",
        plan_mlfigures,
    ),
)
SETS.update({spec.name: spec for spec in FRESH15_SETS})
