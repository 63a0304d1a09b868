"""What the space says about its hyperparameters, read from the ConfigSpace object itself.

``build_space()`` is the one definition of the pipeline schema; everything else (which names a
pipeline must carry, when a conditional hyperparameter is active, how selectors encode a pipeline)
is derived here from the space rather than written down a second time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from ConfigSpace import ConfigurationSpace, EqualsCondition, InCondition


@dataclass(frozen=True)
class Condition:
    """``child`` is active only while ``parent`` is active and takes one of ``values``."""

    child: str
    parent: str
    values: tuple[Any, ...]

    def holds(self, values: Mapping[str, Any]) -> bool:
        return self.parent in values and values[self.parent] in self.values


def default_space() -> ConfigurationSpace:
    """The space over the zoo's offline architectures (built once per process)."""
    return _default_space()


@lru_cache(maxsize=1)
def _default_space() -> ConfigurationSpace:
    from zapml.space.space import build_space

    return build_space()


def hyperparameter_names(space: ConfigurationSpace | None = None) -> tuple[str, ...]:
    """Every hyperparameter of the space, in ``build_space``'s declaration order, then any the
    declaration lacks (a space extended by hand), sorted."""
    from zapml.space.space import declared_order

    cs = space if space is not None else default_space()
    declared = [n for n in declared_order() if n in cs]
    return (*declared, *sorted(set(cs) - set(declared)))


def conditions(space: ConfigurationSpace | None = None) -> dict[str, Condition]:
    """Child name -> its activation condition. Only the condition kinds the space uses are
    understood; any other kind raises, so a new one cannot be silently ignored."""
    if space is None:
        return dict(default_conditions())
    return _conditions_of(space)


@lru_cache(maxsize=1)
def default_conditions() -> Mapping[str, Condition]:
    """The default space's conditions, derived once (``Pipeline()`` consults them on every
    construction); read-only."""
    return MappingProxyType(_conditions_of(default_space()))


def _conditions_of(cs: ConfigurationSpace) -> dict[str, Condition]:
    out: dict[str, Condition] = {}
    for cond in cs.conditions:
        if isinstance(cond, EqualsCondition):
            values: tuple[Any, ...] = (cond.value,)
        elif isinstance(cond, InCondition):
            values = tuple(cond.values)
        else:
            raise NotImplementedError(
                f"zapml.space: condition {cond!r} ({type(cond).__name__}) is not an "
                "EqualsCondition or InCondition; teach zapml.space.schema.conditions() its "
                "meaning before using it."
            )
        out[cond.child.name] = Condition(cond.child.name, cond.parent.name, values)
    return out


def is_active(name: str, values: Mapping[str, Any], conds: Mapping[str, Condition]) -> bool:
    """Whether ``name`` is active for the hyperparameter ``values`` (a chain of conditions holds
    only when every parent up the chain is active too)."""
    seen: set[str] = set()
    while name in conds and name not in seen:
        seen.add(name)
        cond = conds[name]
        if not cond.holds(values):
            return False
        name = cond.parent
    return True


def required_names(space: ConfigurationSpace | None = None) -> tuple[str, ...]:
    """The hyperparameters every pipeline must carry: all unconditional ones, declaration order.
    (Conditional ones are required only when active; ``Pipeline.validate`` checks those.)"""
    conds = conditions(space)
    return tuple(n for n in hyperparameter_names(space) if n not in conds)
