"""Which (task, pipeline, budget, seed) cells a build runs: dense, or sparse but stratified.

The plan is a pure function of (tasks, pipelines, seeds, budgets, densities, plan seed), computed
before stored cells are removed, so a resumed build plans exactly the cells the first attempt
planned. Over several budgets the plan is nested: the pairs of a larger budget are a subset of
those of the smaller ones, and the smallest budget's cells are exactly those a one-budget plan
with its density gives (a one-budget store grows into a multi-budget one without rerunning).

A level may be *focused*: only a few tasks of each group (core dataset) keep their pairs there.
Uniform sparsity at an expensive budget leaves every task 2-3 pipelines, too few to learn or
score a ranking with (most leave-one-core-out cases at 64 compute-s of meta-dataset v2 had one
pipeline, so every selector's regret there was 0 or a coin toss); a focused level spends the same
cells on fewer tasks with many pipelines each.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, order=True)
class Cell:
    task_id: str
    pipeline_id: str
    seed: int
    budget: float
    clock: str

    @property
    def key(self) -> str:
        """Unique in the store: the same cell at another budget or clock is another run."""
        return f"{self.task_id}|{self.pipeline_id}|{self.seed}|{self.budget:g}|{self.clock}"


def sparse_pairs(
    n_tasks: int, n_pipelines: int, density: float, seed: int = 0
) -> list[tuple[int, int]]:
    """``(task, pipeline)`` index pairs covering about ``density`` of the matrix.

    Stratified: every task gets ``max(1, round(density * P))`` pipelines, each time the least
    used ones (random tie-break), so pipeline counts differ by at most one and, when there are
    more pipelines than chosen cells, every pipeline still gets at least one task.
    """
    if not 0.0 < density <= 1.0:
        raise ValueError(f"The 'density' parameter must lie in (0, 1]. Got {density} instead.")
    if n_tasks == 0 or n_pipelines == 0:
        return []
    if density >= 1.0:
        return [(t, p) for t in range(n_tasks) for p in range(n_pipelines)]
    rng = np.random.default_rng(seed)
    per_task = max(1, round(density * n_pipelines))
    used = np.zeros(n_pipelines, dtype=np.int64)
    pairs: list[tuple[int, int]] = []
    for t in rng.permutation(n_tasks):
        tie = rng.random(n_pipelines)
        chosen = np.lexsort((tie, used))[:per_task]  # fewest uses first, random among equals
        used[chosen] += 1
        pairs.extend((int(t), int(p)) for p in chosen)
    for p in np.flatnonzero(used == 0):  # only when tasks * per_task < pipelines
        pairs.append((int(rng.integers(n_tasks)), int(p)))
    return sorted(pairs)


def nested_pairs(
    n_tasks: int,
    n_pipelines: int,
    densities: Sequence[float],
    seed: int = 0,
    keep_tasks: Sequence[Collection[int] | None] | None = None,
) -> list[list[tuple[int, int]]]:
    """One sorted pair list per density, for budgets in ascending order.

    The first is ``sparse_pairs(n_tasks, n_pipelines, densities[0], seed)``. Each next one keeps
    of every task's previous pairs ``max(1, round(d * n_pipelines))`` (all when it has fewer),
    least used pipelines first with a random tie-break, then swaps pipelines in to cover any
    the previous level covered and this one lost (when some pipeline is chosen twice to spare);
    an unchanged density keeps the previous pairs. Densities must not grow. ``keep_tasks[k]``
    (None = all) drops the pairs of other tasks before level k thins them; later levels thin
    what is left.
    """
    if not densities:
        raise ValueError("The 'densities' parameter needs one density per budget; got none.")
    if any(b > a for a, b in zip(densities, densities[1:], strict=False)):
        raise ValueError(f"The 'densities' parameter must not grow with the budget: {densities}.")
    keep = list(keep_tasks) if keep_tasks is not None else [None] * len(densities)
    if len(keep) != len(densities):
        raise ValueError(f"The 'keep_tasks' parameter needs one entry per density: {keep_tasks}.")
    levels = [_only(sparse_pairs(n_tasks, n_pipelines, densities[0], seed), keep[0])]
    for k in range(1, len(densities)):
        if densities[k] == densities[k - 1]:
            levels.append(_only(levels[-1], keep[k]))
            continue
        per_task = max(1, round(densities[k] * n_pipelines))
        rng = np.random.default_rng((seed, k))
        # focus first, then thin: the draw sees only this level's tasks, so raising an earlier
        # level's focus (more tasks there) leaves this level's pairs as they were
        levels.append(thin_pairs(_only(levels[-1], keep[k]), n_pipelines, per_task, rng))
    return levels


def _only(pairs: list[tuple[int, int]], tasks: Collection[int] | None) -> list[tuple[int, int]]:
    return list(pairs) if tasks is None else [(t, p) for t, p in pairs if t in tasks]


def focus_tasks(groups: Sequence[str], per_group: int, seed: int = 0) -> frozenset[int]:
    """Indices of ``per_group`` tasks of each group (all of a smaller group): the first ones of a
    seeded permutation of the group's tasks, so a larger ``per_group`` keeps the smaller one's
    tasks (a focused level grows without dropping what was built)."""
    if per_group < 1:
        raise ValueError(f"The 'per_group' parameter must be >= 1. Got {per_group} instead.")
    members: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    chosen: set[int] = set()
    for g, idx in members.items():
        # seeded by the group's name: adding a core dataset leaves the others' choices alone
        order = np.random.default_rng((seed, zlib.crc32(g.encode()))).permutation(idx)
        chosen.update(int(i) for i in order[:per_group])
    return frozenset(chosen)


def thin_pairs(
    pairs: Sequence[tuple[int, int]], n_pipelines: int, per_task: int, rng: np.random.Generator
) -> list[tuple[int, int]]:
    """A stratified subset of ``pairs`` with ``per_task`` pipelines per task (or all it has)."""
    options: dict[int, list[int]] = {}
    for t, p in pairs:
        options.setdefault(t, []).append(p)
    used = np.zeros(n_pipelines, dtype=np.int64)
    chosen: dict[int, list[int]] = {}
    for t in rng.permutation(sorted(options)):
        mine = np.asarray(options[int(t)])
        tie = rng.random(len(mine))
        picked = mine[np.lexsort((tie, used[mine]))[:per_task]]  # fewest uses first
        used[picked] += 1
        chosen[int(t)] = [int(p) for p in picked]
    _cover_lost_pipelines(options, chosen, used, rng)
    return sorted((t, p) for t, ps in chosen.items() for p in ps)


def _cover_lost_pipelines(
    options: dict[int, list[int]],
    chosen: dict[int, list[int]],
    used: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Give each pipeline the previous level had but ``chosen`` lost one task, by swapping it
    for a pipeline of that task chosen more than once overall (task counts stay the same)."""
    had = sorted({p for ps in options.values() for p in ps})
    for p in (p for p in had if used[p] == 0):
        for t in rng.permutation(sorted(options)):
            mine = chosen[int(t)]
            spare = [q for q in mine if used[q] >= 2]
            if p in options[int(t)] and p not in mine and spare:
                q = max(spare, key=lambda q: (used[q], q))
                mine[mine.index(q)] = p
                used[q] -= 1
                used[p] += 1
                break


