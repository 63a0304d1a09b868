"""A fit history that learns: every ``zap fit`` appends its run (``append_fit``) to a local store,
and ``zap selector update`` (``update_selector``) refits the default selector kind on the shipped
meta-dataset plus that history, saved where ``zap fit`` / ``zap recommend`` look first
(``reset_selector`` goes back to the shipped one).

- ``paths``: where the history (``history_path``) and updated selectors live (import-light).
- ``store``: the history store (a meta-dataset store: one task per dataset fingerprint);
  ``append_fit``, ``read_history``, ``clear_history``.
- ``update``: the history as extra meta-dataset tasks (``metadataset_with_history``) and the
  refit (``update_selector``, ``reset_selector``).

Names are imported on first use, so reading a path (``zap fit``'s selector choice) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zapml._lazy import lazy_getattr

if TYPE_CHECKING:
    from zapml.history.paths import history_path as history_path
    from zapml.history.paths import user_selector_dir as user_selector_dir
    from zapml.history.paths import user_selector_path as user_selector_path
    from zapml.history.paths import zapml_home as zapml_home
    from zapml.history.store import append_fit as append_fit
    from zapml.history.store import clear_history as clear_history
    from zapml.history.store import read_history as read_history
    from zapml.history.update import HistoryAdded as HistoryAdded
    from zapml.history.update import Update as Update
    from zapml.history.update import metadataset_with_history as metadataset_with_history
    from zapml.history.update import reset_selector as reset_selector
    from zapml.history.update import update_selector as update_selector

_LAZY = {
    "history_path": "paths",
    "user_selector_dir": "paths",
    "user_selector_path": "paths",
    "zapml_home": "paths",
    "append_fit": "store",
    "clear_history": "store",
    "read_history": "store",
    "HistoryAdded": "update",
    "Update": "update",
    "metadataset_with_history": "update",
    "reset_selector": "update",
    "update_selector": "update",
}

__all__ = [*_LAZY]


__getattr__ = lazy_getattr(__name__, _LAZY)
