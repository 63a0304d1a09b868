"""``skyculture_art``: constellation illustrations labelled by the sky culture that drew them.

Stellarium (Debian ``stellarium-data``, GPL-2+ with free artwork licences) ships, per sky culture,
the figures it draws over the constellations: engraved Western figures, al-Sufi's manuscript
drawings, the Leiden Aratea's painted pages, Babylonian, Egyptian (Dendera), Romanian folk,
Boorong and other traditions. The label is the culture, so the task is recognising an artistic
tradition across many different subjects.

Catch: some cultures reuse another's art (``chinese_contemporary`` shows the Western figures).
An image file shipped by more than one culture has no single label and is left out.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

from zapml.data.builtin_files import LabelledFile, decode_labelled, keep_classes_with
from zapml.data.builtin_readers import RawData
from zapml.data.validation import is_ignored_entry
from zapml.errors import DataError

SKYCULTURES_DIR = Path("/usr/share/stellarium/skycultures")
SKYCULTURES_HINT = "sudo apt-get install stellarium-data"
# Each culture lists its illustrations here: "<constellation> <image file> <width> <height> ...".
ART_LIST = "constellationsart.fab"
# Illustrations are 128-2048 px; 128 keeps the brush and engraving texture that tells styles apart.
ART_SIDE = 128
# As for the other built-ins read from files: enough for a 20 % test side of a few images.
MIN_PER_CULTURE = 20


def skycultures_missing() -> str | None:
    # A folder check only: listing the art hashes every image (``zap data list`` asks this).
    return None if SKYCULTURES_DIR.is_dir() else SKYCULTURES_HINT


def listed_art(culture: Path) -> list[Path]:
    """The existing image files a culture's ``constellationsart.fab`` names, each once."""
    listing = culture / ART_LIST
    if not listing.is_file():
        return []
    names: list[str] = []
    for line in listing.read_text(encoding="utf-8", errors="replace").splitlines():
        fields = line.split()
        if len(fields) >= 2 and not fields[0].startswith("#") and fields[1] not in names:
            names.append(fields[1])
    return [culture / n for n in names if (culture / n).is_file()]


def art_files() -> list[LabelledFile]:
    """Every culture's illustrations, without images that several cultures ship."""
    if not SKYCULTURES_DIR.is_dir():
        return []
    by_content: dict[str, list[LabelledFile]] = defaultdict(list)
    for culture in sorted(SKYCULTURES_DIR.iterdir()):
        if culture.is_dir() and not is_ignored_entry(culture.name):
            for path in listed_art(culture):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                by_content[digest].append(LabelledFile(path, culture.name))
    # One copy per content; content shipped under two cultures is dropped.
    unique = [copies[0] for copies in by_content.values() if len({f.label for f in copies}) == 1]
    unique.sort(key=lambda f: (f.label, f.path.name))
    return keep_classes_with(unique, MIN_PER_CULTURE)


def read_skyculture_art() -> RawData:
    files = art_files()
    if not files:
        raise DataError(
            f"Stellarium sky-culture art was not found under '{SKYCULTURES_DIR}': "
            f"{SKYCULTURES_HINT}"
        )
    # Figures are drawn on black (Stellarium adds them to the sky): pad with black, so the padding
    # is invisible instead of a frame whose shape gives the culture away.
    return decode_labelled(files, ART_SIDE, SKYCULTURES_DIR, pad="black")


def art_sizes() -> tuple[int, int]:
    files = art_files()
    return len({f.label for f in files}), len(files)
