"""Calibrate (and check) the compute clock's reference rates in ``zapml.runtime.costs``.

Measures, with ONE torch thread and one BLAS thread (what compute-clock runs use), train steps
(SGD with momentum, batch 16 and 64) and inference (``no_grad``, batch 64 and 128) of every
offline zoo backbone (``zapml.zoo.offline_names()``) at 32, 48, 64, 96 and 128 px; fits the
current clock version's rates by non-negative least squares on relative error
(``scipy.optimize.nnls``); and prints the fitted rates next to the ones in ``costs.py`` and the
ratio counted/measured of every case under every clock version (the target: 0.67-1.5).

Timing: each case is run once to warm up, then repeated (at least 2 times, up to 5 while the
repeats total under 0.5 s) and the MINIMUM of the repeats' per-thread CPU time
(``time.thread_time``) is kept. Thread CPU time excludes the time the process waits for a core,
so other processes on a shared machine do not inflate it (they still share caches and memory
bandwidth; the minimum keeps the least disturbed repeat). On an idle machine it equals the wall
time of the work. Preprocessing and the simple models are checked the same way.

    PYTHONPATH=src python benchmarks/bench_compute_clock.py [--quick] [--save F | --load F]

``--save`` writes the measurements (counts and seconds) to JSON after each backbone and, run again,
measures only the backbones missing there; ``--load`` re-fits and re-prints such files without
measuring, taking each case's minimum over the files (passes run at different times).
``benchmarks/compute_clock_v2.json`` holds the measurements clock version 2 was fitted on (the
minimum of two passes on the 2-core development machine):

    PYTHONPATH=src python benchmarks/bench_compute_clock.py --load benchmarks/compute_clock_v2.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from scipy.optimize import nnls
from threadpoolctl import threadpool_limits

from zapml.runtime import costs
from zapml.runtime.costs import ModelProfile, profile_model
from zapml.runtime.preprocess import Normalizer, augment, resize_images
from zapml.runtime.simple_model import fit_predict
from zapml.zoo import is_available, load_backbone, offline_names

SIDES = (32, 48, 64, 96, 128)
TRAIN_BATCHES = (16, 64)
INFER_BATCHES = (64, 128)
MIN_REPEATS, MAX_REPEATS, REPEAT_SECONDS = 2, 5, 0.5
TARGET = (0.67, 1.5)


@dataclasses.dataclass
class Case:
    """One measured case: what it counts (the profile) and what it took."""

    arch: str
    side: int
    kind: str  # "train" or "infer"
    batch: int
    trainable: int
    profile: dict[str, Any]
    seconds: float

    def counted(self, version: int) -> float:
        prof = ModelProfile(**{**self.profile, "clock_version": version})
        if self.kind == "train":
            return prof.train_step_seconds(self.batch, self.trainable)
        return prof.forward_seconds(self.batch, self.batch)


def cpu_seconds(fn: Callable[[], object]) -> float:
    """Minimum per-thread CPU seconds of ``fn`` over repeats, after one warm-up call."""
    fn()
    times: list[float] = []
    while len(times) < MIN_REPEATS or (sum(times) < REPEAT_SECONDS and len(times) < MAX_REPEATS):
        start = time.thread_time()
        fn()
        times.append(time.thread_time() - start)
    return min(times)


def _profile_dict(prof: ModelProfile) -> dict[str, Any]:
    out = dataclasses.asdict(prof)
    del out["clock_version"]
    out["input_hw"] = tuple(out["input_hw"])
    return out


def backbone_cases(arch: str, sides: tuple[int, ...], quick: bool) -> list[Case]:
    """Train-step and inference cases of one backbone at every side."""
    torch.manual_seed(0)
    model = load_backbone(arch, num_classes=10)
    params = [p for p in model.parameters() if p.requires_grad]
    trainable = sum(p.numel() for p in params)
    opt = torch.optim.SGD(params, lr=1e-3, momentum=0.9)
    cases = []
    for side in sides:
        prof = _profile_dict(profile_model(model, (side, side)))
        for b in TRAIN_BATCHES[-1:] if quick else TRAIN_BATCHES:
            x, y = torch.randn(b, 3, side, side), torch.randint(0, 10, (b,))

            def step(x=x, y=y) -> None:
                opt.zero_grad(set_to_none=True)
                F.cross_entropy(model(x), y).backward()
                opt.step()

            model.train()
            cases.append(Case(arch, side, "train", b, trainable, prof, cpu_seconds(step)))
        model.eval()
        for b in INFER_BATCHES[-1:] if quick else INFER_BATCHES:
            xe = torch.randn(b, 3, side, side)

            def infer(xe=xe) -> None:
                with torch.no_grad():
                    model(xe)

            cases.append(Case(arch, side, "infer", b, 0, prof, cpu_seconds(infer)))
        print(f"  measured {arch} {side} px", flush=True)
    return cases


def load_cases(path: Path) -> list[Case]:
    cases = [Case(**c) for c in json.loads(path.read_text())]
    for c in cases:
        c.profile["input_hw"] = tuple(c.profile["input_hw"])
    return cases


def fastest(passes: list[list[Case]]) -> list[Case]:
    """Per case (backbone, side, kind, batch), the pass that measured the least time."""
    best: dict[tuple[str, int, str, int], Case] = {}
    for cases in passes:
        for c in cases:
            key = (c.arch, c.side, c.kind, c.batch)
            if key not in best or c.seconds < best[key].seconds:
                best[key] = c
    return list(best.values())


def save_cases(path: Path, cases: list[Case]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps([dataclasses.asdict(c) for c in cases]))
    tmp.replace(path)


def measure(quick: bool, save: Path | None) -> list[Case]:
    """Every available offline backbone's cases; with ``save``, each backbone's cases are written
    as soon as they are measured and backbones already in the file are not measured again."""
    sides = (32, 64, 128) if quick else SIDES
    cases = load_cases(save) if save is not None and save.exists() else []
    done = {c.arch for c in cases}
    for arch in offline_names():
        if arch in done:
            continue
        if not is_available(arch):
            print(f"  skipped {arch}: its weight wheel is not installed")
            continue
        cases += backbone_cases(arch, sides, quick)
        if save is not None:
            save_cases(save, cases)
    return cases


def design_row(case: Case) -> np.ndarray:
    """The counts each of CostModelV2's network constants multiplies, in ``V2_NETWORK`` order."""
    p = ModelProfile(**case.profile)
    per_image = [
        p.dense_flops_per_image,
        p.depthwise_flops_per_image,
        p.activations_per_image,
        p.overpadded_depthwise_elements_per_image,
    ]
    row = np.zeros(len(V2_NETWORK))
    if case.kind == "train":
        row[5:9] = np.multiply(case.batch, per_image)
        row[9], row[10] = p.num_modules, case.trainable
    else:
        row[0:4] = np.multiply(case.batch, per_image)
        row[4] = p.num_modules  # one batch
    return row


