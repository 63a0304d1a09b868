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
from zapml.metadataset.objectives import OBJECTIVES
from zapml.space.pipeline import Pipeline

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


# ---------------------------------------------------------------------- checks on load
def validated_pipelines(ids: list[str], dicts: list[dict[str, Any]]) -> list[Pipeline]:
    """The artifact's pipelines, each checked against the space (and its zoo architecture) and
    against its recorded id, so an edited config cannot make a selector run an illegal pipeline.
    """
    from zapml.errors import ZooError
    from zapml.space.space import build_space, default_architectures
    from zapml.zoo import get_spec

    if len(ids) != len(dicts) or not dicts:
        raise ArtifactError(f"it lists {len(ids)} pipeline ids for {len(dicts)} pipelines.")
    if len(set(ids)) != len(ids):
        raise ArtifactError("its pipeline ids are not unique.")
    pipelines = [Pipeline(d) for d in dicts]
    if any(p.is_arm for p in pipelines):
        return _validated_arms(ids, pipelines)
    archs = list(default_architectures())
    for pid, p in zip(ids, pipelines, strict=True):
        try:
            get_spec(p.architecture)
        except ZooError as err:
            raise ArtifactError(f"pipeline {pid}: {err}") from None
        if p.architecture not in archs:
            archs.append(p.architecture)
    space = build_space(archs)
    for pid, p in zip(ids, pipelines, strict=True):
        try:
            p.validate(space)
        except ValueError as err:
            raise ArtifactError(f"pipeline {pid} is not a pipeline of the space: {err}") from None
        if p.id != pid:
            raise ArtifactError(f"pipeline {pid} has values whose id is {p.id}: it was edited.")
    return pipelines


def _validated_arms(ids: list[str], arms: list[Pipeline]) -> list[Pipeline]:
    """An artifact trained on arms: every candidate an arm, each under its own id (arms are not
    points of the space, so there is no space to check them against)."""
    for pid, p in zip(ids, arms, strict=True):
        if not p.is_arm:
            raise ArtifactError(f"candidate {pid} is a pipeline among arms: it was edited.")
        if p.id != pid:
            raise ArtifactError(f"arm {pid} is recorded as {p.id!r}: it was edited.")
    return arms


def check_finite(name: str, values: Any, allow_nan: bool = False) -> None:
    """Raise ArtifactError unless the array ``name`` is all finite numbers (NaN if allowed)."""
    arr = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(arr)
    if allow_nan:
        bad &= ~np.isnan(arr)
    if bad.any():
        raise ArtifactError(f"'{name}' holds {int(bad.sum())} non-finite value(s).")


def check_shape(name: str, values: Any, shape: tuple[int, ...]) -> None:
    if np.shape(values) != shape:
        raise ArtifactError(f"'{name}' has shape {np.shape(values)}, expected {shape}.")


def check_common_state(selector: Any) -> None:
    """What every selector artifact holds: consistent sizes and finite meta-feature statistics."""
    n_tasks, n_mf = len(selector.train_task_ids_), len(selector.metafeature_names_)
    if n_tasks == 0:
        raise ArtifactError("it has no training tasks.")
    if len(set(selector.metafeature_names_)) != n_mf:
        raise ArtifactError("its meta-feature names are not unique.")
    if len(selector.train_core_) != n_tasks:
        raise ArtifactError(f"it has {len(selector.train_core_)} core names for {n_tasks} tasks.")
    check_shape("common.train_mf", selector.train_mf_, (n_tasks, n_mf))
    check_finite("common.train_mf", selector.train_mf_)
    for name in ("mf_fill", "mf_min", "mf_max"):
        check_shape(f"common.{name}", getattr(selector, f"{name}_"), (n_mf,))
        check_finite(f"common.{name}", getattr(selector, f"{name}_"))
    if (selector.mf_min_ > selector.mf_max_).any():
        raise ArtifactError("its training meta-feature minimum exceeds the maximum.")
    _check_budgets(selector)
    declared = selector.values_.name  # a declared measure (an imported meta-dataset's)
    if selector.objective_ not in OBJECTIVES and selector.objective_ != declared:
        raise ArtifactError(
            f"its objective {selector.objective_!r} is not one of {', '.join(OBJECTIVES)}."
        )


def _check_budgets(selector: Any) -> None:
    """The recorded budgets are positive and, for a budget-aware selector, exactly the budgets of
    its training rows (an edit of either would misplace the out-of-range warnings)."""
    from zapml.metadataset.metadataset import BUDGET_FEATURE

    budgets = np.asarray(selector.train_budgets_, dtype=np.float64)
    if not (np.isfinite(budgets) & (budgets > 0)).all():
        raise ArtifactError(f"its train_budgets {selector.train_budgets_} are not all positive.")
    if BUDGET_FEATURE in selector.metafeature_names_:
        column = selector.train_mf_[:, selector.metafeature_names_.index(BUDGET_FEATURE)]
        if sorted({float(b) for b in column}) != sorted(float(b) for b in budgets):
            raise ArtifactError(
                f"its train_budgets {selector.train_budgets_} differ from the budgets of its "
                "training rows."
            )
