"""Where a user's history and updated selectors live. Import-light: ``zap fit`` and the selector
choice read these paths before anything heavy is imported.

- ``$ZAPML_HOME`` when set, else ``$XDG_DATA_HOME/zapml``, else ``~/.local/share/zapml``: user
  data that must survive a cache wipe (a cache, ``$ZAPML_CACHE``, can be deleted at any time; a
  history cannot be measured again).
- the history store: ``--history PATH``, else ``$ZAPML_HISTORY``, else ``<home>/history.sqlite``.
- the selectors ``zap selector update`` writes: ``<home>/selectors/<objective>``.
"""

from __future__ import annotations

import os
from pathlib import Path

HISTORY_FILE = "history.sqlite"
SELECTORS_FOLDER = "selectors"
#: the file a selector artifact always holds (``selectors.artifacts.MANIFEST``); kept literal here
#: so this module imports nothing heavy, and checked equal in a test
SELECTOR_MANIFEST = "manifest.json"


def zapml_home() -> Path:
    """The folder of the user's zapml data (see the module docstring)."""
    configured = os.environ.get("ZAPML_HOME")
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "zapml"


def history_path(explicit: str | Path | None = None) -> Path:
    """The history store a command reads or appends to."""
    if explicit is not None:
        return Path(explicit).expanduser()
    configured = os.environ.get("ZAPML_HISTORY")
    return Path(configured).expanduser() if configured else zapml_home() / HISTORY_FILE


def user_selector_path(objective: str) -> Path:
    """Where ``zap selector update`` saves the selector for ``objective`` (it may not exist)."""
    return zapml_home() / SELECTORS_FOLDER / objective


def user_selector_dir(objective: str) -> Path | None:
    """The updated selector for ``objective`` when ``zap selector update`` wrote one, else None
    (then the shipped selector is the default)."""
    path = user_selector_path(objective)
    return path if (path / SELECTOR_MANIFEST).is_file() else None
