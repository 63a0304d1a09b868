"""``cards``: playing cards labelled by rank, from KDE's card decks.

Debian ``kdegames-card-data-kf5`` (LGPL/GPL/free artwork) ships a dozen card decks as gzipped SVG
(``/usr/share/carddecks/svg-<deck>/<deck>.svgz``), one element per card (``queen_heart``, the ace
is ``1_club``). The class is the rank (13: ace, 2..10, jack, queen, king) across all four suits,
so the task is reading a corner index or counting pips across very different drawing styles.
Every card of every deck kept is one image; the test split is grouped by deck family so that no
design appears on both sides (the three Oxygen decks share their faces).

The deck list, what is left out and why, and the card rendering (rsvg-convert, or the embedded
bitmap for decks stored as pictures) live here only: the hold-out benchmark
(``benchmarks/holdout``) renders its ``cards`` set with these same functions.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from base64 import b64decode
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from zapml.data.builtin_readers import RawData
from zapml.errors import DataError

CARD_ROOT = Path("/usr/share/carddecks")
CARDS_HINT = "sudo apt-get install kdegames-card-data-kf5 librsvg2-bin"
RSVG_HINT = "sudo apt-get install librsvg2-bin (for rsvg-convert)"
# The decks' element ids: ``<rank>_<suit>``, with the ace written "1".
CARD_RANKS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "jack", "queen", "king")
CARD_SUITS = ("club", "diamond", "heart", "spade")
# Left out, with the reason: nicu-* are openclipart's card drawings (the clipart core dataset's
# source); xskat-german draws German suits under French ids; future writes ranks as hex digits
# 0-C, a code no other deck uses, so its rank cannot be learned from the other decks.
CARD_DECKS_LEFT_OUT = {
    "svg-nicu-ornamental": "same drawings as openclipart recreation/games/cards/ornamental",
    "svg-nicu-white": "same drawings as openclipart recreation/games/cards/white",
    "svg-xskat-german": "German suits under French suit ids",
    "svg-future": "ranks written as hex digits 0-C",
}
# Variants of one design (same faces, other backgrounds) must stay on one side of the split.
CARD_FAMILIES = {"svg-oxygen-air": "svg-oxygen", "svg-oxygen-white": "svg-oxygen"}
ALPHA_VISIBLE = 8  # alpha above this is part of a picture (cropping, sprite outlines)
CARD_RENDER_HEIGHT = 240  # cards are rendered this tall, then cropped and scaled down
# The meta-dataset runs pipelines at 32, 64 and 128 px: 128 is the largest, and at it the corner
# indices (the rank's only mark on court cards of some decks) stay readable.
CARDS_SIDE = 128
# rsvg-convert runs as a separate process, so a few threads keep a few processes busy; more than
# the cores only queues them.
RENDER_THREADS = min(4, os.cpu_count() or 1)


def visible_box(picture: Image.Image) -> tuple[int, int, int, int] | None:
    """The bounding box of a picture's visible pixels (alpha above ``ALPHA_VISIBLE``); None for
    a blank one."""
    return picture.getchannel("A").point(lambda a: 255 if a > ALPHA_VISIBLE else 0).getbbox()


def card_decks(root: Path = CARD_ROOT) -> dict[str, Path]:
    """Deck folder name -> its .svgz file, for the decks used."""
    decks = {}
    for folder in sorted(root.glob("svg-*")):
        files = sorted(folder.glob("*.svgz"))
        if files and folder.name not in CARD_DECKS_LEFT_OUT:
            decks[folder.name] = files[0]
    return decks


def card_family(deck: str) -> str:
    return CARD_FAMILIES.get(deck, deck)


def card_label(rank: str) -> str:
    """The class name of a rank: the decks write the ace as "1"."""
    return "ace" if rank == "1" else rank


def rsvg_element(svgz: Path, element: str, zoom: float) -> Image.Image:
    """One element of an SVG (or gzipped SVG) file as RGBA, drawn by rsvg-convert at ``zoom``
    where it lies on the file's canvas (the card decks' and Mahjong tile sets' faces)."""
    if shutil.which("rsvg-convert") is None:
        raise RuntimeError(f"rsvg-convert was not found: {RSVG_HINT}")
    command = ["rsvg-convert", "--export-id", element, "--zoom", f"{zoom:.4f}", str(svgz)]
    done = subprocess.run(command, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"rsvg-convert failed on {svgz}#{element}: {done.stderr.decode()}")
    return Image.open(io.BytesIO(done.stdout)).convert("RGBA")


