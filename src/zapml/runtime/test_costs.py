"""The compute clock's cost model: counts of a tiny model worked out by hand, and the seconds each
clock version charges for them."""

import dataclasses
import math

import pytest
import torch
from torch import nn

from zapml.runtime import costs
from zapml.runtime.costs import (
    CLOCK_V1,
    CLOCK_V2,
    CLOCK_VERSION,
    ModelProfile,
    check_clock_version,
    pixel_seconds,
    profile_model,
    sklearn_fit_seconds,
    sklearn_predict_seconds,
)


def tiny_model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1),  # dense: 4x8x8 outputs x 27 multiply-adds
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Conv2d(4, 4, 3, padding=1, groups=4),  # depthwise: 4x8x8 outputs x 9 multiply-adds
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(4, 2),  # 8 multiply-adds
    )


# By hand, for one 8x8 image (2 FLOPs per multiply-add):
DENSE_FLOPS = 2 * 256 * 27 + 2 * 8  # the first convolution and the linear layer
DEPTHWISE_FLOPS = 2 * 256 * 9
ELEMENTS = 4 * 256 + 4 + 4 + 2  # conv, BN, ReLU, depthwise conv; pool, flatten; linear
CALLS = 7  # leaf modules
PARAMS = (3 * 4 * 9 + 4) + 2 * 4 + (4 * 9 + 4) + (4 * 2 + 2)


def test_profile_counts_the_tiny_model_by_hand():
    model = tiny_model().train()
    prof = profile_model(model, (8, 8))
    assert prof.flops_per_image == DENSE_FLOPS + DEPTHWISE_FLOPS
    assert prof.depthwise_flops_per_image == DEPTHWISE_FLOPS
    assert prof.dense_flops_per_image == DENSE_FLOPS
    assert prof.activations_per_image == ELEMENTS
    assert (prof.num_modules, prof.num_params) == (CALLS, PARAMS)
    assert prof.clock_version == CLOCK_VERSION == 2
    assert model.training


def test_version_1_keeps_the_rates_meta_dataset_v1_was_recorded_with():
    assert dataclasses.asdict(CLOCK_V1) == {
        "version": 1,
        "flops_per_second": 42e9,
        "elements_per_second": 0.9e9,
        "module_call_seconds": 135e-6,
        "param_update_seconds": 15e-9,
        "pixel_seconds": 8e-9,
        "sklearn_op_seconds": 2e-9,
    }
    assert costs.CLOCK_VERSIONS[1] is CLOCK_V1


def test_version_1_charges_the_tiny_model_as_before():
    prof = profile_model(tiny_model(), (8, 8), clock_version=1)
    # 10 images in batches of 4: 3 calls of every module; flops counted together in version 1.
    forward = 10 * ((DENSE_FLOPS + DEPTHWISE_FLOPS) / 42e9 + ELEMENTS / 0.9e9) + 3 * 7 * 135e-6
    assert prof.forward_seconds(10, 4) == forward
    step = 3.0 * (4 * ((DENSE_FLOPS + DEPTHWISE_FLOPS) / 42e9 + ELEMENTS / 0.9e9) + 7 * 135e-6)
    assert prof.train_step_seconds(4, 100) == step + 100 * 15e-9
    assert prof.copy_weights_seconds() == PARAMS * 15e-9
    assert pixel_seconds(5, 8, 8, 3, clock_version=1) == 5 * 8 * 8 * 3 * 8e-9
    assert sklearn_fit_seconds("LR", 20, 4, 3, clock_version=1) == 300.0 * 20 * 4 * 3 * 2e-9
    assert sklearn_predict_seconds(20, 4, 1, clock_version=1) == 20.0 * 4 * 2 * 2e-9


