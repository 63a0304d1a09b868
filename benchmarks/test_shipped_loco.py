"""The shipped-recipe LOCO table's arithmetic, on records worked out by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_shipped_loco  # noqa: E402


def _records() -> pd.DataFrame:
    # two cases at 4 s (one with 3 observed pipelines), one at 16 s
    return pd.DataFrame({
        "budget": [4.0, 4.0, 16.0],
        "seed": [0, 0, 0],
        "n_observed": [10, 3, 2],
        "oracle_alc": [1.0, 1.0, 0.8],
        "random_alc": [0.5, 0.5, 0.4],
        "chosen_alc": [0.9, 0.9, 0.6],
        "single_best_alc": [0.7, 0.7, 0.4],
        "single_best_per_budget_alc": [0.8, 0.8, 0.6],
    })  # fmt: skip


def test_regret_and_gaps_per_budget_all_budgets_and_focused_cases():
    table = bench_shipped_loco.summary(_records(), focused=10)
    shipped = table[table["selector"] == bench_shipped_loco.SHIPPED].set_index("cases_of")
    assert list(shipped.index) == ["all", "4 s", "16 s", "4 s, >= 10 observed"]
    # 4 s: (1 - 0.9) / (1 - 0.5); gaps (0.9 - 0.7) / (1 - 0.7) and (0.9 - 0.8) / (1 - 0.8)
    assert shipped.loc["4 s", "regret"] == pytest.approx(0.2)
    assert shipped.loc["4 s", "gap_closed"] == pytest.approx(2 / 3)
    assert shipped.loc["4 s", "gap_closed_vs_per_budget"] == pytest.approx(0.5)
    # all: ratio of means, (2.8 / 3 - 2.4 / 3) / (2.8 / 3 - 1.4 / 3) = 0.4 / 1.4
    assert shipped.loc["all", "regret"] == pytest.approx(2 / 7)
    # 16 s: the per-budget single best is the choice itself; budget-blind: (0.6 - 0.4) / 0.4
    assert shipped.loc["16 s", "gap_closed_vs_per_budget"] == pytest.approx(0.0)
    assert shipped.loc["16 s", "gap_closed"] == pytest.approx(0.5)
    assert shipped.loc["4 s, >= 10 observed", "cases"] == 1
    blind = table[table["selector"] == "single best (budget-blind)"].set_index("cases_of")
    assert blind.loc["4 s", "regret"] == pytest.approx(0.6)  # (1 - 0.7) / (1 - 0.5)
    assert blind.loc["all", "gap_closed"] == pytest.approx(0.0)


def test_per_seed_regret():
    records = pd.concat([_records(), _records().assign(seed=1, chosen_alc=[1.0, 1.0, 0.8])])
    assert bench_shipped_loco.per_seed(records) == "0.286 / 0.000"


def test_against_arms_counts_wins_ties_and_margins_where_every_arm_ran():
    # rows are (task at budget); arms a1, a2; p is another pipeline
    accuracy = pd.DataFrame(
        {"a1": [0.5, 0.6, 0.7, None], "a2": [0.4, 0.8, 0.7, 0.9], "p": [0.7, 0.5, 0.7, 1.0]},
        index=["t1@4", "t2@4", "t3@16", "t4@16"],
    )
    records = pd.DataFrame({
        "task_id": ["t1@4", "t2@4", "t3@16", "t4@16", "gone@4"],
        "budget": [4.0, 4.0, 16.0, 16.0, 4.0],
        "chosen_pipeline": ["p", "p", "a1", "p", "p"],
    })  # fmt: skip
    table = bench_shipped_loco.against_arms(records, accuracy, ["a1", "a2"])
    # t4 lacks arm a1 and "gone" is not in the store: 3 cases. Margins: t1 0.7 - 0.5 = 0.2,
    # t2 0.5 - 0.8 = -0.3, t3 0.7 - 0.7 = 0 (a tie); the oracle beats the arms on t1 only.
    assert table.loc["all", "cases"] == 3
    assert table.loc["all", "beats_all_three"] == pytest.approx(1 / 3)
    assert table.loc["all", "ties_best"] == pytest.approx(1 / 3)
    assert table.loc["all", "mean_margin"] == pytest.approx((0.2 - 0.3 + 0.0) / 3)
    assert table.loc["all", "oracle_beats_all_three"] == pytest.approx(1 / 3)
    assert table.loc["all", "picks_an_arm"] == pytest.approx(1 / 3)  # t3 picked a1
    assert table.loc["4 s", "picks_an_arm"] == 0.0
    assert table.loc["4 s", "cases"] == 2 and table.loc["16 s", "ties_best"] == 1.0


def test_arm_ids_are_the_stored_ids_of_the_default_and_the_recipes():
    # worked out once from the store: the grid pipelines with exactly the recipes' values
    assert bench_shipped_loco.arm_ids() == ["3da4cc81021b", "24c354c0d871", "fabd4e3d7e2f"]


def test_set_reads_json_values_and_keeps_other_text():
    changes = bench_shipped_loco.parse_settings(["epochs=72", "anchors=rows", "cost_features=true"])
    assert changes == {"epochs": 72, "anchors": "rows", "cost_features": True}
    # the file name lists the changes sorted by key, text as it is, other values as JSON
    assert bench_shipped_loco.variant_tag(changes) == "-anchors=rows-cost_features=true-epochs=72"
    assert bench_shipped_loco.variant_tag({}) == ""


@pytest.mark.parametrize("pair", ["epochs", "=72", " =rows"])
def test_set_refuses_what_is_not_key_value(pair):
    with pytest.raises(SystemExit, match="is not KEY=VALUE"):
        bench_shipped_loco.parse_settings([pair])


def test_the_unrestricted_first_choice_is_scored_where_a_later_build_ran_it():
    accuracy = pd.DataFrame(
        {"a1": [0.5, 0.6, 0.7], "a2": [0.4, 0.8, 0.7], "p": [0.7, 0.5, None], "q": [0.9, 0.4, 0.6]},
        index=["t1@256", "t2@256", "t3@256"],
    )
    records = pd.DataFrame({
        "task_id": ["t1@256", "t2@256", "t3@256"],
        "budget": [256.0, 256.0, 256.0],
        "chosen_pipeline": ["q", "q", "q"],
        "top_pipeline": ["p", "p", "p"],
        "top_observed": [False, True, False],
    })  # fmt: skip
    top = bench_shipped_loco.top_pick_table(records, accuracy).loc[256.0]
    # t3 never ran p: 2 of 3 measured; t1: p 0.7 below q 0.9, t2: p 0.5 above q 0.4
    assert top["top_observed"] == pytest.approx(1 / 3)
    assert top["top_measured"] == pytest.approx(2 / 3)
    assert top["differ_and_measured"] == 2 and top["top_higher"] == 1 and top["top_lower"] == 1
    assert top["top_accuracy"] == pytest.approx(0.6) and top["chosen_accuracy"] == pytest.approx(
        0.65
    )
    arms = bench_shipped_loco.against_arms(records, accuracy, ["a1", "a2"], pick="top_pipeline")
    # t1: 0.7 - 0.5 = 0.2, t2: 0.5 - 0.8 = -0.3; t3 not measured
    assert arms.loc["all", "cases"] == 2
    assert arms.loc["all", "mean_margin"] == pytest.approx(-0.05)
    assert arms.loc["all", "beats_all_three"] == pytest.approx(0.5)


class _Level:
    def __init__(self, filled: int) -> None:
        self.num_runs_filled = filled


class _Store:
    """What ``records_stem`` reads of a meta-dataset: its budgets and each level's filled cells."""

    def __init__(self, filled: dict[float, int]) -> None:
        self.budgets = sorted(filled)
        self._filled = filled

    def at_budget(self, budget: float) -> _Level:
        return _Level(self._filled[budget])


