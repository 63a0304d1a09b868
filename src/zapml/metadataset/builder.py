"""``build``: spec -> tasks -> candidate pipelines -> planned cells -> executor -> store.

The driver is the only writer. Every step skips what the store already holds, so running the
same spec again after a crash (or a Ctrl-C) resumes it: tasks and pipelines are inserted once,
incumbent searches already finished are not redone, and the plan is recomputed identically and
stripped of stored cells.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from zapml.metadataset.candidates import (
    find_incumbent,
    grid_candidates,
    random_candidates,
    search_job_from_options,
    sobol_candidates,
    yaml_candidates,
)
from zapml.metadataset.cell import CellFn, CellJob, evaluate_cell
from zapml.metadataset.driver import build_lock, stop_on_sigterm
from zapml.metadataset.executors import Executor, make_executor, run_all
from zapml.metadataset.planner import Cell, plan_cells
from zapml.metadataset.progress import BuildProgress
from zapml.metadataset.record import RunRecord
from zapml.metadataset.spec import BuildSpec, CandidateSpec, SpecError, load_spec
from zapml.metadataset.store import Store, open_store
from zapml.metadataset.tasks import TaskSpec, materialise, task_metafeatures, tasks_from_spec
from zapml.space.pipeline import Pipeline


@dataclass
class BuildReport:
    db: Path
    build_id: int
    spec_hash: str
    planned: int = 0  # cells in the plan (stored before this run included)
    planned_by_budget: dict[float, int] = field(default_factory=dict)  # of ``planned``
    skipped: int = 0  # already stored when this run started
    done: int = 0  # stored by this run
    failed: int = 0  # of ``done``, recorded as failed
    deferred: int = 0  # still to run: budgets, tasks or pipelines this run was told to leave
    seconds: float = 0.0
    search_errors: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["db"] = str(self.db)
        return out


def build(
    spec_path: str | Path,
    db: str | Path | None = None,
    *,
    workers: int = 1,
    executor: str = "local",
    address: str | None = None,
    progress: bool = True,
    force: bool = False,
    retry_failed: bool = False,
    cell_fn: CellFn | None = None,
    wait: bool = False,
    budgets: Sequence[float] | None = None,
    device: str | None = None,
    task_ids: Sequence[str] | None = None,
    pipeline_ids: Sequence[str] | None = None,
) -> BuildReport:
    """Build (or resume) the meta-dataset a spec describes into an SQLite store.

    ``db`` defaults to the spec path with ``.sqlite``. ``workers=0`` runs cells in this process.
    ``executor="ray"`` with ``address="host:port"`` uses an existing Ray cluster. ``force`` lets
    a different spec write into a store built from another one. ``cell_fn`` replaces
    ``zapml.runtime.fit`` (same signature; must be importable by the workers). Only one build
    writes a store at a time: another one running refuses at once (``BuildLockedError`` with
    its pid) or, with ``wait=True``, starts when it ends. SIGTERM stops the build and its
    workers; a killed driver's workers die with it (see ``executors.die_with_parent``).
    ``budgets`` runs only the plan's cells at those budgets (the spec's, in compute seconds);
    the plan is unchanged, so a later build without it runs the rest; ``task_ids`` likewise runs
    only those tasks' cells (ids ``<seed>-<core>``, as stored), and ``pipeline_ids`` those
    candidates' cells (checked once the candidates are gathered: a sampled candidate's id is the
    stored one, and an incumbent's is known only after its search). ``device`` is where the
    cells' networks compute (``zapml.runtime.device``; None = the CPU): under the compute clock a
    GPU worker's run of a cell is charged what a CPU worker's is."""
    spec = load_spec(spec_path)
    if device is not None:
        from zapml.runtime.device import resolve_device

        resolve_device(device)  # a missing GPU fails here, not in every cell
    only = CellFilter(check_budgets(spec, budgets), check_task_ids(spec, task_ids))
    db = Path(db) if db is not None else Path(spec_path).with_suffix(".sqlite")
    start = time.perf_counter()
    with open_store(db) as store, build_lock(db, wait=wait), stop_on_sigterm():
        build_id = store.begin_build(spec.hash, spec.to_dict(), force=force)
        report = BuildReport(db=db, build_id=build_id, spec_hash=spec.hash)
        tasks = register_tasks(store, spec)
        ex = make_executor(executor, workers, address)
        try:
            candidates = gather_candidates(store, spec, tasks, ex, cell_fn, report)
            only = replace(only, pipeline_ids=check_pipeline_ids(spec, candidates, pipeline_ids))
            run_cells(
                store, spec, tasks, candidates, ex, cell_fn, report, progress, retry_failed,
                only, device,
            )  # fmt: skip
        except BaseException:  # SIGTERM, Ctrl-C or an error: the workers must not outlive us
            ex.kill()
            raise
        ex.shutdown()
    report.seconds = time.perf_counter() - start
    return report


def check_budgets(spec: BuildSpec, budgets: Sequence[float] | None) -> frozenset[float] | None:
    """The budgets a build was asked to run now, each one of the spec's (None: all of them)."""
    if budgets is None:
        return None
    planned = [float(b) for b in spec.budgets]
    unknown = [b for b in budgets if float(b) not in planned]
    if unknown or not budgets:
        listed = ", ".join(f"{b:g}" for b in planned)
        raise SpecError(
            f"Budget(s) {', '.join(f'{b:g}' for b in unknown) or '(none)'} are not in the spec "
            f"'{spec.name}', which plans budgets {listed} (compute seconds): pass some of those."
        )
    return frozenset(float(b) for b in budgets)


