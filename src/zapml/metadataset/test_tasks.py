import numpy as np
import pytest

from zapml.metadataset.conftest import CORE_A
from zapml.metadataset.tasks import (
    TaskSpec,
    core_of_task_id,
    load_core,
    materialise,
    task_metafeatures,
)


def _task(seed: int, **kw) -> TaskSpec:
    return TaskSpec(core="syna", source=CORE_A, seed=seed, **kw)


def test_task_is_a_deterministic_function_of_core_and_seed():
    a, b = materialise(_task(3)), materialise(_task(3))
    assert np.array_equal(a.train.images, b.train.images)
    assert np.array_equal(a.test.labels, b.test.labels)
    other = materialise(_task(4))
    assert a.train.images.shape != other.train.images.shape or not np.array_equal(
        a.train.images, other.train.images
    )


@pytest.mark.parametrize("seed", range(8))
def test_zap_augmentation_ranges(seed):
    core = load_core(CORE_A)  # 12 classes, 48 train / 12 test images per class
    split = materialise(_task(seed, num_classes=(2, 100), samples_per_class=(20, 105)))
    k = split.train.num_classes
    assert 2 <= k <= 12  # [2, min(100, classes)]
    counts = split.train.class_counts()
    assert len(set(counts)) == 1  # one samples-per-class draw per task
    assert 20 <= counts[0] <= 48  # capped by the 48 available
    # test = held-out images of the same classes, at most test_per_class each
    assert split.test.class_names == split.train.class_names
    assert np.all(split.test.class_counts() == 12)
    # train and test images come from disjoint parts of the core dataset
    train_rows = {img.tobytes() for img in split.train.images}
    core_test = {img.tobytes() for img in core.test.images}
    assert not train_rows & core_test


def test_resolution_variant_and_ids():
    t = _task(1, resolution=16)
    assert t.id == "1-syna@16"
    assert core_of_task_id(t.id) == "syna"
    assert core_of_task_id("12-cifar10") == "cifar10"  # ZAP's "{aug}-{dataset}"
    split = materialise(t)
    assert split.train.resolution == (16, 16)
    assert task_metafeatures(split)["resolution_0"] == 16.0
    assert TaskSpec.from_dict(t.to_dict()) == t


def test_metafeatures_are_the_zap_four():
    split = materialise(_task(0))
    mf = task_metafeatures(split)
    assert mf["num_classes"] == split.train.num_classes
    assert mf["num_train"] == len(split.train)
    assert mf["num_channels"] == 1.0
