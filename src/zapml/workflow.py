"""The user-level jobs behind ``zap fit`` and ``zap predict``: load, choose, fine-tune, report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from rich.console import Console
from rich.table import Table

from zapml.errors import PipelineError
from zapml.space import Pipeline, default_pipeline

if TYPE_CHECKING:
    import pandas as pd

    from zapml.runtime import FitResult


def choose_pipeline(pipeline_path: Path | None) -> tuple[Pipeline, str]:
    """The pipeline to run and a line saying where it came from."""
    if pipeline_path is not None:
        try:
            chosen = Pipeline.from_yaml(Path(pipeline_path)).validate()
        except ValueError as err:
            raise PipelineError(f"{err} (in --pipeline {pipeline_path})") from None
        return chosen, f"pipeline from {pipeline_path}"
    return default_pipeline(), "the space's default pipeline"


def run_fit(
    data: str,
    *,
    budget: float,
    output_dir: Path,
    pipeline_path: Path | None = None,
    clock: str = "wall",
    seed: int = 0,
    progress: bool = True,
    console: Console | None = None,
) -> FitResult:
    from zapml.data import load_data
    from zapml.runtime import fit

    console = console or Console()
    if budget <= 0:
        raise PipelineError(f"--budget must be a positive number of seconds; got {budget}.")
    split = load_data(data)
    if split.test is None:
        split = split.stratified_test_split(test_fraction=0.2, seed=seed)
        console.print("[dim]no test split in the data: holding out a stratified 20% as test[/]")
    assert split.test is not None
    for warning in split.train.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    pipeline, origin = choose_pipeline(pipeline_path)
    console.print(
        f"[bold]zap fit[/] {data}: {len(split.train)} train / {len(split.test)} test images, "
        f"{split.train.num_classes} classes; {pipeline.architecture} ({origin}); "
        f"budget {budget:g} s ({clock} clock)"
    )
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    pipeline.to_yaml(output_dir / "pipeline.yaml")
    result = fit(
        pipeline,
        split.train,
        split.test,
        budget=budget,
        clock=clock,  # type: ignore[arg-type]
        seed=seed,
        output_dir=output_dir,
        progress=progress,
    )
    _print_fit_summary(console, result, output_dir)
    return result


def _print_fit_summary(console: Console, result: Any, output_dir: Path) -> None:
    if result.status != "ok":
        console.print(f"[bold red]run failed:[/] {result.error}")
    acc = result.final_accuracy
    console.print(
        f"ALC {result.alc:.4f}  |  final NAUC {result.final_nauc:.4f}  |  "
        f"test accuracy {acc:.4f}  |  {len(result.timestamps)} predictions in "
        f"{result.wall_seconds:.1f} wall s"
        if acc is not None
        else f"ALC {result.alc:.4f}"
    )
    console.print(f"artifacts: {output_dir.resolve()}")


def run_predict(
    model_dir: Path, data: str, *, output_csv: Path | None = None, console: Console | None = None
) -> pd.DataFrame:
    """Predict an image, a folder of images, or a labelled dataset (then accuracy is reported)."""
    import pandas as pd

    from zapml.data import Dataset, load_data
    from zapml.data.unlabeled import is_unlabeled_source, load_unlabeled
    from zapml.runtime import load_model

    console = console or Console()
    model = load_model(model_dir)
    names = model.class_names
    parts: list[tuple[str, Dataset, list[str]]] = []
    if is_unlabeled_source(data):
        side = model.config.input_size[0]
        images, paths, warnings = load_unlabeled(data, side=side, channels=model.config.in_channels)
        for warning in warnings:
            console.print(f"[yellow]warning:[/] {warning}")
        unlabeled = Dataset(images, np.zeros(len(images), dtype=np.int64), ("?",), name=str(data))
        parts.append(("images", unlabeled, paths))
    else:
        split = load_data(data)
        for part, ds in (("train", split.train), ("test", split.test)):
            if ds is not None:
                parts.append((part, ds, [str(i) for i in range(len(ds))]))
    frames = []
    for part, ds, ids in parts:
        proba = model.predict_proba(ds)
        predicted = [names[i] for i in proba.argmax(axis=1)]
        frame = pd.DataFrame(proba, columns=[f"p_{n}" for n in names])
        frame.insert(0, "predicted", predicted)
        frame.insert(0, "image", ids)
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
        console.print(
            table[[c for c in table.columns if not c.startswith("p_")]].to_string(index=False)
        )
    return table


def builtin_table() -> Table:
    from zapml.data import list_builtin

    infos = list_builtin()
    table = Table(title="Built-in datasets (use the name as DATA, e.g. `zap fit digits`)")
    for col in ("name", "domain", "classes", "images", "here", "description"):
        table.add_column(col, overflow="fold")
    hints = []
    for info in infos:
        table.add_row(
            info.name,
            info.domain,
            str(info.classes),
            str(info.images),
            "yes" if info.available else "[red]no[/] (*)",
            info.description,
        )
        if not info.available:
            hints.append(f"(*) {info.name}: {info.install_hint}")
    if hints:
        table.caption = "\n".join(hints)
    return table
