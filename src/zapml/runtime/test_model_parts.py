"""Freezing, optimizers, flip test-time augmentation and model profiling on real zoo backbones."""

import numpy as np
import pytest
import torch
from torch import nn

from zapml.runtime.costs import profile_model
from zapml.runtime.optim import build_optimizer, freeze_portion
from zapml.runtime.predictor import predict_proba
from zapml.runtime.preprocess import Normalizer
from zapml.space import default_pipeline
from zapml.zoo import backbone_parameters_in_order, load_backbone


@pytest.fixture(scope="module")
def fresh_model():
    def make():
        torch.manual_seed(0)
        return load_backbone("mobilenetv2_100.scratch", num_classes=5)

    return make


@pytest.mark.parametrize("portion", [0.0, 0.1, 0.3, 0.5])
def test_freeze_portion_freezes_exactly_the_first_backbone_tensors(fresh_model, portion):
    model = fresh_model()
    ordered = list(backbone_parameters_in_order(model))
    frozen = freeze_portion(model, portion)
    assert frozen == int(len(ordered) * portion)
    assert [not p.requires_grad for p in ordered] == [i < frozen for i in range(len(ordered))]
    assert all(p.requires_grad for p in model.get_classifier().parameters())


def test_freeze_portion_rejects_out_of_range(fresh_model):
    with pytest.raises(ValueError, match="freeze_portion"):
        freeze_portion(fresh_model(), 1.0)


@pytest.mark.parametrize(
    ("changes", "kind"),
    [
        ({"optimizer": "SGD", "momentum": 0.8, "nesterov": True}, torch.optim.SGD),
        ({"optimizer": "Adam", "amsgrad": True}, torch.optim.Adam),
        ({"optimizer": "AdamW", "amsgrad": False}, torch.optim.AdamW),
    ],
)
def test_build_optimizer_follows_the_pipeline(changes, kind):
    pipe = default_pipeline().replace(lr=0.02, wd=1e-4, **changes)
    opt = build_optimizer([nn.Parameter(torch.zeros(3))], pipe)
    assert type(opt) is kind
    group = opt.param_groups[0]
    assert group["lr"] == 0.02 and group["weight_decay"] == 1e-4
    if kind is torch.optim.SGD:
        assert group["momentum"] == 0.8 and group["nesterov"] is True
    else:
        assert group["amsgrad"] is changes["amsgrad"]


class _LeftHalf(nn.Module):
    """Logits from the left half of the image only: not flip-invariant, so TTA shows."""

    def forward(self, x):
        w = x.shape[3]
        left = x[..., : w // 2].mean(dim=(1, 2, 3))
        right = x[..., w // 2 :].mean(dim=(1, 2, 3))
        return torch.stack([left, right, torch.zeros_like(left)], dim=1)


def test_flip_tta_averages_softmax_of_image_and_mirror():
    rng = np.random.default_rng(0)
    images = torch.from_numpy(rng.integers(0, 256, (7, 3, 8, 8), dtype=np.uint8))
    norm = Normalizer((0.5,) * 3, (0.5,) * 3)
    model = _LeftHalf()
    x = norm(images)
    expected = 0.5 * (torch.softmax(model(x), 1) + torch.softmax(model(x.flip(3)), 1))
    got = predict_proba(model, images, norm, tta=True, batch_size=3)
    assert np.allclose(got, expected.numpy(), atol=1e-6)
    plain = predict_proba(model, images, norm, tta=False)
    assert not np.allclose(plain, got)
    assert np.allclose(got.sum(1), 1.0, atol=1e-6)


def test_profile_counts_grow_with_resolution(fresh_model):
    model = fresh_model()
    small, large = profile_model(model, (32, 32)), profile_model(model, (64, 64))
    assert large.flops_per_image > 3 * small.flops_per_image
    assert large.activations_per_image > 3 * small.activations_per_image
    assert small.num_modules == large.num_modules > 50
    assert model.training  # restored


def test_inference_pass_stops_when_its_abort_check_fires():
    from zapml.runtime.predictor import Aborted

    images = torch.zeros((10, 3, 8, 8), dtype=torch.uint8)
    norm = Normalizer((0.5,) * 3, (0.5,) * 3)
    seen = []

    def abort(done):
        seen.append(done)
        return done >= 0.6

    with pytest.raises(Aborted):
        predict_proba(_LeftHalf(), images, norm, batch_size=3, abort=abort)
    assert seen == [0.3, 0.6]
    full = predict_proba(_LeftHalf(), images, norm, batch_size=3, abort=lambda done: False)
    assert full.shape == (10, 3)
