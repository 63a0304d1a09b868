"""Decoding image files and bringing image arrays to one size and one channel count.

Every loader ends here, so all datasets obey the same rules:

* size: one square side for the whole dataset, ``image_size`` when given, otherwise the median
  image side clipped to ``[MIN_SIDE, max_side]`` (square resize with PIL, bilinear, which
  antialiases when shrinking);
* channels: 1 when every image is grayscale, otherwise 3 (gray images are repeated);
* transparency: composited on white, because clip art and icons are drawn for white pages;
* palette images are converted to RGB.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from zapml.data.validation import BOMB_PIXELS, LARGE_PIXELS, LARGE_SIDE, Findings
from zapml.errors import DataError

MIN_SIDE = 8
MAX_IMAGE_SIZE = 4096

# PIL modes without colour. "I"/"F" are 16/32-bit gray (e.g. 16-bit PNG), rescaled to 8 bits.
GRAY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"})
# Integer modes wider than 8 bits; PIL gives 16-bit data in these.
WIDE_INT_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N"})
ALPHA_MODES = frozenset({"LA", "La", "RGBA", "RGBa", "PA"})


@dataclass(frozen=True)
class ImageHeader:
    """What PIL tells us before decoding any pixels."""

    path: Path
    width: int
    height: int
    gray: bool


def choose_side(sides: Sequence[int], max_side: int, image_size: int | None) -> int:
    """The one square side every image of a dataset is resized to."""
    if image_size is not None:
        if not MIN_SIDE <= image_size <= MAX_IMAGE_SIZE:
            raise DataError(
                f"image_size must be between {MIN_SIDE} and {MAX_IMAGE_SIZE} pixels; "
                f"got {image_size}."
            )
        return int(image_size)
    if max_side < MIN_SIDE:
        raise DataError(f"max_side must be at least {MIN_SIDE} pixels; got {max_side}.")
    if not sides:
        return min(max_side, 32)
    return int(np.clip(round(float(np.median(sides))), MIN_SIDE, max_side))


def read_header(path: Path, label: str, findings: Findings) -> ImageHeader | None:
    """Open lazily to learn size and mode; ``None`` (with a warning) when PIL cannot."""
    try:
        with warnings.catch_warnings():
            # PIL warns above ~89 MP; we apply our own limits below with a clearer message.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                width, height = im.size
                mode = im.mode
                has_palette_color = mode in ("P", "PA") and not _palette_is_gray(im)
    except Image.DecompressionBombError:
        _warn_bomb(label, None, findings)
        return None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        findings.warn(
            f"'{label}' is not a readable image ({type(exc).__name__}: {exc}); skipped. "
            "Re-export it as PNG or JPEG, or delete it."
        )
        return None
    if width * height > BOMB_PIXELS:
        _warn_bomb(label, (width, height), findings)
        return None
    if max(width, height) > LARGE_SIDE or width * height > LARGE_PIXELS:
        findings.warn(
            f"'{label}' is very large ({width}x{height} px); it is downscaled while loading, "
            f"which is slow. Downscale it beforehand (at most {LARGE_SIDE} px per side)."
        )
    gray = mode in GRAY_MODES or (mode in ("P", "PA") and not has_palette_color)
    return ImageHeader(path=path, width=width, height=height, gray=gray)


def _palette_is_gray(im: Image.Image) -> bool:
    palette = im.getpalette() or []
    rgb = np.asarray(palette, dtype=np.int64).reshape(-1, 3) if palette else np.zeros((0, 3))
    return bool(len(rgb)) and bool(np.all(rgb == rgb[:, :1]))


def _warn_bomb(label: str, size: tuple[int, int] | None, findings: Findings) -> None:
    claimed = f"{size[0]}x{size[1]} px" if size else "too many pixels"
    findings.warn(
        f"'{label}' claims {claimed}, more than {BOMB_PIXELS // 1_000_000} MP (a possible "
        "decompression bomb); skipped. If the image is genuine, downscale it to at most "
        f"{LARGE_SIDE} px per side."
    )


def decode(
    header: ImageHeader,
    label: str,
    side: int,
    gray: bool,
    findings: Findings,
    *,
    pad: str | None = None,
) -> np.ndarray | None:
    """Decode, flatten alpha, convert channels and resize; ``(side, side, C)`` uint8 or ``None``.

    ``pad`` (a PIL colour name, e.g. the image's background) fits the image inside the square,
    keeping its aspect ratio, and fills the rest with that colour instead of stretching it: for
    sprites and drawings whose shape is the signal.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(header.path) as im:
                # JPEG can decode at a reduced scale, which makes huge photos cheap.
                im.draft("L" if gray else "RGB", (side, side))
                im.load()
                upright = ImageOps.exif_transpose(im)
                flat = _flatten(upright, gray)
                resized = (
                    ImageOps.pad(flat, (side, side), Image.Resampling.BILINEAR, color=pad)
                    if pad is not None
                    else flat.resize((side, side), Image.Resampling.BILINEAR, reducing_gap=2.0)
                )
    except (OSError, SyntaxError, ValueError) as exc:
        # Truncated files open fine and fail here, when the pixels are read.
        findings.warn(
            f"'{label}' could not be decoded ({exc}); skipped. The file is probably truncated "
            "or corrupt: re-export or re-download it, or delete it."
        )
        return None
    arr = np.asarray(resized, dtype=np.uint8)
    return arr[:, :, None] if arr.ndim == 2 else arr


def _flatten(im: Image.Image, gray: bool) -> Image.Image:
    """Any PIL mode to ``L`` or ``RGB``: palette expanded, alpha composited on white."""
    if im.mode in WIDE_INT_MODES or im.mode == "F":
        im = Image.fromarray(_wide_gray_to_uint8(np.asarray(im), im.mode))
    if im.mode in ("P", "PA"):
        im = im.convert("RGBA")
    if im.mode in ALPHA_MODES or im.mode == "RGBA":
        white = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, im.convert("RGBA"))
    return im.convert("L" if gray else "RGB")


