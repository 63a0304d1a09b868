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
    from zapml.selectors import Recommendation


#: Where the shipped default selector lives (trained on the shipped meta-dataset).
SHIPPED_SELECTOR = Path(__file__).parent / "selectors" / "shipped"


def resolve_selector_dir(selector: str | Path | None) -> Path | None:
    """An explicit selector folder, else the shipped one when it exists, else ``None``."""
    if selector is not None:
        path = Path(selector)
        if not path.is_dir():
            raise PipelineError(
                f"--selector {selector}: no such folder. Give a folder written by "
                "`zap selector train`, or leave --selector out to use the shipped selector."
            )
        return path
    return SHIPPED_SELECTOR if (SHIPPED_SELECTOR / "manifest.json").is_file() else None


def choose_pipeline(
    pipeline_path: Path | None,
    selector: str | Path | None = None,
    metafeatures: dict[str, float] | None = None,
) -> tuple[Pipeline, str]:
    """The pipeline to run and a line saying where it came from: ``--pipeline`` wins, then the
    selector's top choice for these meta-features, then the space's default."""
    if pipeline_path is not None:
        try:
            chosen = Pipeline.from_yaml(Path(pipeline_path)).validate()
        except ValueError as err:
            raise PipelineError(f"{err} (in --pipeline {pipeline_path})") from None
        return chosen, f"pipeline from {pipeline_path}"
    selector_dir = resolve_selector_dir(selector)
    if selector_dir is not None and metafeatures is not None:
        from zapml.selectors import recommend

        advice = recommend(selector_dir, metafeatures, top=1)
        return advice.best, f"chosen zero-shot by the {advice.selector} selector in {selector_dir}"
    return default_pipeline(), "the space's default pipeline"


def run_fit(
    data: str,
    *,
    budget: float,
    output_dir: Path,
    pipeline_path: Path | None = None,
    selector: str | Path | None = None,
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
    from zapml.metafeatures import compute_metafeatures

    metafeatures = compute_metafeatures(split.train)
    pipeline, origin = choose_pipeline(pipeline_path, selector, metafeatures)
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


def train_selector_cli(
    metadataset: Path, output: Path, *, method: str, seed: int, console: Console
) -> None:
    from zapml.metadataset import load_metadataset
    from zapml.selectors import SELECTORS
    from zapml.selectors.api import train_selector

    if method not in SELECTORS or method == "oracle":
        names = ", ".join(n for n in sorted(SELECTORS) if n != "oracle")
        raise PipelineError(
            f"--method {method!r} is not a trainable selector; choose one of {names}."
        )
    mds = load_metadataset(metadataset)
    console.print(
        f"training {method} on {len(mds.tasks)} tasks x {len(mds.pipelines)} pipelines "
        f"({mds.density:.0%} of cells filled)"
    )
    import inspect

    takes_seed = "seed" in inspect.signature(SELECTORS[method].__init__).parameters
    train_selector(mds, method, out_dir=output, **({"seed": seed} if takes_seed else {}))
    console.print(f"saved to {output.resolve()}  (use: zap recommend DATA --selector {output})")


def run_recommend(
    data: str,
    *,
    selector: str | Path | None,
    top: int,
    save: Path | None,
    console: Console,
) -> Recommendation:
    from zapml.data import load_data
    from zapml.metafeatures import compute_metafeatures
    from zapml.selectors import recommend

    selector_dir = resolve_selector_dir(selector)
    if selector_dir is None:
        raise PipelineError(
            "No selector to recommend with: this installation ships none yet. Train one with "
            "`zap selector train METADATASET -o DIR` and pass --selector DIR."
        )
    split = load_data(data)
    metafeatures = compute_metafeatures(split.train)
    advice = recommend(selector_dir, metafeatures, top=top)
    features = ", ".join(f"{k}={v:g}" for k, v in metafeatures.items())
    console.print(f"[bold]{data}[/]: {features}  ->  {advice.selector} selector")
    table = Table(title=f"Top {top} pipelines (higher score = better predicted ALC rank)")
    for col in ("rank", "architecture", "score", "lr", "optimizer", "input px", "batch", "frozen"):
        table.add_column(col, no_wrap=col == "architecture")
    for row in advice.top:
        p = row.pipeline
        table.add_row(
            str(row.rank),
            row.architecture,
            f"{row.score:.3f}",
            f"{p['lr']:.2g}",
            str(p["optimizer"]),
            str(2 ** int(p["log2_max_size"])),
            str(p["batch_size"]),
            f"{p['freeze_portion']:.0%}",
        )
    console.print(table)
    near = advice.nearest_training_tasks[:3]
    if near:
        console.print(
            "nearest training tasks: "
            + "; ".join(f"{t.task_id} ({t.core_dataset}, d={t.distance:.2f})" for t in near)
        )
    if advice.strongest_features:
        console.print(f"strongest features: {list(advice.strongest_features)}")
    for warning in advice.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    if save is not None:
        advice.best.to_yaml(save)
        console.print(f"best pipeline written to {save} (zap fit {data} --pipeline {save})")
    return advice


def run_benchmark_cli(
    metadataset: Path, output: Path, *, seeds: int, methods: str | None, console: Console
) -> None:
    from zapml.evaluation import default_selectors, rich_table, run_benchmark
    from zapml.metadataset import load_metadataset

    mds = load_metadataset(metadataset)
    lineup = default_selectors("fast")
    if methods:
        wanted = [m.strip() for m in methods.split(",") if m.strip()]
        unknown = sorted(set(wanted) - set(lineup))
        if unknown:
            raise PipelineError(
                f"--methods: unknown {unknown}; choose from {', '.join(sorted(lineup))}."
            )
        lineup = {m: lineup[m] for m in wanted}
    summary, _ = run_benchmark(
        mds, lineup, seeds=range(seeds), out_dir=output, progress=lambda m: console.print(m)
    )
    console.print(rich_table(summary))
    console.print(f"report: {output.resolve()}")
