"""The meta-features a selector reads for a new dataset, and what computing them costs.

A selector records the names of the meta-features it was trained on (its artifact's
``metafeature_names``); those names alone say which feature set it uses (``feature_set``) and
which backbones' probe features it needs (``probe_backbones``; probe names are
``<score>__<backbone>``). ``query_metafeatures`` computes exactly that: ZAP's trivial features
always, and the probe features of those backbones when it has any, with their counted
compute-clock seconds, so ``zap recommend`` can print them and ``zap fit`` can charge them to the
budget (``charged_budget``).

Probe features of a query are computed with ``zap metadataset probe``'s defaults (side and sample
size, ``metadataset.probe_settings``): the settings a store probed by that command holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from zapml.errors import DataError, PipelineError
from zapml.metadataset.metadataset import BUDGET_FEATURE, FEATURE_SETS
from zapml.metadataset.probe_settings import DEFAULT_MAX_SAMPLES, DEFAULT_SIDE
from zapml.metafeatures.probe_features import PAIR_SEPARATOR, pair_feature_backbone
from zapml.metafeatures.trivial import compute_metafeatures

if TYPE_CHECKING:
    from zapml.data import Dataset
    from zapml.runtime.calibration import WallConversion
    from zapml.selectors.base import Selector
    from zapml.selectors.probe_gate import SelectorPick


@dataclass(frozen=True)
class QueryFeatures:
    """A new dataset's meta-features for one selector, and the counted compute seconds of the
    probe extractions and scores behind them (0 when the selector needs no probe features)."""

    values: dict[str, float]
    probe_seconds: float = 0.0
    backbones: tuple[str, ...] = ()


def is_probe_feature(name: str) -> bool:
    return PAIR_SEPARATOR in name


def probe_feature_names(names: Iterable[str]) -> list[str]:
    return [n for n in names if is_probe_feature(n)]


def probe_backbones(names: Iterable[str]) -> tuple[str, ...]:
    """The backbones whose probe features appear in ``names``, in first-seen order."""
    found: dict[str, None] = {}
    for name in names:
        backbone = pair_feature_backbone(name)
        if backbone is not None:
            found[backbone] = None
    return tuple(found)


def feature_set(names: Iterable[str]) -> str:
    """Which of ``FEATURE_SETS`` a selector trained on ``names`` uses: "probe" when they are all
    probe features, "all" when they mix probe and other features, else "trivial"."""
    dataset_features = [n for n in names if n != BUDGET_FEATURE]
    probes = probe_feature_names(dataset_features)
    if not probes:
        return "trivial"
    return "probe" if len(probes) == len(dataset_features) else "all"


def check_feature_set(wanted: str) -> str:
    if wanted not in FEATURE_SETS:
        raise PipelineError(
            f"--features {wanted!r} is not a feature set; choose one of {', '.join(FEATURE_SETS)}."
        )
    return wanted


def missing_probe_features(selector: Selector, metafeatures: Any) -> DataError | None:
    """The error to raise when ``metafeatures`` (one task's Mapping, or a DataFrame) lacks probe
    features ``selector`` was trained on; None when none is missing."""
    have = metafeatures.columns if isinstance(metafeatures, pd.DataFrame) else metafeatures
    if not isinstance(have, Mapping | pd.Series | pd.Index):
        return None  # not meta-features at all: as_matrix says so
    missing = [n for n in probe_feature_names(selector.metafeature_names_) if n not in have]
    if not missing:
        return None
    backbones = ", ".join(probe_backbones(missing))
    return DataError(
        f"This {type(selector).__name__} was trained on probe meta-features "
        f"(feature set {feature_set(selector.metafeature_names_)!r}) and the query lacks "
        f"{len(missing)} of them, e.g. {missing[0]!r}. Compute them from the training images with "
        "zapml.selectors.query.query_metafeatures(selector, dataset) (frozen passes and scores of "
        f"{backbones}, charged in compute seconds), or let `zap recommend` / `zap fit` do it; "
        "a selector trained with `zap selector train --features trivial` needs none."
    )


def query_metafeatures(
    selector: Selector | Sequence[str],
    train: Dataset,
    *,
    side: int = DEFAULT_SIDE,
    max_samples: int = DEFAULT_MAX_SAMPLES,
) -> QueryFeatures:
    """The trivial meta-features of ``train`` plus, when ``selector`` (or its list of names) was
    trained on probe features, those of its backbones and their counted seconds (extractions
    and scores)."""
    names = selector if isinstance(selector, Sequence) else selector.metafeature_names_
    values = dict(compute_metafeatures(train))
    backbones = probe_backbones(names)
    if not backbones:
        return QueryFeatures(values)
    from zapml.metafeatures.extraction import compute_probe_features

    probes = compute_probe_features(train, backbones, side=side, max_samples=max_samples)
    values.update(probes.values)
    return QueryFeatures(values, float(probes.seconds), backbones)


def charged_budget(budget: float, clock: str, query: QueryFeatures) -> float:
    """The budget left for training after the probe features were computed. On the compute clock
    their counted seconds come off the budget; on the wall clock the run's deadline already
    counts the wall time they took, so the budget is unchanged here."""
    if clock != "compute" or query.probe_seconds == 0:
        return budget
    left = budget - query.probe_seconds
    if left <= 0:
        raise PipelineError(
            f"The selector's probe features cost {query.probe_seconds:.3g} compute-s "
            f"(frozen passes and scores of {', '.join(query.backbones)}), which uses up the "
            f"whole budget of {budget:g} compute-s. Give a larger --budget, or use a selector "
            "trained with --features trivial (it needs no probe)."
        )
    return left


def describe_probe_cost(query: QueryFeatures, clock: str | None = None) -> str:
    """One line for the user on what the probe features cost (and, with ``clock``, how it was
    charged); empty when none were computed."""
    if not query.backbones:
        return ""
    line = (
        f"probe features of {', '.join(query.backbones)} computed: "
        f"{query.probe_seconds:.3g} compute-s"
    )
    if clock == "compute":
        return line + ", taken off the training budget"
    if clock == "wall":
        return line + " (their wall time counts against the wall-clock budget)"
    return line


def fit_query(
    pipeline_path: str | Path | None,
    selector: str | Path | None,
    objective: str,
    train: Dataset,
    budget: float | None = None,
    clock: str = "compute",
    conversion: WallConversion | None = None,
) -> tuple[QueryFeatures, SelectorPick]:
    """The meta-features ``zap fit`` computes before choosing and the selector it chooses with:
    the trivial ones when a pipeline file decides or there is no selector, else those of the
    selector ``pick_selector_dir`` picks for ``budget`` seconds of ``clock`` (its probe features
    included, charged)."""
    from zapml.selectors.probe_gate import SelectorPick, pick_selector_dir
    from zapml.selectors.registry import load_selector

    if pipeline_path is not None:
        return QueryFeatures(dict(compute_metafeatures(train))), SelectorPick(None)
    pick = pick_selector_dir(selector, objective, train, budget, clock, conversion)
    if pick.selector_dir is None:
        return QueryFeatures(dict(compute_metafeatures(train))), pick
    return query_metafeatures(load_selector(pick.selector_dir), train), pick
