"""Is a pipeline's edge over the hold-out's fixed arms a property of the task, or seed noise?

The meta-dataset stores one seed per (task, pipeline, budget) cell, so "some pipeline beats the
default and both recipes on this task" (bench_shipped_loco's oracle line) can be luck: the best of
ten noisy pipelines beats the best of three by chance. Two budgets of the same task are two
separate runs, so this script asks whether the pipelines that beat all three arms at one budget
also beat them at the other more often than chance. Chance: each task's winners at the second
budget drawn at random from the same non-arm pipelines, so the overlap is hypergeometric; the
tasks' overlaps are summed and the p-value is P(overlap >= observed) of that sum (exact). It
also counts the tasks whose best arm is the same at both budgets (chance about 1 in 3).

    PYTHONPATH=src python benchmarks/bench_arm_consistency.py STORE [--budgets 16 64]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import hypergeom

from zapml.metadataset.loading import load_metadataset
from zapml.metadataset.objectives import ACCURACY

sys.path.insert(0, str(Path(__file__).resolve().parent / "holdout"))
from recipes import ACCURACY_TIE, arm_ids  # noqa: E402


@dataclass(frozen=True)
class Consistency:
    tasks: int
    winners_first: int  # (task, pipeline) pairs beating every arm at the first budget
    repeated: int  # ... of which beat every arm at the second budget too
    expected: float  # ... expected by chance
    p_value: float  # P(repeated >= observed) by chance
    same_best_arm: int


def winners(row: pd.Series, pipelines: list[str], arms: list[str]) -> set[str]:
    """The pipelines of ``pipelines`` whose accuracy in ``row`` beats every arm's."""
    best_arm = row[arms].max()
    return {p for p in pipelines if row[p] > best_arm + ACCURACY_TIE}


def consistency(first: pd.DataFrame, second: pd.DataFrame, arms: list[str]) -> Consistency:
    """``first``/``second``: task x pipeline final accuracy at two budgets; tasks where every arm
    ran at both, over the non-arm pipelines run at both."""
    tasks = [
        t
        for t in first.index.intersection(second.index)
        if first.loc[t, arms].notna().all() and second.loc[t, arms].notna().all()
    ]
    total = np.array([1.0])  # pmf of the summed chance overlap
    observed = count = same = 0
    expected = 0.0
    for task in tasks:
        a, b = first.loc[task].dropna(), second.loc[task].dropna()
        common = [p for p in a.index.intersection(b.index) if p not in arms]
        w1, w2 = winners(a, common, arms), winners(b, common, arms)
        observed += len(w1 & w2)
        count += len(w1)
        same += int(a[arms].idxmax() == b[arms].idxmax())
        if common:
            # len(w1) draws from len(common) pipelines of which len(w2) are winners
            expected += len(w1) * len(w2) / len(common)
            pmf = hypergeom.pmf(np.arange(len(w1) + 1), len(common), len(w2), len(w1))
            total = np.convolve(total, pmf)
    p_value = float(total[observed:].sum())
    return Consistency(len(tasks), count, observed, expected, p_value, same)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--budgets", type=float, nargs=2, default=[16.0, 64.0])
    args = parser.parse_args()
    mds = load_metadataset(args.store).for_objective(ACCURACY)
    missing = [b for b in args.budgets if b not in mds.budget_perf]
    if missing:
        parser.error(f"budgets {missing} not in the store; it has {list(mds.budget_perf)}")
    arms = arm_ids()
    first, second = (mds.budget_perf[b] for b in args.budgets)
    result = consistency(first, second, arms)
    low, high = (f"{b:g} s" for b in args.budgets)
    print(
        f"{result.tasks} tasks where the default and both recipes ({', '.join(arms)}) ran at "
        f"{low} and {high}"
    )
    print(
        f"pipelines beating all three at {low}: {result.winners_first}; beating them at "
        f"{high} too: {result.repeated} (chance {result.expected:.1f}, "
        f"p = {result.p_value:.3g})"
    )
    print(
        f"same best arm at both budgets: {result.same_best_arm} of {result.tasks} "
        f"(chance about {result.tasks / 3:.1f})"
    )


if __name__ == "__main__":
    main()
