"""bench_loco_noise_floor on hand-worked runs and a closed form for the oracle's expectation."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_loco_noise_floor as floor  # noqa: E402


def _runs() -> pd.DataFrame:
    values = {  # (task, pipeline) -> value per seed (one budget, 4 s)
        ("t1", "p1"): (0.6, 0.8),
        ("t1", "p2"): (0.5, 0.5),
        ("t2", "p1"): (0.9, 0.7),
        ("t2", "p2"): (0.4,),
    }
    return pd.DataFrame([
        {"task_id": t, "budget": 4.0, "pipeline_id": p, "seed": s, "value": v}
        for (t, p), seeds in values.items()
        for s, v in enumerate(seeds)
    ])  # fmt: skip


def test_cell_noise_pools_run_variance_by_budget_and_level():
    noise = floor.cell_noise(_runs(), bins=2)
    assert noise.means.loc["t1@4", "p1"] == pytest.approx(0.7)
    assert noise.means.loc["t2@4", "p2"] == pytest.approx(0.4)
    # means 0.4 (t2 p2), 0.5 (t1 p2) form the low bin: variances (one seed: none) and 0 pool to 0;
    # 0.7 and 0.8 the high bin: 0.02 each (two seeds 0.2 apart), over 2 seeds for the mean
    assert noise.mean_variance.loc["t1@4", "p1"] == pytest.approx(0.01)
    assert noise.mean_variance.loc["t2@4", "p1"] == pytest.approx(0.01)
    assert noise.mean_variance.loc["t1@4", "p2"] == pytest.approx(0.0)
    assert noise.mean_variance.loc["t2@4", "p2"] == pytest.approx(0.0)
    # one bin: (0.02 + 0 + 0.02) / 3 for a run; the one-seed cell's mean carries all of it
    pooled = floor.cell_noise(_runs(), bins=1)
    assert pooled.mean_variance.loc["t2@4", "p2"] == pytest.approx(0.04 / 3)
    assert pooled.mean_variance.loc["t1@4", "p1"] == pytest.approx(0.02 / 3)


def test_shrunk_pulls_means_by_the_share_of_spread_the_noise_explains():
    means = np.array([0.5, 0.7, np.nan, 0.9])
    # spread (0.04 + 0 + 0.04) / 2 = 0.04, noise 0.01: keep 3/4 of each deviation from 0.7
    out = floor.shrunk(means, np.full(4, 0.01))
    np.testing.assert_allclose(out, [0.55, 0.7, np.nan, 0.85])
    # noise larger than the spread: every mean becomes the average
    np.testing.assert_allclose(floor.shrunk(means, np.full(4, 0.1)), [0.7, 0.7, np.nan, 0.7])
    np.testing.assert_allclose(floor.shrunk(np.array([0.3, np.nan]), np.ones(2)), [0.3, np.nan])


def test_expected_oracle_matches_the_closed_form_for_two_normals():
    a, b, va, vb = 0.8, 0.75, 0.002, 0.003
    theta = np.sqrt(va + vb)
    alpha = (a - b) / theta
    # Clark (1961): E max(X, Y) for independent normals
    exact = a * norm.cdf(alpha) + b * norm.cdf(-alpha) + theta * norm.pdf(alpha)
    rng = np.random.default_rng(0)
    drawn = floor.expected_oracle(np.array([a, np.nan, b]), np.array([va, 1.0, vb]), 400_000, rng)
    assert drawn == pytest.approx(exact, abs=3e-4)
    assert floor.expected_oracle(np.array([0.2, 0.6]), np.zeros(2), 10, rng) == pytest.approx(0.6)


def _noise() -> floor.CellNoise:
    index = pd.Index(["t@4", "u@16"])
    means = pd.DataFrame({"p1": [0.9, 0.5], "p2": [0.6, 0.7], "p3": [0.3, np.nan]}, index=index)
    return floor.CellNoise(means=means, mean_variance=means * 0.0)


def _picks() -> pd.DataFrame:
    return pd.DataFrame(
        {"single_best": ["p2", "p1"], "single_best_per_budget": ["p1", "p1"],
         "budget": [4.0, 16.0], "n_observed": [3, 2]},
        index=["t@4", "u@16"],
    )  # fmt: skip


def test_without_noise_the_true_mean_selector_is_the_oracle():
    cases = floor.modelled_cases(_noise(), _picks(), shrink=False, draws=50)
    assert cases.loc["t@4", "oracle"] == pytest.approx(0.9)
    assert cases.loc["t@4", "random"] == pytest.approx(0.6)
    assert cases.loc["u@16", "single_best"] == pytest.approx(0.5)
    scores = floor.scores(cases)
    assert scores["regret"] == pytest.approx(0.0)
    assert scores["gap_closed_vs_single_best"] == pytest.approx(1.0)


def test_split_seed_cases_select_on_one_seed_and_score_on_the_other():
    values = {"p1": (0.8, 0.6), "p2": (0.7, 0.9), "p3": (0.5, 0.4)}
    runs = pd.DataFrame([
        {"task_id": "t", "budget": 4.0, "pipeline_id": p, "seed": s, "value": v}
        for p, seeds in values.items()
        for s, v in enumerate(seeds)
    ])  # fmt: skip
    cases = floor.split_seed_cases(runs, _picks())
    assert list(cases.index) == ["t@4", "t@4"]
    first, second = cases.iloc[0], cases.iloc[1]
    # seed 0 picks p1, scored on seed 1 (0.6) against that seed's best 0.9 and mean 1.9 / 3
    assert first["chosen"] == pytest.approx(0.6)
    assert first["oracle"] == pytest.approx(0.9)
    assert first["random"] == pytest.approx(1.9 / 3)
    assert first["single_best"] == pytest.approx(0.9)  # p2 on seed 1
    # seed 1 picks p2, scored on seed 0: 0.7 against 0.8; the per-budget single best p1 = 0.8
    assert second["chosen"] == pytest.approx(0.7)
    assert second["single_best_per_budget"] == pytest.approx(0.8)
    scores = floor.scores(cases)
    # ratio of means: oracle 0.85, chosen 0.65, random (1.9 + 2.0) / 6
    assert scores["regret"] == pytest.approx(0.2 / (0.85 - 3.9 / 6))


def test_parts_and_reachable_share():
    picks = _picks()
    labels = [label for label, _ in floor.parts(picks, focused=3)]
    assert labels == ["all", "4 s", "16 s"]  # every 4-s row is focused: no subset to add
    table = pd.DataFrame({
        "cases_of": ["4 s", "4 s"], "reading": ["sel", "ceiling"],
        "gap_closed_vs_single_best": [0.3, 0.6],
    })  # fmt: skip
    assert floor.reachable_share(table, "sel", "ceiling")["4 s"] == pytest.approx(0.5)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """A two-core, two-budget, two-seed store built by the project's builder with stand-in runs."""
    import yaml

    from zapml.metadataset.builder import build
    from zapml.metadataset.testing import budget_fit

    folder = tmp_path_factory.mktemp("floor")
    spec = {
        "name": "floor",
        "core_datasets": [
            {"name": "syna", "path": "synthetic:12:60:8", "domain": "blobs"},
            {"name": "synb", "path": "synthetic:5:40:8:3", "domain": "colour"},
        ],
        "tasks_per_core": 2,
        "candidates": [{"source": "sobol", "n": 4, "seed": 0}],
        "budgets": [1, 2],
        "repeats": 2,
    }
    (folder / "spec.yaml").write_text(yaml.safe_dump(spec))
    build(folder / "spec.yaml", folder / "s.sqlite", workers=0, progress=False, cell_fn=budget_fit)
    return folder / "s.sqlite"


