"""Frozen zoo-backbone outputs on a task's training images, for the probe meta-features.

``extract`` runs one backbone over a seeded stratified sample of the training images, prepared as
the runtime prepares them (``input_size`` / ``resize_images`` / the backbone's ``Normalizer``), and
returns the pooled penultimate features (the runtime's ``extract_features``), the ImageNet class
probabilities of the backbone's pretrained head (``None`` for ``.scratch`` arms, whose head is
random), and the counted compute-clock seconds of that work, so a run that computes probe features
can charge them like any other work. ``compute_probe_features`` does it for several backbones on
one shared sample and scores them with ``probe_features``; its seconds add the scores' own counted
cost (``score_costs``) to the extractions'.

Results are cached as ``$ZAPML_CACHE/probes/<backbone>-<side>px-<key>.npz`` (see
``zapml.data.cache.cache_root``), keyed by a fingerprint of the training images and labels, the
backbone, the side, the sample size, the seed and the clock version; a hit returns the stored
arrays and counted seconds without building the model. Counted seconds do not depend on the
machine, so a cached extraction is charged exactly what a fresh one would be.

torch is imported inside the functions: ``import zapml.metafeatures`` stays cheap.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

import numpy as np

from zapml.data.cache import cache_root, write_npz_atomic
from zapml.data.dataset import Dataset, DataSplit
from zapml.errors import DataError
from zapml.metafeatures.probe_features import (
    DEFAULT_MAX_SAMPLES,
    ProbeSettings,
    probe_features,
    score_shape,
    scores_seconds,
    stratified_subsample,
)
from zapml.zoo import get_spec, load_backbone
from zapml.zoo.spec import BackboneSpec

if TYPE_CHECKING:
    import torch

    from zapml.runtime.costs import ModelProfile

# Bump when what an extraction computes changes (preprocessing, pooling, sampling, file layout),
# so files written by an older version are recomputed instead of trusted.
EXTRACTION_VERSION = 1
PROBE_CACHE_FOLDER = "probes"

#: a Dataset, a DataSplit (its training part is used) or ``(images, labels)`` arrays
TrainData: TypeAlias = Dataset | DataSplit | tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Extraction:
    """One backbone's frozen outputs on the sampled training images."""

    indices: np.ndarray  # sorted positions of the sampled images in the training set
    features: np.ndarray  # (n, d) float64 pooled penultimate features
    source_probs: np.ndarray | None  # (n, 1000) float64 ImageNet probabilities; None if scratch
    seconds: float  # counted compute-clock seconds: resize, normalise, forward passes
    clock_version: int


class ProbeFeatures(NamedTuple):
    """``probe_features``'s flat row and the counted seconds behind it: the extractions and the
    scores."""

    values: dict[str, float]
    seconds: float


def extract(
    data: TrainData,
    backbone: str,
    *,
    side: int,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    seed: int = 0,
    clock_version: int | None = None,
    use_cache: bool = True,
) -> Extraction:
    """Pooled features and ImageNet probabilities of zoo ``backbone`` on at most ``max_samples``
    training images (``stratified_subsample`` with ``seed``), resized so the longer side is
    ``side`` pixels (a power of two, as the runtime's ``log2_max_size``).

    ``seed`` also seeds the random init of a ``.scratch`` arm, which then matches the arm a run
    with that seed trains. Cached on disk unless ``use_cache`` is false.
    """
    images, labels = train_arrays(data)
    return _extract(
        images, labels, dataset_fingerprint(images, labels), backbone,
        _Request(side, max_samples, seed, clock_version, use_cache),
    )  # fmt: skip


