"""Build specs: the YAML file that says which meta-dataset ``zap metadataset build`` makes.

A spec is validated into a frozen ``BuildSpec``; its ``hash`` decides, against an existing
store, whether a build resumes (same hash) or is refused (different hash, unless forced).

Format (every key but ``core_datasets`` and ``candidates`` is optional)::

    name: small-example            # free text, shown by `zap metadataset status`
    core_datasets:                 # built-in names, folder/CSV paths, or mappings
      - digits
      - {name: my_leaves, path: ./leaves, domain: plants}
    tasks_per_core: 3              # task seeds 0..2 for each core dataset ("{seed}-{core}")
    first_task_seed: 0
    num_classes: [2, 100]          # ZAP augmentation: classes drawn from [2, min(100, C)]
    samples_per_class: [20, 105]   # training images per class, capped by what exists
    test_per_class: 50             # at most this many held-out test images per class
    resolutions: [null, 32]        # null = native; an int adds an HxW-resized variant per task
    candidates:                    # where candidate pipelines come from (any mix)
      - {source: random, n: 8, seed: 0}
      - {source: sobol, n: 8, seed: 0, architectures: [mobilenetv2_100, resnet18.scratch]}
      - {source: yaml, paths: [./configs]}           # files or folders of *.yaml
      - {source: grid, axes: {architecture: [mobilenetv2_100, efficientnet_lite0],
                              log2_max_size: [5, 6, 7]}}  # default pipeline x every combination
      - {source: incumbents, n_trials: 30, min_budget: 10, max_budget: 90,
         facade: hyperband, eta: 3, seed: 0, tasks: all}   # SMAC3 per task -> its incumbent
    density: 1.0                   # fraction of (task, pipeline) pairs to run (stratified)
    plan_seed: 0                   # which sparse cells are drawn
    repeats: 1                     # run seeds 0..repeats-1 per cell (ZAP used 3, averaged)
    budget: 60                     # seconds per cell on the clock below
    clock: compute                 # compute | wall  (see zapml.runtime)

Several budgets: a cell is then (task, pipeline, budget, seed). ``budgets`` replaces ``budget``
and ``density`` may give one density per budget, which must not grow with the budget: the
(task, pipeline) pairs planned at a budget are a subset of those planned at every smaller one,
so curves across budgets compare the same pairs (see ``planner.nested_pairs``)::

    budgets: [4, 16, 64]
    density: {4: 0.5, 16: 0.25, 64: 0.125}   # or one number: the same density at every budget
    focus_tasks_per_core: {64: 2}  # optional: at 64 s only 2 tasks per core dataset, each with
                                   # its 64-s density of pipelines (see planner.focus_tasks)

A one-budget spec (``budget: 4`` or ``budgets: [4]``) hashes as it always did, so stores built
before budgets were a dimension resume.

Relative paths are resolved against the spec file's folder, so a spec travels with its data.

A spec may extend another one in the same folder: ``extends: v2.yaml`` takes every key of that
spec, and the keys given here replace it whole (a new candidate list, other budgets), so a
second build over the same tasks does not restate how the tasks are drawn::

    extends: v2.yaml               # same core datasets and tasks as v2
    name: v2-more-candidates
    candidates: [{source: grid, axes: {architecture: [mobilenetv2_100], lr: [0.001, 0.0003]}}]
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from zapml._yaml import yaml_mapping
from zapml.errors import ZapError

CANDIDATE_SOURCES = ("random", "sobol", "yaml", "grid", "incumbents")
CLOCKS = ("compute", "wall")


class SpecError(ZapError, ValueError):
    """A build spec is malformed; the message names the key and the fix."""


@dataclass(frozen=True)
class CoreSpec:
    """One core dataset: ``source`` is what ``zapml.data.load_data`` receives."""

    name: str
    source: str
    domain: str = "unknown"


@dataclass(frozen=True)
class CandidateSpec:
    source: str
    options: tuple[tuple[str, Any], ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        return dict(self.options).get(key, default)


@dataclass(frozen=True)
class BuildSpec:
    core_datasets: tuple[CoreSpec, ...]
    candidates: tuple[CandidateSpec, ...]
    name: str = "metadataset"
    tasks_per_core: int = 1
    first_task_seed: int = 0
    num_classes: tuple[int, int] = (2, 100)
    samples_per_class: tuple[int, int] = (20, 105)
    test_per_class: int = 50
    resolutions: tuple[int | None, ...] = (None,)
    plan_seed: int = 0
    repeats: int = 1
    #: seconds per cell, ascending; ``densities[i]`` is the planned fraction at ``budgets[i]``
    budgets: tuple[float, ...] = (60.0,)
    densities: tuple[float, ...] = (1.0,)
    #: (budget, tasks per core dataset) for the focused budgets (``planner.focus_tasks``)
    focus_tasks_per_core: tuple[tuple[float, int], ...] = ()
    clock: str = "compute"
    extra: tuple[tuple[str, Any], ...] = field(default=(), compare=False)

    @property
    def seeds(self) -> list[int]:
        return list(range(self.repeats))

    @property
    def budget(self) -> float:
        """The smallest budget (a one-budget spec's only one)."""
        return self.budgets[0]

    @property
    def density(self) -> float:
        """The density at the smallest budget (the densest level)."""
        return self.densities[0]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("extra")
        out["candidates"] = [{"source": c.source, **dict(c.options)} for c in self.candidates]
        budgets, densities = out.pop("budgets"), out.pop("densities")
        if len(budgets) == 1:  # the one-budget form every earlier spec hashed as: keep it
            out["budget"], out["density"] = budgets[0], densities[0]
        else:
            out["budgets"] = list(budgets)
            out["density"] = {f"{b:g}": d for b, d in zip(budgets, densities, strict=True)}
        focus = out.pop("focus_tasks_per_core")
        if focus:  # absent when unused, so specs written before it hash as they did
            out["focus_tasks_per_core"] = {f"{b:g}": n for b, n in focus}
        return out

    @property
    def hash(self) -> str:
        """Content hash of everything that changes results (``name`` is only a label)."""
        body = self.to_dict()
        body.pop("name")
        body["candidates"] = [_location_free(c) for c in body["candidates"]]
        blob = json.dumps(body, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def _location_free(candidate: dict[str, Any]) -> dict[str, Any]:
    """A candidate source as the hash sees it: files named by path count by their content (the
    pipelines they hold), so a spec resumes from another checkout or machine."""
    from zapml.metadataset.candidates import yaml_candidates

    out = dict(candidate)
    if "paths" in out:
        out["paths"] = [p.id for p in yaml_candidates(out["paths"])]
    if "base" in out:
        out["base"] = yaml_candidates([out["base"]])[0].id
    return out


def builtin_domain(source: str) -> str | None:
    """The domain the built-in dataset registry (``zapml.data.builtin``) gives ``source``; None
    for anything that is not a built-in. Read there, never copied: one name per domain."""
    from zapml.data.builtin import BUILTINS  # lazy: the registry imports the data readers

    entry = BUILTINS.get(source)
    return None if entry is None else entry.domain


def _int_pair(raw: Any, key: str, low: int) -> tuple[int, int]:
    if not (
        isinstance(raw, list | tuple) and len(raw) == 2 and all(isinstance(v, int) for v in raw)
    ):
        raise SpecError(
            f"The '{key}' key of the build spec must be [min, max] integers. Got {raw!r}."
        )
    a, b = int(raw[0]), int(raw[1])
    if not low <= a <= b:
        raise SpecError(
            f"The '{key}' key of the build spec needs {low} <= min <= max. Got {raw!r}."
        )
    return a, b


def _core(raw: Any, base: Path) -> CoreSpec:
    if isinstance(raw, str):
        name, source, domain = raw, raw, None
    elif isinstance(raw, Mapping) and ("name" in raw or "path" in raw):
        source = str(raw.get("path") or raw["name"])
        name = str(raw.get("name") or Path(source).stem)
        domain = raw.get("domain")
    else:
        raise SpecError(
            f"Each entry of 'core_datasets' must be a name or {{name, path, domain}}. Got {raw!r}."
        )
    is_path = "/" in source or source.startswith(".") or source.endswith(".csv")
    if not is_path:
        domain = domain or builtin_domain(source)
    if is_path:
        source = str((base / source).resolve())
        if isinstance(raw, str):
            name = Path(source).stem
    if "-" in name or "@" in name:
        # task ids are "{seed}-{core}" (and "@{res}"): the core name must parse back unambiguously
        name = name.replace("-", "_").replace("@", "_")
    return CoreSpec(name=name, source=source, domain=str(domain or "unknown"))


def _grid_axes(axes: Any) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    """A grid's axes, frozen: mappings become sorted (key, value) pairs so the spec hashes."""
    if not isinstance(axes, Mapping) or not axes:
        raise SpecError(
            "A 'grid' candidate source needs 'axes': a mapping of hyperparameter -> list of "
            "values (or label -> list of mappings), e.g. {log2_max_size: [5, 6, 7]}."
        )
    out = []
    for name, values in axes.items():
        if not isinstance(values, list) or not values:
            raise SpecError(f"Grid axis '{name}' needs a non-empty list of values; got {values!r}.")
        frozen = [tuple(sorted(v.items())) if isinstance(v, Mapping) else v for v in values]
        out.append((str(name), tuple(frozen)))
    return tuple(out)


def _candidate(raw: Any, base: Path) -> CandidateSpec:
    if not isinstance(raw, Mapping) or raw.get("source") not in CANDIDATE_SOURCES:
        raise SpecError(
            f"Each entry of 'candidates' needs 'source' in {list(CANDIDATE_SOURCES)}. Got {raw!r}."
        )
    opts = {k: v for k, v in raw.items() if k != "source"}
    if raw["source"] in ("random", "sobol") and not (
        isinstance(opts.get("n"), int) and opts["n"] > 0
    ):
        raise SpecError(
            f"A '{raw['source']}' candidate source needs 'n' > 0. Got {opts.get('n')!r}."
        )
    if raw["source"] == "yaml":
        paths = opts.get("paths")
        if isinstance(paths, str):
            paths = [paths]
        if not paths:
            raise SpecError("A 'yaml' candidate source needs 'paths': YAML files or folders.")
        opts["paths"] = [str((base / p).resolve()) for p in paths]
    if raw["source"] == "grid":
        opts["axes"] = _grid_axes(opts.get("axes"))
        if "base" in opts:
            opts["base"] = str((base / str(opts["base"])).resolve())
    if "architectures" in opts:
        opts["architectures"] = list(opts["architectures"])
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in opts.items()))
    return CandidateSpec(source=str(raw["source"]), options=frozen)


