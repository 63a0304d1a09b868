"""``zap selector``, ``zap recommend``, ``zap benchmark``: train, use and compare selectors."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from zapml.cli._errors import user_errors
from zapml.cli.console import console
from zapml.cli.device_option import TargetDeviceOption
from zapml.errors import PipelineError
from zapml.metadataset.objectives import DEFAULT_OBJECTIVE

selector_app = typer.Typer(
    help="Train and list zero-shot pipeline selectors.", no_args_is_help=True
)

SelectorOption = Annotated[
    str | None,
    typer.Option(
        "--selector",
        help="A saved selector folder (`zap selector train`); default: the shipped selector.",
    ),
]


ObjectiveOption = Annotated[
    str,
    typer.Option(
        "--objective",
        help="final: the final test NAUC of the model kept at the end of the budget (what a "
        "practitioner keeps); alc: AutoDL's area under the learning curve (ZAP's setting).",
    ),
]


class FeatureSetName(StrEnum):  # the values of metadataset.FEATURE_SETS, which a test pins
    trivial = "trivial"
    probe = "probe"
    all = "all"


FeaturesOption = Annotated[
    FeatureSetName,
    typer.Option(
        "--features",
        help="Task meta-features the selectors condition on. trivial: ZAP's four (channels, "
        "classes, images, resolution); probe: the probe meta-features (`zap metadataset probe`: "
        "LogME, LEEP, kNN, ... per backbone); all: both. A selector trained on probe features "
        "computes them for each new dataset (frozen backbone passes, charged in compute seconds).",
    ),
]


class ClockName(StrEnum):
    wall = "wall"
    compute = "compute"


ClockOption = Annotated[
    ClockName,
    typer.Option(
        help="wall: real seconds (AutoDL). compute: counted work, reproducible across machines."
    ),
]
RecalibrateOption = Annotated[
    bool,
    typer.Option(
        "--recalibrate",
        help="Measure this machine's wall -> compute-seconds ratio again (it is cached per "
        "machine; a budget-aware selector takes the budget in compute seconds).",
    ),
]


@selector_app.command("list")
@user_errors
def list_cmd(
    settings: Annotated[
        bool,
        typer.Option(
            "--settings", help="Also show each method's settings and defaults (for --set)."
        ),
    ] = False,
) -> None:
    """The selector methods `zap selector train --method` accepts."""
    from rich.markup import escape

    from zapml.selectors import SELECTORS
    from zapml.selectors.registry import default_settings

    table = Table(title="Selectors")
    table.add_column("method", no_wrap=True)
    table.add_column("what it does")
    if settings:
        table.add_column("settings (default)")
    for name in sorted(SELECTORS):
        doc = (SELECTORS[name].__doc__ or "").strip().splitlines()
        row = [name, escape(doc[0]) if doc else ""]
        if settings:
            row.append(", ".join(f"{k}={v}" for k, v in default_settings(name).items()))
        table.add_row(*row)
    console.print(table)


@selector_app.command("train")
@user_errors
def train_cmd(
    metadataset: Annotated[Path, typer.Argument(help="A store, ZAP folder or long table.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to save it in.")],
    method: Annotated[str, typer.Option(help="Selector method (zap selector list).")] = "zap_hpo",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    objective: ObjectiveOption = DEFAULT_OBJECTIVE,
    budget: Annotated[
        float | None,
        typer.Option(
            help="Train on this budget's runs only (compute seconds). Default: every budget, "
            "with the budget as an input of the selector."
        ),
    ] = None,
    features: FeaturesOption = FeatureSetName.trivial,
    settings: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="A setting of the method as KEY=VALUE, repeatable (for example --set epochs=36 "
            "--set log_metafeatures=true); `zap selector list --settings` shows each method's "
            "settings and defaults.",
            metavar="KEY=VALUE",
        ),
    ] = None,
) -> None:
    """Fit a selector for an objective on a meta-dataset and save it (JSON + safetensors, no
    pickle). On a meta-dataset of several budgets the selector is budget-aware: it learns from
    every (task, budget) pair and ranks for the budget of the run. A ZAP folder holds ALC only:
    train on it with --objective alc."""
    from zapml.cli.jobs import train_selector_cli

    train_selector_cli(
        metadataset, output, method=method, seed=seed, objective=objective, budget=budget,
        features=features.value, settings=settings or [], console=console,
    )  # fmt: skip


TaskFeaturesOption = Annotated[
    Path | None,
    typer.Option(
        "--features",
        help="A CSV or JSON of task features (one row per task, the selector's feature names as "
        "columns, optional task_id): one ranking per row, no image data needed.",
        metavar="FILE",
    ),
]


def recommend_cmd(
    data: Annotated[
        str | None,
        typer.Argument(help="A built-in name or a path (as for `zap fit`); or use --features."),
    ] = None,
    selector: SelectorOption = None,
    top: Annotated[int, typer.Option(help="How many pipelines to show.")] = 5,
    save: Annotated[
        Path | None, typer.Option(help="Write the best pipeline to this YAML (for zap fit).")
    ] = None,
    objective: ObjectiveOption = DEFAULT_OBJECTIVE,
    budget: Annotated[
        float, typer.Option(help="The run's budget in seconds of --clock (as for `zap fit`).")
    ] = 60.0,
    clock: ClockOption = ClockName.wall,
    recalibrate: RecalibrateOption = False,
    device: TargetDeviceOption = "cpu",
    features: TaskFeaturesOption = None,
) -> None:
    """Rank pipelines for DATA without any trial run, with reasons and warnings, by a selector
    trained for the objective, for the run's budget. With --features FILE instead of DATA, rank
    the candidates of any selector (any meta-dataset) for tasks given by their features."""
    from zapml.cli.feature_recommend import run_recommend_features
    from zapml.cli.jobs import run_recommend
    from zapml.runtime.calibration import WallConversion
    from zapml.runtime.device import resolve_device

    if (data is None) == (features is None):
        raise PipelineError(
            "zap recommend takes DATA (a dataset to describe) or --features FILE (task features "
            "already computed), exactly one of them."
        )
    resolve_device(device)  # a missing GPU is named before any work
    conversion = WallConversion(device, recalibrate)
    if features is not None:
        run_recommend_features(
            features, selector=selector, top=top, save=save, objective=objective, budget=budget,
            clock=clock.value, conversion=conversion, console=console,
        )  # fmt: skip
        return
    run_recommend(
        str(data), selector=selector, top=top, save=save, objective=objective, budget=budget,
        clock=clock.value, conversion=conversion, console=console,
    )  # fmt: skip


ProtocolOption = Annotated[
    str,
    typer.Option(
        help="groups: leave one core dataset out (ZAP). folds: the meta-dataset's own folds (an "
        "ASlib scenario's cv.arff). kfold: K folds of shuffled tasks, drawn again per seed.",
    ),
]
FoldsOption = Annotated[
    int | None,
    typer.Option("--folds", help="K of --protocol kfold (default 10, as ASlib).", metavar="K"),
]
PerTaskOption = Annotated[
    Path | None,
    typer.Option(
        "--per-task",
        help="Also write one CSV row per (task, selector, seed, budget): chosen candidate, value, "
        "oracle value, regret (the output folder always gets per_task.csv).",
        metavar="FILE",
    ),
]


def benchmark_cmd(
    metadataset: Annotated[Path, typer.Argument(help="A store, ZAP folder or long table.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for the CSV/markdown/PNG report.")
    ] = Path("zap-benchmark"),
    seeds: Annotated[
        int,
        typer.Option(
            help="Seeds: every selector is run with seeds 0..N-1 (kfold also splits again per "
            "seed); the report gives the mean and std over seeds."
        ),
    ] = 3,
    methods: Annotated[
        str | None, typer.Option(help="Comma-separated selector methods (default: all).")
    ] = None,
    objective: ObjectiveOption = DEFAULT_OBJECTIVE,
    html: Annotated[
        Path | None,
        typer.Option(
            help="Also write one self-contained page (tables, statistics, plots inline) to "
            "DIR/report.html, to open in any browser or hand on.",
            metavar="DIR",
        ),
    ] = None,
    protocol: ProtocolOption = "groups",
    folds: FoldsOption = None,
    per_task: PerTaskOption = None,
    features: FeaturesOption = FeatureSetName.trivial,
) -> None:
    """Compare the selectors on a meta-dataset under a protocol (default: leave one core dataset
    out), scored by the objective (selectors trained and judged by it)."""
    from zapml.cli.jobs import run_benchmark_cli

    run_benchmark_cli(
        metadataset, output, seeds=seeds, methods=methods, objective=objective, html=html,
        protocol=protocol, folds=folds, per_task=per_task, features=features.value,
        console=console,
    )  # fmt: skip


def calibrate_cmd(
    recalibrate: RecalibrateOption = False,
    threads: Annotated[
        int | None,
        typer.Option(help="Torch threads to measure with (default: what `zap fit` would use)."),
    ] = None,
    device: TargetDeviceOption = "cpu",
) -> None:
    """Show this machine's wall -> compute-seconds ratio for a device (measured once in a few
    seconds, then cached): how `zap fit/recommend --budget` on the wall clock is told to a
    selector."""
    from zapml.cli.jobs import run_calibrate

    run_calibrate(recalibrate=recalibrate, threads=threads, device=device, console=console)


calibrate_command = user_errors(calibrate_cmd)
recommend_command = user_errors(recommend_cmd)
benchmark_command = user_errors(benchmark_cmd)
