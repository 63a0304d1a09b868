"""Share-or-search for ``zap fit --strategy transfer``: the decision path on synthetic
representations, the grouping state across sessions, and the budget bookkeeping of the plan
with a stand-in for ``zapml.runtime.fit``."""

from __future__ import annotations

import numpy as np
import pytest

from zapml.data.dataset import Dataset
from zapml.errors import ArtifactError, PipelineError
from zapml.space import Pipeline
from zapml.transfer.benchmarking import BENCHMARKS, BenchmarkSettings
from zapml.transfer.fitting import minimum_search_seconds, plan_transfer_fit
from zapml.transfer.representation import BenchmarkRepresentation
from zapml.transfer.strategy import (
    choose_by_transfer,
    known_choice,
    load_grouper,
    save_grouper,
)

EASY = np.array([0.90, 0.85, 0.80, 0.88, 0.70, 0.95])
HARD = np.array([0.30, 0.50, 0.20, 0.60, 0.45, 0.35])
PIPE_A = Pipeline({"architecture": "mobilenetv2_100", "lr": 0.01})
PIPE_B = Pipeline({"architecture": "efficientnet_lite0", "lr": 0.001})


def _rep(name: str, centre: np.ndarray, seed: int) -> BenchmarkRepresentation:
    noise = np.random.default_rng(seed).normal(0.0, 0.01, (8, len(centre)))
    return BenchmarkRepresentation(name, centre + noise)


class _Search:
    """Counts its calls and returns the pipelines it is given, in order."""

    def __init__(self, *pipelines: Pipeline) -> None:
        self.pipelines = list(pipelines)
        self.calls = 0

    def __call__(self) -> Pipeline:
        self.calls += 1
        return self.pipelines.pop(0)


def test_new_then_shared_then_new_and_the_state_survives_a_reload(tmp_path):
    path = tmp_path / "state" / "grouping.json"
    search = _Search(PIPE_A, PIPE_B)
    first = choose_by_transfer(load_grouper(path), _rep("easy-1", EASY, 1), search)
    assert (first.searched, first.group_id, first.pipeline, search.calls) == (True, 0, PIPE_A, 1)
    assert first.decision is not None and first.decision.test is None  # no group to test yet
    grouper = load_grouper(path)  # nothing saved yet: a fresh grouping
    assert grouper.groups == ()
    first_again = choose_by_transfer(grouper, _rep("easy-1", EASY, 1), _Search(PIPE_A))
    save_grouper(grouper, path)

    reloaded = load_grouper(path)
    shared = choose_by_transfer(reloaded, _rep("easy-2", EASY, 2), search)
    assert (shared.searched, shared.group_id, shared.pipeline) == (False, 0, PIPE_A)
    assert search.calls == 1  # sharing never searches
    test = shared.decision.test
    assert test is not None and not test.rejected and test.statistic <= test.threshold
    assert f"F = {test.statistic:.3g}" in " ".join(shared.explanation)
    assert "accepts sharing" in " ".join(shared.explanation)

    other = choose_by_transfer(reloaded, _rep("hard-1", HARD, 3), search)
    assert (other.searched, other.group_id, other.pipeline, search.calls) == (True, 1, PIPE_B, 2)
    save_grouper(reloaded, path)
    final = load_grouper(path)
    assert [len(g.members) for g in final.groups] == [2, 1]
    assert first_again.group_id == 0
    assert known_choice(final, "hard-1").pipeline == PIPE_B
    assert known_choice(final, "easy-2").group_id == 0
    assert known_choice(final, "never-seen") is None


def test_a_damaged_state_is_named_with_the_fix(tmp_path):
    path = tmp_path / "grouping.json"
    path.write_text("{not json")
    with pytest.raises(ArtifactError, match="delete it to start a new grouping"):
        load_grouper(path)


# ---- the plan, with a stand-in fit ---------------------------------------------------------

ACCURACY = {  # per dataset family, per benchmark pipeline (BENCHMARKS order)
    "easy": [0.90, 0.85, 0.80, 0.88],
    "hard": [0.30, 0.55, 0.20, 0.62],
}


def _fake_fit(pipeline, train, test, *, budget, seed, **_):
    """Spends its whole budget; scores by the dataset's family plus seed noise (a pipeline the
    search proposes scores as the first benchmark)."""
    key = (pipeline.architecture, pipeline.get("simple_model"))
    column = BENCHMARKS.index(key) if key in BENCHMARKS else 0
    noise = np.random.default_rng([seed, column]).normal(0.0, 0.01)
    family = train.name.split("-")[0]
    return {"final_accuracy": ACCURACY[family][column] + noise, "compute_seconds": budget}


def _dataset(name: str, seed: int) -> Dataset:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 255, (40, 8, 8, 1), dtype=np.uint8)
    return Dataset(images, np.arange(40) % 4, ("a", "b", "c", "d"), name=name)


def test_the_plan_charges_the_representation_and_refuses_a_budget_too_small_to_search(tmp_path):
    path = tmp_path / "grouping.json"
    settings = BenchmarkSettings(num_trials=6, seconds_each=1.5)
    # A first dataset opens a group: 4 benchmarks x 6 trials x 1.5 s = 36 s of representation
    # leave 64 - 36 = 28 s, half of which (14 s) is below the smallest search (36 s).
    assert minimum_search_seconds() == pytest.approx(36.0)
    with pytest.raises(PipelineError, match="Raise --budget to at least 108 compute-s"):
        plan_transfer_fit(
            _dataset("easy-1", 1), 64.0, state_path=path, settings=settings, fit_fn=_fake_fit
        )
    assert not path.exists()  # the failed decision left no state behind


def test_the_plan_searches_for_a_new_group_and_shares_it_next_time(tmp_path):
    path = tmp_path / "grouping.json"
    settings = BenchmarkSettings(num_trials=6, seconds_each=1.5)
    first = plan_transfer_fit(
        _dataset("easy-1", 1), 120.0, state_path=path, settings=settings, fit_fn=_fake_fit
    )
    assert first.choice.searched and first.representation_seconds == pytest.approx(36.0)
    assert 0 < first.search_seconds <= 0.5 * (120.0 - 36.0)
    second = plan_transfer_fit(
        _dataset("easy-2", 2), 120.0, state_path=path, settings=settings, fit_fn=_fake_fit
    )
    assert not second.choice.searched and second.search_seconds == 0.0
    assert second.choice.pipeline == first.choice.pipeline
    again = plan_transfer_fit(
        _dataset("easy-2", 2), 120.0, state_path=path, settings=settings, fit_fn=_fake_fit
    )
    assert again.choice.decision is None and again.spent == 0.0


def test_zap_fit_refuses_a_pipeline_or_selector_with_the_transfer_strategy(tmp_path):
    from zapml.cli.jobs import _choose

    with pytest.raises(PipelineError, match="drop --pipeline and --selector"):
        _choose(
            "transfer", None, tmp_path / "p.yaml", None, objective="final", budget=100.0,
            clock="compute", seed=0, conversion=None, transfer_state=None, console=None,
        )  # fmt: skip
