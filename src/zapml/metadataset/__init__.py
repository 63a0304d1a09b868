"""Meta-datasets: building them (tasks, candidates, planner, executors, store) and loading them.

Public API (the ``zap metadataset`` commands call these):

- ``build(spec_path, db=None, workers=1, executor="local", address=None, progress=True,
  force=False, retry_failed=False, cell_fn=None, wait=False)`` -> ``BuildReport``; the spec
  format is documented in ``zapml.metadataset.spec``.
- ``status(db_or_path)`` -> ``(summary dict, rich Table)``
- ``export(db_or_path, out, fmt="zap" | "csv" | "parquet")``, ``import_(src, db)``
- ``RunRecord`` (``zapml.metadataset.record``): one run, as the cell returns it and the store
  keeps it; ``Store(db, create=False).records()`` lists them, ``Store.cell_job(record)`` re-runs
  one through ``cell.evaluate_cell``.
- ``load_metadataset(path)`` -> ``MetaDataset`` from a store, a ZAP folder or a long table;
  ``mds.budgets`` lists the budgets it was measured at, ``mds.at_budget(b)`` is one budget's
  ``MetaDataset`` (what selectors take), ``mds.to_long(by_budget=True)`` every budget's cells
- ``plot_heatmap(mds, out_png, budget=None)``: one panel per budget, or ``budget``'s only

Heavy modules (pandas with them) are imported on first use, so ``import zapml.metadataset``
stays cheap for worker processes and ``zapml.metadataset.objectives`` for the CLI's start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zapml._lazy import lazy_getattr

if TYPE_CHECKING:
    from zapml.metadataset.builder import BuildReport as BuildReport
    from zapml.metadataset.builder import build as build
    from zapml.metadataset.loading import export as export
    from zapml.metadataset.loading import import_ as import_
    from zapml.metadataset.loading import load_metadataset as load_metadataset
    from zapml.metadataset.metadataset import ZAP_METAFEATURES as ZAP_METAFEATURES
    from zapml.metadataset.metadataset import MetaDataset as MetaDataset
    from zapml.metadataset.plots import plot_heatmap as plot_heatmap
    from zapml.metadataset.record import RunRecord as RunRecord
    from zapml.metadataset.spec import BuildSpec as BuildSpec
    from zapml.metadataset.spec import SpecError as SpecError
    from zapml.metadataset.spec import load_spec as load_spec
    from zapml.metadataset.store import SpecMismatchError as SpecMismatchError
    from zapml.metadataset.store import Store as Store
    from zapml.metadataset.summary import status as status

_LAZY = {
    "ZAP_METAFEATURES": "metadataset",
    "MetaDataset": "metadataset",
    "BuildReport": "builder",
    "build": "builder",
    "export": "loading",
    "import_": "loading",
    "load_metadataset": "loading",
    "plot_heatmap": "plots",
    "RunRecord": "record",
    "BuildSpec": "spec",
    "SpecError": "spec",
    "load_spec": "spec",
    "status": "summary",
    "SpecMismatchError": "store",
    "Store": "store",
}

__all__ = [*_LAZY]


__getattr__ = lazy_getattr(__name__, _LAZY)
