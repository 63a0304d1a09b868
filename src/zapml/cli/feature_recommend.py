"""``zap recommend --features FILE``: rank the candidates of any meta-dataset's selector for tasks
described by a table of their features, no image data involved.

FILE is a CSV (a header, one row per task) or JSON (one object of feature -> value, or a list
of them). Its columns must be the selector's task features exactly (an optional ``task_id``
column names the rows); an empty cell is a missing value the selector imputes, with a warning.
A budget-aware selector takes each row's ``budget`` column when the file has one, else
``--budget`` (as for ``zap fit``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from zapml.errors import DataError, PipelineError
from zapml.metadataset.metadataset import BUDGET_FEATURE

if TYPE_CHECKING:
    from zapml.runtime.calibration import WallConversion
    from zapml.selectors import Recommendation, Selector

#: the optional column of FILE that names each row (a task id), never a feature
LABEL_COLUMN = "task_id"
#: FILE suffix -> how it is read
READERS = {".csv": "csv", ".json": "json"}


def read_feature_table(path: Path) -> pd.DataFrame:
    """FILE as one row per task, labelled by its ``task_id`` column or its row number."""
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise DataError(
            f"--features {path}: give a .csv (header + one row per task) or a .json file "
            "(an object of feature -> value, or a list of them)."
        )
    if not path.is_file():
        raise DataError(f"--features {path}: no such file.")
    try:
        if kind == "csv":
            table = pd.read_csv(path)
        else:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            table = pd.DataFrame([loaded] if isinstance(loaded, dict) else loaded)
    except (ValueError, TypeError) as err:  # pandas and json raise these for a damaged file
        raise DataError(f"--features {path} cannot be read: {err}") from None
    if table.empty:
        raise DataError(f"--features {path} holds no task rows.")
    if LABEL_COLUMN in table.columns:
        return table.set_index(table[LABEL_COLUMN].astype(str)).drop(columns=LABEL_COLUMN)
    return table.set_axis([f"row {i + 1}" for i in range(len(table))])


def checked_features(table: pd.DataFrame, selector: Selector, path: Path) -> pd.DataFrame:
    """``table`` with exactly the selector's task features as numbers (a budget-aware selector's
    ``budget`` may be left out: ``--budget`` gives it), or a DataError naming the columns."""
    wanted = list(selector.metafeature_names_)
    optional = {BUDGET_FEATURE} if selector.budget_aware else set()
    missing = [c for c in wanted if c not in table.columns and c not in optional]
    extra = [str(c) for c in table.columns if c not in wanted]
    if missing or extra:
        problems = [f"missing column(s) {missing}"] * bool(missing)
        problems += [f"unknown column(s) {extra}"] * bool(extra)
        raise DataError(
            f"--features {path}: {' and '.join(problems)}. The selector was trained on the task "
            f"features {wanted}; give exactly those columns (plus an optional {LABEL_COLUMN!r} "
            "naming each row; leave a cell empty where a value is unknown)."
        )
    numbers = table.apply(pd.to_numeric, errors="coerce")
    bad = [str(c) for c in table.columns if (numbers[c].isna() & table[c].notna()).any()]
    if bad:
        raise DataError(f"--features {path}: column(s) {bad} hold values that are not numbers.")
    return numbers.astype(float)


def candidate_table(advice: Recommendation, selector: Selector, title: str) -> Table:
    """The ranking by candidate id and score (and architecture when every candidate has one)."""
    ids = dict(zip(selector.pipelines_, selector.pipeline_ids_, strict=True))
    with_arch = all("architecture" in row.pipeline for row in advice.top)
    table = Table(title=title)
    for col in ("rank", "candidate", *(["architecture"] * with_arch), "score"):
        table.add_column(col, no_wrap=True)
    for row in advice.top:
        arch = [str(row.pipeline["architecture"])] if with_arch else []
        name = ids.get(row.pipeline, row.pipeline.id)
        table.add_row(str(row.rank), str(name), *arch, f"{row.score:.3f}")
    return table


def run_recommend_features(
    features: Path,
    *,
    selector: str | Path | None,
    top: int,
    save: Path | None,
    objective: str,
    budget: float | None,
    clock: str,
    conversion: WallConversion | None,
    console: Console,
) -> list[Recommendation]:
    """One ranking per row of ``features`` (see the module doc), printed with its reasons."""
    from zapml.cli.jobs import print_reasons, recommend_selector
    from zapml.metadataset.objectives import describe
    from zapml.selectors import recommend
    from zapml.selectors.choice import selector_budget

    sel = recommend_selector(selector, objective, top)
    rows = checked_features(read_feature_table(features), sel, features)
    if save is not None and len(rows) != 1:
        raise PipelineError(
            f"--save writes one best pipeline, but --features {features} has {len(rows)} rows; "
            "keep one row or drop --save."
        )
    own_budget = BUDGET_FEATURE in rows.columns
    given = selector_budget(sel, None if own_budget else budget, clock, conversion)
    for note in given.notes:
        console.print(f"[dim]{note}[/]")
    out = []
    for label, row in rows.iterrows():
        values: dict[str, Any] = row.to_dict()
        advice = recommend(sel, values, top=top, budget=given.compute_seconds)
        goal = describe(advice.objective)
        console.print(f"[bold]{label}[/] -> {advice.selector}, optimising {goal}")
        console.print(candidate_table(advice, sel, f"{label}: top {top} candidates"))
        print_reasons(console, advice)
        out.append(advice)
    if save is not None:
        out[0].best.to_yaml(save)
        console.print(f"best candidate written to {save}")
    return out
