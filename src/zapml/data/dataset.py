"""The in-memory image dataset every stage of zapml passes around."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Dataset:
    """Images as one uint8 array ``(N, H, W, C)`` with ``C`` in {1, 3}, integer labels, class names.

    Loaders bring every image of a dataset to one size and one channel count (see
    ``zapml.data.validation``), so the runtime can batch without further checks.

    ``image_ids`` names every image so users can match a prediction back to its file, one unique
    string per image, in image order:

    * folders and CSVs: the file's path relative to the data root, with ``/`` separators
      (``train/cat/0.png``; for a CSV, relative to the CSV's folder, normalised);
    * npz and idx files: ``<file>#<index>`` into the array the image came from
      (``toy.npz#3``, ``toy.npz#test/3`` for ``x_test``, ``t10k-images-idx3-ubyte.gz#3``);
    * built-ins: ``<name>#<index>`` into the package's data, ``<name>#test/<index>`` for an
      official test split.

    Left empty, ids default to ``<name>#<index>``. ``subset``, ``select_classes`` and
    ``DataSplit.stratified_test_split`` carry the ids of the images they keep.
    """

    images: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    name: str = "dataset"
    warnings: tuple[str, ...] = field(default=(), compare=False)
    image_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self._check_arrays()
        self._set_image_ids()

    def _check_arrays(self) -> None:
        if self.images.ndim != 4 or self.images.dtype != np.uint8:
            raise ValueError(
                f"Dataset '{self.name}': images must be a uint8 array of shape (N, H, W, C); "
                f"got dtype {self.images.dtype} and shape {self.images.shape}."
            )
        if self.images.shape[3] not in (1, 3):
            raise ValueError(
                f"Dataset '{self.name}': images must have 1 or 3 channels; "
                f"got {self.images.shape[3]}."
            )
        if self.labels.shape != (self.images.shape[0],):
            raise ValueError(
                f"Dataset '{self.name}': {self.images.shape[0]} images but labels of shape "
                f"{self.labels.shape}."
            )
        if len(self.labels) and (
            self.labels.min() < 0 or self.labels.max() >= len(self.class_names)
        ):
            raise ValueError(
                f"Dataset '{self.name}': labels must lie in [0, {len(self.class_names) - 1}]."
            )

    def _set_image_ids(self) -> None:
        # object.__setattr__: the dataclass is frozen, and ids are filled in once, here.
        if not self.image_ids and len(self):
            object.__setattr__(self, "image_ids", index_ids(self.name, len(self)))
        ids = tuple(str(i) for i in self.image_ids)
        object.__setattr__(self, "image_ids", ids)
        if len(ids) != len(self):
            raise ValueError(f"Dataset '{self.name}': {len(self)} images but {len(ids)} image ids.")
        if len(set(ids)) != len(ids):
            repeated = next(i for i, n in Counter(ids).items() if n > 1)
            raise ValueError(f"Dataset '{self.name}': image id '{repeated}' is used twice.")

    def __len__(self) -> int:
        return int(self.images.shape[0])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def num_channels(self) -> int:
        return int(self.images.shape[3])

    @property
    def resolution(self) -> tuple[int, int]:
        return int(self.images.shape[1]), int(self.images.shape[2])

    def class_counts(self) -> np.ndarray:
        return np.bincount(self.labels, minlength=self.num_classes)

    def subset(self, indices: np.ndarray, name: str | None = None) -> Dataset:
        """The images at ``indices`` (integer positions or a boolean mask), ids kept."""
        return Dataset(
            images=self.images[indices],
            labels=self.labels[indices],
            class_names=self.class_names,
            name=name or self.name,
            warnings=self.warnings,
            image_ids=self._ids_at(indices),
        )

    def _ids_at(self, indices: np.ndarray) -> tuple[str, ...]:
        return tuple(np.asarray(self.image_ids, dtype=object)[indices].tolist())

    def select_classes(self, classes: np.ndarray, name: str | None = None) -> Dataset:
        """Keep the given class indices, relabelled 0..k-1 in the given order."""
        classes = np.asarray(classes)
        remap = np.full(self.num_classes, -1, dtype=np.int64)
        remap[classes] = np.arange(len(classes))
        keep = np.flatnonzero(remap[self.labels] >= 0)
        return Dataset(
            images=self.images[keep],
            labels=remap[self.labels[keep]],
            class_names=tuple(self.class_names[c] for c in classes),
            name=name or self.name,
            warnings=self.warnings,
            image_ids=self._ids_at(keep),
        )


def index_ids(source: str, count: int, part: str = "") -> tuple[str, ...]:
    """``source#0``, ``source#1``, ... (``source#test/0`` with ``part="test"``) for array data."""
    prefix = f"{source}#{part}/" if part else f"{source}#"
    return tuple(f"{prefix}{i}" for i in range(count))


# A grouped split never gives the test side more than this share of a class: with groups of very
# different sizes (one unit with 89 frames, another with 2) the test side takes the small ones.
MAX_TEST_SHARE = 0.5


@dataclass(frozen=True)
class DataSplit:
    """What a loader returns: a training set and, when the source has one, a test set."""

    train: Dataset
    test: Dataset | None = None

    @property
    def name(self) -> str:
        return self.train.name

    def stratified_test_split(self, test_fraction: float = 0.2, seed: int = 0) -> DataSplit:
        """Cut a labelled test set off ``train`` when the source has none (stratified by class)."""
        if self.test is not None:
            return self
        rng = np.random.default_rng(seed)
        test_idx: list[int] = []
        for c in range(self.train.num_classes):
            idx = np.flatnonzero(self.train.labels == c)
            rng.shuffle(idx)
            n_test = int(round(len(idx) * test_fraction))
            n_test = min(max(n_test, 1), len(idx) - 1) if len(idx) >= 2 else 0
            test_idx.extend(idx[:n_test].tolist())
        return self._split_off(np.asarray(test_idx, dtype=np.int64))

    def grouped_test_split(
        self, groups: np.ndarray, test_fraction: float = 0.2, seed: int = 0
    ) -> DataSplit:
        """Like ``stratified_test_split``, but whole groups go to one side only.

        ``groups`` names each training image's group (e.g. the unit an animation frame shows),
        so near-duplicates never straddle the split. Per class, whole groups go to the test side
        until it holds about ``test_fraction`` of the class's images, never more than half of
        them (see ``_test_groups``); a class with a single group stays in training.
        Each group must lie within one class. (scikit-learn's ``StratifiedGroupKFold`` balances
        folds but does not promise every class a training group, which ``build_split`` needs.)
        """
        if self.test is not None:
            return self
        groups = np.asarray(groups)
        if groups.shape != self.train.labels.shape:
            raise ValueError(f"{len(groups)} group names for {len(self.train)} images.")
        pairs = set(zip(groups.tolist(), self.train.labels.tolist(), strict=True))
        if len(pairs) != len(set(groups.tolist())):
            raise ValueError("a group spans several classes; name groups within their class.")
        rng = np.random.default_rng(seed)
        test_idx: list[int] = []
        for c in range(self.train.num_classes):
            members = np.flatnonzero(self.train.labels == c)
            test_idx.extend(_test_groups(groups, members, test_fraction, rng))
        return self._split_off(np.asarray(test_idx, dtype=np.int64))

    def _split_off(self, test_idx: np.ndarray) -> DataSplit:
        is_test = np.zeros(len(self.train), dtype=bool)
        is_test[test_idx] = True
        return DataSplit(
            train=self.train.subset(np.flatnonzero(~is_test)),
            test=self.train.subset(np.flatnonzero(is_test)),
        )


def _test_groups(
    groups: np.ndarray, members: np.ndarray, test_fraction: float, rng: np.random.Generator
) -> list[int]:
    """Indices (among ``members``, one class) of the groups drawn for the test side.

    Groups are visited in random order. None may take the test side past ``MAX_TEST_SHARE`` of
    the class, so training always keeps most of it (and a single-group class stays there). The
    first group that fits always goes to test, so the class is evaluated; each later one only
    when it brings the test count closer to ``test_fraction`` (one big group must not blow the
    fraction up).
    """
    names = sorted(set(groups[members].tolist()))
    target, cap = len(members) * test_fraction, len(members) * MAX_TEST_SHARE
    chosen: list[int] = []
    for k in rng.permutation(len(names)):
        group = members[groups[members] == names[k]]
        new = len(chosen) + len(group)
        if new <= cap and (not chosen or abs(new - target) < abs(len(chosen) - target)):
            chosen.extend(group.tolist())
    return chosen
