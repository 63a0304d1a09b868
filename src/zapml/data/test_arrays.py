"""npz and idx sources, written by hand so expected values are known exactly."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from zapml.data import DataWarning, load_data, source_kind
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


# ------------------------------------------------------------------ hostile npz inputs


def test_npz_nan_labels_are_refused_with_count_and_first_index(tmp_path: Path) -> None:
    y = np.array([0.0, 1.0, np.nan, 1.0, np.nan, 0.0])
    np.savez(tmp_path / "nan.npz", x=np.zeros((6, 8, 8)), y=y)
    with pytest.raises(DataError) as info:
        load_data(tmp_path / "nan.npz")
    message = str(info.value)
    assert "'nan.npz': labels 'y' hold 2 NaN value(s) (first at index 2)" in message
    assert "drop them from both 'y' and the image array" in message


def test_npz_nan_in_the_test_labels_names_that_array(tmp_path: Path) -> None:
    x = np.zeros((4, 8, 8))
    y_test = np.array([0.0, 1.0, 1.0, np.nan])
    np.savez(tmp_path / "t.npz", x=x, y=np.array([0, 0, 1, 1]), x_test=x, y_test=y_test)
    with pytest.raises(
        DataError, match=r"labels 'y_test' hold 1 NaN value\(s\) \(first at index 3\)"
    ):
        load_data(tmp_path / "t.npz")


@pytest.mark.parametrize(
    ("y", "message"),
    [
        (np.array([0.0, 1.0, np.inf, 1.0]), r"1 infinite value\(s\) \(first at index 2\)"),
        (np.array([0.0, 0.5, 1.0, 1.0]), r"1 non-whole value\(s\) \(first 0.5 at index 1\)"),
        (np.array([1j, 2j, 1j, 2j]), "have dtype complex128; give integer or string labels"),
        (np.array(["a", " ", "b", "b"]), r"1 empty label\(s\) \(first at index 1\)"),
    ],
)
def test_npz_labels_that_name_no_class(tmp_path: Path, y: np.ndarray, message: str) -> None:
    np.savez(tmp_path / "bad.npz", x=np.zeros((4, 8, 8)), y=y)
    with pytest.raises(DataError, match=message):
        load_data(tmp_path / "bad.npz")


def test_npz_whole_float_labels_name_classes_as_integers(tmp_path: Path) -> None:
    # Labels saved as float (as pandas often does) give the classes integer labels would give.
    np.savez(tmp_path / "f.npz", x=np.zeros((4, 8, 8)), y=np.array([2.0, 10.0, 2.0, 10.0]))
    ds = load_data(tmp_path / "f.npz").train
    assert ds.class_names == ("2", "10") and ds.labels.tolist() == [0, 1, 0, 1]
    # With a class_names array, whole floats index into it like integers.
    np.savez(tmp_path / "g.npz", x=np.zeros((4, 8, 8)), y=np.array([1.0, 0.0, 1.0, 0.0]),
             class_names=np.array(["no", "yes"]))  # fmt: skip
    assert load_data(tmp_path / "g.npz").train.labels.tolist() == [1, 0, 1, 0]


def test_npz_text_label_nan_is_kept_with_a_warning(tmp_path: Path) -> None:
    np.savez(tmp_path / "s.npz", x=np.zeros((4, 8, 8)), y=np.array(["cat", "nan", "cat", "nan"]))
    with pytest.warns(DataWarning, match=r"2 label\(s\) 'nan' \(first at index 1\)"):
        ds = load_data(tmp_path / "s.npz").train
    assert ds.class_names == ("cat", "nan")


def test_zero_dimensional_npz_arrays_are_refused(tmp_path: Path) -> None:
    np.savez(tmp_path / "zero.npz", x=np.array(3), y=np.array(1))
    with pytest.raises(DataError, match=r"'zero.npz': 'x' is a single value \(a 0-d array\)"):
        load_data(tmp_path / "zero.npz")
    np.savez(tmp_path / "zy.npz", x=np.zeros((4, 8, 8)), y=np.array(1))
    with pytest.raises(DataError, match=r"'y' has shape \(\); give exactly one label per image"):
        load_data(tmp_path / "zy.npz")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"'d.npz' is empty \(0 bytes\), probably an interrupted save"),
        (None, r"'d.npz' holds a single .npy array, not named arrays"),
        (b"PK\x03\x04 cut short", r"'d.npz' is not a readable .npz file"),
    ],
)
def test_empty_npy_and_truncated_npz_files(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "d.npz"
    if content is None:
        with path.open("wb") as fh:  # np.save to an open file keeps the .npz name
            np.save(fh, np.zeros((4, 8, 8)))
    else:
        path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        load_data(path)


def test_npz_images_without_pixels_or_without_images(tmp_path: Path) -> None:
    np.savez(tmp_path / "flat.npz", x=np.zeros((4, 0, 8)), y=np.array([0, 0, 1, 1]))
    with pytest.raises(DataError, match=r"images of shape \(4, 0, 8, 1\) have no pixels"):
        load_data(tmp_path / "flat.npz")
    np.savez(tmp_path / "none.npz", x=np.zeros((0, 8, 8)), y=np.zeros(0))
    with pytest.raises(DataError, match="'x' holds no images"):
        load_data(tmp_path / "none.npz")


def test_npz_test_class_absent_from_training_is_named(tmp_path: Path) -> None:
    x = np.zeros((4, 8, 8))
    np.savez(
        tmp_path / "t.npz", x=x, y=np.array([0, 0, 1, 1]), x_test=x, y_test=np.array([0, 1, 2, 2])
    )
    with pytest.raises(DataError) as info:
        load_data(tmp_path / "t.npz")
    message = str(info.value)
    assert "class(es) '2' appear in the test split but not in the training split" in message
    assert "Add training images for them or drop them from the test split" in message
    assert "fewer than 2" not in message


def test_npz_train_and_test_share_one_pixel_scale(tmp_path: Path) -> None:
    # uint16 train images reach 514 (16-bit data); the test images, all 200, are the same source:
    # both are scaled by 255/65535 (514 -> 2, 200 -> 0.78 -> 1), not the test set left as is.
    x = np.full((4, 8, 8), 514, dtype=np.uint16)
    x_test = np.full((2, 8, 8), 200, dtype=np.uint16)
    y = np.array([0, 0, 1, 1])
    np.savez(tmp_path / "w.npz", x=x, y=y, x_test=x_test, y_test=np.array([0, 1]))
    split = load_data(tmp_path / "w.npz")
    assert split.test is not None
    assert split.train.images.max() == 2 and split.test.images.max() == 1


# ------------------------------------------------------------------------- image ids


def test_npz_image_ids_name_the_file_and_index(tmp_path: Path) -> None:
    x = np.arange(4, dtype=np.uint8)[:, None, None] * np.ones((4, 8, 8), np.uint8)
    y = np.array([0, 1, 0, 1])
    np.savez(tmp_path / "toy.npz", x=x, y=y, x_test=x[:2] + 100, y_test=y[:2])
    split = load_data(tmp_path / "toy.npz")
    assert split.test is not None
    assert split.train.image_ids == ("toy.npz#0", "toy.npz#1", "toy.npz#2", "toy.npz#3")
    assert split.test.image_ids == ("toy.npz#test/0", "toy.npz#test/1")
    # The stratified split keeps each image with its id: image k was filled with the value k.
    cut = split.train.subset(np.array([3, 1]))
    assert cut.image_ids == ("toy.npz#3", "toy.npz#1") and cut.images[:, 0, 0, 0].tolist() == [3, 1]


def test_idx_image_ids_and_classes_from_present_labels(tmp_path: Path) -> None:
    _write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.zeros((4, 9, 9)))
    _write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.array([0, 3, 0, 3]))
    _write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((2, 9, 9)))
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.array([3, 0]))
    split = load_data(tmp_path)
    assert split.test is not None
    # Labels 0 and 3 only: two classes, not four with two empty ones.
    assert split.train.class_names == ("0", "3") and split.test.labels.tolist() == [1, 0]
    assert split.train.image_ids[1] == "train-images-idx3-ubyte.gz#1"
    assert split.test.image_ids == ("t10k-images-idx3-ubyte#0", "t10k-images-idx3-ubyte#1")
