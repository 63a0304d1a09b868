"""Fixtures for the meta-dataset tests: small specs over synthetic core datasets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

CORE_A = "synthetic:12:60:8"
CORE_B = "synthetic:5:40:8:3"


def spec_dict(**overrides: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": "test",
        "core_datasets": [
            {"name": "syna", "path": CORE_A, "domain": "blobs"},
            {"name": "synb", "path": CORE_B, "domain": "colour"},
        ],
        "tasks_per_core": 2,
        "candidates": [{"source": "sobol", "n": 4, "seed": 0}],
        "budget": 1,
        "repeats": 1,
    }
    if "budgets" in overrides:  # a spec names 'budget' or 'budgets', never both
        del spec["budget"]
    spec.update(overrides)
    return spec


@pytest.fixture
def write_spec(tmp_path: Path) -> Callable[..., Path]:
    def write(name: str = "spec.yaml", **overrides: Any) -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(spec_dict(**overrides)))
        return path

    return write
