"""Which fixed pipelines beat the hold-out's three arms in the meta-dataset, and what one setting
is worth when everything else is held equal.

Two tables per budget, both by final accuracy (seeds of a cell averaged, as the loaders do):

- *fixed vs arms*: on the tasks where the default pipeline and both recipes ran, each pipeline
  observed on at least ``--min-share`` of them, with the share of those tasks where it beats all
  three (the hold-out's question asked of one pipeline chosen for every task) and its mean margin
  over the best arm; the oracle's share on top.
- *twins*: pairs of pipelines that differ only in ``--setting`` (and the settings active in one of
  them only, e.g. ``simple_model`` under ``first_simple_model``), with the paired mean difference
  (second value minus first) and the share of tasks where the second is higher.

``--fresh-against OLD_STORE`` keeps only the (task, budget) rows whose arms were not all stored in
``OLD_STORE``: a check of a pattern seen in the old store on tasks built after it was seen.

    PYTHONPATH=src python benchmarks/bench_fixed_vs_arms.py STORE [--setting first_simple_model]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from zapml.metadataset.loading import load_metadataset
from zapml.metadataset.objectives import ACCURACY

sys.path.insert(0, str(Path(__file__).resolve().parent / "holdout"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_neighbours import changes  # noqa: E402
from recipes import ACCURACY_TIE, arm_ids  # noqa: E402


def arm_rows(accuracy: pd.DataFrame, arms: list[str]) -> pd.DataFrame:
    """The rows of ``accuracy`` (task x pipeline) where every arm was observed."""
    return accuracy[accuracy.reindex(columns=arms).notna().all(axis=1)]


def fixed_vs_arms(rows: pd.DataFrame, arms: list[str], min_share: float) -> pd.DataFrame:
    """Per pipeline observed on ``min_share`` of ``rows`` (all arms observed): the share of its
    observed rows where it beats every arm, and its mean margin over the best arm."""
    best_arm = rows[arms].max(axis=1)
    margin = rows.sub(best_arm, axis=0)
    observed = rows.notna().sum()
    kept = observed[observed >= min_share * len(rows)].index
    table = pd.DataFrame({
        "tasks": observed[kept],
        "beats_all_three": margin[kept].gt(ACCURACY_TIE).sum() / observed[kept],
        "mean_margin": margin[kept].mean(),
        "is_arm": [p in arms for p in kept],
    })  # fmt: skip
    return table.sort_values(["beats_all_three", "mean_margin"], ascending=False)


def twin_pairs(configs: Mapping[str, Mapping[str, Any]], setting: str) -> list[tuple[str, str]]:
    """(first, second) pipeline ids whose configs differ only in ``setting`` (and in settings
    active in one of them only), ordered by the setting's value (False before True, low first)."""
    ids = sorted(pid for pid, config in configs.items() if setting in config)
    pairs = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if _twins(configs[a], configs[b], setting):
                first, second = sorted((a, b), key=lambda p: configs[p][setting])
                pairs.append((first, second))
    return sorted(pairs)


def _twins(a: Mapping[str, Any], b: Mapping[str, Any], setting: str) -> bool:
    set_in_both = {k for k in changes(dict(a), dict(b)) if k in a and k in b}
    return set_in_both == {setting}


def twin_table(
    accuracy: pd.DataFrame, pairs: list[tuple[str, str]], old: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per pair observed together (on tasks where ``old`` did not observe both, if given): tasks,
    mean of second minus first, share of tasks where the second is higher."""
    out = []
    for first, second in pairs:
        if first not in accuracy or second not in accuracy:
            continue
        diff = (accuracy[second] - accuracy[first]).dropna()
        if old is not None and first in old and second in old:
            diff = diff.drop(index=old[[first, second]].dropna().index, errors="ignore")
        if len(diff):
            wins = float((diff > ACCURACY_TIE).mean())
            out.append({"first": first, "second": second, "tasks": len(diff),
                        "mean_second_minus_first": diff.mean(), "second_wins": wins})  # fmt: skip
    columns = ["first", "second", "tasks", "mean_second_minus_first", "second_wins"]
    return pd.DataFrame(out, columns=columns)


def fresh_rows(rows: pd.DataFrame, old: pd.DataFrame | None, arms: list[str]) -> pd.DataFrame:
    """``rows`` less those whose arms were all observed in ``old`` (same budget)."""
    if old is None:
        return rows
    return rows.drop(index=arm_rows(old, arms).index.intersection(rows.index))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--setting", default="first_simple_model")
    parser.add_argument("--min-share", type=float, default=0.8)
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--fresh-against", type=Path, default=None, metavar="OLD_STORE")
    args = parser.parse_args()
    mds = load_metadataset(args.store).for_objective(ACCURACY)
    old = (
        load_metadataset(args.fresh_against).for_objective(ACCURACY) if args.fresh_against else None
    )
    arms = arm_ids()
    configs = {pid: p.to_dict() for pid, p in mds.pipelines.items()}
    pairs = twin_pairs(configs, args.setting)
    pd.set_option("display.width", 200)
    print(f"arms: {', '.join(arms)}; twins in {args.setting!r}: {len(pairs)} pairs")
    for budget in mds.budgets:
        accuracy = mds.at_budget(budget).perf
        prior = old.at_budget(budget).perf if old is not None and budget in old.budgets else None
        rows = fresh_rows(arm_rows(accuracy, arms), prior, arms)
        print(f"\n{budget:g} s: {len(rows)} tasks with all three arms")
        if len(rows):
            best_arm = rows[arms].max(axis=1)
            oracle_margin = rows.max(axis=1) - best_arm
            share = float(oracle_margin.gt(ACCURACY_TIE).mean())
            print(f"oracle beats all three on {share:.3f} of them, by {oracle_margin.mean():.3f} "
                  f"on average (median {oracle_margin.median():.3f})")  # fmt: skip
            table = fixed_vs_arms(rows, arms, args.min_share)
            print(table.head(args.top).round(3).to_string())
        twins = twin_table(accuracy, pairs, prior)
        if len(twins):
            print(f"twins ({args.setting}: second minus first, all tasks observing both)")
            print(twins.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
