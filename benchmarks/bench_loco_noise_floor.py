"""How much of the LOCO gap could a selector close, when the truth it is scored by is noisy?

Leave-one-core-dataset-out (``bench_shipped_loco.py``) scores a pick by its cell's value, the mean
of two seeds' runs on test splits of a few hundred images, and its oracle is the best of those
noisy means: part of the oracle's lead is noise no selector can know in advance. This measures
how much, without a noise model, on the runs themselves: every case is scored on one seed's runs
(seed 0, then seed 1), and two choices are compared on that same one-seed truth:

- the split-seed oracle: the pipeline best on the *other* seed of the held-out task, what a
  selector that had seen one seed of the task's results would pick (a reference, not a bound,
  for a zero-shot choice: it has seen the task itself, but only one noisy seed of it);
- the selector: its LOCO picks (``--records``, a ``bench_shipped_loco.py`` pickle, one pick per
  LOCO seed and case), scored on each seed's runs in the same way; and, on the cases where the
  store ran the hold-out's three arms (default pipeline and both recipes), how often each pick's
  final accuracy beats all three on the scoring seed: the hold-out benchmark's question.

Both against that seed's oracle, random observed pick and the two single bests (whose picks come
from a leave-one-core-out run of those baselines), over the pipelines run with both seeds.
Printed per budget, over all budgets and on the focused cases (at least --focused observed
pipelines): normalised regret, gap closed against either single best, and the share of the
split-seed oracle's gap closed that the selector reaches. One-seed truth is noisier than LOCO's
two-seed means, so both regrets run higher here than in LOCO; the share compares like with like.

A normal noise model, fitted to the seeds' differences and checked against the split-seed oracle
it predicts, was tried first and failed that check (docs/benchmarks/loco-zapml-offline-v2.md,
twenty-eighth session): a task's strongest pipelines agree across seeds far more closely than
other cells at their level, and at 64 and 256 s their seed differences are correlated; so
nothing here is modelled.

    PYTHONPATH=src python benchmarks/bench_loco_noise_floor.py STORE [--objective final|alc]
        [--records PKL] [--focused 10]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from zapml.evaluation.loco import factory, leave_one_core_out
from zapml.evaluation.metrics import gap_closed, normalized_regret
from zapml.metadataset.loading import load_metadataset
from zapml.metadataset.metadataset import budget_row_id
from zapml.metadataset.objectives import ACCURACY, MEASURE_FIELDS, OBJECTIVES
from zapml.metadataset.record import run_values
from zapml.metadataset.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parent / "holdout"))
from bench_shipped_loco import case_parts  # noqa: E402
from recipes import ACCURACY_TIE, arm_ids  # noqa: E402

#: the baselines whose gap to the oracle a choice closes, as the LOCO records name them
BASELINES = ("single_best", "single_best_per_budget")
#: the seeds every case is scored on, each in turn (every cell of the v2 store has both)
SEEDS = (0, 1)
SPLIT_SEED = "split-seed oracle"
SELECTOR = "selector"


def measured(store: Path, objective: str) -> pd.DataFrame:
    """The store's runs with each one's ``value`` for ``objective`` as the loader computes it (a
    run that made no prediction scores 0), runs without one left out."""
    with open_store(store, create=False) as opened:
        runs = opened.runs()
    finals = runs[MEASURE_FIELDS[objective]]
    values = run_values(objective, runs["status"], runs["alc"], finals)
    return runs.assign(value=values).dropna(subset=["value"])


def seed_table(runs: pd.DataFrame) -> pd.DataFrame:
    """(task at budget) row and pipeline x seed: the value of each cell run with both ``SEEDS``."""
    rows = [budget_row_id(t, b) for t, b in zip(runs["task_id"], runs["budget"], strict=True)]
    table = runs.assign(row=rows).pivot_table(
        index=["row", "pipeline_id"], columns="seed", values="value"
    )
    return table.reindex(columns=list(SEEDS)).dropna()


def scored(cells: pd.DataFrame, seed: int, pick: str, baselines: pd.Series) -> dict[str, float]:
    """One case on ``seed``'s runs (``cells``: one row's pipelines x seeds): the oracle, a random
    pick, ``pick`` and each baseline's pick (NaN where it was not run with both seeds)."""
    values = cells[seed]
    return {
        "oracle": float(values.max()),
        "random": float(values.mean()),
        "chosen": float(values.get(pick, float("nan"))),
        **{b: float(values.get(baselines[b], float("nan"))) for b in BASELINES},
    }


def split_seed_cases(table: pd.DataFrame, picks: pd.DataFrame) -> pd.DataFrame:
    """Per row of ``picks`` and scoring seed: the pipeline best on the other seed, scored."""
    out = []
    for row, cells in table.groupby(level="row"):
        if row in picks.index:
            cells = cells.droplevel("row")
            for seed, other in zip(SEEDS, SEEDS[::-1], strict=True):
                case = scored(cells, seed, str(cells[other].idxmax()), picks.loc[row])
                out.append({"row": row, **case})
    return pd.DataFrame(out).set_index("row").dropna()


