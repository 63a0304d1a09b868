"""npz and idx sources, written by hand so expected values are known exactly."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from zapml.data import load_data, source_kind
from zapml.errors import DataError


def test_npz_float_images_in_unit_range(tmp_path: Path) -> None:
    x = np.zeros((4, 9, 9), dtype=np.float32)
    x[2:] = 1.0
    x[0, 0, 0] = 0.5  # -> round(127.5) = 128
    np.savez(tmp_path / "toy.npz", x=x, y=np.array([0, 0, 1, 1]))
    split = load_data(tmp_path / "toy.npz")
    ds = split.train
    assert source_kind(tmp_path / "toy.npz") == "npz" and split.test is None
    assert ds.images.shape == (4, 9, 9, 1) and ds.images.dtype == np.uint8
    assert ds.images[0, 0, 0, 0] == 128 and ds.images[2].min() == 255
    assert ds.class_names == ("0", "1") and ds.name == "toy"


def test_npz_string_labels_test_split_and_rgba(tmp_path: Path) -> None:
    x = np.zeros((4, 8, 8, 4), dtype=np.uint8)
    x[..., 3] = 0  # fully transparent everywhere -> white
    x_test = np.full((2, 8, 8, 4), 255, dtype=np.uint8)
    x_test[..., :3] = 7  # opaque colour 7
    y, y_test = np.array(["dog", "cat", "dog", "cat"]), np.array(["cat", "dog"])
    np.savez(tmp_path / "rgba.npz", images=x, labels=y, x_test=x_test, y_test=y_test)
    split = load_data(tmp_path / "rgba.npz")
    assert split.test is not None
    assert split.train.class_names == ("cat", "dog")
    assert split.train.labels.tolist() == [1, 0, 1, 0] and split.test.labels.tolist() == [0, 1]
    assert split.train.num_channels == 3 and split.train.images.min() == 255
    assert np.all(split.test.images == 7)


def test_npz_class_names_array_and_channels_first(tmp_path: Path) -> None:
    x = np.zeros((4, 3, 10, 10), dtype=np.uint8)  # (N, C, H, W) as PyTorch stores it
    x[:, 0] = 255
    np.savez(tmp_path / "t.npz", x=x, y=np.array([1, 1, 0, 0]), class_names=np.array(["no", "yes"]))
    ds = load_data(tmp_path / "t.npz").train
    assert ds.class_names == ("no", "yes") and ds.labels.tolist() == [1, 1, 0, 0]
    assert ds.images.shape == (4, 10, 10, 3) and ds.images[0, 0, 0].tolist() == [255, 0, 0]


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"images": np.zeros((2, 8, 8))}, "has no labels array"),
        ({"x": np.zeros((3, 8, 8)), "y": np.array([0, 1])}, "holds 3 images but 'y' has shape"),
        ({"x": -np.ones((4, 8, 8)), "y": np.array([0, 0, 1, 1])}, "negative values"),
        ({"x": np.zeros((4, 8, 8)), "y": np.array([0, 0, 0, 0])}, "has 1 class"),
    ],
)
def test_npz_errors(tmp_path: Path, arrays: dict[str, np.ndarray], message: str) -> None:
    np.savez(tmp_path / "bad.npz", **arrays)  # type: ignore[arg-type]
    with pytest.raises(DataError, match=message):
        load_data(tmp_path / "bad.npz")


def test_npz_with_pickled_objects_is_refused(tmp_path: Path) -> None:
    np.savez(
        tmp_path / "obj.npz", x=np.zeros((2, 8, 8)), y=np.array([{"a": 1}, {"b": 2}], dtype=object)
    )
    with pytest.raises(DataError, match="no object arrays"):
        load_data(tmp_path / "obj.npz")


def _write_idx(path: Path, arr: np.ndarray, truncate: int = 0) -> None:
    header = struct.pack(">BBBB", 0, 0, 0x08, arr.ndim) + b"".join(
        struct.pack(">I", d) for d in arr.shape
    )
    data = header + arr.astype(np.uint8).tobytes()
    data = data[: len(data) - truncate]
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as fh:
        fh.write(data)


def test_idx_folder_with_train_and_t10k(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    train_x = rng.integers(0, 256, (6, 9, 9), dtype=np.uint8)
    _write_idx(tmp_path / "train-images-idx3-ubyte.gz", train_x)
    _write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.array([0, 1, 2, 0, 1, 2]))
    _write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((3, 9, 9)))  # plain, not gzipped
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.array([2, 1, 0]))
    assert source_kind(tmp_path) == "idx"
    split = load_data(tmp_path, image_size=8)
    assert split.test is not None
    assert split.train.class_names == ("0", "1", "2")
    assert split.test.labels.tolist() == [2, 1, 0]
    assert split.train.resolution == (8, 8)
    # At native size the pixels must be the bytes written.
    np.testing.assert_array_equal(load_data(tmp_path).train.images[..., 0], train_x)


def test_truncated_idx_file_is_named(tmp_path: Path) -> None:
    _write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.zeros((4, 5, 5)), truncate=7)
    _write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.array([0, 0, 1, 1]))
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte.gz' is truncated .*Re-download"):
        load_data(tmp_path)


def test_unsupported_file_and_missing_path(tmp_path: Path) -> None:
    (tmp_path / "data.json").write_text("{}")
    with pytest.raises(DataError, match=r"is a .json file; zapml reads a folder"):
        load_data(tmp_path / "data.json")
    with pytest.raises(DataError, match="neither an existing file or folder nor a built-in"):
        load_data(tmp_path / "nowhere")
