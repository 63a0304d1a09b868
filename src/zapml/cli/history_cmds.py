"""``zap selector update`` and ``zap selector history list|show|clear``: the fit history that
``zap fit`` appends to, and the selector refitted on it (``zapml.history``)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from zapml.cli._errors import user_errors
from zapml.cli.console import console
from zapml.metadataset.objectives import OBJECTIVES

HistoryOption = Annotated[
    Path | None,
    typer.Option(
        "--history",
        help="The fit-history store (default: $ZAPML_HISTORY, else $ZAPML_HOME/history.sqlite, "
        "else ~/.local/share/zapml/history.sqlite).",
    ),
]
NoHistoryOption = Annotated[
    bool,
    typer.Option(
        "--no-history", help="Do not add this fit to the history `zap selector update` learns from."
    ),
]

history_app = typer.Typer(
    help="The fits `zap fit` recorded (what `zap selector update` learns from).",
    no_args_is_help=True,
)


def add_history_commands(selector_app: typer.Typer) -> None:
    """Register ``update`` and the ``history`` group under ``zap selector``."""
    selector_app.command("update")(user_errors(update_cmd))
    selector_app.add_typer(history_app, name="history")


def update_cmd(
    objective: Annotated[
        str | None,
        typer.Option(
            "--objective",
            help=f"Refit this objective's selector only ({', '.join(OBJECTIVES)}); "
            "default: every objective's.",
        ),
    ] = None,
    history: HistoryOption = None,
    metadataset: Annotated[
        Path | None,
        typer.Option(help="The base meta-dataset (default: the one the shipped selector learnt)."),
    ] = None,
    reset: Annotated[
        bool, typer.Option("--reset", help="Drop the updated selector: back to the shipped one.")
    ] = False,
) -> None:
    """Refit the default selector kind on the shipped meta-dataset plus your fit history (one
    task per dataset you fitted) and make it the default of `zap fit` and `zap recommend`."""
    from zapml.metadataset.objectives import check_objective

    objectives = OBJECTIVES if objective is None else (check_objective(objective),)
    for name in objectives:
        if reset:
            _reset(name)
        else:
            _update(name, history, metadataset)


def _update(objective: str, history: Path | None, metadataset: Path | None) -> None:
    from zapml.history.update import update_selector
    from zapml.selectors.recipe import SHIPPED_METADATASET, SHIPPED_METHOD

    console.print(f"refitting the {objective} selector ({SHIPPED_METHOD}) ...")
    done = update_selector(objective, history=history, base=metadataset or SHIPPED_METADATASET)
    added = done.added
    console.print(
        f"{objective}: trained on {done.base_tasks} tasks of {done.base.name} + {added.tasks} "
        f"history task(s) ({added.runs} fit(s), {added.new_pipelines} new pipeline(s); "
        f"{done.pipelines} pipelines in all)\n  saved to {done.selector_dir}: `zap fit` and "
        f"`zap recommend --objective {objective}` use it by default (--reset goes back)"
    )


def _reset(objective: str) -> None:
    from zapml.history.update import reset_selector
    from zapml.selectors.choice import shipped_selector_dir

    removed = reset_selector(objective)
    shipped = shipped_selector_dir(objective)
    what = f"removed {removed}" if removed else "no updated selector"
    console.print(f"{objective}: {what}; the default is the shipped selector ({shipped})")


@history_app.command("list")
@user_errors
def list_cmd(history: HistoryOption = None) -> None:
    """Every fit recorded, oldest first, and the selector `zap fit` uses now per objective."""
    from zapml.history.paths import user_selector_dir
    from zapml.history.store import read_history
    from zapml.selectors.choice import resolve_selector_dir
    from zapml.selectors.probe_gate import (
        PROBE_BUDGET_SHARE,
        gate_can_probe,
        shipped_probe_selector_dir,
    )

    runs = read_history(history)
    table = Table(title=f"{len(runs)} fit(s) in the history")
    columns = ("run_id", "finished", "core_dataset", "task_id", "architecture", "clock", "budget")
    for col in (*columns, "final_nauc", "alc", "final_accuracy", "status"):
        table.add_column(col.replace("core_dataset", "data").replace("budget", "compute-s"))
    for row in runs.to_dict("records"):
        cells = [_cell(row[c]) for c in columns]
        table.add_row(*cells, *(_cell(row[c]) for c in ("final_nauc", "alc", "final_accuracy")),
                      str(row["status"]))  # fmt: skip
    console.print(table)
    for objective in OBJECTIVES:
        console.print(f"default {objective} selector: {resolve_selector_dir(None, objective)}")
        probe = shipped_probe_selector_dir(objective)
        if probe is not None and user_selector_dir(objective) is None and gate_can_probe():
            console.print(
                f"  and {probe} when its probe pass costs at most {PROBE_BUDGET_SHARE:.0%} of "
                "the budget"
            )


@history_app.command("show")
@user_errors
def show_cmd(
    run_id: Annotated[int, typer.Argument(help="A run_id from `zap selector history list`.")],
    history: HistoryOption = None,
) -> None:
    """One fit in full: its dataset's meta-features, pipeline, values, versions and curve."""
    from zapml.errors import ArtifactError
    from zapml.history.paths import history_path
    from zapml.metadataset.store import open_store

    with open_store(history_path(history), create=False) as store:
        runs = store.runs().set_index("run_id")
        if run_id not in runs.index:
            raise ArtifactError(
                f"No run {run_id} in {store.path}; `zap selector history list` lists the run_ids."
            )
        run = runs.loc[run_id]
        task = store.tasks_frame().loc[run["task_id"]]
        pipeline = store.pipelines()[run["pipeline_id"]]
    for key, value in {**run.to_dict(), **task.to_dict()}.items():
        console.print(f"{key}: {value}", highlight=False, soft_wrap=True)
    console.print(f"pipeline: {pipeline.to_dict()}", highlight=False, soft_wrap=True)


@history_app.command("clear")
@user_errors
def clear_cmd(
    history: HistoryOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete the history (the updated selectors stay until `zap selector update --reset`)."""
    from zapml.history.paths import history_path
    from zapml.history.store import clear_history

    path = history_path(history)
    if not yes and not typer.confirm(f"Delete every fit recorded in {path}?"):
        raise typer.Exit(code=1)
    console.print(f"deleted {clear_history(history)} fit(s) from {path}")


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "-" if math.isnan(value) else f"{value:.4g}"
    return "-" if value is None else str(value)
