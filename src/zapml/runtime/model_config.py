"""``config.json`` of a model folder: written by ``fit``, range-checked field by field on load.

A model folder may come from anywhere (a colleague, a download, a hand edit), so nothing in it is
trusted: every field is checked before it sizes a tensor or picks code to run, and every failure
is an ``ArtifactError`` naming the file, the field, the value and the fix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import zapml
from zapml.errors import ArtifactError
from zapml.runtime.layout import LAYOUTS, UNRECORDED_LAYOUT

FORMAT_VERSION = 1
CONFIG_FILE = "config.json"

# Input sides fit writes: the longer side is 2**log2_max_size (32-128 px in the space), the
# shorter one keeps the aspect ratio (so a very wide image can give a side of a few pixels).
# 1024 px leaves room for a wider space while one 128-image inference batch stays ~1.6 GB of
# float32; [100000, 100000] asked for 22 GB and got `zap predict` OOM-killed.
MIN_INPUT_SIDE = 1
MAX_INPUT_SIDE = 1024
PREDICTORS = ("network", "simple_model")
REFIT = "re-run `zap fit` to write a fresh model folder"


@dataclass(frozen=True)
class ModelConfig:
    architecture: str
    timm_arch: str
    num_classes: int
    input_size: tuple[int, int]
    in_channels: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    pipeline: dict[str, Any]
    pipeline_id: str
    final_predictor: str | None
    # Header of the exported simple model (kind, gamma) when it made the final predictions.
    simple_model: dict[str, Any] | None = None
    # The memory layout the model ran in (runtime.layout): reloaded in it, predictions match the
    # run's to the last digit. Configs written before it name none: those ran contiguous.
    layout: str = UNRECORDED_LAYOUT

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "zapml_version": zapml.__version__,
            "architecture": self.architecture,
            "timm_arch": self.timm_arch,
            "num_classes": self.num_classes,
            "input_size": list(self.input_size),
            "in_channels": self.in_channels,
            "mean": list(self.mean),
            "std": list(self.std),
            "pipeline": self.pipeline,
            "pipeline_id": self.pipeline_id,
            "final_predictor": self.final_predictor,
            "simple_model": self.simple_model,
            "layout": self.layout,
        }

    @classmethod
    def from_dict(cls, data: Any, origin: Path) -> ModelConfig:
        """A checked config; ``ArtifactError`` names the first field out of range."""
        check = _Checker(data, origin)
        check.format_version()
        architecture, timm_arch = check.architecture()
        config = cls(
            architecture=architecture,
            timm_arch=timm_arch,
            num_classes=check.integer("num_classes", 2, None),
            input_size=check.input_size(),
            in_channels=check.choice("in_channels", (1, 3)),
            mean=check.triple("mean", positive=False),
            std=check.triple("std", positive=True),
            pipeline=check.pipeline(architecture),
            pipeline_id=str(check.get("pipeline_id")),
            final_predictor=check.final_predictor(),
            simple_model=data.get("simple_model"),
            layout=check.layout(),
        )
        if config.final_predictor == "simple_model" and not isinstance(config.simple_model, dict):
            check.fail("simple_model", config.simple_model, "the simple model's header is missing")
        return config


class _Checker:
    def __init__(self, data: Any, origin: Path) -> None:
        if not isinstance(data, dict):
            raise ArtifactError(f"{origin} must hold a JSON object; {REFIT}.")
        self.data = data
        self.origin = origin

    def fail(self, field: str, value: Any, why: str) -> None:
        raise ArtifactError(
            f"{self.origin}: field '{field}' = {value!r:.120}: {why}; {REFIT} "
            "(or restore the file written by it)."
        )

    def get(self, field: str) -> Any:
        if field not in self.data:
            self.fail(field, None, "missing")
        return self.data[field]

    def format_version(self) -> None:
        version = self.data.get("format_version")
        if version != FORMAT_VERSION:
            self.fail(
                "format_version", version,
                f"this zapml ({zapml.__version__}) reads format_version {FORMAT_VERSION} only",
            )  # fmt: skip

    def integer(self, field: str, low: int, high: int | None) -> int:
        value = self.get(field)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(field, value, "must be an integer")
        if value < low or (high is not None and value > high):
            self.fail(field, value, f"must lie in [{low}, {high if high is not None else 'inf'}]")
        return int(value)

    def choice(self, field: str, allowed: tuple[int, ...]) -> int:
        value = self.get(field)
        if isinstance(value, bool) or value not in allowed:
            self.fail(field, value, f"must be one of {list(allowed)}")
        return int(value)

    def input_size(self) -> tuple[int, int]:
        value = self.get("input_size")
        ok = isinstance(value, list) and len(value) == 2
        if not ok or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            self.fail("input_size", value, "must be [height, width] in whole pixels")
        if not all(MIN_INPUT_SIDE <= v <= MAX_INPUT_SIDE for v in value):
            self.fail(
                "input_size", value,
                f"each side must lie in [{MIN_INPUT_SIDE}, {MAX_INPUT_SIDE}] px",
            )  # fmt: skip
        return int(value[0]), int(value[1])

    def triple(self, field: str, *, positive: bool) -> tuple[float, float, float]:
        value = self.get(field)
        numbers = isinstance(value, list) and len(value) == 3
        if not numbers or not all(isinstance(v, int | float) for v in value):
            self.fail(field, value, "must be 3 numbers (one per RGB channel)")
        if not all(math.isfinite(v) for v in value):
            self.fail(field, value, "must be finite")
        if positive and not all(v > 0 for v in value):
            self.fail(field, value, "must be > 0 (images are divided by it)")
        return float(value[0]), float(value[1]), float(value[2])

    def architecture(self) -> tuple[str, str]:
        from zapml.errors import ZooError
        from zapml.zoo import get_spec

        name = self.get("architecture")
        try:
            spec = get_spec(name)
        except ZooError as err:
            self.fail("architecture", name, f"not in this zapml's zoo ({err})")
        timm_arch = self.get("timm_arch")
        if timm_arch != spec.timm_arch:
            self.fail("timm_arch", timm_arch, f"zoo entry {name!r} is {spec.timm_arch!r}")
        return str(name), str(timm_arch)

    def pipeline(self, architecture: str) -> dict[str, Any]:
        from zapml.space import Pipeline

        value = self.get("pipeline")
        if not isinstance(value, dict):
            self.fail("pipeline", value, "must be an object of hyperparameters")
        try:
            Pipeline(dict(value)).validate()
        except ValueError as err:
            self.fail("pipeline", "{...}", str(err))
        if value.get("architecture") != architecture:
            self.fail("pipeline", value.get("architecture"), "its architecture differs")
        return dict(value)

    def layout(self) -> str:
        value = self.data.get("layout", UNRECORDED_LAYOUT)
        if value not in LAYOUTS:
            self.fail("layout", value, f"must be one of {list(LAYOUTS)}")
        return str(value)

    def final_predictor(self) -> str | None:
        value = self.data.get("final_predictor")
        if value is not None and value not in PREDICTORS:
            self.fail("final_predictor", value, f"must be one of {list(PREDICTORS)} or null")
        return None if value is None else str(value)
