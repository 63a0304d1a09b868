"""The bodies of ``zap fit``, ``predict``, ``recommend``, ``selector train`` and ``benchmark``:
call the library, print what it returns. Nothing here decides anything the library could."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from rich.console import Console
from rich.table import Table

from zapml._numbers import readable
from zapml.errors import PipelineError
from zapml.metadataset.objectives import (
    DEFAULT_OBJECTIVE,
    check_objective,
    describe,
    objective_for,
)
from zapml.selectors.choice import (
    PipelineChoice,
    choose_pipeline,
    resolve_selector_dir,
    selector_budget,
)

if TYPE_CHECKING:
    import pandas as pd

    from zapml.data import DataSplit
    from zapml.evaluation import Protocol
    from zapml.metadataset.metadataset import MetaDataset
    from zapml.runtime import FitResult
    from zapml.runtime.calibration import WallConversion
    from zapml.selectors import Recommendation, Selector

#: the share of the images `zap fit` holds out as a test set when the data has none
HELD_OUT_TEST_FRACTION = 0.2


def process_start_time() -> float:
    """When this process started (``time.time()`` epoch seconds), so a wall-clock ``--budget``
    can bound the whole command, interpreter start-up and imports included. Linux reads it from
    /proc (10 ms resolution); elsewhere, or when that time predates this interpreter, the time
    this module was imported is the best we know."""
    try:
        stat = Path("/proc/self/stat").read_text()
        # Field 22 (starttime, clock ticks after boot) counted after the ")" that ends the
        # command name, which may itself contain spaces.
        ticks = int(stat.rsplit(")", 1)[1].split()[19])
        boot = next(
            float(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
        started = boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return _IMPORTED_AT
    return started if _IMPORTED_AT - started <= MAX_STARTUP_SECONDS else _IMPORTED_AT


_IMPORTED_AT = time.time()
#: /proc's start time is the process's fork, not its exec: `bash -c "scripts/setup.sh && zap fit
#: ..."` execs zap in the shell's own process, which started before the set-up ran (measured: a
#: fresh clone's README command then began its 60-s budget 150 s in deficit). The interpreter
#: reaches this module within a second or two of its exec, so a larger gap means the process
#: did other work before it: the import time is then the start.
MAX_STARTUP_SECONDS = 15.0


def run_fit(
    data: str,
    *,
    budget: float,
    output_dir: Path,
    pipeline_path: Path | None = None,
    selector: str | Path | None = None,
    objective: str = DEFAULT_OBJECTIVE,
    clock: str = "wall",
    seed: int = 0,
    overwrite: bool = False,
    progress: bool = True,
    started_at: float | None = None,
    recalibrate: bool = False,
    history: str | Path | None = None,
    keep_history: bool = True,
    strategy: str = "zero-shot",
    transfer_state: Path | None = None,
    device: str = "cpu",
    console: Console,
) -> FitResult:
    """Load DATA, choose a pipeline zero-shot, fine-tune it (the network on ``device``), print
    the summary, append the run to the fit history. On the wall clock everything from
    ``started_at`` (default: process start) to the return fits in ``budget``; on the compute clock
    it counts the run alone. A budget-aware selector is told it in compute seconds."""
    from zapml.runtime import cpu_load, fit
    from zapml.runtime.calibration import WallConversion

    cpu_load.mark()  # how busy others keep the cores is measured over loading and ranking
    _check_fit_settings(budget, seed, objective, device, Path(output_dir), overwrite)
    deadline = _wall_deadline(clock, budget, started_at)
    split = _load_split(data, seed, console)
    assert split.test is not None
    choice, training_budget = _choose(
        strategy, split, pipeline_path, selector, objective=objective, budget=budget,
        clock=clock, seed=seed, conversion=WallConversion(device, recalibrate),
        transfer_state=transfer_state, console=console,
    )  # fmt: skip
    console.print(
        f"[bold]zap fit[/] {data}: {len(split.train)} train / {len(split.test)} test images, "
        f"{split.train.num_classes} classes; {choice.pipeline.architecture} ({choice.origin}); "
        f"budget {budget:g} s ({clock} clock)"
    )
    _print_choice_notes(console, choice)
    result = fit(
        choice.pipeline, split.train, split.test, budget=training_budget,
        clock=clock,  # type: ignore[arg-type]
        seed=seed, output_dir=output_dir, overwrite=overwrite, progress=progress,
        deadline=deadline, device=device,
    )  # fmt: skip
    _print_fit_summary(console, result, output_dir)
    if keep_history:
        _append_history(console, result, split.train, choice.pipeline, history)
    return result


def _check_fit_settings(
    budget: float, seed: int, objective: str, device: str, output_dir: Path, overwrite: bool
) -> None:
    """Everything a run needs that can be checked before the data loads (a missing GPU too)."""
    from zapml.runtime import check_output_dir, check_run_settings
    from zapml.runtime.device import resolve_device

    check_run_settings(budget, seed)
    resolve_device(device)
    check_objective(objective)
    check_output_dir(output_dir, overwrite=overwrite)


def _wall_deadline(clock: str, budget: float, started_at: float | None) -> float | None:
    """When a wall-clock run must end (``started_at``, default this process's start, + budget);
    None on the compute clock, which counts the training run alone."""
    if clock != "wall":
        return None
    return (started_at if started_at is not None else process_start_time()) + budget


def _append_history(
    console: Console, result: FitResult, train: Any, pipeline: Any, path: str | Path | None
) -> None:
    """Append the fit to the history at ``path`` (default ``history.paths.history_path()``): one
    small SQLite write, inside a wall budget. A history that cannot be written costs a warning,
    never the fit (its model is saved already)."""
    from zapml.errors import ZapError
    from zapml.history.paths import history_path
    from zapml.history.store import append_fit

    try:
        record = append_fit(result, train, pipeline, path=path)
    except (ZapError, OSError) as err:
        console.print(f"[yellow]warning:[/] the fit was not added to the history: {err}")
        return
    if record is not None:
        console.print(
            f"[dim]history: run added to {history_path(path)} (`zap selector update` learns "
            "from it; --no-history to skip)[/]"
        )


def _choose(
    strategy: str,
    split: DataSplit,
    pipeline_path: Path | None,
    selector: str | Path | None,
    *,
    objective: str,
    budget: float,
    clock: str,
    seed: int,
    conversion: WallConversion | None,
    transfer_state: Path | None,
    console: Console,
) -> tuple[PipelineChoice, float]:
    """The pipeline and the budget left for training it: zero-shot (a selector, after its probe
    features are computed and charged, a file, or the default) or Tr-AutoML transfer (share a
    group's pipeline or search one, charged to the budget)."""
    if strategy != "transfer":
        from zapml.runtime.calibration import measured_once
        from zapml.selectors.feasibility import data_shape
        from zapml.selectors.query import charged_budget, describe_probe_cost, fit_query

        if pipeline_path is None:  # a selector ranks: the probe gate and it convert the budget
            conversion = measured_once(conversion, clock)
        query, pick = fit_query(
            pipeline_path, selector, objective, split.train, budget, clock, conversion
        )
        left = charged_budget(budget, clock, query)  # what the probe features left
        if pick.note:
            console.print(f"[dim]{pick.note}[/]")
        if query.backbones:
            console.print(f"[dim]{describe_probe_cost(query, clock)}[/]")
        choice = choose_pipeline(
            pipeline_path, pick.selector_dir or selector, query.values, objective=objective,
            budget=left, clock=clock, conversion=conversion, data=data_shape(split),
        )  # fmt: skip
        return choice, left
    from zapml.transfer.fitting import transfer_pipeline_choice

    if pipeline_path is not None or selector is not None:
        raise PipelineError(
            "--strategy transfer chooses the pipeline itself; drop --pipeline and --selector, "
            "or use --strategy zero-shot"
        )
    return transfer_pipeline_choice(
        split.train, budget, clock, seed=seed, state_path=transfer_state, conversion=conversion
    )


def _load_split(data: str, seed: int, console: Console) -> DataSplit:
    """DATA with a test split (a stratified 20% when it has none), its warnings printed."""
    from zapml.data import load_data

    split = load_data(data)
    if split.test is None:
        split = split.stratified_test_split(test_fraction=HELD_OUT_TEST_FRACTION, seed=seed)
        console.print("[dim]no test split in the data: holding out a stratified 20% as test[/]")
    for warning in split.train.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    return split


def _print_choice_notes(console: Console, choice: PipelineChoice) -> None:
    for note in choice.budget_notes:
        console.print(f"[dim]{note}[/]")
    for warning in choice.warnings:
        console.print(f"[yellow]warning (selector):[/] {warning}")


def _print_fit_summary(console: Console, result: FitResult, output_dir: Path) -> None:
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    for note in result.notes:
        console.print(f"note: {note}")
    if result.status != "ok":
        console.print(f"[bold red]run {result.status}:[/] {result.error}")
    acc = result.final_accuracy
    console.print(
        f"ALC {result.alc:.4f}  |  final NAUC {result.final_nauc:.4f}  |  "
        f"test accuracy {acc:.4f}  |  {len(result.timestamps)} predictions in "
        f"{result.wall_seconds:.1f} wall s"
        if acc is not None
        else f"ALC {result.alc:.4f}"
    )
    console.print(f"artifacts: {Path(output_dir).resolve()}")


def run_predict(
    model_dir: Path, data: str, *, output_csv: Path | None = None, console: Console
) -> pd.DataFrame:
    """Predict an image, a folder of images, or a labelled dataset (then accuracy is reported).
    Every row names its image: the file path, or ``<source>#<index>`` for array data."""
    import pandas as pd

    from zapml.runtime import load_model

    model = load_model(model_dir)
    frames = []
    for part, ds in _prediction_parts(model, data, console):
        proba = model.predict_proba(ds)
        predicted = [model.class_names[i] for i in proba.argmax(axis=1)]
        frame = pd.DataFrame(proba, columns=[f"p_{n}" for n in model.class_names])
        frame.insert(0, "predicted", predicted)
        frame.insert(0, "image", list(ds.image_ids))
        frame.insert(0, "split", part)
        if ds.class_names != ("?",):
            truth = [ds.class_names[i] for i in ds.labels]
            frame.insert(3, "label", truth)
            acc = float(np.mean([p == t for p, t in zip(predicted, truth, strict=True)]))
            console.print(f"{part}: accuracy {acc:.4f} on {len(ds)} images")
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    if output_csv is not None:
        table.to_csv(output_csv, index=False)
        console.print(f"wrote {len(table)} predictions to {output_csv}")
    else:
        shown = table[[c for c in table.columns if not c.startswith("p_")]]
        console.print(shown.to_string(index=False), highlight=False)
    return table


def _prediction_parts(model: Any, data: str, console: Console) -> list[tuple[str, Any]]:
    from zapml.data import Dataset, load_data
    from zapml.data.unlabeled import is_unlabeled_source, load_unlabeled

    if is_unlabeled_source(data):
        side = model.config.input_size[0]
        images, paths, warnings = load_unlabeled(data, side=side, channels=model.config.in_channels)
        for warning in warnings:
            console.print(f"[yellow]warning:[/] {warning}")
        labels = np.zeros(len(images), dtype=np.int64)
        unlabeled = Dataset(images, labels, ("?",), name=str(data), image_ids=tuple(paths))
        return [("images", unlabeled)]
    split = load_data(data)
    return [(part, ds) for part, ds in (("train", split.train), ("test", split.test)) if ds]


def builtin_table() -> Table:
    from zapml.data import list_builtin

    table = Table(title="Built-in datasets (use the name as DATA, e.g. `zap fit digits`)")
    for col in ("name", "domain", "classes", "images", "here", "description"):
        table.add_column(col, overflow="fold")
    hints = []
    for info in list_builtin():
        here = "yes" if info.available else "[red]no[/] (*)"
        table.add_row(
            info.name, info.domain, str(info.classes), str(info.images), here, info.description
        )
        if not info.available:
            hints.append(f"(*) {info.name}: {info.install_hint}")
    if hints:
        table.caption = "\n".join(hints)
    return table


def train_selector_cli(
    metadataset: Path,
    output: Path,
    *,
    method: str,
    seed: int,
    objective: str = DEFAULT_OBJECTIVE,
    budget: float | None = None,
    features: str = "trivial",
    settings: Sequence[str] = (),
    console: Console,
) -> None:
    """Train and save a selector on one feature set (``MetaDataset.select_features``); on a
    meta-dataset of several budgets it is budget-aware (the budget is an input) unless
    ``budget`` restricts it to one. ``settings`` are ``KEY=VALUE`` constructor arguments
    (``registry.parse_settings``), checked before the meta-dataset is read."""
    import inspect

    from zapml.selectors import SELECTORS
    from zapml.selectors.api import train_selector
    from zapml.selectors.registry import parse_settings

    if method not in SELECTORS:
        raise PipelineError(
            f"--method {method!r} is not a trainable selector; choose one of "
            f"{', '.join(sorted(SELECTORS))}."
        )
    try:
        params: dict[str, Any] = parse_settings(method, settings)
    except ValueError as err:
        raise PipelineError(f"--set: {err}") from None
    if "seed" in params:
        raise PipelineError("--set seed=...: give the seed with --seed instead.")
    mds = scored_metadataset(metadataset, objective).select_features(features)
    objective = mds.objective
    if budget is not None:
        mds = mds.at_budget(budget)
    console.print(f"features: {features} ({', '.join(mds.metafeature_names())})")
    console.print(
        f"training {method} for the objective {describe(objective)} on {len(mds.tasks)} tasks "
        f"x {len(mds.pipelines)} pipelines ({mds.density:.0%} of cells filled)"
    )
    console.print(_budget_line(mds.budgets, restricted=budget is not None))
    if "seed" in inspect.signature(SELECTORS[method].__init__).parameters:
        params["seed"] = seed
    if params:
        shown = ", ".join(f"{k}={v!r}" for k, v in sorted(params.items()))
        console.print(f"settings: {shown} (the rest: {method}'s defaults)")
    try:
        train_selector(mds, method, out_dir=output, objective=objective, **params)
    except ValueError as err:
        # Selectors check their settings' values when they fit ("The 'k' parameter must ...").
        if any(str(err).startswith(f"The '{key}' parameter") for key in params):
            raise PipelineError(f"--set: {err}") from None
        raise
    console.print(
        f"saved to {output.resolve()}  (use: zap recommend DATA --selector {output} "
        f"--objective {objective})"
    )


def scored_metadataset(path: Path, objective: str) -> MetaDataset:
    """The meta-dataset at ``path`` scored by ``objective`` (``objectives.objective_for``: an
    imported one that declares its own measure is scored by that measure)."""
    from zapml.metadataset import load_metadataset

    mds = load_metadataset(path)
    return mds.for_objective(objective_for(mds.objective, objective))


def _budget_line(budgets: tuple[float, ...], restricted: bool) -> str:
    """How the selector about to be trained treats the budget (it follows ``Selector.fit``)."""
    listed = ", ".join(f"{b:g}" for b in budgets)
    if len(budgets) >= 2:
        return (
            f"budget-aware: one training row per (task, budget) at budgets {listed} compute-s; "
            "the budget is an input of the selector (--budget B trains on one budget only)"
        )
    if restricted:
        return f"budget {listed} compute-s only (--budget): the selector ignores the budget"
    if budgets:
        return f"one budget ({listed} compute-s) in the meta-dataset: the selector ignores it"
    return "no budgets recorded in the meta-dataset: the selector ignores the budget"


def run_recommend(
    data: str,
    *,
    selector: str | Path | None,
    top: int,
    save: Path | None,
    objective: str = DEFAULT_OBJECTIVE,
    budget: float | None = None,
    clock: str = "wall",
    conversion: WallConversion | None = None,
    features: str | None = None,
    console: Console,
) -> Recommendation:
    """Rank pipelines for DATA at ``budget`` seconds of ``clock`` (given in compute seconds to
    a budget-aware selector, see ``selector_budget``) and print them with the reasons."""
    from zapml.data import load_data
    from zapml.runtime.calibration import measured_once
    from zapml.selectors import recommend
    from zapml.selectors.probe_gate import pick_selector_dir
    from zapml.selectors.query import describe_probe_cost, is_probe_feature, query_metafeatures

    split = load_data(data)
    if budget is not None:  # the probe gate and the selector convert it: measure (if asked) once
        conversion = measured_once(conversion, clock)
    pick = pick_selector_dir(selector, objective, split.train, budget, clock, conversion)
    selector = pick.selector_dir or selector
    sel = recommend_selector(selector, objective, top)
    selector_dir = resolve_selector_dir(selector, objective)  # named so the user sees which
    query = query_metafeatures(sel, split.train)
    given = selector_budget(sel, budget, clock, conversion)
    advice = recommend(sel, query.values, top=top, budget=given.compute_seconds)
    shown = ", ".join(f"{k}={v:g}" for k, v in query.values.items() if not is_probe_feature(k))
    console.print(
        f"[bold]{data}[/]: {shown}  ->  {advice.selector} selector in {selector_dir}, "
        f"optimising {describe(advice.objective)}"
    )
    if pick.note:
        console.print(f"[dim]{pick.note}[/]")
    if query.backbones:
        console.print(f"[dim]{describe_probe_cost(query)}[/]")
    for note in given.notes:
        console.print(f"[dim]{note}[/]")
    epochs = _epochs_column(sel, advice, query.values.get("num_train"), given.compute_seconds)
    console.print(_recommend_table(advice, top, epochs))
    if epochs is not None and given.compute_seconds is not None:
        console.print(
            f"[dim]epochs: fine-tuning epochs {readable(given.compute_seconds)} compute-s buy "
            "each pipeline at most (the compute clock's train steps; the simple model, validation "
            "and predictions take their share)[/]"
        )
    print_reasons(console, advice)
    if given.compute_seconds is not None:
        _print_fit_guard(console, sel, query.values, given.compute_seconds, split)
    if save is not None:
        advice.best.to_yaml(save)
        console.print(f"best pipeline written to {save} (zap fit {data} --pipeline {save})")
    return advice


def recommend_selector(selector: str | Path | None, objective: str, top: int) -> Selector:
    """The selector `zap recommend` ranks with (``--selector`` or the shipped one), checked
    against ``objective``; ``top`` checked too."""
    from zapml.selectors import load_selector
    from zapml.selectors.api import check_selector_objective

    selector_dir = resolve_selector_dir(selector, objective)
    if selector_dir is None:
        raise PipelineError(
            f"No selector to recommend with for the {objective!r} objective: this installation "
            f"ships none. Train one with `zap selector train METADATASET --objective {objective} "
            "-o DIR` and pass --selector DIR."
        )
    if top < 1:
        raise PipelineError(f"--top must be 1 or more; got {top}.")
    return check_selector_objective(load_selector(selector_dir), objective, selector_dir)


def _print_fit_guard(
    console: Console, sel: Selector, values: dict[str, float], budget: float, split: DataSplit
) -> None:
    """Say when `zap fit` would pass over the top pipelines because their inference on this
    dataset's test set would take over half the budget (``selectors.feasibility``)."""
    from zapml.selectors import recommend
    from zapml.selectors.feasibility import CANDIDATES, data_shape, take_affordable

    if split.test is None:  # zap fit would hold out a test set: size it the same way
        split = split.stratified_test_split(test_fraction=HELD_OUT_TEST_FRACTION, seed=0)
    ranking = [r.pipeline for r in recommend(sel, values, top=CANDIDATES, budget=budget).top]
    _, line = take_affordable(ranking, data_shape(split), budget)
    if line:
        console.print(f"[yellow]zap fit:[/] {line}")


def _epochs_column(
    sel: Selector, advice: Recommendation, num_train: float | None, budget: float | None
) -> list[str] | None:
    """How many fine-tuning epochs the budget buys each recommended pipeline (None without a
    budget or an image count). Costs a selector saved for the current clock are reused."""
    if budget is None or num_train is None:
        return None
    from zapml.runtime.costs import CLOCK_VERSION
    from zapml.selectors.cost_features import epochs_in_budget, pipeline_costs

    saved = getattr(sel, "saved_costs", None)
    same_clock = getattr(sel, "clock_version_", None) == CLOCK_VERSION
    known = saved() if saved is not None and same_clock else {}
    costs = pipeline_costs([row.pipeline for row in advice.top], CLOCK_VERSION, known)
    return [readable(e, 2) for e in epochs_in_budget(costs, float(num_train), budget)]


def _recommend_table(advice: Recommendation, top: int, epochs: list[str] | None = None) -> Table:
    table = Table(title=f"Top {top} pipelines (higher score = better predicted rank)")
    columns = ["rank", "architecture", "score", "lr", "optimizer", "input px", "batch", "frozen"]
    columns += ["simple model", *["epochs"] * (epochs is not None), "id"]
    for col in columns:
        table.add_column(col, no_wrap=True)
    for i, row in enumerate(advice.top):
        p = row.pipeline
        cells = [
            str(row.rank),
            row.architecture,
            f"{row.score:.3f}",
            f"{p['lr']:.2g}",
            str(p["optimizer"]),
            str(2 ** int(p["log2_max_size"])),
            str(p["batch_size"]),
            f"{p['freeze_portion']:.0%}",
            # pipelines that differ only here otherwise look the same in this table
            str(p.get("simple_model")) if p.get("first_simple_model") else "none",
        ]
        table.add_row(*cells, *([] if epochs is None else [epochs[i]]), p.id)
    return table


def print_reasons(console: Console, advice: Recommendation) -> None:
    from zapml.selectors.explain import drivers_lines

    near = advice.nearest_training_tasks[:3]
    if near:
        console.print(
            "nearest training tasks: "
            + "; ".join(f"{t.task_id} ({t.core_dataset}, d={t.distance:.2f})" for t in near)
        )
    if advice.strongest_features:
        console.print(f"strongest features: {list(advice.strongest_features)}")
    for line in drivers_lines(advice):
        console.print(line)
    if advice.budget_note:
        console.print(f"budget: {advice.budget_note}")
    for warning in advice.warnings:
        console.print(f"[yellow]warning:[/] {warning}")


def run_calibrate(
    *, recalibrate: bool, threads: int | None, device: str = "cpu", console: Console
) -> None:
    """Show (measuring when needed) this machine's wall -> compute calibration for ``device``."""
    from zapml.runtime.calibration import cache_path, calibrate

    if threads is not None and threads < 1:
        raise PipelineError(f"--threads must be 1 or more; got {threads}.")
    found = calibrate(threads=threads, recalibrate=recalibrate, device=device)
    console.print(found.describe(60.0))
    details = ", ".join(f"{k}={v}" for k, v in found.key.items())
    written = "" if found.busy_cores is None else " (not written: the machine was busy)"
    console.print(f"[dim]machine: {details}\ncache: {cache_path(found.key)}{written}[/]")


def _protocol(name: str, folds: int | None) -> Protocol:
    """The ``Protocol`` of ``--protocol`` / ``--folds`` (K means nothing to the others)."""
    from zapml.evaluation import Protocol

    if folds is not None and name != "kfold":
        raise PipelineError(
            f"--folds sets K of --protocol kfold; --protocol {name} takes its folds from the "
            f"{'core datasets' if name == 'groups' else 'meta-dataset'}. Drop --folds, or pass "
            "--protocol kfold."
        )
    return Protocol(name) if folds is None else Protocol(name, k=folds)


def _lineup(methods: str | None, mds: MetaDataset) -> dict[str, Any]:
    """The benchmark's selectors: the fast line-up (those that apply to ``mds``), or the
    ``--methods`` named from it."""
    from zapml.evaluation import applicable, default_selectors

    lineup = default_selectors("fast")
    if not methods:
        return applicable(lineup, mds)
    wanted = [m.strip() for m in methods.split(",") if m.strip()]
    unknown = sorted(set(wanted) - set(lineup))
    if unknown:
        choices = ", ".join(sorted(lineup))
        raise PipelineError(f"--methods: unknown {unknown}; choose from {choices}.")
    blind = sorted(set(wanted) - set(applicable(lineup, mds)))
    if blind:
        raise PipelineError(
            f"--methods: {blind} read the budget, and this meta-dataset has one budget "
            f"({list(mds.budgets) or 'unknown'}); benchmark them on a store of several budgets."
        )
    return {m: lineup[m] for m in wanted}


def _print_seeds_and_tasks(
    records: pd.DataFrame, seeds: int, per_task: Path | None, mds: MetaDataset, console: Console
) -> None:
    """The spread over seeds (from two seeds on), and the per-task rows to ``--per-task``."""
    from zapml.evaluation import per_task_results
    from zapml.evaluation.report import seeds_table

    if seeds >= 2:
        console.print(seeds_table(records, mds.objective))
    if per_task is not None:
        per_task.parent.mkdir(parents=True, exist_ok=True)
        per_task_results(records, mds.values).to_csv(per_task, index=False)
        console.print(f"per-task results: {per_task.resolve()}")


def run_benchmark_cli(
    metadataset: Path,
    output: Path,
    *,
    seeds: int,
    methods: str | None,
    objective: str = DEFAULT_OBJECTIVE,
    html: Path | None = None,
    protocol: str = "groups",
    folds: int | None = None,
    per_task: Path | None = None,
    features: str = "trivial",
    console: Console,
) -> None:
    from zapml.evaluation import rich_table, run_benchmark, summarize_by_budget
    from zapml.evaluation.html import metadataset_facts, save_html_report

    if seeds < 1:
        raise PipelineError(f"--seeds must be 1 or more; got {seeds}.")
    chosen = _protocol(protocol, folds)
    mds = scored_metadataset(metadataset, objective).select_features(features)
    objective = mds.objective
    console.print(f"features: {features} ({len(mds.metafeature_names())} meta-features)")
    lineup = _lineup(methods, mds)
    console.print(f"objective: {describe(objective)}")
    console.print(f"protocol {chosen.name}: {chosen.description}")
    console.print(_budget_line(mds.budgets, restricted=False))
    summary, records = run_benchmark(
        mds, lineup, seeds=range(seeds), out_dir=output, progress=lambda m: console.print(m),
        protocol=chosen,
    )  # fmt: skip
    by_budget = summarize_by_budget(records)
    title = "all budgets together" if len(by_budget) >= 2 else None
    console.print(rich_table(summary, title=title, objective=objective, protocol=chosen.name))
    for budget, table in by_budget.items() if len(by_budget) >= 2 else ():
        console.print(rich_table(table, title=f"budget {budget:g} compute-s", objective=objective))
    _print_seeds_and_tasks(records, seeds, per_task, mds, console)
    console.print(f"report: {output.resolve()}")
    if html is not None:
        facts = metadataset_facts(mds, metadataset)
        page = save_html_report(
            records, html, objective, f"zapml benchmark: {metadataset.name}", facts
        )
        console.print(f"HTML report: {page.resolve()}")
