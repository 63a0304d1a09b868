"""``update_selector`` learns from the history: on a repeated kind of task whose best pipeline the
base meta-dataset gets wrong, fits of that kind change the choice for a new task of the kind
(the rule and its values: ``history.testing``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zapml.errors import ArtifactError
from zapml.history.paths import user_selector_dir, user_selector_path
from zapml.history.store import append_fit
from zapml.history.testing import (
    BUDGET,
    TINY_VALUE,
    fit_result,
    named_pipelines,
    tiny_dataset,
    write_base_store,
)
from zapml.history.update import metadataset_with_history, reset_selector, update_selector
from zapml.metadataset import load_metadataset
from zapml.metafeatures import compute_metafeatures
from zapml.selectors import load_selector
from zapml.selectors.api import recommend, train_selector
from zapml.selectors.base import Selector
from zapml.selectors.choice import SHIPPED_SELECTORS, resolve_selector_dir
from zapml.selectors.recipe import train_shipped_kind
from zapml.space.space import sample_pipelines

# Worked out by hand from the rule: the best pipeline on a tiny task is B (0.90).
BEST_TINY = 0.90


def _knn(mds, objective: str, out: Path) -> Selector:  # noqa: ANN001 - the Trainer signature
    return train_selector(mds, "knn", out_dir=out, objective=objective, k=3)


def _tiny_history(path: Path, n_tasks: int = 6) -> None:
    """Fits of A and B on ``n_tasks`` tiny tasks, two seeds each (B best, as the rule says)."""
    pipelines = named_pipelines()
    for i in range(n_tasks):
        data = tiny_dataset(i)
        for name in ("A", "B"):
            for seed in (0, 1):
                value = TINY_VALUE[name] + 0.01 * seed
                append_fit(fit_result(value, seed=seed), data, pipelines[name], path=path)


def _regret(selector: Selector) -> float:
    """The regret on a new tiny task of the pipeline ``selector`` ranks first (true values from
    the rule, not from the selector)."""
    new_task = compute_metafeatures(tiny_dataset(99))
    chosen = recommend(selector, new_task, top=1).best.id
    name = next(n for n, p in named_pipelines().items() if p.id == chosen)
    return BEST_TINY - TINY_VALUE[name]


def test_history_tasks_join_the_meta_dataset_as_the_store_averages_them(tmp_path: Path):
    base = write_base_store(tmp_path / "base.sqlite")
    history = tmp_path / "history.sqlite"
    _tiny_history(history, n_tasks=2)
    mds, added = metadataset_with_history(history, base)
    assert (added.tasks, added.runs, added.new_pipelines) == (2, 8, 0)
    assert len(mds.tasks) == 24 + 2 and len(mds.pipelines) == 3 and mds.budgets == (BUDGET,)
    final = mds.for_objective("final").perf
    a, b, c = (p.id for p in named_pipelines().values())
    tiny = [t for t in mds.task_ids if t.startswith("history-")]
    # two seeds of B: 0.90 and 0.91, averaged; C never ran on a tiny task: no cell
    assert final.loc[tiny[0], b] == pytest.approx(0.905)
    assert final.loc[tiny[0], a] == pytest.approx(0.305)
    assert final.loc[tiny, c].isna().all()
    assert mds.tasks.loc[tiny[0], "num_train"] == len(tiny_dataset(0))


def test_update_moves_the_choice_to_the_right_pipeline_for_a_repeated_kind(tmp_path: Path):
    base = write_base_store(tmp_path / "base.sqlite")
    before = _knn(load_metadataset(base), "final", tmp_path / "before")
    history = tmp_path / "history.sqlite"
    _tiny_history(history)
    done = update_selector("final", history=history, base=base, trainer=_knn)
    after = load_selector(done.selector_dir)
    assert _regret(before) == pytest.approx(0.60)  # picks A: 0.90 - 0.30
    assert _regret(after) == pytest.approx(0.0)  # picks B
    assert done.selector_dir == user_selector_path("final") == resolve_selector_dir(None, "final")


@pytest.mark.slow
def test_the_shipped_kind_learns_the_repeated_kind_too(tmp_path: Path):
    # The real default recipe (ZAP-HPO, selectors.recipe): two trainings of several seconds each.
    base = write_base_store(tmp_path / "base.sqlite")
    before = train_shipped_kind(load_metadataset(base), "final")
    assert not before.get_params()["cost_features"]  # a one-budget base: no budget to read
    history = tmp_path / "history.sqlite"
    _tiny_history(history)
    after = load_selector(update_selector("final", history=history, base=base).selector_dir)
    assert _regret(before) == pytest.approx(0.60)
    assert _regret(after) == pytest.approx(0.0)


def test_reset_goes_back_to_the_shipped_selector(tmp_path: Path):
    base = write_base_store(tmp_path / "base.sqlite")
    history = tmp_path / "history.sqlite"
    _tiny_history(history, n_tasks=1)
    update_selector("alc", history=history, base=base, trainer=_knn)
    assert user_selector_dir("alc") == resolve_selector_dir(None, "alc")
    assert resolve_selector_dir(None, "final") == SHIPPED_SELECTORS["final"]  # only alc updated
    assert reset_selector("alc") == user_selector_path("alc")
    assert resolve_selector_dir(None, "alc") == SHIPPED_SELECTORS["alc"]
    assert reset_selector("alc") is None


def test_a_second_update_replaces_the_first(tmp_path: Path):
    base = write_base_store(tmp_path / "base.sqlite")
    history = tmp_path / "history.sqlite"
    _tiny_history(history, n_tasks=1)
    first = update_selector("final", history=history, base=base, trainer=_knn)
    _tiny_history(history, n_tasks=3)  # tiny0 again (same fingerprint) and two more datasets
    second = update_selector("final", history=history, base=base, trainer=_knn)
    assert first.added.tasks == 1 and second.added.tasks == 3 and second.added.runs == 4 + 12
    assert len(load_selector(second.selector_dir).train_task_ids_) == 24 + 3
    assert sorted(p.name for p in second.selector_dir.parent.iterdir()) == ["final"]


def test_update_without_history_names_the_fix(tmp_path: Path):
    base = write_base_store(tmp_path / "base.sqlite")
    with pytest.raises(ArtifactError, match="zap fit"):
        update_selector("final", history=tmp_path / "none.sqlite", base=base, trainer=_knn)
    assert user_selector_dir("final") is None


def test_a_fit_of_a_new_pipeline_adds_a_column(tmp_path: Path):
    base = write_base_store(tmp_path / "base.sqlite")
    history = tmp_path / "history.sqlite"
    other = sample_pipelines(1, seed=11)[0]
    assert other.id not in {p.id for p in named_pipelines().values()}
    append_fit(fit_result(0.8), tiny_dataset(0), other, path=history)
    mds, added = metadataset_with_history(history, base)
    assert added.new_pipelines == 1 and len(mds.pipelines) == 4
    assert mds.for_objective("final").perf[other.id].notna().sum() == 1
