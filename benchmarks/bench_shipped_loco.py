"""Leave-one-core-dataset-out of the shipped selector's recipe against both single bests.

The README's default-selector table in one command: the shipped method and settings
(``zapml.selectors.recipe``, training target included, so the final trivial-feature selector fits
final accuracy) trained leave-one-core-dataset-out on a store, for one objective and feature set,
each held-out (task, budget) case scored by the objective's measure. Prints the normalised regret
(ratio of means: 0 = oracle, 1 = a random observed pipeline) and the gap closed against the
budget-blind and the per-budget single best (1 = oracle, 0 = that single best), over all budgets,
per budget, and on the "focused" cases (at least --focused observed pipelines: a case with 1-3
pipelines to choose from says little about a ranking). Then the hold-out benchmark's question
asked of the meta-dataset, which needs no hold-out set: on the held-out cases where the store ran
the default pipeline and both recipes of ``benchmarks/holdout/recipes.py``, how often the
selector's pick has a higher final test accuracy than all three (ties counted apart), and by how
much it beats or trails the best of them, and how often the pick is one of them (a tie at best);
the oracle's line says how often any observed pipeline beats them.

    PYTHONPATH=src python benchmarks/bench_shipped_loco.py STORE [--objective final|alc]
        [--features trivial|probe|all] [--seeds 0 1 2] [--focused 10] [--out DIR]
        [--set KEY=VALUE ...] [--score-store LATER_STORE]

LOCO can score a pick only where the held-out task ran it, so the table's choice is the
best-ranked *observed* pipeline; at 256 s a task ran 6 of 53. The records also keep the
selector's unrestricted first choice (what ``zap fit`` runs), and the last two tables say how
often it was observed and, once a later build has run those cells (``--score-store``: accuracies
read from that store, the selectors still trained on STORE and their records read back), how
it compares with the scored choice and with the default pipeline and both recipes.

``--set`` tries a variant of the recipe: each KEY=VALUE replaces one of the selector's settings
(VALUE read as JSON when it parses, else as text: ``--set anchors=rows --set epochs=72``); the
records' file name carries the changes, so the shipped recipe's records are not read back for
it, and ``bench_loco_compare.py`` pairs the two files case by case.

About 5 minutes per seed on one core for v2 (torch at one thread); the records go to --out, and
a rerun with the same number of filled (task, pipeline, budget) cells, objective, features and
seeds reads them back.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from zapml.evaluation.loco import factory, leave_one_core_out
from zapml.evaluation.metrics import gap_closed, normalized_regret
from zapml.metadataset.loading import load_metadataset
from zapml.metadataset.metadataset import MetaDataset
from zapml.metadataset.objectives import ACCURACY, OBJECTIVES
from zapml.selectors.recipe import (
    SHIPPED_FEATURES,
    SHIPPED_METHOD,
    SHIPPED_OWN_SETTINGS,
    SHIPPED_PROBE_BACKBONES,
    SHIPPED_TARGETS,
    settings_for,
    shipped_view,
)

sys.path.insert(0, str(Path(__file__).resolve().parent / "holdout"))
from recipes import ACCURACY_TIE, arm_ids  # noqa: E402

SHIPPED = "shipped recipe"
#: the rows of the table: the selector's choice and the two baselines the records carry
ROWS = {
    SHIPPED: "chosen_alc",
    "single best per budget": "single_best_per_budget_alc",
    "single best (budget-blind)": "single_best_alc",
}


def parse_settings(pairs: list[str]) -> dict[str, Any]:
    """``--set`` pairs as settings: KEY=VALUE, the value read as JSON when it parses (``72``,
    ``true``, ``0.5``), else kept as text (``rows``)."""
    settings: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise SystemExit(f"error: --set {pair!r} is not KEY=VALUE (e.g. --set epochs=72)")
        try:
            settings[key.strip()] = json.loads(text)
        except json.JSONDecodeError:
            settings[key.strip()] = text
    return settings


def variant_tag(changes: dict[str, Any]) -> str:
    """The part of the records' file name that names a variant ('' for the recipe itself)."""
    return "".join(
        f"-{key}={value if isinstance(value, str) else json.dumps(value)}"
        for key, value in sorted(changes.items())
    )


