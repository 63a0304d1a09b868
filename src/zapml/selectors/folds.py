"""Inner cross-validation folds of the selectors that tune or validate (ZAP-AS, ZAP-HPO).

Grouped (the meta-dataset declares ``core_dataset``): ``GroupKFold`` over the groups, so a task is
never validated against a sibling of its own group. Ungrouped: random folds (seeded ``KFold``),
and the user is told once (``warn_ungrouped``) rather than the tuning being skipped silently.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import GroupKFold, KFold

from zapml.metadataset.metadataset import warn_ungrouped

Folds = list[tuple[np.ndarray, np.ndarray]]


def inner_folds(groups: np.ndarray, n_folds: int, grouped: bool, seed: int) -> Folds:
    """Up to ``n_folds`` (train, validation) index pairs over the rows of ``groups`` (one
    group label per training row); [] when fewer than two folds can be made."""
    units = len(set(groups.tolist())) if grouped else len(groups)
    n_splits = min(int(n_folds), units)
    if n_splits < 2:
        return []
    rows = np.arange(len(groups))
    if grouped:
        return list(GroupKFold(n_splits=n_splits).split(rows, groups=groups))
    warn_ungrouped()
    return list(KFold(n_splits=n_splits, shuffle=True, random_state=seed).split(rows))
