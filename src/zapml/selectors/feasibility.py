"""Does a recommended pipeline leave time to train on *this* dataset? ``zap fit``'s guard.

A selector ranks pipelines from the task's meta-features and the budget, but the meta-dataset's
tasks have small test sets, so it never learned that a large test set makes inference expensive:
the simple model's frozen-feature pass covers the test images, and every test prediction is two
passes over them (``runtime.planning``). On the README's demo (animal_mnist: 8,000 training and
2,000 test images, 76 compute-s) the shipped selector's top choice, MobileNetV2 at 128 px, spent
its budget on inference and trained 19 steps (test accuracy 0.813); the third-ranked, the same
recipe at 64 px, trained 110 steps (0.951), the sixth at 32 px 406 steps (0.959).

So ``zap fit`` walks down the ranking and takes the first pipeline whose fixed inference (counted
on the compute clock, ``fixed_inference_seconds``) fits in ``MAX_FIXED_SHARE`` of the budget,
and says which ones it passed over. When none of the top ``CANDIDATES`` fits, it keeps the
selector's first choice (and says so): every pipeline is then mostly inference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from zapml._numbers import readable
from zapml.selectors.cost_features import profile_at
from zapml.space.pipeline import Pipeline

if TYPE_CHECKING:
    from zapml.data.dataset import DataSplit

#: Half the budget: the anytime loop keeps a test prediction in reserve and stops training when
#: a step plus that prediction no longer fits, so a pipeline whose frozen-feature pass and one
#: prediction take more than half trains for less than the other half, minus the reserve.
MAX_FIXED_SHARE = 0.5
#: How far down the ranking to look (the shipped selectors rank 48 pipelines; the first ten
#: span input sizes 32-128 px on the tasks tried).
CANDIDATES = 10


@dataclass(frozen=True)
class DataShape:
    """The sizes of a dataset that its runs' inference cost depends on."""

    num_train: int
    num_test: int
    image_hw: tuple[int, int]


def data_shape(split: DataSplit) -> DataShape:
    """The sizes of a loaded dataset (no test split: no test images to predict)."""
    images = split.train.images
    num_test = 0 if split.test is None else len(split.test.images)
    return DataShape(len(images), num_test, (int(images.shape[1]), int(images.shape[2])))


@dataclass(frozen=True)
class Affordable:
    """The index of the first affordable pipeline in the ranking (0 when none is), the fixed
    inference seconds of each pipeline checked, and whether one fitted."""

    index: int
    seconds: tuple[float, ...]
    found: bool


def fixed_seconds(pipeline: Pipeline, data: DataShape, clock_version: int) -> float:
    """Counted inference seconds a run of ``pipeline`` on ``data`` spends besides training."""
    from zapml.runtime.planning import fixed_inference_seconds
    from zapml.runtime.preprocess import input_size

    hw = input_size(data.image_hw, int(pipeline["log2_max_size"]))
    profile = profile_at(str(pipeline["architecture"]), hw, clock_version)
    return fixed_inference_seconds(profile, pipeline, data.num_train, data.num_test, data.image_hw)


def first_affordable(
    ranking: Sequence[Pipeline], data: DataShape, budget: float, clock_version: int
) -> Affordable:
    """The first of ``ranking`` whose fixed inference fits in ``MAX_FIXED_SHARE`` of ``budget``
    compute seconds; pipelines below it are not costed."""
    seconds: list[float] = []
    for i, pipeline in enumerate(ranking):
        seconds.append(fixed_seconds(pipeline, data, clock_version))
        if seconds[-1] <= MAX_FIXED_SHARE * budget:
            return Affordable(i, tuple(seconds), True)
    return Affordable(0, tuple(seconds), False)


def describe(ranking: Sequence[Pipeline], data: DataShape, budget: float, found: Affordable) -> str:
    """One line for the user on what the guard did; empty when the top choice fitted."""
    if found.found and found.index == 0:
        return ""
    top = ranking[0]
    what = (
        f"the top choice ({top.architecture} at {2 ** int(top['log2_max_size'])} px) would spend "
        f"{readable(found.seconds[0])} of {readable(budget)} compute-s on inference "
        f"({data.num_test} test images: the simple model's feature pass and a test prediction)"
    )
    if not found.found:
        return (
            f"{what}; none of the top {len(found.seconds)} fits in "
            f"{MAX_FIXED_SHARE:.0%} of the budget, so it is kept"
        )
    chosen = ranking[found.index]
    return (
        f"{what}; took rank {found.index + 1} instead ({chosen.architecture} at "
        f"{2 ** int(chosen['log2_max_size'])} px, {readable(found.seconds[-1])} compute-s of "
        f"inference), the first that leaves at least {1 - MAX_FIXED_SHARE:.0%} of the budget "
        "to train"
    )


def take_affordable(
    ranking: Sequence[Pipeline], data: DataShape, budget: float
) -> tuple[Pipeline, str]:
    """The pipeline ``zap fit`` runs from a selector's ``ranking`` at ``budget`` compute seconds
    of the current clock (``first_affordable``) and the line saying why (empty: the first)."""
    from zapml.runtime.costs import CLOCK_VERSION

    found = first_affordable(ranking, data, budget, CLOCK_VERSION)
    return ranking[found.index], describe(ranking, data, budget, found)
