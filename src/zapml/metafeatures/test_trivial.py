"""Trivial meta-features against counts worked out by hand."""

from __future__ import annotations

import numpy as np

from zapml.data.dataset import Dataset
from zapml.metafeatures import TRIVIAL_FEATURES, compute_metafeatures


def test_counts_of_a_hand_built_dataset() -> None:
    # 7 RGB images of 12 rows x 20 columns; labels use 3 of 4 declared classes.
    images = np.zeros((7, 12, 20, 3), dtype=np.uint8)
    labels = np.array([0, 0, 1, 1, 1, 3, 3])
    ds = Dataset(images, labels, ("a", "b", "c", "d"))
    assert compute_metafeatures(ds) == {
        "num_channels": 3.0,
        "num_classes": 4.0,  # declared classes, including the empty 'c'
        "num_train": 7.0,
        "resolution_0": 12.0,  # height, not width
    }


def test_gray_subset_and_key_order() -> None:
    ds = Dataset(np.zeros((10, 28, 28, 1), np.uint8), np.arange(10) % 2, ("x", "y"))
    feats = compute_metafeatures(ds.subset(np.arange(4)))
    assert tuple(feats) == TRIVIAL_FEATURES
    assert feats["num_train"] == 4.0 and feats["num_channels"] == 1.0
    assert all(isinstance(v, float) for v in feats.values())
