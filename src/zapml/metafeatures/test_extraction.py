"""extraction: features and ImageNet probabilities against a forward pass written out by hand,
the counted cost against the clock formula, the on-disk cache, and scratch arms."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from zapml.data.dataset import Dataset, DataSplit
from zapml.errors import DataError, ZooError
from zapml.metafeatures import extraction
from zapml.metafeatures.extraction import (
    Extraction,
    compute_probe_features,
    dataset_fingerprint,
    extract,
)
from zapml.metafeatures.probe_features import (
    PROBE_SCORES,
    ProbeSettings,
    probe_features,
    stratified_subsample,
)
from zapml.metafeatures.score_costs import ScoreShape
from zapml.metafeatures.testing import one_thread_empty_cache  # noqa: F401 (autouse)
from zapml.runtime.costs import CLOCK_V1, CLOCK_V2, ModelProfile, profile_model
from zapml.zoo import get_spec, load_backbone

PRETRAINED = "mobilenetv2_100"
SCRATCH = "mobilenetv2_100.scratch"
SIDE = 32


def _gray_images(n: int, side: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(n, side, side, 1), dtype=np.uint8)


def _by_hand(model: torch.nn.Module, name: str, images: np.ndarray) -> tuple[torch.Tensor, ...]:
    """Gray -> RGB, scale to [0, 1], normalise, forward; pooled features by a spatial mean."""
    spec = get_spec(name)
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float().repeat(1, 3, 1, 1) / 255.0
    x = (x - torch.tensor(spec.mean).view(1, 3, 1, 1)) / torch.tensor(spec.std).view(1, 3, 1, 1)
    model.eval()
    with torch.no_grad():
        pooled = model.forward_features(x).mean(dim=(2, 3))  # type: ignore[operator]
        logits = model(x)
    return pooled, logits


def test_features_and_imagenet_probabilities_equal_a_direct_forward() -> None:
    images, labels = _gray_images(6, SIDE), np.array([0, 0, 0, 1, 1, 1])
    result = extract((images, labels), PRETRAINED, side=SIDE, max_samples=6, use_cache=False)
    pooled, logits = _by_hand(load_backbone(PRETRAINED), PRETRAINED, images)
    assert result.indices.tolist() == list(range(6))
    assert result.features.shape == (6, 1280) and result.features.dtype == np.float64
    np.testing.assert_allclose(result.features, pooled.numpy(), rtol=1e-5, atol=1e-5)
    assert result.source_probs is not None and result.source_probs.shape == (6, 1000)
    np.testing.assert_allclose(result.source_probs.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        result.source_probs, torch.softmax(logits.double(), dim=1).numpy(), rtol=0, atol=1e-6
    )


def _hand_cost(profile: ModelProfile, clock: Any, n: int, channels: int, version: int) -> float:
    """Resize (data channels) + normalise (3 channels) per pixel, then the forward pass of n
    images in batches of 128, as the clock version's formula reads."""
    pixels = n * SIDE * SIDE * (channels + 3) * clock.pixel_seconds
    calls = math.ceil(n / 128) * profile.num_modules * clock.module_call_seconds
    if version == 1:
        per_image = (
            profile.flops_per_image / clock.flops_per_second
            + profile.activations_per_image / clock.elements_per_second
        )
    else:
        dense = profile.flops_per_image - profile.depthwise_flops_per_image
        per_image = (
            dense * clock.dense_flop_seconds
            + profile.depthwise_flops_per_image * clock.depthwise_flop_seconds
            + profile.activations_per_image * clock.element_seconds
            + profile.overpadded_depthwise_elements_per_image * clock.overpadded_element_seconds
        )
    return pixels + calls + n * per_image


@pytest.mark.parametrize(("version", "clock"), [(1, CLOCK_V1), (2, CLOCK_V2)])
def test_counted_seconds_follow_the_clock_formula(version: int, clock: object) -> None:
    images, labels = _gray_images(6, 16), np.array([0, 1, 0, 1, 0, 1])
    result = extract(
        (images, labels), PRETRAINED, side=SIDE, max_samples=6, clock_version=version,
        use_cache=False,
    )  # fmt: skip
    profile = profile_model(load_backbone(PRETRAINED), (SIDE, SIDE), clock_version=version)
    assert result.clock_version == version
    assert result.seconds == pytest.approx(_hand_cost(profile, clock, 6, 1, version), rel=1e-12)
    assert result.seconds > 0


def test_a_cache_hit_returns_the_stored_arrays_without_building_the_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    train = Dataset(_gray_images(6, 8), np.array([0, 1, 2, 0, 1, 2]), ("a", "b", "c"))
    split = DataSplit(train=train)
    first = extract(split, PRETRAINED, side=SIDE, max_samples=6, seed=1)
    files = sorted((tmp_path / "cache" / "probes").iterdir())
    assert [f.suffix for f in files] == [".npz"] and files[0].name.startswith(f"{PRETRAINED}-32px-")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was built on a cache hit")

    monkeypatch.setattr(extraction, "load_backbone", refuse)
    again = extract(split.train, PRETRAINED, side=SIDE, max_samples=6, seed=1)
    _assert_same(again, first)
    # Another seed, side or dataset is another key: those must not be answered from this file.
    for other in ({"seed": 2, "side": SIDE}, {"seed": 1, "side": 16}):
        with pytest.raises(AssertionError, match="built on a cache hit"):
            extract(split, PRETRAINED, max_samples=6, **other)  # type: ignore[arg-type]
    changed = split.train.images.copy()
    changed[0, 0, 0, 0] ^= 1
    with pytest.raises(AssertionError, match="built on a cache hit"):
        extract((changed, split.train.labels), PRETRAINED, side=SIDE, max_samples=6, seed=1)


