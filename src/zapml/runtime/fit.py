"""``fit``: fine-tune one pipeline on a dataset under a budget, with anytime test predictions."""

from __future__ import annotations

import contextlib
import copy
import math
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch

from zapml.data.dataset import Dataset
from zapml.errors import DataError, PipelineError
from zapml.metrics import accuracy, alc, nauc
from zapml.runtime import artifacts, cpu_load
from zapml.runtime.clock import make_clock
from zapml.runtime.costs import check_clock_version, pixel_seconds, profile_model
from zapml.runtime.device import device_label, exact_float32, resolve_device
from zapml.runtime.layout import apply_layout, check_layout
from zapml.runtime.loop import AnytimeLoop, LoopData, LoopOutcome
from zapml.runtime.optim import freeze_portion
from zapml.runtime.output import OutputFolder
from zapml.runtime.preprocess import (
    Normalizer,
    input_size,
    resize_images,
    stratified_split,
    validation_count,
)
from zapml.runtime.progress import Progress
from zapml.runtime.result import FitResult, alc_t0
from zapml.runtime.simple_export import export_simple_model
from zapml.space import Pipeline, required_names

# Under the compute clock the run must be bit-reproducible: CPU kernels split their reductions by
# thread count, so it is pinned for the duration of fit. One thread, because on a shared machine
# OpenMP threads that spin at barriers while another process holds the core slow tiny-image work
# down by up to 50x (measured: frozen features of 256 8-px images 9 s with 2 threads under load,
# 0.18 s with 1), and the reference rates in costs.py were fitted for one thread.
COMPUTE_CLOCK_THREADS = 1

# Every hyperparameter the space always defines (the conditional ones are read only where their
# condition holds); derived from the space, the one list of hyperparameters.
REQUIRED = required_names()


def fit(
    pipeline: Pipeline | Mapping[str, Any],
    train: Dataset,
    test: Dataset | None = None,
    *,
    budget: float,
    clock: Literal["wall", "compute"] = "wall",
    seed: int = 0,
    output_dir: str | Path | None = None,
    progress: bool = True,
    num_threads: int | None = None,
    overwrite: bool = False,
    deadline: float | None = None,
    clock_version: int | None = None,
    layout: str | None = None,
    device: str | None = None,
) -> FitResult:
    """Fine-tune ``pipeline`` on ``train`` for ``budget`` seconds of ``clock``; predict ``test``
    along the way (anytime) and score each prediction when ``test`` has labels.

    The clock starts once the model is built (start-up, as in AutoDL, is not counted): resizing,
    the simple model, training, validation and test predictions all count. Divergence (a nan/inf
    loss) never raises: the result has ``status="failed"``, the ``error`` and the predictions made
    before it. With ``output_dir`` the final predictor, predictions, learning curve, pipeline and
    result are written there atomically (see ``zapml.runtime.artifacts`` and ``output``); an
    existing non-empty folder is refused unless ``overwrite``, and then replaced only once the
    run succeeded. Ctrl-C stops training, saves what the run has (``status="interrupted"``) and
    re-raises ``KeyboardInterrupt``. ``deadline`` (an absolute ``time.time()``, wall clock only)
    bounds the whole call, saving included: the training budget shrinks to fit. ``num_threads``
    sets torch's (and BLAS's) threads during a wall-clock run (default: the free cores);
    compute-clock runs always use ``COMPUTE_CLOCK_THREADS``. ``clock_version`` (``costs``),
    ``layout`` (``runtime.layout``): None = the current; a run's recorded ones reproduce it;
    ``device``: ``"cpu"`` (None), ``"cuda"``, ``"cuda:N"``, ``"auto"`` (``runtime.device``)."""
    call_start = time.perf_counter()
    pipe = _as_pipeline(pipeline)
    _check_inputs(train, test, budget, seed)
    # before the folder is touched
    version, layout, where = _check_run(clock, clock_version, layout, device, deadline)
    folder = None if output_dir is None else OutputFolder(Path(output_dir), overwrite)
    staging = None if folder is None else folder.prepare()
    try:
        result, outcome, saved = _run(
            pipe, train, test, budget, clock, seed, staging, progress, num_threads, deadline,
            version, layout, where,
        )  # fmt: skip
        result.startup_seconds = saved.wall_start - call_start
        if folder is not None and staging is not None:
            result.output_dir = str(folder.target)
            _save(staging, result, outcome, saved, pipe, train, test)
            result.wall_seconds = time.perf_counter() - saved.wall_start
            artifacts.save_result(staging, result)  # last, so it holds the final wall time
            folder.commit()
        else:
            result.wall_seconds = time.perf_counter() - saved.wall_start
    finally:
        if folder is not None:
            folder.discard()
    if outcome.interrupted:
        raise KeyboardInterrupt
    return result