# CostModelV2's network constants (seconds per counted unit), in design_row's column order.
V2_NETWORK = (
    "dense_flop_seconds",
    "depthwise_flop_seconds",
    "element_seconds",
    "overpadded_element_seconds",
    "module_call_seconds",
    "train_dense_flop_seconds",
    "train_depthwise_flop_seconds",
    "train_element_seconds",
    "train_overpadded_element_seconds",
    "train_module_call_seconds",
    "param_update_seconds",
)


def fit_rates(cases: list[Case]) -> dict[str, float]:
    """NNLS on relative error (each row divided by its measured seconds): every case counts."""
    a = np.array([design_row(c) for c in cases])
    t = np.array([c.seconds for c in cases])
    coef, _ = nnls(a / t[:, None], np.ones_like(t))
    return {name: float(c) for name, c in zip(V2_NETWORK, coef, strict=True)}


def print_fit(fitted: dict[str, float]) -> None:
    current = costs.cost_model()
    print(f"\nfitted network rates (clock version {current.version} in costs.py alongside):")
    for name, value in fitted.items():
        print(f"  {name:34s} fitted {value:10.3g}   costs.py {getattr(current, name):10.3g}")


def print_table(cases: list[Case]) -> None:
    """counted/measured per backbone x side, each column one (kind, batch), ``v1 -> v2``."""
    versions = sorted(costs.CLOCK_VERSIONS)
    columns = sorted({(c.kind, c.batch) for c in cases}, key=lambda k: (k[0] != "train", k[1]))
    head = "".join(f"{f'{kind} b={b}':>16s}" for kind, b in columns)
    print(f"\ncounted/measured, clock versions {' -> '.join(map(str, versions))}")
    print(f"{'backbone':26s}{'side':>5s}{head}")
    by_key = {(c.arch, c.side, c.kind, c.batch): c for c in cases}
    for arch, side in sorted({(c.arch, c.side) for c in cases}, key=lambda k: (k[0], k[1])):
        cells = []
        for kind, b in columns:
            case = by_key.get((arch, side, kind, b))
            ratios = [] if case is None else [case.counted(v) / case.seconds for v in versions]
            cells.append(f"{' -> '.join(f'{r:.2f}' for r in ratios):>16s}")
        print(f"{arch:26s}{side:5d}{''.join(cells)}")
    for v in versions:
        r = np.array([c.counted(v) / c.seconds for c in cases])
        inside = np.mean((r >= TARGET[0]) & (r <= TARGET[1]))
        print(
            f"version {v}: counted/measured min {r.min():.2f}, max {r.max():.2f}, geometric mean "
            f"{np.exp(np.mean(np.log(r))):.2f}; {inside:.0%} of {len(r)} cases in {TARGET}"
        )


