"""When a held-out task's meta-features lie outside the training range, is the default better?

`zap recommend` and `zap fit` warn when a meta-feature of the task lies outside the range of the
selector's training tasks ("the selector extrapolates here"). This script asks the store whether
such a warning should change the choice: on LOCO records of a selector (``bench_shipped_loco.py``
writes them), it marks each case whose task has a meta-feature (the budget aside) outside
[min, max] over the training fold's tasks (the other core datasets'), and compares, on the cases
where the documented default pipeline (``space.default_pipeline``) ran on that task at that budget,
the value of the selector's choice with the default's: in range and out of range, with a 95%
interval over held-out core datasets (each core's mean difference counted once).

    PYTHONPATH=src python benchmarks/bench_out_of_range.py STORE RECORDS.pkl --features all \
        [--objective final]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from zapml.metadataset.loading import load_metadataset
from zapml.metadataset.metadataset import BUDGET_FEATURE
from zapml.selectors.base import training_view
from zapml.selectors.recipe import shipped_view
from zapml.space.pipeline import default_pipeline


def mark_out_of_range(
    records: pd.DataFrame, metafeatures: pd.DataFrame, cores: pd.Series
) -> pd.DataFrame:
    """``records`` with ``out_of_range`` (any of the task's ``metafeatures`` outside [min, max]
    over the rows of the other core datasets) and ``features_out`` (their names)."""
    ranges = {
        core: (metafeatures[cores != core].min(), metafeatures[cores != core].max())
        for core in records["held_out"].unique()
    }
    names = []
    for held_out, task in zip(records["held_out"], records["task_id"], strict=True):
        low, high = ranges[held_out]
        row = metafeatures.loc[task]
        names.append(",".join(row.index[(row < low) | (row > high)]))
    return records.assign(features_out=names, out_of_range=[bool(n) for n in names])


def against_default(cases: pd.DataFrame, default_values: pd.Series) -> pd.DataFrame:
    """Per side of the range: cases, held-out cores, the choice's and the default's mean value,
    their mean difference (default - choice) with a 95% t interval over held-out cores, and in how
    many cases the default is ahead or behind; only cases where the default has a value."""
    cases = cases.assign(default=default_values.to_numpy())
    cases = cases[cases["default"].notna()]
    rows = {}
    for out, part in cases.groupby("out_of_range"):
        gain = part["default"] - part["chosen_alc"]
        per_core = gain.groupby(part["held_out"]).mean()
        low, high = np.nan, np.nan
        if len(per_core) > 1 and per_core.std() > 0:
            low, high = stats.t.interval(
                0.95, len(per_core) - 1, per_core.mean(), stats.sem(per_core)
            )
        rows["out of range" if out else "in range"] = {
            "cases": len(part),
            "cores": len(per_core),
            "chosen": part["chosen_alc"].mean(),
            "default": part["default"].mean(),
            "default_minus_chosen": gain.mean(),
            "low": low,
            "high": high,
            "default_ahead": int((gain > 0).sum()),
            "default_behind": int((gain < 0).sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("records", type=Path, help="LOCO records (bench_shipped_loco.py .pkl)")
    parser.add_argument("--features", choices=["trivial", "all"], required=True)
    parser.add_argument("--objective", default="final")
    args = parser.parse_args()
    view = training_view(
        shipped_view(load_metadataset(args.store).for_objective(args.objective), args.features)
    )
    names = [n for n in view.metafeature_names() if n != BUDGET_FEATURE]
    records = pd.read_pickle(args.records)
    records = records[records["selector"] != "oracle"]
    cases = mark_out_of_range(records, view.metafeatures(names), view.core_datasets())
    default = default_pipeline().id
    values = view.perf[default] if default in view.perf.columns else pd.Series(dtype=float)
    default_values = values.reindex(cases["task_id"])
    table = against_default(cases, default_values)
    print(f"{len(cases)} cases, {int(cases['out_of_range'].sum())} out of range; default {default}")
    print(table.round(4).to_string())
    for budget, part in cases.groupby("budget"):
        by_side = against_default(part, default_values[cases["budget"].to_numpy() == budget])
        print(
            f"budget {budget:g}:",
            by_side[["cases", "default_minus_chosen"]].round(4).to_dict("index"),
        )
    named = pd.Series(",".join(cases["features_out"]).split(",")).replace("", np.nan).dropna()
    print("meta-features out of range (cases):", named.value_counts().to_dict())


if __name__ == "__main__":
    main()
