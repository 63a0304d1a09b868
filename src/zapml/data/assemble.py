"""Turning decoded arrays and labels into a validated ``DataSplit``.

Array sources (npz, idx, built-ins) come here directly; file sources (folders, CSV) come here
after decoding. Train and test always share one size, one channel count and one class list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np

from zapml.data.dataset import Dataset, DataSplit
from zapml.data.imaging import choose_side, resize_stack, set_channels, to_uint8_nhwc
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
) -> DataSplit:
    """Validate classes, then bring every array to one square side and one channel count.

    ``train``/``test`` are ``(images, labels)`` with labels already indices into ``class_names``;
    images may be any layout ``to_uint8_nhwc`` accepts.
    """
    x_train = to_uint8_nhwc(train[0], f"{where} (train images)")
    x_test = to_uint8_nhwc(test[0], f"{where} (test images)") if test is not None else None
    y_train = np.asarray(train[1], dtype=np.int64)
    train_counts = np.bincount(y_train, minlength=len(class_names))
    present = {class_names[i]: int(n) for i, n in enumerate(train_counts) if n > 0}
    missing = [class_names[i] for i, n in enumerate(train_counts) if n == 0]
    check_class_counts({**present, **dict.fromkeys(missing, 0)}, where)
    if test is not None:
        test_classes = {class_names[int(i)] for i in np.unique(test[1])}
        check_test_classes(present, test_classes, where)

    stacks = [x for x in (x_train, x_test) if x is not None]
    sides = [s for x in stacks for s in (x.shape[1], x.shape[2])]
    side = choose_side(sides, max_side, image_size)
    channels = max(x.shape[3] for x in stacks)

    def finish(x: np.ndarray, y: np.ndarray) -> Dataset:
        images = set_channels(resize_stack(x, side), channels)
        return Dataset(
            images=np.ascontiguousarray(images),
            labels=np.asarray(y, dtype=np.int64),
            class_names=tuple(class_names),
            name=name,
            warnings=tuple(findings.messages),
        )

    test_set = finish(x_test, test[1]) if (x_test is not None and test is not None) else None
    return DataSplit(train=finish(x_train, y_train), test=test_set)
