"""Plain functions behind ``zap selector train`` and ``zap recommend``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zapml.metadataset.metadataset import MetaDataset
from zapml.selectors.base import Candidates, Selector
from zapml.selectors.explain import build_recommendation
from zapml.selectors.recommendation import Recommendation
from zapml.selectors.registry import get_selector, load_selector


def train_selector(
    metadataset: MetaDataset,
    name: str = "zap_hpo",
    out_dir: str | Path | None = None,
    **params: Any,
) -> Selector:
    """Fit selector ``name`` (``list_selectors()``) on the meta-dataset; save it when ``out_dir``
    is given. ``params`` go to the selector's constructor (unknown ones raise ValueError)."""
    selector = get_selector(name, **params).fit(metadataset)
    if out_dir is not None:
        selector.save(out_dir)
    return selector


def recommend(
    selector: Selector | str | Path,
    metafeatures: Any,
    candidates: Candidates = None,
    top: int = 3,
    neighbours: int = 5,
) -> Recommendation:
    """Rank pipelines for one task (a Mapping of meta-features) with a fitted selector or a saved
    one's directory; returns the top pipelines with scores, the nearest training tasks, the
    strongest features where the model has them, and the out-of-range / missing-value warnings
    (show those: the selector is extrapolating or imputing)."""
    if int(top) < 1:
        raise ValueError(f"The 'top' parameter must be >= 1. Got {top!r}.")
    sel = selector if isinstance(selector, Selector) else load_selector(selector)
    return build_recommendation(sel, metafeatures, candidates, top=top, k=neighbours)
