"""The search a new Tr-AutoML group pays for: SMAC3's multi-fidelity Bayesian optimisation
(``MultiFidelityFacade``: random-forest surrogate, Hyperband intensification), stopped when the
compute seconds it was given are spent.

SMAC's own stopping criteria count trials or SMAC's wall time; zapml budgets are compute seconds
of the runs themselves. So the search drives SMAC through its ask-and-tell interface (documented
in SMAC3's "Ask-and-Tell Interface" page, v2): ``ask`` proposes a configuration and a fidelity
(budget, here compute seconds of training), the caller runs it and ``tell``s the cost, and the
loop stops before a proposed trial could overrun what is left. A trial may spend less than its
fidelity (a run stops early), so ``evaluate`` reports what it really spent.

The incumbent is the configuration with the lowest cost among those run at the highest fidelity
any trial reached (SMAC's Hyperband picks its incumbent the same way, "highest observed budget");
this rule is applied to the search's own log so it also holds when the loop stopped mid-bracket.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ConfigSpace import Configuration, ConfigurationSpace

from zapml.errors import PipelineError

#: What evaluating one configuration returns: (cost, lower is better; compute seconds spent).
Evaluation = tuple[float, float]
Evaluator = Callable[[Configuration, float], Evaluation]


@dataclass(frozen=True)
class SearchSettings:
    """Fidelities in compute seconds; ``eta`` is Hyperband's halving rate (SMAC's default 3)."""

    min_budget: float
    max_budget: float
    eta: int = 3
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0.0 < self.min_budget <= self.max_budget:
            raise PipelineError(
                "the search's fidelities must satisfy 0 < min_budget <= max_budget, got "
                f"{self.min_budget} and {self.max_budget}; give the search a larger budget"
            )
        if self.eta < 2:
            raise PipelineError(f"Hyperband's eta must be 2 or more, got {self.eta}")


@dataclass(frozen=True)
class Trial:
    """One evaluated configuration: its fidelity, cost and the compute seconds it spent."""

    config: Configuration
    budget: float
    cost: float
    spent: float


@dataclass(frozen=True)
class SearchResult:
    incumbent: Configuration
    incumbent_cost: float
    incumbent_budget: float
    spent: float
    trials: tuple[Trial, ...]


def budgeted_search(
    space: ConfigurationSpace, evaluate: Evaluator, total: float, settings: SearchSettings
) -> SearchResult:
    """Run SMAC on ``space`` until the next proposed trial would take the compute seconds spent
    past ``total``; at least one trial runs, so ``total`` must cover ``settings.max_budget``'s
    smallest rung (``min_budget``)."""
    from smac import MultiFidelityFacade, Scenario
    from smac.runhistory.dataclasses import TrialValue

    if total < settings.min_budget:
        raise PipelineError(
            f"a search of {total:g} compute-s cannot run one trial at the smallest fidelity "
            f"({settings.min_budget:g} s); raise the budget or lower min_budget"
        )
    trials: list[Trial] = []
    spent = 0.0
    with tempfile.TemporaryDirectory(prefix="zap-transfer-smac-") as tmp:
        optimizer = _facade(MultiFidelityFacade, Scenario, space, settings, Path(tmp))
        while True:
            info = optimizer.ask()
            if spent + float(info.budget) > total + 1e-9:
                break
            cost, used = evaluate(info.config, float(info.budget))
            cost = cost if math.isfinite(cost) else _WORST_COST
            optimizer.tell(info, TrialValue(cost=cost))
            spent += used
            trials.append(Trial(info.config, float(info.budget), cost, used))
    return _result(trials, spent)


# A cost that is NaN or infinite (a run that produced nothing usable) is told to SMAC as this,
# worse than any real cost of 1 - accuracy, so the surrogate still learns from the failure.
_WORST_COST = 2.0


def _facade(
    facade_cls: Any,
    scenario_cls: Any,
    space: ConfigurationSpace,
    settings: SearchSettings,
    tmp: Path,
) -> Any:
    scenario = scenario_cls(
        space,
        name="transfer-search",
        output_directory=tmp,
        deterministic=True,
        # The loop stops on compute seconds; SMAC's trial count must never stop it first.
        n_trials=10**9,
        min_budget=settings.min_budget,
        max_budget=settings.max_budget,
        seed=settings.seed,
    )
    intensifier = facade_cls.get_intensifier(scenario, eta=settings.eta)
    return facade_cls(scenario, intensifier=intensifier, overwrite=True, logging_level=40)


def _result(trials: list[Trial], spent: float) -> SearchResult:
    top = max(trial.budget for trial in trials)
    best = min((trial for trial in trials if trial.budget == top), key=lambda trial: trial.cost)
    return SearchResult(
        incumbent=best.config,
        incumbent_cost=best.cost,
        incumbent_budget=top,
        spent=spent,
        trials=tuple(trials),
    )
