"""Do probe meta-features help? Per-score Spearman and LOCO regret on a probed store.

    python benchmarks/bench_probe_features.py STORE [--objective final] [--seeds 1]
        [--methods single_best,knn,guided_lr,zap_as,zap_hpo] [--out bench_out/probe]
        [--budget B]

A store built at several budgets is scored at one of them (``--budget B``, required there): the
question is whether the scores rank backbones as fine-tuning for B compute-s does.

STORE is a meta-dataset store probed by ``zap metadataset probe`` with two or more backbones
(only its tasks with every probe feature are used, so the feature sets compete on the same
tasks). It prints:

(a) per score (LogME, LEEP, kNN, ...): the Spearman correlation, across the probed backbones of
    one task, between the score and the backbone's fine-tuned value (the best observed pipeline
    of that backbone on the task, in the objective), averaged over the tasks; next to the trivial
    prior (each backbone's mean value on the tasks of the other core datasets) and to each learned
    selector's scores (its best score among the backbone's observed pipelines, trained on the
    other core datasets);
(b) leave-one-core-dataset-out normalised regret and gap closed of each selector with the
    trivial, probe and all feature sets, next to the probe cost (counted compute seconds per
    task, from the store).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table
from scipy import stats

from zapml.evaluation.loco import SelectorFactory, chosen_observed, default_selectors, factory
from zapml.evaluation.metrics import gap_closed, normalized_regret
from zapml.metadataset import load_metadataset
from zapml.metadataset.metadataset import FEATURE_SETS, MetaDataset
from zapml.metadataset.store import open_store
from zapml.selectors.query import probe_backbones, probe_feature_names

#: What each selector is given: the benchmark's fast settings (``default_selectors("fast")``), and
#: ZAP-AS without its SMAC tuning, whose 30 s per fit would dominate 8 folds x 3 feature sets.
_FAST = default_selectors("fast")
LINEUP: dict[str, SelectorFactory] = {
    **{name: _FAST[name] for name in ("single_best", "knn", "guided_lr")},
    "zap_as": factory("zap_as", tune=False),
    **{name: _FAST[name] for name in ("zap_hpo", "zap_hpo_log")},
}


def probed_metadataset(store: Path, objective: str, budget: float | None) -> MetaDataset:
    """The store's meta-dataset scored by ``objective`` at ``budget``, cut to the tasks with every
    probe feature (a store being probed holds some tasks without them)."""
    md = load_metadataset(store).for_objective(objective)
    if len(md.budgets) > 1 and budget is None:
        raise SystemExit(
            f"{store} holds runs at budgets {', '.join(f'{b:g}' for b in md.budgets)} compute-s; "
            "score one of them: --budget B"
        )
    if budget is not None:
        md = md.at_budget(budget)
    probes = probe_feature_names(md.metafeature_names())
    if len(probe_backbones(probes)) < 2:
        raise SystemExit(
            f"{store} holds probe features of {list(probe_backbones(probes))}; this benchmark "
            "compares backbones and needs two or more: zap metadataset probe STORE --backbones ..."
        )
    complete = md.tasks[probes].notna().all(axis=1)
    return md.subset([str(t) for t in md.tasks.index[complete]])


def probe_cost_per_task(store: Path, tasks: list[str]) -> pd.Series:
    """Counted compute seconds of each task's probe: per backbone the extraction's seconds (every
    score of a backbone shares them), summed over the backbones."""
    with open_store(store) as db:
        seconds = db.task_features_frame("seconds").loc[tasks]
    by_backbone = seconds.T.groupby(lambda name: probe_backbones([name])[0]).max().T
    return by_backbone.sum(axis=1)


def backbone_values(md: MetaDataset, backbones: tuple[str, ...]) -> pd.DataFrame:
    """Tasks x backbones: the best observed value of each backbone's pipelines on each task."""
    arch = pd.Series({p: md.pipelines[p].architecture for p in md.pipeline_ids})
    return pd.DataFrame({b: md.perf.loc[:, arch.index[arch == b]].max(axis=1) for b in backbones})


def mean_spearman(predicted: pd.DataFrame, truth: pd.DataFrame) -> tuple[float, int]:
    """Spearman between a predictor's and the true backbone values per task, averaged over tasks
    where both vary (a constant row has no ranking), and the number of such tasks."""
    rhos = []
    for task in truth.index:
        x, y = predicted.loc[task].to_numpy(float), truth.loc[task].to_numpy(float)
        keep = np.isfinite(x) & np.isfinite(y)
        if keep.sum() >= 2 and np.ptp(x[keep]) > 0 and np.ptp(y[keep]) > 0:
            rhos.append(float(stats.spearmanr(x[keep], y[keep]).statistic))
    return (float(np.mean(rhos)) if rhos else float("nan")), len(rhos)


