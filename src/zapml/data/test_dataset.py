"""Dataset and DataSplit: image ids follow their images through every selection."""

from __future__ import annotations

import numpy as np
import pytest

from zapml.data import Dataset, DataSplit


def _numbered(n: int = 10, classes: int = 2) -> Dataset:
    """Image k is filled with the value k, so an image tells which id it must carry."""
    images = np.arange(n, dtype=np.uint8)[:, None, None, None] * np.ones((n, 8, 8, 1), np.uint8)
    ids = tuple(f"f{k}.png" for k in range(n))
    labels = np.arange(n) % classes
    names = tuple(f"c{c}" for c in range(classes))
    return Dataset(images, labels, names, name="toy", image_ids=ids)


def _ids_match_images(ds: Dataset) -> bool:
    return [f"f{v}.png" for v in ds.images[:, 0, 0, 0].tolist()] == list(ds.image_ids)


def test_default_ids_are_name_and_index() -> None:
    ds = Dataset(np.zeros((3, 8, 8, 1), np.uint8), np.array([0, 1, 0]), ("a", "b"), name="d")
    assert ds.image_ids == ("d#0", "d#1", "d#2")


def test_ids_must_be_one_per_image_and_unique() -> None:
    images, labels = np.zeros((2, 8, 8, 1), np.uint8), np.array([0, 1])
    with pytest.raises(ValueError, match="2 images but 1 image ids"):
        Dataset(images, labels, ("a", "b"), image_ids=("x",))
    with pytest.raises(ValueError, match="image id 'x' is used twice"):
        Dataset(images, labels, ("a", "b"), image_ids=("x", "x"))


def test_subset_by_indices_and_mask_keeps_ids() -> None:
    ds = _numbered()
    by_index = ds.subset(np.array([7, 2, 5]))
    assert by_index.image_ids == ("f7.png", "f2.png", "f5.png") and _ids_match_images(by_index)
    by_mask = ds.subset(ds.labels == 1)
    assert by_mask.image_ids == ("f1.png", "f3.png", "f5.png", "f7.png", "f9.png")
    assert _ids_match_images(by_mask)


def test_select_classes_keeps_ids() -> None:
    ds = _numbered(12, classes=3).select_classes(np.array([2, 0]))
    assert ds.class_names == ("c2", "c0")
    expected = [0, 2, 3, 5, 6, 8, 9, 11]  # labels cycle 0, 1, 2: classes 2 and 0 kept
    assert ds.image_ids == tuple(f"f{k}.png" for k in expected)
    assert _ids_match_images(ds)


def test_stratified_test_split_partitions_the_ids() -> None:
    split = DataSplit(train=_numbered(20)).stratified_test_split(0.2, seed=3)
    assert split.test is not None
    train_ids, test_ids = set(split.train.image_ids), set(split.test.image_ids)
    assert not train_ids & test_ids and len(train_ids | test_ids) == 20
    assert len(test_ids) == 4
    assert _ids_match_images(split.train) and _ids_match_images(split.test)