def selector_cases(table: pd.DataFrame, picks: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Per LOCO record (seed, row) and scoring seed: the record's pick, scored."""
    out = []
    for row, chosen in zip(records["task_id"], records["chosen_pipeline"], strict=True):
        if row in picks.index and row in table.index:
            cells = table.loc[row]
            for seed in SEEDS:
                out.append({"row": row, **scored(cells, seed, str(chosen), picks.loc[row])})
    return pd.DataFrame(out).set_index("row").dropna()


def against_arms(table: pd.DataFrame, records: pd.DataFrame, arms: list[str]) -> pd.DataFrame:
    """The hold-out's question on one seed's truth (``table`` of final accuracy): per row where
    every arm ran with both seeds and per scoring seed, the margin of the split-seed oracle's
    pick and of each record's pick over the best arm on that seed, per budget."""
    picks = records.groupby("task_id")["chosen_pipeline"].apply(list)
    out = []
    for row, cells in table.groupby(level="row"):
        cells = cells.droplevel("row")
        if not set(arms) <= set(cells.index) or row not in picks.index:
            continue
        budget = float(str(row).rsplit("@", 1)[1])
        for seed, other in zip(SEEDS, SEEDS[::-1], strict=True):
            best_arm = cells.loc[arms, seed].max()
            choices = [(SPLIT_SEED, cells[other].idxmax())]
            choices += [(SELECTOR, chosen) for chosen in picks[row]]
            out += [(who, budget, cells[seed].get(chosen, float("nan")) - best_arm)
                    for who, chosen in choices]  # fmt: skip
    margins = pd.DataFrame(out, columns=["reading", "budget", "margin"]).dropna()
    margins["beats_all_three"] = margins["margin"] > ACCURACY_TIE
    if margins.empty:  # a store without the arms
        return pd.DataFrame(columns=["cases", "beats_all_three", "mean_margin"])
    return margins.groupby(["reading", "budget"]).agg(
        cases=("margin", "size"),
        beats_all_three=("beats_all_three", "mean"),
        mean_margin=("margin", "mean"),
    )


def baseline_picks(store: Path, objective: str) -> pd.DataFrame:
    """Per (task at budget) row: each baseline's pick when its core dataset is held out, with the
    row's budget and number of observed pipelines (the baselines are deterministic: one seed)."""
    mds = load_metadataset(store).for_objective(objective)
    records = leave_one_core_out(
        mds, {b: factory(b) for b in BASELINES}, seeds=(0,), include_oracle=False
    )
    picks = records.pivot_table(
        index="task_id", columns="selector", values="chosen_pipeline", aggfunc="first"
    )
    about = records.groupby("task_id")[["budget", "n_observed"]].first()
    return picks[list(BASELINES)].join(about)


def scores(cases: pd.DataFrame) -> dict[str, float]:
    """Normalised regret and gap closed against each baseline of ``cases``' chosen column."""
    oracle, chosen = cases["oracle"].to_numpy(), cases["chosen"].to_numpy()
    out = {"regret": normalized_regret(chosen, oracle, cases["random"].to_numpy())}
    for b in BASELINES:
        out[f"gap_closed_vs_{b}"] = gap_closed(chosen, cases[b].to_numpy(), oracle)
    return out | {"cases": float(len(cases))}


def parts(picks: pd.DataFrame, focused: int) -> list[tuple[str, pd.Index]]:
    """The row sets reported, as ``bench_shipped_loco``'s tables cut them."""
    return [(label, part.index) for label, part in case_parts(picks, focused)]


def floor_table(
    readings: dict[str, pd.DataFrame], picks: pd.DataFrame, focused: int
) -> pd.DataFrame:
    """One row per (reading, part of the cases) with ``scores``."""
    rows = []
    for label, index in parts(picks, focused):
        for reading, cases in readings.items():
            rows.append({"cases_of": label, "reading": reading,
                         **scores(cases[cases.index.isin(index)])})  # fmt: skip
    return pd.DataFrame(rows)


def reachable_share(table: pd.DataFrame, value: str) -> pd.Series:
    """Per part: the selector's ``value`` (a gap closed) over the split-seed oracle's."""
    wide = table.pivot_table(index="reading", columns="cases_of", values=value, sort=False)
    return wide.loc[SELECTOR] / wide.loc[SPLIT_SEED]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--objective", default="final", choices=list(OBJECTIVES))
    parser.add_argument("--records", type=Path, help="a bench_shipped_loco.py pickle")
    parser.add_argument("--focused", type=int, default=10, help="observed pipelines, at least")
    args = parser.parse_args()
    table = seed_table(measured(args.store, args.objective))
    picks = baseline_picks(args.store, args.objective)
    readings = {SPLIT_SEED: split_seed_cases(table, picks)}
    records = pd.read_pickle(args.records) if args.records is not None else None
    if records is not None:
        readings[SELECTOR] = selector_cases(table, picks, records)
    result = floor_table(readings, picks, args.focused)
    pd.set_option("display.width", 200)
    field = MEASURE_FIELDS[args.objective]
    values = ("regret", *(f"gap_closed_vs_{b}" for b in BASELINES))
    for value in values:
        wide = result.pivot_table(index="reading", columns="cases_of", values=value, sort=False)
        print(f"\n{value} ({args.objective}, scored by one seed's {field})")
        print(wide.round(3).to_string())
    if records is not None:
        for value in values[1:]:
            print(f"\nthe selector's {value} as a share of the split-seed oracle's")
            print(reachable_share(result, value).round(2).to_string())
        accuracy = seed_table(measured(args.store, ACCURACY))
        print("\nagainst the default pipeline and both recipes, one seed's final accuracy")
        print(against_arms(accuracy, records, arm_ids()).round(3).to_string())


if __name__ == "__main__":
    main()
