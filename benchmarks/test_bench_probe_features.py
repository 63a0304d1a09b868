"""The probe-feature benchmark's choice on a sparse matrix: always a run that exists."""

from __future__ import annotations

import bench_probe_features
import numpy as np


def test_an_observed_pipeline_nobody_scored_beats_every_unobserved_one():
    nan, inf = np.nan, np.inf
    perf = np.array([[nan, 0.7, nan, 0.4], [0.2, nan, nan, nan]])
    # pipeline 1 never ran on a training task (-inf), pipeline 3 has a NaN score
    scores = np.array([[5.0, -inf, 9.0, nan], [1.0, 2.0, 3.0, 4.0]])
    masked = bench_probe_features.observed_scores(perf, scores)
    assert np.isneginf(masked[0, [0, 2]]).all() and np.isneginf(masked[1, 1:]).all()
    assert masked[1, 0] == 1.0
    chosen = masked.argmax(axis=1)
    assert chosen.tolist() == [1, 0]  # row 0: both observed ones unscored, the first wins
    assert np.isfinite(perf[np.arange(2), chosen]).all()
