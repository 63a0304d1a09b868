"""Budget sensitivity: the share of tasks whose first choice moves with a scaled budget."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from zapml.metadataset.metadataset import MetaDataset
from zapml.selectors import get_selector
from zapml.space.space import sample_pipelines

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_budget_sensitivity as sensitivity  # noqa: E402


def _two_budgets() -> MetaDataset:
    """3 tasks x 2 pipelines: the second is best at 4 s, the first at 16 s, on every task."""
    pipes = {p.id: p for p in sample_pipelines(2, seed=0)}
    ids = list(pipes)
    tasks = pd.DataFrame(
        {"core_dataset": ["a", "b", "c"], "num_classes": [2.0, 5.0, 10.0]}, index=["t0", "t1", "t2"]
    )
    at4 = pd.DataFrame([[0.2, 0.6]] * 3, index=tasks.index, columns=ids)
    at16 = pd.DataFrame([[0.9, 0.5]] * 3, index=tasks.index, columns=ids)
    return MetaDataset.from_budgets(tasks, pipes, {4: at4, 16: at16})


def test_a_scaled_budget_that_crosses_the_geometric_midpoint_changes_every_first_choice():
    md = _two_budgets()
    selector = get_selector("single_best_per_budget").fit(md)
    queries = md.metafeatures()
    # single_best_per_budget ranks by the trained budget nearest in log space; 4 and 16 meet at 8.
    # At 7.5: x0.8 = 6 stays nearer 4, x1.25 = 9.375 is nearer 16 (another best on all 3 tasks).
    # At 4: x0.8 = 3.2 and x1.25 = 5 both stay nearest 4. At 32: 25.6 and 40 both nearest 16.
    table = sensitivity.changed_share(selector, queries, [4, 7.5, 32], [0.8, 1.25])
    assert table.to_dict(orient="index") == {
        4: {"x0.8": 0.0, "x1.25": 0.0},
        7.5: {"x0.8": 0.0, "x1.25": 1.0},
        32: {"x0.8": 0.0, "x1.25": 0.0},
    }
    best = sensitivity.first_choices(selector, queries, 10.0)
    assert list(best) == [list(md.pipelines)[0]] * 3


def test_a_budget_blind_selector_is_refused():
    md = _two_budgets()
    blind = get_selector("single_best").fit(md.at_budget(4))
    with pytest.raises(SystemExit, match="ignores the budget"):
        sensitivity.changed_share(blind, md.metafeatures(), [4], [0.8])
