"""Zero-shot pipeline selectors behind one interface (see base.Selector).

``get_selector(name, **kw)`` -> unfitted selector; ``.fit(metadataset)``; ``.rank(metafeatures,
candidates)`` -> scores (higher = better); ``.save(dir)``; ``load_selector(dir)``.
"""

from zapml.selectors.api import recommend, train_selector
from zapml.selectors.base import NotFittedError, Selector
from zapml.selectors.explain import explain, nearest_training_tasks, out_of_range_warnings
from zapml.selectors.recommendation import NearbyTask, RankedPipeline, Recommendation
from zapml.selectors.registry import SELECTORS, get_selector, list_selectors, load_selector
from zapml.selectors.synthetic import make_budget_metadataset, make_synthetic_metadataset

__all__ = [
    "SELECTORS",
    "NearbyTask",
    "NotFittedError",
    "RankedPipeline",
    "Recommendation",
    "Selector",
    "explain",
    "get_selector",
    "list_selectors",
    "load_selector",
    "make_budget_metadataset",
    "make_synthetic_metadataset",
    "nearest_training_tasks",
    "out_of_range_warnings",
    "recommend",
    "train_selector",
]
