"""Selector artifacts on disk: ``manifest.json`` + ``config.json`` + ``arrays.safetensors``.

No pickle anywhere: a user may load a selector downloaded from somewhere else, and unpickling runs
arbitrary code. The manifest pins the zapml version, the selector class, the artifact format
version and the sha256 of every other file, so a tampered, truncated or foreign artifact fails
loudly with an :class:`~zapml.errors.ArtifactError` instead of silently ranking nonsense.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import load_file, save_file

import zapml
from zapml.errors import ArtifactError

#: Bump when the on-disk layout of any selector changes incompatibly.
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CONFIG = "config.json"
ARRAYS = "arrays.safetensors"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_artifact(
    directory: str | Path, selector_class: str, config: dict[str, Any], arrays: dict[str, Any]
) -> Path:
    """Write ``config`` (JSON-able) and ``arrays`` (name -> numeric array) and the manifest."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    (out / CONFIG).write_text(json.dumps(config, indent=1, sort_keys=True, default=_json_default))
    # safetensors refuses empty dicts and non-contiguous arrays; normalise both.
    tensors = {k: np.ascontiguousarray(v) for k, v in arrays.items()}
    tensors.setdefault("__empty__", np.zeros(1, dtype=np.float32))
    save_file(tensors, str(out / ARRAYS))
    manifest = {
        "zapml_version": zapml.__version__,
        "selector_class": selector_class,
        "format_version": FORMAT_VERSION,
        "files": {name: _sha256(out / name) for name in (CONFIG, ARRAYS)},
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return out


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"config value of type {type(value).__name__} is not JSON-serialisable")


def read_manifest(directory: str | Path) -> dict[str, Any]:
    """Read and check the manifest; raises ArtifactError naming what is wrong and what to do."""
    path = Path(directory)
    mpath = path / MANIFEST
    if not mpath.is_file():
        raise ArtifactError(
            f"'{path}' is not a zapml selector artifact: {MANIFEST} is missing. "
            "Pass the directory written by selector.save() / `zap selector train`."
        )
    try:
        manifest = json.loads(mpath.read_text())
    except json.JSONDecodeError as err:
        raise ArtifactError(
            f"{mpath} is not valid JSON ({err}); the artifact is corrupt."
        ) from None
    fmt = manifest.get("format_version")
    if fmt != FORMAT_VERSION:
        raise ArtifactError(
            f"Selector artifact '{path}' has format version {fmt!r}, but zapml "
            f"{zapml.__version__} reads format {FORMAT_VERSION}. Retrain the selector with this "
            "zapml version (`zap selector train`)."
        )
    for name, expected in dict(manifest.get("files", {})).items():
        fpath = path / name
        if not fpath.is_file():
            raise ArtifactError(f"Selector artifact '{path}' is missing file '{name}'.")
        if _sha256(fpath) != expected:
            raise ArtifactError(
                f"Selector artifact file '{fpath}' does not match its sha256 in {MANIFEST}: it was "
                "modified or corrupted after saving. Re-download or retrain it."
            )
    if set(manifest.get("files", {})) != {CONFIG, ARRAYS}:
        raise ArtifactError(f"Selector artifact '{path}' manifest lists unexpected files.")
    return dict(manifest)


def read_artifact(
    directory: str | Path, expected_class: str | None = None
) -> tuple[dict[str, Any], dict[str, Any], dict[str, np.ndarray]]:
    """Return ``(manifest, config, arrays)`` after verifying every checksum."""
    path = Path(directory)
    manifest = read_manifest(path)
    if expected_class is not None and manifest.get("selector_class") != expected_class:
        raise ArtifactError(
            f"Selector artifact '{path}' holds a {manifest.get('selector_class')!r}, not a "
            f"{expected_class!r}; load it with zapml.selectors.load_selector()."
        )
    config = json.loads((path / CONFIG).read_text())
    arrays = load_file(str(path / ARRAYS))
    arrays.pop("__empty__", None)
    return manifest, config, arrays
