"""Built-in datasets: sizes, splits, pixel ranges and the cache, checked against known facts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zapml.data import builtin_readers as readers
from zapml.data import list_builtin, load_data
from zapml.data.cache import builtin_cache_path
from zapml.errors import DataError


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One cache per test session: tests never touch the user's ~/.cache, yet decode only once.
    cache = tmp_path_factory.getbasetemp() / "zapml-cache"
    monkeypatch.setenv("ZAPML_CACHE", str(cache))


def test_digits_sizes_split_and_value_range() -> None:
    split = load_data("digits")
    assert split.test is not None
    # sklearn's digits: 1,797 images of 8x8; 178 of them are zeros (20 % of 178 -> 36 held out).
    assert len(split.train) + len(split.test) == 1797
    assert split.train.resolution == (8, 8) and split.train.num_channels == 1
    assert split.test.class_counts()[0] == 36
    assert split.train.class_counts()[0] == 178 - 36
    # Values 0..16 are stretched by 255/16, so the brightest pixel is exactly 255 and 8 -> 128.
    assert split.train.images.max() == 255
    assert set(np.unique(split.train.images)) <= {round(v * 255 / 16) for v in range(17)}


def test_builtin_prefix_and_split_are_deterministic() -> None:
    a = load_data("builtin:digits")
    b = load_data("digits")
    assert a.test is not None and b.test is not None
    np.testing.assert_array_equal(a.test.labels, b.test.labels)
    np.testing.assert_array_equal(a.test.images, b.test.images)


def test_animal_mnist_reads_the_pickle_without_tensorflow() -> None:
    if readers.animal_mnist_dir() is None:
        pytest.skip(readers.ANIMAL_HINT)
    split = load_data("animal_mnist")
    assert split.test is not None
    assert split.train.class_names[0] == "bear" and split.train.num_classes == 10
    # 1,000 silhouettes per class, 200 of each held out.
    assert split.train.class_counts().tolist() == [800] * 10
    assert split.test.class_counts().tolist() == [200] * 10
    assert split.train.resolution == (28, 28)


def test_fashion_mnist_keeps_the_official_split() -> None:
    if readers.fashion_missing():
        pytest.skip(readers.FASHION_HINT)
    split = load_data("fashion_mnist")
    assert split.test is not None
    assert len(split.train) == 60000 and len(split.test) == 10000
    assert split.test.class_counts().tolist() == [1000] * 10
    assert split.train.class_names[9] == "ankle boot"


def test_image_size_resizes_and_cache_is_written() -> None:
    split = load_data("digits", image_size=16)
    assert split.train.resolution == (16, 16)
    assert builtin_cache_path("digits").is_file()


def test_missing_debian_package_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "FASHION_DIR", Path("/nonexistent/fashion"))
    monkeypatch.setattr(readers, "OPENCV_DIGITS_CANDIDATES", (Path("/nonexistent/digits.png"),))
    monkeypatch.delenv("ZAPML_OPENCV_DIGITS", raising=False)
    with pytest.raises(DataError, match="apt-get install dataset-fashion-mnist"):
        load_data("builtin:fashion_mnist")
    with pytest.raises(DataError, match="apt-get install opencv-doc"):
        load_data("opencv_digits")
    info = {i.name: i for i in list_builtin()}
    assert not info["opencv_digits"].available
    assert info["opencv_digits"].install_hint is not None
    assert info["digits"].available and info["digits"].install_hint is None


def test_unknown_name_suggests_a_close_builtin() -> None:
    with pytest.raises(DataError, match="Did you mean the built-in 'digits'"):
        load_data("digts")
