"""How often a budget-aware selector's first choice changes when the budget moves by a factor.

`zap fit --budget B` on the wall clock tells the selector B times this machine's calibration
ratio (compute seconds per wall second). On a shared machine that ratio is a snapshot that can be
off by a fifth either way, so the question for a user is how much that error matters: for each
store task (its meta-features, as the selector reads them) and each budget, does the first choice
at ``budget * factor`` differ from the first choice at ``budget``? Prints the share of tasks whose
first choice changes, per budget and factor.

    PYTHONPATH=src python benchmarks/bench_budget_sensitivity.py STORE \
        [--selector src/zapml/selectors/shipped/final] [--budgets 16 30 60 120 250] \
        [--factors 0.8 1.25]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from zapml.selectors.base import BUDGET_FEATURE, Selector
from zapml.selectors.choice import SHIPPED_SELECTORS


def first_choices(selector: Selector, metafeatures: pd.DataFrame, budget: float) -> np.ndarray:
    """Each task's best-scored pipeline id at ``budget`` compute seconds."""
    query = metafeatures.assign(**{BUDGET_FEATURE: float(budget)})
    scores = np.atleast_2d(selector.rank(query[selector.metafeature_names_]))
    return np.asarray(selector.pipeline_ids_)[np.argmax(scores, axis=1)]


def changed_share(
    selector: Selector,
    metafeatures: pd.DataFrame,
    budgets: Sequence[float],
    factors: Sequence[float],
) -> pd.DataFrame:
    """Share of tasks whose first choice at ``budget * factor`` differs from that at ``budget``:
    one row per budget, one column per factor."""
    if not selector.budget_aware:
        raise SystemExit("This selector ignores the budget (trained on one budget): nothing moves.")
    rows = {}
    for budget in budgets:
        at = first_choices(selector, metafeatures, budget)
        rows[budget] = {
            f"x{factor:g}": float(
                np.mean(first_choices(selector, metafeatures, budget * factor) != at)
            )
            for factor in factors
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "budget (compute-s)"
    return table


def main(argv: Sequence[str] | None = None) -> None:
    from zapml.metadataset import load_metadataset
    from zapml.selectors.registry import load_selector

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, help="meta-dataset whose tasks are the queries")
    parser.add_argument("--selector", type=Path, default=SHIPPED_SELECTORS["final"])
    parser.add_argument("--budgets", type=float, nargs="+", default=[16, 30, 60, 120, 250])
    parser.add_argument("--factors", type=float, nargs="+", default=[0.8, 1.25])
    args = parser.parse_args(argv)
    selector = load_selector(args.selector)
    features = selector.metafeature_names_
    tasks = load_metadataset(args.store).metafeatures()
    lacking = [n for n in features if n != BUDGET_FEATURE and n not in tasks.columns]
    if lacking:
        raise SystemExit(f"{args.store} lacks the selector's meta-features {lacking}.")
    table = changed_share(selector, tasks, args.budgets, args.factors)
    print(f"share of {len(tasks)} tasks whose first choice changes when the budget is scaled")
    print(f"({args.selector}, queries from {args.store})")
    print(table.to_string(float_format=lambda v: f"{v:.1%}"))


if __name__ == "__main__":
    main()
