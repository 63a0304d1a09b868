"""The runtime's memory layout: converted models compute what contiguous ones do, runs record
their layout, saved models reload in it, and a run re-made in the other layout keeps its clock."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from zapml.data.builtin import load_builtin
from zapml.errors import ArtifactError, PipelineError
from zapml.runtime import fit
from zapml.runtime.artifacts import load_model
from zapml.runtime.layout import (
    CHANNELS_LAST,
    CONTIGUOUS,
    DEFAULT_LAYOUT,
    apply_layout,
    check_layout,
)
from zapml.space import default_pipeline
from zapml.zoo import load_backbone


def _conv_weights(model: torch.nn.Module) -> list[torch.Tensor]:
    return [p for p in model.parameters() if p.dim() == 4]


def test_check_layout_defaults_and_names_the_choices():
    assert check_layout(None) == DEFAULT_LAYOUT == CHANNELS_LAST
    assert check_layout(CONTIGUOUS) == CONTIGUOUS
    with pytest.raises(PipelineError, match=r"'layout' .* \['channels_last', 'contiguous'\]"):
        check_layout("nhwc")


def test_channels_last_model_computes_what_the_contiguous_one_does():
    torch.manual_seed(0)
    model = load_backbone("mobilenetv2_100", num_classes=5).eval()
    x = torch.randn(4, 3, 32, 32)
    with torch.no_grad():
        reference = model(x)  # contiguous, as built
        converted = apply_layout(model, CHANNELS_LAST)
        assert converted is model
        assert all(w.is_contiguous(memory_format=torch.channels_last) for w in _conv_weights(model))
        assert not all(w.is_contiguous() for w in _conv_weights(model))
        fast = model(x)
        back = apply_layout(model, CONTIGUOUS)(x)
    assert all(w.is_contiguous() for w in _conv_weights(model))
    # the same arithmetic in another order: equal up to float32 rounding, not bit for bit
    torch.testing.assert_close(fast, reference, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(back, reference, rtol=1e-4, atol=1e-4)


@pytest.fixture(scope="module")
def digits():
    data = load_builtin("digits")
    return data.train.subset(np.arange(300)), data.test.subset(np.arange(120))


PIPE = default_pipeline().replace(log2_max_size=5, steps_per_epoch=5, batch_size=16)


def test_runs_record_their_layout_and_keep_the_compute_clock(digits, tmp_path):
    train, test = digits
    asked = {"default": None, "contiguous": CONTIGUOUS}
    runs = {
        name: fit(
            PIPE,
            train,
            test,
            budget=2.0,
            clock="compute",
            progress=False,
            layout=lay,
            output_dir=tmp_path / name,
        )  # fmt: skip
        for name, lay in asked.items()
    }
    fast, plain = runs["default"], runs["contiguous"]
    assert (fast.layout, plain.layout) == (CHANNELS_LAST, CONTIGUOUS)
    # the clock counts the same work in either layout: the simple model's prediction (which no
    # score decides) lands at the same counted second; later ones may move where a decision that
    # reads a score (validation) flips on rounding, so only their existence is asserted
    assert fast.prediction_sources[0] == plain.prediction_sources[0] == "simple_model"
    assert fast.timestamps[0] == plain.timestamps[0]
    assert fast.num_train_steps > 0 and plain.num_train_steps > 0
    # and both learn: each final NAUC is within rounding-amplified noise of the other
    assert fast.final_nauc == pytest.approx(plain.final_nauc, abs=0.05)
    for name, result in runs.items():
        folder = tmp_path / name
        config = json.loads((folder / "config.json").read_text())
        assert config["layout"] == result.layout
        model = load_model(folder)
        np.testing.assert_allclose(  # reloaded in its layout: the run's own predictions
            model.predict_proba(test), result.test_probabilities, rtol=0, atol=1e-6
        )


def test_a_saved_config_without_a_layout_reloads_contiguous_and_a_bad_one_is_refused(
    digits, tmp_path
):
    train, test = digits
    out = tmp_path / "run"
    result = fit(PIPE.replace(first_simple_model=False), train, test, budget=1.0,
                 clock="compute", progress=False, layout=CONTIGUOUS, output_dir=out)  # fmt: skip
    path = out / "config.json"
    config = json.loads(path.read_text())
    del config["layout"]  # as written before layouts were recorded
    path.write_text(json.dumps(config))
    network = load_model(out)
    np.testing.assert_allclose(
        network.predict_proba(test), result.test_probabilities, rtol=0, atol=1e-6
    )
    path.write_text(json.dumps({**config, "layout": "nhwc"}))
    with pytest.raises(ArtifactError, match="field 'layout' = 'nhwc'"):
        load_model(out)
