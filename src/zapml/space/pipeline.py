"""``Pipeline``: one point of the space, immutable, hashable, round-trips to YAML."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from zapml._yaml import yaml_mapping
from zapml.space.schema import conditions, default_conditions, is_active

#: The key that makes a candidate an *arm*: a candidate of an imported meta-dataset (an algorithm
#: of an ASlib scenario, a hub model) named by its id, its other keys its declared features.
ARM_KEY = "arm"

#: How far two float values may differ, relatively, and still be the same pipeline's. Sampled
#: candidates (Sobol and random points) reach their values through numpy's exp and log, whose
#: vectorised kernels differ in the last bit between CPUs: on an AMD EPYC, v2's Sobol point with
#: min_lr 1.1462069894680073e-07 came out as ...074e-07, a new id, and a resumed build would have
#: rerun its 115 cells. 1e-9 is millions of ulps of such noise and far below any difference that
#: changes what a hyperparameter does.
FLOAT_NOISE = 1e-9


def _plain(value: Any) -> Any:
    """numpy scalars and ConfigSpace values to plain Python types (so YAML and JSON stay clean)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return value  # keep floats as floats (freeze_portion 0.0 must stay 0.0)
    return value


def _same_value(a: Any, b: Any, rel_tol: float) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=rel_tol)
    return bool(a == b)


