"""Calibrate (and check) the compute clock's reference rates in ``zapml.runtime.costs``.

Measures, with one torch thread (what compute-clock runs use), the real seconds of train steps and
inference for several backbones, input sizes and batches, plus preprocessing and the simple
models; fits the cost model's constants by non-negative least squares on relative error; and
prints the fitted constants next to the ones hard-coded in ``costs.py`` together with the ratio
counted/measured for every case. Timings take the minimum over repeats (the machine is shared:
the minimum is the least disturbed run).

    python benchmarks/bench_compute_clock.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F
from scipy.optimize import nnls

from zapml.runtime import costs
from zapml.runtime.costs import profile_model
from zapml.runtime.preprocess import Normalizer, augment, resize_images
from zapml.runtime.simple_model import fit_predict
from zapml.zoo import load_backbone

ARCHS = ("mobilenetv2_100", "efficientnet_lite0", "resnet18.scratch")


def best_of(fn, repeats: int) -> float:
    fn()  # warm-up: first calls build kernels / allocate
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def network_rows(sides, batches, repeats):
    """Rows [flops, activations, module calls, params] -> measured seconds."""
    rows, seconds, labels = [], [], []
    for arch in ARCHS:
        model = load_backbone(arch, num_classes=10)
        params = [p for p in model.parameters() if p.requires_grad]
        n_params = sum(p.numel() for p in params)
        opt = torch.optim.SGD(params, lr=1e-3, momentum=0.9)
        for side in sides:
            prof = profile_model(model, (side, side))
            for b in batches:
                x = torch.randn(b, 3, side, side)
                y = torch.randint(0, 10, (b,))

                def step(x=x, y=y, model=model, opt=opt):
                    opt.zero_grad(set_to_none=True)
                    F.cross_entropy(model(x), y).backward()
                    opt.step()

                model.train()
                t = best_of(step, repeats)
                rows.append(
                    [
                        3 * b * prof.flops_per_image,
                        3 * b * prof.activations_per_image,
                        3 * prof.num_modules,
                        n_params,
                    ]
                )
                seconds.append(t)
                labels.append(f"train {arch:20s} {side:4d}px b={b:3d}")
            model.eval()
            xe = torch.randn(128, 3, side, side)

            def infer(xe=xe, model=model):
                with torch.no_grad():
                    model(xe)

            t = best_of(infer, repeats)
            model.train()
            rows.append(
                [128 * prof.flops_per_image, 128 * prof.activations_per_image, prof.num_modules, 0]
            )
            seconds.append(t)
            labels.append(f"infer {arch:20s} {side:4d}px b=128")
    return np.array(rows, float), np.array(seconds), labels


def pixel_rate(repeats):
    images = np.random.default_rng(0).integers(0, 255, (512, 96, 96, 1), dtype=np.uint8)
    norm = Normalizer((0.5,) * 3, (0.5,) * 3)
    gen = torch.Generator().manual_seed(0)

    def work():
        small = resize_images(images, (64, 64))
        for i in range(0, 512, 64):
            augment(norm(small[i : i + 64]), gen)

    t = best_of(work, repeats)
    return t / (512 * 64 * 64 * 3)


def sklearn_rates(repeats):
    rng = np.random.default_rng(0)
    out = {}
    for kind in ("LR", "SVC", "RF"):
        x, y = rng.normal(size=(256, 1280)), rng.integers(0, 10, 256)
        xt = rng.normal(size=(400, 1280))
        t = best_of(lambda kind=kind, x=x, y=y, xt=xt: fit_predict(kind, x, y, xt, 10, 0), repeats)
        counted = costs.sklearn_fit_seconds(kind, 256, 1280, 10) + costs.sklearn_predict_seconds(
            400, 1280, 10
        )
        out[kind] = (t, counted)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    args = parser.parse_args()
    torch.set_num_threads(1)
    sides = (8, 32, 96) if args.quick else (8, 28, 64, 128)
    batches = (32,) if args.quick else (16, 64)
    repeats = 2 if args.quick else 3

    a, t, labels = network_rows(sides, batches, repeats)
    weights = 1.0 / t  # relative error: every case counts, small and large
    coef, _ = nnls(a * weights[:, None], t * weights)
    print("fitted constants (1 thread):")
    names = [
        "FLOPS_PER_SECOND",
        "ELEMENTS_PER_SECOND",
        "MODULE_CALL_SECONDS",
        "PARAM_UPDATE_SECONDS",
    ]
    current = [
        1 / costs.FLOPS_PER_SECOND,
        1 / costs.ELEMENTS_PER_SECOND,
        costs.MODULE_CALL_SECONDS,
        costs.PARAM_UPDATE_SECONDS,
    ]
    for name, c, cur in zip(names, coef, current, strict=True):
        shown = (1 / c if c > 0 else float("inf")) if "PER_SECOND" in name else c
        now = 1 / cur if "PER_SECOND" in name else cur
        print(f"  {name:22s} fitted {shown:10.4g}   in costs.py {now:10.4g}")
    counted = a @ np.array(current)
    print("\ncase                                         measured s  counted s  counted/measured")
    for lab, m, c in zip(labels, t, counted, strict=True):
        print(f"  {lab:42s} {m:9.4f}  {c:9.4f}  {c / m:6.2f}")
    ratio = counted / t
    print(
        f"\ncounted/measured over network cases: median {np.median(ratio):.2f}, "
        f"geometric mean {np.exp(np.mean(np.log(ratio))):.2f}, "
        f"range [{ratio.min():.2f}, {ratio.max():.2f}]"
    )

    px = pixel_rate(repeats)
    print(f"\nPIXEL_SECONDS fitted {px:.3g}   in costs.py {costs.PIXEL_SECONDS:.3g}")
    for kind, (m, c) in sklearn_rates(repeats).items():
        print(f"simple model {kind:4s}: measured {m:.3f} s, counted {c:.3f} s ({c / m:.2f}x)")


if __name__ == "__main__":
    main()
