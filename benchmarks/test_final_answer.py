"""bench_final_answer's arithmetic, on values worked out by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_final_answer  # noqa: E402


def test_paired_summary_counts_against_the_first_column():
    rows = pd.DataFrame({"a": [0.5, 0.9, 0.4, 0.7], "b": [0.6, 0.8, 0.4, 0.9]})
    table = bench_final_answer.paired_summary(rows, ["a", "b"]).set_index("column")
    assert table.loc["a", "diff"] == 0.0 and table.loc["a", "wins"] == 0
    assert table.loc["b", "mean"] == pytest.approx((0.6 + 0.8 + 0.4 + 0.9) / 4)
    assert table.loc["b", "diff"] == pytest.approx((0.1 - 0.1 + 0.0 + 0.2) / 4)
    assert (table.loc["b", "wins"], table.loc["b", "losses"]) == (2, 1)  # the tie is neither
    assert table.loc["b", "sign_test_p"] == pytest.approx(1.0)  # 2 of 3: P = 2 * 0.5 capped


def test_accuracy_reads_the_most_probable_column():
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.4, 0.5, 0.1]])
    assert bench_final_answer.accuracy(np.array([0, 2, 0]), proba) == pytest.approx(2 / 3)


def _mirror_symmetric(x: np.ndarray, y: np.ndarray, t: np.ndarray) -> dict:
    """Features whose mirror images' features are the same."""
    return {"x": x, "x_flip": x, "y": y, "t": t, "t_flip": t, "classes": 3}


def test_flip_variants_equal_plain_on_mirror_symmetric_features_and_fill_absent_classes():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-2, 1, (10, 4)), rng.normal(2, 1, (10, 4))])
    y = np.repeat([0, 2], 10)  # class 1 is absent from the sample
    t = np.array([[-2.0, -2.0, -2.0, -2.0], [2.0, 2.0, 2.0, 2.0]])
    same = _mirror_symmetric(x, y, t)
    plain = bench_final_answer.lr_proba(same, 1.0, "plain")
    assert np.allclose(bench_final_answer.lr_proba(same, 1.0, "tta"), plain)
    # the sample twice over: the same minimiser up to the regularisation's halved weight
    assert np.array_equal(bench_final_answer.lr_proba(same, 1.0, "aug").argmax(1), [0, 2])
    assert np.all(plain[:, 1] == 0.0) and np.allclose(plain.sum(axis=1), 1.0)
    assert list(plain.argmax(axis=1)) == [0, 2]