def compute_probe_features(
    data: TrainData,
    backbones: Sequence[str],
    *,
    side: int,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    settings: ProbeSettings | None = None,
    clock_version: int | None = None,
    use_cache: bool = True,
) -> ProbeFeatures:
    """Every probe score of every backbone (``probe_features``' row) on one shared sample of the
    training images (seeded by ``settings.seed``), with the total counted seconds of the
    extractions and of the scores (``scores_seconds``), cached extractions included.

    LEEP and NCE appear only for backbones with an ImageNet head (not ``.scratch`` arms).
    """
    if isinstance(backbones, str) or not backbones:
        raise DataError(
            f"backbones must be a non-empty list of zoo names; got {backbones!r}. "
            "See zapml.zoo.offline_names() for the ones that need no network."
        )
    settings = settings or ProbeSettings()
    images, labels = train_arrays(data)
    fingerprint = dataset_fingerprint(images, labels)
    request = _Request(side, max_samples, settings.seed, clock_version, use_cache)
    features, probs, seconds = {}, {}, 0.0
    indices = np.arange(0)
    for name in backbones:
        result = _extract(images, labels, fingerprint, name, request)
        features[name], indices = result.features, result.indices
        if result.source_probs is not None:
            probs[name] = result.source_probs
        seconds += result.seconds
        shape = score_shape(result.features, labels[result.indices], result.source_probs, settings)
        seconds += scores_seconds(shape)
    # Every extraction drew the same sample (same labels, size and seed), so rows line up and
    # probe_features' own subsample of these rows keeps all of them.
    values = probe_features(
        features, labels[indices], probs, max_samples=max_samples, settings=settings
    )
    return ProbeFeatures(values, seconds)


def train_arrays(data: TrainData) -> tuple[np.ndarray, np.ndarray]:
    """(uint8 NHWC images, labels) of the training images; arrays are checked as a Dataset."""
    if isinstance(data, DataSplit):
        data = data.train
    if isinstance(data, tuple) and len(data) == 2:
        images, labels = (np.asarray(a) for a in data)
        if labels.ndim != 1:
            raise DataError(f"labels must be 1-D (one per image); got shape {labels.shape}.")
        classes, codes = np.unique(labels, return_inverse=True)
        # Dataset's checks name the problem (dtype, shape, channels, counts) and the fix.
        data = Dataset(images, codes, tuple(str(c) for c in classes), name="training arrays")
        return data.images, labels
    if isinstance(data, Dataset):
        return data.images, data.labels
    raise DataError(
        "Probe extraction takes a Dataset, a DataSplit or an (images, labels) pair of arrays; "
        f"got a {type(data).__name__}. Load data with zapml.data.load_data."
    )


def dataset_fingerprint(images: np.ndarray, labels: np.ndarray) -> str:
    """A digest of the images' shape and pixels and of the labels: same data, same key."""
    # Labels may be strings: they enter as their sorted distinct values plus per-image codes.
    classes, codes = np.unique(np.asarray(labels), return_inverse=True)
    digest = hashlib.sha256()
    digest.update(repr((images.shape, str(images.dtype), classes.tolist())).encode())
    digest.update(np.ascontiguousarray(images).data)
    digest.update(np.ascontiguousarray(codes, dtype=np.int64).data)
    return digest.hexdigest()[:16]


# ---- one extraction -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    side: int
    max_samples: int
    seed: int
    clock_version: int | None
    use_cache: bool


def _extract(
    images: np.ndarray, labels: np.ndarray, fingerprint: str, backbone: str, request: _Request
) -> Extraction:
    from zapml.runtime.costs import check_clock_version

    spec = get_spec(backbone)  # an unknown name fails here, before any work
    log2 = log2_side(request.side)
    version = check_clock_version(request.clock_version)
    indices = stratified_subsample(labels, request.max_samples, request.seed)
    key = {
        "extraction_version": EXTRACTION_VERSION,
        "data": fingerprint,
        "backbone": backbone,
        "side": request.side,
        # The number actually sampled: every max_samples above the data's size draws all of it.
        "samples": len(indices),
        "seed": request.seed,
        "clock_version": version,
    }
    path = cache_path(key)
    cached = _load(path, key) if request.use_cache else None
    if cached is not None:
        return cached
    result = _run_backbone(images[indices], indices, spec, log2, request.seed, version)
    if request.use_cache:
        _save(path, key, result)
    return result


def log2_side(side: int) -> int:
    """log2 of ``side``, checked to be a power of two (the runtime's ``log2_max_size``)."""
    if isinstance(side, bool) or not isinstance(side, int) or side < 1 or side & (side - 1):
        raise DataError(
            f"side must be a power of two (the runtime's input sizes are 2**log2_max_size "
            f"pixels), e.g. 32 or 64; got {side!r}."
        )
    return side.bit_length() - 1