class Pipeline(Mapping[str, Any]):
    """A fine-tuning pipeline: architecture plus its 25 hyperparameters.

    Build one from the space (``Pipeline.from_configuration``), a dict, or a YAML file.
    Inactive conditional hyperparameters (e.g. ``momentum`` under Adam) are dropped.
    ``validate()`` checks the values against the space and names the offending hyperparameter.

    An *arm* (``Pipeline.arm``) is a candidate that is not a point of the space: its id under
    ``ARM_KEY`` and its declared features (numbers, or strings for categories; the meta-dataset
    declares which is which in ``candidate_kinds``). Selectors encode arms by those features.
    """

    def __init__(self, values: Mapping[str, Any]) -> None:
        clean = {str(k): _plain(v) for k, v in values.items()}
        if ARM_KEY in clean:  # an arm's features are its own, not the space's hyperparameters
            # an unknown feature is None, never NaN (NaN != NaN would make an arm unequal to
            # itself, and JSON has no NaN)
            self._values: dict[str, Any] = {
                k: None if isinstance(v, float) and v != v else v for k, v in sorted(clean.items())
            }
            return
        conds = default_conditions()  # the space's own conditions (space.build_space)
        self._values = {k: v for k, v in sorted(clean.items()) if is_active(k, clean, conds)}

    @classmethod
    def arm(cls, name: str, features: Mapping[str, Any] | None = None) -> Pipeline:
        """The arm ``name`` with ``features`` (feature name -> number, string or None)."""
        if ARM_KEY in (features or {}):
            raise ValueError(f"An arm's feature cannot be named {ARM_KEY!r}: that key is its id.")
        return cls({ARM_KEY: str(name), **dict(features or {})})

    @property
    def is_arm(self) -> bool:
        return ARM_KEY in self._values

    @property
    def features(self) -> dict[str, Any]:
        """An arm's declared features (empty for a pipeline of the space)."""
        return {k: v for k, v in self._values.items() if k != ARM_KEY} if self.is_arm else {}

    @property
    def label(self) -> str:
        """How output names the candidate: a pipeline's architecture, an arm's id."""
        return f"arm {self.id}" if self.is_arm else str(self._values.get("architecture", "?"))

    # Mapping protocol
    def __getitem__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise KeyError(
                f"Pipeline has no hyperparameter '{key}' (inactive or unknown); "
                f"it has: {', '.join(self._values)}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pipeline) and self._values == other._values

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        if self.is_arm:
            return f"Pipeline(arm={self.id!r})"
        return f"Pipeline({self._values.get('architecture', 'no architecture')}, id={self.id})"

    @property
    def architecture(self) -> str:
        if "architecture" not in self._values:
            what = f"arm {self.id!r} of an imported meta-dataset" if self.is_arm else "pipeline"
            raise KeyError(
                f"This {what} has no 'architecture': it is not a fine-tuning pipeline of zapml's "
                "space, so it cannot be trained (zap fit) or matched to a zoo entry."
            )
        return str(self._values["architecture"])

    @property
    def id(self) -> str:
        """An arm's own id; else a stable content hash: the same values give the same id on
        every machine."""
        if self.is_arm:
            return str(self._values[ARM_KEY])
        blob = json.dumps(self._values, sort_keys=True, default=str).encode()
        return hashlib.sha1(blob).hexdigest()[:12]

    def to_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def matches(self, other: Pipeline, rel_tol: float = FLOAT_NOISE) -> bool:
        """The same keys and values, floats equal up to ``rel_tol`` (see ``FLOAT_NOISE``)."""
        if set(self._values) != set(other._values):
            return False
        return all(_same_value(v, other._values[k], rel_tol) for k, v in self._values.items())

    def replace(self, **changes: Any) -> Pipeline:
        return Pipeline({**self._values, **changes})

    # Construction and I/O
    @classmethod
    def from_configuration(cls, config: Any) -> Pipeline:
        return cls(dict(config))

    def to_configuration(self, space: Any | None = None) -> Any:
        from ConfigSpace import Configuration

        return Configuration(space or self._space_with_architecture(), values=self.to_dict())

    def _space_with_architecture(self) -> Any:
        """The default space, with this pipeline's architecture added when the zoo's offline
        list lacks it (a hub entry), so the other values can be checked against it."""
        from zapml.space.space import build_space, default_architectures

        archs = list(default_architectures())
        if self.architecture not in archs:
            archs.append(self.architecture)
        return build_space(archs)

    def validate(self, space: Any | None = None) -> Pipeline:
        """Raise ``ValueError`` naming the hyperparameter when a value lies outside the space."""
        if self.is_arm:
            raise ValueError(
                f"Candidate {self.id!r} is an arm of an imported meta-dataset, not a pipeline of "
                "zapml's space: selectors can rank it, but it cannot be validated or trained."
            )
        if "architecture" not in self._values:
            raise ValueError("Pipeline is missing 'architecture': name a zoo entry (zap zoo list).")
        if space is None:
            space = self._space_with_architecture()
        known = set(space.keys())
        unknown = sorted(set(self._values) - known)
        if unknown:
            raise ValueError(
                f"Pipeline has unknown hyperparameter(s) {unknown}; "
                f"the space knows {sorted(known)}."
            )
        for name, value in self._values.items():
            hp = space[name]
            if not hp.legal_value(value):
                raise ValueError(
                    f"The '{name}' hyperparameter of the pipeline must be legal for {hp}. "
                    f"Got {value!r} instead."
                )
        conds = conditions(space)
        missing = [n for n in known if n not in self._values and is_active(n, self._values, conds)]
        if missing:
            raise ValueError(
                f"Pipeline is missing hyperparameter(s) {sorted(missing)}; start from "
                "zapml.space.default_pipeline().replace(...) or a YAML written by `zap`."
            )
        return self

    def to_yaml(self, path: str | Path | None = None) -> str:
        text = yaml.safe_dump(self.to_dict(), sort_keys=True)
        if path is not None:
            Path(path).write_text(text)
        return text

    @classmethod
    def from_yaml(cls, path_or_text: str | Path) -> Pipeline:
        path = Path(path_or_text)
        is_file = isinstance(path_or_text, Path) or (
            "\n" not in str(path_or_text) and path.suffix in (".yaml", ".yml")
        )
        if is_file:
            if not path.is_file():
                raise FileNotFoundError(f"Pipeline file '{path}' does not exist.")
            text = path.read_text()
        else:
            text = str(path_or_text)
        source = f"Pipeline YAML {path_or_text!s}"
        return cls(yaml_mapping(text, ValueError, source, "hyperparameter: value"))


def default_pipeline() -> Pipeline:
    """The space's default: pretrained MobileNetV2 at 64 px, SGD+Nesterov lr 0.01, cosine with
    warm-up, logistic regression on frozen features first. Chosen because MobileNetV2 is the
    cheapest pretrained backbone in the offline zoo and these are the ZAP code's central values."""
    from zapml.space.space import build_space

    return Pipeline(dict(build_space().get_default_configuration()))
