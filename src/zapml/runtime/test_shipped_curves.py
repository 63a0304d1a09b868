"""The runtime still reproduces the shipped meta-dataset's stored learning curves exactly.

Re-runs two stored cells (one with the simple model first, one without) through the builder's
cell path (``scripts/verify_shipped_curves.py``) and compares timestamps, scores and ALC with
``==``. The compute clock makes the timestamps machine-independent; the scores are bit-exact on
the numeric environment the meta-dataset was built on (CPU SIMD kernels change float rounding,
and a few chaotic cells then score differently; these two do not depend on it in our checks).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "verify_shipped_curves.py"
CELLS = (
    "0-textures|35a663d5586e|0|4|compute",  # efficientnet_lite0, SVC simple model first
    "6-glyphs|4e8d7578db43|0|4|compute",  # mobilenetv2_100, network only, 2 points
)


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("verify_shipped_curves", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.skipif(not SCRIPT.is_file(), reason="needs the source checkout's scripts/")
def test_shipped_cells_reproduce_exactly():
    verify = _script()
    runs = {run.cell_key: run for run in verify.stored_runs()}
    for key in CELLS:
        stored = runs[key]
        assert stored.curve, key
        fresh = verify.rerun(stored)
        assert verify.compare(stored, fresh) == [], key
        assert fresh.curve == stored.curve and fresh.alc == stored.alc