def _focus(raw: Any, budgets: tuple[float, ...]) -> tuple[tuple[float, int], ...]:
    """``{budget: tasks per core dataset}`` for the focused budgets, each one of ``budgets``."""
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise SpecError(
            f"The 'focus_tasks_per_core' key must map budgets to task counts, like {{64: 2}}. "
            f"Got {raw!r}."
        )
    out = []
    for b, n in raw.items():
        budget = _seconds(b, "focus_tasks_per_core")
        if budget not in budgets:
            raise SpecError(
                f"The 'focus_tasks_per_core' key names budget {b!r}, which is not one of the "
                f"spec's budgets {[f'{x:g}' for x in budgets]}."
            )
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise SpecError(f"The 'focus_tasks_per_core[{b}]' key must be an int >= 1. Got {n!r}.")
        out.append((budget, n))
    return tuple(sorted(out))


#: dataclass fields a spec does not name as such (``budget`` and ``density`` fill them)
_DERIVED = ("extra", "densities")


def _seconds(raw: Any, key: str) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(raw, bool) or not math.isfinite(value) or value <= 0:
        raise SpecError(f"The '{key}' key must be positive seconds. Got {raw!r}.")
    return value


def _budgets(data: Mapping[str, Any]) -> tuple[float, ...]:
    """``budget: 4`` or ``budgets: [4, 16, 64]``, as ascending distinct seconds."""
    if "budget" in data and "budgets" in data:
        raise SpecError("Give 'budget' (one budget) or 'budgets' (a list), not both.")
    if "budgets" not in data:
        return (_seconds(data.get("budget", 60.0), "budget"),)
    raw = data["budgets"]
    if not isinstance(raw, list | tuple) or not raw:
        raise SpecError(f"The 'budgets' key must be a non-empty list of seconds. Got {raw!r}.")
    budgets = sorted(_seconds(b, "budgets") for b in raw)
    if len(set(budgets)) != len(budgets):
        raise SpecError(f"The 'budgets' key lists a budget twice: {raw!r}. List each once.")
    return tuple(budgets)


