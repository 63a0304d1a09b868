"""The ``cards`` built-in: card rendering checked on tiny decks written here, whose sizes and
colours are worked out by hand, and the real KDE decks when they are installed."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zapml.data import builtin_cards as cards
from zapml.data import list_builtin, load_data
from zapml.data.dataset import Dataset
from zapml.errors import DataError

NO_RSVG = shutil.which("rsvg-convert") is None
RSVG_REASON = "rsvg-convert is not installed (Debian librsvg2-bin)"
SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Per test: fake decks must never be cached under the real dataset's name.
    monkeypatch.setenv("ZAPML_CACHE", str(tmp_path / "cache"))


def _write_deck(path: Path, body: str, size: int = 200) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    svg = f'{SVG_HEAD} width="{size}" height="{size}">{body}</svg>'
    path.write_bytes(gzip.compress(svg.encode()))
    return path


def _rect(element: str, x: int, y: int, width: int, height: int, fill: str) -> str:
    return f'<rect id="{element}" x="{x}" y="{y}" width="{width}" height="{height}" fill="{fill}"/>'


def _full_deck(path: Path, fill: str) -> Path:
    """52 cards, each a 30x60 rectangle somewhere on a 500x500 canvas."""
    body = "".join(
        _rect(f"{rank}_{suit}", 5 + 35 * r, 5 + 70 * s, 30, 60, fill)
        for r, rank in enumerate(cards.CARD_RANKS)
        for s, suit in enumerate(cards.CARD_SUITS)
    )
    return _write_deck(path, body, size=500)


@pytest.mark.skipif(NO_RSVG, reason=RSVG_REASON)
def test_a_drawn_card_is_rendered_at_the_deck_zoom_and_cropped_to_its_ink(tmp_path: Path) -> None:
    # The ace of clubs is 60 units tall: zoom 240 / 60 = 4, so a 25x30 card comes out 100x120.
    body = _rect("1_club", 10, 20, 30, 60, "#ff0000") + _rect(
        "queen_heart", 100, 50, 25, 30, "#0000ff"
    )
    deck = _write_deck(tmp_path / "svg-toy" / "toy.svgz", body)
    assert cards.deck_zoom(deck) == pytest.approx(4.0)
    queen = cards.card_on_white(deck, "queen_heart")
    assert queen.mode == "RGB" and queen.size == (100, 120)
    assert queen.getextrema() == ((0, 0), (0, 0), (255, 255))  # all blue, no canvas left
    ace = cards.card_on_white(deck, "1_club")
    assert ace.size == (120, 240) and ace.getpixel((60, 120)) == (255, 0, 0)


def test_an_embedded_card_is_its_bitmap_cropped_to_ink_on_white(tmp_path: Path) -> None:
    # A 10x20 bitmap: clear except a 6x16 block, green with one half-transparent pixel.
    bitmap = Image.new("RGBA", (10, 20), (0, 0, 0, 0))
    bitmap.paste((0, 255, 0, 255), (2, 2, 8, 18))
    bitmap.putpixel((2, 2), (0, 0, 0, 128))
    png = io.BytesIO()
    bitmap.save(png, format="PNG")
    href = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    deck = _write_deck(
        tmp_path / "svg-pic" / "pic.svgz", f'<image id="2_spade" xlink:href="{href}"/>'
    )
    assert set(cards.embedded_card_images(deck)) == {"2_spade"}
    card = cards.card_on_white(deck, "2_spade")  # no rsvg-convert needed: the bitmap is used
    assert card.size == (6, 16) and card.getpixel((3, 8)) == (0, 255, 0)
    # black at alpha 128 over white: 255 - 128 = 127
    assert card.getpixel((0, 0)) == (127, 127, 127)


def test_visible_box_ignores_nearly_clear_pixels() -> None:
    picture = Image.new("RGBA", (20, 10), (0, 0, 0, 0))
    picture.putpixel((3, 4), (0, 0, 0, cards.ALPHA_VISIBLE))  # at the threshold: not visible
    picture.putpixel((15, 6), (0, 0, 0, cards.ALPHA_VISIBLE + 1))
    assert cards.visible_box(picture) == (15, 6, 16, 7)
    assert cards.visible_box(Image.new("RGBA", (4, 4), (9, 9, 9, 0))) is None


def _ids_to_index(ds: Dataset) -> list[int]:
    return [int(i.split("#")[1]) for i in ds.image_ids]


@pytest.mark.skipif(NO_RSVG, reason=RSVG_REASON)
def test_toy_decks_load_by_rank_with_families_on_one_side(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "carddecks"
    fills = {"svg-oxygen": "#ff0000", "svg-oxygen-air": "#00ff00", "svg-plain": "#0000ff"}
    for deck, fill in fills.items():
        _full_deck(root / deck / f"{deck}.svgz", fill)
    _full_deck(root / "svg-future" / "future.svgz", "#000000")  # left out
    monkeypatch.setattr(cards, "CARD_ROOT", root)
    assert cards.card_sizes() == (13, 3 * 52)
    raw = cards.read_cards()
    assert raw.class_names[0] == "ace" and raw.class_names[-1] == "king"
    assert raw.x.shape == (156, 128, 128, 3) and np.bincount(raw.y).tolist() == [12] * 13
    assert raw.groups is not None
    assert raw.groups.tolist() == ["svg-oxygen"] * 104 + ["svg-plain"] * 52
    # A 30x60 card drawn 120x240, fitted into 128: 64x128, centred, so columns 32-95 hold it.
    first = raw.x[0]
    assert (first[:, 32:96] == (255, 0, 0)).all()
    assert (first[:, :32] == 255).all() and (first[:, 96:] == 255).all()
    assert (raw.x[104][:, 32:96] == (0, 0, 255)).all()  # the third deck's ace of clubs
    split = load_data("cards")
    assert split.test is not None
    families = raw.groups.tolist()
    train = {families[i] for i in _ids_to_index(split.train)}
    test = {families[i] for i in _ids_to_index(split.test)}
    assert len(train) == len(test) == 1 and not train & test


def test_fingerprint_follows_the_deck_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cards, "CARD_ROOT", tmp_path)
    deck = _write_deck(tmp_path / "svg-a" / "a.svgz", _rect("1_club", 0, 0, 5, 5, "red"))
    before = cards.cards_fingerprint()
    _write_deck(deck, _rect("1_club", 0, 0, 5, 5, "red") + _rect("2_club", 9, 0, 5, 5, "red"))
    assert cards.cards_fingerprint() != before
    deck.unlink()
    (tmp_path / "svg-future").mkdir()
    _write_deck(tmp_path / "svg-future" / "f.svgz", "")
    # Only a left-out deck remains: the listing is empty.
    assert cards.cards_fingerprint() == hashlib.sha256(b"").hexdigest()[:12]


def test_missing_decks_name_both_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cards, "CARD_ROOT", tmp_path / "absent")
    assert cards.cards_missing() == "sudo apt-get install kdegames-card-data-kf5 librsvg2-bin"
    with pytest.raises(DataError, match="apt-get install kdegames-card-data-kf5 librsvg2-bin"):
        load_data("cards")


# ------------------------------------------------------------------ the real package (if present)


@pytest.mark.slow
@pytest.mark.skipif(
    cards.cards_missing() is not None, reason=f"KDE card decks not installed: {cards.CARDS_HINT}"
)
def test_real_cards() -> None:
    info = {i.name: i for i in list_builtin()}["cards"]
    assert info.available and info.test_split == "grouped by deck family, 80/20, seed 0"
    # The package has 16 decks; nicu-ornamental, nicu-white, xskat-german and future are left out.
    decks = cards.card_decks(cards.CARD_ROOT)
    assert len(decks) == 12 and (info.classes, info.images) == (13, 12 * 52)
    split = load_data("cards")
    assert split.test is not None and split.train.num_classes == 13
    assert len(split.train) + len(split.test) == 624
    assert split.train.images.shape[1:] == (128, 128, 3)
    family = [cards.card_family(deck) for deck in decks for _ in range(52)]
    train = {family[i] for i in _ids_to_index(split.train)}
    test = {family[i] for i in _ids_to_index(split.test)}
    assert not train & test and len(train | test) == 10  # the three oxygen decks are one family
    # Every rank of a deck is there in all four suits: 4 per family and rank on each side.
    assert (split.test.class_counts() == 4 * len(test)).all()
