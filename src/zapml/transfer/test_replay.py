"""Share-vs-search replay on a stream small enough to work out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from zapml.errors import DataError
from zapml.transfer.replay import ReplayDataset, SearchOutcome, replay
from zapml.transfer.representation import BenchmarkRepresentation

FAMILY_A = np.array([0.85, 0.80, 0.62, 0.90, 0.70, 0.55])
FAMILY_B = FAMILY_A + np.array([-0.30, -0.25, -0.20, 0.05, 0.15, 0.25])
ERRORS = {
    "a1": {"p1": 0.10, "p2": 0.11},
    "a2": {"p1": 0.12, "p2": 0.10},
    "b1": {"p1": 0.40, "p3": 0.20},
    "b2": {"p3": 0.25, "p4": 0.20},
}
# The standalone search: (cost, pipeline it finds) per dataset.
SEARCHES = {"a1": (10.0, "p1"), "a2": (12.0, "p2"), "b1": (8.0, "p3"), "b2": (9.0, "p4")}


def _stream(errors=ERRORS):
    rng = np.random.default_rng(0)
    centres = {"a": FAMILY_A, "b": FAMILY_B}
    return [
        ReplayDataset(
            BenchmarkRepresentation(name, centres[name[0]] + rng.normal(0, 0.01, (8, 6))),
            errors[name],
            benchmark_cost=1.5,
        )
        for name in ("a1", "a2", "b1", "b2")
    ]


def _search(dataset: ReplayDataset) -> SearchOutcome:
    cost, pipeline = SEARCHES[dataset.dataset_id]
    return SearchOutcome(cost, pipeline)


def test_four_dataset_stream_by_hand():
    # a1 opens group 0 and searches (10, p1); a2 shares p1: error 0.12 against its own best
    # 0.10, relative 0.2; b1 opens group 1 and searches (8, p3); b2 shares p3: 0.25 against
    # 0.20, relative 0.25. Standalone searches all four: 10 + 12 + 8 + 9 = 39; Tr-AutoML pays
    # 10 + 8 = 18. TRE = (0 + 0.2 + 0 + 0.25) / 4 = 0.1125.
    report = replay(_stream(), _search)
    assert [(s.group_id, s.shared, s.pipeline) for s in report.steps] == [
        (0, False, "p1"),
        (0, True, "p1"),
        (1, False, "p3"),
        (1, True, "p3"),
    ]
    assert report.standalone_cost == pytest.approx(39.0)
    assert report.transfer_cost == pytest.approx(18.0)
    assert report.cost_ratio == pytest.approx(39 / 18)
    assert [s.relative_error for s in report.steps] == pytest.approx([0.0, 0.2, 0.0, 0.25])
    assert report.total_relative_error == pytest.approx(0.1125)
    assert report.benchmark_cost == pytest.approx(6.0)
    assert report.num_groups == 2


def test_a_shared_pipeline_missing_from_the_error_table_is_named():
    errors = {**ERRORS, "a2": {"p2": 0.10}}
    with pytest.raises(DataError, match="'a2' has no recorded error for pipeline 'p1'"):
        replay(_stream(errors), _search)


def test_zero_standalone_error_is_refused():
    errors = {**ERRORS, "a1": {"p1": 0.0}}
    with pytest.raises(DataError, match="relative error"):
        replay(_stream(errors), _search)
