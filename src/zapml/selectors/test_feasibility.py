"""The guard on `zap fit`'s zero-shot choice: inference counted by hand, the first affordable
pipeline taken, and the README demo's case with the shipped selector."""

from __future__ import annotations

import pytest

from zapml.runtime.costs import CLOCK_V2, ModelProfile
from zapml.runtime.planning import fixed_inference_seconds
from zapml.selectors.choice import choose_pipeline
from zapml.selectors.feasibility import (
    MAX_FIXED_SHARE,
    DataShape,
    first_affordable,
    fixed_seconds,
)
from zapml.space import default_pipeline

# A hand-made profile: 1e8 dense FLOPs and 1e6 activations per image at 32 x 32.
PROFILE = ModelProfile(
    flops_per_image=1e8, activations_per_image=1e6, num_modules=50, num_params=10**6,
    input_hw=(32, 32), clock_version=2,
)  # fmt: skip


def test_fixed_inference_counts_one_pass_per_image_and_two_more_per_test_image() -> None:
    pipeline = default_pipeline().replace(
        log2_max_size=5, train_info_sample=100, cv_valid_ratio=0.1, max_valid_count=30
    )
    # v2 charges no per-call overhead, so a pass is linear in images: per image the dense FLOPs
    # and activations at their rates, plus 32 x 32 x 3 pixels assembled once per pass.
    per_image = 1e8 * CLOCK_V2.dense_flop_seconds + 1e6 * CLOCK_V2.element_seconds
    pixels = 32 * 32 * 3 * CLOCK_V2.pixel_seconds
    # 1000 training images: 30 validation (min(100, 30)), a 100-image sample; 400 test images.
    feature_pass = (100 + 400 + 30) * (per_image + pixels)
    prediction = 400 * (2 * per_image + pixels)
    got = fixed_inference_seconds(PROFILE, pipeline, 1000, 400, (28, 28))
    assert got == pytest.approx(feature_pass + prediction, rel=1e-12)
    # a small training set: the sample is what is left after validation
    small = fixed_inference_seconds(PROFILE, pipeline, 50, 0, (28, 28))
    assert small == pytest.approx((45 + 5) * (per_image + pixels), rel=1e-12)


def test_the_first_pipeline_that_leaves_half_the_budget_is_taken() -> None:
    big, small = (default_pipeline().replace(log2_max_size=s) for s in (7, 5))
    data = DataShape(num_train=8000, num_test=2000, image_hw=(28, 28))
    big_cost, small_cost = (fixed_seconds(p, data, 2) for p in (big, small))
    assert big_cost > 8 * small_cost  # 16x the pixels at 128 px
    budget = (big_cost + small_cost) / 2 / MAX_FIXED_SHARE  # between the two
    found = first_affordable([big, big, small, big], data, budget, 2)
    assert (found.index, found.found) == (2, True)
    assert found.seconds == pytest.approx((big_cost, big_cost, small_cost))
    nothing = first_affordable([big, big], data, 0.9 * big_cost, 2)
    assert (nothing.index, nothing.found) == (0, False)


# animal_mnist as the README's demo sees it
DEMO_FEATURES = {"num_channels": 1.0, "num_classes": 10.0, "num_train": 8000.0,
                 "resolution_0": 28.0}  # fmt: skip
DEMO_DATA = DataShape(num_train=8000, num_test=2000, image_hw=(28, 28))


def test_the_readme_demo_gets_a_pipeline_that_leaves_time_to_train() -> None:
    # at the compute budget of its calibration (76 s on the slowest machine seen) whatever the
    # shipped selector ranks first, the pipeline `zap fit` runs leaves over half of it to train
    guarded = choose_pipeline(
        None, None, DEMO_FEATURES, "final", 76.0, clock="compute", data=DEMO_DATA
    )
    assert fixed_seconds(guarded.pipeline, DEMO_DATA, 2) <= MAX_FIXED_SHARE * 76.0


def test_a_small_budget_passes_over_a_top_choice_that_inference_would_eat() -> None:
    # at 24 compute-s the shipped selector's first choice for the demo's data (since the
    # 15,090-run store the default pipeline, 64 px: 12.9 s of fixed inference) spends over half
    # the budget on inference, so the guard takes a later rank
    unguarded = choose_pipeline(None, None, DEMO_FEATURES, "final", 24.0, clock="compute")
    guarded = choose_pipeline(
        None, None, DEMO_FEATURES, "final", 24.0, clock="compute", data=DEMO_DATA
    )
    assert fixed_seconds(unguarded.pipeline, DEMO_DATA, 2) > MAX_FIXED_SHARE * 24.0
    assert fixed_seconds(guarded.pipeline, DEMO_DATA, 2) <= MAX_FIXED_SHARE * 24.0
    assert any("took rank" in note for note in guarded.budget_notes)
    # a dataset with a small test set keeps the selector's first choice, and says nothing
    few = choose_pipeline(None, None, DEMO_FEATURES, "final", 24.0, clock="compute",
                          data=DataShape(8000, 20, (28, 28)))  # fmt: skip
    assert few.pipeline == unguarded.pipeline
    assert not any("took rank" in note or "is kept" in note for note in few.budget_notes)
