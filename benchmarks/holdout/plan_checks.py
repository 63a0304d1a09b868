"""Checks shared by the tests of every evaluation set's plan (``benchmarks/test_holdout.py`` for
the development sets, ``test_holdout_sets.py`` and ``test_holdout_sets_fresh2.py`` for the
hold-out sets): one definition of what a usable, leak-free class-folder plan is."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from holdout_sets import SETS, Item


def skip_unless_installed(name: str) -> None:
    """Skip the calling test, naming the Debian package(s) and the missing paths, when the set's
    sources are not on this machine."""
    spec = SETS[name]
    if not spec.installed():
        missing = [str(p) for p in (spec.root, *spec.needs) if not p.exists()]
        pytest.skip(
            f"Debian package(s) {spec.package} not installed ({', '.join(missing)} missing)"
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
