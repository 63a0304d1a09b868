"""Can the final answer on small data be raised where the simple model's answer is final?

On small sets at 16-64 compute-s the answer a run keeps is most often its simple model's (a
logistic regression on frozen features; ``bench_handover.py``), so which fine-tuning settings a
selector picks rarely reaches it. Two development studies of changes to that answer, on the
store's tasks where a reference pipeline ran at ``--budget`` (the focused tasks) and on prepared
*development* hold-out sets (``--holdout``; never pass a set that is still blind):

``--study flip``: the simple model alone, as the runtime fits it (the reference's backbone and
input size, the run's stratified validation split and 256-image sample), as a logistic regression
at C 1 (the runtime's), 0.1 and 0.01: plain, with flip test-time averaging (``tta``), and trained
on the sample and its mirror image with flip test-time averaging (``aug``). Seconds per task.

``--study blend``: the runtime at ``--budget`` compute-s, twice: the reference (``run``, the
answer it keeps) and the reference without its simple model (``net``); ``sm`` is the simple
model refitted as above, ``blend`` and ``geo`` the arithmetic and geometric means of the simple
model's and the network's probabilities. About two budgets of compute per task and seed.

Prints each column's mean and its paired difference with the first column (wins, losses, a
two-sided sign test). Rows go to ``--out`` (JSON lines) as they finish; a rerun skips them.

    PYTHONPATH=src python benchmarks/bench_final_answer.py STORE --study flip|blend
        [--reference 24c354c0d871] [--budget 64] [--seeds 0] [--holdout NAME ...]
        [--no-store-tasks] [--jobs 2] [--out rows.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from zapml.metadataset.store import open_store
from zapml.space import Pipeline

sys.path.insert(0, str(Path(__file__).resolve().parent / "holdout"))
from prepare import default_root  # noqa: E402

RECIPE = "24c354c0d871"  # MobileNetV2 at 128 px, Adam 1e-3: the hold-out's recipe arm
C_VALUES = (1.0, 0.1, 0.01)  # 1 is scikit-learn's default and the runtime's
Source = dict[str, Any] | str  # a stored task's spec, or a prepared hold-out set's name


def paired_summary(rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Per column: mean, mean paired difference with ``columns[0]``, wins, losses (ties are
    neither) and the two-sided sign test of wins against losses."""
    base = rows[columns[0]]
    out = []
    for col in columns:
        diff = rows[col] - base
        wins, losses = int((diff > 0).sum()), int((diff < 0).sum())
        p = binomtest(wins, wins + losses).pvalue if wins + losses else 1.0
        out.append({
            "column": col, "mean": rows[col].mean(), "diff": diff.mean(),
            "wins": wins, "losses": losses, "sign_test_p": p,
        })  # fmt: skip
    return pd.DataFrame(out)


def accuracy(labels: np.ndarray, proba: np.ndarray) -> float:
    """Share of rows whose most probable column is their label (columns are class indices)."""
    return float(np.mean(proba.argmax(axis=1) == labels))


def load_source(source: Source) -> tuple[str, Any, Any]:
    """(name, train, test) of a stored task (rebuilt from its spec) or a prepared hold-out set."""
    if isinstance(source, str):
        from zapml.data import load_data

        split = load_data(str(default_root() / source))
    else:
        from zapml.metadataset.tasks import TaskSpec, materialise

        split = materialise(TaskSpec.from_dict(source))
    return source_name(source), split.train, split.test


def simple_model_inputs(pipe: Pipeline, train: Any, test: Any, seed: int) -> dict[str, Any]:
    """Frozen features of the sample the runtime's simple model fits (and of its mirror image),
    of the test images and their mirror image, with the sample's labels and the test labels."""
    import torch

    from zapml.runtime import simple_model as sm
    from zapml.runtime.preprocess import (
        Normalizer,
        input_size,
        resize_images,
        stratified_split,
        validation_count,
    )
    from zapml.zoo import get_spec, load_backbone

    spec = get_spec(pipe.architecture)
    torch.manual_seed(seed)
    model = load_backbone(pipe.architecture, num_classes=train.num_classes)
    hw = input_size(train.resolution, int(pipe["log2_max_size"]))
    norm = Normalizer(spec.mean, spec.std)
    n_valid = validation_count(
        len(train), float(pipe["cv_valid_ratio"]), int(pipe["max_valid_count"])
    )
    train_idx, _ = stratified_split(train.labels, n_valid, np.random.default_rng(seed))
    labels = train.labels[train_idx]
    rng = np.random.default_rng(seed + 1)  # the runtime's draw of the sample
    pick = train_idx[sm.sample_indices(labels, int(pipe["train_info_sample"]), rng)]
    images, test_images = resize_images(train.images[pick], hw), resize_images(test.images, hw)
    feats = {
        name: sm.extract_features(model, batch, norm)
        for name, batch in (
            ("x", images), ("x_flip", images.flip(3)),
            ("t", test_images), ("t_flip", test_images.flip(3)),
        )
    }  # fmt: skip
    return {**feats, "y": train.labels[pick], "t_y": test.labels, "classes": train.num_classes}