def _budget_levels(
    budget: float | Sequence[float], density: float | Sequence[float]
) -> tuple[list[float], list[float]]:
    budgets = [float(budget)] if isinstance(budget, int | float) else [float(b) for b in budget]
    if not budgets or any(b >= c for b, c in zip(budgets, budgets[1:], strict=False)):
        raise ValueError(f"The 'budget' parameter must be ascending distinct budgets: {budget}.")
    if isinstance(density, int | float):
        return budgets, [float(density)] * len(budgets)
    densities = [float(d) for d in density]
    if len(densities) != len(budgets):
        raise ValueError(f"The 'density' parameter needs one density per budget: {density}.")
    return budgets, densities


def plan_cells(
    task_ids: Sequence[str],
    pipeline_ids: Sequence[str],
    seeds: Sequence[int],
    *,
    budget: float | Sequence[float],
    clock: str,
    density: float | Sequence[float] = 1.0,
    plan_seed: int = 0,
    done: Iterable[str] = (),
    groups: Sequence[str] | None = None,
    focus: Mapping[float, int] | None = None,
) -> list[Cell]:
    """The cells still to run, ordered so that the first results cover many tasks and pipelines
    (a build cut short still gives a usable sparse matrix): for each seed, the budget levels are
    interleaved evenly, so a build cut at any point has done about the same fraction of every
    budget (a budget-aware selector needs them all; each level keeps its own random order, and
    the smallest budget's is the one-budget plan's). ``budget`` is one budget or ascending
    budgets, ``density`` one density or one per budget (see ``nested_pairs``). ``focus`` maps a
    budget to how many tasks of each group (``groups[i]``: task i's core dataset) it runs (see
    ``focus_tasks``)."""
    budgets, densities = _budget_levels(budget, density)
    keep = _focused_levels(budgets, focus or {}, groups, len(task_ids), plan_seed)
    levels = nested_pairs(len(task_ids), len(pipeline_ids), densities, plan_seed, keep)
    # the first level's order is the one-budget plan's, so its stored cells resume as they are
    orders = [
        np.random.default_rng(plan_seed + 1 if k == 0 else (plan_seed + 1, k)).permutation(
            len(pairs)
        )
        for k, pairs in enumerate(levels)
    ]
    # the k-th cell of a level of n sits at (k + 0.5) / n of the run; ties: smaller budget first
    slots = sorted(
        ((k + 0.5) / len(order), level, int(i))
        for level, order in enumerate(orders)
        for k, i in enumerate(order)
    )
    skip = set(done)
    cells = []
    for s in seeds:  # all first repeats before any second repeat
        for _, level, i in slots:
            t, p = levels[level][i]
            cell = Cell(task_ids[t], pipeline_ids[p], int(s), budgets[level], clock)
            if cell.key not in skip:
                cells.append(cell)
    return cells


def _focused_levels(
    budgets: Sequence[float],
    focus: Mapping[float, int],
    groups: Sequence[str] | None,
    n_tasks: int,
    seed: int,
) -> list[frozenset[int] | None]:
    unknown = sorted(set(map(float, focus)) - set(budgets))
    if unknown:
        raise ValueError(f"The 'focus' parameter names budget(s) {unknown} not in {list(budgets)}.")
    if focus and (groups is None or len(groups) != n_tasks):
        raise ValueError("The 'focus' parameter needs 'groups': one group name per task.")
    by_budget = {float(b): n for b, n in focus.items()}
    return [
        focus_tasks(groups, by_budget[b], seed) if b in by_budget and groups else None
        for b in budgets
    ]
