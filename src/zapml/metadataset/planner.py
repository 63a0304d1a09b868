"""Which (task, pipeline, seed) cells a build runs: dense, or sparse but stratified.

The plan is a pure function of (tasks, pipelines, seeds, density, plan seed), computed before
stored cells are removed, so a resumed build plans exactly the cells the first attempt planned.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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


def plan_cells(
    task_ids: Sequence[str],
    pipeline_ids: Sequence[str],
    seeds: Sequence[int],
    *,
    budget: float,
    clock: str,
    density: float = 1.0,
    plan_seed: int = 0,
    done: Iterable[str] = (),
) -> list[Cell]:
    """The cells still to run, ordered so that the first results cover many tasks and pipelines
    (a build cut short still gives a usable sparse matrix)."""
    pairs = sparse_pairs(len(task_ids), len(pipeline_ids), density, plan_seed)
    order = np.random.default_rng(plan_seed + 1).permutation(len(pairs))
    skip = set(done)
    cells = []
    for s in seeds:  # all first repeats before any second repeat
        for i in order:
            t, p = pairs[int(i)]
            cell = Cell(task_ids[t], pipeline_ids[p], int(s), float(budget), clock)
            if cell.key not in skip:
                cells.append(cell)
    return cells
