"""Folder and CSV loaders, and every validation case, on tiny datasets written with PIL."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zapml.data import DataWarning, load_data
from zapml.data.conftest import MakeImage
from zapml.errors import DataError

# Warnings are asserted through Dataset.warnings; one test checks they are also emitted.
pytestmark = pytest.mark.filterwarnings("ignore::zapml.data.validation.DataWarning")


def warnings_of(root: Path | str) -> str:
    return "\n".join(load_data(root).train.warnings)


# ------------------------------------------------------------------------------- layouts


def test_class_folders_labels_and_median_side(tmp_path: Path, make_image: MakeImage) -> None:
    root = tmp_path / "shapes"
    # Sides 10, 12, 14 (square) and 16x20: pooled sides 10,10,12,12,14,14,16,20 -> median 13.
    make_image(root / "b" / "x.png", size=(10, 10), color=10)
    make_image(root / "b" / "y.png", size=(12, 12), color=10)
    make_image(root / "a" / "x.png", size=(14, 14), color=250)
    make_image(root / "a" / "y.png", size=(16, 20), color=250)
    split = load_data(root)
    assert split.test is None
    assert split.train.class_names == ("a", "b")
    assert split.train.resolution == (13, 13) and split.train.num_channels == 1
    assert split.train.class_counts().tolist() == [2, 2]
    # Class 'a' was filled with 250: a uniform image stays uniform after resizing.
    assert np.all(split.train.images[split.train.labels == 0] == 250)
    assert split.train.name == "shapes" and split.train.warnings == ()


def test_numeric_class_names_sort_numerically(tmp_path: Path, make_image: MakeImage) -> None:
    for cls in ("10", "2", "9"):
        for i in range(2):
            make_image(tmp_path / "d" / cls / f"{i}.png")
    assert load_data(tmp_path / "d").train.class_names == ("2", "9", "10")


def test_train_and_test_subfolders(tmp_path: Path, make_image: MakeImage) -> None:
    root = tmp_path / "ds"
    for split_dir, n in (("train", 3), ("test", 1)):
        for cls in ("x", "y"):
            for i in range(n):
                make_image(root / split_dir / cls / f"{i}.png")
    split = load_data(root)
    assert split.test is not None
    assert split.train.class_counts().tolist() == [3, 3]
    assert split.test.class_counts().tolist() == [1, 1]
    assert split.test.class_names == split.train.class_names


def test_test_class_unknown_to_train_is_an_error(tmp_path: Path, make_image: MakeImage) -> None:
    root = tmp_path / "ds"
    for cls in ("x", "y"):
        for i in range(2):
            make_image(root / "train" / cls / f"{i}.png")
    make_image(root / "test" / "z" / "0.png")
    with pytest.raises(
        DataError, match=r"class\(es\) 'z' appear in the test split but not in the training split"
    ):
        load_data(root)


def test_max_side_and_image_size(tmp_path: Path, make_image: MakeImage) -> None:
    for cls in ("a", "b"):
        for i in range(2):
            make_image(tmp_path / "d" / cls / f"{i}.png", size=(300, 300))
    assert load_data(tmp_path / "d").train.resolution == (256, 256)
    assert load_data(tmp_path / "d", max_side=64).train.resolution == (64, 64)
    assert load_data(tmp_path / "d", image_size=20).train.resolution == (20, 20)
    with pytest.raises(DataError, match="image_size must be between 8 and 4096 pixels; got 3"):
        load_data(tmp_path / "d", image_size=3)


# ------------------------------------------------------------------- unreadable files


def test_truncated_image_is_skipped_and_named(
    two_class_folder: Path, make_image: MakeImage
) -> None:
    bad = make_image(two_class_folder / "cat" / "broken.png", size=(64, 64), mode="RGB")
    # Random pixels compress badly, so cutting the file in half removes real image data.
    noise = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(noise).save(bad)
    bad.write_bytes(bad.read_bytes()[: bad.stat().st_size // 2])
    split = load_data(two_class_folder)
    assert len(split.train) == 5  # the 5 good images
    message = "\n".join(split.train.warnings)
    assert "'cat/broken.png'" in message and "truncated" in message and "delete it" in message


def test_file_that_is_not_an_image_despite_its_suffix(two_class_folder: Path) -> None:
    (two_class_folder / "dog" / "fake.jpg").write_text("this is text")
    message = warnings_of(two_class_folder)
    assert "'dog/fake.jpg' is not a readable image" in message
    assert "Re-export it as PNG or JPEG" in message


def test_non_image_files_are_skipped_with_a_warning(two_class_folder: Path) -> None:
    (two_class_folder / "README.md").write_text("about")
    (two_class_folder / "cat" / "labels.txt").write_text("x")
    split = load_data(two_class_folder)
    assert len(split.train) == 5
    message = "\n".join(split.train.warnings)
    assert "skipped 2 file(s) that are not images" in message
    assert "'README.md'" in message and "'cat/labels.txt'" in message
    assert "move other files out of the data folder" in message


def test_hidden_entries_are_ignored_with_a_note(
    two_class_folder: Path, make_image: MakeImage
) -> None:
    (two_class_folder / ".DS_Store").write_bytes(b"\0\0")
    make_image(two_class_folder / "cat" / ".ipynb_checkpoints" / "0-checkpoint.png")
    make_image(two_class_folder / ".hidden_class" / "0.png")
    split = load_data(two_class_folder)
    assert split.train.class_names == ("cat", "dog") and len(split.train) == 5
    notes = [w for w in split.train.warnings if w.startswith("Note:")]
    assert len(notes) == 1 and len(split.train.warnings) == 1
    for name in (".DS_Store", "cat/.ipynb_checkpoints", ".hidden_class"):
        assert f"'{name}'" in notes[0]


def test_loose_images_in_the_root_are_named(two_class_folder: Path, make_image: MakeImage) -> None:
    make_image(two_class_folder / "stray.png")
    message = warnings_of(two_class_folder)
    assert "'stray.png'" in message and "Move each into a folder named after its class" in message


def test_warnings_are_also_emitted_through_the_warnings_module(two_class_folder: Path) -> None:
    (two_class_folder / "notes.txt").write_text("x")
    with pytest.warns(DataWarning, match="notes.txt"):
        load_data(two_class_folder)


# -------------------------------------------------------------------------- classes


def test_single_class_is_an_error(tmp_path: Path, make_image: MakeImage) -> None:
    for i in range(3):
        make_image(tmp_path / "one" / "only" / f"{i}.png")
    with pytest.raises(DataError, match=r"has 1 class \(only 'only'\).*at least 2"):
        load_data(tmp_path / "one")


def test_class_with_one_image_is_named(two_class_folder: Path, make_image: MakeImage) -> None:
    make_image(two_class_folder / "eel" / "0.png")
    with pytest.raises(DataError, match=r"fewer than 2 readable images: 'eel \(1\)'.*Add images"):
        load_data(two_class_folder)


def test_class_left_with_one_readable_image_is_an_error(two_class_folder: Path) -> None:
    (two_class_folder / "dog" / "1.png").write_bytes(b"\x89PNG broken")
    with pytest.raises(DataError, match=r"'dog \(1\)'"):
        load_data(two_class_folder)


# ----------------------------------------------------------------- modes and channels


def test_mixed_modes_become_rgb_with_alpha_on_white(tmp_path: Path, make_image: MakeImage) -> None:
    root = tmp_path / "mixed"
    make_image(root / "a" / "gray.png", mode="L", color=100)
    make_image(root / "a" / "rgb.png", mode="RGB", color=(255, 0, 0))
    make_image(root / "b" / "clear.png", mode="RGBA", color=(0, 0, 255, 0))  # fully transparent
    palette = Image.new("P", (10, 10), 1)
    palette.putpalette([0, 0, 0, 0, 200, 0] + [0] * 762)
    palette.save(root / "b" / "palette.png")
    split = load_data(root)
    ds = split.train
    assert ds.num_channels == 3
    by_name = dict(zip(["gray", "rgb", "clear", "palette"], ds.images[:, 5, 5], strict=True))
    assert by_name["gray"].tolist() == [100, 100, 100]  # gray repeated, not tinted
    assert by_name["rgb"].tolist() == [255, 0, 0]
    assert by_name["clear"].tolist() == [255, 255, 255]  # transparent -> white page
    assert by_name["palette"].tolist() == [0, 200, 0]  # palette entry 1


def test_gray_with_alpha_stays_single_channel(tmp_path: Path, make_image: MakeImage) -> None:
    root = tmp_path / "g"
    make_image(root / "a" / "0.png", mode="L", color=0)
    make_image(root / "a" / "1.png", mode="L", color=0)
    make_image(root / "b" / "0.png", mode="LA", color=(0, 128))  # black at ~50 % over white
    make_image(root / "b" / "1.png", mode="LA", color=(0, 255))
    ds = load_data(root).train
    assert ds.num_channels == 1
    # 0 * 128/255 + 255 * (1 - 128/255) = 127
    assert ds.images[2, 0, 0, 0] == 127 and ds.images[3, 0, 0, 0] == 0


def test_sixteen_bit_gray_is_rescaled(tmp_path: Path) -> None:
    root = tmp_path / "deep"
    for cls, value in (("a", 65535), ("b", 0)):
        for i in range(2):
            (root / cls).mkdir(parents=True, exist_ok=True)
            Image.fromarray(np.full((9, 9), value, np.uint16)).save(root / cls / f"{i}.png")
    ds = load_data(root).train
    assert ds.num_channels == 1 and ds.images[0].max() == 255 and ds.images[2].max() == 0


# --------------------------------------------------------------------- large images


def test_very_large_image_is_downscaled_with_a_warning(
    two_class_folder: Path, make_image: MakeImage
) -> None:
    make_image(two_class_folder / "dog" / "wide.png", size=(5000, 10), color=200)
    split = load_data(two_class_folder)
    assert len(split.train) == 6 and split.train.resolution == (10, 10)
    message = "\n".join(split.train.warnings)
    assert "'dog/wide.png' is very large (5000x10 px)" in message
    assert "at most 4096 px per side" in message


def _forged_png(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` but that holds almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 10))
        + chunk(b"IEND", b"")
    )


def test_decompression_bomb_is_skipped_before_decoding(two_class_folder: Path) -> None:
    (two_class_folder / "cat" / "bomb.png").write_bytes(_forged_png(13000, 13000))  # 169 MP
    split = load_data(two_class_folder)
    assert len(split.train) == 5
    message = "\n".join(split.train.warnings)
    assert "'cat/bomb.png' claims 13000x13000 px" in message and "decompression bomb" in message


# ------------------------------------------------------------------------------- CSV


def _csv_dataset(tmp_path: Path, make_image: MakeImage, header: bool = True) -> Path:
    for name, color in (("a0", 10), ("a1", 10), ("b0", 220), ("b1", 220)):
        make_image(tmp_path / "img" / f"{name}.png", color=color)
    rows = ["img/a0.png,alpha", "img/a1.png,alpha", "img/b0.png,beta", "img/b1.png,beta"]
    csv_path = tmp_path / "labels.csv"
    csv_path.write_text("\n".join((["path,label"] if header else []) + rows) + "\n")
    return csv_path


@pytest.mark.parametrize("header", [True, False])
def test_csv_with_or_without_header(tmp_path: Path, make_image: MakeImage, header: bool) -> None:
    split = load_data(_csv_dataset(tmp_path, make_image, header))
    ds = split.train
    assert ds.class_names == ("alpha", "beta") and ds.labels.tolist() == [0, 0, 1, 1]
    assert ds.images[:2].max() == 10 and ds.images[2:].min() == 220
    assert ds.name == "labels" and ds.warnings == ()


@pytest.mark.parametrize("bad", ["../outside.png", "img/../../outside.png", "/etc/hosts"])
def test_csv_paths_must_stay_inside_the_root(
    tmp_path: Path, make_image: MakeImage, bad: str
) -> None:
    csv_path = _csv_dataset(tmp_path / "data", make_image)
    make_image(tmp_path / "outside.png")
    csv_path.write_text(csv_path.read_text() + f"{bad},beta\n")
    with pytest.raises(DataError, match=rf"row 6: path '{bad}' points outside the data folder"):
        load_data(csv_path)


def test_csv_absolute_path_inside_the_root_is_fine(tmp_path: Path, make_image: MakeImage) -> None:
    csv_path = _csv_dataset(tmp_path, make_image)
    extra = make_image(tmp_path / "img" / "b2.png", color=220)
    csv_path.write_text(csv_path.read_text() + f"{extra},beta\n")
    assert load_data(csv_path).train.class_counts().tolist() == [2, 3]


def test_csv_missing_files_are_listed_up_to_five(tmp_path: Path, make_image: MakeImage) -> None:
    csv_path = _csv_dataset(tmp_path, make_image)
    missing = "".join(f"img/gone{i}.png,beta\n" for i in range(7))
    csv_path.write_text(csv_path.read_text() + missing)
    with pytest.raises(DataError) as info:
        load_data(csv_path)
    message = str(info.value)
    assert "7 referenced file(s) do not exist" in message
    assert "'row 6: img/gone0.png'" in message and "'row 10: img/gone4.png'" in message
    assert "gone5" not in message and "and 2 more" in message


def test_csv_duplicate_rows_warn_and_are_used_once(tmp_path: Path, make_image: MakeImage) -> None:
    csv_path = _csv_dataset(tmp_path, make_image)
    csv_path.write_text(csv_path.read_text() + "img/a0.png,alpha\n")
    split = load_data(csv_path)
    assert len(split.train) == 4
    message = "\n".join(split.train.warnings)
    assert "'img/a0.png' (rows 2 and 6)" in message and "Remove the repeated rows" in message


def test_csv_conflicting_duplicate_is_an_error(tmp_path: Path, make_image: MakeImage) -> None:
    csv_path = _csv_dataset(tmp_path, make_image)
    csv_path.write_text(csv_path.read_text() + "./img/a0.png,beta\n")
    with pytest.raises(DataError, match=r"rows 2 and 6 give './img/a0.png' different labels"):
        load_data(csv_path)


def test_csv_row_without_label(tmp_path: Path, make_image: MakeImage) -> None:
    csv_path = _csv_dataset(tmp_path, make_image)
    csv_path.write_text(csv_path.read_text() + "img/a0.png\n")
    with pytest.raises(DataError, match=r"row 6: expected 'path,label'"):
        load_data(csv_path)


# ------------------------------------------------------------------------ non-ASCII


def test_non_ascii_class_and_file_names_in_folders(tmp_path: Path, make_image: MakeImage) -> None:
    root = tmp_path / "données"
    make_image(root / "café" / "ñandú.png", color=1)
    make_image(root / "café" / "日本.png", color=1)
    make_image(root / "straße" / "ünï.png", color=2)
    make_image(root / "straße" / "ø.png", color=2)
    (root / "café" / "résumé.txt").write_text("x")
    split = load_data(root)
    assert split.train.class_names == ("café", "straße") and split.name == "données"
    assert "'café/résumé.txt'" in "\n".join(split.train.warnings)


def test_non_ascii_names_in_csv(tmp_path: Path, make_image: MakeImage) -> None:
    for name in ("ñandú", "日本"):
        make_image(tmp_path / "imgs" / f"{name}.png")
        make_image(tmp_path / "imgs" / f"{name}2.png")
    rows = ["path,label", "imgs/ñandú.png,pájaro", "imgs/ñandú2.png,pájaro"]
    rows += ["imgs/日本.png,国", "imgs/日本2.png,国"]
    text = "\n".join(rows) + "\n"
    # Written with a byte-order mark, as spreadsheet programs do.
    (tmp_path / "l.csv").write_text(text, encoding="utf-8-sig")
    ds = load_data(tmp_path / "l.csv").train
    assert ds.class_names == ("pájaro", "国") and ds.labels.tolist() == [0, 0, 1, 1]


# ------------------------------------------------------------ 16-bit depth, CSV columns


def _save_16bit(path: Path, values: list[int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    row = np.asarray(values, dtype=np.uint16)
    Image.fromarray(np.tile(row, (len(values), 1))).save(path)


def test_sixteen_bit_scale_is_the_bit_depth_not_the_content(tmp_path: Path) -> None:
    # v -> round(v * 255 / 65535) = round(v / 257) whatever else the image holds: a dim image
    # (max 255) is not taken as 8-bit, and 257 * k -> k in a bright one.
    root = tmp_path / "deep"
    dim = [0, 128, 129, 255, 64, 192, 200, 254]
    ks = [0, 10, 100, 255, 1, 2, 50, 200]
    bright = [257 * k for k in ks]
    for cls, values in (("dim", dim), ("bright", bright)):
        for i in range(2):
            _save_16bit(root / cls / f"{i}.png", values)
    ds = load_data(root).train  # 8x8 images: loaded at their native size, no resampling
    assert ds.resolution == (8, 8)
    rows = {
        ds.class_names[y]: img[0, :, 0].tolist()
        for img, y in zip(ds.images, ds.labels, strict=True)
    }
    assert rows["dim"] == [0, 0, 1, 1, 0, 1, 1, 1]
    assert rows["bright"] == ks


@pytest.mark.parametrize("header", ["label,path", "class,id,filename", "path,label"])
def test_csv_columns_are_read_by_header_name(
    tmp_path: Path, make_image: MakeImage, header: str
) -> None:
    for name, color in (("a0", 10), ("a1", 10), ("b0", 220), ("b1", 220)):
        make_image(tmp_path / "img" / f"{name}.png", color=color)
    names = header.split(",")
    rows = []
    files = ["img/a0.png", "img/a1.png", "img/b0.png", "img/b1.png"]
    for i, (file, label) in enumerate(zip(files, ["alpha", "alpha", "beta", "beta"], strict=True)):
        cells = {"label": label, "class": label, "path": file, "filename": file, "id": str(i)}
        rows.append(",".join(cells[n] for n in names))
    (tmp_path / "l.csv").write_text("\n".join([header, *rows]) + "\n")
    ds = load_data(tmp_path / "l.csv").train
    assert ds.class_names == ("alpha", "beta") and ds.labels.tolist() == [0, 0, 1, 1]
    assert ds.images[:2].max() == 10 and ds.images[2:].min() == 220


def test_csv_swapped_columns_without_header_name_the_expected_order(
    tmp_path: Path, make_image: MakeImage
) -> None:
    csv_path = _csv_dataset(tmp_path, make_image, header=False)
    swapped = [",".join(reversed(line.split(","))) for line in csv_path.read_text().split()]
    csv_path.write_text("\n".join(swapped) + "\n")
    with pytest.raises(DataError) as info:
        load_data(csv_path)
    message = str(info.value)
    assert "the second column holds the image paths (row 1: 'img/a0.png')" in message
    assert "read as 'path,label'" in message and "different labels" not in message


def test_csv_header_with_unknown_names_is_explained(tmp_path: Path, make_image: MakeImage) -> None:
    csv_path = _csv_dataset(tmp_path, make_image, header=False)
    csv_path.write_text("picture,kind\n" + csv_path.read_text())
    with pytest.raises(DataError, match=r"row 1 \('picture', 'kind'\) names no file.*header"):
        load_data(csv_path)
    csv_path.write_text("id,label,extra\n1,a,b\n")
    with pytest.raises(DataError, match="must name both the image-path column"):
        load_data(csv_path)


# ------------------------------------------------------------------------- image ids


def test_folder_image_ids_are_paths_and_skip_unreadable_files(
    two_class_folder: Path, make_image: MakeImage
) -> None:
    (two_class_folder / "cat" / "1b.png").write_bytes(b"\x89PNG broken")
    make_image(two_class_folder / "dog" / "deep" / "2.png", color=201)
    ds = load_data(two_class_folder).train
    assert ds.image_ids == (
        "cat/0.png", "cat/1.png", "cat/2.png", "dog/0.png", "dog/1.png", "dog/deep/2.png"
    )  # fmt: skip
    # Ids stay with their images: the nested dog image was drawn in gray 201.
    assert ds.images[ds.image_ids.index("dog/deep/2.png")].min() == 201


def test_split_folder_and_csv_image_ids(tmp_path: Path, make_image: MakeImage) -> None:
    root = tmp_path / "ds"
    for split_dir, n in (("train", 2), ("test", 1)):
        for cls in ("x", "y"):
            for i in range(n):
                make_image(root / split_dir / cls / f"{i}.png")
    split = load_data(root)
    assert split.test is not None
    assert split.test.image_ids == ("test/x/0.png", "test/y/0.png")
    assert split.train.image_ids[0] == "train/x/0.png"
    csv_path = _csv_dataset(tmp_path / "c", make_image)
    csv_path.write_text(csv_path.read_text().replace("img/a0.png", "./img/../img/a0.png"))
    ids = load_data(csv_path).train.image_ids
    assert ids == ("img/a0.png", "img/a1.png", "img/b0.png", "img/b1.png")


def test_unlabeled_names_match_the_folder_ids(two_class_folder: Path) -> None:
    from zapml.data.unlabeled import load_unlabeled

    _, names, _ = load_unlabeled(two_class_folder / "cat", side=10, channels=1)
    ids = load_data(two_class_folder).train.image_ids
    assert ["cat/" + n for n in names] == [i for i in ids if i.startswith("cat/")]
