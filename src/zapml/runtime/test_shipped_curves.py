"""The runtime still reproduces the shipped meta-dataset's stored learning curves exactly.

Re-runs two stored cells (one with the simple model first, one without) through the builder's
cell path with ``scripts/verify_shipped_curves.py``, in its own process, which compares
timestamps, scores and ALC with ``==``. The compute clock makes the timestamps
machine-independent; the scores are bit-exact in the numeric environment the meta-dataset was
built in, which the script sets up (oneDNN capped at AVX2 before torch starts: on an AVX-512 CPU
the default kernels round differently and the MobileNetV2 cell's NAUC moved by 2.4e-4).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "verify_shipped_curves.py"
CELLS = (
    "0-textures|35a663d5586e|0|4|compute",  # efficientnet_lite0, SVC simple model first
    "6-glyphs|4e8d7578db43|0|4|compute",  # mobilenetv2_100, network only, 2 points
)


@pytest.mark.slow
@pytest.mark.skipif(not SCRIPT.is_file(), reason="needs the source checkout's scripts/")
def test_shipped_cells_reproduce_exactly():
    env = {k: v for k, v in os.environ.items() if k != "ONEDNN_MAX_CPU_ISA"}  # the script's own
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    args = [sys.executable, str(SCRIPT)] + [f"--cell-key={key}" for key in CELLS]
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 of 2 cells reproduced exactly" in done.stdout
    for key in CELLS:
        line = next(x for x in done.stdout.splitlines() if key in x)
        assert line.startswith(f"match    {key} ") and ", 0 points]" not in line, line
