"""probe_features: names, the shared stratified sample, and agreement with the scores it wraps."""

from __future__ import annotations

import numpy as np
import pytest

from zapml.errors import DataError
from zapml.metafeatures.probe_features import (
    PROBE_SCORES,
    ProbeSettings,
    pair_feature_name,
    probe_features,
    stratified_subsample,
)
from zapml.metafeatures.transferability import leep, logme, nce, parc


def _task(seed: int = 0, n: int = 90):
    rng = np.random.default_rng(seed)
    labels = np.repeat([10, 20, 30], [50, 30, 10])[:n]  # non-contiguous, imbalanced ids
    feats = rng.normal(size=(n, 6)) + np.eye(6)[labels // 10] * 2
    probs = rng.dirichlet(np.ones(4), size=n)
    return {"mobilenetv2_100": feats, "resnet18": feats[:, :3]}, labels, probs


def test_names_are_score_then_backbone_in_a_stable_order() -> None:
    features, labels, probs = _task()
    row = probe_features(features, labels, {"resnet18": probs}, max_samples=40)
    with_source = [s.name for s in PROBE_SCORES]
    without = [s.name for s in PROBE_SCORES if not s.needs_source_probs]
    expected = [f"{s}__mobilenetv2_100" for s in without] + [f"{s}__resnet18" for s in with_source]
    assert list(row) == expected
    assert "logme__mobilenetv2_100" in row and "leep__mobilenetv2_100" not in row
    assert all(isinstance(v, float) and np.isfinite(v) for v in row.values())


@pytest.mark.filterwarnings("ignore:The least populated class")  # 4 sampled images of 30
def test_values_are_the_scores_on_the_seeded_stratified_sample() -> None:
    features, labels, probs = _task()
    settings = ProbeSettings(seed=3)
    row = probe_features(features, labels, {"resnet18": probs}, max_samples=30, settings=settings)
    chosen = stratified_subsample(labels, 30, seed=3)
    feats, y = features["resnet18"][chosen], labels[chosen]
    assert row["logme__resnet18"] == logme(feats, y)
    assert row["parc__resnet18"] == parc(feats, y)
    assert row["leep__resnet18"] == leep(probs[chosen], y)
    assert row["nce__resnet18"] == nce(probs[chosen].argmax(axis=1), y)
    again = probe_features(features, labels, {"resnet18": probs}, max_samples=30, settings=settings)
    assert again == row


def test_stratified_subsample_keeps_every_class_and_the_proportions() -> None:
    labels = np.repeat([0, 1, 2, 3], [600, 300, 97, 3])
    chosen = stratified_subsample(labels, 100, seed=1)
    assert len(chosen) == 100 and len(set(chosen)) == 100 and np.all(np.diff(chosen) > 0)
    counts, sizes = np.bincount(labels[chosen]), np.bincount(labels)
    assert counts.min() >= 1
    # Taken in order of within-class fraction: no class took its next image while another
    # class's earlier fraction was still untaken.
    for a in range(4):
        for b in range(4):
            assert (counts[a] - 1) / sizes[a] <= counts[b] / sizes[b] + 1e-12
    # Hence each count is within (-C * size / n, +1) of the exact proportion, C = 4 classes.
    deviation = counts - 100 * sizes / 1000
    assert np.all(deviation < 1.0) and np.all(deviation > -4 * sizes / 1000)
    assert not np.array_equal(chosen, stratified_subsample(labels, 100, seed=2))
    assert np.array_equal(stratified_subsample(labels[:50], 100, seed=1), np.arange(50))


def test_bad_input_names_the_problem() -> None:
    features, labels, probs = _task()
    with pytest.raises(DataError, match="may not contain"):
        pair_feature_name("logme", "my__net")
    with pytest.raises(DataError, match="one row per label"):
        probe_features({"resnet18": features["resnet18"][:10]}, labels)
    with pytest.raises(DataError, match="without features"):
        probe_features(features, labels, {"vit": probs})
    with pytest.raises(DataError, match="max_samples"):
        stratified_subsample(labels, 0, seed=0)
