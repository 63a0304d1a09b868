"""The shipped-recipe LOCO table's arithmetic, on records worked out by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_shipped_loco  # noqa: E402


def _records() -> pd.DataFrame:
    # two cases at 4 s (one with 3 observed pipelines), one at 16 s
    return pd.DataFrame({
        "budget": [4.0, 4.0, 16.0],
        "seed": [0, 0, 0],
        "n_observed": [10, 3, 2],
        "oracle_alc": [1.0, 1.0, 0.8],
        "random_alc": [0.5, 0.5, 0.4],
        "chosen_alc": [0.9, 0.9, 0.6],
        "single_best_alc": [0.7, 0.7, 0.4],
        "single_best_per_budget_alc": [0.8, 0.8, 0.6],
    })  # fmt: skip


def test_regret_and_gaps_per_budget_all_budgets_and_focused_cases():
    table = bench_shipped_loco.summary(_records(), focused=10)
    shipped = table[table["selector"] == bench_shipped_loco.SHIPPED].set_index("cases_of")
    assert list(shipped.index) == ["all", "4 s", "16 s", "4 s, >= 10 observed"]
    # 4 s: (1 - 0.9) / (1 - 0.5); gaps (0.9 - 0.7) / (1 - 0.7) and (0.9 - 0.8) / (1 - 0.8)
    assert shipped.loc["4 s", "regret"] == pytest.approx(0.2)
    assert shipped.loc["4 s", "gap_closed"] == pytest.approx(2 / 3)
    assert shipped.loc["4 s", "gap_closed_vs_per_budget"] == pytest.approx(0.5)
    # all: ratio of means, (2.8 / 3 - 2.4 / 3) / (2.8 / 3 - 1.4 / 3) = 0.4 / 1.4
    assert shipped.loc["all", "regret"] == pytest.approx(2 / 7)
    # 16 s: the per-budget single best is the choice itself; budget-blind: (0.6 - 0.4) / 0.4
    assert shipped.loc["16 s", "gap_closed_vs_per_budget"] == pytest.approx(0.0)
    assert shipped.loc["16 s", "gap_closed"] == pytest.approx(0.5)
    assert shipped.loc["4 s, >= 10 observed", "cases"] == 1
    blind = table[table["selector"] == "single best (budget-blind)"].set_index("cases_of")
    assert blind.loc["4 s", "regret"] == pytest.approx(0.6)  # (1 - 0.7) / (1 - 0.5)
    assert blind.loc["all", "gap_closed"] == pytest.approx(0.0)


def test_per_seed_regret():
    records = pd.concat([_records(), _records().assign(seed=1, chosen_alc=[1.0, 1.0, 0.8])])
    assert bench_shipped_loco.per_seed(records) == "0.286 / 0.000"
