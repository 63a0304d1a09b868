"""Turning decoded arrays and labels into a validated ``DataSplit``.

Array sources (npz, idx, built-ins) come here directly; file sources (folders, CSV) come here
after decoding. Train and test always share one size, one channel count and one class list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np

from zapml.data.dataset import Dataset, DataSplit, index_ids
from zapml.data.imaging import (
    choose_side,
    pixel_scale,
    resize_stack,
    set_channels,
    to_uint8_nhwc,
)
from zapml.data.validation import Findings, check_class_counts, check_test_classes


def class_sort_key(name: str) -> tuple[int, float, str]:
    """Numeric names in numeric order ("2" before "10"), then everything else alphabetically."""
    if re.fullmatch(r"-?\d+(\.\d+)?", name):
        return (0, float(name), name)
    return (1, 0.0, name)


def sorted_classes(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(names), key=class_sort_key))


def encode_labels(raw: np.ndarray, class_names: Sequence[str]) -> np.ndarray:
    """Map label values (as strings) to indices into ``class_names``."""
    index = {name: i for i, name in enumerate(class_names)}
    return np.asarray([index[str(v)] for v in raw.tolist()], dtype=np.int64)


def build_split(
    name: str,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray] | None,
    class_names: Sequence[str],
    findings: Findings,
    *,
    max_side: int,
    image_size: int | None,
    where: str,
    ids: tuple[Sequence[str], Sequence[str] | None] | None = None,
) -> DataSplit:
    """Validate classes, then bring every array to one square side and one channel count.

    ``train``/``test`` are ``(images, labels)`` with labels already indices into ``class_names``;
    images may be any layout ``to_uint8_nhwc`` accepts. ``ids`` are the (train, test) image ids;
    by default ``<name>#<index>`` and ``<name>#test/<index>``.
    """
    check_split_classes(train[1], test[1] if test is not None else None, class_names, where)
    # One value scale for train and test, so a pixel value means the same in both.
    scale = pixel_scale([train[0]] + ([test[0]] if test is not None else []), where)
    x_train = to_uint8_nhwc(train[0], f"{where} (train images)", scale)
    x_test = to_uint8_nhwc(test[0], f"{where} (test images)", scale) if test is not None else None
    stacks = [x for x in (x_train, x_test) if x is not None]
    sides = [s for x in stacks for s in (x.shape[1], x.shape[2])]
    side = choose_side(sides, max_side, image_size)
    channels = max(x.shape[3] for x in stacks)
    train_ids, test_ids = ids if ids is not None else (index_ids(name, len(x_train)), None)

    def finish(x: np.ndarray, y: np.ndarray, image_ids: Sequence[str]) -> Dataset:
        images = set_channels(resize_stack(x, side), channels)
        return Dataset(
            images=np.ascontiguousarray(images),
            labels=np.asarray(y, dtype=np.int64),
            class_names=tuple(class_names),
            name=name,
            warnings=tuple(findings.messages),
            image_ids=tuple(image_ids),
        )

    test_set = None
    if x_test is not None and test is not None:
        test_set = finish(x_test, test[1], test_ids or index_ids(name, len(x_test), "test"))
    return DataSplit(train=finish(x_train, train[1], train_ids), test=test_set)


def check_split_classes(
    train_labels: np.ndarray,
    test_labels: np.ndarray | None,
    class_names: Sequence[str],
    where: str,
) -> None:
    """Test classes unseen in training first (the clearer message), then the training counts."""
    counts = np.bincount(np.asarray(train_labels, dtype=np.int64), minlength=len(class_names))
    present = [class_names[i] for i, n in enumerate(counts) if n > 0]
    if test_labels is not None:
        check_test_classes(present, [class_names[int(i)] for i in np.unique(test_labels)], where)
    check_class_counts({class_names[i]: int(n) for i, n in enumerate(counts)}, where)
