"""bench_loco_noise_floor on hand-worked runs, and on a store built by the project's builder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_loco_noise_floor as floor  # noqa: E402


def _runs() -> pd.DataFrame:
    values = {  # (task, budget, pipeline) -> value on seeds 0 and 1
        ("t", 4.0, "p1"): (0.8, 0.6),
        ("t", 4.0, "p2"): (0.7, 0.9),
        ("t", 4.0, "p3"): (0.5, 0.4),
        ("u", 16.0, "p1"): (0.3, 0.5),
        ("u", 16.0, "p2"): (0.6,),  # one seed: left out of every case
    }
    return pd.DataFrame([
        {"task_id": t, "budget": b, "pipeline_id": p, "seed": s, "value": v}
        for (t, b, p), seeds in values.items()
        for s, v in enumerate(seeds)
    ])  # fmt: skip


def _picks() -> pd.DataFrame:
    return pd.DataFrame(
        {"single_best": ["p2", "p1"], "single_best_per_budget": ["p1", "p1"],
         "budget": [4.0, 16.0], "n_observed": [3, 2]},
        index=["t@4", "u@16"],
    )  # fmt: skip


def test_seed_table_keeps_the_cells_run_with_both_seeds():
    table = floor.seed_table(_runs())
    assert list(table.index) == [("t@4", "p1"), ("t@4", "p2"), ("t@4", "p3"), ("u@16", "p1")]
    assert table.loc[("t@4", "p2"), 1] == pytest.approx(0.9)


def test_split_seed_cases_select_on_one_seed_and_score_on_the_other():
    cases = floor.split_seed_cases(floor.seed_table(_runs()), _picks())
    assert list(cases.index) == ["t@4", "t@4", "u@16", "u@16"]
    first, second = cases.iloc[0], cases.iloc[1]
    # scored on seed 0: seed 1 picked p2 (0.9), worth 0.7 on seed 0 against the best 0.8
    assert first["chosen"] == pytest.approx(0.7)
    assert first["oracle"] == pytest.approx(0.8)
    assert first["random"] == pytest.approx(2.0 / 3)
    assert first["single_best"] == pytest.approx(0.7)  # p2 on seed 0
    assert first["single_best_per_budget"] == pytest.approx(0.8)  # p1 on seed 0
    # scored on seed 1: seed 0 picked p1 (0.8), worth 0.6 against seed 1's best 0.9
    assert (second["chosen"], second["oracle"]) == pytest.approx((0.6, 0.9))
    # u: one pipeline with both seeds, so every choice is the oracle
    assert cases.loc["u@16", "chosen"].tolist() == pytest.approx([0.3, 0.5])
    t = floor.scores(cases.loc[["t@4"]])
    # ratio of means: oracle 0.85, chosen 0.65, random (2.0 + 1.9) / 6
    assert t["regret"] == pytest.approx(0.2 / (0.85 - 3.9 / 6))
    # the budget-blind single best p2 averages 0.8 over the two seeds: (0.65 - 0.8) / (0.85 - 0.8)
    assert t["gap_closed_vs_single_best"] == pytest.approx(-3.0)


def test_selector_cases_score_each_record_on_each_seed():
    records = pd.DataFrame({
        "task_id": ["t@4", "t@4", "gone@4"],
        "chosen_pipeline": ["p3", "p1", "p1"],
    })  # fmt: skip
    cases = floor.selector_cases(floor.seed_table(_runs()), _picks(), records)
    assert list(cases.index) == ["t@4"] * 4
    assert cases["chosen"].tolist() == pytest.approx([0.5, 0.4, 0.8, 0.6])
    assert cases["oracle"].tolist() == pytest.approx([0.8, 0.9, 0.8, 0.9])


def test_against_arms_asks_the_hold_out_question_on_one_seed():
    values = {"a1": (0.5, 0.7), "a2": (0.6, 0.6), "p": (0.7, 0.65), "q": (0.9, 0.5)}
    runs = pd.DataFrame([
        {"task_id": "t", "budget": 64.0, "pipeline_id": p, "seed": s, "value": v}
        for p, seeds in values.items()
        for s, v in enumerate(seeds)
    ])  # fmt: skip
    records = pd.DataFrame({"task_id": ["t@64", "t@64"], "chosen_pipeline": ["p", "a2"]})
    table = floor.against_arms(floor.seed_table(runs), records, ["a1", "a2"])
    # split-seed: seed 1 picks a1 (0.7), worth 0.5 on seed 0 against the best arm 0.6; seed 0
    # picks q (0.9), worth 0.5 on seed 1 against 0.7: margins -0.1 and -0.2, no win
    oracle = table.loc[(floor.SPLIT_SEED, 64.0)]
    assert (oracle["cases"], oracle["beats_all_three"]) == (2, 0.0)
    assert oracle["mean_margin"] == pytest.approx(-0.15)
    # selector: p wins seed 0 (0.7 > 0.6), loses seed 1 (0.65 < 0.7); the arm a2 never wins
    chosen = table.loc[(floor.SELECTOR, 64.0)]
    assert (chosen["cases"], chosen["beats_all_three"]) == (4, 0.25)
    assert chosen["mean_margin"] == pytest.approx((0.1 - 0.05 + 0.0 - 0.1) / 4)
    assert floor.against_arms(floor.seed_table(runs), records, ["a1", "zz"]).empty


def test_parts_and_reachable_share():
    labels = [label for label, _ in floor.parts(_picks(), focused=3)]
    assert labels == ["all", "4 s", "16 s"]  # every 4-s row is focused: no subset to add
    labels = [label for label, _ in floor.parts(_picks().assign(budget=4.0), focused=3)]
    assert labels == ["all", "4 s", "4 s, >= 3 observed"]
    table = pd.DataFrame({
        "cases_of": ["4 s", "4 s"], "reading": [floor.SELECTOR, floor.SPLIT_SEED],
        "gap_closed_vs_single_best": [0.3, 0.6],
    })  # fmt: skip
    assert floor.reachable_share(table, "gap_closed_vs_single_best")["4 s"] == pytest.approx(0.5)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """A two-core, two-budget, two-seed store built by the project's builder with stand-in runs."""
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

    table = floor.seed_table(floor.measured(store, "final"))
    perf = load_metadataset(store).for_objective("final").stack_budgets().perf
    means = table.mean(axis=1).unstack("pipeline_id")
    assert means.shape == perf.shape == (8, 4)  # 4 tasks x 2 budgets, 4 pipelines
    got = means.reindex(index=perf.index, columns=perf.columns).to_numpy()
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


def test_the_script_prints_both_readings_and_the_share(store, tmp_path):
    records = pd.DataFrame({
        "task_id": floor.baseline_picks(store, "alc").index,
        "chosen_pipeline": floor.baseline_picks(store, "alc")["single_best"].to_numpy(),
    })  # fmt: skip
    records.to_pickle(tmp_path / "records.pkl")
    script = Path(floor.__file__)
    env = {**os.environ, "PYTHONPATH": str(script.parents[1] / "src")}
    out = subprocess.run(
        [sys.executable, str(script), str(store), "--objective", "alc",
         "--records", str(tmp_path / "records.pkl")],
        capture_output=True, text=True, check=True, env=env,
    ).stdout  # fmt: skip
    assert out.count(floor.SPLIT_SEED) == 5  # three tables and the two shares' titles
    assert "scored by one seed's alc" in out
    # records that pick the budget-blind single best close none of the gap from it
    table = out.split("\ngap_closed_vs_single_best (")[1].split("\n\n")[0].splitlines()
    assert [line.split()[1:] for line in table if line.startswith(floor.SELECTOR)] == [
        ["0.000", "0.000", "0.000"]  # all, 1 s, 2 s
    ]