def test_measured_runs_average_to_the_loaded_meta_dataset(store):
    from zapml.metadataset.loading import load_metadataset

    noise = floor.cell_noise(floor.measured(store, "final"))
    perf = load_metadataset(store).for_objective("final").stack_budgets().perf
    assert noise.means.shape == perf.shape == (8, 4)  # 4 tasks x 2 budgets, 4 pipelines
    got = noise.means.reindex(index=perf.index, columns=perf.columns).to_numpy()
    np.testing.assert_allclose(got, perf.to_numpy())


def test_baseline_picks_are_the_best_mean_pipeline_of_the_other_core(store):
    from zapml.metadataset.loading import load_metadataset

    runs = floor.measured(store, "final")
    core_of = load_metadataset(store).tasks["core_dataset"]
    runs = runs.assign(core=runs["task_id"].map(core_of))
    picks = floor.baseline_picks(store, "final")
    assert len(picks) == 8 and set(picks["n_observed"]) == {4}
    for row, pick in picks.iterrows():
        task, budget = row.rsplit("@", 1)
        other = runs[runs["core"] != core_of[task]]
        # cell means first, then the mean over the other core's (task, budget) rows
        cells = other.groupby(["task_id", "budget", "pipeline_id"])["value"].mean()
        assert pick["single_best"] == cells.groupby("pipeline_id").mean().idxmax()
        at_budget = cells.xs(float(budget), level="budget")
        assert pick["single_best_per_budget"] == at_budget.groupby("pipeline_id").mean().idxmax()


def test_the_script_prints_every_reading(store):
    import subprocess

    script = Path(floor.__file__)
    env = {**__import__("os").environ, "PYTHONPATH": str(script.parents[1] / "src")}
    out = subprocess.run(
        [sys.executable, str(script), str(store), "--objective", "alc", "--draws", "200"],
        capture_output=True, text=True, check=True, env=env,
    ).stdout  # fmt: skip
    for reading in ("true means as observed", "true means shrunk", "split-seed (measured)"):
        assert out.count(reading) == 3  # once in each of the three tables
    assert "scored by alc" in out
