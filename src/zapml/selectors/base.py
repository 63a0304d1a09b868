"""The one selector interface (scikit-learn style).

- ``__init__`` only stores its arguments (so ``get_params()`` can rebuild the selector);
- ``fit(metadataset) -> self`` learns; everything learned ends in ``_``;
- ``rank(metafeatures, candidates=None) -> scores``, higher = better. A Mapping (or Series) is one
  task and gives a 1-D array ``(n_candidates,)``; a DataFrame is one task per row and gives a
  2-D array ``(n_tasks, n_candidates)``, even with a single row. ``candidates`` defaults to the
  training pipelines (in ``pipeline_ids_`` order); items are ``Pipeline``s or training pipeline ids;
- ``save(dir)`` / ``load(dir)``: JSON + safetensors with a checked manifest, never pickle.

Budgets: ``fit`` on a meta-dataset measured at two or more budgets trains on its
``stack_budgets()`` rows, one per (task, budget), whose meta-features include ``BUDGET_FEATURE``
(compute seconds): every selector then learns f(task features, budget) with no code of its own,
and ``rank`` needs the budget among the meta-features (``budget_aware``). Fit on
``md.at_budget(b)`` for a selector of one budget; one-budget meta-datasets train as before and
their selectors ignore any budget given.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import numpy as np
import pandas as pd

from zapml.errors import ArtifactError, DataError
from zapml.metadataset.metadataset import BUDGET_FEATURE, MetaDataset
from zapml.metadataset.objectives import LEGACY_OBJECTIVE
from zapml.metadataset.values import ValueSpec
from zapml.selectors.artifacts import (
    check_common_state,
    read_artifact,
    validated_pipelines,
    write_artifact,
)
from zapml.selectors.encoding import (
    as_matrix,
    check_finite_or_missing,
    imputation_values,
    impute,
)
from zapml.selectors.query import missing_probe_features
from zapml.space.pipeline import Pipeline

Candidates = Sequence[Pipeline | str] | None
S = TypeVar("S", bound="Selector")


class NotFittedError(RuntimeError):
    """rank()/save() called before fit()."""


class Selector(ABC):
    #: Registry name (``get_selector(name)``).
    name: ClassVar[str] = ""
    #: Whether ``rank`` can score pipelines that are not in the training meta-dataset.
    scores_unseen_pipelines: ClassVar[bool] = False

    # ----------------------------------------------------------------- parameters
    def get_params(self) -> dict[str, Any]:
        sig = inspect.signature(type(self).__init__)
        return {n: getattr(self, n) for n in sig.parameters if n != "self"}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # ----------------------------------------------------------------- fitting
    def fit(self: S, metadataset: MetaDataset) -> S:
        if not isinstance(metadataset, MetaDataset):
            raise TypeError(f"fit() needs a zapml MetaDataset, got {type(metadataset).__name__}.")
        md = training_view(metadataset)
        _check_trainable(md)
        self._fit_common(md)
        self._fit(md)
        return self

    def _fit_common(self, md: MetaDataset) -> None:
        self.metafeature_names_ = md.metafeature_names()
        self.pipeline_ids_ = md.pipeline_ids
        self.pipelines_ = [md.pipelines[p] for p in self.pipeline_ids_]
        self.train_task_ids_ = md.task_ids
        self.train_core_ = [str(c) for c in md.core_datasets()]
        # What the scores mean (the objective of the matrix it learned from), and the budgets
        # that matrix was measured at ([] when unknown): both saved with the artifact.
        self.objective_ = md.objective
        self.values_ = md.values  # what the scores' raw values were (direction, cutoff)
        raw = md.metafeatures(self.metafeature_names_).to_numpy(dtype=np.float64)
        self.train_budgets_ = _train_budgets(md, raw, self.metafeature_names_)
        check_finite_or_missing(raw, self.metafeature_names_, "the training meta-dataset")
        # Missing training meta-features take the training median (saved with the selector and
        # reapplied to queries), so no selector ever sees a NaN feature.
        self.mf_fill_ = imputation_values(raw, self.metafeature_names_)
        self.train_mf_ = impute(raw, self.mf_fill_)
        # Kept for explanations and out-of-range warnings at recommendation time.
        self.mf_min_ = np.nanmin(raw, axis=0)
        self.mf_max_ = np.nanmax(raw, axis=0)

    @abstractmethod
    def _fit(self, md: MetaDataset) -> None: ...

    # ----------------------------------------------------------------- ranking
    def _check_fitted(self) -> None:
        if not hasattr(self, "pipeline_ids_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet; call fit(metadataset) or "
                "load_selector(dir) first."
            )

    @property
    def budget_aware(self) -> bool:
        """Whether the budget is one of its inputs (trained on several budgets, see module doc)."""
        return BUDGET_FEATURE in self.metafeature_names_

    def rank(self, metafeatures: Any, candidates: Candidates = None) -> np.ndarray:
        self._check_fitted()
        lacking = missing_probe_features(self, metafeatures)
        if lacking is not None:
            raise lacking
        if self.budget_aware:
            self._check_budget_given(metafeatures)
        x, single = as_matrix(metafeatures, self.metafeature_names_)
        check_finite_or_missing(x, self.metafeature_names_, "the query")
        if self.budget_aware:
            self._check_budget_values(x[:, self.metafeature_names_.index(BUDGET_FEATURE)])
        scores = np.asarray(self._score(impute(x, self.mf_fill_), candidates), dtype=np.float64)
        if np.isnan(scores).any():  # a bug, never an answer: refuse rather than pick index 0
            raise RuntimeError(f"{type(self).__name__} produced NaN scores; please report this.")
        return scores[0] if single else scores

    def _needs_budget(self, problem: str) -> DataError:
        trained = ", ".join(f"{b:g}" for b in self.train_budgets_)
        return DataError(
            f"This {type(self).__name__} was trained on budgets {trained} (compute seconds), so "
            f"the budget is one of its inputs, but {problem}. Give the run's budget in compute "
            f"seconds as metafeatures[{BUDGET_FEATURE!r}] (zapml.selectors.recommend(..., "
            "budget=B); `zap recommend/fit --budget B` converts a wall-clock budget for you)."
        )

    def _check_budget_given(self, metafeatures: Any) -> None:
        names = metafeatures.columns if isinstance(metafeatures, pd.DataFrame) else metafeatures
        if isinstance(names, Mapping | pd.Series | pd.Index) and BUDGET_FEATURE not in names:
            raise self._needs_budget("the query has none")

    def _check_budget_values(self, budgets: np.ndarray) -> None:
        bad = ~(np.isfinite(budgets) & (budgets > 0))
        if bad.any():
            raise self._needs_budget(
                f"the query's budget is {budgets[bad][0]!r}, not a positive number"
            )

    def select(self, metafeatures: Any, candidates: Candidates = None) -> Pipeline:
        """The best-scored candidate for one task."""
        scores = self.rank(metafeatures, candidates)
        if scores.ndim != 1:
            raise ValueError("select() takes one task (a Mapping or Series), not a DataFrame.")
        pool = self.resolve_candidates(candidates)
        return pool[int(np.argmax(scores))]

    @abstractmethod
    def _score(self, x: np.ndarray, candidates: Candidates) -> np.ndarray:
        """Scores ``(n_tasks, n_candidates)`` for raw meta-feature rows ``x``."""

    def resolve_candidates(self, candidates: Candidates) -> list[Pipeline]:
        if candidates is None:
            return list(self.pipelines_)
        by_id = dict(zip(self.pipeline_ids_, self.pipelines_, strict=True))
        out = []
        for c in candidates:
            if isinstance(c, Pipeline):
                out.append(c)
            elif str(c) in by_id:
                out.append(by_id[str(c)])
            else:
                raise ValueError(f"Unknown candidate pipeline id {c!r}: not a training pipeline.")
        return out

    def known_indices(self, candidates: Candidates) -> np.ndarray:
        """Training-pipeline indices of ``candidates``, for selectors that can only score the
        pipelines they were trained on (an unseen one raises a ValueError that says so)."""
        if candidates is None:
            return np.arange(len(self.pipeline_ids_))
        # Lookup tables keyed by the fitted pipelines; rebuilt whenever fit/load replaced them.
        cache = getattr(self, "_lookup", None)
        if cache is None or cache[0] is not self.pipelines_:
            by_value = {p: i for i, p in enumerate(self.pipelines_)}
            by_id = {pid: i for i, pid in enumerate(self.pipeline_ids_)}
            cache = self._lookup = (self.pipelines_, by_value, by_id)
        _, by_value, by_id = cache
        idx = []
        for c in candidates:
            i = by_value.get(c) if isinstance(c, Pipeline) else by_id.get(str(c))
            if i is None:
                raise ValueError(
                    f"{type(self).__name__} can only rank the {len(self.pipeline_ids_)} pipelines "
                    f"of its training meta-dataset; candidate {c!r} is not one of them. Use a "
                    "selector that scores unseen pipelines (zap_hpo, guided_lr, guided_fm) or pass "
                    "candidates=None."
                )
            idx.append(i)
        return np.asarray(idx, dtype=np.int64)

    # ----------------------------------------------------------------- persistence
    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Selector-specific fitted state as (JSON-able config, numeric arrays)."""
        return {}, {}

    def _set_state(self, config: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        return None

    def save(self, directory: str | Path) -> Path:
        self._check_fitted()
        state_cfg, state_arrays = self._get_state()
        config = {
            "params": self.get_params(),
            "metafeature_names": self.metafeature_names_,
            "pipeline_ids": self.pipeline_ids_,
            "pipelines": [p.to_dict() for p in self.pipelines_],
            "train_task_ids": self.train_task_ids_,
            "train_core": self.train_core_,
            "objective": self.objective_,
            "values": self.values_.to_dict(),
            "train_budgets": self.train_budgets_,
            "state": state_cfg,
        }
        arrays = {
            "common.train_mf": self.train_mf_,
            "common.mf_fill": self.mf_fill_,
            "common.mf_min": self.mf_min_,
            "common.mf_max": self.mf_max_,
        }
        arrays.update({f"state.{k}": v for k, v in state_arrays.items()})
        return write_artifact(directory, type(self).__name__, config, arrays)

    @classmethod
    def load(cls: type[S], directory: str | Path) -> S:
        _, config, arrays = read_artifact(directory, expected_class=cls.__name__)
        return cls.restore(directory, config, arrays)

    @classmethod
    def restore(
        cls: type[S], directory: str | Path, config: dict[str, Any], arrays: dict[str, np.ndarray]
    ) -> S:
        """Rebuild a saved selector and check every field it read; anything out of place raises
        an ArtifactError naming the artifact and the field."""
        try:
            obj = cls._from_artifact(config, arrays)
            check_common_state(obj)
            obj._check_state()
        except ArtifactError as err:
            raise ArtifactError(f"Selector artifact '{directory}': {err}") from None
        except (KeyError, TypeError, ValueError, RuntimeError, IndexError) as err:
            raise ArtifactError(
                f"Selector artifact '{directory}' is inconsistent ({type(err).__name__}: {err}); "
                "retrain it with this zapml version."
            ) from None
        return obj

    def _check_state(self) -> None:
        """Range checks of the selector-specific state after loading (raise ArtifactError)."""
        return None

    @classmethod
    def _from_artifact(cls: type[S], config: dict[str, Any], arrays: dict[str, np.ndarray]) -> S:
        obj = cls(**config["params"])
        obj.metafeature_names_ = list(config["metafeature_names"])
        obj.pipeline_ids_ = list(config["pipeline_ids"])
        obj.pipelines_ = validated_pipelines(obj.pipeline_ids_, config["pipelines"])
        obj.train_task_ids_ = list(config["train_task_ids"])
        obj.train_core_ = list(config["train_core"])
        # Artifacts from before objectives existed were all trained on ALC (the shipped v1 one).
        obj.objective_ = str(config.get("objective", LEGACY_OBJECTIVE))
        # Artifacts from before values were declared hold zapml's own (maximised) objectives.
        obj.values_ = ValueSpec.from_dict(config.get("values", {}))
        obj.train_budgets_ = [float(b) for b in config.get("train_budgets", [])]
        obj.train_mf_ = arrays["common.train_mf"]
        # Artifacts from before imputation was saved had complete training meta-features.
        obj.mf_fill_ = arrays.get("common.mf_fill", np.nanmedian(obj.train_mf_, axis=0))
        obj.mf_min_ = arrays.get("common.mf_min", np.nanmin(obj.train_mf_, axis=0))
        obj.mf_max_ = arrays.get("common.mf_max", np.nanmax(obj.train_mf_, axis=0))
        state = {k[len("state.") :]: v for k, v in arrays.items() if k.startswith("state.")}
        obj._set_state(config["state"], state)
        return obj


def training_view(md: MetaDataset) -> MetaDataset:
    """What ``fit`` learns from: the (task, budget) rows of a meta-dataset with two or more
    budgets (``stack_budgets``), else the meta-dataset itself."""
    return md.stack_budgets() if len(md.budgets) >= 2 else md


def _train_budgets(md: MetaDataset, raw: np.ndarray, names: list[str]) -> list[float]:
    """The budgets trained on: the budget column's values for a budget-aware selector, else the
    meta-dataset's budgets ([] when unknown)."""
    if BUDGET_FEATURE in names:
        column = raw[:, names.index(BUDGET_FEATURE)]
        if not (np.isfinite(column) & (column > 0)).all():
            raise DataError(
                f"The training meta-feature {BUDGET_FEATURE!r} must be a positive number of "
                "compute seconds on every row; build the rows with MetaDataset.stack_budgets()."
            )
        return sorted({float(b) for b in column})
    return [float(b) for b in md.budgets]


def _check_trainable(md: MetaDataset) -> None:
    """An empty meta-dataset is a user error with a fix, not a traceback."""
    if len(md.tasks) == 0 or len(md.pipelines) == 0:
        raise DataError(
            f"The meta-dataset has {len(md.tasks)} task(s) and {len(md.pipelines)} pipeline(s); "
            "a selector needs both. Build it first (zap metadataset build) or pick another one."
        )
    if md.num_runs_filled == 0:
        raise DataError(
            f"The meta-dataset has {len(md.tasks)} tasks and {len(md.pipelines)} pipelines but no "
            "finished runs (its perf matrix is all missing); build or resume it first "
            "(zap metadataset build), then train the selector."
        )
