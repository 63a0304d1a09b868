"""(task, backbone) pair meta-features: every probe score of every backbone on one shared sample.

Names are ``<score>__<backbone>`` (for example ``logme__mobilenetv2_100``), built only by
``pair_feature_name`` so stored tables and fresh computations line up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from zapml.errors import DataError
from zapml.metafeatures._inputs import check_labels
from zapml.metafeatures.probes import knn_accuracy, linear_probe_accuracy
from zapml.metafeatures.score_costs import (
    H_SCORE_COST,
    KNN_COST,
    LEEP_COST,
    LFC_COST,
    LINEAR_PROBE_COST,
    LOGME_COST,
    NCE_COST,
    PARC_COST,
    ScoreCost,
    ScoreShape,
)
from zapml.metafeatures.transferability import h_score, leep, lfc, logme, nce, parc

PAIR_SEPARATOR = "__"
# PARC, LFC and kNN build n x n matrices and the linear probe solves k ridge systems: a
# 1000-image sample keeps one backbone's scores to seconds on a CPU while leaving ~10 images
# per class on a 100-class task.
DEFAULT_MAX_SAMPLES = 1000
# Ten votes smooth label noise yet stay local when the smallest classes have ~10 sampled images.
DEFAULT_KNN_K = 10
DEFAULT_PROBE_FOLDS = 5
# Bump when what a score computes changes, so stores probed before are recomputed instead of
# mixing two definitions in one column. 2: the linear probe is a ridge classifier (was logistic
# regression).
PROBE_SCORES_VERSION = 2


@dataclass(frozen=True)
class ProbeSettings:
    """Knobs of the scores that have any; one object so callers pass them through unchanged."""

    knn_k: int = DEFAULT_KNN_K
    probe_folds: int = DEFAULT_PROBE_FOLDS
    seed: int = 0


@dataclass(frozen=True)
class ProbeScore:
    """One pair feature: its name, how to compute it from a (sampled) backbone's outputs, and
    its counted compute-clock cost."""

    name: str
    needs_source_probs: bool
    compute: Callable[[np.ndarray, np.ndarray, np.ndarray | None, ProbeSettings], float]
    cost: ScoreCost


def _source(probs: np.ndarray | None) -> np.ndarray:
    if probs is None:
        raise DataError("LEEP and NCE need the source model's class probabilities; pass them.")
    return probs


# The single list of pair scores; order is the column order of the returned dict.
PROBE_SCORES: tuple[ProbeScore, ...] = (
    ProbeScore("logme", False, lambda f, y, p, s: logme(f, y), LOGME_COST),
    ProbeScore("h_score", False, lambda f, y, p, s: h_score(f, y), H_SCORE_COST),
    ProbeScore("parc", False, lambda f, y, p, s: parc(f, y), PARC_COST),
    ProbeScore("lfc", False, lambda f, y, p, s: lfc(f, y), LFC_COST),
    ProbeScore("knn_accuracy", False, lambda f, y, p, s: knn_accuracy(f, y, s.knn_k), KNN_COST),
    ProbeScore(
        "linear_probe_accuracy",
        False,
        lambda f, y, p, s: linear_probe_accuracy(f, y, s.probe_folds, s.seed),
        LINEAR_PROBE_COST,
    ),
    ProbeScore("leep", True, lambda f, y, p, s: leep(_source(p), y), LEEP_COST),
    ProbeScore("nce", True, lambda f, y, p, s: nce(np.argmax(_source(p), axis=1), y), NCE_COST),
)


def score_shape(
    features: np.ndarray,
    labels: np.ndarray,
    source_probs: np.ndarray | None = None,
    settings: ProbeSettings | None = None,
) -> ScoreShape:
    """The sizes the scores of one backbone work on: sampled features (n x d), their labels and
    the source probabilities (n x Z) if any (``sample_shape``)."""
    source_classes = 0 if source_probs is None else int(np.shape(source_probs)[1])
    return sample_shape(labels, int(np.shape(features)[1]), source_classes, settings)


def sample_shape(
    labels: np.ndarray, dims: int, source_classes: int, settings: ProbeSettings | None = None
) -> ScoreShape:
    """The sizes the scores work on, from the sampled images' labels alone: the folds the linear
    probe will use are ``settings.probe_folds`` lowered to the largest class, as
    ``linear_probe_accuracy`` does."""
    settings = settings or ProbeSettings()
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    return ScoreShape(
        num_images=int(counts.sum()),
        dims=dims,
        classes=len(counts),
        source_classes=source_classes,
        folds=min(settings.probe_folds, int(counts.max())),
    )


def scores_seconds(shape: ScoreShape) -> float:
    """Counted reference seconds of every score ``probe_features`` computes on ``shape`` (LEEP
    and NCE only with source classes): what a budget that pays for the scores is charged."""
    return sum(
        score.cost.seconds(shape)
        for score in PROBE_SCORES
        if shape.source_classes or not score.needs_source_probs
    )


def pair_feature_name(score: str, backbone: str) -> str:
    """The stored name of one score of one backbone, e.g. ``logme__mobilenetv2_100``."""
    if PAIR_SEPARATOR in backbone or PAIR_SEPARATOR in score:
        raise DataError(
            f"backbone and score names may not contain {PAIR_SEPARATOR!r} (it separates them in "
            f"feature names); got score {score!r}, backbone {backbone!r}."
        )
    return f"{score}{PAIR_SEPARATOR}{backbone}"


def pair_feature_backbone(name: str) -> str | None:
    """The backbone of a stored probe feature name (``pair_feature_name``'s inverse), None for
    a name that is not a probe feature."""
    return name.split(PAIR_SEPARATOR, 1)[1] if PAIR_SEPARATOR in name else None


def stratified_subsample(labels: np.ndarray, max_samples: int, seed: int) -> np.ndarray:
    """Sorted indices of at most ``max_samples`` images, seeded, stratified by label.

    Images are taken in order of their rank within their (shuffled) class divided by the class
    size: every class keeps the same fraction of its images, rounded up, so the sample is
    proportional up to that rounding and no class is dropped while ``max_samples`` >= classes.
    """
    raw = np.asarray(labels)
    if max_samples < 1:
        raise DataError(f"max_samples must be at least 1; got {max_samples}.")
    if len(raw) <= max_samples:
        return np.arange(len(raw))
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(len(raw))
    _, codes, sizes = np.unique(raw[shuffled], return_inverse=True, return_counts=True)
    rank_in_class = np.empty(len(raw), dtype=np.float64)
    for code in range(len(sizes)):
        members = np.flatnonzero(codes == code)
        rank_in_class[members] = np.arange(len(members)) / len(members)
    order = np.argsort(rank_in_class, kind="stable")
    return np.sort(shuffled[order[:max_samples]])


def probe_features(
    features_by_backbone: Mapping[str, np.ndarray],
    labels: np.ndarray,
    source_probs_by_backbone: Mapping[str, np.ndarray] | None = None,
    *,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    settings: ProbeSettings | None = None,
) -> dict[str, float]:
    """Every score in PROBE_SCORES for every backbone, on one seeded stratified subsample.

    ``features_by_backbone[name]`` holds the frozen features (n x d) of the same n images in
    the same order as ``labels``; ``source_probs_by_backbone[name]`` (optional) their source
    class probabilities (n x Z). LEEP and NCE appear only for backbones with source probs.
    Keys follow backbone order, then PROBE_SCORES order.
    """
    settings = settings or ProbeSettings()
    codes = check_labels(labels, len(np.asarray(labels)))
    chosen = stratified_subsample(codes, max_samples, settings.seed)
    sources = source_probs_by_backbone or {}
    unknown = sorted(set(sources) - set(features_by_backbone))
    if unknown:
        raise DataError(f"source probs given for backbones without features: {unknown}.")
    row = {}
    for backbone, features in features_by_backbone.items():
        feats = _sampled_rows(features, chosen, len(codes), f"features of {backbone!r}")
        probs = sources.get(backbone)
        if probs is not None:
            probs = _sampled_rows(probs, chosen, len(codes), f"source probs of {backbone!r}")
        for score in PROBE_SCORES:
            if score.needs_source_probs and probs is None:
                continue
            name = pair_feature_name(score.name, backbone)
            row[name] = score.compute(feats, codes[chosen], probs, settings)
    return row


def _sampled_rows(array: np.ndarray, chosen: np.ndarray, num_rows: int, what: str) -> np.ndarray:
    values = np.asarray(array)
    if values.ndim != 2 or values.shape[0] != num_rows:
        raise DataError(
            f"{what} must be a 2-D array with one row per label ({num_rows}); got shape "
            f"{values.shape}."
        )
    return values[chosen]