def _run_backbone(
    images: np.ndarray,
    indices: np.ndarray,
    spec: BackboneSpec,
    log2_side: int,
    seed: int,
    clock_version: int,
) -> Extraction:
    import torch

    from zapml.runtime.costs import profile_model
    from zapml.runtime.preprocess import Normalizer, input_size, resize_images
    from zapml.runtime.simple_model import extract_features

    hw = input_size((images.shape[1], images.shape[2]), log2_side)
    # fork_rng: seeding a scratch arm's init must not move the caller's torch RNG stream.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        # A scratch arm's random head means nothing: build it without one (num_classes=0) so
        # the counted forward pass is the one actually run. Its backbone draws the same weights.
        model = load_backbone(spec.name, num_classes=None if spec.pretrained else 0)
    features = extract_features(model, resize_images(images, hw), Normalizer(spec.mean, spec.std))
    probs = source_probabilities(model, features) if spec.pretrained else None
    profile = profile_model(model, hw, clock_version=clock_version)
    seconds = extraction_seconds(profile, len(images), images.shape[3])
    return Extraction(indices, features, probs, seconds, clock_version)


def source_probabilities(model: torch.nn.Module, features: np.ndarray) -> np.ndarray:
    """Softmax of the pretrained head on pooled features: the model's class probabilities.

    A timm model's ``forward_head`` ends with ``get_classifier()`` applied to the pre-logits
    features (after dropout, which eval mode turns off), so this equals ``softmax(model(x))``
    without a second pass over the images. float64 softmax, so rows sum to 1 to ~1e-15.
    """
    import torch

    head = model.get_classifier()  # type: ignore[operator]
    was_training = head.training
    head.eval()
    try:
        with torch.no_grad():
            logits = head(torch.from_numpy(features).float())
    finally:
        head.train(was_training)
    return torch.softmax(logits.double(), dim=1).numpy()


def extraction_seconds(profile: ModelProfile, num_images: int, channels: int) -> float:
    """Counted seconds of one extraction, charged as the runtime charges the same work: resizing
    at the data's channel count (``fit``'s data preparation), then per batch the 3-channel
    conversion and normalisation plus the forward pass (the simple model's feature pass)."""
    from zapml.runtime.costs import pixel_seconds
    from zapml.runtime.predictor import EVAL_BATCH_SIZE

    h, w = profile.input_hw
    version = profile.clock_version
    return (
        pixel_seconds(num_images, h, w, channels, version)
        + pixel_seconds(num_images, h, w, 3, version)
        + profile.forward_seconds(num_images, EVAL_BATCH_SIZE)
    )


# ---- the cache ------------------------------------------------------------------------------


def cache_path(key: dict[str, Any]) -> Path:
    """Where the extraction of ``key`` is stored (backbone and side readable in the name)."""
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    name = f"{key['backbone']}-{key['side']}px-{digest}.npz"
    return cache_root() / PROBE_CACHE_FOLDER / name


def _save(path: Path, key: dict[str, Any], result: Extraction) -> None:
    arrays = {
        "key": np.asarray(json.dumps(key, sort_keys=True)),
        "indices": result.indices,
        "features": result.features,
        "seconds": np.asarray(result.seconds),
        "clock_version": np.asarray(result.clock_version),
    }
    if result.source_probs is not None:
        arrays["source_probs"] = result.source_probs
    write_npz_atomic(path, arrays)


def _load(path: Path, key: dict[str, Any]) -> Extraction | None:
    """The stored extraction of ``key``; None when absent, unreadable or stored for another key."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            if str(npz["key"]) != json.dumps(key, sort_keys=True):
                return None
            probs = npz["source_probs"] if "source_probs" in npz.files else None
            return Extraction(
                npz["indices"],
                npz["features"],
                probs,
                float(npz["seconds"]),
                int(npz["clock_version"]),
            )
    except (OSError, ValueError, KeyError):
        return None