@lru_cache(maxsize=32)
def embedded_card_images(svgz: Path) -> dict[str, bytes]:
    """Element id -> PNG bytes for cards stored as embedded bitmaps (``<image href="data:...">``);
    rsvg-convert cannot export those decks by id ("has no dimensions")."""
    found = {}
    root = ElementTree.fromstring(gzip.decompress(svgz.read_bytes()))
    for node in root.iter():
        href = node.get("{http://www.w3.org/1999/xlink}href") or node.get("href") or ""
        if node.tag.endswith("image") and node.get("id") and href.startswith("data:image/png"):
            found[str(node.get("id"))] = b64decode(href.split(",", 1)[1])
    return found


def crop_to_ink(image: Image.Image) -> Image.Image:
    """rsvg-convert places an exported element somewhere on a larger transparent canvas in
    several decks: keep the visible part only."""
    box = visible_box(image)
    if box is None:
        raise RuntimeError("the rendered card is empty")
    return image.crop(box)


@lru_cache(maxsize=32)
def deck_zoom(svgz: Path) -> float:
    """Zoom at which this deck's cards come out ``CARD_RENDER_HEIGHT`` px tall (measured on
    its ace of clubs), so every deck is rendered at about the same detail."""
    height = crop_to_ink(rsvg_element(svgz, "1_club", 1.0)).height
    return CARD_RENDER_HEIGHT / height


def card_on_white(svgz: Path, element: str) -> Image.Image:
    """The card (about ``CARD_RENDER_HEIGHT`` px tall) cropped to its visible pixels, as RGB on
    white: the corners outside a card's rounded outline become white, not black."""
    embedded = embedded_card_images(svgz)
    if element in embedded:
        card = Image.open(io.BytesIO(embedded[element])).convert("RGBA")
    else:
        card = rsvg_element(svgz, element, deck_zoom(svgz))
    card = crop_to_ink(card)
    white = Image.new("RGBA", card.size, "white")
    white.alpha_composite(card)
    return white.convert("RGB")


# ------------------------------------------------------------------------------- the built-in


def cards_missing() -> str | None:
    return None if card_decks(CARD_ROOT) and shutil.which("rsvg-convert") else CARDS_HINT


def cards_fingerprint() -> str:
    """Changes when a deck file is added, removed or replaced, so the cache is rebuilt."""
    decks = card_decks(CARD_ROOT).values()
    listing = "\n".join(f"{p.parent.name}/{p.name}:{p.stat().st_size}" for p in decks)
    return hashlib.sha256(listing.encode()).hexdigest()[:12]


def deck_images(svgz: Path) -> np.ndarray:
    """The deck's 52 cards (ranks in ``CARD_RANKS`` order, suits within a rank), each fitted,
    aspect kept and centred, into a white ``CARDS_SIDE`` square: (52, side, side, 3) uint8."""
    square = (CARDS_SIDE, CARDS_SIDE)
    # Lanczos, as the benchmark scales its cards: the thin index strokes stay sharp.
    lanczos = Image.Resampling.LANCZOS
    fitted = [
        ImageOps.pad(card_on_white(svgz, f"{rank}_{suit}"), square, lanczos, color="white")
        for rank in CARD_RANKS
        for suit in CARD_SUITS
    ]
    return np.stack([np.asarray(card, dtype=np.uint8) for card in fitted])


def read_cards() -> RawData:
    decks = card_decks(CARD_ROOT)
    if not decks:
        raise DataError(f"no card decks were found under '{CARD_ROOT}': {CARDS_HINT}")
    if shutil.which("rsvg-convert") is None:
        raise DataError(f"rsvg-convert, which draws the cards, was not found: {CARDS_HINT}")
    with ThreadPoolExecutor(RENDER_THREADS) as pool:
        stacks = list(pool.map(deck_images, decks.values()))
    per_deck = len(CARD_RANKS) * len(CARD_SUITS)
    labels = np.repeat(np.arange(len(CARD_RANKS), dtype=np.int64), len(CARD_SUITS))
    return RawData(
        x=np.concatenate(stacks),
        y=np.tile(labels, len(decks)),
        class_names=tuple(card_label(rank) for rank in CARD_RANKS),
        groups=np.repeat(np.asarray([card_family(deck) for deck in decks]), per_deck),
    )


def card_sizes() -> tuple[int, int]:
    return len(CARD_RANKS), len(CARD_RANKS) * len(CARD_SUITS) * len(card_decks(CARD_ROOT))
