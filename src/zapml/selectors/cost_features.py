"""What a budget buys a pipeline on a task, from the compute clock: pair features of a
(task, budget) row and a pipeline, for selectors that take them (``ZapHPO(cost_features=True)``).

- ``log_epochs``: ln(budget / (images x train-step seconds per image)), the fine-tuning epochs
  the budget pays for (train steps only: validation, prediction and the simple model are left
  out, so it is an upper bound);
- ``log_feature_passes``: ln(budget / (images x forward seconds per image)), how many times the
  budget could run the frozen backbone over the training set: what the simple model first
  (frozen features + a small classifier) needs once.

Both are the compute clock's charge (``runtime.costs``) for the pipeline's architecture, input
side (``2**log2_max_size``, square), batch size and frozen portion, counted on the untrained
network with a 10-class head. Why they help: what wins at a budget depends on how many epochs it
buys (v2's cells: 128 px wins at 16 compute-s through the frozen-feature model on tasks where no
epoch completes; where epochs are affordable, fine-tuning decides), and that is a ratio of the
budget, the task's size and a cost the pipeline encoding only implies (architecture one-hot,
log2 side, batch size). Given as a column, the MLP need not learn the cost model from a few
hundred (task, budget) rows.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from zapml.data.cache import cache_root, write_npz_atomic
from zapml.metadataset.metadataset import BUDGET_FEATURE
from zapml.space.pipeline import Pipeline

if TYPE_CHECKING:
    from torch import nn

    from zapml.runtime.costs import ModelProfile

COST_FEATURES: tuple[str, ...] = ("log_epochs", "log_feature_passes")
#: the task meta-features the pair features read, besides the budget
IMAGES_FEATURE = "num_train"
REQUIRED_METAFEATURES: tuple[str, ...] = (IMAGES_FEATURE, BUDGET_FEATURE)
#: the classes of the head the costs are counted with: the head is a small part of the FLOPs
#: (1280 x 10 multiply-adds for MobileNetV2 against ~20M at 64 px), so any count will do
COUNTING_CLASSES = 10
#: the batch forward passes are charged at when the simple model extracts features
FEATURE_BATCH = 64


def per_image_seconds(
    architecture: str, side: int, batch_size: int, freeze_portion: float, clock_version: int
) -> tuple[float, float]:
    """(train-step seconds per training image, forward seconds per image) that clock
    ``clock_version`` charges for this network, input ``side`` x ``side``."""
    profile = profile_at(architecture, (side, side), clock_version)
    trainable = _trainable(architecture, freeze_portion)
    train = profile.train_step_seconds(batch_size, trainable) / batch_size
    forward = profile.forward_seconds(FEATURE_BATCH, FEATURE_BATCH) / FEATURE_BATCH
    return train, forward


@lru_cache(maxsize=16)
def _network(architecture: str, num_classes: int | None = COUNTING_CLASSES) -> nn.Module:
    """The untrained network with a ``num_classes`` head (None: the zoo entry's own head),
    built once per architecture and head (about a second each)."""
    import torch

    from zapml.zoo import build_untrained

    with torch.random.fork_rng(devices=[]):  # random init must not move the caller's RNG
        return build_untrained(architecture, num_classes)


def profile_at(
    architecture: str,
    hw: tuple[int, int],
    clock_version: int,
    num_classes: int | None = COUNTING_CLASSES,
) -> ModelProfile:
    """The compute clock's counts for ``architecture`` at input size ``hw`` (the untrained
    network with a ``num_classes`` head; None: the zoo entry's own), cached."""
    return network_facts(architecture, hw, clock_version, num_classes)[0]


#: Bump when what a cached profile holds changes; timm's and torch's versions are in the key too,
#: since the graph they build is what is counted.
PROFILE_CACHE_VERSION = 1


@lru_cache(maxsize=128)
def network_facts(
    architecture: str, hw: tuple[int, int], clock_version: int, num_classes: int | None
) -> tuple[ModelProfile, int]:
    """(``profile_model`` of the untrained network at ``hw``, its feature width), cached in this
    process and on disk (``$ZAPML_CACHE/profiles``): building a network takes about a second,
    and `zap fit` costs several before choosing, on every run."""
    import torch

    from zapml._torch_import import import_timm
    from zapml.runtime.costs import ModelProfile, profile_model

    timm = import_timm()  # timm's version is part of the key: it builds the graph counted

    key = json.dumps(
        [PROFILE_CACHE_VERSION, architecture, list(hw), clock_version, num_classes,
         timm.__version__, torch.__version__]
    )  # fmt: skip
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    path = cache_root() / "profiles" / f"{architecture}-{hw[0]}x{hw[1]}-{digest}.npz"
    cached = _read_facts(path, key)
    if cached is not None:
        return ModelProfile(**cached[0]), cached[1]
    network = _network(architecture, num_classes)
    profile = profile_model(network, hw, clock_version=clock_version)
    dims = int(network.num_features)  # type: ignore[arg-type]
    record = json.dumps({"key": key, "profile": dataclasses.asdict(profile), "dims": dims})
    write_npz_atomic(path, {"record": np.asarray(record)})
    return profile, dims


def _read_facts(path: Path, key: str) -> tuple[dict[str, Any], int] | None:
    """The stored profile fields and width for ``key``; None when absent, unreadable or another
    key's (then they are counted again)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            record = json.loads(str(npz["record"]))
    except (OSError, ValueError, KeyError):
        return None
    if record.get("key") != key:
        return None
    fields = dict(record["profile"])
    fields["input_hw"] = tuple(fields["input_hw"])
    return fields, int(record["dims"])


@lru_cache(maxsize=128)
def _trainable(architecture: str, freeze_portion: float) -> int:
    """Trainable parameters once the runtime has frozen ``freeze_portion`` of the backbone."""
    from zapml.runtime.optim import freeze_portion as freeze

    model = copy.deepcopy(_network(architecture))  # the cached network stays unfrozen
    freeze(model, freeze_portion)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def pipeline_costs(
    pipelines: Sequence[Pipeline],
    clock_version: int,
    known: Mapping[str, np.ndarray] | None = None,
) -> np.ndarray:
    """``(P, 2)``: each pipeline's train-step and forward seconds per image. Rows in ``known``
    (pipeline id -> its row, e.g. what a selector saved) are taken as they are; only the rest
    are counted."""
    known = known or {}
    rows = [
        known[p.id]
        if p.id in known
        else per_image_seconds(
            p.architecture,
            2 ** int(p["log2_max_size"]),
            int(p["batch_size"]),
            float(p["freeze_portion"]),
            clock_version,
        )
        for p in pipelines
    ]
    return np.array(rows, dtype=np.float64).reshape(len(pipelines), len(COST_FEATURES))


def epochs_in_budget(costs: np.ndarray, num_train: float, budget: float) -> np.ndarray:
    """The fine-tuning epochs ``budget`` compute seconds pay for at most, per row of ``costs``
    (train steps only: the simple model, validation and predictions take their share too)."""
    return np.asarray(budget / (max(num_train, 1.0) * costs[:, 0]))


def pair_features(metafeatures: np.ndarray, names: Sequence[str], costs: np.ndarray) -> np.ndarray:
    """``(T, P, 2)`` = ``COST_FEATURES`` of each row of raw (unscaled) ``metafeatures`` (columns
    ``names``) with each pipeline's ``costs`` (``pipeline_costs``). ValueError when the
    meta-features lack the number of training images or the budget."""
    missing = [n for n in REQUIRED_METAFEATURES if n not in names]
    if missing:
        raise ValueError(
            f"Cost features need the meta-features {list(REQUIRED_METAFEATURES)}; these have "
            f"no {missing}. Train on a meta-dataset of several budgets with its trivial features "
            "(or turn cost_features off)."
        )
    images = metafeatures[:, list(names).index(IMAGES_FEATURE)]
    budget = metafeatures[:, list(names).index(BUDGET_FEATURE)]
    # Clipped away from 0 so an empty or zero-budget row gives a very small, finite value.
    log_rows = np.log(np.maximum(budget, 1e-9)) - np.log(np.maximum(images, 1.0))
    return log_rows[:, None, None] - np.log(costs)[None, :, :]