def check_pixels() -> None:
    images = np.random.default_rng(0).integers(0, 255, (512, 96, 96, 1), dtype=np.uint8)
    norm = Normalizer((0.5,) * 3, (0.5,) * 3)
    gen = torch.Generator().manual_seed(0)

    def work() -> None:
        small = resize_images(images, (64, 64))
        for i in range(0, 512, 64):
            augment(norm(small[i : i + 64]), gen)

    seconds = cpu_seconds(work)
    values = 512 * 64 * 64 * 3
    counted = costs.pixel_seconds(512, 64, 64, 3)
    print(f"\npreprocessing: measured {seconds:.3f} s, counted {counted:.3f} s "
          f"({counted / seconds:.2f}x; pixel_seconds fitted {seconds / values:.3g})")  # fmt: skip


def check_simple_models() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(256, 1280)), rng.integers(0, 10, 256)
    xt = rng.normal(size=(400, 1280))
    for kind in ("LR", "SVC", "RF"):
        seconds = cpu_seconds(lambda kind=kind: fit_predict(kind, x, y, xt, 10, 0))
        fit = costs.sklearn_fit_seconds(kind, 256, 1280, 10)
        predict = costs.sklearn_predict_seconds(400, 1280, 10)
        per_op = costs.cost_model().fit_op_seconds(kind)
        fitted = (seconds - predict) / (fit / per_op)  # the fit's seconds per counted operation
        print(f"simple model {kind:4s}: measured {seconds:.3f} s, counted {fit + predict:.3f} s "
              f"({(fit + predict) / seconds:.2f}x; fit op seconds fitted {fitted:.3g}, "
              f"costs.py {per_op:.3g})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="3 sides, one batch per kind")
    parser.add_argument(
        "--save", type=Path, help="write the measurements to this JSON file (resumes from it)"
    )
    parser.add_argument(
        "--load", type=Path, nargs="+", help="fit and print saved measurements (several: the min)"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        if args.load:
            cases = fastest([load_cases(path) for path in args.load])
        else:
            cases = measure(args.quick, args.save)
        print_fit(fit_rates(cases))
        print_table(cases)
        if not args.load:
            check_pixels()
            check_simple_models()


if __name__ == "__main__":
    main()
