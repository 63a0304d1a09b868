"""Budget as a selector input: the stacked (task, budget) rows, the contract every registered
selector keeps when trained on several budgets, the per-budget single best, and the evidence that
a budget-aware selector changes its pick with the budget where the budget-blind one cannot."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from zapml.errors import ArtifactError, DataError
from zapml.metadataset.metadataset import BUDGET_FEATURE, MetaDataset
from zapml.selectors import (
    SELECTORS,
    get_selector,
    load_selector,
    make_budget_metadataset,
    recommend,
    train_selector,
)
from zapml.selectors.artifacts import _sha256
from zapml.selectors.synthetic import CAPACITY, budget_capacity
from zapml.selectors.test_selectors import FAST
from zapml.selectors.test_shipped import LEGACY_V1_SELECTOR
from zapml.space import sample_pipelines

BUDGETS = (4.0, 16.0, 64.0)


@pytest.fixture(scope="module")
def multi():
    return make_budget_metadataset(BUDGETS, n_core=4, tasks_per_core=3, n_pipelines=12, seed=1)


@pytest.fixture(scope="module")
def fitted(multi):
    train = multi.without_core_dataset("core00")
    return {n: get_selector(n, **FAST.get(n, {})).fit(train) for n in SELECTORS}


def _query(multi, budget):
    row = multi.only_core_dataset("core00").metafeatures().iloc[0].to_dict()
    return {**row, BUDGET_FEATURE: budget}


def _hand_made() -> MetaDataset:
    """2 tasks (2 core datasets) x 3 pipelines at budgets 4 and 16; t1 has no run at 16."""
    pipes = {p.id: p for p in sample_pipelines(3, seed=0)}
    tasks = pd.DataFrame(
        {"core_dataset": ["a", "b"], "num_classes": [2.0, 10.0]}, index=["t0", "t1"]
    )
    ids = list(pipes)
    at4 = pd.DataFrame([[0.5, 0.6, 0.1], [0.3, 0.2, 0.4]], index=tasks.index, columns=ids)
    at16 = pd.DataFrame([[0.9, np.nan, 0.7], [np.nan] * 3], index=tasks.index, columns=ids)
    return MetaDataset.from_budgets(tasks, pipes, {16: at16, 4: at4})


def test_stack_budgets_gives_one_row_per_task_and_budget_with_a_run():
    md = _hand_made()
    stacked = md.stack_budgets()
    assert stacked.task_ids == ["t0@4", "t1@4", "t0@16"]  # t1 ran nothing at 16: no row
    assert list(stacked.core_datasets()) == ["a", "b", "a"]  # grouping by core dataset kept
    assert stacked.metafeature_names() == ["num_classes", BUDGET_FEATURE]
    assert list(stacked.tasks[BUDGET_FEATURE]) == [4.0, 4.0, 16.0]
    assert list(stacked.tasks["num_classes"]) == [2.0, 10.0, 2.0]
    np.testing.assert_array_equal(
        stacked.perf.to_numpy(), [[0.5, 0.6, 0.1], [0.3, 0.2, 0.4], [0.9, np.nan, 0.7]]
    )
    assert stacked.budgets == ()  # the budget is a feature now, not a dimension
    with pytest.raises(ValueError, match="already"):
        stacked.stack_budgets()


def test_stack_budgets_needs_known_budgets():
    md = _hand_made()
    blind = MetaDataset(tasks=md.tasks, pipelines=md.pipelines, perf=md.perf)
    with pytest.raises(ArtifactError, match="does not record its budgets"):
        blind.stack_budgets()


@pytest.mark.parametrize("name", list(SELECTORS))
def test_every_selector_trained_on_budgets_takes_the_budget_as_input(name, multi, fitted):
    sel = fitted[name]
    assert sel.budget_aware and sel.train_budgets_ == list(BUDGETS)
    assert BUDGET_FEATURE in sel.metafeature_names_
    query = _query(multi, 16.0)
    scores = sel.rank(query)
    assert scores.shape == (len(sel.pipeline_ids_),) and np.isfinite(scores).all()
    without = {k: v for k, v in query.items() if k != BUDGET_FEATURE}
    with pytest.raises(DataError, match=r"trained on budgets 4, 16, 64.*has none"):
        sel.rank(without)
    with pytest.raises(DataError, match="has none"):
        sel.rank(pd.DataFrame([without]))
    for bad in (np.nan, None, 0.0, -4.0):
        with pytest.raises(DataError, match="not a positive number"):
            sel.rank({**query, BUDGET_FEATURE: bad})


@pytest.mark.parametrize("name", list(SELECTORS))
def test_budget_handling_survives_save_and_load(name, multi, fitted, tmp_path):
    sel = fitted[name]
    again = load_selector(sel.save(tmp_path / name))
    assert again.budget_aware and again.train_budgets_ == list(BUDGETS)
    for budget in BUDGETS:
        np.testing.assert_allclose(
            again.rank(_query(multi, budget)), sel.rank(_query(multi, budget))
        )
    with pytest.raises(DataError, match="budget"):
        again.rank({k: v for k, v in _query(multi, 4.0).items() if k != BUDGET_FEATURE})


def test_a_rehashed_artifact_with_other_budgets_is_refused(fitted, tmp_path):
    path = fitted["knn"].save(tmp_path / "knn")
    config = json.loads((path / "config.json").read_text())
    config["train_budgets"] = [4.0, 64.0]
    (path / "config.json").write_text(json.dumps(config))
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["files"] = {n: _sha256(path / n) for n in manifest["files"]}
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="differ from the budgets of its training rows"):
        load_selector(path)


def test_one_budget_training_ignores_the_budget(multi):
    sel = get_selector("knn").fit(multi.at_budget(16.0))
    assert not sel.budget_aware and sel.train_budgets_ == [16.0]
    query = _query(multi, 4.0)
    plain = {k: v for k, v in query.items() if k != BUDGET_FEATURE}
    np.testing.assert_allclose(sel.rank(plain), sel.rank(query))
    restricted = train_selector(multi, "knn", objective="alc", budget=16)
    np.testing.assert_allclose(restricted.rank(plain), sel.rank(plain))


def test_single_best_per_budget_uses_the_nearest_budget_in_log_space():
    md = _hand_made()
    sel = get_selector("single_best_per_budget").fit(md)
    # Means by hand: at 4 over t0, t1; at 16 over t0 only (t1 has no run); never run: -inf.
    np.testing.assert_allclose(sel.mean_perf_, [[0.4, 0.4, 0.25], [0.9, -np.inf, 0.7]])
    q = {"num_classes": 5.0}
    # 7 is nearer 4 in log space (ln 7/4 = 0.56 < ln 16/7 = 0.83); 9 is nearer 16 (0.81 > 0.58)
    # although arithmetically 9 is nearer 4: the geometric midpoint is 8.
    np.testing.assert_allclose(sel.rank({**q, BUDGET_FEATURE: 7.0}), [0.4, 0.4, 0.25])
    np.testing.assert_allclose(sel.rank({**q, BUDGET_FEATURE: 9.0}), [0.9, -np.inf, 0.7])
    np.testing.assert_allclose(sel.rank({**q, BUDGET_FEATURE: 1000.0}), [0.9, -np.inf, 0.7])
    blind = get_selector("single_best").fit(md)  # one mean over all three (task, budget) rows
    np.testing.assert_allclose(
        blind.mean_perf_, [(0.5 + 0.3 + 0.9) / 3, 0.4, (0.1 + 0.4 + 0.7) / 3]
    )
    one = get_selector("single_best_per_budget").fit(md.at_budget(4))
    np.testing.assert_allclose(one.rank(q), [0.4, 0.4, 0.25])


def _best_architecture(sel, query):
    return sel.pipelines_[int(np.argmax(sel.rank(query)))].architecture


def test_budget_aware_selectors_switch_pipelines_with_the_budget_and_blind_ones_do_not():
    md = make_budget_metadataset(BUDGETS, n_core=6, tasks_per_core=4, n_pipelines=30, seed=0)
    train = md.without_core_dataset("core00")
    row = md.only_core_dataset("core00").metafeatures().iloc[0].to_dict()
    small, large = {**row, BUDGET_FEATURE: 4.0}, {**row, BUDGET_FEATURE: 64.0}
    # The rule favours capacity 0.3 at 4 s and 0.9 at 64 s (budget_capacity).
    assert budget_capacity(4.0, 4.0) == pytest.approx(0.3)
    assert budget_capacity(64.0, 4.0) == pytest.approx(0.9)
    for name in ("single_best_per_budget", "knn", "guided_fm"):
        sel = get_selector(name, **FAST.get(name, {})).fit(train)
        picks = (_best_architecture(sel, small), _best_architecture(sel, large))
        assert CAPACITY[picks[0]] < 0.5 < CAPACITY[picks[1]], (name, picks)
    blind = get_selector("single_best").fit(train)
    assert _best_architecture(blind, small) == _best_architecture(blind, large)
    at_smallest = get_selector("knn").fit(train.at_budget(4.0))  # what training did before
    assert _best_architecture(at_smallest, small) == _best_architecture(at_smallest, large)


def test_recommend_passes_the_budget_and_says_how_it_was_used(multi, fitted):
    plain = {k: v for k, v in _query(multi, 4.0).items() if k != BUDGET_FEATURE}
    advice = recommend(fitted["knn"], plain, budget=16.0)
    assert advice.budget == 16.0 and "ranked for a budget of 16 compute-s" in advice.budget_note
    assert not any("budget" in w for w in advice.warnings)
    assert advice.to_dict()["budget"] == 16.0
    # a calibrated wall budget is a float of many digits: the note rounds it to a tenth
    odd = recommend(fitted["knn"], plain, budget=95.8647)
    assert "ranked for a budget of 95.9 compute-s" in odd.budget_note
    far = recommend(fitted["knn"], plain, budget=500.0)
    assert any("budget 500 compute-s lies outside" in w for w in far.warnings)
    with pytest.raises(DataError, match="has none"):
        recommend(fitted["knn"], plain)


def test_a_one_budget_selector_ignores_the_budget_and_says_so(multi):
    sel = load_selector(LEGACY_V1_SELECTOR)  # v1's shipped selector: one budget, 4 compute-s
    assert not sel.budget_aware
    features = {n: 3.0 for n in sel.metafeature_names_}
    advice = recommend(sel, features, budget=45.0)
    np.testing.assert_allclose(advice.top[0].score, sel.rank(features).max())
    assert "ignores the budget" in advice.budget_note
