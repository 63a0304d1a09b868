"""``status``: what a meta-dataset (store or file) holds, as a dict and a rich table."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from rich.table import Table

from zapml.metadataset.loading import STORE_SUFFIXES, load_metadataset
from zapml.metadataset.metadataset import MetaDataset
from zapml.metadataset.store import open_store

SCRATCH_SUFFIX = ".scratch"


def summarise(mds: MetaDataset) -> dict[str, Any]:
    """Sizes; with budgets, ``per_budget`` gives each budget's cells and density, and the
    top-level cell counts add up every budget's (a cell is (task, pipeline, budget))."""
    spaced = [p for p in mds.pipelines.values() if not p.is_arm]
    archs = Counter(p.get("architecture", "unknown") for p in spaced)
    cores = sorted(mds.core_datasets().unique())
    domains = sorted({mds.domains.get(c, "unknown") for c in cores})
    per_budget = {b: _cells(f) for b, f in mds.budget_perf.items()}
    filled = sum(c["cells_filled"] for c in per_budget.values()) or mds.num_runs_filled
    total = sum(c["cells_total"] for c in per_budget.values()) or int(mds.perf.size)
    return {
        "tasks": len(mds.tasks),
        "grouped": mds.has_groups,
        "core_datasets": len(cores),
        "domains": len(domains),
        "domain_names": domains,
        "pipelines": len(mds.pipelines),
        "arms": mds.has_arms,
        "candidate_features": dict(mds.candidate_kinds),
        "values": mds.values.describe(),
        "folds": None if mds.folds is None else int(mds.folds.nunique()),
        "architectures": dict(sorted(archs.items())),
        "from_scratch_pipelines": sum(n for a, n in archs.items() if a.endswith(SCRATCH_SUFFIX)),
        "budgets": list(mds.budgets),
        "per_budget": per_budget,
        "cells_filled": filled,
        "cells_total": total,
        "density": round(filled / total, 4) if total else 0.0,
        "runs": filled,
        "failed": 0,
    }


def _cells(perf: Any) -> dict[str, Any]:
    filled, total = int(perf.notna().to_numpy().sum()), int(perf.size)
    return {
        "cells_filled": filled,
        "cells_total": total,
        "density": round(filled / total, 4) if total else 0.0,
        "runs": filled,
    }


def status(path: str | Path) -> tuple[dict[str, Any], Table]:
    """Summary of a store, ZAP folder or long table; a store adds runs, failures and builds."""
    path = Path(path)
    mds = load_metadataset(path)
    summary = summarise(mds)
    if path.suffix in STORE_SUFFIXES:
        with open_store(path, create=False) as store:
            counts = store.counts()
            builds = store.builds()
            runs = store.runs()
        summary.update(runs=counts["runs"], failed=counts["failed"])
        summary["failure_kinds"] = _failure_kinds(runs)
        _count_runs_per_budget(summary["per_budget"], runs)
        if len(builds):
            last = builds.iloc[-1]
            summary.update(build_name=last["name"], spec_hash=last["spec_hash"], builds=len(builds))
    return summary, status_table(summary)


def _count_runs_per_budget(per_budget: dict[float, dict[str, Any]], runs: Any) -> None:
    """A store's runs per budget (repeats and failures included); with one budget every run
    counts, as its matrix holds every run."""
    if len(per_budget) == 1:
        next(iter(per_budget.values()))["runs"] = len(runs)
        return
    counts = runs["budget"].value_counts()
    for b, cells in per_budget.items():
        cells["runs"] = int(counts.get(b, 0))


def _failure_kinds(runs: Any) -> dict[str, int]:
    """Failed runs counted by the last line of their error (the exception type and message)."""
    failed = runs[runs["status"] != "ok"]["error"].fillna("unknown")
    kinds = Counter(str(e).strip().splitlines()[-1][:80] if str(e).strip() else "?" for e in failed)
    return dict(kinds.most_common(5))


def _group_rows(table: Table, summary: dict[str, Any]) -> None:
    if not summary.get("grouped", True):
        table.add_row("core datasets", "none: every task is its own group")
    else:
        table.add_row("core datasets", str(summary["core_datasets"]))
        table.add_row("domains", f"{summary['domains']} ({', '.join(summary['domain_names'])})")
    if summary.get("folds"):
        table.add_row("folds", f"{summary['folds']} (the meta-dataset's own)")


def status_table(summary: dict[str, Any]) -> Table:
    table = Table(title=f"meta-dataset {summary.get('build_name') or ''}".strip())
    table.add_column("what")
    table.add_column("value", overflow="fold")
    table.add_row("tasks", str(summary["tasks"]))
    _group_rows(table, summary)
    if summary.get("arms"):
        kinds = ", ".join(f"{f} ({k})" for f, k in summary["candidate_features"].items())
        table.add_row("candidates", f"{summary['pipelines']} arms; features: {kinds or 'none'}")
    else:
        table.add_row("pipelines", str(summary["pipelines"]))
        archs = ", ".join(f"{a} x{n}" for a, n in summary["architectures"].items())
        scratch = summary["from_scratch_pipelines"]
        table.add_row("architectures", f"{archs} ({scratch} from scratch)")
    table.add_row("values", str(summary.get("values", "")))
    table.add_row(
        "cells filled",
        f"{summary['cells_filled']} / {summary['cells_total']} (density {summary['density']:.1%})",
    )
    for b, cells in summary.get("per_budget", {}).items():
        table.add_row(
            f"  budget {b:g}",
            f"{cells['cells_filled']} / {cells['cells_total']} cells "
            f"(density {cells['density']:.1%}), {cells['runs']} runs",
        )
    table.add_row("runs", str(summary["runs"]))
    table.add_row("failed runs", str(summary["failed"]))
    for kind, n in summary.get("failure_kinds", {}).items():
        table.add_row("  failure", f"{n} x {kind}")
    if "spec_hash" in summary:
        table.add_row("spec hash", f"{summary['spec_hash']} ({summary['builds']} build(s))")
    return table