def _density(raw: Any, key: str) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(raw, bool) or not 0.0 < value <= 1.0:
        raise SpecError(f"The '{key}' key must lie in (0, 1]. Got {raw!r}.")
    return value


def _densities(raw: Any, budgets: tuple[float, ...]) -> tuple[float, ...]:
    """One density per budget: a number (the same everywhere) or ``{budget: density}`` naming
    each budget once, not growing with the budget (larger budgets plan subsets)."""
    if not isinstance(raw, Mapping):
        return (_density(raw, "density"),) * len(budgets)
    given = {_seconds(b, "density"): _density(d, f"density[{b}]") for b, d in raw.items()}
    if set(given) != set(budgets):
        raise SpecError(
            f"The 'density' mapping must name each budget once: budgets {list(budgets)}, "
            f"density keys {sorted(given)}."
        )
    densities = tuple(given[b] for b in budgets)
    if any(later > earlier for earlier, later in zip(densities, densities[1:], strict=False)):
        raise SpecError(
            f"The 'density' mapping grows with the budget ({raw!r}): cells at a larger budget "
            "are a subset of those at a smaller one, so give non-increasing densities."
        )
    return densities


def parse_spec(data: Mapping[str, Any], base: Path | None = None) -> BuildSpec:
    """Validate a spec mapping; relative paths are resolved against ``base``."""
    base = base or Path.cwd()
    known = {f for f in BuildSpec.__dataclass_fields__ if f not in _DERIVED} | {"budget", "density"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SpecError(f"Unknown build spec key(s) {unknown}; known keys: {sorted(known)}.")
    cores = data.get("core_datasets")
    if not cores:
        raise SpecError("The build spec needs 'core_datasets': a list of dataset names or paths.")
    cands = data.get("candidates")
    if not cands:
        raise SpecError("The build spec needs 'candidates': at least one candidate source.")
    core_specs = tuple(_core(c, base) for c in cores)
    names = [c.name for c in core_specs]
    if len(set(names)) != len(names):
        raise SpecError(f"Core dataset names must be unique; got {names}.")
    clock = data.get("clock", "compute")
    if clock not in CLOCKS:
        raise SpecError(f"The 'clock' key must be one of {list(CLOCKS)}. Got {clock!r}.")
    budgets = _budgets(data)
    densities = _densities(data.get("density", 1.0), budgets)
    resolutions = tuple(None if r is None else int(r) for r in data.get("resolutions", [None]))
    for key in ("tasks_per_core", "repeats", "test_per_class"):
        if int(data.get(key, 1)) < 1:
            raise SpecError(f"The '{key}' key must be >= 1. Got {data[key]!r}.")
    return BuildSpec(
        core_datasets=core_specs,
        candidates=tuple(_candidate(c, base) for c in cands),
        name=str(data.get("name", "metadataset")),
        tasks_per_core=int(data.get("tasks_per_core", 1)),
        first_task_seed=int(data.get("first_task_seed", 0)),
        num_classes=_int_pair(data.get("num_classes", [2, 100]), "num_classes", 2),
        samples_per_class=_int_pair(
            data.get("samples_per_class", [20, 105]), "samples_per_class", 1
        ),
        test_per_class=int(data.get("test_per_class", 50)),
        resolutions=resolutions or (None,),
        plan_seed=int(data.get("plan_seed", 0)),
        repeats=int(data.get("repeats", 1)),
        budgets=budgets,
        densities=densities,
        focus_tasks_per_core=_focus(data.get("focus_tasks_per_core"), budgets),
        clock=str(clock),
    )


def load_spec(path: str | Path) -> BuildSpec:
    path = Path(path)
    if not path.is_file():
        raise SpecError(
            f"Build spec '{path}' does not exist (see zapml.metadataset.spec for the format)."
        )
    return parse_spec(_spec_mapping(path), base=path.resolve().parent)


def _spec_mapping(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The spec file's keys over those of the spec it ``extends`` (recursively)."""
    data = yaml_mapping(path.read_text(), SpecError, f"Build spec '{path}'", "key: value")
    parent_name = data.pop("extends", None)
    if parent_name is None:
        return data
    parent = (path.parent / str(parent_name)).resolve()
    if parent.parent != path.resolve().parent or not parent.is_file():
        raise SpecError(
            f"Build spec '{path}' extends '{parent_name}', which is not a spec file in the same "
            "folder (relative paths in both resolve against that folder): copy it there."
        )
    if parent in seen or parent == path.resolve():
        raise SpecError(f"Build spec '{path}' extends '{parent_name}', which extends it back.")
    return {**_spec_mapping(parent, (*seen, path.resolve())), **data}
