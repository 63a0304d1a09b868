"""Does probing pay for its own cost? Leave-one-core-dataset-out with the probe pass charged.

A selector on probe features ranks better when the probe pass is free (the plain LOCO of
``bench_probe_features.py``), but ``zap fit`` pays the pass from the run's budget. This script runs
the shipped recipe (``zapml.selectors.recipe``) on trivial and on all features, leave-one-core-
dataset-out on a probed store, objective final, and scores each held-out (task, budget) case of
the probe selector at the budget minus the task's counted probe cost: the last test prediction the
chosen pipeline's run at that budget had made by then (its stored learning curve; 0 when none).
Then, for each gate share s, a case uses the probe selector's charged score when the probe cost is
at most s x budget and the trivial selector's full-budget score otherwise (``probe_gate``'s rule),
and the table prints the normalised regret per budget, the fraction of cases probed and the gap
closed against the budget-blind single best.

    PYTHONPATH=src python benchmarks/bench_probe_gate.py STORE [--seeds 0 1 2] [--out DIR]

The probe cost of a task is the sum over the probed backbones of the counted seconds stored with
its features (``zap metadataset probe``: extraction and scores). About 10 minutes per seed and
feature set on one core; the records are saved to --out and reused when present, under the
names ``bench_shipped_loco.py`` gives them (``records_stem``), so the two can share one --out.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from bench_shipped_loco import records_stem, shipped_records

from zapml.evaluation.metrics import gap_closed, normalized_regret
from zapml.metadataset.loading import load_metadataset
from zapml.metadataset.metadataset import MetaDataset
from zapml.metadataset.store import open_store
from zapml.metafeatures.probe_features import pair_feature_backbone
from zapml.selectors.recipe import SHIPPED_PROBE_BACKBONES, SHIPPED_PROBE_FEATURES

SHARES = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)
OBJECTIVE = "final"  # the curves' last prediction is the final value; ALC would need a re-integral


def probe_costs(store: Path) -> pd.Series:
    """Counted probe seconds per task: one feature's seconds per backbone (a backbone's scores
    share its extraction and are stored with the same total), summed over the backbones the
    probe selector reads (``SHIPPED_PROBE_BACKBONES``)."""
    with open_store(store, create=False) as s:
        seconds = s.task_features_frame("seconds")
    first: dict[str, str] = {}
    for name in seconds.columns:
        backbone = pair_feature_backbone(name)
        if backbone in SHIPPED_PROBE_BACKBONES:
            first.setdefault(backbone, name)
    missing = sorted(set(SHIPPED_PROBE_BACKBONES) - set(first))
    if missing:
        raise SystemExit(f"error: {store} holds no probe features of {missing}; probe it first")
    return seconds[list(first.values())].sum(axis=1)


def loco_records(
    mds: MetaDataset, features: str, seeds: tuple[int, ...], path: Path
) -> pd.DataFrame:
    """The shipped recipe's LOCO records on ``features`` (read back from ``path`` when there)."""
    return shipped_records(mds, OBJECTIVE, features, seeds, path)


def score_at(mds: MetaDataset, task: str, pipeline: str, budget: float, t: float) -> float:
    """The last prediction's score by time ``t`` of the run at ``budget`` (0 when none yet)."""
    curve = mds.budget_curves[budget].get((task, pipeline), [])
    made = [score for when, score in curve if when <= t + 1e-9]
    return float(made[-1]) if made else 0.0


def charged_cases(
    mds: MetaDataset, trivial: pd.DataFrame, probe: pd.DataFrame, costs: pd.Series
) -> pd.DataFrame:
    key = ["seed", "task_id"]
    cases = trivial.merge(
        probe[[*key, "chosen_pipeline", "chosen_alc"]], on=key, suffixes=("", "_probe")
    )
    cases["task"] = cases["task_id"].str.split("@").str[0]
    cases["cost"] = cases["task"].map(costs)
    cases["probe_charged"] = [
        score_at(mds, c.task, c.chosen_pipeline_probe, c.budget, c.budget - c.cost)
        for c in cases.itertuples()
    ]
    return cases


def gate_table(cases: pd.DataFrame) -> pd.DataFrame:
    rows = []
    groups = [("all", cases.index)] + [(b, g.index) for b, g in cases.groupby("budget")]
    arms = [(f"{s:g}", cases["cost"] <= s * cases["budget"]) for s in SHARES]
    for arm, probed in arms + [("probe free", None)]:
        chosen = (
            cases["chosen_alc_probe"]
            if probed is None
            else cases["probe_charged"].where(probed, cases["chosen_alc"])
        )
        for budget, idx in groups:
            oracle, rand = (
                cases.loc[idx, "oracle_alc"].to_numpy(),
                cases.loc[idx, "random_alc"].to_numpy(),
            )
            picked = chosen.loc[idx].to_numpy()
            rows.append({
                "share": arm, "budget": budget,
                "regret": normalized_regret(picked, oracle, rand),
                "probed": 1.0 if probed is None else float(probed.loc[idx].mean()),
                "gap_closed": gap_closed(picked, cases.loc[idx, "single_best_alc"].to_numpy(),
                                         oracle),
            })  # fmt: skip
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", type=Path, default=Path("runs/probe-gate"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    mds = load_metadataset(args.store)
    seeds = tuple(args.seeds)
    trivial, probe = (
        loco_records(
            mds, features, seeds, args.out / f"{records_stem(mds, OBJECTIVE, features, seeds)}.pkl"
        )
        for features in ("trivial", SHIPPED_PROBE_FEATURES)
    )
    costs = probe_costs(args.store)
    spread = f"{costs.min():.2f}-{costs.max():.2f}"
    print(f"probe cost per task: mean {costs.mean():.2f}, range {spread} compute-s")
    table = gate_table(charged_cases(mds, trivial, probe, costs))
    pd.set_option("display.width", 200)
    for value in ("regret", "probed", "gap_closed"):
        wide = table.pivot_table(index="share", columns="budget", values=value, sort=False)
        print(f"\n{value} (share 0: trivial features only; 'probe free': the pass uncharged)")
        print(wide.round(4).to_string())
    table.to_csv(args.out / "gate.csv", index=False)


if __name__ == "__main__":
    main()
