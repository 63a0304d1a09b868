"""Rebuild a shipped default selector (src/zapml/selectors/shipped/<objective>, or with
`--features all` the probe selector shipped/<objective>-probe) from the shipped meta-dataset, one
per objective: `alc` (AutoDL's ALC, ZAP's setting) and `final` (the final test NAUC of the model
kept at the end of the budget, what `zap fit` optimises by default; its selectors fit the runs'
final accuracy, see SHIPPED_TARGETS in zapml.selectors.recipe).

The meta-dataset, method and settings (and why them) are in zapml.selectors.recipe, which
`zap selector update` reads too.

    .venv/bin/python scripts/train_shipped_selector.py --objective final
    .venv/bin/python scripts/train_shipped_selector.py --objective final --features all
    .venv/bin/python scripts/train_shipped_selector.py --objective alc --metadataset SNAPSHOT

``--metadataset`` trains on another copy of the store, e.g. the committed state of a store that
a running build keeps growing (``git show HEAD:<store> > SNAPSHOT``).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from zapml.metadataset import load_metadataset
from zapml.metadataset.objectives import DEFAULT_OBJECTIVE, OBJECTIVES
from zapml.selectors.choice import SHIPPED_SELECTORS
from zapml.selectors.probe_gate import SHIPPED_PROBE_SELECTORS
from zapml.selectors.recipe import (
    SHIPPED_FEATURES,
    SHIPPED_METADATASET,
    SHIPPED_METHOD,
    SHIPPED_PROBE_FEATURES,
    settings_for,
    train_shipped_kind,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objective", choices=OBJECTIVES, default=DEFAULT_OBJECTIVE)
    parser.add_argument("--metadataset", type=Path, default=SHIPPED_METADATASET)
    parser.add_argument(
        "--features",
        choices=(SHIPPED_FEATURES, SHIPPED_PROBE_FEATURES),
        default=SHIPPED_FEATURES,
        help="trivial: the default selector; all: the probe selector",
    )
    args = parser.parse_args()
    objective = args.objective
    probe = args.features == SHIPPED_PROBE_FEATURES
    if probe and objective not in SHIPPED_PROBE_SELECTORS:
        parser.error(
            f"no probe selector ships for --objective {objective} (see SHIPPED_PROBE_SELECTORS "
            f"in zapml.selectors.probe_gate); choose {', '.join(SHIPPED_PROBE_SELECTORS)}"
        )
    out = (SHIPPED_PROBE_SELECTORS if probe else SHIPPED_SELECTORS)[objective]
    mds = load_metadataset(args.metadataset)
    if out.exists():
        shutil.rmtree(out)
    train_shipped_kind(mds, objective, out, features=args.features)
    cells = sum(int(frame.notna().to_numpy().sum()) for frame in mds.budget_perf.values())
    print(
        f"trained {SHIPPED_METHOD} {settings_for(mds, objective, args.features)} on "
        f"{args.features} features "
        f"for the {objective} objective on "
        f"{len(mds.tasks)} tasks x {len(mds.pipelines)} pipelines x budgets {mds.budgets} "
        f"({cells} (task, pipeline, budget) cells) from {args.metadataset}"
    )
    print(f"saved to {out}")


if __name__ == "__main__":
    main()
