"""Train-step and inference speed of every zoo backbone in the two memory layouts on CPU.

The runtime trains and predicts channels-last on CPU (``zapml.runtime.layout``); this prints what
that buys against the contiguous (NCHW) layout, per backbone and input side, as median seconds and
the speed-up. One torch thread, as compute-clock runs and the meta-dataset builder use. Runs are
interleaved (contiguous, channels-last, contiguous, ...) because the machine may be shared.

    python benchmarks/bench_layout.py [--sides 32 64 128] [--repeats 5] [--batch 32]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import torch
import torch.nn.functional as F

from zapml.runtime.layout import CHANNELS_LAST, CONTIGUOUS, apply_layout
from zapml.zoo import load_backbone, offline_names

EVAL_BATCH = 128


def timed(fn: Callable[[], None], repeats: int) -> float:
    fn()  # warm-up: the first call allocates and picks kernels
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def step_and_forward(arch: str, side: int, batch: int, layout: str) -> tuple[Callable, Callable]:
    torch.manual_seed(0)
    model = apply_layout(load_backbone(arch, num_classes=10), layout)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    x = torch.randn(batch, 3, side, side)
    y = torch.arange(batch) % 10
    x_eval = torch.randn(EVAL_BATCH, 3, side, side)

    def step() -> None:
        model.train()
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()

    def forward() -> None:
        model.eval()
        with torch.no_grad():
            model(x_eval)

    return step, forward


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sides", type=int, nargs="+", default=[32, 64, 128])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument(
        "--backbones", nargs="+", default=None, help="default: every backbone available offline"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    names = args.backbones or offline_names()
    print(f"torch {torch.__version__}, 1 thread, batch {args.batch} (eval {EVAL_BATCH})")
    print(f"{'backbone':28} {'side':>4} {'train NCHW':>10} {'train CL':>9} {'x':>5} "
          f"{'eval NCHW':>9} {'eval CL':>8} {'x':>5}")  # fmt: skip
    for name in names:
        for side in args.sides:
            res: dict[str, list[float]] = {}
            fns = {
                lay: step_and_forward(name, side, args.batch, lay)
                for lay in (CONTIGUOUS, CHANNELS_LAST)
            }
            for lay, (step, fwd) in fns.items():
                res[lay] = [timed(step, args.repeats), timed(fwd, args.repeats)]
            t_nchw, e_nchw = res[CONTIGUOUS]
            t_cl, e_cl = res[CHANNELS_LAST]
            print(f"{name:28} {side:>4} {t_nchw:>10.3f} {t_cl:>9.3f} {t_nchw / t_cl:>5.2f} "
                  f"{e_nchw:>9.3f} {e_cl:>8.3f} {e_nchw / e_cl:>5.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
