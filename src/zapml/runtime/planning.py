"""Counted cost of the inference a run does besides training, in one place: the anytime loop's
estimates (``loop``) and ``zap fit``'s check that a chosen pipeline leaves time to train
(``selectors.choice``) both read it.

Besides train steps a run makes frozen-feature passes for the simple model (its training sample
plus the test and validation images), validation passes and test predictions (two passes with
flip TTA). The last two grow with the test set, which the meta-dataset's tasks keep small (tens
to a few hundred images): on a dataset with thousands of test images at a large input size they
can take most of a budget before the network trains a step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zapml.runtime.costs import ModelProfile, pixel_seconds
from zapml.runtime.predictor import EVAL_BATCH_SIZE
from zapml.runtime.preprocess import input_size, validation_count

#: flip test-time augmentation: every test prediction is two passes
TEST_PREDICTION_PASSES = 2


def inference_seconds(
    profile: ModelProfile, num_images: int, hw: tuple[int, int], passes: int = 1
) -> float:
    """``passes`` forward passes over ``num_images`` images of size ``hw`` in evaluation batches,
    plus assembling their 3-channel batches once."""
    h, w = hw
    return passes * profile.forward_seconds(num_images, EVAL_BATCH_SIZE) + pixel_seconds(
        num_images, h, w, 3, profile.clock_version
    )


def fixed_inference_seconds(
    profile: ModelProfile,
    pipeline: Mapping[str, Any],
    num_train: int,
    num_test: int,
    native_hw: tuple[int, int],
) -> float:
    """What a run of ``pipeline`` spends on inference before its first network prediction,
    whatever else it does: the simple model's frozen features (its training sample, the test and
    the validation images) and one test prediction. ``profile`` must be counted at the input size
    (``input_size(native_hw, pipeline['log2_max_size'])``)."""
    hw = input_size(native_hw, int(pipeline["log2_max_size"]))
    num_valid = validation_count(
        num_train, float(pipeline["cv_valid_ratio"]), int(pipeline["max_valid_count"])
    )
    sample = min(int(pipeline["train_info_sample"]), num_train - num_valid)
    features = inference_seconds(profile, sample + num_test + num_valid, hw)
    prediction = inference_seconds(profile, num_test, hw, passes=TEST_PREDICTION_PASSES)
    return features + prediction
