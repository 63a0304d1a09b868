"""bench_arm_consistency on a hand-worked pair of budgets."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_arm_consistency  # noqa: E402


def test_consistency_counts_repeated_winners_against_the_hypergeometric_chance():
    columns = ["a1", "a2", "p", "q", "r"]
    first = pd.DataFrame(
        [[0.5, 0.4, 0.6, 0.55, 0.3], [0.9, 0.8, 0.95, 0.5, None], [0.1, 0.1, 0.9, 0.9, 0.9]],
        index=["t1", "t2", "t3"],
        columns=columns,
    )
    second = pd.DataFrame(
        [[0.5, 0.6, 0.7, 0.5, 0.65], [0.9, 0.7, 0.95, 0.5, None], [0.1, None, 0.9, 0.9, 0.9]],
        index=["t1", "t2", "t3"],
        columns=columns,
    )
    result = bench_arm_consistency.consistency(first, second, ["a1", "a2"])
    # t3 lacks arm a2 at the second budget. t1: winners {p, q} then {p, r} among 3 pipelines:
    # overlap 1, chance mean 2 * 2 / 3, P(1) = 2/3, P(2) = 1/3. t2 (r not run): {p} then {p}
    # among 2: overlap 1, chance mean 1/2, P(0) = P(1) = 1/2. Sum observed 2, P(>= 2) =
    # 2/3 * 1/2 + 1/3 * 1/2 + 1/3 * 1/2 = 2/3. Best arm: t1 a1 then a2, t2 a1 both times.
    assert result.tasks == 2
    assert result.winners_first == 3
    assert result.repeated == 2
    assert result.expected == pytest.approx(4 / 3 + 1 / 2)
    assert result.p_value == pytest.approx(2 / 3)
    assert result.same_best_arm == 1
