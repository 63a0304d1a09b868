"""The `zap metadataset build` commands that run a LOCO run's unmeasured first choices.

``bench_shipped_loco.py`` records, per held-out case, the selector's unrestricted first choice
(``top_pipeline``, the one ``zap fit`` runs) and whether the held-out task had run it at that
budget (``top_observed``). LOCO can score a pick only where it ran, so each store step since the
thirty-third session has run those pairs with a "picks" spec: ``specs/v2-picks*.yaml`` (not the
``-seeds`` siblings, which repeat a block's pairs), each planning a folder of pipelines at some
budgets on every task, built pair by pair with ``--pipeline`` and ``--task``. This script groups
the unmeasured (budget, task, pipeline) triples by (budget, pipeline), finds the first picks spec
(by file name) that plans that pipeline at that budget, and prints one build command per group,
most tasks first; pairs that no picks spec plans are listed apart (a new spec must plan them).

    PYTHONPATH=src python benchmarks/bench_picks_commands.py RECORDS.pkl --db STORE \
        [--specs src/zapml/metadataset/specs] [--workers 2]

RECORDS.pkl is ``bench_shipped_loco.py``'s ``final-trivial-...pkl``. Its task ids are
``name@budget``; the commands take the name.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from zapml.metadataset.candidates import yaml_candidates
from zapml.metadataset.spec import load_spec

SPECS = Path(__file__).resolve().parents[1] / "src" / "zapml" / "metadataset" / "specs"


@dataclass(frozen=True)
class PicksSpec:
    path: Path
    budgets: tuple[float, ...]
    pipelines: frozenset[str]


def unmeasured_pairs(records: pd.DataFrame) -> dict[tuple[float, str], list[str]]:
    """(budget, first-choice pipeline) -> the sorted task names where it had not run."""
    missing = records[~records["top_observed"].astype(bool)]
    groups: dict[tuple[float, str], set[str]] = defaultdict(set)
    for task_id, budget, pipeline in zip(
        missing["task_id"], missing["budget"], missing["top_pipeline"], strict=True
    ):
        groups[(float(budget), str(pipeline))].add(str(task_id).split("@", 1)[0])
    return {key: sorted(tasks) for key, tasks in groups.items()}


def picks_specs(folder: Path) -> list[PicksSpec]:
    """The picks specs in ``folder`` (by file name), each with its budgets and the ids of the
    pipelines its YAML candidate folders hold (hashed from the configs, not read off names)."""
    found = []
    for path in sorted(folder.glob("v2-picks*.yaml")):
        if path.stem.endswith("-seeds"):
            continue
        spec = load_spec(path)
        ids = {
            pipeline.id
            for candidate in spec.candidates
            if candidate.source == "yaml"
            for pipeline in yaml_candidates(candidate.get("paths", ()))
        }
        found.append(PicksSpec(path, tuple(spec.budgets), frozenset(ids)))
    return found


def spec_for(budget: float, pipeline: str, specs: list[PicksSpec]) -> PicksSpec | None:
    return next((s for s in specs if budget in s.budgets and pipeline in s.pipelines), None)


def build_command(
    spec: PicksSpec, budget: float, pipeline: str, tasks: list[str], db: str, workers: int
) -> str:
    task_args = " ".join(f"--task {task}" for task in tasks)
    path = spec.path.relative_to(Path.cwd()) if spec.path.is_relative_to(Path.cwd()) else spec.path
    return (
        f"zap metadataset build {path} --db {db} --force --budget {budget:g} "
        f"--workers {workers} --no-progress --pipeline {pipeline} {task_args}"
    )


def commands(
    groups: dict[tuple[float, str], list[str]], specs: list[PicksSpec], db: str, workers: int = 2
) -> tuple[list[str], dict[tuple[float, str], list[str]]]:
    """The build commands for ``unmeasured_pairs``'s groups, smallest budget first and most tasks
    first within it, and the groups no picks spec plans."""
    order = sorted(groups, key=lambda key: (key[0], -len(groups[key]), key[1]))
    lines, unplanned = [], {}
    for budget, pipeline in order:
        spec = spec_for(budget, pipeline, specs)
        if spec is None:
            unplanned[(budget, pipeline)] = groups[(budget, pipeline)]
            continue
        lines.append(build_command(spec, budget, pipeline, groups[(budget, pipeline)], db, workers))
    return lines, unplanned


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("records", type=Path, help="bench_shipped_loco.py's records (.pkl)")
    parser.add_argument("--db", required=True, help="the store the commands build into")
    parser.add_argument("--specs", type=Path, default=SPECS, help="the folder of picks specs")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not args.records.is_file():
        found = sorted(path.name for path in args.records.parent.glob("*.pkl"))
        parser.error(
            f"no records file {args.records}: pass one that bench_shipped_loco.py --out DIR wrote"
            + (f"; {args.records.parent} holds {', '.join(found)}" if found else "")
        )
    groups = unmeasured_pairs(pd.read_pickle(args.records))
    lines, unplanned = commands(groups, picks_specs(args.specs), args.db, args.workers)
    for line in lines:
        print(line)
    total = sum(len(tasks) for tasks in groups.values())
    left = sum(len(tasks) for tasks in unplanned.values())
    print(f"# {total} unmeasured (task, pipeline) pairs; {total - left} in the commands above")
    for (budget, pipeline), tasks in sorted(unplanned.items()):
        print(f"# no picks spec plans {pipeline} at {budget:g} s: {', '.join(tasks)}")


if __name__ == "__main__":
    main()
