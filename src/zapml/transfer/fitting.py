"""``zap fit --strategy transfer``'s plan: represent the dataset, group it, share or search, all
inside the user's budget (in compute seconds), leaving the rest for the final run.

Budget split, for a budget of C compute-s:
1. the representation (``benchmarking``) costs what its B x T runs spend (about 10-20 s);
2. a dataset that opens a new group searches for ``SEARCH_SHARE`` of what is left (SMAC3,
   ``search.budgeted_search``), and the incumbent runs for the rest; a dataset that shares
   skips the search and its group's pipeline gets everything that is left.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zapml.data.dataset import Dataset
from zapml.errors import PipelineError
from zapml.space import Pipeline
from zapml.space.space import build_space
from zapml.transfer.benchmarking import (
    BenchmarkSettings,
    FitFn,
    represent_dataset,
    validation_accuracy,
    validation_split,
)
from zapml.transfer.search import SearchSettings, budgeted_search
from zapml.transfer.strategy import (
    TransferChoice,
    choose_by_transfer,
    default_state_path,
    known_choice,
    load_grouper,
    save_grouper,
)

if TYPE_CHECKING:
    from zapml.runtime.calibration import WallConversion
    from zapml.selectors.choice import PipelineChoice

# Half of what the representation leaves goes to the search, half to the incumbent's final run:
# the final run then trains at least as long as the search's top fidelity (a quarter of the
# search), so the incumbent is never run shorter than it was judged, and a search below half of
# the budget would not finish one Hyperband bracket at a useful fidelity.
SEARCH_SHARE = 0.5
# Hyperband with eta = 3 over three rungs (min = max / 9): one full bracket spends about three
# times the top fidelity (9 x max/9 + 3 x max/3 + 1 x max), so a top fidelity of a quarter of
# the search fits one bracket and part of the next.
TOP_FIDELITY_SHARE = 0.25
FIDELITY_RATIO = 9.0
# Below about one compute second only the simple model on frozen features predicts (measured on
# digits, see benchmarking.BENCHMARKS): a shorter rung would not judge fine-tuning at all.
MIN_FIDELITY_SECONDS = 1.0
# The search judges configurations on this stratified share of the training set.
SEARCH_VALIDATION_FRACTION = 0.2


@dataclass(frozen=True)
class TransferPlan:
    choice: TransferChoice
    dataset_id: str
    representation_seconds: float
    search_seconds: float
    state_path: Path

    @property
    def spent(self) -> float:
        return self.representation_seconds + self.search_seconds


def minimum_search_seconds() -> float:
    """The smallest search whose lowest rung reaches ``MIN_FIDELITY_SECONDS``."""
    return MIN_FIDELITY_SECONDS * FIDELITY_RATIO / TOP_FIDELITY_SHARE


def plan_transfer_fit(
    train: Dataset,
    compute_budget: float,
    *,
    state_path: Path | None = None,
    seed: int = 0,
    settings: BenchmarkSettings | None = None,
    fit_fn: FitFn | None = None,
) -> TransferPlan:
    """Decide the pipeline for ``train`` and record the decision in the grouping state."""
    from zapml.metafeatures.extraction import dataset_fingerprint

    path = state_path or default_state_path()
    dataset_id = dataset_fingerprint(train.images, train.labels)
    grouper = load_grouper(path)
    known = known_choice(grouper, dataset_id)
    if known is not None:
        return TransferPlan(known, dataset_id, 0.0, 0.0, path)
    measured = represent_dataset(train, dataset_id, settings, fit_fn)
    left = compute_budget - measured.compute_seconds
    spent_on_search: list[float] = []

    def search() -> Pipeline:
        seconds = SEARCH_SHARE * left
        if seconds < minimum_search_seconds():
            raise PipelineError(_too_small(compute_budget, measured.compute_seconds))
        pipeline, spent = search_pipeline(train, seconds, seed=seed, fit_fn=fit_fn)
        spent_on_search.append(spent)
        return pipeline

    choice = choose_by_transfer(grouper, measured.representation, search)
    save_grouper(grouper, path)
    return TransferPlan(choice, dataset_id, measured.compute_seconds, sum(spent_on_search), path)


def _too_small(budget: float, representation: float) -> str:
    needed = representation + minimum_search_seconds() / SEARCH_SHARE
    return (
        f"--strategy transfer: this dataset opens a new group, whose search needs at least "
        f"{minimum_search_seconds():g} compute-s ({SEARCH_SHARE:.0%} of what the "
        f"{representation:.1f} s representation leaves); the budget is {budget:g} compute-s. "
        f"Raise --budget to at least {needed:.0f} compute-s, or use --strategy zero-shot"
    )


def search_pipeline(
    train: Dataset, seconds: float, *, seed: int = 0, fit_fn: FitFn | None = None
) -> tuple[Pipeline, float]:
    """SMAC3 over zapml's space on a validation split of ``train`` for ``seconds`` compute-s;
    returns the incumbent and the compute seconds spent."""
    from zapml.runtime import fit

    run = fit_fn or fit
    fit_part, valid_part = validation_split(train, SEARCH_VALIDATION_FRACTION, seed=seed)

    def evaluate(config: Any, budget: float) -> tuple[float, float]:
        pipeline = Pipeline.from_configuration(config)
        try:
            accuracy, spent = validation_accuracy(run, pipeline, fit_part, valid_part, budget, seed)
        except Exception:  # a configuration that crashes is a bad configuration, not a bug
            return 1.0, budget
        return 1.0 - accuracy, spent

    top = TOP_FIDELITY_SHARE * seconds
    settings = SearchSettings(min_budget=top / FIDELITY_RATIO, max_budget=top, seed=seed)
    result = budgeted_search(build_space(seed=seed), evaluate, seconds, settings)
    return Pipeline.from_configuration(result.incumbent), result.spent


def transfer_pipeline_choice(
    train: Dataset,
    budget: float,
    clock: str,
    *,
    seed: int = 0,
    state_path: Path | None = None,
    conversion: WallConversion | None = None,
) -> tuple[PipelineChoice, float]:
    """``zap fit --strategy transfer``: the pipeline with the lines that explain it, and the
    budget left for the final run in ``clock`` seconds. On the compute clock the representation
    and search seconds are taken off the budget; on the wall clock the run's deadline already
    counts the time they took, so the budget is returned as given."""
    from zapml.runtime.calibration import compute_budget
    from zapml.selectors.choice import PipelineChoice

    given = compute_budget(budget, clock, conversion)
    plan = plan_transfer_fit(train, given.seconds, state_path=state_path, seed=seed)
    left = budget - plan.spent if clock == "compute" else budget
    if left <= 0:
        raise PipelineError(
            f"--strategy transfer spent {plan.spent:.1f} of the {budget:g} compute-s budget "
            "before the final run; raise --budget"
        )
    how = "searched" if plan.choice.searched else "shared"
    notes = (
        given.note,
        *plan.choice.explanation,
        f"transfer cost: representation {plan.representation_seconds:.1f} compute-s, search "
        f"{plan.search_seconds:.1f} compute-s; grouping state {plan.state_path}",
    )
    choice = PipelineChoice(
        plan.choice.pipeline,
        f"Tr-AutoML transfer, group {plan.choice.group_id}, {how}",
        budget_notes=notes,
    )
    return choice, left
