"""ZAP's four "trivial" meta-features: cheap facts about a dataset that need no model.

Named as in the ZAP meta-dataset so stored tables and freshly computed features line up.
"""

from __future__ import annotations

from zapml.data.dataset import Dataset

# Column order used by ZAP; selectors that take a vector should use this order.
TRIVIAL_FEATURES = ("num_channels", "num_classes", "num_train", "resolution_0")


def compute_metafeatures(dataset: Dataset) -> dict[str, float]:
    """ZAP's trivial features; ``resolution_0`` is the image height.

    Pass the training set: ``num_train`` counts the images of ``dataset`` as given.
    """
    return {
        "num_channels": float(dataset.num_channels),
        "num_classes": float(dataset.num_classes),
        "num_train": float(len(dataset)),
        "resolution_0": float(dataset.resolution[0]),
    }