def test_records_are_named_by_the_stores_filled_cells_and_the_recipe():
    small, grown = _Store({4.0: 100, 256.0: 10}), _Store({4.0: 100, 256.0: 15})
    stem = bench_shipped_loco.records_stem(small, "alc", "trivial", (0, 1))
    # 110 filled cells, seeds 0-1; the alc trivial selector has no own settings in the recipe
    assert stem == "alc-trivial-110cells-s0-1"
    assert bench_shipped_loco.records_stem(grown, "alc", "trivial", (0, 1)) != stem
    changed = bench_shipped_loco.records_stem(small, "alc", "trivial", (0, 1), {"epochs": 72})
    assert changed == "alc-trivial-110cells-s0-1-epochs=72"
    probed = bench_shipped_loco.records_stem(small, "final", "all", (0,))
    # SHIPPED_PROBE_BACKBONES, and the training target, so records of the selector fitting
    # another measure are never read back as this one's
    assert probed == "final-all-mobilenetv2_100-110cells-s0-target=accuracy"
    trivial = bench_shipped_loco.records_stem(small, "final", "trivial", (0,))
    assert trivial == "final-trivial-110cells-s0-loss=listwise-target=accuracy-temperature=0.5"
    refit = bench_shipped_loco.records_stem(small, "final", "all", (0,), {"target": "final"})
    assert refit == "final-all-mobilenetv2_100-110cells-s0-target=final"


def test_the_probe_gate_reads_the_records_this_script_writes():
    import bench_probe_gate

    assert bench_probe_gate.records_stem is bench_shipped_loco.records_stem


def test_the_probe_gate_charges_the_probe_backbones_the_shipped_selector_reads(tmp_path):
    import bench_probe_gate

    from zapml.metadataset.store import open_store

    db = tmp_path / "probed.sqlite"
    with open_store(db) as store:  # a backbone's scores share its extraction's stored seconds
        for task, (mobile, lite) in {"t0": (0.5, 1.5), "t1": (0.75, 2.0)}.items():
            store.add_task(task, "core", {"num_classes": 2.0})
            values = {"logme__mobilenetv2_100": 0.1, "knn_accuracy__mobilenetv2_100": 0.2,
                      "logme__efficientnet_lite0": 0.3}  # fmt: skip
            seconds = {"logme__mobilenetv2_100": mobile, "knn_accuracy__mobilenetv2_100": mobile,
                       "logme__efficientnet_lite0": lite}  # fmt: skip
            store.add_task_features(task, values, seconds)
    # MobileNetV2's seconds once per task (not twice for its two scores), Lite0's left out
    assert bench_probe_gate.probe_costs(db).to_dict() == {"t0": 0.5, "t1": 0.75}
    bare = tmp_path / "lite-only.sqlite"
    with open_store(bare) as store:
        store.add_task("t0", "core", {"num_classes": 2.0})
        store.add_task_features(
            "t0", {"logme__efficientnet_lite0": 0.3}, {"logme__efficientnet_lite0": 1.0}
        )
    with pytest.raises(SystemExit, match="no probe features of \\['mobilenetv2_100'\\]"):
        bench_probe_gate.probe_costs(bare)