def _assert_same(got: Extraction, want: Extraction) -> None:
    assert np.array_equal(got.indices, want.indices)
    assert np.array_equal(got.features, want.features) and got.features.dtype == np.float64
    assert want.source_probs is not None and got.source_probs is not None
    assert np.array_equal(got.source_probs, want.source_probs)
    assert got.seconds == want.seconds and got.clock_version == want.clock_version


def test_scratch_arm_is_the_seeded_init_a_run_trains_and_has_no_source_probs() -> None:
    images, labels = _gray_images(8, SIDE, seed=4), np.repeat([5, 9], 4)
    result = extract((images, labels), SCRATCH, side=SIDE, max_samples=6, seed=3)
    assert result.source_probs is None
    assert result.indices.tolist() == stratified_subsample(labels, 6, 3).tolist()
    # fit seeds the global RNG with the run's seed, then builds the arm with its own head.
    torch.manual_seed(3)
    as_fit_builds_it = load_backbone(SCRATCH, num_classes=2)
    pooled, _ = _by_hand(as_fit_builds_it, SCRATCH, images[result.indices])
    np.testing.assert_allclose(result.features, pooled.numpy(), rtol=1e-5, atol=1e-5)


def test_probe_features_of_several_backbones_share_one_sample_and_add_their_seconds() -> None:
    images, labels = _gray_images(12, 8, seed=5), np.repeat([0, 1, 2], 4)
    settings = ProbeSettings(probe_folds=2, knn_k=3, seed=7)
    row, seconds = compute_probe_features(
        (images, labels), [PRETRAINED, SCRATCH], side=SIDE, max_samples=9, settings=settings
    )
    assert "leep__mobilenetv2_100" in row and "nce__mobilenetv2_100" in row
    assert "logme__mobilenetv2_100.scratch" in row
    assert not any(k.startswith(("leep__", "nce__")) and k.endswith(".scratch") for k in row)
    # Cache hits now: the same arrays the row was computed from.
    pre, scratch = (
        extract((images, labels), name, side=SIDE, max_samples=9, seed=7)
        for name in (PRETRAINED, SCRATCH)
    )
    assert np.array_equal(pre.indices, scratch.indices) and len(pre.indices) == 9
    assert pre.source_probs is not None
    expected = probe_features(
        {PRETRAINED: pre.features, SCRATCH: scratch.features},
        labels[pre.indices],
        {PRETRAINED: pre.source_probs},
        max_samples=9,
        settings=settings,
    )
    assert row == expected
    # The scores' counted cost on the shared sample: 9 images, 1280 dims, 3 classes, 2 folds
    # (ProbeSettings above), and ImageNet's 1000 source classes for the pretrained arm only.
    with_head = ScoreShape(num_images=9, dims=1280, classes=3, source_classes=1000, folds=2)
    headless = ScoreShape(num_images=9, dims=1280, classes=3, source_classes=0, folds=2)
    scores = sum(s.cost.seconds(with_head) for s in PROBE_SCORES) + sum(
        s.cost.seconds(headless) for s in PROBE_SCORES if s.name not in ("leep", "nce")
    )
    assert seconds == pytest.approx(pre.seconds + scratch.seconds + scores, rel=1e-12)


def test_the_fingerprint_follows_pixels_labels_and_shape_only() -> None:
    images, labels = _gray_images(4, 8), np.array(["cat", "dog", "cat", "dog"])
    key = dataset_fingerprint(images, labels)
    assert key == dataset_fingerprint(images.copy(), labels.copy())
    assert len(key) == 16 and int(key, 16) >= 0
    assert key != dataset_fingerprint(images, labels[::-1])
    assert key != dataset_fingerprint(images, np.array(["cat", "eel", "cat", "eel"]))
    assert key != dataset_fingerprint(images.reshape(4, 8, 4, 2), labels)
    flipped = images.copy()
    flipped[3, 7, 7, 0] ^= 1
    assert key != dataset_fingerprint(flipped, labels)


def test_bad_requests_name_the_problem() -> None:
    images, labels = _gray_images(4, 8), np.array([0, 1, 0, 1])
    with pytest.raises(DataError, match="power of two"):
        extract((images, labels), PRETRAINED, side=48)
    with pytest.raises(ZooError, match="resnet_nope"):
        extract((images, labels), "resnet_nope", side=SIDE)
    with pytest.raises(DataError, match="non-empty list"):
        compute_probe_features((images, labels), [], side=SIDE)
    with pytest.raises(DataError, match="non-empty list"):
        compute_probe_features((images, labels), PRETRAINED, side=SIDE)
    with pytest.raises(DataError, match="Dataset, a DataSplit"):
        extract(images, PRETRAINED, side=SIDE)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="uint8"):
        extract((images.astype(np.float32), labels), PRETRAINED, side=SIDE)
