"""How often does a run end on its first prediction, the simple model's, at each budget?

A pipeline with ``first_simple_model`` fits a logistic regression (or another sklearn model) on
frozen features first; its network predicts the test set only once it validates better than that
model (``runtime/loop.py``). When it never does, the run's final answer is the simple model's,
and every pipeline sharing that backbone, input size, sample and simple model gives the same
answer whatever its optimiser, learning rate or freezing: a selector choosing among those
settings cannot change the result (the hold-out's results 14). This prints, per budget, the
share of runs of simple-model pipelines whose learning curve holds one prediction, overall, for
the hold-out's fixed arms (``benchmarks/holdout/recipes.py``), and by the size of the
validation split the take-over is judged on (``runtime.preprocess.validation_count``).

    PYTHONPATH=src python benchmarks/bench_handover.py STORE [--budgets 16 64]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from zapml.metadataset.store import open_store
from zapml.runtime.preprocess import validation_count

sys.path.insert(0, str(Path(__file__).resolve().parent / "holdout"))
from recipes import recipe_pipelines  # noqa: E402

# Validation splits up to 16 images are what the hold-out sets get (125-169 training images at
# the default 10%); 64 and more give NAUC room to separate two good models.
VALID_BINS = (0, 16, 32, 64, 10**9)


def one_prediction_runs(
    runs: pd.DataFrame, pipelines: dict[str, dict], num_train: pd.Series
) -> pd.DataFrame:
    """``runs``: store runs (pipeline_id, task_id, budget, status, curve_json); ``pipelines``:
    pipeline id -> its settings; ``num_train``: task id -> training images. Returns the finished
    runs of simple-model pipelines with ``one_prediction`` (the curve holds one point) and
    ``valid_images`` (the validation split's size for that task and pipeline)."""
    ok = runs[runs["status"] == "ok"]
    simple = [p for p, cfg in pipelines.items() if cfg.get("first_simple_model")]
    ok = ok[ok["pipeline_id"].isin(simple)].copy()
    ok["one_prediction"] = ok["curve_json"].map(lambda c: len(json.loads(c)) == 1)
    ok["valid_images"] = [
        validation_count(
            int(num_train[task]),
            float(pipelines[pipe]["cv_valid_ratio"]),
            int(pipelines[pipe]["max_valid_count"]),
        )
        for task, pipe in zip(ok["task_id"], ok["pipeline_id"], strict=True)
    ]
    return ok


def summary(runs: pd.DataFrame, arms: dict[str, str]) -> pd.DataFrame:
    """Share of one-prediction runs (and run count) per budget: all simple-model pipelines,
    each arm (name -> pipeline id) and each validation-size bin."""
    groups: dict[str, pd.Series] = {"all simple-model pipelines": runs["pipeline_id"].notna()}
    for name, pipe in arms.items():
        groups[name] = runs["pipeline_id"] == pipe
    bins = pd.cut(runs["valid_images"], VALID_BINS, right=True)
    for interval in bins.cat.categories:
        upper = "+" if interval.right >= VALID_BINS[-1] else f"-{int(interval.right)}"
        groups[f"validation {int(interval.left) + 1}{upper} images"] = bins == interval
    table: dict[str, dict[str, object]] = {}
    for label, mask in groups.items():
        row = table.setdefault(label, {})
        for budget, one in runs[mask].groupby("budget")["one_prediction"]:
            row[f"{budget:g} s share"] = float(one.mean())
            row[f"{budget:g} s runs"] = len(one)
    frame = pd.DataFrame.from_dict(table, orient="index")
    counts = [c for c in frame.columns if c.endswith(" runs")]
    return frame.astype({c: "Int64" for c in counts})  # a bin may lack a budget's runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--budgets", type=float, nargs="+", default=[16.0, 64.0])
    args = parser.parse_args()
    with open_store(args.store, create=False) as store:
        runs = store.runs()
        pipelines = {pid: pipe.to_dict() for pid, pipe in store.pipelines().items()}
        num_train = store.tasks_frame()["num_train"]
    runs = runs[runs["budget"].isin(args.budgets)]
    if runs.empty:
        parser.error(f"no run at budgets {args.budgets} in {args.store}")
    found = one_prediction_runs(runs, pipelines, num_train)
    arms = {name: pipe.id for name, pipe in recipe_pipelines().items()}
    table = summary(found, arms)
    order = ["all simple-model pipelines", *arms]
    table = table.loc[order + [r for r in table.index if r not in order]]
    print("share of runs whose learning curve is one prediction (the simple model's), and runs:")
    print(table.to_string(float_format="{:.3f}".format))


if __name__ == "__main__":
    main()
