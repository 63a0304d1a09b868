"""Candidate pipelines: random or Sobol samples of the space, YAML files, and per-task
incumbents found by multi-fidelity Bayesian optimisation (SMAC3), as ZAP found its 525.

An incumbent search is a job like a cell: ``find_incumbent`` is pure, runs in a worker, and
evaluates configurations with the same cell function the build uses, budget = clock seconds.
"""

from __future__ import annotations

import itertools
import math
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zapml.metadataset.cell import CellFn, evaluate_cell_fn
from zapml.metadataset.tasks import TaskSpec, materialise
from zapml.space.pipeline import Pipeline
from zapml.space.space import build_space

#: cost of a configuration whose run failed: worse than any ALC (ALC lies in [-1, 1])
FAILED_COST = 2.5
FACADES = ("hyperband", "multifidelity")


def random_candidates(
    n: int, seed: int = 0, architectures: Sequence[str] | None = None
) -> list[Pipeline]:
    """``n`` pipelines drawn at random from the space (ConfigSpace's sampler)."""
    cs = build_space(architectures, seed=seed)
    configs = cs.sample_configuration(n) if n > 1 else [cs.sample_configuration()]
    return [Pipeline.from_configuration(c).validate(cs) for c in configs]


def sobol_candidates(
    n: int, seed: int = 0, architectures: Sequence[str] | None = None
) -> list[Pipeline]:
    """``n`` pipelines from a scrambled Sobol sequence over the space's unit cube, which covers
    the space more evenly than random draws for small ``n``.

    Each hyperparameter gets one Sobol dimension: categoricals take ``floor(u * k)``, numerical
    ones ConfigSpace's own unit-to-value map (so log scales and integer rounding are respected).
    Conditional hyperparameters get a value too; ``Pipeline`` drops those that are inactive.
    """
    from scipy.stats import qmc

    cs = build_space(architectures, seed=seed)
    hps = list(cs.values())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns when n is not a power of two; harmless
        points = qmc.Sobol(d=len(hps), scramble=True, seed=seed).random(n)
    out = []
    for u in points:
        values: dict[str, Any] = {}
        for hp, x in zip(hps, u, strict=True):
            if hasattr(hp, "choices"):
                idx = min(int(math.floor(x * len(hp.choices))), len(hp.choices) - 1)
                values[hp.name] = hp.choices[idx]
            else:
                values[hp.name] = hp.to_value(np.array([x]))[0]
        out.append(Pipeline(values).validate(cs))
    return out


