"""``zoo_table``: the registry as a rich table, for ``zap zoo list``."""

from __future__ import annotations

from rich.table import Table

from zapml.zoo.registry import is_available, list_specs


def zoo_table(source: str | None = None) -> Table:
    """One row per entry (optionally one source), with whether it loads on this machine."""
    table = Table(title="zapml backbone zoo")
    for header in ("name", "source", "family"):
        table.add_column(header, no_wrap=True, min_width=len(header))
    for header in ("params (M)", "GMACs", "input"):
        table.add_column(header, justify="right")
    table.add_column("pretraining")
    table.add_column("top-1", justify="right")
    table.add_column("here")
    for spec in list_specs(source):
        top1 = (
            "-" if spec.imagenet_top1 is None else f"{spec.imagenet_top1:g}"
        )  # as published, no rounding
        table.add_row(
            spec.name,
            spec.source,
            spec.family,
            f"{spec.params_m:.2f}",
            f"{spec.gmacs:.2f}",
            str(spec.input_size),
            spec.pretraining_data,
            top1,
            "yes" if is_available(spec.name) else "no",
        )
    return table
