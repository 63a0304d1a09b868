"""``zap``: zero-shot AutoML with pretrained models.

Every command is a few lines over the public API; heavy imports happen inside the commands so
``zap --help`` stays fast.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from zapml.cli._errors import user_errors
from zapml.cli.console import console
from zapml.cli.device_option import DeviceOption
from zapml.cli.history_cmds import HistoryOption, NoHistoryOption, add_history_commands
from zapml.cli.metadataset_cmds import metadataset_app
from zapml.cli.selector_cmds import (
    ClockName,
    ClockOption,
    ObjectiveOption,
    RecalibrateOption,
    SelectorOption,
    benchmark_command,
    calibrate_command,
    recommend_command,
    selector_app,
)
from zapml.metadataset.objectives import DEFAULT_OBJECTIVE

app = typer.Typer(
    name="zap",
    help="Zero-shot AutoML: pick a pretrained backbone and its fine-tuning hyperparameters "
    "for a new image dataset without trial runs, then fine-tune it under a time budget.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
zoo_app = typer.Typer(help="The backbone registry (offline wheels, hub entries, random init).")
data_app = typer.Typer(help="Built-in datasets and checks of your own data.")
app.add_typer(zoo_app, name="zoo", no_args_is_help=True)
app.add_typer(data_app, name="data", no_args_is_help=True)
app.add_typer(metadataset_app, name="metadataset", no_args_is_help=True)
app.add_typer(selector_app, name="selector", no_args_is_help=True)
add_history_commands(selector_app)


class Strategy(StrEnum):
    zero_shot = "zero-shot"
    transfer = "transfer"


StrategyOption = Annotated[
    Strategy,
    typer.Option(
        help="zero-shot: a selector picks the pipeline. transfer: Tr-AutoML groups DATA with "
        "earlier datasets by how cheap benchmark pipelines score on it, reuses its group's "
        "pipeline or searches one (SMAC3) for a new group, inside the budget."
    ),
]
TransferStateOption = Annotated[
    Path | None,
    typer.Option(help="The grouping file of --strategy transfer (default: in zapml's cache)."),
]

DataArg = Annotated[
    str,
    typer.Argument(
        help="A built-in dataset name (see `zap data list`), a folder with one sub-folder per "
        "class (optionally under train/ and test/), a CSV of path,label, an .npz, or an idx folder."
    ),
]


@app.command()
@user_errors
def fit(
    data: DataArg,
    budget: Annotated[
        float, typer.Option(help="Time budget in seconds (of the chosen clock).")
    ] = 60.0,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for the model, predictions and report.")
    ] = Path("zap-output"),
    pipeline: Annotated[
        Path | None,
        typer.Option(help="A pipeline YAML to run; overrides the selector."),
    ] = None,
    selector: SelectorOption = None,
    objective: ObjectiveOption = DEFAULT_OBJECTIVE,
    clock: ClockOption = ClockName.wall,
    recalibrate: RecalibrateOption = False,
    seed: Annotated[int, typer.Option(help="Random seed (0 or more).")] = 0,
    overwrite: Annotated[
        bool,
        typer.Option(help="Replace a non-empty --output folder (only once the new run succeeds)."),
    ] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    history: HistoryOption = None,
    no_history: NoHistoryOption = False,
    strategy: StrategyOption = Strategy.zero_shot,
    transfer_state: TransferStateOption = None,
    device: DeviceOption = "cpu",
) -> None:
    """Fine-tune a pipeline on DATA under a budget; write model, predictions and learning curve.

    On the wall clock the budget bounds the whole command (start-up, loading, training, saving);
    on the compute clock it counts the training run alone, so runs are reproducible. A
    budget-aware selector is told the budget in compute seconds (`zap calibrate`, which measures
    the CPU: on a GPU the network does more in a wall second, so the choice is a cautious one)."""
    from zapml.cli.jobs import run_fit

    result = run_fit(
        data,
        budget=budget,
        output_dir=output,
        pipeline_path=pipeline,
        selector=selector,
        objective=objective,
        clock=clock.value,
        seed=seed,
        overwrite=overwrite,
        progress=progress,
        recalibrate=recalibrate,
        history=history,
        keep_history=not no_history,
        strategy=strategy.value,
        transfer_state=transfer_state,
        device=device,
        console=console,
    )
    if result.status != "ok":
        raise typer.Exit(code=1)


@app.command()
@user_errors
def predict(
    model: Annotated[Path, typer.Argument(help="An output folder written by `zap fit`.")],
    data: DataArg,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="CSV to write (default: print).")
    ] = None,
) -> None:
    """Predict images, a folder, or a labelled dataset (with accuracy) using a `zap fit` model."""
    from zapml.cli.jobs import run_predict

    run_predict(model, data, output_csv=output, console=console)


@zoo_app.command("list")
@user_errors
def zoo_list() -> None:
    """Show every backbone with its features and whether it loads on this machine."""
    from zapml.zoo import zoo_table

    console.print(zoo_table())


@data_app.command("list")
@user_errors
def data_list() -> None:
    """Show the built-in offline datasets and whether each is available here."""
    from zapml.cli.jobs import builtin_table

    console.print(builtin_table())


@data_app.command("inspect")
@user_errors
def data_inspect(data: DataArg) -> None:
    """Check DATA and print classes, counts, sizes, channels and problems found."""
    from zapml.data import inspect_data

    console.print(inspect_data(data).render())


app.command("recommend")(recommend_command)
app.command("benchmark")(benchmark_command)
app.command("calibrate")(calibrate_command)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
