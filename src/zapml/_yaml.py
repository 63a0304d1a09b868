"""Reading a YAML mapping from a user's file with one kind of error for every way it can be
wrong (pipeline files, build specs, ASlib descriptions)."""

from __future__ import annotations

from typing import Any

import yaml


def yaml_mapping(text: str, error: type[Exception], source: str, holds: str) -> dict[str, Any]:
    """``text`` parsed as a YAML mapping; otherwise ``error`` naming ``source`` and what the
    mapping must hold (``holds``, e.g. "hyperparameter: value")."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise error(f"{source} is not valid YAML: {err}") from None
    if not isinstance(data, dict):
        raise error(f"{source} must be a YAML mapping of {holds}.")
    return data
