"""ASlib scenario folders (Bischl et al., "ASlib: A benchmark library for algorithm selection",
AIJ 2016) in and out.

A scenario folder holds ``description.txt`` (YAML: ``performance_measures``, ``maximize``,
``performance_type``, ``algorithm_cutoff_time``, the algorithms and the features),
``algorithm_runs.arff`` (instance_id, repetition, algorithm, the measures, runstatus),
``feature_values.arff`` (instance_id, repetition, the features) and optionally ``cv.arff``
(instance_id, repetition, fold).

As a ``MetaDataset``: tasks are the instances (ids kept verbatim, no group derived from them:
ASlib declares none, so the meta-dataset is ungrouped), candidates are arms named by the
algorithms (ASlib gives them no features, so selectors tell them apart by id), the value is the
first performance measure (or ``measure=``). A runtime scenario is minimised with the PAR
penalty at ``algorithm_cutoff_time`` (factor ``penalty_factor`` from the description, else 10):
a run that is not ``ok`` counts as a timeout. In a solution-quality scenario a run that is not
``ok`` is missing. Repetitions are averaged. The folds of ``cv.arff`` (its first repetition)
become ``MetaDataset.folds``.

Parsing uses liac-arff (scipy.io.arff cannot read the STRING attributes ASlib uses).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import arff
import numpy as np
import pandas as pd
import yaml

from zapml._yaml import yaml_mapping
from zapml.errors import ArtifactError
from zapml.metadataset.metadataset import MetaDataset
from zapml.metadataset.values import PAR_PENALTY, ValueSpec
from zapml.space.pipeline import Pipeline

DESCRIPTION = "description.txt"
RUNS = "algorithm_runs.arff"
FEATURES = "feature_values.arff"
CV = "cv.arff"
#: The description key for the PAR factor (not in the ASlib spec; read when a scenario sets it).
PENALTY_KEYS = ("penalty_factor", "par_factor")
OK = "ok"
#: ASlib's run statuses (algorithm_runs.arff declares them as a nominal attribute).
RUN_STATUSES = ("ok", "timeout", "memout", "not_applicable", "crash", "other")
ID_COLUMNS = ("instance_id", "repetition")


def is_aslib_folder(path: str | Path) -> bool:
    path = Path(path)
    return (path / DESCRIPTION).is_file() and (path / RUNS).is_file()


# ---------------------------------------------------------------------- reading
def read_aslib(folder: str | Path, measure: str | None = None) -> MetaDataset:
    """The scenario in ``folder`` as a meta-dataset of arms (see the module note)."""
    folder = Path(folder)
    if not is_aslib_folder(folder):
        raise ArtifactError(
            f"'{folder}' is not an ASlib scenario folder: it needs {DESCRIPTION} and {RUNS}."
        )
    desc = read_description(folder / DESCRIPTION)
    spec = _value_spec(desc, measure, folder)
    runs = read_arff(folder / RUNS)
    _need(runs, [*ID_COLUMNS, "algorithm", str(spec.name), "runstatus"], folder / RUNS)
    runs = runs.assign(
        task_id=runs["instance_id"].astype(str),
        pipeline_id=runs["algorithm"].astype(str),
        **{str(spec.name): _run_values(runs, spec)},
    )
    algorithms = _listed(desc, "algorithms") or list(dict.fromkeys(runs["pipeline_id"]))
    tasks = _tasks(folder, runs, _listed(desc, "features"))
    return MetaDataset.from_long(
        runs, tasks, {a: Pipeline.arm(a) for a in algorithms}, value=str(spec.name),
        objective=str(spec.name), values=spec, folds=_folds(folder, tasks),
    )  # fmt: skip


def read_description(path: Path) -> dict[str, Any]:
    return yaml_mapping(path.read_text(), ArtifactError, f"'{path}'", "ASlib keys to values")


def read_arff(path: Path) -> pd.DataFrame:
    """An ARFF file as a frame (missing '?' values as None/NaN)."""
    try:
        with path.open() as fh:
            data = arff.load(fh)
    except (OSError, arff.ArffException) as err:
        raise ArtifactError(
            f"'{path}' cannot be read as ARFF ({type(err).__name__}: {err})."
        ) from None
    columns = [name for name, _ in data["attributes"]]
    return pd.DataFrame(data["data"], columns=columns)


def _as_list(value: Any) -> list[Any]:
    """An ASlib list: a YAML list, a comma-separated string (older scenarios), or one value."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [value]