def score_tables(md: MetaDataset, truth: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each probe score as a tasks x backbones table."""
    scores: dict[str, dict[str, pd.Series]] = {}
    for name in probe_feature_names(md.metafeature_names()):
        score, backbone = name.split("__", 1)
        scores.setdefault(score, {})[backbone] = md.tasks[name].astype(float)
    return {s: pd.DataFrame(cols).reindex(columns=truth.columns) for s, cols in scores.items()}


def trivial_prior(md: MetaDataset, truth: pd.DataFrame) -> pd.DataFrame:
    """Each task's prior: every backbone's mean value over the other core datasets' tasks."""
    core = md.core_datasets()
    return pd.DataFrame([truth[core != core[t]].mean() for t in truth.index], index=truth.index)


def loco_case(
    md: MetaDataset, features: str, make: SelectorFactory, seed: int, truth: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Leave each core dataset out once: per held-out task the chosen, oracle, random and
    single-best values, and the selector's per-backbone scores (best among observed)."""
    from zapml.selectors.baselines import SingleBestSelector

    view = md.select_features(features)
    arch = np.array([md.pipelines[p].architecture for p in md.pipeline_ids])
    rows, backbone_scores = [], []
    for core in sorted(view.core_datasets().unique()):
        train, test = view.without_core_dataset(core), view.only_core_dataset(core)
        perf = test.perf.to_numpy(float)
        x = test.metafeatures(train.metafeature_names())
        scores = make(seed).fit(train).rank(x)
        masked = np.where(np.isnan(perf), -np.inf, scores)
        pick = chosen_observed(scores, perf)
        best = chosen_observed(SingleBestSelector().fit(train).rank(x), perf)
        for i, task in enumerate(test.task_ids):
            if np.isnan(perf[i]).all():  # no run of this task at this budget yet: no case
                continue
            rows.append(
                {"task_id": task, "chosen": perf[i, pick[i]],
                 "oracle": np.nanmax(perf[i]), "random": np.nanmean(perf[i]),
                 "single_best": perf[i, best[i]]}
            )  # fmt: skip
            backbone_scores.append(
                {b: masked[i, arch == b].max() for b in truth.columns} | {"task_id": task}
            )
    scores = pd.DataFrame(backbone_scores).set_index("task_id").replace(-np.inf, np.nan)
    return pd.DataFrame(rows).set_index("task_id"), scores


def run_loco(
    md: MetaDataset, truth: pd.DataFrame, methods: list[str], seeds: int, say: Callable[[str], None]
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Regret rows per (method, feature set) over all seeds, and each case's backbone scores."""
    table, scores = [], {}
    for method in methods:
        for features in FEATURE_SETS:
            start = time.perf_counter()
            cases = [loco_case(md, features, LINEUP[method], s, truth) for s in range(seeds)]
            values = pd.concat([c[0] for c in cases])
            by_task = pd.concat([c[1] for c in cases]).groupby(level=0).mean()
            scores[f"{method} ({features})"] = by_task
            table.append({"method": method, "features": features, **regret_row(values)})
            say(f"{method} / {features}: {time.perf_counter() - start:.0f} s")
    return pd.DataFrame(table), scores


def regret_row(values: pd.DataFrame) -> dict[str, float | int]:
    chosen, oracle = values["chosen"].to_numpy(), values["oracle"].to_numpy()
    return {
        "normalized_regret": normalized_regret(chosen, oracle, values["random"].to_numpy()),
        "gap_closed": gap_closed(chosen, values["single_best"].to_numpy(), oracle),
        "mean_value": float(chosen.mean()),
        "cases": len(values),
    }


def spearman_table(
    md: MetaDataset, truth: pd.DataFrame, selector_scores: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    predictors = {f"score: {s}": t for s, t in score_tables(md, truth).items()}
    predictors["trivial prior (other cores' mean)"] = trivial_prior(md, truth)
    predictors.update({f"selector: {k}": v for k, v in selector_scores.items()})
    rows = []
    for name, predicted in predictors.items():
        rho, n = mean_spearman(predicted.reindex(truth.index), truth)
        rows.append({"predictor": name, "mean_spearman": rho, "tasks": n})
    return pd.DataFrame(rows)


def print_frame(console: Console, frame: pd.DataFrame, title: str) -> None:
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column))
    for row in frame.itertuples(index=False):
        table.add_row(*(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row))
    console.print(table)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("--objective", default="final")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--methods", default=",".join(LINEUP))
    ap.add_argument("--out", type=Path, default=Path("bench_out/probe"))
    ap.add_argument("--budget", type=float, default=None, help="compute-s (multi-budget stores)")
    args = ap.parse_args()
    console = Console(width=150)  # the tables' columns, unabridged in a log
    md = probed_metadataset(args.store, args.objective, args.budget)
    backbones = probe_backbones(md.metafeature_names())
    truth = backbone_values(md, backbones)
    cost = probe_cost_per_task(args.store, md.task_ids)
    console.print(
        f"{len(md.tasks)} probed tasks of {md.core_datasets().nunique()} core datasets; "
        f"budget {args.budget or 'as stored'}; "
        f"backbones {', '.join(backbones)}; objective {args.objective}; probe cost per task "
        f"{cost.mean():.3g} compute-s mean ({cost.min():.3g}-{cost.max():.3g})"
    )
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    regret, scores = run_loco(md, truth, methods, args.seeds, console.print)
    spearman = spearman_table(md, truth, scores)
    regret["probe_cost_s_per_task"] = [
        0.0 if f == "trivial" else cost.mean() for f in regret["features"]
    ]
    print_frame(console, spearman, f"(a) mean per-task Spearman across {len(backbones)} backbones")
    print_frame(console, regret, "(b) LOCO regret by feature set (lower is better)")
    args.out.mkdir(parents=True, exist_ok=True)
    spearman.to_csv(args.out / "spearman.csv", index=False)
    regret.to_csv(args.out / "loco_regret.csv", index=False)
    console.print(f"tables written to {args.out}")


if __name__ == "__main__":
    main()