def _check_run(
    clock: str,
    clock_version: int | None,
    layout: str | None,
    device: str | None,
    deadline: float | None,
) -> tuple[int, str, torch.device]:
    """An unknown clock name, clock version, layout or device, or a deadline that is no time,
    fails here; returns the clock version, the layout and the device."""
    if deadline is not None and not (isinstance(deadline, int | float) and math.isfinite(deadline)):
        raise PipelineError(f"The deadline must be a time.time() value; got {deadline!r}.")
    make_clock(clock)
    return check_clock_version(clock_version), check_layout(layout), resolve_device(device)


@dataclass
class _Built:
    """What saving needs from the run besides its outcome."""

    spec: Any
    hw: tuple[int, int]
    wall_start: float


def _run(
    pipe: Pipeline,
    train: Dataset,
    test: Dataset | None,
    budget: float,
    clock: str,
    seed: int,
    staging: Path | None,
    progress: bool,
    num_threads: int | None,
    deadline: float | None,
    version: int,
    layout: str,
    device: torch.device,
) -> tuple[FitResult, LoopOutcome, _Built]:
    """Build the model, start the clock, train; returns the result (not yet saved)."""
    run_clock = make_clock(clock)
    if clock == "compute":
        threads = COMPUTE_CLOCK_THREADS
    else:
        threads = num_threads if num_threads is not None else free_threads()
    # fork_rng: seeding the global torch RNG for this run must not change the caller's stream
    # (nor, on a GPU, that device's: dropout draws from it there).
    gpus = [device.index] if device.type == "cuda" else []
    with _torch_threads(threads), torch.random.fork_rng(devices=gpus), exact_float32(device):
        spec, model, hw = _build_model(pipe, train, seed)
        profile = profile_model(model, hw, clock_version=version)
        apply_layout(model, layout)  # after counting: the clock's costs do not depend on it
        model.to(device)  # built and initialised on the CPU, so its weights match a CPU run's
        predict_model = copy.deepcopy(model)
        normalize = Normalizer(spec.mean, spec.std)
        if staging is not None:
            import matplotlib  # noqa: F401  (import is start-up: keep it off the budget)
        run_budget = budget
        if clock == "wall" and deadline is not None:
            save = planned_save_seconds(profile.num_params, test, staging is not None)
            run_budget = deadline_budget(budget, deadline - time.time(), save)
        bar = Progress(run_budget, clock, pipe.architecture, enabled=progress)
        with bar:
            run_clock.start()
            wall_start = time.perf_counter()
            data, prep_cost = _prepare_data(pipe, train, test, hw, normalize, seed, version)
            loop = AnytimeLoop(
                model=model, predict_model=predict_model, pipeline=pipe, data=data,
                clock=run_clock, budget=run_budget, profile=profile, seed=seed, progress=bar,
                score_test=None if test is None else (lambda p: nauc(test.labels, p)),
            )  # fmt: skip
            loop.charge(prep_cost)
            outcome = loop.run(simple_model_first=bool(pipe["first_simple_model"]))
    result = _result(pipe, test, run_budget, clock, seed, outcome)
    result.requested_budget = float(budget)
    result.warnings = test_set_warnings(test)
    result.num_threads = threads
    result.clock_version = version
    result.layout = layout
    result.device = device_label(device)
    return result, outcome, _Built(spec, hw, wall_start)


# Saving under a deadline is planned from what will be written, conservatively: the weights
# (float32, 4 bytes per parameter) and predictions.csv (~16 bytes per probability) at
# SAVE_BYTES_PER_SECOND, a slow shared disk with safetensors/CSV formatting included, plus
# SAVE_FIXED_SECONDS for the learning-curve plot (matplotlib: ~0.3 s measured on the 2-core
# development machine, x5 for load) and the small JSON files.
SAVE_BYTES_PER_SECOND = 20e6
SAVE_FIXED_SECONDS = 1.5
CSV_BYTES_PER_VALUE = 16
# Building the result (scoring every prediction) and leaving the loop after the budget's end.
AFTER_RUN_SECONDS = 0.5


