"""``zap selector``, ``zap recommend``, ``zap benchmark``: train, use and compare selectors."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from zapml.cli._errors import user_errors
from zapml.cli.console import console
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
RecommendFeaturesOption = Annotated[
    FeatureSetName | None,
    typer.Option(
        "--features",
        help="The meta-features to compute for DATA (default: the set the selector was trained "
        "on). A selector trained on probe features refuses --features trivial.",
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
def list_cmd() -> None:
    """The selector methods `zap selector train --method` accepts."""
    from zapml.selectors import SELECTORS

    table = Table(title="Selectors")
    table.add_column("method", no_wrap=True)
    table.add_column("what it does")
    for name in sorted(SELECTORS):
        doc = (SELECTORS[name].__doc__ or "").strip().splitlines()
        table.add_row(name, doc[0] if doc else "")
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
) -> None:
    """Fit a selector for an objective on a meta-dataset and save it (JSON + safetensors, no
    pickle). On a meta-dataset of several budgets the selector is budget-aware: it learns from
    every (task, budget) pair and ranks for the budget of the run. A ZAP folder holds ALC only:
    train on it with --objective alc."""
    from zapml.cli.jobs import train_selector_cli

    train_selector_cli(
        metadataset, output, method=method, seed=seed, objective=objective, budget=budget,
        features=features.value, console=console,
    )  # fmt: skip


def recommend_cmd(
    data: Annotated[str, typer.Argument(help="A built-in name or a path (as for `zap fit`).")],
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
    features: RecommendFeaturesOption = None,
) -> None:
    """Rank pipelines for DATA without any trial run, with reasons and warnings, by a selector
    trained for the objective, for the run's budget."""
    from zapml.cli.jobs import run_recommend

    run_recommend(
        data, selector=selector, top=top, save=save, objective=objective, budget=budget,
        clock=clock.value, recalibrate=recalibrate,
        features=features.value if features is not None else None, console=console,
    )  # fmt: skip


def benchmark_cmd(
    metadataset: Annotated[Path, typer.Argument(help="A store, ZAP folder or long table.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for the CSV/markdown/PNG report.")
    ] = Path("zap-benchmark"),
    seeds: Annotated[int, typer.Option(help="Seeds per held-out core dataset.")] = 3,
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
    features: FeaturesOption = FeatureSetName.trivial,
) -> None:
    """Leave-one-core-dataset-out comparison of the selectors on a meta-dataset, scored by the
    objective (selectors trained and judged by it)."""
    from zapml.cli.jobs import run_benchmark_cli

    run_benchmark_cli(
        metadataset, output, seeds=seeds, methods=methods, objective=objective, html=html,
        features=features.value, console=console,
    )  # fmt: skip


def calibrate_cmd(
    recalibrate: RecalibrateOption = False,
    threads: Annotated[
        int | None,
        typer.Option(help="Torch threads to measure with (default: what `zap fit` would use)."),
    ] = None,
) -> None:
    """Show this machine's wall -> compute-seconds ratio (measured once in a few seconds, then
    cached): how `zap fit/recommend --budget` on the wall clock is told to a selector."""
    from zapml.cli.jobs import run_calibrate

    run_calibrate(recalibrate=recalibrate, threads=threads, console=console)


calibrate_command = user_errors(calibrate_cmd)
recommend_command = user_errors(recommend_cmd)
benchmark_command = user_errors(benchmark_cmd)
