"""The budgeted SMAC search on problems whose optimum is known."""

from __future__ import annotations

import pytest
from ConfigSpace import ConfigurationSpace, Integer

from zapml.errors import PipelineError
from zapml.transfer.search import SearchSettings, budgeted_search

OPTIMUM = 7


def _space() -> ConfigurationSpace:
    space = ConfigurationSpace(seed=0)
    space.add(Integer("x", (0, 20)))
    return space


def _parabola(config, budget: float) -> tuple[float, float]:
    # Minimum at x = 7 at every fidelity; a low fidelity only adds a constant, so Hyperband's
    # early rungs rank configurations as the full fidelity would.
    return (config["x"] - OPTIMUM) ** 2 + 0.1 / budget, budget


def test_smac_finds_the_minimum_of_a_parabola_within_the_budget():
    settings = SearchSettings(min_budget=1.0, max_budget=9.0, seed=0)
    result = budgeted_search(_space(), _parabola, total=60.0, settings=settings)
    assert result.incumbent["x"] == OPTIMUM
    assert result.spent == pytest.approx(sum(trial.budget for trial in result.trials))
    assert result.spent <= 60.0
    assert result.incumbent_budget == 9.0
    top = [trial for trial in result.trials if trial.budget == 9.0]
    assert result.incumbent_cost == min(trial.cost for trial in top)
    assert {trial.budget for trial in result.trials} <= {1.0, 3.0, 9.0}


def test_the_search_counts_what_a_trial_really_spent():
    settings = SearchSettings(min_budget=1.0, max_budget=9.0, seed=0)
    result = budgeted_search(
        _space(), lambda c, b: (_parabola(c, b)[0], b / 2), total=20.0, settings=settings
    )
    assert result.spent == pytest.approx(sum(trial.budget for trial in result.trials) / 2)


def test_a_budget_below_one_trial_is_refused():
    settings = SearchSettings(min_budget=2.0, max_budget=6.0)
    with pytest.raises(PipelineError, match="cannot run one trial"):
        budgeted_search(_space(), _parabola, total=1.0, settings=settings)
    with pytest.raises(PipelineError, match="min_budget <= max_budget"):
        SearchSettings(min_budget=3.0, max_budget=1.0)
