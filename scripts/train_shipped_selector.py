"""Rebuild the shipped default selector (src/zapml/selectors/shipped) from the shipped meta-dataset.

The method and its settings are the ones that won the leave-one-core-dataset-out comparison
(`zap benchmark src/zapml/metadataset/shipped/zapml-offline-v1.sqlite --seeds 3`, see
docs/benchmarks/loco-zapml-offline-v1.md): ZAP-HPO with the least-squares loss, 12 epochs,
1 configuration, 3 inner folds (the benchmark's "fast" line-up), seed 0.

    .venv/bin/python scripts/train_shipped_selector.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

from zapml.metadataset import load_metadataset
from zapml.selectors.api import train_selector

ROOT = Path(__file__).resolve().parents[1]
METADATASET = ROOT / "src/zapml/metadataset/shipped/zapml-offline-v1.sqlite"
OUT = ROOT / "src/zapml/selectors/shipped"
SETTINGS = {"loss": "least_squares", "epochs": 12, "n_configs": 1, "n_folds": 3, "seed": 0}


def main() -> None:
    mds = load_metadataset(METADATASET)
    if OUT.exists():
        shutil.rmtree(OUT)
    train_selector(mds, "zap_hpo", out_dir=OUT, **SETTINGS)
    print(f"trained zap_hpo {SETTINGS} on {len(mds.tasks)} tasks x {len(mds.pipelines)} pipelines")
    print(f"saved to {OUT}")


if __name__ == "__main__":
    main()