def planned_save_seconds(num_params: int, test: Dataset | None, saving: bool) -> float:
    """Conservative wall seconds from the end of training to ``fit`` returning."""
    if not saving:
        return AFTER_RUN_SECONDS
    n_values = 0 if test is None else len(test) * test.num_classes
    written = 4.0 * num_params + CSV_BYTES_PER_VALUE * n_values
    return AFTER_RUN_SECONDS + SAVE_FIXED_SECONDS + written / SAVE_BYTES_PER_SECOND


def deadline_budget(budget: float, seconds_left: float, save_seconds: float) -> float:
    """The training budget under a deadline ``seconds_left`` from now: what remains after the
    planned save, at most ``budget``; PipelineError when nothing remains."""
    available = seconds_left - save_seconds
    if available <= 0:
        raise PipelineError(
            f"The deadline leaves {seconds_left:.1f} s, less than the {save_seconds:.1f} s "
            "planned for saving the run; give a later deadline or a larger --budget."
        )
    return min(float(budget), available)


def test_set_warnings(test: Dataset | None) -> list[str]:
    """Why the test scores of this run cannot mean much, if they cannot."""
    if test is None:
        return []
    if len(test) < 2:
        return [
            f"The test set '{test.name}' holds {len(test)} image: NAUC and ALC need images of at "
            "least 2 classes and are reported as 0; add test images."
        ]
    present = len(np.unique(test.labels))
    if present < 2:
        return [
            f"The test set '{test.name}' holds images of only {present} class: NAUC and ALC "
            "need at least 2 classes and are reported as 0; add images of other classes."
        ]
    return []


def _as_pipeline(pipeline: Pipeline | Mapping[str, Any]) -> Pipeline:
    pipe = pipeline if isinstance(pipeline, Pipeline) else Pipeline(dict(pipeline))
    missing = [k for k in REQUIRED if k not in pipe]
    if missing:
        raise PipelineError(
            f"The pipeline lacks {missing}; start from zapml.space.default_pipeline().replace(...)."
        )
    return pipe