def test_version_2_charges_depthwise_flops_and_train_steps_at_their_own_rates():
    prof = profile_model(tiny_model(), (8, 8), clock_version=2)
    v2 = CLOCK_V2
    per_image = (
        DENSE_FLOPS * v2.dense_flop_seconds
        + DEPTHWISE_FLOPS * v2.depthwise_flop_seconds
        + ELEMENTS * v2.element_seconds
    )
    forward = 10 * per_image + 3 * 7 * v2.module_call_seconds
    assert prof.forward_seconds(10, 4) == pytest.approx(forward, rel=1e-12)
    train_per_image = (
        DENSE_FLOPS * v2.train_dense_flop_seconds
        + DEPTHWISE_FLOPS * v2.train_depthwise_flop_seconds
        + ELEMENTS * v2.train_element_seconds
    )
    step = 4 * train_per_image + 7 * v2.train_module_call_seconds + 100 * v2.param_update_seconds
    assert prof.train_step_seconds(4, 100) == pytest.approx(step, rel=1e-12)
    assert prof.forward_seconds(0, 4) == 0.0
    lr_ops, svc_ops = 300.0 * 20 * 4 * 3, 20.0 * 20 * 4  # L-BFGS sweeps; pairs of samples
    assert sklearn_fit_seconds("LR", 20, 4, 3, clock_version=2) == lr_ops * v2.lr_op_seconds
    assert sklearn_fit_seconds("SVC", 20, 4, 3, clock_version=2) == svc_ops * v2.sklearn_op_seconds
    # The same counts cost differently under the two versions: the version matters.
    as_v1 = dataclasses.replace(prof, clock_version=1)
    assert prof.forward_seconds(10, 4) != pytest.approx(as_v1.forward_seconds(10, 4))


def test_depthwise_convolutions_padded_wider_than_their_input_are_counted_apart():
    conv5 = nn.Conv2d(4, 4, 5, padding=2, groups=4)  # 2 > 1: every window is mostly padding
    conv3 = nn.Conv2d(4, 4, 3, padding=1, groups=4)  # 1 = 1: oneDNN's fast path (measured)
    assert profile_model(conv5, (1, 1), channels=4).overpadded_depthwise_elements_per_image == 4
    assert profile_model(conv5, (2, 2), channels=4).overpadded_depthwise_elements_per_image == 0
    assert profile_model(conv3, (1, 1), channels=4).overpadded_depthwise_elements_per_image == 0
    dense = nn.Conv2d(4, 4, 5, padding=2)  # not depthwise
    assert profile_model(dense, (1, 1), channels=4).overpadded_depthwise_elements_per_image == 0
    prof = profile_model(conv5, (1, 1), channels=4, clock_version=2)
    extra = 4 * CLOCK_V2.overpadded_element_seconds
    without = dataclasses.replace(prof, overpadded_depthwise_elements_per_image=0.0)
    assert prof.forward_seconds(1, 1) == pytest.approx(without.forward_seconds(1, 1) + extra)


def test_a_profile_without_a_version_charges_the_current_one():
    prof = ModelProfile(1e8, 1e6, 100, 10**6, (32, 32), depthwise_flops_per_image=1e7)
    current = dataclasses.replace(prof, clock_version=CLOCK_VERSION)
    assert prof.forward_seconds(64, 32) == current.forward_seconds(64, 32)
    assert prof.train_step_seconds(32, 10**6) == current.train_step_seconds(32, 10**6)
    assert pixel_seconds(3, 8, 8, 1) == pixel_seconds(3, 8, 8, 1, clock_version=CLOCK_VERSION)


@pytest.mark.parametrize("bad", [0, 3, True, "2"])
def test_an_unknown_version_names_the_known_ones(bad):
    with pytest.raises(ValueError, match=r"known versions are \[1, 2\]"):
        check_clock_version(bad)
    with pytest.raises(ValueError, match="compute-clock version"):
        profile_model(tiny_model(), (8, 8), clock_version=bad)


def test_every_version_charges_positive_finite_seconds():
    prof = profile_model(tiny_model(), (8, 8))
    for version in costs.CLOCK_VERSIONS:
        p = dataclasses.replace(prof, clock_version=version)
        for seconds in (
            p.forward_seconds(7, 4),
            p.train_step_seconds(4, 10),
            p.copy_weights_seconds(),
        ):
            assert seconds > 0 and math.isfinite(seconds)
