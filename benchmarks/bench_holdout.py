"""Does `zap fit`'s zero-shot choice beat the default pipeline and two practitioners' recipes on
image sets the meta-dataset has never seen?

Runs the real command (``python -m zapml.cli.app fit SET --budget B --seed S --clock compute
--no-progress -o DIR``) for every (set, budget, seed, arm), resumably: a run whose result.json
exists under --out is read, not rerun. Arms: ``zap`` (no --pipeline: the shipped selector picks
zero-shot), ``default`` (the documented default pipeline) and the recipes of
``benchmarks/holdout/recipes.py``. Prints per (set, budget, arm) the pipeline that ran and the
mean over seeds of final test accuracy, final NAUC and ALC, which arm won each (set, budget) on
final accuracy, and one summary line; writes the table as results.csv / results.md (and every
run as runs.csv) into --out. Prepare the sets first: ``python benchmarks/holdout/prepare.py``.

    python benchmarks/bench_holdout.py [--budgets 30 120] [--seeds 0 1] [--sets ...]
        [--arms ...] [--out runs/holdout] [--data-root DIR] [--selector DIR] [--jobs 2]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
# This checkout's code, not whatever zapml the environment has installed.
sys.path[:0] = [str(HERE / "holdout"), str(HERE.parent / "src")]
from holdout_sets import SETS  # noqa: E402
from prepare import MANIFEST, default_root, describe_floor  # noqa: E402
from recipes import recipe_path, recipe_pipelines  # noqa: E402

ZAP_ARM = "zap"
ARMS = (ZAP_ARM, *recipe_pipelines())  # zap, default, mobilenet128_adam, lite0_64_sgd
METRICS = ("final_accuracy", "final_nauc", "alc")


@dataclass(frozen=True)
class Run:
    dataset: str
    budget: float
    seed: int
    arm: str
    selector: Path | None = None  # the zap arm's selector folder; None: the shipped one

    def folder(self, out: Path) -> Path:
        return out / self.dataset / f"b{self.budget:g}" / f"s{self.seed}" / self.arm

    def command(self, data_root: Path, out: Path) -> list[str]:
        command = [sys.executable, "-m", "zapml.cli.app", "fit", str(data_root / self.dataset)]
        command += ["--budget", f"{self.budget:g}", "--seed", str(self.seed)]
        command += ["--clock", "compute", "--no-progress", "--overwrite"]
        command += ["-o", str(self.folder(out))]
        if self.arm != ZAP_ARM:
            command += ["--pipeline", str(recipe_path(self.arm))]
        elif self.selector is not None:
            command += ["--selector", str(self.selector)]
        return command


@dataclass
class Cell:
    """The runs of one (set, budget, arm) over seeds."""

    results: list[dict[str, Any]] = field(default_factory=list)
    pipelines: list[str] = field(default_factory=list)

    def mean(self, metric: str) -> float | None:
        values = [r[metric] for r in self.results if r.get(metric) is not None]
        return mean(values) if values else None


def describe_pipeline(folder: Path) -> str:
    """'architecture px optimizer lr [freeze] [id]' of the pipeline a run wrote to pipeline.yaml;
    the id (result.json's pipeline_id) keeps two pipelines that differ elsewhere apart, so the
    table shows when the zap arm ran an arm's own pipeline."""
    values = yaml.safe_load((folder / "pipeline.yaml").read_text())
    px = 2 ** int(values["log2_max_size"])
    label = f"{values['architecture']} {px}px {values['optimizer']} lr {values['lr']:.3g}"
    freeze = float(values.get("freeze_portion", 0.0))
    if freeze:
        label += f" freeze {freeze:.0%}"
    result = json.loads((folder / "result.json").read_text())
    return f"{label} [{result['pipeline_id']}]" if result.get("pipeline_id") else label


def say(line: str) -> None:
    """One line in one write, so lines of runs going at once do not interleave."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run_one(run: Run, data_root: Path, out: Path, timeout: float | None) -> dict[str, Any] | None:
    """The run's result.json, running ``zap fit`` first unless it is already there."""
    timeout = timeout or 600 + 10 * run.budget
    folder = run.folder(out)
    result_file = folder / "result.json"
    if not result_file.is_file():
        folder.parent.mkdir(parents=True, exist_ok=True)
        log = folder.parent / f"{run.arm}.log"
        start = time.time()
        try:
            with log.open("w") as handle:
                subprocess.run(
                    run.command(data_root, out),
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                    timeout=timeout,
                    env={**os.environ, "PYTHONPATH": pythonpath()},
                )
        except subprocess.TimeoutExpired:
            say(f"  {run}: timed out after {timeout:.0f} s (log: {log})")
            return None
        if not result_file.is_file():
            say(f"  {run}: no result.json (log: {log})")
            return None
        say(f"  {run}: {time.time() - start:.0f} wall s")
    return dict(json.loads(result_file.read_text()))


def pythonpath() -> str:
    """The checkout's src first, so the benchmark runs the code next to it."""
    src = str(HERE.parent / "src")
    rest = os.environ.get("PYTHONPATH")
    return f"{src}{os.pathsep}{rest}" if rest else src


def announce_and_run(
    index: int, runs: list[Run], data_root: Path, out: Path, timeout: float | None
) -> dict[str, Any] | None:
    run = runs[index - 1]
    say(f"[{index}/{len(runs)}] {run.dataset} budget {run.budget:g} seed {run.seed} {run.arm}")
    return run_one(run, data_root, out, timeout)


def collect(
    runs: list[Run], data_root: Path, out: Path, timeout: float | None, jobs: int = 1
) -> tuple[dict[tuple[str, float, str], Cell], list[dict[str, Any]]]:
    """Every run's result, ``jobs`` fits at a time (each fit trains on one thread); the table
    and the rows keep the runs' order whatever order they finish in."""
    cells: dict[tuple[str, float, str], Cell] = defaultdict(Cell)
    rows = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = pool.map(
            lambda index: announce_and_run(index, runs, data_root, out, timeout),
            range(1, len(runs) + 1),
        )
        for run, result in zip(runs, results, strict=True):
            if result is None:
                continue
            cell = cells[(run.dataset, run.budget, run.arm)]
            cell.results.append(result)
            pipeline = describe_pipeline(run.folder(out))
            if pipeline not in cell.pipelines:
                cell.pipelines.append(pipeline)
            row = {"set": run.dataset, "budget": run.budget, "seed": run.seed, "arm": run.arm}
            row |= {"pipeline": pipeline, "status": result["status"]}
            row |= {m: result.get(m) for m in (*METRICS, "wall_seconds", "num_epochs")}
            rows.append(row)
    return cells, rows


# --------------------------------------------------------------------------------- the table


# Mean accuracies of the same test-image counts are equal, yet float sums of them can differ in
# the last bit (0.9625 against 0.9624999999999999 for 116/120 + 115/120 in another order); real
# differences are at least 1 / (test images x seeds), far above this.
LEVEL = 1e-9


def higher(a: float, b: float) -> bool:
    """``a`` above ``b`` by more than float rounding."""
    return a > b + LEVEL


def winners(cells: dict[tuple[str, float, str], Cell], dataset: str, budget: float) -> list[str]:
    """The arm(s) with the highest mean final accuracy in one (set, budget)."""
    scores: dict[str, float] = {}
    for (d, b, arm), cell in cells.items():
        accuracy = cell.mean("final_accuracy")
        if d == dataset and b == budget and accuracy is not None:
            scores[arm] = accuracy
    if not scores:
        return []
    best = max(scores.values())
    return sorted(arm for arm, score in scores.items() if not higher(best, score))


def table_rows(
    cells: dict[tuple[str, float, str], Cell], arms: list[str], seeds: int
) -> list[dict[str, Any]]:
    rows = []
    for dataset, budget in sorted({(d, b) for d, b, _ in cells}):
        won = winners(cells, dataset, budget)
        for arm in arms:
            cell = cells.get((dataset, budget, arm))
            if cell is None:
                continue
            row: dict[str, Any] = {"set": dataset, "budget": f"{budget:g}", "arm": arm}
            row["pipeline"] = " / ".join(cell.pipelines)
            row["seeds"] = f"{len(cell.results)}/{seeds}"
            for metric in METRICS:
                value = cell.mean(metric)
                row[metric] = "" if value is None else f"{value:.4f}"
            row["won"] = "*" if arm in won else ""
            rows.append(row)
    return rows


def complete_cases(
    cells: dict[tuple[str, float, str], Cell], arms: list[str], seeds: int
) -> list[tuple[str, float]]:
    """The (set, budget) cases where every arm has all its seeds, in order."""

    def complete(dataset: str, budget: float) -> bool:
        group = [cells.get((dataset, budget, arm)) for arm in arms]
        return all(c is not None and len(c.results) >= seeds for c in group)

    return [(d, b) for d, b in sorted({(d, b) for d, b, _ in cells}) if complete(d, b)]


def zap_summary(cells: dict[tuple[str, float, str], Cell], arms: list[str], seeds: int) -> str:
    """'zap beats ... in K of N cases', over the (set, budget) cases where every arm has all
    its seeds; "beats" means a strictly higher mean final accuracy than every other arm."""
    others = [a for a in arms if a != ZAP_ARM]
    if ZAP_ARM not in arms or not others:
        return "no comparison: the zap arm and at least one other arm must both run"
    cases = complete_cases(cells, arms, seeds)
    complete, beaten, same = len(cases), 0, 0
    for dataset, budget in cases:
        zap = cells[(dataset, budget, ZAP_ARM)]
        rest = [cells[(dataset, budget, a)] for a in others]
        accuracy = zap.mean("final_accuracy") or 0.0
        beaten += all(higher(accuracy, c.mean("final_accuracy") or 0.0) for c in rest)
        same += any(c.pipelines == zap.pipelines for c in rest)
    names = (
        " and ".join(others) if len(others) < 3 else ", ".join(others[:-1]) + " and " + others[-1]
    )
    return (
        f"zap beats {names} on final accuracy in {beaten} of {complete} (set, budget) cases "
        "(mean over seeds; cases with every run finished); in "
        f"{same} of them zap ran another arm's own pipeline (it can tie there, never beat)"
    )


def head_to_head(cells: dict[tuple[str, float, str], Cell], arms: list[str], seeds: int) -> str:
    """zap against each other arm alone over the complete cases: in how many its mean final
    accuracy is higher, equal and lower, and each arm's mean over those cases (a pick can beat
    the default most of the time and still rarely beat every recipe at once)."""
    others = [a for a in arms if a != ZAP_ARM]
    cases = complete_cases(cells, arms, seeds)
    if ZAP_ARM not in arms or not others or not cases:
        return ""

    def accuracies(arm: str) -> list[float]:
        return [cells[(d, b, arm)].mean("final_accuracy") or 0.0 for d, b in cases]

    zap = accuracies(ZAP_ARM)
    lines = [f"zap alone against each arm over {len(cases)} cases (zap's mean {mean(zap):.4f}):"]
    for arm in others:
        theirs = accuracies(arm)
        pairs = list(zip(zap, theirs, strict=True))
        wins = sum(higher(z, t) for z, t in pairs)
        ties = sum(not higher(z, t) and not higher(t, z) for z, t in pairs)
        lines.append(
            f"  {arm}: zap higher in {wins}, equal in {ties}, lower in {len(pairs) - wins - ties}; "
            f"{arm}'s mean {mean(theirs):.4f}"
        )
    return "\n".join(lines)


COLUMNS = ("set", "budget", "arm", "pipeline", "seeds", *METRICS, "won")


def format_text(rows: list[dict[str, Any]]) -> str:
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in COLUMNS}
    lines = ["  ".join(c.ljust(widths[c]) for c in COLUMNS)]
    lines += ["  ".join(str(r[c]).ljust(widths[c]) for c in COLUMNS) for r in rows]
    return "\n".join(lines)


