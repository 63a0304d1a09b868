"""ZAP-AS: algorithm selection over the meta-dataset's pipelines, AutoFolio style.

Selector families (all on scikit-learn random forests, exported without pickle, see forest.py):

- ``pairwise_classification``: one classifier per pipeline pair predicting "a beats b", sample
  weight |perf_a - perf_b|; a pipeline's score is its summed win probability (soft vote);
- ``pairwise_regression``: one regressor per pair predicting perf_a - perf_b; score = net margin;
- ``multiclass``: one classifier predicting the best pipeline, sample weight = the task's std of
  performance (tasks where the choice matters weigh more); score = class probability;
- ``independent_regression``: one regressor per pipeline predicting its perf;
- ``joint_regression``: one regressor over [features, one-hot pipeline].

Preprocessing: imputation (mean/median; the Selector base class already fills missing training
meta-features with their median, so this matters only for NaNs it never sees), optional
z-scaling, optional PCA. The family and all of
these are ZAP-AS's own hyperparameters, tuned by SMAC3 (HPO facade) on inner CV folds grouped by
core dataset (random folds, with a warning, when the meta-dataset has no groups) within
``n_trials`` / ``walltime`` seconds.

Deviation from AutoFolio, stated: a model over all 525 pipelines would need 137k pairwise forests,
so the selector first picks a portfolio of ``max_pipelines`` pipelines greedily (each step adds the
pipeline that most raises the mean over tasks of the portfolio's best ALC; pairwise families are
capped at ``PAIRWISE_CAP``). Pipelines outside the portfolio rank below it, by training mean.
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

from zapml.errors import ArtifactError
from zapml.metadataset.metadataset import MetaDataset
from zapml.selectors.artifacts import check_finite, check_shape
from zapml.selectors.base import Candidates, Selector
from zapml.selectors.folds import Folds, inner_folds
from zapml.selectors.forest import PackedForest, pack_forests

FAMILIES: tuple[str, ...] = (
    "pairwise_classification",
    "pairwise_regression",
    "multiclass",
    "independent_regression",
    "joint_regression",
)
PAIRWISE_CAP = 12
HPARAMS: tuple[str, ...] = (
    "family",
    "n_estimators",
    "max_features",
    "min_samples_leaf",
    "impute",
    "scale",
    "pca_components",
    "max_pipelines",
)


# ---------------------------------------------------------------------- preprocessing
class Preprocessor:
    """Impute -> (scale) -> (PCA), all in numpy so the fitted state is three small arrays."""

    def __init__(self, impute: str = "median", scale: bool = True, pca_components: int = 0):
        if impute not in ("mean", "median"):
            raise ValueError(f"The 'impute' parameter must be 'mean' or 'median'. Got {impute!r}.")
        self.impute, self.scale, self.pca_components = impute, scale, pca_components

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        fill = np.nanmedian(x, axis=0) if self.impute == "median" else np.nanmean(x, axis=0)
        self.fill_ = np.where(np.isnan(fill), 0.0, fill)
        xi = np.where(np.isnan(x), self.fill_, x)
        self.mean_ = xi.mean(axis=0) if self.scale else np.zeros(x.shape[1])
        std = xi.std(axis=0)
        self.std_ = np.where(std > 0, std, 1.0) if self.scale else np.ones(x.shape[1])
        xs = (xi - self.mean_) / self.std_
        k = min(int(self.pca_components), x.shape[1], len(x))
        if k > 0:
            self.pca_mean_ = xs.mean(axis=0)
            _, _, vt = np.linalg.svd(xs - self.pca_mean_, full_matrices=False)
            self.components_ = vt[:k]
        else:
            self.pca_mean_ = np.zeros(x.shape[1])
            self.components_ = np.zeros((0, x.shape[1]))
        return self.transform(x)

    def transform(self, x: np.ndarray) -> np.ndarray:
        xs = (np.where(np.isnan(x), self.fill_, x) - self.mean_) / self.std_
        if len(self.components_):
            return np.asarray((xs - self.pca_mean_) @ self.components_.T)
        return np.asarray(xs)

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {
            "pre.fill": self.fill_,
            "pre.mean": self.mean_,
            "pre.std": self.std_,
            "pre.pca_mean": self.pca_mean_,
            "pre.components": self.components_,
        }

    def set_arrays(self, arrays: dict[str, np.ndarray]) -> Preprocessor:
        self.fill_, self.mean_, self.std_ = (
            arrays["pre.fill"],
            arrays["pre.mean"],
            arrays["pre.std"],
        )
        self.pca_mean_, self.components_ = arrays["pre.pca_mean"], arrays["pre.components"]
        return self


# ---------------------------------------------------------------------- helpers
def fill_perf(perf: np.ndarray) -> np.ndarray:
    """Missing cells -> the task's mean ALC (ZAP-AS needs a dense matrix; this is the neutral
    guess 'an average pipeline on this task')."""
    row_mean = np.nanmean(perf, axis=1, keepdims=True)
    row_mean = np.where(np.isnan(row_mean), np.nanmean(perf), row_mean)
    return np.where(np.isnan(perf), row_mean, perf)


def greedy_portfolio(perf: np.ndarray, k: int) -> np.ndarray:
    """Indices of ``k`` pipelines chosen greedily to maximise mean_task max_portfolio perf."""
    k = min(k, perf.shape[1])
    chosen: list[int] = []
    best = np.full(len(perf), -np.inf)
    for _ in range(k):
        gain = np.maximum(best[:, None], perf).mean(axis=0)
        gain[chosen] = -np.inf
        j = int(np.argmax(gain))
        chosen.append(j)
        best = np.maximum(best, perf[:, j])
    return np.asarray(chosen, dtype=np.int64)


def _pairs(k: int) -> np.ndarray:
    a, b = np.triu_indices(k, 1)
    return np.stack([a, b], axis=1)


class FamilyModel:
    """One fitted family on a portfolio: ``scores(xp) -> (n, k)``."""

    def __init__(self, family: str, k: int, forest: PackedForest) -> None:
        self.family, self.k, self.forest = family, k, forest

    def scores(self, xp: np.ndarray) -> np.ndarray:
        n, k = len(xp), self.k
        if self.family == "joint_regression":
            rows = np.concatenate([np.repeat(xp, k, axis=0), np.tile(np.eye(k), (n, 1))], axis=1)
            return np.asarray(self.forest.predict(rows)[:, 0, 0].reshape(n, k))
        pred = self.forest.predict(xp)
        if self.family in ("independent_regression", "multiclass"):
            return np.asarray(pred[:, :, 0] if self.family != "multiclass" else pred[:, 0, :])
        pairs = _pairs(k)
        out = np.zeros((n, k))
        value = pred[:, :, 0]
        if self.family == "pairwise_classification":
            np.add.at(out.T, pairs[:, 0], value.T)  # P(a beats b) votes for a
            np.add.at(out.T, pairs[:, 1], 1.0 - value.T)
        else:  # pairwise_regression: net predicted margin
            np.add.at(out.T, pairs[:, 0], value.T)
            np.add.at(out.T, pairs[:, 1], -value.T)
        return out


def fit_family(
    family: str, xp: np.ndarray, y: np.ndarray, hp: dict[str, Any], seed: int
) -> FamilyModel:
    """Fit ``family`` on preprocessed features ``xp`` and dense portfolio perf ``y (n, k)``."""
    n, k = y.shape
    kw = {
        "n_estimators": int(hp["n_estimators"]),
        "max_features": float(hp["max_features"]),
        "min_samples_leaf": int(hp["min_samples_leaf"]),
        "random_state": seed,
        "n_jobs": 1,
    }
    if family == "independent_regression":
        models = [RandomForestRegressor(**kw).fit(xp, y[:, j]) for j in range(k)]
        return FamilyModel(family, k, pack_forests(models))
    if family == "joint_regression":
        rows = np.concatenate([np.repeat(xp, k, axis=0), np.tile(np.eye(k), (n, 1))], axis=1)
        model = RandomForestRegressor(**kw).fit(rows, y.reshape(-1))
        return FamilyModel(family, k, pack_forests([model]))
    if family == "multiclass":
        label = np.argmax(y, axis=1)
        weight = y.std(axis=1) + 1e-9
        clf = RandomForestClassifier(**kw).fit(xp, label, sample_weight=weight)
        cols = np.asarray(clf.classes_, dtype=np.int64)
        return FamilyModel(family, k, pack_forests([clf], [cols], n_outputs=k))
    if family not in FAMILIES:
        raise ValueError(f"The 'family' parameter must be one of {FAMILIES}. Got {family!r}.")
    models, cols_list = [], []
    for a, b in _pairs(k):
        diff = y[:, a] - y[:, b]
        if family == "pairwise_regression":
            models.append(RandomForestRegressor(**kw).fit(xp, diff))
            continue
        clf = RandomForestClassifier(**kw).fit(xp, diff > 0, sample_weight=np.abs(diff) + 1e-9)
        # output column 0 = P(a beats b); the 'False' class is dropped
        cols_list.append(np.where(np.asarray(clf.classes_, dtype=bool), 0, -1))
        models.append(clf)
    if family == "pairwise_regression":
        return FamilyModel(family, k, pack_forests(models))
    return FamilyModel(family, k, pack_forests(models, cols_list, n_outputs=1))


def _as_hp(config: Any) -> dict[str, Any]:
    """A SMAC configuration -> plain hyperparameters (PCA off unless ``use_pca``)."""
    values = {k: v.item() if hasattr(v, "item") else v for k, v in dict(config).items()}
    use_pca = bool(values.pop("use_pca", False))
    components = int(values.pop("pca_components", 0))
    values["pca_components"] = components if use_pca else 0
    return values


# ---------------------------------------------------------------------- selector
class ZapAS(Selector):
    """AutoFolio-style algorithm selection; ``tune=True`` runs SMAC3 over the hyperparameters
    below for at most ``n_trials`` evaluations / ``walltime`` seconds (each = inner CV)."""

    name = "zap_as"

    def __init__(
        self,
        family: str = "independent_regression",
        n_estimators: int = 32,
        max_features: float = 1.0,
        min_samples_leaf: int = 2,
        impute: str = "median",
        scale: bool = True,
        pca_components: int = 0,
        max_pipelines: int = 24,
        tune: bool = True,
        n_trials: int = 20,
        walltime: float = 120.0,
        n_folds: int = 5,
        seed: int = 0,
    ) -> None:
        self.family = family
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.impute = impute
        self.scale = scale
        self.pca_components = pca_components
        self.max_pipelines = max_pipelines
        self.tune = tune
        self.n_trials = n_trials
        self.walltime = walltime
        self.n_folds = n_folds
        self.seed = seed

    def _default_hp(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in HPARAMS}

    # fitting --------------------------------------------------------------
    def _fit(self, md: MetaDataset) -> None:
        if self.family not in FAMILIES:
            raise ValueError(
                f"The 'family' parameter must be one of {FAMILIES}. Got {self.family!r}."
            )
        perf = fill_perf(md.perf.to_numpy(dtype=np.float64))
        self.mean_perf_ = perf.mean(axis=0)
        x = self.train_mf_
        groups = np.asarray(self.train_core_)
        hp = self._default_hp()
        self.tuning_ = {"trials": 0, "default_cost": None, "best_cost": None, "seconds": 0.0}
        if self.tune and self.n_trials > 0:
            folds = inner_folds(groups, self.n_folds, md.has_groups, self.seed)
            if folds:  # a single group leaves nothing to validate on: the defaults stand
                hp = self._tune(x, perf, folds)
        self.hp_ = hp
        self._fit_final(x, perf, hp)

    def _fit_final(self, x: np.ndarray, perf: np.ndarray, hp: dict[str, Any]) -> None:
        self.pre_ = Preprocessor(hp["impute"], bool(hp["scale"]), int(hp["pca_components"]))
        xp = self.pre_.fit_transform(x)
        self.portfolio_ = greedy_portfolio(perf, self._k(hp))
        self.model_ = fit_family(hp["family"], xp, perf[:, self.portfolio_], hp, self.seed)

    @staticmethod
    def _k(hp: dict[str, Any]) -> int:
        k = int(hp["max_pipelines"])
        return min(k, PAIRWISE_CAP) if str(hp["family"]).startswith("pairwise") else k

    def cv_cost(self, x: np.ndarray, perf: np.ndarray, folds: Folds, hp: dict) -> float:
        """Mean regret (oracle - chosen ALC) over inner folds grouped by core dataset."""
        regrets = []
        for tr, va in folds:
            pre = Preprocessor(hp["impute"], bool(hp["scale"]), int(hp["pca_components"]))
            xp = pre.fit_transform(x[tr])
            port = greedy_portfolio(perf[tr], self._k(hp))
            model = fit_family(hp["family"], xp, perf[tr][:, port], hp, self.seed)
            choice = port[np.argmax(model.scores(pre.transform(x[va])), axis=1)]
            pv = perf[va]
            regrets.append(pv.max(axis=1) - pv[np.arange(len(va)), choice])
        return float(np.concatenate(regrets).mean())

    def _space(self, n_features: int, n_pipelines: int) -> Any:
        from ConfigSpace import (
            Categorical,
            ConfigurationSpace,
            EqualsCondition,
            Float,
            Integer,
        )

        cs = ConfigurationSpace(seed=self.seed)
        top_k = max(2, min(64, n_pipelines))
        cs.add(
            [
                Categorical("family", FAMILIES, default=self.family),
                Integer(
                    "n_estimators", (8, 64), log=True, default=min(max(self.n_estimators, 8), 64)
                ),
                Float("max_features", (0.2, 1.0), default=min(max(self.max_features, 0.2), 1.0)),
                Integer(
                    "min_samples_leaf", (1, 10), log=True, default=min(self.min_samples_leaf, 10)
                ),
                Categorical("impute", ("mean", "median"), default=self.impute),
                Categorical("scale", (True, False), default=bool(self.scale)),
                Integer(
                    "max_pipelines",
                    (2, top_k),
                    log=True,
                    default=min(max(self.max_pipelines, 2), top_k),
                ),
                Categorical("use_pca", (False, True), default=self.pca_components > 0),
            ]
        )
        pca_max = min(20, n_features)
        if pca_max >= 2:
            pca_default = min(max(int(self.pca_components), 1), pca_max)
            cs.add(Integer("pca_components", (1, pca_max), default=pca_default))
            cs.add(EqualsCondition(cs["pca_components"], cs["use_pca"], True))
        return cs

    def _tune(self, x: np.ndarray, perf: np.ndarray, folds: Folds) -> dict[str, Any]:
        """SMAC3 over the space below; the constructor's configuration is evaluated first (as an
        extra initial-design point), so the result is never worse than it in inner CV, and every
        CV evaluation happens inside SMAC's ``n_trials`` / ``walltime`` budget."""
        from smac import HyperparameterOptimizationFacade as HPO
        from smac import Scenario

        cs = self._space(x.shape[1], perf.shape[1])
        start = time.perf_counter()

        def target(config: Any, seed: int = 0) -> float:
            return self.cv_cost(x, perf, folds, _as_hp(config))

        default = cs.get_default_configuration()
        with tempfile.TemporaryDirectory(prefix="zapml-smac-") as tmp:
            scenario = Scenario(
                cs,
                deterministic=True,
                n_trials=int(self.n_trials),
                walltime_limit=float(self.walltime),
                seed=int(self.seed),
                output_directory=Path(tmp),
            )
            design = HPO.get_initial_design(
                scenario,
                n_configs=max(1, min(5, self.n_trials // 3)),
                additional_configs=[default],
            )
            with warnings.catch_warnings():  # SMAC's own use of a deprecated ConfigSpace call
                warnings.simplefilter("ignore", DeprecationWarning)
                smac = HPO(
                    scenario, target, initial_design=design, overwrite=True, logging_level=40
                )
                found = smac.optimize()
            incumbent = found[0] if isinstance(found, list) else found  # single objective
            history = smac.runhistory
            evaluated = set(history.get_configs())
            self.tuning_ = {
                "trials": len(history),
                "default_cost": history.get_cost(default) if default in evaluated else None,
                "best_cost": history.get_cost(incumbent),
                "seconds": round(time.perf_counter() - start, 2),
            }
        return _as_hp(incumbent)

    # ranking --------------------------------------------------------------
    def _score(self, x: np.ndarray, candidates: Candidates) -> np.ndarray:
        idx = self.known_indices(candidates)
        port_scores = self.model_.scores(self.pre_.transform(x))
        lo = port_scores.min(axis=1, keepdims=True)
        mp = self.mean_perf_
        spread = float(mp.max() - mp.min()) or 1.0
        # Outside the portfolio: below every portfolio score, ordered by training mean.
        full = np.broadcast_to(lo - 2.0 + (mp - mp.min()) / spread, (len(x), len(mp))).copy()
        full[:, self.portfolio_] = port_scores
        return full[:, idx]

    # persistence ----------------------------------------------------------
    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        cfg = {"hp": self.hp_, "tuning": self.tuning_, "k": self.model_.k}
        arrays = {"mean_perf": self.mean_perf_, "portfolio": self.portfolio_}
        arrays.update(self.pre_.to_arrays())
        arrays.update(self.model_.forest.to_arrays("forest"))
        return cfg, arrays

    def _check_state(self) -> None:
        n_pipes = len(self.pipeline_ids_)
        if self.model_.family not in FAMILIES:
            raise ArtifactError(f"'hp.family' is {self.model_.family!r}, not one of {FAMILIES}.")
        check_shape("mean_perf", self.mean_perf_, (n_pipes,))
        check_finite("mean_perf", self.mean_perf_)
        port = np.asarray(self.portfolio_)
        if port.shape != (self.model_.k,) or (port < 0).any() or (port >= n_pipes).any():
            raise ArtifactError(f"'portfolio' must be {self.model_.k} indices below {n_pipes}.")
        for name, values in self.pre_.to_arrays().items():
            check_finite(name, values)

    def _set_state(self, config: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.hp_, self.tuning_ = dict(config["hp"]), dict(config["tuning"])
        self.mean_perf_, self.portfolio_ = arrays["mean_perf"], arrays["portfolio"]
        hp = self.hp_
        self.pre_ = Preprocessor(hp["impute"], bool(hp["scale"]), int(hp["pca_components"]))
        self.pre_.set_arrays(arrays)
        forest = PackedForest.from_arrays(arrays, "forest")
        self.model_ = FamilyModel(str(hp["family"]), int(config["k"]), forest)
