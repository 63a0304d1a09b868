"""Rebuild a shipped default selector (src/zapml/selectors/shipped/<objective>) from the shipped
meta-dataset, one per objective: `alc` (AutoDL's ALC, ZAP's setting) and `final` (the final test
NAUC of the model kept at the end of the budget, what `zap fit` optimises by default).

The method and its settings are the ones that won the leave-one-core-dataset-out comparison on ALC
(`zap benchmark src/zapml/metadataset/shipped/zapml-offline-v1.sqlite --seeds 3 --objective alc`,
see docs/benchmarks/loco-zapml-offline-v1.md): ZAP-HPO with the least-squares loss, 12 epochs,
1 configuration, 3 inner folds (the benchmark's "fast" line-up), seed 0. The `final` selector uses
the same method and settings on the same meta-dataset, scored by the final test NAUC.

    .venv/bin/python scripts/train_shipped_selector.py --objective final
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from zapml.metadataset import load_metadataset
from zapml.metadataset.objectives import DEFAULT_OBJECTIVE, OBJECTIVES
from zapml.selectors.api import train_selector

ROOT = Path(__file__).resolve().parents[1]
METADATASET = ROOT / "src/zapml/metadataset/shipped/zapml-offline-v1.sqlite"
SHIPPED = ROOT / "src/zapml/selectors/shipped"
SETTINGS = {"loss": "least_squares", "epochs": 12, "n_configs": 1, "n_folds": 3, "seed": 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objective", choices=OBJECTIVES, default=DEFAULT_OBJECTIVE)
    objective = parser.parse_args().objective
    out = SHIPPED / objective
    mds = load_metadataset(METADATASET)
    if out.exists():
        shutil.rmtree(out)
    train_selector(mds, "zap_hpo", out_dir=out, objective=objective, **SETTINGS)
    print(
        f"trained zap_hpo {SETTINGS} for the {objective} objective on {len(mds.tasks)} tasks x "
        f"{len(mds.pipelines)} pipelines"
    )
    print(f"saved to {out}")


if __name__ == "__main__":
    main()