def _listed(desc: Mapping[str, Any], what: str) -> list[str]:
    """Algorithms or features, deterministic then stochastic (ASlib 1.x keys), or the keys of
    ``metainfo_algorithms`` (ASlib 2.x)."""
    names = [*_as_list(desc.get(f"{what}_deterministic")),
             *_as_list(desc.get(f"{what}_stochastic"))]  # fmt: skip
    if not names and what == "algorithms":
        names = list(dict(desc.get("metainfo_algorithms") or {}))
    return [str(n) for n in names]


def _value_spec(desc: Mapping[str, Any], measure: str | None, folder: Path) -> ValueSpec:
    measures = [str(m) for m in _as_list(desc.get("performance_measures"))]
    if not measures:
        raise ArtifactError(f"'{folder / DESCRIPTION}' names no performance_measures.")
    name = measure or measures[0]
    if name not in measures:
        raise ArtifactError(f"Measure {name!r} is not one of the scenario's {measures}.")
    i = measures.index(name)
    maximize = _as_list(desc.get("maximize")) or [False]
    kinds = _as_list(desc.get("performance_type")) or ["runtime"]
    maxi = str(maximize[min(i, len(maximize) - 1)]).strip().lower() == "true"
    runtime = str(kinds[min(i, len(kinds) - 1)]).strip().lower() == "runtime"
    if not runtime:
        return ValueSpec(name=name, direction="maximise" if maxi else "minimise")
    cutoff = _number(desc.get("algorithm_cutoff_time"))
    if cutoff is None:
        raise ArtifactError(
            f"'{folder / DESCRIPTION}' is a runtime scenario without algorithm_cutoff_time; the "
            "PAR penalty needs it."
        )
    penalty = next((_number(desc[k]) for k in PENALTY_KEYS if k in desc), None) or PAR_PENALTY
    return ValueSpec(name=name, direction="minimise", cutoff=cutoff, penalty=penalty)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None  # ASlib writes '?' for unknown
    return number if np.isfinite(number) else None


def _run_values(runs: pd.DataFrame, spec: ValueSpec) -> pd.Series:
    """The measure of each run as the raw value ``spec`` penalises: a runtime run that is not
    ok is a timeout (raw value = the cutoff, so it counts as its PAR value); a quality run that
    is not ok is missing."""
    values = pd.to_numeric(runs[str(spec.name)], errors="coerce").astype(float)
    failed = runs["runstatus"].astype(str).str.lower() != OK
    if spec.cutoff is not None:
        return values.mask(failed, spec.cutoff).fillna(spec.cutoff)  # no time: it did not finish
    return values.mask(failed)


def _tasks(folder: Path, runs: pd.DataFrame, listed: list[str]) -> pd.DataFrame:
    """One row per instance (the runs' instances, in their order), its features averaged over
    repetitions; no group column (ASlib declares none)."""
    ids = list(dict.fromkeys(runs["task_id"]))
    if not (folder / FEATURES).is_file():
        return pd.DataFrame(index=pd.Index(ids))
    frame = read_arff(folder / FEATURES)
    _need(frame, list(ID_COLUMNS), folder / FEATURES)
    names = listed or [c for c in frame.columns if c not in ID_COLUMNS]
    _need(frame, names, folder / FEATURES)
    values = frame[names].apply(pd.to_numeric, errors="coerce").astype(float)
    means = values.groupby(frame["instance_id"].astype(str)).mean()
    return means.reindex(ids)


