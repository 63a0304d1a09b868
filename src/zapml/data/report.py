"""``inspect_data``: what a source holds, and what the loader had to work around, for humans."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from zapml.data.dataset import DataSplit
from zapml.data.loader import load_data, source_kind


@dataclass(frozen=True)
class DataReport:
    """Summary of a loaded source; ``imbalance_ratio`` is largest / smallest training class."""

    name: str
    source: str
    source_kind: str
    class_names: tuple[str, ...]
    train_counts: tuple[int, ...]
    test_counts: tuple[int, ...] | None
    image_size: tuple[int, int]
    channels: int
    num_train: int
    num_test: int
    imbalance_ratio: float
    warnings: tuple[str, ...]

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable values (for ``--json`` output)."""
        return asdict(self)

    def to_table(self) -> Table:
        """Per-class image counts."""
        table = Table(title=f"{self.name} ({self.source_kind})")
        table.add_column("class")
        table.add_column("train", justify="right")
        if self.test_counts is not None:
            table.add_column("test", justify="right")
        for i, name in enumerate(self.class_names):
            cells = [name, str(self.train_counts[i])]
            if self.test_counts is not None:
                cells.append(str(self.test_counts[i]))
            table.add_row(*cells)
        return table

    def render(self) -> Group:
        """Summary line, the table, then every warning and note, for ``rich.print``."""
        parts: list[Table | Text] = [Text(self.summary(), style="bold"), self.to_table()]
        for message in self.warnings:
            style = "dim" if message.startswith("Note:") else "yellow"
            parts.append(Text(f"- {message}", style=style))
        if not self.warnings:
            parts.append(Text("No problems found.", style="green"))
        return Group(*parts)

    def summary(self) -> str:
        h, w = self.image_size
        test = f", {self.num_test} test" if self.test_counts is not None else ", no test split"
        return (
            f"{self.num_classes} classes, {self.num_train} train{test}; {h}x{w} px, "
            f"{self.channels} channel(s); imbalance {self.imbalance_ratio:.2f}"
        )


def inspect_data(
    source: str | Path, *, max_side: int = 256, image_size: int | None = None
) -> DataReport:
    """Load ``source`` like ``load_data`` and summarise it; unusable data raises ``DataError``."""
    kind = source_kind(source)
    split = load_data(source, max_side=max_side, image_size=image_size)
    return report_for(split, str(source), kind)


def report_for(split: DataSplit, source: str, kind: str) -> DataReport:
    train, test = split.train, split.test
    counts = tuple(int(c) for c in train.class_counts())
    present = [c for c in counts if c > 0]
    return DataReport(
        name=train.name,
        source=source,
        source_kind=kind,
        class_names=train.class_names,
        train_counts=counts,
        test_counts=tuple(int(c) for c in test.class_counts()) if test is not None else None,
        image_size=train.resolution,
        channels=train.num_channels,
        num_train=len(train),
        num_test=len(test) if test is not None else 0,
        imbalance_ratio=max(present) / min(present) if present else 1.0,
        warnings=train.warnings,
    )
