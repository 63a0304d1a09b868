"""Unit tests of the runtime's parts: clocks, schedule, preprocessing, reporting, costs."""

import dataclasses
import math

import numpy as np
import pytest
import torch

from zapml.runtime.clock import ComputeClock, WallClock, make_clock
from zapml.runtime.costs import ModelProfile, pixel_seconds
from zapml.runtime.preprocess import (
    BatchOrder,
    Normalizer,
    augment,
    input_size,
    resize_images,
    stratified_split,
    validation_count,
)
from zapml.runtime.reporting import PredictionSchedule
from zapml.runtime.schedule import PLATEAU_PATIENCE, WARMUP_BUDGET_SHARE, LRSchedule
from zapml.space import default_pipeline


def test_compute_clock_counts_only_charges():
    clock = ComputeClock()
    clock.start()
    assert clock.now() == 0.0
    clock.charge(1.5)
    clock.charge(0.25)
    assert clock.now() == 1.75
    with pytest.raises(ValueError):
        clock.charge(-1.0)


def test_wall_clock_ignores_charges_and_advances():
    clock = WallClock()
    clock.start()
    clock.charge(100.0)
    assert 0.0 <= clock.now() < 5.0


def test_make_clock_names_the_parameter():
    with pytest.raises(ValueError, match="'clock' parameter"):
        make_clock("cpu")


def _schedule(kind="cosine", multiplier=2.0, budget=100.0, steps=40):
    return LRSchedule(
        lr=0.1,
        min_lr=1e-4,
        kind=kind,
        warmup_multiplier=multiplier,
        warmup_steps=steps,
        budget=budget,
    )


def test_warmup_is_linear_up_to_multiplier_times_lr():
    s = _schedule(multiplier=2.0)
    lrs = [s.lr(step, now=0.0) for step in range(40)]
    assert lrs[0] == pytest.approx(0.1)
    assert np.allclose(np.diff(lrs), 0.1 / 40)  # straight line from lr to 2 lr
    assert s.lr(40, now=0.0) == pytest.approx(0.2)  # the peak right after warm-up


def test_warmup_with_multiplier_one_starts_near_zero():
    s = _schedule(multiplier=1.0)
    assert s.lr(0, now=0.0) == pytest.approx(0.1 / 40)
    assert s.lr(20, now=0.0) == pytest.approx(0.05)
    assert s.lr(40, now=0.0) == pytest.approx(0.1)


def test_warmup_ends_by_time_on_short_budgets():
    s = _schedule(multiplier=3.0, steps=10_000, budget=100.0)
    assert s.lr(0, now=20.0) == pytest.approx(
        0.1
    )  # training starts at t=20 (after the simple model)
    assert s.warmup_progress(1, now=20.0 + WARMUP_BUDGET_SHARE * 40.0) == pytest.approx(0.5)
    assert s.lr(2, now=20.0 + WARMUP_BUDGET_SHARE * 80.0) == pytest.approx(0.3)


def test_cosine_anneals_to_min_lr_at_the_budget():
    s = _schedule(multiplier=1.0, budget=100.0)
    s.lr(0, now=0.0)
    s.lr(40, now=10.0)  # warm-up ends at t=10
    times = np.linspace(10.0, 100.0, 50)
    lrs = [s.lr(41, now=t) for t in times]
    assert lrs[0] == pytest.approx(0.1)
    assert all(a >= b for a, b in zip(lrs, lrs[1:], strict=False))
    assert lrs[-1] == pytest.approx(1e-4)
    mid = s.lr(41, now=55.0)
    assert mid == pytest.approx(1e-4 + (0.1 - 1e-4) / 2)


def test_plateau_halves_after_patience_never_below_min_lr():
    s = _schedule(kind="plateau", multiplier=1.0)
    assert s.lr(40, now=0.0) == pytest.approx(0.1)
    s.end_epoch(1.0)
    for _ in range(PLATEAU_PATIENCE):
        s.end_epoch(1.0)
    assert s.lr(41, now=1.0) == pytest.approx(0.05)
    for _ in range(100):
        s.end_epoch(1.0)
    assert s.lr(42, now=2.0) == pytest.approx(1e-4)


def test_input_size_follows_log2_max_size():
    assert input_size((28, 28), 5) == (32, 32)  # small images are scaled up
    assert input_size((8, 8), 7) == (128, 128)
    assert input_size((64, 64), 5) == (32, 32)  # large ones shrunk to 2**log2_max_size
    assert input_size((200, 100), 7) == (128, 64)  # aspect ratio kept
    assert input_size((48, 48), 6) == (64, 64)


