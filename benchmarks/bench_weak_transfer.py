"""The documented default against the 128-px picks on tasks whose frozen features are weak.

On the twenty-second fresh hold-out (`signhands`: drawings whose frozen MobileNetV2 features give a
linear probe of 0.33) the default pipeline (64 px, SGD 0.01, many epochs) beat zap's 128-px picks
(Adam, few epochs) at every budget. This script asks the store the same question: on each task
whose MobileNetV2 linear-probe accuracy (a probe feature) lies below ``--below``, at ``--budget``,
the default's final accuracy (mean over seeds) against the 128-px pipelines the selectors pick
there (``PICKS_128``), where they ran. It prints one row per task and how often the default leads.
With ``--in-sample``, each shipped final selector's first choice on those tasks, ranked from their
own meta-features at that budget: the store trains those selectors, so this asks whether they
fit the corner on their training rows, not whether they find it on new data.

    PYTHONPATH=src python benchmarks/bench_weak_transfer.py STORE [--budget 64] [--below 0.5] \
        [--in-sample]
"""

from __future__ import annotations

import argparse
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zapml.metadataset import load_metadataset
from zapml.selectors.choice import SHIPPED_SELECTORS
from zapml.selectors.probe_gate import SHIPPED_PROBE_SELECTORS
from zapml.selectors.recipe import SHIPPED_FEATURES, SHIPPED_PROBE_FEATURES, shipped_view
from zapml.selectors.registry import load_selector
from zapml.space.pipeline import default_pipeline

#: MobileNetV2 at 128 px with Adam: the Adam recipe (24c354c0d871), its 30%-frozen twins with and
#: without the simple model (0d954455201b, 6a8cd27e1bd8) and its Adam 3e-4 neighbour
#: (27d506828b0c), the first choices of the shipped final selectors at 16-256 s
PICKS_128 = ("24c354c0d871", "0d954455201b", "6a8cd27e1bd8", "27d506828b0c")
PROBE = "linear_probe_accuracy__mobilenetv2_100"


def read_store(store: Path, budget: float) -> tuple[pd.DataFrame, pd.Series]:
    """Mean final accuracy per (task, pipeline) at ``budget`` and each task's linear probe."""
    with closing(sqlite3.connect(f"file:{store}?mode=ro", uri=True)) as con:
        runs = pd.read_sql(
            "SELECT task_id, pipeline_id, final_accuracy FROM runs "
            "WHERE status = 'ok' AND budget = ?",
            con,
            params=(float(budget),),
        )
        probe = pd.read_sql(
            "SELECT task_id, value FROM task_features WHERE name = ?", con, params=(PROBE,)
        )
    accuracy = runs.groupby(["task_id", "pipeline_id"])["final_accuracy"].mean().unstack()
    return accuracy, probe.set_index("task_id")["value"]


def weak_tasks(accuracy: pd.DataFrame, probe: pd.Series, below: float) -> pd.DataFrame:
    """One row per task under ``below`` where the default ran: its probe, the default's accuracy,
    the best 128-px pick's (and which) and how many picks ran."""
    default = default_pipeline().id
    picks = accuracy.reindex(columns=list(PICKS_128))
    rows = []
    for task in probe[probe < below].sort_values().index:
        if task not in accuracy.index or pd.isna(accuracy.at[task, default]):
            continue
        ran = picks.loc[task].dropna()
        rows.append({
            "task": task,
            "linear_probe": probe[task],
            "default": accuracy.at[task, default],
            "best_128px": ran.max() if len(ran) else float("nan"),
            "best_128px_id": ran.idxmax() if len(ran) else "",
            "picks_ran": len(ran),
        })  # fmt: skip
    return pd.DataFrame(rows)


def first_choices(selector: Any, metafeatures: pd.DataFrame, budget: float) -> pd.Series:
    """Per task (row of ``metafeatures``), the pipeline ``selector`` ranks first at ``budget``."""
    scores = selector.rank(metafeatures.assign(budget=float(budget)))
    ids = np.asarray(selector.pipeline_ids_)
    return pd.Series(ids[np.argmax(scores, axis=1)], index=metafeatures.index)


def in_sample_columns(store: Path, budget: float, tasks: list[str]) -> pd.DataFrame:
    """The shipped final selectors' first choices on ``tasks`` (trivial, then probe selector)."""
    mds = load_metadataset(store).for_objective("final").at_budget(budget)
    columns = {}
    for name, directory, features in (
        ("trivial_first", SHIPPED_SELECTORS["final"], SHIPPED_FEATURES),
        ("probe_first", SHIPPED_PROBE_SELECTORS["final"], SHIPPED_PROBE_FEATURES),
    ):
        metafeatures = shipped_view(mds, features).metafeatures().loc[tasks]
        columns[name] = first_choices(load_selector(directory), metafeatures, budget)
    return pd.DataFrame(columns)


def print_in_sample(table: pd.DataFrame, accuracy: pd.DataFrame) -> None:
    """How often each selector's first choice is the default, and how often the default beats it."""
    default = default_pipeline().id
    for column in ("trivial_first", "probe_first"):
        firsts = table.set_index("task")[column]
        other = firsts[firsts != default]
        beaten = [
            accuracy.at[task, default] > accuracy.at[task, pick]
            for task, pick in other.items()
            if pick in accuracy.columns and not pd.isna(accuracy.at[task, pick])
        ]
        print(
            f"{column}: the default on {int((firsts == default).sum())} of {len(firsts)} tasks; "
            f"elsewhere it beats the first choice on {sum(beaten)} of {len(beaten)} where both ran"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--budget", type=float, default=64.0)
    parser.add_argument("--below", type=float, default=0.5, help="linear-probe accuracy bound")
    parser.add_argument(
        "--in-sample", action="store_true", help="add the shipped selectors' first choices"
    )
    args = parser.parse_args()
    accuracy, probe = read_store(args.store, args.budget)
    table = weak_tasks(accuracy, probe, args.below)
    if table.empty:
        print(f"no task under {args.below:g} where the default ran at {args.budget:g} s")
        return
    if args.in_sample:
        table = table.join(
            in_sample_columns(args.store, args.budget, list(table["task"])), on="task"
        )
    print(table.round(3).to_string(index=False))
    compared = table[table["picks_ran"] > 0]
    leads = int((compared["default"] > compared["best_128px"]).sum())
    gain = (compared["default"] - compared["best_128px"]).mean()
    print(
        f"at {args.budget:g} s the default leads the best 128-px pick on {leads} of "
        f"{len(compared)} tasks with linear probe < {args.below:g} (mean lead {gain:+.3f})"
    )
    if args.in_sample:
        print_in_sample(table, accuracy)


if __name__ == "__main__":
    main()
