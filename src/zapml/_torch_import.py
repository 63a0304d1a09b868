"""The one place that makes ``timm`` / ``torchvision`` importable next to the CPU build of torch.

The torchvision 0.28.0 wheel on PyPI is a CUDA build: importing it next to the CPU torch fails with
``RuntimeError: operator torchvision::nms does not exist`` because its C++ extension cannot load.
Image classification needs none of the detection ops, so when (and only when) that import fails we
register the two operator schemas torchvision looks up at import time, then import it again.
Every zapml module imports timm through :func:`import_timm`.
"""

from __future__ import annotations

import sys
from types import ModuleType

import torch

_patched = False
_keepalive: list[object] = []


def _register_missing_torchvision_ops() -> None:
    global _patched
    if _patched:
        return
    lib = torch.library.Library("torchvision", "DEF")
    lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    lib.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    _keepalive.append(lib)  # the schemas live only as long as the Library object
    _patched = True


def _purge(prefix: str) -> None:
    for name in [m for m in sys.modules if m == prefix or m.startswith(prefix + ".")]:
        del sys.modules[name]


def import_torchvision() -> ModuleType:
    try:
        import torchvision
    except RuntimeError as err:
        if "torchvision::nms" not in str(err):
            raise
        _purge("torchvision")
        _register_missing_torchvision_ops()
        import torchvision
    return torchvision


def import_timm() -> ModuleType:
    import_torchvision()
    import timm

    return timm