def _wide_gray_to_uint8(arr: np.ndarray, mode: str) -> np.ndarray:
    """16-bit gray to 8 bits by the full 16-bit range (value * 255 / 65535, rounded), whatever
    the image holds, so a pixel value means the same in every image.

    PIL opens 16-bit PNG and TIFF as ``I;16`` and PGM with any maxval above 255 as ``I``
    rescaled to 0..65535, so ``I`` is 16-bit too (larger values saturate). Float images (``F``)
    have no bit depth, so their range decides, as for float arrays (``pixel_scale``).
    """
    values = arr.astype(np.float64)
    top = float(np.nanmax(values)) if values.size and not np.all(np.isnan(values)) else 0.0
    if mode in WIDE_INT_MODES or top > 255.0:
        values = values * (255.0 / 65535.0)
    elif top <= 1.0:
        values = values * 255.0
    return np.clip(np.rint(np.nan_to_num(values)), 0, 255).astype(np.uint8)


def to_uint8_nhwc(images: np.ndarray, what: str, scale: float | None = None) -> np.ndarray:
    """An array from a file or package to uint8 ``(N, H, W, C)`` with ``C`` in {1, 3}.

    ``scale`` multiplies raw values (see ``pixel_scale``); by default it is decided from
    ``images`` alone.
    """
    arr = np.asarray(images)
    if arr.ndim == 3:
        arr = arr[:, :, :, None]
    if arr.ndim != 4:
        raise DataError(
            f"{what}: images must have shape (N, H, W) or (N, H, W, C); got {arr.shape}. "
            "Stack the images into one array."
        )
    if arr.shape[3] not in (1, 2, 3, 4) and arr.shape[1] in (1, 3, 4):
        # (N, C, H, W) as PyTorch stores images: move channels last.
        arr = np.moveaxis(arr, 1, 3)
    if arr.shape[3] not in (1, 2, 3, 4):
        raise DataError(
            f"{what}: the last axis must hold 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA) "
            f"channels; got shape {arr.shape}."
        )
    if arr.shape[0] and (arr.shape[1] == 0 or arr.shape[2] == 0):
        raise DataError(f"{what}: images of shape {arr.shape} have no pixels; check the array.")
    arr = _values_to_uint8(arr, pixel_scale([arr], what) if scale is None else scale)
    return _composite_alpha(arr) if arr.shape[3] in (2, 4) else arr


def pixel_scale(stacks: Sequence[np.ndarray], what: str) -> float:
    """The factor that brings raw values to 0..255, decided once for every stack of a dataset.

    uint8 and bool stacks need none (bool becomes 0/255 regardless). Otherwise: floats all
    within [0, 1] are multiplied by 255, values above 255 are taken as 16-bit (times
    255/65535), anything else as 8-bit values. NaN, negative and above-16-bit values are refused.
    """
    raw = [np.asarray(x) for x in stacks if np.asarray(x).dtype not in (np.uint8, np.bool_)]
    for x in raw:
        if x.dtype.kind not in "fiu":
            raise DataError(f"{what}: images must be numeric; got dtype {x.dtype}.")
        if x.dtype.kind == "f" and not np.all(np.isfinite(x)):
            raise DataError(f"{what}: images contain NaN or infinite values; clean them first.")
    filled = [x for x in raw if x.size]
    if not filled:
        return 1.0
    low, high = min(float(x.min()) for x in filled), max(float(x.max()) for x in filled)
    if low < 0:
        raise DataError(
            f"{what}: images contain negative values (min {low:g}); give raw pixels in [0, 1] "
            "or [0, 255], not normalised ones."
        )
    if high > 65535.0:
        raise DataError(f"{what}: pixel values up to {high:g} exceed 16 bits; rescale them.")
    if high > 255.0:
        return 255.0 / 65535.0
    return 255.0 if all(x.dtype.kind == "f" for x in filled) and high <= 1.0 else 1.0


def _values_to_uint8(arr: np.ndarray, scale: float) -> np.ndarray:
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype == np.bool_:
        return arr.astype(np.uint8) * 255
    values = arr.astype(np.float64) * scale
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def _composite_alpha(arr: np.ndarray) -> np.ndarray:
    colour, alpha = arr[..., :-1].astype(np.float32), arr[..., -1:].astype(np.float32) / 255.0
    out = colour * alpha + 255.0 * (1.0 - alpha)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def resize_stack(images: np.ndarray, side: int) -> np.ndarray:
    """Square-resize a uint8 NHWC stack; returns the input unchanged when already that size."""
    if images.shape[1] == side and images.shape[2] == side:
        return images
    out = np.empty((images.shape[0], side, side, images.shape[3]), dtype=np.uint8)
    for i, img in enumerate(images):
        pil = Image.fromarray(img[:, :, 0] if img.shape[2] == 1 else img)
        resized = np.asarray(pil.resize((side, side), Image.Resampling.BILINEAR))
        out[i] = resized.reshape(side, side, images.shape[3])
    return out


def set_channels(images: np.ndarray, channels: int) -> np.ndarray:
    """Gray to RGB by repetition; RGB is never reduced (``channels`` is the dataset maximum)."""
    if images.shape[3] == channels:
        return images
    return np.repeat(images, channels, axis=3)