def lr_proba(inputs: dict[str, Any], c: float, variant: str) -> np.ndarray:
    """Test probabilities (one column per class) of a scaled logistic regression at ``c``:
    ``plain``, ``tta`` (flip test-time averaging) or ``aug`` (mirror images added, tta)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from zapml.runtime.simple_model import predict_fitted

    x, y = inputs["x"], inputs["y"]
    if variant == "aug":
        x, y = np.vstack([x, inputs["x_flip"]]), np.concatenate([y, y])
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=100, C=c)).fit(x, y)
    proba = predict_fitted(model, "LR", inputs["t"], inputs["classes"])
    if variant == "plain":
        return proba
    return (proba + predict_fitted(model, "LR", inputs["t_flip"], inputs["classes"])) / 2


def flip_row(pipe: Pipeline, train: Any, test: Any, seed: int, budget: float) -> dict[str, Any]:
    inputs = simple_model_inputs(pipe, train, test, seed)
    row: dict[str, Any] = {"train_sample": len(inputs["y"]), "test": len(inputs["t_y"])}
    for c in C_VALUES:
        for variant in ("plain", "tta", "aug"):
            row[f"C{c:g}_{variant}"] = accuracy(inputs["t_y"], lr_proba(inputs, c, variant))
    return row


def blend_row(pipe: Pipeline, train: Any, test: Any, seed: int, budget: float) -> dict[str, Any]:
    from zapml.runtime import fit

    def run(p: Pipeline) -> Any:
        return fit(p, train, test, budget=budget, clock="compute", seed=seed, progress=False)

    kept = run(pipe)
    net = run(pipe.replace(first_simple_model=False))
    inputs = simple_model_inputs(pipe, train, test, seed)
    simple = lr_proba(inputs, 1.0, "plain")
    network = np.asarray(net.test_probabilities)
    y = inputs["t_y"]
    return {
        "test": len(y), "network_predictions": kept.prediction_sources.count("network"),
        "run": kept.final_accuracy, "sm": accuracy(y, simple), "net": accuracy(y, network),
        "blend": accuracy(y, (simple + network) / 2),
        "geo": accuracy(y, np.sqrt(simple * network)),
    }  # fmt: skip


STUDIES: dict[str, Callable[..., dict[str, Any]]] = {"flip": flip_row, "blend": blend_row}


def one_job(job: tuple[str, dict[str, Any], Source, int, float]) -> dict[str, Any]:
    study, pipe_values, source, seed, budget = job
    import torch

    torch.set_num_threads(1)  # one job per core
    name, train, test = load_source(source)
    row = STUDIES[study](Pipeline(pipe_values), train, test, seed, budget)
    return {"task": name, "seed": seed, **row}


def store_sources(store: Path, reference: str, budget: float) -> tuple[Pipeline, list[Source]]:
    """The reference pipeline and the specs of the tasks where it ran at ``budget``."""
    with open_store(store, create=False) as opened:
        pipelines, runs, specs = opened.pipelines(), opened.runs(), opened.task_specs()
    if reference not in pipelines:
        raise SystemExit(f"Pipeline '{reference}' is not in {store}; pass --reference.")
    ran = runs[(runs["pipeline_id"] == reference) & (runs["budget"] == budget)]
    tasks = sorted(set(ran["task_id"]) & set(specs))
    return pipelines[reference], [specs[t].to_dict() for t in tasks]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("store", type=Path)
    ap.add_argument("--study", choices=sorted(STUDIES), required=True)
    ap.add_argument("--reference", default=RECIPE, help="pipeline id (default: %(default)s)")
    ap.add_argument("--budget", type=float, default=64.0, help="compute-s (default: 64)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--holdout", nargs="*", default=[], help="prepared development sets")
    ap.add_argument("--no-store-tasks", action="store_true", help="only the --holdout sets")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", type=Path, help="JSON lines, one per (task, seed); resumes")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    pipe, sources = store_sources(args.store, args.reference, args.budget)
    sources = ([] if args.no_store_tasks else sources) + list(args.holdout)
    done = read_rows(args.out)
    jobs = [
        (args.study, pipe.to_dict(), src, seed, args.budget)
        for seed in args.seeds
        for src in sources
        if (source_name(src), seed) not in done
    ]
    total = len(done) + len(jobs)
    with Pool(args.jobs) as pool:
        for row in pool.imap_unordered(one_job, jobs):
            done[(row["task"], row["seed"])] = row
            if args.out:
                with args.out.open("a") as fh:
                    fh.write(json.dumps(row) + "\n")
            print(f"{len(done)}/{total}: {row['task']} seed {row['seed']}", flush=True)
    report(pd.DataFrame(list(done.values())))


def source_name(source: Source) -> str:
    """The ``task`` a row of ``source`` carries (``load_source``'s name)."""
    from zapml.metadataset.tasks import TaskSpec

    return f"holdout:{source}" if isinstance(source, str) else TaskSpec.from_dict(source).id


def read_rows(path: Path | None) -> dict[tuple[str, int], dict[str, Any]]:
    if path is None or not path.exists():
        return {}
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {(r["task"], int(r["seed"])): r for r in rows}


def report(rows: pd.DataFrame) -> None:
    if rows.empty:
        print("no rows")
        return
    columns = [c for c in rows.columns if c not in ("task", "seed", "test", "train_sample")]
    columns = [c for c in columns if c != "network_predictions"]
    for group, block in rows.groupby(rows["task"].str.startswith("holdout:")):
        where = "development hold-out sets" if group else "store tasks"
        print(f"\n{where}: {len(block)} (task, seed) rows, accuracy on each test split")
        print(paired_summary(block, columns).round(4).to_string(index=False))


if __name__ == "__main__":
    main()
