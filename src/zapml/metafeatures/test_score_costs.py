"""score_costs: the counted terms by hand, the shape read from real arrays, and which scores a
query pays for."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from zapml.metafeatures.probe_features import (
    PROBE_SCORES,
    ProbeSettings,
    score_shape,
    scores_seconds,
)
from zapml.metafeatures.score_costs import LINEAR_PROBE_COST, ScoreCost, ScoreShape

SHAPE = ScoreShape(num_images=500, dims=1280, classes=10, source_classes=1000, folds=5)


def test_the_shape_is_read_from_the_arrays_with_folds_lowered_to_the_largest_class() -> None:
    labels = np.array([0, 0, 0, 1, 1, 2, 2])  # largest class: 3 images
    shape = score_shape(np.zeros((7, 4)), labels, np.zeros((7, 11)), ProbeSettings(probe_folds=5))
    assert shape == ScoreShape(num_images=7, dims=4, classes=3, source_classes=11, folds=3)
    assert score_shape(np.zeros((7, 4)), labels).source_classes == 0


def test_linear_probe_terms_by_hand() -> None:
    # 5 folds of 500 images train on 400 each; 400 < 1280 dims, so the solve is 400 x 400.
    assert LINEAR_PROBE_COST.terms(SHAPE) == (5 * 400**3, 5 * 500 * 1280, 5)
    wide = dataclasses.replace(SHAPE, num_images=5000, dims=64)  # now the 64 dims are smaller
    assert LINEAR_PROBE_COST.terms(wide) == (5 * 64**3, 5 * 5000 * 64, 5)


@pytest.mark.parametrize("score", PROBE_SCORES, ids=lambda s: s.name)
def test_every_score_costs_more_on_more_images_and_dims(score: object) -> None:
    cost = score.cost  # type: ignore[attr-defined]
    base = cost.seconds(SHAPE)
    assert 0 < base < 10  # every score is a fraction of a second to seconds on this shape
    assert cost.seconds(dataclasses.replace(SHAPE, num_images=1000)) > base
    assert cost.seconds(dataclasses.replace(SHAPE, dims=512)) <= base


def test_a_query_pays_for_leep_and_nce_only_with_source_classes() -> None:
    headless = dataclasses.replace(SHAPE, source_classes=0)
    by_name = {s.name: s.cost.seconds(SHAPE) for s in PROBE_SCORES}
    assert scores_seconds(SHAPE) == pytest.approx(sum(by_name.values()), rel=1e-12)
    others = sum(v for k, v in by_name.items() if k not in ("leep", "nce"))
    assert scores_seconds(headless) == pytest.approx(others, rel=1e-12)


def test_terms_and_rates_must_line_up() -> None:
    broken = ScoreCost(lambda s: (1.0, 2.0), (1.0,))
    with pytest.raises(ValueError, match="2 counted terms but 1 rates"):
        broken.seconds(SHAPE)