def records_stem(
    mds: MetaDataset,
    objective: str,
    features: str,
    seeds: tuple[int, ...],
    changes: dict[str, Any] | None = None,
) -> str:
    """The records' file name (no suffix), shared with ``bench_probe_gate.py`` so both read the
    same records: objective, features (and the probe backbones read, ``SHIPPED_PROBE_BACKBONES``),
    the store's filled (task, pipeline, budget) cells (a grown store never reads back a smaller
    one's records), seeds, and the recipe's own settings and training target for this selector
    with any ``changes`` (records of another recipe are never read back)."""
    cells = sum(mds.at_budget(b).num_runs_filled for b in mds.budgets)
    probed = "" if features == "trivial" else "-" + "+".join(SHIPPED_PROBE_BACKBONES)
    name = f"{objective}-{features}{probed}-{cells}cells-s{'-'.join(map(str, seeds))}"
    target = SHIPPED_TARGETS.get((objective, features))
    own = SHIPPED_OWN_SETTINGS.get((objective, features), {})
    return name + variant_tag({**({"target": target} if target else {}), **own, **(changes or {})})


def shipped_records(
    mds: MetaDataset,
    objective: str,
    features: str,
    seeds: tuple[int, ...],
    path: Path,
    changes: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """The shipped recipe's LOCO records, with ``changes`` to its settings (read back from
    ``path`` when there)."""
    if path.is_file():
        return pd.read_pickle(path)
    chosen = shipped_view(mds.for_objective(objective), features)
    settings = {k: v for k, v in settings_for(chosen, objective, features).items() if k != "seed"}
    settings |= changes or {}
    print(f"{SHIPPED_METHOD} {settings}", flush=True)
    records = leave_one_core_out(
        chosen,
        {SHIPPED: factory(SHIPPED_METHOD, **settings)},
        seeds=seeds,
        progress=lambda m: print(m, flush=True),
    )
    records = records[records["selector"] == SHIPPED]
    records.to_pickle(path)
    return records


def score_rows(cases: pd.DataFrame) -> list[dict[str, float | str]]:
    """One row per line-up entry: regret and both gaps closed on ``cases``."""
    oracle, rand = cases["oracle_alc"].to_numpy(), cases["random_alc"].to_numpy()
    rows: list[dict[str, float | str]] = []
    for name, column in ROWS.items():
        chosen = cases[column].to_numpy()
        rows.append({
            "selector": name,
            "regret": normalized_regret(chosen, oracle, rand),
            "gap_closed": gap_closed(chosen, cases["single_best_alc"].to_numpy(), oracle),
            "gap_closed_vs_per_budget": gap_closed(
                chosen, cases["single_best_per_budget_alc"].to_numpy(), oracle
            ),
            "cases": float(len(cases)),
        })  # fmt: skip
    return rows


def case_parts(cases: pd.DataFrame, focused: int) -> list[tuple[str, pd.DataFrame]]:
    """The case sets a table reports (``cases`` has budget and n_observed columns): all, each
    budget, and each budget's focused cases (at least ``focused`` observed) where a subset."""
    parts: list[tuple[str, pd.DataFrame]] = [("all", cases)]
    parts += [(f"{b:g} s", g) for b, g in cases.groupby("budget", sort=True)]
    for b, g in cases[cases["n_observed"] >= focused].groupby("budget", sort=True):
        if len(g) < int((cases["budget"] == b).sum()):  # only where it is a subset
            parts.append((f"{b:g} s, >= {focused} observed", g))
    return parts


def summary(records: pd.DataFrame, focused: int) -> pd.DataFrame:
    """Scores over all budgets, per budget and on the focused cases of each budget."""
    return pd.DataFrame([
        {"cases_of": label, **row}
        for label, part in case_parts(records, focused)
        for row in score_rows(part)
    ])  # fmt: skip


def per_seed(records: pd.DataFrame) -> str:
    regrets = [
        normalized_regret(g["chosen_alc"], g["oracle_alc"], g["random_alc"])
        for _, g in records.groupby("seed", sort=True)
    ]
    return " / ".join(f"{r:.3f}" for r in regrets)


def picked_accuracy(cases: pd.DataFrame, accuracy: pd.DataFrame, pick: str) -> pd.Series:
    """Final accuracy of each case's ``pick`` column's pipeline on its task (NaN: not run there,
    or a pipeline the store lacks)."""
    rows = accuracy.reindex(index=cases["task_id"], columns=cases[pick].unique())
    columns = rows.columns.get_indexer(cases[pick])
    return pd.Series(rows.to_numpy()[range(len(cases)), columns], index=cases.index)


def against_arms(
    records: pd.DataFrame, accuracy: pd.DataFrame, arms: list[str], pick: str = "chosen_pipeline"
) -> pd.DataFrame:
    """Per budget and over all: the held-out cases (record rows, one per seed) where every arm in
    ``arms`` (pipeline ids) and the ``pick`` column's pipeline were observed, and how the pick and
    the oracle fare against the best of them by final accuracy. ``accuracy``: (task at budget) x
    pipeline, as ``stack_budgets``. ``pick="top_pipeline"``: the selector's unrestricted first
    choice, measurable once a later build ran it (``--score-store``)."""
    known = records[records["task_id"].isin(accuracy.index)]
    arm_values = accuracy.reindex(columns=arms).loc[known["task_id"]].to_numpy()
    picked = picked_accuracy(known, accuracy, pick).to_numpy()
    complete = ~pd.isna(arm_values).any(axis=1) & ~pd.isna(picked)
    cases = known[complete]
    best_arm = arm_values[complete].max(axis=1)
    frame = pd.DataFrame({
        "budget": cases["budget"].to_numpy(),
        "margin": picked[complete] - best_arm,
        "oracle_margin": accuracy.loc[cases["task_id"]].max(axis=1).to_numpy() - best_arm,
        "picks_an_arm": cases[pick].isin(arms).to_numpy(),
    })  # fmt: skip
    parts = [("all", frame)] + [(f"{b:g} s", g) for b, g in frame.groupby("budget", sort=True)]
    return pd.DataFrame([_arm_row(label, part) for label, part in parts]).set_index("cases_of")


def top_pick_table(records: pd.DataFrame, accuracy: pd.DataFrame) -> pd.DataFrame:
    """Per budget: how often the selector's unrestricted first choice ran on the held-out task in
    the store it was trained from (``top_observed``) and in ``accuracy``'s store; on the cases
    where it ran there and differs from the scored choice, the two's mean final accuracy and how
    often the first choice is higher / lower."""
    frame = records.assign(measured=picked_accuracy(records, accuracy, "top_pipeline"))
    frame["chosen"] = picked_accuracy(records, accuracy, "chosen_pipeline")
    rows = []
    for budget, part in frame.groupby("budget", sort=True):
        differ = part[part["measured"].notna() & (part["top_pipeline"] != part["chosen_pipeline"])]
        gain = differ["measured"] - differ["chosen"]
        rows.append({
            "budget": budget,
            "cases": len(part),
            "top_observed": float(part["top_observed"].mean()),
            "top_measured": float(part["measured"].notna().mean()),
            "differ_and_measured": len(differ),
            "top_accuracy": float(differ["measured"].mean()),
            "chosen_accuracy": float(differ["chosen"].mean()),
            "top_higher": int((gain > ACCURACY_TIE).sum()),
            "top_lower": int((gain < -ACCURACY_TIE).sum()),
        })  # fmt: skip
    return pd.DataFrame(rows).set_index("budget")


def _arm_row(label: str, part: pd.DataFrame) -> dict[str, float | str]:
    return {
        "cases_of": label,
        "cases": float(len(part)),
        "beats_all_three": float((part["margin"] > ACCURACY_TIE).mean()),
        "ties_best": float((part["margin"].abs() <= ACCURACY_TIE).mean()),
        "mean_margin": float(part["margin"].mean()),
        # the pick is one of the arms: it can tie them there, never beat them
        "picks_an_arm": float(part["picks_an_arm"].mean()),
        "oracle_beats_all_three": float((part["oracle_margin"] > ACCURACY_TIE).mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--objective", default="final", choices=list(OBJECTIVES))
    parser.add_argument("--features", default=SHIPPED_FEATURES, choices=["trivial", "probe", "all"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--focused", type=int, default=10, help="observed pipelines, at least")
    parser.add_argument("--out", type=Path, default=Path("runs/shipped-loco"))
    parser.add_argument(
        "--score-store", type=Path, default=None,
        help="read final accuracies from this store (e.g. one a later build grew from STORE, "
        "which ran the selector's unrestricted picks); the selectors still train on STORE",
    )  # fmt: skip
    parser.add_argument(
        "--set", dest="changes", action="append", default=[], metavar="KEY=VALUE",
        help="change one of the recipe's settings (repeatable), e.g. --set anchors=rows",
    )  # fmt: skip
    args = parser.parse_args()
    changes = parse_settings(args.changes)
    torch.set_num_threads(1)  # the 36-epoch MLPs are tiny; more threads only contend
    args.out.mkdir(parents=True, exist_ok=True)
    mds = load_metadataset(args.store)
    seeds = tuple(args.seeds)
    name = records_stem(mds, args.objective, args.features, seeds, changes)
    path = args.out / f"{name}.pkl"
    records = shipped_records(mds, args.objective, args.features, seeds, path, changes)
    table = summary(records, args.focused)
    pd.set_option("display.width", 200)
    for value in ("regret", "gap_closed", "gap_closed_vs_per_budget"):
        wide = table.pivot_table(index="selector", columns="cases_of", values=value, sort=False)
        print(f"\n{value} ({args.objective}, {args.features} features, seeds {seeds})")
        print(wide.round(3).to_string())
    cases = table[table["selector"] == SHIPPED].set_index("cases_of")["cases"]
    print("\ncases:", ", ".join(f"{k} {int(v)}" for k, v in cases.items()))
    print(f"shipped recipe per seed, all budgets: {per_seed(records)}")
    table.to_csv(args.out / f"{name}.csv", index=False)
    scoring = load_metadataset(args.score_store) if args.score_store else mds
    accuracy = scoring.for_objective(ACCURACY).stack_budgets().perf
    ids = arm_ids()
    arms = against_arms(records, accuracy, ids)
    print(f"\nagainst the default pipeline and both recipes (final accuracy, {', '.join(ids)})")
    print(arms.round(3).to_string())
    arms.to_csv(args.out / f"{name}-arms.csv")
    if "top_pipeline" in records.columns:  # records written before it was recorded lack it
        print_top_picks(records, accuracy, ids, args.out / name)


def print_top_picks(
    records: pd.DataFrame, accuracy: pd.DataFrame, ids: list[str], stem: Path
) -> None:
    """The selector's unrestricted first choice: where it was run, and against the arms."""
    top = top_pick_table(records, accuracy)
    print("\nthe unrestricted first choice (what `zap fit` runs) against the scored choice")
    print(top.round(3).to_string())
    top.to_csv(f"{stem}-top.csv")
    arms = against_arms(records, accuracy, ids, pick="top_pipeline")
    print("\nthe unrestricted first choice against the default pipeline and both recipes")
    print(arms.round(3).to_string())
    arms.to_csv(f"{stem}-top-arms.csv")


if __name__ == "__main__":
    main()