def test_resize_keeps_uint8_and_channels():
    images = np.random.default_rng(0).integers(0, 256, (5, 40, 40, 1), dtype=np.uint8)
    out = resize_images(images, (20, 20))
    assert out.dtype == torch.uint8 and tuple(out.shape) == (5, 1, 20, 20)
    same = resize_images(images, (40, 40))
    assert torch.equal(same, torch.from_numpy(images).permute(0, 3, 1, 2))


def test_normalizer_expands_gray_to_three_channels():
    norm = Normalizer((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))
    x = torch.full((2, 1, 4, 4), 255, dtype=torch.uint8)
    out = norm(x)
    assert out.shape == (2, 3, 4, 4)
    assert torch.allclose(out, torch.full_like(out, 2.0))


def test_augment_is_seeded_and_keeps_shape():
    x = torch.randn(6, 3, 16, 16)
    a = augment(x, torch.Generator().manual_seed(3))
    b = augment(x, torch.Generator().manual_seed(3))
    assert a.shape == x.shape and torch.equal(a, b)


def test_validation_count_and_stratified_split():
    assert validation_count(1000, 0.1, 256) == 100
    assert validation_count(10_000, 0.1, 256) == 256
    labels = np.repeat(np.arange(4), [100, 50, 30, 20])
    train, valid = stratified_split(labels, 40, np.random.default_rng(0))
    assert len(valid) == 40 and len(train) == 160
    assert not set(train) & set(valid)
    assert np.bincount(labels[valid]).tolist() == [20, 10, 6, 4]


def test_stratified_split_keeps_a_training_image_per_class():
    labels = np.array([0] * 20 + [1])
    train, valid = stratified_split(labels, 10, np.random.default_rng(0))
    assert 1 in labels[train]


def test_batch_order_fixed_size_and_covers_every_item():
    order = BatchOrder(10, 4, np.random.default_rng(0))
    batches = [order.next() for _ in range(5)]
    assert all(len(b) == 4 for b in batches)
    first_pass = np.concatenate(batches)[:10]
    assert sorted(first_pass.tolist()) == list(range(10))


def test_prediction_gaps_grow_and_scale_with_budget():
    pipe = default_pipeline().replace(
        early_epoch=2,
        test_after_at_least_seconds=1,
        test_after_at_least_seconds_step=2,
        test_after_at_least_seconds_max=60,
        max_inner_loop_ratio=0.2,
    )
    sched = PredictionSchedule(pipe, budget=120.0)  # a tenth of AutoDL's 1200 s
    assert not sched.due_at_epoch_end(1, now=5.0)
    assert sched.due_at_epoch_end(2, now=5.0)
    sched.record(5.0)
    assert not sched.due_at_epoch_end(3, now=5.05)
    assert sched.due_at_epoch_end(3, now=5.15)  # gap 1 s * 0.1
    sched.record(5.2)
    assert not sched.due_at_epoch_end(4, now=5.45)
    assert sched.due_at_epoch_end(4, now=5.55)  # gap grew to 3 s * 0.1
    assert not sched.inner_loop_exhausted(5.2 + 0.19 * (120 - 5.2))
    assert sched.inner_loop_exhausted(5.2 + 0.21 * (120 - 5.2))


def test_counted_costs_scale_with_work():
    prof = ModelProfile(
        flops_per_image=1e8,
        activations_per_image=1e6,
        num_modules=100,
        num_params=1_000_000,
        input_hw=(32, 32),
    )
    one = prof.forward_seconds(32, 32)
    assert prof.forward_seconds(64, 32) > 1.9 * one
    step = prof.train_step_seconds(32, trainable_params=1_000_000)
    assert prof.train_step_seconds(64, trainable_params=1_000_000) > 1.5 * step
    # Clock version 1 charged a train step as three forward passes plus the parameter updates.
    v1 = dataclasses.replace(prof, clock_version=1)
    step_v1 = v1.train_step_seconds(32, trainable_params=1_000_000)
    assert step_v1 == pytest.approx(3 * v1.forward_seconds(32, 32) + v1.copy_weights_seconds())
    assert pixel_seconds(10, 8, 8, 3) == pytest.approx(10 * pixel_seconds(1, 8, 8, 3))
    assert math.isfinite(prof.forward_seconds(0, 32))
