"""Which Wesnoth unit each sprite shows, read from the unit definitions (WML ``.cfg`` files).

File names alone mislead: the Elder Wose's frames are ``wose-elder-*.png`` and
``elder-wose-die-decay-*.png``, and a Lich's animation reuses the Dark Adept's frames. Each unit
file under ``data/core/units/`` names the images it animates (``units/woses/wose-die-[1~9].png``,
brackets being frame ranges or lists), so images named by one unit file belong together, and two
units that share an image are one group (their frames are near-duplicates either way). The
groups are the connected components of that image-unit graph (scipy's ``connected_components``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

# An image path in WML, up to its extension: "units/drakes/burner-fly-[1~5].png~RC(...)".
_IMAGE_REF = re.compile(r'units/[^"\s{}]*?\.png')
# A bracket of frame numbers or names: "[1~5]", "[1,3,5]", "[attack,defend]".
_BRACKET = re.compile(r"\[[^\]]*\]")


def referenced_images(config_dir: Path, images: list[str]) -> dict[str, set[str]]:
    """Image (path relative to ``images/``, e.g. ``units/woses/wose.png``) -> the unit files
    that name it. Brackets match any text within one file name (a superset of Wesnoth's ranges:
    it can only merge groups, never split one)."""
    by_folder: dict[str, list[str]] = defaultdict(list)
    for image in images:
        by_folder[image.rsplit("/", 1)[0]].append(image)
    users: dict[str, set[str]] = defaultdict(set)
    for config in sorted(config_dir.rglob("*.cfg")):
        unit = config.relative_to(config_dir).as_posix()
        text = config.read_text(encoding="utf-8", errors="replace")
        for ref in set(_IMAGE_REF.findall(text)):
            for image in _expand(ref, by_folder):
                users[image].add(unit)
    return users


def _expand(ref: str, by_folder: dict[str, list[str]]) -> list[str]:
    folder = ref.rsplit("/", 1)[0]
    if "[" not in ref:
        return [ref] if ref in by_folder.get(folder, ()) else []
    pieces = _BRACKET.split(ref)
    pattern = re.compile("[^/]*?".join(re.escape(p) for p in pieces) + "$")
    return [image for image in by_folder.get(folder, ()) if pattern.match(image)]


def unit_groups(images: list[str], words: list[str], config_dir: Path) -> list[int]:
    """A group id per image: connected components of images linked through the unit files
    that name them. An image no unit file names (its path is built by a macro) joins the named
    image its stem starts with (``armageddon-fly-3`` -> ``armageddon``), else its ``words``
    entry (sub-folder or first word), which then also links every named image of that word."""
    users = referenced_images(config_dir, images) if config_dir.is_dir() else {}
    named = {image.removesuffix(".png"): image for image in users}
    edges: list[tuple[str, str]] = []
    loose_words: set[str] = set()
    for image, word in zip(images, words, strict=True):
        if image in users:
            edges.extend((image, f"unit:{u}") for u in users[image])
            continue
        parent = named_prefix(image.removesuffix(".png"), named)
        if parent is not None:
            edges.append((image, parent))
        else:
            edges.append((image, f"word:{word}"))
            loose_words.add(word)
    edges.extend(
        (image, f"word:{word}")
        for image, word in zip(images, words, strict=True)
        if image in users and word in loose_words
    )
    return _components(images, edges)


def _components(images: list[str], edges: list[tuple[str, str]]) -> list[int]:
    node = {name: k for k, name in enumerate(images)}
    for a, b in edges:
        node.setdefault(a, len(node))
        node.setdefault(b, len(node))
    rows, cols = [node[a] for a, _ in edges], [node[b] for _, b in edges]
    graph = coo_matrix((np.ones(len(edges)), (rows, cols)), shape=(len(node), len(node)))
    _, component = connected_components(graph, directed=False)
    return [int(component[node[image]]) for image in images]


def named_prefix(stem: str, named: dict[str, str]) -> str | None:
    """The named image whose stem is the longest ``-``-bounded start of this one."""
    parts = stem.split("-")
    for k in range(len(parts) - 1, 0, -1):
        found = named.get("-".join(parts[:k]))
        if found is not None:
            return found
    return None