def check_run_settings(budget: float, seed: int) -> None:
    """The budget and seed of a run; callers may check them before any work (loading data)."""
    if not (isinstance(budget, int | float) and math.isfinite(budget) and budget > 0):
        raise PipelineError(
            f"The budget must be a positive, finite number of seconds (--budget 60); "
            f"got {budget!r}."
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise PipelineError(f"The seed must be an integer >= 0 (--seed 0); got {seed!r}.")


def _check_inputs(train: Dataset, test: Dataset | None, budget: float, seed: int) -> None:
    check_run_settings(budget, seed)
    if len(np.unique(train.labels)) < 2:
        raise DataError(f"Dataset '{train.name}': training needs at least 2 classes with images.")
    if test is not None:
        if len(test) == 0:
            raise DataError(f"Dataset '{test.name}': the test set is empty; pass test=None.")
        if tuple(test.class_names) != tuple(train.class_names):
            raise DataError(
                f"Test set '{test.name}' has classes {list(test.class_names)[:10]}, "
                f"training set {list(train.class_names)[:10]}; they must be the same "
                "names in the same order."
            )
        if test.num_channels != train.num_channels:
            raise DataError(
                f"Test images have {test.num_channels} channel(s), training images "
                f"{train.num_channels}; convert one of them."
            )


def free_threads() -> int:
    """Threads a wall-clock run should use: the cores not busy with other processes right now
    (cores minus ``others_load``), between 1 and torch's setting. On an idle machine that is
    torch's default; on a shared one it avoids running more threads than free cores, where OpenMP
    threads spinning at barriers while another process holds their core made a 20 s `zap fit`
    take 53 s (2 threads, 2 cores, load ~4)."""
    cores = os.cpu_count() or 1
    return max(1, min(torch.get_num_threads(), round(cores - others_load())))


def others_load() -> float:
    """Cores busy with other processes right now: measured from the kernel's CPU counters
    (``cpu_load``); where they are missing, the 1-minute load average less this process (0 where
    the platform keeps no load average either)."""
    measured = cpu_load.others_busy_cores()
    if measured is not None:
        return measured
    try:
        return max(os.getloadavg()[0] - 1.0, 0.0)
    except OSError:
        return 0.0


@contextlib.contextmanager
def _torch_threads(count: int) -> Iterator[None]:
    """torch and the BLAS under numpy/sklearn (the simple model) use ``count`` threads."""
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        with threadpool_limits(limits=count):
            yield
    finally:
        torch.set_num_threads(before)


def _build_model(
    pipe: Pipeline, train: Dataset, seed: int
) -> tuple[Any, torch.nn.Module, tuple[int, int]]:
    from zapml.zoo import get_spec, load_backbone

    spec = get_spec(pipe.architecture)
    torch.manual_seed(seed)  # the new head (and a scratch backbone) draw from the global RNG
    model = load_backbone(pipe.architecture, num_classes=train.num_classes)
    freeze_portion(model, float(pipe["freeze_portion"]))
    hw = input_size(train.resolution, int(pipe["log2_max_size"]))
    return spec, model, hw


def _prepare_data(
    pipe: Pipeline,
    train: Dataset,
    test: Dataset | None,
    hw: tuple[int, int],
    normalize: Normalizer,
    seed: int,
    clock_version: int,
) -> tuple[LoopData, float]:
    """Resize everything once and split off ZAP's stratified validation set; returns the data and
    the counted cost of the resizing."""
    n_valid = validation_count(
        len(train), float(pipe["cv_valid_ratio"]), int(pipe["max_valid_count"])
    )
    train_idx, valid_idx = stratified_split(train.labels, n_valid, np.random.default_rng(seed))
    images = resize_images(train.images, hw)
    test_images = None if test is None else resize_images(test.images, hw)
    n_images = len(train) + (0 if test is None else len(test))
    cost = pixel_seconds(n_images, hw[0], hw[1], train.num_channels, clock_version)
    data = LoopData(
        train_images=images[torch.from_numpy(train_idx)],
        train_labels=torch.from_numpy(train.labels[train_idx].astype(np.int64)),
        valid_images=images[torch.from_numpy(valid_idx)],
        valid_labels=train.labels[valid_idx],
        test_images=test_images,
        normalize=normalize,
        num_classes=train.num_classes,
    )
    return data, cost


def _result(
    pipe: Pipeline, test: Dataset | None, budget: float, clock: str, seed: int, out: LoopOutcome
) -> FitResult:
    result = FitResult(
        status="failed" if out.error else "interrupted" if out.interrupted else "ok",
        error=out.error,
        clock=clock,
        budget=float(budget),
        seed=seed,
        pipeline_id=pipe.id,
        architecture=pipe.architecture,
        compute_seconds=out.counted_seconds,
        num_train_steps=out.steps,
        num_epochs=out.epochs,
        notes=list(out.notes),
    )
    for pred in out.predictions:
        result.timestamps.append(pred.time)
        result.prediction_sources.append(pred.source)
        if test is not None:
            result.test_nauc.append(nauc(test.labels, pred.proba))
            result.test_accuracy.append(accuracy(test.labels, pred.proba))
    if out.predictions:
        result.test_probabilities = out.predictions[-1].proba
    if test is not None:
        result.alc = alc(result.timestamps, result.test_nauc, T=budget, t0=alc_t0(budget))
        if result.test_nauc:
            result.final_nauc = result.test_nauc[-1]
            result.final_accuracy = result.test_accuracy[-1]
    return result


def _save(
    folder: Path,
    result: FitResult,
    out: LoopOutcome,
    built: _Built,
    pipe: Pipeline,
    train: Dataset,
    test: Dataset | None,
) -> None:
    """Every artifact but result.json into ``folder`` (the staging folder)."""
    from zapml.runtime.plots import plot_learning_curve

    pipe.to_yaml(folder / artifacts.PIPELINE_FILE)
    final = result.prediction_sources[-1] if result.prediction_sources else None
    state, simple_arrays, simple_header = out.final_state, None, None
    if final == "simple_model" and out.simple_model is not None:
        # The simple model made the final predictions: save it and the backbone it read.
        simple_arrays, simple_header = export_simple_model(
            out.simple_model.kind, out.simple_model.estimator
        )
        state = out.simple_model.backbone
    if state is not None:
        state = {name: tensor.cpu() for name, tensor in state.items()}  # a GPU run's snapshots
        config = artifacts.ModelConfig(
            architecture=pipe.architecture, timm_arch=built.spec.timm_arch,
            num_classes=train.num_classes, input_size=built.hw, in_channels=train.num_channels,
            mean=tuple(built.spec.mean), std=tuple(built.spec.std), pipeline=pipe.to_dict(),
            pipeline_id=pipe.id, final_predictor=final, simple_model=simple_header,
            layout=result.layout,
        )  # fmt: skip
        artifacts.save_model(folder, state, config, train.class_names, simple_arrays)
    if result.test_probabilities is not None:
        artifacts.save_predictions(
            folder / artifacts.PREDICTIONS_FILE,
            result.test_probabilities,
            train.class_names,
            image_ids=None if test is None else test.image_ids,
        )
    artifacts.save_curve(folder, result)
    plot_learning_curve(result, folder / artifacts.CURVE_PLOT)
