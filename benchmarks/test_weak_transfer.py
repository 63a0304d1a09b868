"""The weak-transfer table's in-sample columns, on a selector and accuracies made by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_weak_transfer  # noqa: E402

from zapml.space.pipeline import default_pipeline  # noqa: E402

DEFAULT = default_pipeline().id


class ByHand:
    """A selector whose score is a fixed table plus the budget times a per-pipeline slope, so the
    first choice changes with the budget: p1 leads at 4 s, p2 at 64 s on task t1."""

    pipeline_ids_ = ["p1", "p2", DEFAULT]

    def rank(self, metafeatures: pd.DataFrame) -> np.ndarray:
        base = np.array([[3.0, 2.0, 0.0], [0.0, 1.0, 2.0]])  # rows t1, t2
        slope = np.array([0.0, 0.05, 0.0])
        return base + metafeatures[["budget"]].to_numpy() * slope


def test_the_first_choice_is_each_rows_highest_score_at_the_budget():
    features = pd.DataFrame({"x": [1.0, 2.0]}, index=["t1", "t2"])
    # t1: 4 s -> [3, 2.2, 0]: p1; 64 s -> [3, 5.2, 0]: p2. t2: 4 s -> [0, 1.2, 2]: the default;
    # 64 s -> [0, 4.2, 2]: p2
    at4 = bench_weak_transfer.first_choices(ByHand(), features, 4.0)
    at64 = bench_weak_transfer.first_choices(ByHand(), features, 64.0)
    assert at4.to_dict() == {"t1": "p1", "t2": DEFAULT}
    assert at64.to_dict() == {"t1": "p2", "t2": "p2"}


def test_the_summary_counts_the_default_first_and_where_it_beats_the_first_choice(capsys):
    table = pd.DataFrame({
        "task": ["t1", "t2", "t3", "t4"],
        "trivial_first": [DEFAULT, "p1", "p2", "p1"],
        "probe_first": ["p1", "p1", "p1", "p2"],
    })  # fmt: skip
    accuracy = pd.DataFrame(
        {DEFAULT: [0.5, 0.6, 0.4, 0.7], "p1": [0.4, 0.7, 0.3, 0.6], "p2": [0.9, 0.9, None, 0.8]},
        index=["t1", "t2", "t3", "t4"],
    )
    bench_weak_transfer.print_in_sample(table, accuracy)
    out = capsys.readouterr().out.splitlines()
    # trivial: the default on t1; elsewhere t2 (p1 0.7 > 0.6: no), t3 (p2 did not run: skipped),
    # t4 (p1 0.6 < 0.7: yes) -> 1 of 2
    assert out[0] == (
        "trivial_first: the default on 1 of 4 tasks; elsewhere it beats the first choice on 1 of 2 "
        "where both ran"
    )
    # probe: never the default; t1 0.5 > 0.4, t2 0.6 < 0.7, t3 0.4 > 0.3, t4 0.7 < 0.8 -> 2 of 4
    assert out[1] == (
        "probe_first: the default on 0 of 4 tasks; elsewhere it beats the first choice on 2 of 4 "
        "where both ran"
    )
