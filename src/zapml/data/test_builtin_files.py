"""Built-ins read from package image files (Wesnoth, Stellarium) and the grouped test split."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zapml.data import builtin_skycultures as skycultures
from zapml.data import builtin_wesnoth as wesnoth
from zapml.data import load_data
from zapml.data.builtin_files import leading_word
from zapml.data.dataset import Dataset, DataSplit
from zapml.data.imaging import decode, read_header
from zapml.data.validation import Findings


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Per test: fake package trees must never be cached under the real datasets' names.
    monkeypatch.setenv("ZAPML_CACHE", str(tmp_path / "cache"))


def _png(path: Path, size: tuple[int, int], colour: tuple[int, int, int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGBA", size, colour).save(path)


def _ids_to_index(ds: Dataset) -> list[int]:
    return [int(i.split("#")[1]) for i in ds.image_ids]


# ------------------------------------------------------------------------- grouped split


def _toy_split(groups: list[str], labels: list[int]) -> DataSplit:
    images = np.zeros((len(labels), 2, 2, 1), dtype=np.uint8)
    return DataSplit(train=Dataset(images, np.asarray(labels), ("a", "b")))


def test_grouped_split_keeps_groups_whole_and_every_class_in_training() -> None:
    # Class a: 10 groups of 3 images; class b: 2 groups of 5 (one of them must stay in training).
    groups = [f"a{g}" for g in range(10) for _ in range(3)] + ["b0"] * 5 + ["b1"] * 5
    labels = [0] * 30 + [1] * 10
    split = _toy_split(groups, labels).grouped_test_split(np.asarray(groups), 0.2, seed=0)
    assert split.test is not None
    train_groups = {groups[i] for i in _ids_to_index(split.train)}
    test_groups = {groups[i] for i in _ids_to_index(split.test)}
    assert not train_groups & test_groups
    # Class a reaches 20 % of 30 = 6 images with exactly two groups of 3; class b gives one
    # whole group of 5 and keeps the other.
    assert split.test.class_counts().tolist() == [6, 5]
    assert split.train.class_counts().tolist() == [24, 5]
    again = _toy_split(groups, labels).grouped_test_split(np.asarray(groups), 0.2, seed=0)
    assert again.test is not None and again.test.image_ids == split.test.image_ids


def test_grouped_split_never_gives_test_more_than_half_a_class() -> None:
    # Class a: one unit of 9 frames and one of 1; class b: a single unit. Whatever the seed, the
    # 9-frame unit would leave 1 image for training, so only the 1-frame unit can be test.
    groups = ["big"] * 9 + ["small"] + ["only"] * 4
    labels = [0] * 10 + [1] * 4
    for seed in range(5):
        split = _toy_split(groups, labels).grouped_test_split(np.asarray(groups), 0.2, seed)
        assert split.test is not None
        assert [groups[i] for i in _ids_to_index(split.test)] == ["small"]


def test_grouped_split_refuses_a_group_spanning_two_classes() -> None:
    split = _toy_split(["g", "g", "h", "h"], [0, 1, 0, 1])
    with pytest.raises(ValueError, match="spans several classes"):
        split.grouped_test_split(np.asarray(["g", "g", "h", "h"]))


def test_leading_word_groups_frames_and_variants() -> None:
    assert leading_word("fighter-ne-axe3") == "fighter"
    assert leading_word("desert2") == leading_word("desert-oasis") == "desert"
    assert leading_word("Brazier-A01") == "brazier"


def test_pad_keeps_the_aspect_ratio_instead_of_stretching(tmp_path: Path) -> None:
    # A 40x20 opaque red image fitted into 20x20: 20x10 of red centred, white bands of 5 rows.
    _png(tmp_path / "wide.png", (40, 20), (255, 0, 0, 255))
    header = read_header(tmp_path / "wide.png", "wide", Findings())
    assert header is not None
    img = decode(header, "wide", 20, False, Findings(), pad="white")
    assert img is not None and img.shape == (20, 20, 3)
    assert (img[:5] == 255).all() and (img[15:] == 255).all()
    assert (img[6:14, :, 0] == 255).all() and (img[6:14, :, 1] == 0).all()


# ------------------------------------------------------------------------------- Wesnoth


def _fake_wesnoth(root: Path) -> None:
    """3 races: drakes (2 units x 12 frames, files), humans (2 units in sub-folders, 11 each),
    tiny (1 unit, 3 frames: under the 20-image minimum)."""
    units = root / "units"
    for unit, shade in (("burner", 10), ("glider", 20)):
        for frame in range(12):
            _png(units / "drakes" / f"{unit}-fly-{frame}.png", (90, 80), (shade, 0, 0, 255))
    for unit, shade in (("knight", 30), ("lancer", 40)):
        for frame in range(11):
            _png(units / "humans" / unit / f"f{frame}.png", (72, 72), (0, shade, 0, 255))
    for frame in range(3):
        _png(units / "tiny" / f"boat{frame}.png", (72, 72), (0, 0, 50, 255))
    _png(units / "random-dice.png", (72, 72), (9, 9, 9, 255))  # no race folder: ignored


def test_wesnoth_units_labels_from_race_folders_and_split_by_unit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_wesnoth(tmp_path / "images")
    (tmp_path / "images" / "terrain").mkdir()
    monkeypatch.setattr(wesnoth, "WESNOTH_IMAGES", tmp_path / "images")
    files = wesnoth.unit_files()
    assert {f.label for f in files} == {"drakes", "humans"}  # "tiny" has 3 < 20 images
    # No unit files here: groups fall back to the first word or the unit's sub-folder.
    by_group = {(f.label, f.path.stem.split("-")[0]) for f in files if f.label == "drakes"}
    by_group |= {(f.label, f.path.parent.name) for f in files if f.label == "humans"}
    assert len({f.group for f in files}) == len(by_group) == 4
    split = load_data("wesnoth_units")
    assert split.test is not None and split.train.class_names == ("drakes", "humans")
    assert split.train.resolution == (72, 72) and split.train.num_channels == 3
    group_of = [f.group for f in files]
    train = {group_of[i] for i in _ids_to_index(split.train)}
    test = {group_of[i] for i in _ids_to_index(split.test)}
    # Two units per race: one unit of each race is the test side, never a frame of both.
    assert not train & test and len(test) == 2
    assert len(split.train) + len(split.test) == 24 + 22


def test_unit_files_group_the_frames_they_name(tmp_path: Path) -> None:
    from zapml.data.wesnoth_units_wml import unit_groups

    configs = {
        "wose/Elder.cfg": 'image="units/woses/wose-elder.png"\n'
        '    image="units/woses/elder-wose-die-[1~2].png:100"',
        "wose/Wose.cfg": 'image="units/woses/wose.png"',
        "drakes/Armageddon.cfg": 'image="units/drakes/armageddon.png~RC(magenta>red)"',
        "undead/Corpse.cfg": 'image="units/undead/soulless-attack.png"\n'
        'image="units/undead/zombie.png"',
    }
    for name, text in configs.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    images_and_words = [
        ("woses/wose-elder", "woses/wose"),
        ("woses/elder-wose-die-1", "woses/elder"),  # the same unit under another first word
        ("woses/elder-wose-die-2", "woses/elder"),
        ("woses/wose", "woses/wose"),
        ("woses/wose-idle-1", "woses/wose"),  # named by no unit file: joins "wose" (prefix)
        ("drakes/armageddon", "drakes/armageddon"),
        ("drakes/armageddon-fly-3", "drakes/armageddon"),  # built by a macro: prefix
        ("undead/soulless-boar", "undead/soulless"),  # no prefix: its word links the unit
        ("undead/soulless-attack", "undead/soulless"),
        ("undead/zombie", "undead/zombie"),
    ]
    images = [f"units/{stem}.png" for stem, _ in images_and_words]
    g = unit_groups(images, [word for _, word in images_and_words], tmp_path)
    assert g[0] == g[1] == g[2] and g[3] == g[4] and g[0] != g[3]
    assert g[5] == g[6] and g[7] == g[8] == g[9]
    assert len({g[0], g[3], g[5], g[7]}) == 4


def test_wesnoth_terrain_keeps_full_hex_tiles_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terrain = tmp_path / "images" / "terrain"
    for k in range(10):
        _png(terrain / "grass" / f"green{k}.png", (72, 72), (0, 200, 0, 255))
        _png(terrain / "grass" / f"dry{k}.png", (72, 72), (150, 150, 0, 255))
        _png(terrain / "water" / "ocean" / f"ocean-A{k:02d}.png", (72, 72), (0, 0, 200, 255))
        _png(terrain / "water" / f"coast{k}.png", (72, 72), (0, 100, 200, 255))
    dropped = [
        "grass/green-ne.png",  # transition edge
        "grass/dry-n-ne-se.png",  # multi-edge transition
        "water/shore-concave-tl-tr.png",  # corner piece
        "grass/dry-symbol.png",  # editor marker
    ]
    for name in dropped:
        _png(terrain / name, (72, 72), (255, 0, 255, 255))
    _png(terrain / "grass" / "big-tree.png", (144, 144), (255, 0, 255, 255))  # multi-hex
    (tmp_path / "images" / "units").mkdir()
    monkeypatch.setattr(wesnoth, "WESNOTH_IMAGES", tmp_path / "images")
    files = wesnoth.terrain_files()
    names = {f.path.relative_to(terrain).as_posix() for f in files}
    assert len(files) == 40 and not names & set(dropped) and "grass/big-tree.png" not in names
    assert {f.group for f in files} == {"grass/green", "grass/dry", "water/ocean", "water/coast"}
    split = load_data("wesnoth_terrain")
    assert split.test is not None
    # Magenta marks every dropped piece: none was decoded.
    everything = np.concatenate([split.train.images, split.test.images])
    assert not ((everything[..., 0] == 255) & (everything[..., 1] == 0)).any()


def test_missing_wesnoth_names_the_debian_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zapml.errors import DataError

    monkeypatch.setattr(wesnoth, "WESNOTH_IMAGES", tmp_path / "none" / "images")
    with pytest.raises(DataError, match="apt-get install wesnoth-1.16-data"):
        load_data("wesnoth_terrain")


# ----------------------------------------------------------------------------- Stellarium


def test_skyculture_art_drops_images_shared_by_two_cultures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for culture, shade in (("aztec", 40), ("maya", 120)):
        lines = []
        for k in range(20):
            _png(tmp_path / culture / f"c{k}.png", (60, 30), (shade, k, 0, 255))
            lines.append(f"C{k} c{k}.png 60 30 1 1 1 2 2 2 3 3 3")
        _png(tmp_path / culture / "unlisted.png", (60, 30), (0, 0, 0, 255))
        (tmp_path / culture / skycultures.ART_LIST).write_text("\n".join(lines) + "\n")
    # "copy" ships aztec's first image (same bytes) plus 20 images of its own.
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "shared.png").write_bytes((tmp_path / "aztec" / "c0.png").read_bytes())
    lines = ["# comment", "X shared.png 60 30"]
    for k in range(20):
        _png(tmp_path / "copy" / f"own{k}.png", (60, 30), (200, k, 0, 255))
        lines.append(f"O{k} own{k}.png 60 30")
    (tmp_path / "copy" / skycultures.ART_LIST).write_text("\n".join(lines))
    monkeypatch.setattr(skycultures, "SKYCULTURES_DIR", tmp_path)
    files = skycultures.art_files()
    counts = {c: sum(f.label == c for f in files) for c in ("aztec", "copy", "maya")}
    # aztec loses c0 (shared) and falls to 19 < 20: dropped; "copy" keeps its own 20.
    assert counts == {"aztec": 0, "copy": 20, "maya": 20}
    assert all(f.path.name != "unlisted.png" for f in files)


# ------------------------------------------------------------ the real packages (if present)


@pytest.mark.slow
def test_real_wesnoth_units_never_split_a_unit() -> None:
    if wesnoth.wesnoth_missing():
        pytest.skip(wesnoth.WESNOTH_HINT)
    split = load_data("wesnoth_units")
    assert split.test is not None and split.train.num_classes == 20
    group_of = [f.group for f in wesnoth.unit_files()]
    train = {group_of[i] for i in _ids_to_index(split.train)}
    test = {group_of[i] for i in _ids_to_index(split.test)}
    assert not train & test
    # Every class trains; a class is tested when it has two or more groups (all but the
    # necromancer line, whose units share frames: one group).
    groups_per_class = {c: {f.group for f in wesnoth.unit_files() if f.label == c} for c in
                        split.train.class_names}  # fmt: skip
    tested = [len(groups_per_class[c]) > 1 for c in split.train.class_names]
    assert (split.train.class_counts() > 0).all()
    assert ((split.test.class_counts() > 0) == np.asarray(tested)).all()


@pytest.mark.slow
def test_real_wesnoth_terrain_has_no_edge_pieces() -> None:
    if wesnoth.wesnoth_missing():
        pytest.skip(wesnoth.WESNOTH_HINT)
    files = wesnoth.terrain_files()
    assert all(wesnoth.is_full_tile_name(f.path.stem) for f in files)
    assert min(sum(f.label == c for f in files) for c in {f.label for f in files}) >= 20
    split = load_data("wesnoth_terrain")
    assert split.test is not None and split.train.resolution == (72, 72)


@pytest.mark.slow
def test_real_skyculture_art() -> None:
    if skycultures.skycultures_missing():
        pytest.skip(skycultures.SKYCULTURES_HINT)
    split = load_data("skyculture_art")
    assert split.test is not None and split.train.resolution == (128, 128)
    assert "chinese_contemporary" not in split.train.class_names  # all its art is Western