def yaml_candidates(paths: Sequence[str | Path]) -> list[Pipeline]:
    """Pipelines from YAML files, or every ``*.yaml``/``*.yml`` in a folder (sorted by name)."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.iterdir() if f.suffix in (".yaml", ".yml")))
        elif p.is_file():
            files.append(p)
        else:
            raise FileNotFoundError(f"Candidate pipeline path '{p}' does not exist.")
    return [Pipeline.from_yaml(f).validate() for f in files]


def grid_candidates(
    axes: Mapping[str, Sequence[Any]] | Sequence[tuple[str, Sequence[Any]]],
    base: Pipeline | None = None,
) -> list[Pipeline]:
    """Every combination of the ``axes`` applied to ``base`` (default: the space's default
    pipeline): how a practitioner's recipe grid (backbones x input sizes x optimiser settings) is
    written once instead of as one YAML file per point.

    An axis is a hyperparameter name with its values, or any label with mappings as values, each
    setting several hyperparameters together (an optimiser with its own learning rate, say).
    Combinations follow the axes' order, the last axis varying fastest.
    """
    from zapml.space.pipeline import default_pipeline

    start = base if base is not None else default_pipeline()
    named = list(axes.items()) if isinstance(axes, Mapping) else list(axes)
    if not named or any(len(values) == 0 for _, values in named):
        raise ValueError("A grid needs at least one axis, each with at least one value.")
    settings = [[_axis_setting(name, v) for v in values] for name, values in named]
    out: list[Pipeline] = []
    for combo in itertools.product(*settings):
        changes: dict[str, Any] = {}
        for part in combo:
            changes.update(part)
        out.append(start.replace(**changes).validate())
    return out


def _axis_setting(name: str, value: Any) -> dict[str, Any]:
    # Specs freeze mappings into sorted (key, value) pairs so they hash; accept both forms.
    if isinstance(value, Mapping):
        return dict(value)
    if (
        isinstance(value, tuple)
        and value
        and all(isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str) for v in value)
    ):
        return dict(value)
    return {name: value}


# ---------------------------------------------------------------------------------------------
# greedy portfolio: the pipelines that are best somewhere


@dataclass(frozen=True)
class PortfolioStep:
    """One pipeline added by ``greedy_portfolio`` and the coverage the portfolio then reaches."""

    pipeline_id: str
    coverage: float


def greedy_portfolio(perf: pd.DataFrame, size: int) -> list[PortfolioStep]:
    """Greedily build a portfolio: each step adds the pipeline that most raises the coverage, the
    mean over tasks of the best normalised score any portfolio member reached on the task.

    ``perf`` is tasks x pipelines (higher is better, NaN = not run). Scores are min-max
    normalised per task over its observed cells, so every task weighs the same whatever its
    scale; a cell that was not run counts as the task's worst (0), crediting a pipeline only
    where it was measured. Stops early when no pipeline adds coverage; ties go to the column
    that comes first.
    """
    if size < 1:
        raise ValueError(f"A portfolio needs size >= 1; got {size}.")
    lo, hi = perf.min(axis=1), perf.max(axis=1)
    spread = (hi - lo).where(hi > lo)
    # a task whose observed cells all tie tells nothing about which pipeline to keep
    norm = perf.sub(lo, axis=0).div(spread, axis=0).fillna(0.0).to_numpy()
    best = np.zeros(norm.shape[0])
    steps: list[PortfolioStep] = []
    free = list(range(norm.shape[1]))
    while free and len(steps) < size:
        gains = [np.maximum(best, norm[:, j]).mean() for j in free]
        pick = int(np.argmax(gains))
        if steps and gains[pick] <= steps[-1].coverage:
            break
        j = free.pop(pick)
        best = np.maximum(best, norm[:, j])
        steps.append(PortfolioStep(str(perf.columns[j]), float(best.mean())))
    return steps


def portfolio_of(
    source: str | Path, size: int, objective: str = "final", budget: float | None = None
) -> list[tuple[PortfolioStep, Pipeline]]:
    """The greedy portfolio (see ``greedy_portfolio``) of an existing meta-dataset: the pipelines
    that were best somewhere on its tasks, for one objective (and one budget when it has several:
    default the smallest), each with the coverage reached once it joined."""
    from zapml.metadataset.loading import load_metadataset

    md = load_metadataset(source)
    if md.budgets:
        md = md.at_budget(budget if budget is not None else min(md.budgets))
    md = md.for_objective(objective)
    return [(s, md.pipelines[s.pipeline_id]) for s in greedy_portfolio(md.perf, size)]


# ---------------------------------------------------------------------------------------------
# incumbents by multi-fidelity BO


@dataclass(frozen=True)
class SearchJob:
    """One SMAC3 run on one task. ``repeats`` seeds are averaged per evaluation (ZAP used 3)."""

    task: TaskSpec
    n_trials: int = 30
    min_budget: float = 10.0
    max_budget: float = 60.0
    facade: str = "hyperband"
    eta: int = 3
    seed: int = 0
    repeats: int = 1
    clock: str = "compute"
    architectures: tuple[str, ...] | None = None
    cell_fn: CellFn | None = None


def search_job_from_options(
    task: TaskSpec, options: dict[str, Any], clock: str, cell_fn: CellFn | None
) -> SearchJob:
    facade = str(options.get("facade", "hyperband"))
    if facade not in FACADES:
        raise ValueError(
            f"An incumbents source's 'facade' must be one of {FACADES}. Got {facade!r}."
        )
    archs = options.get("architectures")
    return SearchJob(
        task=task,
        n_trials=int(options.get("n_trials", 30)),
        min_budget=float(options.get("min_budget", 10.0)),
        max_budget=float(options.get("max_budget", 60.0)),
        facade=facade,
        eta=int(options.get("eta", 3)),
        seed=int(options.get("seed", 0)),
        repeats=int(options.get("repeats", 1)),
        clock=clock,
        architectures=tuple(archs) if archs else None,
        cell_fn=cell_fn,
    )


def find_incumbent(job: SearchJob) -> dict[str, Any]:
    """Run SMAC3 on the job's task; returns ``{"task_id", "pipeline", "cost", "trials"}``."""
    from smac import HyperbandFacade, MultiFidelityFacade, Scenario

    split = materialise(job.task)
    fn = evaluate_cell_fn(job.cell_fn)
    trials = 0

    def target(config: Any, seed: int = 0, budget: float = job.max_budget) -> float:
        nonlocal trials
        trials += 1
        pipeline = Pipeline.from_configuration(config)
        alcs: list[float | None] = []
        for rep in range(job.repeats):
            try:
                res = fn(pipeline, split.train, split.test, budget=float(budget),
                         clock=job.clock, seed=job.seed + rep)  # fmt: skip
                data = res.to_dict() if hasattr(res, "to_dict") else dict(res)
                ok = data.get("status", "ok") == "ok" and data.get("alc") is not None
                alcs.append(float(data["alc"]) if ok else None)
            except Exception:  # a diverging configuration is a bad configuration, not a crash
                alcs.append(None)
        scores = [a for a in alcs if a is not None]
        if len(scores) < len(alcs):
            return FAILED_COST
        return 1.0 - float(np.mean(scores))

    cs = build_space(job.architectures, seed=job.seed)
    facade_cls = HyperbandFacade if job.facade == "hyperband" else MultiFidelityFacade
    with tempfile.TemporaryDirectory(prefix="zap-smac-") as tmp:
        scenario = Scenario(
            cs,
            name=f"incumbent-{job.task.id}",
            output_directory=Path(tmp),
            deterministic=True,
            n_trials=job.n_trials,
            min_budget=job.min_budget,
            max_budget=job.max_budget,
            seed=job.seed,
        )
        smac = facade_cls(
            scenario,
            target,
            intensifier=facade_cls.get_intensifier(scenario, eta=job.eta),
            overwrite=True,
            logging_level=40,
        )
        incumbent = smac.optimize()
        best = incumbent[0] if isinstance(incumbent, list) else incumbent
        cost = smac.runhistory.get_cost(best)
    return {
        "task_id": job.task.id,
        "pipeline": Pipeline.from_configuration(best).to_dict(),
        "cost": float(cost),
        "trials": trials,
    }
