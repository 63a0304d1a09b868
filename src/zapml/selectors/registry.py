"""Name -> selector class, ``get_selector(name, **kw)`` and ``load_selector(dir)``.

Filled explicitly here (no import-time registration side effects elsewhere)."""

from __future__ import annotations

import difflib
import inspect
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from zapml.errors import ArtifactError
from zapml.selectors.artifacts import read_artifact
from zapml.selectors.base import Selector
from zapml.selectors.baselines import (
    RandomSelector,
    SingleBestPerBudgetSelector,
    SingleBestSelector,
)
from zapml.selectors.guided import GuidedFM, GuidedLinear
from zapml.selectors.knn import KNNSelector
from zapml.selectors.zap_as import ZapAS
from zapml.selectors.zap_hpo import ZapHPO

SELECTORS: dict[str, type[Selector]] = {
    cls.name: cls
    for cls in (
        RandomSelector,
        SingleBestSelector,
        SingleBestPerBudgetSelector,
        ZapAS,
        ZapHPO,
        GuidedLinear,
        GuidedFM,
        KNNSelector,
    )
}
_BY_CLASS = {cls.__name__: cls for cls in SELECTORS.values()}
ORACLE_IS_NO_SELECTOR = (
    "The oracle needs the true performance of the new task, so it cannot recommend; it is the "
    "upper bound that zapml.evaluation (LOCO) reports, not a trainable selector."
)


def list_selectors() -> list[str]:
    return sorted(SELECTORS)


def get_selector(name: str, **kwargs: Any) -> Selector:
    """A new, unfitted selector. Unknown names and unknown arguments raise ValueError that lists
    what is accepted."""
    if name == "oracle":
        raise ValueError(ORACLE_IS_NO_SELECTOR)
    if name not in SELECTORS:
        raise ValueError(
            f"Unknown selector {name!r}; choose one of: {', '.join(list_selectors())}."
        )
    cls = SELECTORS[name]
    try:
        return cls(**kwargs)
    except TypeError as err:
        allowed = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
        raise ValueError(
            f"Selector {name!r} does not take {sorted(kwargs)} ({err}); its parameters are: "
            f"{', '.join(allowed) or '(none)'}."
        ) from None


def default_settings(name: str) -> dict[str, Any]:
    """Selector ``name``'s constructor arguments and their defaults, in declared order."""
    if name not in SELECTORS:
        raise ValueError(
            f"Unknown selector {name!r}; choose one of: {', '.join(list_selectors())}."
        )
    params = inspect.signature(SELECTORS[name].__init__).parameters
    return {k: p.default for k, p in params.items() if k != "self"}


_TRUE, _FALSE = ("true", "yes", "1", "on"), ("false", "no", "0", "off")


def parse_settings(name: str, assignments: Iterable[str]) -> dict[str, Any]:
    """``KEY=VALUE`` strings (the command line's ``--set``) as keyword arguments of selector
    ``name``, each converted to the type of that parameter's default (bool, int, float or str;
    ``none`` where the parameter accepts None, a number where its default is None). A malformed
    assignment, an unknown key (with the closest ones) or a value of the wrong type raises
    ValueError naming the fix."""
    defaults = default_settings(name)
    out: dict[str, Any] = {}
    for text in assignments:
        key, sep, raw = text.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or not key:
            raise ValueError(f"Setting {text!r} is not KEY=VALUE (for example epochs=36).")
        if key not in defaults:
            close = difflib.get_close_matches(key, defaults, n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise ValueError(
                f"Selector {name!r} has no setting {key!r}.{hint} Its settings are: "
                f"{', '.join(defaults) or '(none)'}."
            )
        if raw.lower() == "none" and key in _optional_settings(name):
            out[key] = None
        else:
            out[key] = _convert(key, raw, defaults[key])
    return out


def _optional_settings(name: str) -> set[str]:
    """The settings of selector ``name`` that accept None (by default or by annotation)."""
    hints = typing.get_type_hints(SELECTORS[name].__init__)
    return {
        k
        for k, v in default_settings(name).items()
        if v is None or type(None) in typing.get_args(hints.get(k))
    }


def _convert(key: str, raw: str, default: Any) -> Any:
    """``raw`` as the type of ``default``; ValueError naming the expected type otherwise."""
    if isinstance(default, bool):  # before int: bool is an int
        if raw.lower() in _TRUE + _FALSE:
            return raw.lower() in _TRUE
        expected = "true or false"
    elif isinstance(default, int | float) or default is None:
        kind = int if isinstance(default, int) else float
        try:
            value = kind(raw)
        except ValueError:
            value = None
        if value is not None:
            return int(value) if default is None and value == int(value) else value
        expected = "an integer" if kind is int else "a number"
    else:
        return raw
    raise ValueError(f"Setting {key}={raw!r}: expected {expected} (its default is {default!r}).")


def load_selector(directory: str | Path) -> Selector:
    """Load any saved selector; the manifest names the class. Checksums and format version are
    verified first (ArtifactError on a tampered, truncated or foreign artifact)."""
    manifest, config, arrays = read_artifact(directory)
    cls = _BY_CLASS.get(str(manifest.get("selector_class")))
    if cls is None:
        raise ArtifactError(
            f"Selector artifact '{directory}' holds unknown class "
            f"{manifest.get('selector_class')!r}; known: {', '.join(sorted(_BY_CLASS))}."
        )
    return cls.restore(directory, config, arrays)