def check_task_ids(spec: BuildSpec, task_ids: Sequence[str] | None) -> frozenset[str] | None:
    """The tasks a build was asked to run now, each one of the spec's (None: all of them)."""
    if task_ids is None:
        return None
    planned = [t.id for t in tasks_from_spec(spec)]
    where = f"in the spec '{spec.name}', which plans {len(planned)} tasks"
    return asked_among(task_ids, planned, "Task", where, "ids are <seed>-<core>")


def check_pipeline_ids(
    spec: BuildSpec, candidates: list[str], pipeline_ids: Sequence[str] | None
) -> frozenset[str] | None:
    """The candidate pipelines a build was asked to run now, each one the spec gathered (None:
    all of them)."""
    if pipeline_ids is None:
        return None
    where = f"candidates of the spec '{spec.name}', which has {len(candidates)}"
    form = "ids are the 12-character ones `zap recommend` and `zap metadataset export` show"
    return asked_among(pipeline_ids, candidates, "Pipeline", where, form)


def asked_among(
    asked: Sequence[str], known: Sequence[str], kind: str, where: str, id_form: str
) -> frozenset[str]:
    """``asked``, each one of ``known``; else a SpecError naming the unknown ones and, for each,
    the nearest known id ("did you mean"), or how such ids look when none is near."""
    unknown = [a for a in asked if a not in known]
    if unknown or not asked:
        hints = [difflib.get_close_matches(a, known, n=1) for a in unknown]
        close = sorted({h[0] for h in hints if h})
        raise SpecError(
            f"{kind}(s) {', '.join(unknown) or '(none)'} are not {where} "
            f"({', '.join(known[:3])}, ...)"
            + (f"; did you mean {', '.join(close)}?" if close else f": {id_form}.")
        )
    return frozenset(asked)


@dataclass(frozen=True)
class CellFilter:
    """Which of the plan's cells a build runs now (None: no restriction on that axis); the plan
    itself never changes, so a later build without the filter runs the rest."""

    budgets: frozenset[float] | None = None
    task_ids: frozenset[str] | None = None
    pipeline_ids: frozenset[str] | None = None

    def keeps(self, cell: Cell) -> bool:
        return (
            (self.budgets is None or cell.budget in self.budgets)
            and (self.task_ids is None or cell.task_id in self.task_ids)
            and (self.pipeline_ids is None or cell.pipeline_id in self.pipeline_ids)
        )


def register_tasks(store: Store, spec: BuildSpec) -> list[TaskSpec]:
    """Insert the spec's tasks with their meta-features (materialised once, in the driver, so a
    bad core dataset fails here with its loader's message instead of in every cell)."""
    tasks = tasks_from_spec(spec)
    known = set(store.task_ids())
    for task in tasks:
        if task.id not in known:
            mf = task_metafeatures(materialise(task))
            store.add_task(task.id, task.core, mf, domain=task.domain, spec=task)
    return tasks


def _source_tag(cand: CandidateSpec) -> str:
    blob = json.dumps(dict(cand.options), sort_keys=True, default=str).encode()
    return f"{cand.source}:{hashlib.sha1(blob).hexdigest()[:8]}"


def gather_candidates(
    store: Store,
    spec: BuildSpec,
    tasks: list[TaskSpec],
    ex: Executor,
    cell_fn: CellFn | None,
    report: BuildReport,
) -> list[str]:
    """Candidate pipeline ids in a deterministic order (spec order; incumbents in task order)."""
    ids: list[str] = []
    for cand in spec.candidates:
        if cand.source == "incumbents":
            pipelines = _incumbents(store, spec, tasks, cand, ex, cell_fn, report)
        else:
            pipelines = _as_stored(_static_candidates(cand), store, _source_tag(cand))
            for p in pipelines:
                store.add_pipeline(p, _source_tag(cand))
        ids.extend(p.id for p in pipelines if p.id not in ids)
    return ids


def _as_stored(pipelines: list[Pipeline], store: Store, tag: str) -> list[Pipeline]:
    """Each generated candidate, or the stored candidate of the same source it matches up to
    float noise (``Pipeline.matches``): a sampled point's last bit depends on the CPU, and a
    build resumed on another machine must keep the stored pipeline and its runs."""
    sources = store.pipeline_sources()
    stored = [p for pid, p in store.pipelines().items() if sources.get(pid) == tag]
    known = {p.id for p in stored}
    return [p if p.id in known else next((s for s in stored if s.matches(p)), p) for p in pipelines]


