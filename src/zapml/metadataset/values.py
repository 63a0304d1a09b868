"""What a meta-dataset's values mean: the measure, its direction and an optional cutoff.

zapml keeps ONE internal convention: ``MetaDataset.perf`` holds *scores*, higher is better, so
every selector, portfolio and evaluation reads it the same way whatever the measure. Values come
in and go out raw (a runtime in seconds, an error rate, an ALC) in the direction the data
declares; ``ValueSpec.scores`` and ``ValueSpec.raw`` are the only two places that convert.

A cutoff applies the PAR-k penalty of algorithm-selection benchmarks (ASlib, the SAT
competitions): a run whose raw value reaches the cutoff (a timeout) counts as ``penalty *
cutoff``. The penalty is kept in ``raw``: a timeout exported again is its PAR value, and
importing that again gives the same value (the penalty is idempotent).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

DIRECTIONS: tuple[str, ...] = ("maximise", "minimise")
#: Other spellings a file may use (ASlib writes ``maximize: false``; US spelling is common).
_SPELLINGS = {"maximize": "maximise", "minimize": "minimise", "max": "maximise", "min": "minimise"}
#: PAR10: ASlib's and the SAT competitions' penalty factor for a run at or over the cutoff.
PAR_PENALTY = 10.0

T = TypeVar("T", np.ndarray, pd.DataFrame, pd.Series)


def direction_of(name: str) -> str:
    """``name`` as one of ``DIRECTIONS`` (British or US spelling, or max/min)."""
    key = str(name).strip().lower()
    key = _SPELLINGS.get(key, key)
    if key not in DIRECTIONS:
        raise ValueError(
            f"Unknown value direction {name!r}; say 'maximise' (higher is better, e.g. accuracy) "
            "or 'minimise' (lower is better, e.g. runtime or error)."
        )
    return key


@dataclass(frozen=True)
class ValueSpec:
    """``name``: the measure (None: zapml's own objectives, see ``objectives``); ``direction``:
    maximise or minimise; ``cutoff``: a minimised cost at or above it is a timeout, counted as
    ``penalty * cutoff``."""

    name: str | None = None
    direction: str = "maximise"
    cutoff: float | None = None
    penalty: float = PAR_PENALTY

    def __post_init__(self) -> None:
        object.__setattr__(self, "direction", direction_of(self.direction))
        if self.cutoff is None:
            return
        cutoff = float(self.cutoff)
        if not (math.isfinite(cutoff) and cutoff > 0):
            raise ValueError(f"A value cutoff must be a positive number; got {self.cutoff!r}.")
        if self.direction != "minimise":
            raise ValueError(
                "A cutoff penalises costs that reach it (a runtime timeout); declare the values "
                "direction='minimise', or drop the cutoff."
            )
        if not (math.isfinite(self.penalty) and self.penalty >= 1):
            raise ValueError(
                f"The cutoff penalty factor must be >= 1 (PAR10: 10); got {self.penalty!r}."
            )
        object.__setattr__(self, "cutoff", cutoff)

    @property
    def minimised(self) -> bool:
        return self.direction == "minimise"

    def penalised(self, raw: T) -> T:
        """Raw values with every one at or over the cutoff replaced by ``penalty * cutoff``."""
        if self.cutoff is None:
            return raw
        cap = self.penalty * self.cutoff
        if isinstance(raw, np.ndarray):
            return np.where(raw >= self.cutoff, cap, raw)
        return raw.mask(raw >= self.cutoff, cap)

    def scores(self, raw: T) -> T:
        """Raw values in the declared direction -> scores (higher is better). NaN stays NaN."""
        values = self.penalised(_as_float(raw))
        return -values if self.minimised else values

    def raw(self, scores: T) -> T:
        """Scores -> raw values in the declared direction (a timeout as its penalised value)."""
        values = _as_float(scores)
        return -values if self.minimised else values

    def describe(self) -> str:
        """One line for summaries: ``runtime (minimise, PAR10 at cutoff 5000)``."""
        cut = ""
        if self.cutoff is not None:
            cut = f", PAR{self.penalty:g} at cutoff {self.cutoff:g}"
        return f"{self.name or 'value'} ({self.direction}{cut})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "direction": self.direction,
            "cutoff": self.cutoff,
            "penalty": self.penalty,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ValueSpec:
        cutoff = data.get("cutoff")
        return cls(
            name=data.get("name"),
            direction=str(data.get("direction", "maximise")),
            cutoff=None if cutoff is None or cutoff != cutoff else float(cutoff),  # NaN: none
            penalty=float(data.get("penalty", PAR_PENALTY)),
        )


def _as_float(values: T) -> T:
    if isinstance(values, np.ndarray):
        return values.astype(np.float64)
    return values.astype(float)
