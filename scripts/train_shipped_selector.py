"""Rebuild a shipped default selector (src/zapml/selectors/shipped/<objective>) from the shipped
meta-dataset, one per objective: `alc` (AutoDL's ALC, ZAP's setting) and `final` (the final test
NAUC of the model kept at the end of the budget, what `zap fit` optimises by default).

The meta-dataset, method and settings (and why them) are in zapml.selectors.recipe, which
`zap selector update` reads too.

    .venv/bin/python scripts/train_shipped_selector.py --objective final
"""

from __future__ import annotations

import argparse
import shutil

from zapml.metadataset import load_metadataset
from zapml.metadataset.objectives import DEFAULT_OBJECTIVE, OBJECTIVES
from zapml.selectors.choice import SHIPPED_SELECTORS
from zapml.selectors.recipe import (
    SHIPPED_METADATASET,
    SHIPPED_METHOD,
    SHIPPED_SETTINGS,
    train_shipped_kind,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objective", choices=OBJECTIVES, default=DEFAULT_OBJECTIVE)
    objective = parser.parse_args().objective
    out = SHIPPED_SELECTORS[objective]
    mds = load_metadataset(SHIPPED_METADATASET)
    if out.exists():
        shutil.rmtree(out)
    train_shipped_kind(mds, objective, out)
    print(
        f"trained {SHIPPED_METHOD} {SHIPPED_SETTINGS} for the {objective} objective on "
        f"{len(mds.tasks)} tasks x {len(mds.pipelines)} pipelines"
    )
    print(f"saved to {out}")


if __name__ == "__main__":
    main()