def _static_candidates(cand: CandidateSpec) -> list[Pipeline]:
    archs = cand.get("architectures")
    if cand.source == "random":
        return random_candidates(int(cand.get("n")), int(cand.get("seed", 0)), archs)
    if cand.source == "sobol":
        return sobol_candidates(int(cand.get("n")), int(cand.get("seed", 0)), archs)
    if cand.source == "grid":
        base = cand.get("base")
        return grid_candidates(cand.get("axes"), yaml_candidates([base])[0] if base else None)
    return yaml_candidates(list(cand.get("paths")))


def _incumbents(
    store: Store,
    spec: BuildSpec,
    tasks: list[TaskSpec],
    cand: CandidateSpec,
    ex: Executor,
    cell_fn: CellFn | None,
    report: BuildReport,
) -> list[Pipeline]:
    """One SMAC3 search per task (``tasks: all`` or a list of task ids), run on the executor;
    searches whose incumbent is stored are not rerun."""
    tag = _source_tag(cand)
    wanted = cand.get("tasks", "all")
    chosen = [t for t in tasks if wanted == "all" or t.id in set(wanted)]
    found = _stored_incumbents(store, tag)
    jobs = [
        search_job_from_options(t, dict(cand.options), spec.clock, cell_fn)
        for t in chosen
        if t.id not in found
    ]

    def on_result(job: Any, result: Any, err: BaseException | None) -> None:
        if err is not None:
            report.search_errors[job.task.id] = repr(err)
            return
        pipeline = Pipeline(result["pipeline"])
        store.add_pipeline(pipeline, tag, incumbent_of=result["task_id"])
        found[result["task_id"]] = pipeline

    run_all(ex, find_incumbent, jobs, on_result)
    return [found[t.id] for t in chosen if t.id in found]


def _stored_incumbents(store: Store, tag: str) -> dict[str, Pipeline]:
    pipelines = store.pipelines()
    sources = store.pipeline_sources()
    return {
        task: pipelines[pid] for pid, task in store.incumbents().items() if sources.get(pid) == tag
    }


def cell_jobs(
    cells: list[Cell], tasks: dict[str, TaskSpec], pipelines: dict[str, Pipeline],
    cell_fn: CellFn | None, device: str | None = None,
) -> Iterator[CellJob]:  # fmt: skip
    # a generator: jobs are made as slots free up, so a 300k-cell plan costs no memory up front
    for c in cells:
        yield CellJob(
            key=c.key,
            task=tasks[c.task_id],
            pipeline=pipelines[c.pipeline_id].to_dict(),
            seed=c.seed,
            budget=c.budget,
            clock=c.clock,
            cell_fn=cell_fn,
            pipeline_id=c.pipeline_id,
            device=device,
        )


def spec_plan(spec: BuildSpec, tasks: list[TaskSpec], pipeline_ids: list[str]) -> list[Cell]:
    """Every cell ``spec`` plans over its ``tasks`` and gathered candidates, stored or not."""
    return plan_cells(
        [t.id for t in tasks], pipeline_ids, spec.seeds, budget=spec.budgets, clock=spec.clock,
        density=spec.densities, plan_seed=spec.plan_seed, groups=[t.core for t in tasks],
        focus=dict(spec.focus_tasks_per_core),
    )  # fmt: skip


def run_cells(
    store: Store,
    spec: BuildSpec,
    tasks: list[TaskSpec],
    pipeline_ids: list[str],
    ex: Executor,
    cell_fn: CellFn | None,
    report: BuildReport,
    progress: bool,
    retry_failed: bool = False,
    only: CellFilter | None = None,
    device: str | None = None,
) -> None:
    done = store.done_keys(include_failed=not retry_failed)
    plan_all = spec_plan(spec, tasks, pipeline_ids)
    missing = [c for c in plan_all if c.key not in done]
    todo = [c for c in missing if only is None or only.keeps(c)]
    report.planned, report.skipped = len(plan_all), len(plan_all) - len(missing)
    report.deferred = len(missing) - len(todo)
    report.planned_by_budget = dict(Counter(c.budget for c in plan_all))
    by_key = {c.key: c for c in todo}
    jobs = cell_jobs(todo, {t.id: t for t in tasks}, store.pipelines(), cell_fn, device)

    total = len(plan_all) - report.deferred
    with BuildProgress(total=total, already=report.skipped, enabled=progress) as bar:

        def on_result(job: CellJob, result: RunRecord | None, err: BaseException | None) -> None:
            record = result_record(by_key[job.key], result, err, report.build_id)
            store.add_run(record)
            report.done += 1
            report.failed += not record.ok
            bar.advance(failed=not record.ok)

        run_all(ex, evaluate_cell, jobs, on_result)


def result_record(
    cell: Cell, result: RunRecord | None, err: BaseException | None, build_id: int
) -> RunRecord:
    """The stored record of one finished cell; an executor-level error (worker crash) is a
    failure of that cell."""
    if result is not None:
        return result.with_build(build_id)
    return RunRecord(
        cell_key=cell.key, task_id=cell.task_id, pipeline_id=cell.pipeline_id, seed=cell.seed,
        budget=cell.budget, clock=cell.clock, status="failed", error=f"executor: {err!r}",
        build_id=build_id,
    )  # fmt: skip
