"""Training throughput of the runtime's loop against a plain PyTorch loop.

Both train the same backbone (fresh copies, same seed) at the same resolution and batch size with
the same optimizer (SGD, momentum 0.9, Nesterov) on the same preprocessed images. The plain loop is
the textbook one: index a float tensor, forward, cross-entropy, backward, step. The runtime's loop
(``AnytimeLoop`` with the wall clock, no test set, validation off) adds what ``fit`` does per step:
uint8 -> float normalisation, flip/shift augmentation, the LR schedule, divergence checks, cost
bookkeeping and the clock. Runs are interleaved and repeated, medians reported, because the
machine is shared. Target: overhead <= 10%.

    python benchmarks/bench_throughput.py [--repeats 5] [--seconds 6] [--side 32] [--batch 32]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

from zapml.runtime.clock import WallClock
from zapml.runtime.costs import profile_model
from zapml.runtime.loop import AnytimeLoop, LoopData
from zapml.runtime.preprocess import Normalizer
from zapml.runtime.progress import Progress
from zapml.space import default_pipeline
from zapml.zoo import get_spec, load_backbone

ARCH = "mobilenetv2_100"


def make_data(n: int, side: int, classes: int) -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng(0)
    images = torch.from_numpy(rng.integers(0, 256, (n, 1, side, side), dtype=np.uint8))
    labels = torch.from_numpy(rng.integers(0, classes, n).astype(np.int64))
    return images, labels


def runtime_loop(model, images, labels, normalize, batch: int, seconds: float) -> float:
    pipe = default_pipeline().replace(
        batch_size=batch,
        lr=1e-3,
        warmup_multiplier=1.0,
        first_simple_model=False,
        skip_valid_score_threshold=2.0,  # never validate: measure training only
    )
    data = LoopData(
        train_images=images,
        train_labels=labels,
        valid_images=images[:0],
        valid_labels=np.zeros(0, dtype=np.int64),
        test_images=None,
        normalize=normalize,
        num_classes=10,
    )
    clock = WallClock()
    loop = AnytimeLoop(
        model=model,
        predict_model=model,
        pipeline=pipe,
        data=data,
        clock=clock,
        budget=seconds,
        profile=profile_model(model, tuple(images.shape[2:])),
        seed=0,
        progress=Progress(seconds, "wall", ARCH, enabled=False),
    )
    clock.start()
    t = time.perf_counter()
    out = loop.run()
    return out.steps * batch / (time.perf_counter() - t)


def plain_loop(model, images, labels, normalize, batch: int, seconds: float) -> float:
    x_all = normalize(images)  # preprocessed once, as a plain script would
    opt = torch.optim.SGD(
        model.parameters(), lr=1e-3, momentum=0.9, nesterov=True, weight_decay=5e-4
    )
    gen = torch.Generator().manual_seed(0)
    steps, t = 0, time.perf_counter()
    while time.perf_counter() - t < seconds:
        idx = torch.randint(0, len(labels), (batch,), generator=gen)
        loss = F.cross_entropy(model(x_all[idx]), labels[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        steps += 1
    return steps * batch / (time.perf_counter() - t)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--side", type=int, default=32)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    spec = get_spec(ARCH)
    normalize = Normalizer(spec.mean, spec.std)
    images, labels = make_data(2048, args.side, 10)
    torch.manual_seed(0)
    base = load_backbone(ARCH, num_classes=10)
    rates: dict[str, list[float]] = {"plain": [], "runtime": []}
    for r in range(args.repeats):
        # Alternate which goes first so slow phases of the shared machine hit both alike.
        order = ("plain", "runtime") if r % 2 == 0 else ("runtime", "plain")
        for name in order:
            fn = plain_loop if name == "plain" else runtime_loop
            rates[name].append(
                fn(copy.deepcopy(base), images, labels, normalize, args.batch, args.seconds)
            )
        print(
            f"repeat {r + 1}: plain {rates['plain'][-1]:7.1f} img/s   "
            f"runtime {rates['runtime'][-1]:7.1f} img/s",
            flush=True,
        )
    plain, runtime = statistics.median(rates["plain"]), statistics.median(rates["runtime"])
    # Each repeat's two runs ran back to back, so their ratio cancels most of the machine's drift.
    paired = statistics.median(r / p for r, p in zip(rates["runtime"], rates["plain"], strict=True))
    overhead = 1.0 - paired
    print(
        f"{ARCH} {args.side}px batch {args.batch}, {args.threads} thread(s), "
        f"{args.repeats} interleaved repeats of {args.seconds:g} s"
    )
    print(f"median plain loop   {plain:8.1f} images/s")
    print(f"median runtime loop {runtime:8.1f} images/s")
    print(f"overhead of the medians {100 * (1.0 - runtime / plain):+.1f}%")
    print(
        f"runtime overhead, median of paired ratios {100 * overhead:+.1f}% (target <= 10%): "
        f"{'OK' if overhead <= 0.10 else 'OVER'}"
    )


if __name__ == "__main__":
    main()
