"""Name -> selector class, ``get_selector(name, **kw)`` and ``load_selector(dir)``.

Filled explicitly here (no import-time registration side effects elsewhere)."""

from __future__ import annotations

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
        import inspect

        allowed = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
        raise ValueError(
            f"Selector {name!r} does not take {sorted(kwargs)} ({err}); its parameters are: "
            f"{', '.join(allowed) or '(none)'}."
        ) from None


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