def format_markdown(rows: list[dict[str, Any]], summary: str) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(r[c]) for c in COLUMNS) + " |" for r in rows]
    return "\n".join(lines) + f"\n\n{summary}\n"


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


# ------------------------------------------------------------------------------------- main


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"--jobs must be at least 1, got {value}")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", type=float, nargs="+", default=[30.0, 120.0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--sets", nargs="+", choices=sorted(SETS), default=sorted(SETS))
    parser.add_argument("--arms", nargs="+", choices=ARMS, default=list(ARMS))
    parser.add_argument("--out", type=Path, default=Path("runs/holdout"))
    parser.add_argument("--data-root", type=Path, default=None, help=f"default {default_root()}")
    parser.add_argument(
        "--selector",
        type=Path,
        default=None,
        help="selector folder for the zap arm (default: the shipped selector)",
    )
    parser.add_argument(
        "--timeout", type=float, default=None, help="wall s per run (default 600 + 10 x budget)"
    )
    parser.add_argument(
        "--jobs",
        type=positive_int,
        default=1,
        help="fits at a time (default 1); each trains on one thread, so up to one per core. The "
        "compute clock makes a run's result the same whatever else runs beside it",
    )
    return parser.parse_args(argv)


def check_sets(data_root: Path, sets: list[str]) -> None:
    missing = [name for name in sets if not (data_root / name / MANIFEST).is_file()]
    if missing:
        raise SystemExit(
            f"hold-out set(s) {missing} not found under {data_root}: run "
            f"python benchmarks/holdout/prepare.py --root {data_root} --only {' '.join(missing)}"
        )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    data_root = (args.data_root or default_root()).expanduser()
    check_sets(data_root, args.sets)
    # Budgets outermost: the small budget finishes for every set and seed before the large one.
    runs = [
        Run(dataset, budget, seed, arm, args.selector)
        for budget in args.budgets
        for seed in args.seeds
        for dataset in args.sets
        for arm in args.arms
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    cells, rows = collect(runs, data_root, args.out, args.timeout, args.jobs)
    if not rows:
        raise SystemExit("no run finished")
    report(cells, rows, args, floors(data_root, args.sets))


def floors(data_root: Path, sets: list[str]) -> str:
    """Each set's constant-answer accuracy, read from its manifest: the floor its cells are
    judged against (a set whose arms all sit near it separates none of them)."""
    parts = [
        f"{name} {describe_floor(json.loads((data_root / name / MANIFEST).read_text()))}"
        for name in sets
    ]
    return "always answering the most frequent test class scores: " + "; ".join(parts)


def report(
    cells: dict[tuple[str, float, str], Cell],
    rows: list[dict[str, Any]],
    args: argparse.Namespace,
    floor_line: str,
) -> None:
    table = table_rows(cells, args.arms, len(args.seeds))
    summary = zap_summary(cells, args.arms, len(args.seeds))
    pairs = head_to_head(cells, args.arms, len(args.seeds))
    summary += f"\n{pairs}" if pairs else ""
    summary += f"\n{floor_line}"
    print(f"\nhold-out, compute clock, mean over seeds {args.seeds}; * = best final accuracy")
    print(format_text(table))
    print(summary)
    write_csv(args.out / "runs.csv", rows)
    write_csv(args.out / "results.csv", table)
    (args.out / "results.md").write_text(format_markdown(table, summary))
    print(f"wrote {args.out / 'results.csv'}, {args.out / 'results.md'}, {args.out / 'runs.csv'}")


if __name__ == "__main__":
    main()
