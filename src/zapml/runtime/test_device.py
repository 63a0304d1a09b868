"""Devices: names, errors that say the fix, what a run records, and TF32 switched off on GPUs."""

import pytest
import torch
from torch import nn

from zapml.errors import PipelineError
from zapml.runtime.device import (
    device_label,
    exact_float32,
    model_device,
    resolve_device,
)

no_gpu = pytest.mark.skipif(torch.cuda.is_available(), reason="checks the machine without a GPU")


@pytest.mark.parametrize("name", [None, "cpu", " CPU "])
def test_cpu_names(name):
    device = resolve_device(name)
    assert device == torch.device("cpu") and device_label(device) == "cpu"


@pytest.mark.parametrize("name", ["tpu", "gpu", "cuda:x", "cuda:-1"])
def test_unknown_names_list_the_valid_ones(name):
    with pytest.raises(PipelineError, match="use 'cpu', 'cuda', 'cuda:N'"):
        resolve_device(name)


@no_gpu
def test_cuda_without_a_gpu_says_how_to_run(monkeypatch):
    with pytest.raises(PipelineError, match="sees no CUDA GPU: run with --device cpu"):
        resolve_device("cuda")
    assert resolve_device("auto") == torch.device("cpu")


def test_a_gpu_index_beyond_the_visible_ones_is_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert resolve_device("cuda:1") == torch.device("cuda", 1)
    assert resolve_device("auto") == torch.device("cuda", 0)
    with pytest.raises(PipelineError, match=r"only 2 GPU\(s\) are visible \(cuda:0 to cuda:1\)"):
        resolve_device("cuda:2")


def test_model_device_is_where_the_weights_are():
    assert model_device(nn.Linear(3, 2)) == torch.device("cpu")
    assert model_device(nn.ReLU()) == torch.device("cpu")  # no weights: the CPU


def test_exact_float32_switches_tf32_off_on_a_gpu_only_and_restores_it():
    matmul, cudnn = torch.backends.cuda.matmul, torch.backends.cudnn
    before = (matmul.allow_tf32, cudnn.allow_tf32)
    try:
        matmul.allow_tf32, cudnn.allow_tf32 = True, True
        with exact_float32(torch.device("cpu")):
            assert (matmul.allow_tf32, cudnn.allow_tf32) == (True, True)
        with exact_float32(torch.device("cuda", 0)):
            assert (matmul.allow_tf32, cudnn.allow_tf32) == (False, False)
        assert (matmul.allow_tf32, cudnn.allow_tf32) == (True, True)
    finally:
        matmul.allow_tf32, cudnn.allow_tf32 = before
