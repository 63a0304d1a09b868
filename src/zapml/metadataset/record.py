"""``RunRecord``: one run of one cell, the single definition of a run's fields.

The cell returns it, the store writes it, the loaders and exporters read it. Every other list of
run fields derives from ``dataclasses.fields(RunRecord)``:

- SQL columns (``runs`` table): the field name, with ``_json`` appended for the fields stored as
  JSON text (``curve``, ``versions``); the on-disk schema of stores written before the record
  existed is unchanged, so they load as they are.
- long-table columns: the field names of the portable fields (``build_id`` names a row of the
  source store's ``builds`` table, meaningless elsewhere), JSON fields as JSON text.

``run_score`` is the one place that says what a run is worth in a meta-dataset; ``run_value``
applies it to a measure's field (``objectives.MEASURE_FIELDS``: the objectives and final
accuracy, a training target).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import Field, asdict, dataclass, field, fields, replace
from typing import Any

from zapml.metadataset.objectives import MEASURE_FIELDS, check_measure

#: a learning curve: (seconds, test NAUC) after each prediction
Curve = tuple[tuple[float, float], ...]

_JSON = {"json": True}
_LOCAL = {"portable": False}


@dataclass(frozen=True)
class RunRecord:
    cell_key: str  # unique per (task, pipeline, seed, budget, clock); see planner.Cell.key
    task_id: str
    pipeline_id: str
    seed: int
    budget: float | None
    clock: str | None
    status: str  # "ok" or "failed"
    alc: float | None = None
    final_nauc: float | None = None
    final_accuracy: float | None = None
    wall_seconds: float | None = None
    compute_seconds: float | None = None
    curve: Curve = field(default=(), metadata=_JSON)
    error: str | None = None
    versions: Mapping[str, str] | None = field(default=None, metadata=_JSON)
    worker: str | None = None
    build_id: int | None = field(default=None, metadata=_LOCAL)
    started_at: float | None = None
    finished_at: float | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def score(self) -> float | None:
        return run_score(self.status, self.alc)

    def value(self, objective: str) -> float | None:
        """What the run is worth for ``objective`` (a measure; see ``run_value``)."""
        field_name = MEASURE_FIELDS[check_measure(objective)]
        return run_value(objective, self.status, self.alc, getattr(self, field_name))

    def with_build(self, build_id: int) -> RunRecord:
        return replace(self, build_id=build_id)

    # flat forms: one value per column, JSON fields as text ------------------------------
    def to_sql(self) -> tuple[Any, ...]:
        """Values in ``SQL_COLUMNS`` order."""
        return tuple(_flat(getattr(self, f.name), f) for f in _FIELDS)

    def to_long(self) -> dict[str, Any]:
        """One long-table row (``LONG_COLUMNS``)."""
        return {f.name: _flat(getattr(self, f.name), f) for f in _FIELDS if _portable(f)}

    @classmethod
    def from_sql(cls, row: Mapping[str, Any]) -> RunRecord:
        """From a ``runs`` row keyed by SQL column (extra columns such as ``run_id`` ignored)."""
        return cls._from_flat({f.name: row.get(sql_column(f)) for f in _FIELDS})

    @classmethod
    def from_long(cls, row: Mapping[str, Any]) -> RunRecord:
        """From a long-table row keyed by field name (pandas NaN read as missing)."""
        return cls._from_flat({f.name: row.get(f.name) for f in _FIELDS})

    @classmethod
    def _from_flat(cls, flat: Mapping[str, Any]) -> RunRecord:
        values = {f.name: _typed(_missing_to_none(flat[f.name]), f) for f in _FIELDS}
        missing = [k for k, v in values.items() if v is None and k not in _NULLABLE]
        if missing:
            raise ValueError(f"A run needs {missing}; this row has none: {dict(flat)!r:.300}")
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_score(status: str | None, alc: float | None) -> float | None:
    """What a run is worth in a meta-dataset: its ALC; a failed run scores the ALC of the
    predictions it made before failing, 0 when it made none (AutoDL's rule, and what a user of
    that pipeline would get, so selectors learn to avoid pipelines that diverge). A row without
    a status (an external table) counts as ok."""
    alc = _missing_to_none(alc)
    if status is None or _missing_to_none(status) is None or status == "ok":
        return None if alc is None else float(alc)
    return 0.0 if alc is None else float(alc)


def run_value(
    objective: str, status: str | None, alc: float | None, final_value: float | None
) -> float | None:
    """What a run is worth for ``objective`` (a measure): ``alc`` is ``run_score`` of its ALC;
    ``final`` is ``run_score`` of its final NAUC (``final_value``; a failed run keeps its last
    prediction's NAUC, 0 without one), ``accuracy`` the same of its final test accuracy. A
    finished run that made no prediction has ALC exactly 0 and no final value (the runtime
    stores it so): it ends with no model, scored 0 (for NAUC a chance guess; for accuracy below
    chance, still the task's worst). A run with an ALC but no final value otherwise (an imported
    cell mean) has no ``final`` or ``accuracy`` value."""
    if check_measure(objective) == "alc":
        return run_score(status, alc)
    final = _missing_to_none(final_value)
    if final is None and _missing_to_none(alc) == 0.0:
        final = 0.0
    return run_score(status, final)


def run_values(
    objective: str, statuses: Iterable[Any], alcs: Iterable[Any], finals: Iterable[Any]
) -> list[float]:
    """``run_value`` over three columns; a missing value is NaN (what pandas expects)."""
    values = (run_value(objective, s, a, f) for s, a, f in zip(statuses, alcs, finals, strict=True))
    return [math.nan if v is None else v for v in values]


def run_scores(statuses: Iterable[Any], alcs: Iterable[Any]) -> list[float]:
    """``run_score`` over two columns; a missing score is NaN (what pandas expects)."""
    scores = (run_score(s, a) for s, a in zip(statuses, alcs, strict=True))
    return [math.nan if v is None else v for v in scores]


def sql_column(f: Field[Any]) -> str:
    return f"{f.name}_json" if f.metadata.get("json") else f.name


def _portable(f: Field[Any]) -> bool:
    return bool(f.metadata.get("portable", True))


_FIELDS: tuple[Field[Any], ...] = fields(RunRecord)
# fields a row may leave empty; a row without one of the others is no run
_NULLABLE = {f.name for f in _FIELDS if "None" in str(f.type)}
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in _FIELDS)
SQL_COLUMNS: tuple[str, ...] = tuple(sql_column(f) for f in _FIELDS)
LONG_COLUMNS: tuple[str, ...] = tuple(f.name for f in _FIELDS if _portable(f))


def _missing_to_none(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _flat(value: Any, f: Field[Any]) -> Any:
    if f.metadata.get("json"):
        if value is None:
            return None
        return json.dumps([list(p) for p in value] if f.name == "curve" else dict(value))
    return _missing_to_none(value)


def _typed(value: Any, f: Field[Any]) -> Any:
    """A flat value (SQL, CSV or Parquet cell) as the field's Python type."""
    if value is None:
        return () if f.name == "curve" else None
    if f.metadata.get("json"):
        data = json.loads(value) if isinstance(value, str) else value
        if f.name == "curve":
            return tuple((float(t), float(s)) for t, s in data)
        return {str(k): str(v) for k, v in dict(data).items()}
    kind = str(f.type)
    if kind.startswith("int"):
        return int(value)
    if kind.startswith("float"):
        return float(value)
    return str(value)
