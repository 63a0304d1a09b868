"""bench_seed_spread on a hand-worked frame of runs."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_seed_spread  # noqa: E402


def runs_frame() -> pd.DataFrame:
    accuracy = {  # (task, seed) -> arms a1, a2 and another pipeline p
        ("t1", 0): (0.5, 0.6, 0.7),
        ("t1", 1): (0.55, 0.5, 0.6),
        ("t2", 0): (0.8, 0.7, 0.9),
        ("t2", 1): (0.8, 0.6, 0.75),
        ("t3", 0): (0.1, 0.2, 0.3),  # one seed only
    }
    rows = [
        {"task_id": task, "seed": seed, "pipeline_id": pipeline, "final_accuracy": value}
        for (task, seed), values in accuracy.items()
        for pipeline, value in zip(("a1", "a2", "p"), values, strict=True)
    ]
    return pd.DataFrame(rows)


def test_seed_spread_compares_seed_gaps_with_pipeline_gaps_and_verdicts():
    spread = bench_seed_spread.seed_spread(runs_frame(), ["a1", "a2"])
    # six two-seed cells: t1 0.05, 0.1, 0.1; t2 0, 0.1, 0.15
    assert spread.cells == 6
    assert spread.seed_gap == pytest.approx(0.5 / 6)
    # pairs within (task, seed) of two-seed cells (t3 has none): t1/0 0.4, t1/1 0.2, t2/0 0.4,
    # t2/1 0.4 over 12 pairs
    assert spread.pipeline_gap == pytest.approx(1.4 / 12)
    # t1's best arm is a2 then a1, t2's a1 both times; p beats both arms on t1 at both seeds,
    # on t2 at seed 0 only
    assert spread.tasks == 2
    assert spread.same_best_arm == pytest.approx(0.5)
    assert spread.same_verdict == {"p": pytest.approx(0.5)}


def test_seed_sigma_inverts_the_mean_gap_of_two_normal_draws():
    draws = np.random.default_rng(1).normal(0.0, 0.02, (200_000, 2))
    gap = float(np.mean(np.abs(draws[:, 0] - draws[:, 1])))
    assert bench_seed_spread.seed_sigma(gap) == pytest.approx(0.02, rel=0.01)


def test_beat_all_probability_by_symmetry_and_at_the_limits():
    rng = np.random.default_rng(0)
    equal = np.array([0.7, 0.7, 0.7])
    # four exchangeable normals: each is the largest with probability 1/4
    assert bench_seed_spread.beat_all_probability(equal, 0.0, 0.03, rng) == pytest.approx(
        0.25, abs=0.01
    )
    # far above every arm, or far below the best one: certain either way
    assert bench_seed_spread.beat_all_probability(equal, 0.5, 0.03, rng) == 1.0
    spread_out = np.array([0.2, 0.5, 0.9])
    assert bench_seed_spread.beat_all_probability(spread_out, -0.5, 0.03, rng) == 0.0
    # only the best arm matters when the others are far below: P(N(d, 2s^2/2) > 0) for d = s
    sigma = 0.03
    expected = float(norm.cdf(sigma / sigma))  # the difference of two means has sd sigma
    got = bench_seed_spread.beat_all_probability(spread_out, sigma, sigma, rng)
    assert got == pytest.approx(expected, abs=0.01)


def test_split_seed_oracle_picks_on_one_seed_and_scores_on_the_other():
    result = bench_seed_spread.split_seed_oracle(runs_frame(), ["a1", "a2"])
    # t3 has one seed. t1: seed 0 picks p, arm a2; on seed 1 p 0.6 - a2 0.5 = +0.1, over the best
    # arm (a1 0.55) +0.05. Seed 1 picks p, arm a1; on seed 0 0.7 - 0.5 = +0.2, over a2 0.6 +0.1.
    # t2: seed 0 picks p, arm a1; on seed 1 0.75 - 0.8 = -0.05 both ways. Seed 1 picks a1 (an
    # arm), arm a1: 0 both ways (a tie is not a win).
    assert result.cases == 4
    assert result.margin_over_chosen_arm == pytest.approx((0.1 + 0.2 - 0.05 + 0.0) / 4)
    assert result.beats_chosen_arm == pytest.approx(2 / 4)
    assert result.margin_over_best_arm == pytest.approx((0.05 + 0.1 - 0.05 + 0.0) / 4)
    assert result.beats_all_three == pytest.approx(2 / 4)