def _folds(folder: Path, tasks: pd.DataFrame) -> pd.Series | None:
    """The first repetition's fold of each instance; None without cv.arff."""
    if not (folder / CV).is_file():
        return None
    cv = read_arff(folder / CV)
    _need(cv, [*ID_COLUMNS, "fold"], folder / CV)
    first = cv[pd.to_numeric(cv["repetition"]) == pd.to_numeric(cv["repetition"]).min()]
    folds = first.set_index(first["instance_id"].astype(str))["fold"].astype(int)
    missing = [t for t in tasks.index if t not in folds.index]
    if missing:
        raise ArtifactError(
            f"'{folder / CV}' gives no fold to {len(missing)} instance(s), e.g. {missing[:3]}."
        )
    return folds.loc[list(tasks.index)]


def _need(frame: pd.DataFrame, columns: list[str], path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ArtifactError(f"'{path}' lacks attribute(s) {missing}; it has {list(frame.columns)}.")


# ---------------------------------------------------------------------- writing
def write_aslib(mds: MetaDataset, folder: str | Path, scenario_id: str | None = None) -> Path:
    """``mds`` as an ASlib scenario folder that ``read_aslib`` reads back to the same values
    (raw values in the declared direction; a penalised timeout is written as its PAR value with
    runstatus ``timeout``)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = mds.value_column
    spec = mds.values
    (folder / DESCRIPTION).write_text(
        yaml.safe_dump(_description(mds, scenario_id or folder.name), sort_keys=False)
    )
    long = mds.to_long().dropna(subset=[name])
    cutoff = spec.cutoff if spec.cutoff is not None else np.inf  # no cutoff: no timeout
    runs = [
        [t, 1, p, float(v), "timeout" if v >= cutoff else OK]
        for t, p, v in long.itertuples(index=False)
    ]
    _write_arff(folder / RUNS, "algorithm_runs",
                [("instance_id", "STRING"), ("repetition", "NUMERIC"), ("algorithm", "STRING"),
                 (name, "NUMERIC"), ("runstatus", list(RUN_STATUSES))], runs)  # fmt: skip
    features = mds.metafeature_names()
    rows = [[t, 1, *(_missing(v) for v in mds.tasks.loc[t, features])] for t in mds.task_ids]
    _write_arff(folder / FEATURES, "feature_values",
                [("instance_id", "STRING"), ("repetition", "NUMERIC"),
                 *((f, "NUMERIC") for f in features)], rows)  # fmt: skip
    if mds.folds is not None:
        cv = [[t, 1, int(f)] for t, f in mds.folds.items()]
        _write_arff(folder / CV, "cv",
                    [("instance_id", "STRING"), ("repetition", "NUMERIC"), ("fold", "NUMERIC")],
                    cv)  # fmt: skip
    return folder


def _description(mds: MetaDataset, scenario_id: str) -> dict[str, Any]:
    spec = mds.values
    features = mds.metafeature_names()
    return {
        "scenario_id": scenario_id,
        "performance_measures": [mds.value_column],
        "maximize": [not spec.minimised],
        "performance_type": ["runtime" if spec.cutoff is not None else "solution_quality"],
        "algorithm_cutoff_time": spec.cutoff if spec.cutoff is not None else "?",
        "algorithm_cutoff_memory": "?",
        "features_cutoff_time": "?",
        "features_cutoff_memory": "?",
        "algorithms_deterministic": mds.pipeline_ids,
        "algorithms_stochastic": [],
        "features_deterministic": features,
        "features_stochastic": [],
        "number_of_feature_steps": 1,
        "default_steps": ["ALL"],
        "feature_steps": {"ALL": {"provides": features}},
        # not an ASlib key: written only when the PAR factor is not ASlib's 10
        **({PENALTY_KEYS[0]: spec.penalty} if spec.penalty != PAR_PENALTY else {}),
    }


def _missing(value: Any) -> float | None:
    number = float(value)
    return None if number != number else number  # ARFF writes None as '?'


def _write_arff(path: Path, relation: str, attributes: list[Any], rows: list[list[Any]]) -> None:
    text = arff.dumps({"relation": relation, "attributes": attributes, "data": rows})
    path.write_text(text + "\n")
