"""Selector speed figures.

    python benchmarks/bench_selectors.py [--candidates 10000] [--skip-train]

1. Ranking ``--candidates`` pipelines for one task after ``load_selector`` (ZAP-HPO target:
   < 100 ms; candidate encoding is column-wise, the ensemble scores all rows in one batch).
2. Training ZAP-HPO on a generated 525 x 525 meta-dataset (35 core datasets x 15 tasks) with the
   default settings: 2 configurations x 5 inner folds, 60 epochs x 25 steps of 128 anchors each,
   2 x 128-unit hidden layers for the first configuration
   (target: < 2 min on 2 CPU cores).
3. Optionally (``--zap-as-trials N``) ZAP-AS with SMAC on the same 525 x 525 matrix.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from zapml.selectors import get_selector, load_selector, make_synthetic_metadataset
from zapml.space import sample_pipelines


def _timed(fn, repeats: int = 7) -> tuple[float, object]:
    """Median wall time in ms over ``repeats`` calls (after one warm-up call)."""
    out = fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), out


def bench_rank(n_candidates: int) -> None:
    md = make_synthetic_metadataset(8, 5, 40, seed=0)
    start = time.perf_counter()
    candidates = sample_pipelines(n_candidates, seed=1)
    print(f"sampling {n_candidates} candidate pipelines: {time.perf_counter() - start:.2f} s")
    query = md.tasks.iloc[0][md.metafeature_names()].to_dict()
    lineup = {
        # ranking speed depends on the network, not on how long it trained
        "zap_hpo": {"epochs": 4, "n_configs": 1},
        "zap_hpo_64u": {"epochs": 4, "n_configs": 1, "n_units": 64},
        "guided_fm": {"steps": 100},
        "guided_lr": {},
        "random": {},
    }
    for name, kw in lineup.items():
        sel = get_selector(name.split("_64u")[0], **kw).fit(md)
        with tempfile.TemporaryDirectory() as tmp:
            sel.save(tmp)
            start = time.perf_counter()
            loaded = load_selector(tmp)
            load_ms = (time.perf_counter() - start) * 1000
        ms, scores = _timed(lambda s=loaded: s.rank(query, candidates))
        print(
            f"{name:>10}: load {load_ms:6.1f} ms, rank {n_candidates} candidates {ms:6.1f} ms "
            f"(median of 7)"
        )
    for name, kw in {"zap_as": {"tune": False}, "knn": {}, "single_best": {}}.items():
        sel = get_selector(name, **kw).fit(md)
        ms, _ = _timed(lambda s=sel: s.rank(query))
        print(f"{name:>10}: rank its {len(sel.pipeline_ids_)} training pipelines {ms:6.2f} ms")


def bench_train() -> None:
    md = make_synthetic_metadataset(35, 15, 525, seed=0)
    print(f"meta-dataset: {md.summary()['tasks']} tasks x {len(md.pipelines)} pipelines")
    for loss in ("ranking", "least_squares"):
        sel = get_selector("zap_hpo", loss=loss)
        start = time.perf_counter()
        sel.fit(md)
        seconds = time.perf_counter() - start
        p = sel.get_params()
        print(
            f"ZAP-HPO ({loss}) train: {seconds:.1f} s  [{p['n_configs']} configs x "
            f"{p['n_folds']} folds x {p['epochs']} epochs x {p['steps_per_epoch']} steps x "
            f"batch {p['batch_size']}, {p['n_threads']} thread]; chosen {sel.config_}, "
            f"inner-CV top-1 rank {[round(c['mean_top_rank'], 2) for c in sel.cv_]}"
        )


def bench_zap_as(n_trials: int, walltime: float) -> None:
    md = make_synthetic_metadataset(35, 15, 525, seed=0)
    sel = get_selector("zap_as", n_trials=n_trials, walltime=walltime)
    start = time.perf_counter()
    sel.fit(md)
    print(
        f"ZAP-AS train on 525 x 525 (SMAC n_trials={n_trials}, walltime={walltime:.0f}s, "
        f"5 inner folds): {time.perf_counter() - start:.1f} s; tuning {sel.tuning_}; "
        f"chosen {sel.hp_}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", type=int, default=10_000)
    ap.add_argument("--skip-train", action="store_true")
    ap.add_argument("--zap-as-trials", type=int, default=0, help="also time ZAP-AS tuning")
    ap.add_argument("--zap-as-walltime", type=float, default=120.0)
    args = ap.parse_args()
    bench_rank(args.candidates)
    if not args.skip_train:
        bench_train()
    if args.zap_as_trials:
        bench_zap_as(args.zap_as_trials, args.zap_as_walltime)


if __name__ == "__main__":
    main()
