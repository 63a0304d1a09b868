"""Guided recommendation: linear regression and a second-order factorization machine over
z = [dataset features, model features, pipeline hyperparameter encoding] -> ALC.

- dataset features: the task meta-features, log1p + z-scored;
- model features (from ``zapml.zoo.get_spec``): family one-hot, log params, log GMACs, input size,
  pretraining-data one-hot, ImageNet top-1 (0 for scratch); z-scored with training statistics;
- pipeline: the ZAP-HPO encoding (encoding.PipelineEncoder).

On a meta-dataset of arms (``Pipeline.arm``) the model and pipeline parts are replaced by the
arms' declared features (``encoding.ArmEncoder``): the arm's features describe the model.

FM: S(z) = w0 + sum_i w_i z_i + sum_{i<j} <u_i, u_j> z_i z_j, computed with the O(k n) identity
sum_{i<j} <u_i,u_j> z_i z_j = 1/2 sum_f [(sum_i u_if z_i)^2 - sum_i u_if^2 z_i^2].
Note the linear model has no dataset x pipeline interaction, so it ranks pipelines the same way
for every task (the dataset features only shift the score); the FM's pairwise terms are what let
the recommendation depend on the dataset.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from zapml.errors import ArtifactError
from zapml.metadataset.metadataset import MetaDataset
from zapml.selectors._threads import torch_threads
from zapml.selectors.artifacts import check_finite, check_shape
from zapml.selectors.base import Candidates, Selector
from zapml.selectors.encoding import (
    ArmEncoder,
    MetaFeatureScaler,
    candidate_encoder,
    candidate_encoder_from_state,
    safe_std,
)
from zapml.space.pipeline import Pipeline

PRETRAINING = ("imagenet-1k", "none")
MODEL_NUMERIC = ("log_params_m", "log_gmacs", "input_size", "imagenet_top1")


def _spec_row(arch: str) -> dict[str, Any]:
    """Zoo facts for one architecture; unknown to the zoo (or zoo absent) -> family guessed from
    the name and NaN numerics, which the z-scoring maps to the training mean (0)."""
    try:
        from zapml.zoo import get_spec

        spec = get_spec(arch)
        return {
            "family": spec.family,
            "pretraining_data": spec.pretraining_data,
            "log_params_m": float(np.log(spec.params_m)),
            "log_gmacs": float(np.log(spec.gmacs)),
            "input_size": float(spec.input_size),
            "imagenet_top1": float(spec.imagenet_top1 or 0.0),
        }
    except Exception:  # zoo not importable or name unknown: degrade, do not fail ranking
        base = arch.split(".")[0]
        family = next((f for f in ("efficientnet", "mobilenet", "resnet") if f in base), base)
        scratch = arch.endswith(".scratch")
        return {
            "family": family,
            "pretraining_data": "none" if scratch else "imagenet-1k",
            "log_params_m": np.nan,
            "log_gmacs": np.nan,
            "input_size": np.nan,
            "imagenet_top1": 0.0 if scratch else np.nan,
        }


class ModelFeaturizer:
    def fit(self, architectures: Sequence[str]) -> ModelFeaturizer:
        rows = [_spec_row(a) for a in architectures]
        self.families_ = sorted({r["family"] for r in rows})
        if not rows:  # arms: no architecture to describe (their own features do)
            self.mean_, self.std_ = np.zeros(len(MODEL_NUMERIC)), np.ones(len(MODEL_NUMERIC))
            return self
        raw = np.array([[r[c] for c in MODEL_NUMERIC] for r in rows], dtype=np.float64)
        mean = np.nanmean(raw, axis=0)
        self.mean_ = np.where(np.isnan(mean), 0.0, mean)
        self.std_ = safe_std(raw)
        return self

    def transform_archs(self, architectures: Sequence[str]) -> np.ndarray:
        rows = [_spec_row(a) for a in architectures]
        raw = np.array([[r[c] for c in MODEL_NUMERIC] for r in rows], dtype=np.float64)
        num = np.nan_to_num((raw - self.mean_) / self.std_, nan=0.0)
        fam = np.array([[float(r["family"] == f) for f in self.families_] for r in rows])
        pre = np.array([[float(r["pretraining_data"] == p) for p in PRETRAINING] for r in rows])
        return np.concatenate([fam.reshape(len(rows), -1), num, pre], axis=1)

    def transform(self, pipelines: Sequence[Pipeline]) -> np.ndarray:
        return self.transform_column(np.array([str(p.get("architecture")) for p in pipelines]))

    def transform_column(self, architectures: np.ndarray) -> np.ndarray:
        archs = [str(a) for a in architectures]
        unique = sorted(set(archs))
        table = dict(zip(unique, self.transform_archs(unique), strict=True))
        return np.stack([table[a] for a in archs]) if archs else np.zeros((0, self.n_features))

    @property
    def n_features(self) -> int:
        return len(self.families_) + len(MODEL_NUMERIC) + len(PRETRAINING)


# ---------------------------------------------------------------------- FM maths
def fm_predict(z: np.ndarray, w0: float, w: np.ndarray, v: np.ndarray) -> np.ndarray:
    """S(z) for rows of ``z (n, d)``, ``v (d, k)``, by the O(k d) identity."""
    zv = z @ v
    pair = 0.5 * ((zv**2) - (z**2) @ (v**2)).sum(axis=1)
    return np.asarray(w0 + z @ w + pair)


def _fm_torch(z: torch.Tensor, w0: torch.Tensor, w: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    zv = z @ v
    return w0 + z @ w + 0.5 * ((zv**2) - (z**2) @ (v**2)).sum(dim=1)


def fit_fm(
    z: np.ndarray,
    y: np.ndarray,
    k: int = 8,
    steps: int = 2000,
    lr: float = 0.02,
    reg: float = 1e-4,
    batch_size: int = 1024,
    seed: int = 0,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Fit an FM by Adam on mean squared error + L2 on (w, V); returns (w0, w, V)."""
    gen = torch.Generator().manual_seed(seed)
    d = z.shape[1]
    w0 = torch.zeros(1, requires_grad=True)
    w = torch.zeros(d, requires_grad=True)
    v = (0.05 * torch.randn(d, k, generator=gen)).requires_grad_(True)
    zt = torch.as_tensor(z, dtype=torch.float32)
    yt = torch.as_tensor(y, dtype=torch.float32)
    opt = torch.optim.Adam([w0, w, v], lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(steps, 1))
    for _ in range(steps):
        idx = torch.randint(0, len(zt), (min(batch_size, len(zt)),), generator=gen)
        pred = _fm_torch(zt[idx], w0, w, v)
        loss = ((pred - yt[idx]) ** 2).mean() + reg * ((w**2).sum() + (v**2).sum())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
    return float(w0.item()), w.detach().double().numpy(), v.detach().double().numpy()


def fit_linear(z: np.ndarray, y: np.ndarray, reg: float = 1e-3) -> tuple[float, np.ndarray]:
    """Ridge regression (unpenalised intercept) in closed form."""
    mu_z, mu_y = z.mean(axis=0), float(y.mean())
    zc = z - mu_z
    w = np.linalg.solve(zc.T @ zc + reg * len(z) * np.eye(z.shape[1]), zc.T @ (y - mu_y))
    return mu_y - float(mu_z @ w), w


# ---------------------------------------------------------------------- selectors
class _GuidedBase(Selector):
    scores_unseen_pipelines = True
    w0_: float
    w_: np.ndarray

    def _features(self, md: MetaDataset) -> None:
        self.scaler_ = MetaFeatureScaler(log=True).fit(self.train_mf_)
        self.encoder_ = candidate_encoder(self.pipelines_, md.candidate_kinds)
        archs = [] if md.has_arms else sorted({p.architecture for p in self.pipelines_})
        self.models_ = ModelFeaturizer().fit(archs)

    @property
    def _model_features(self) -> bool:
        """Zoo facts describe pipelines of the space; an arm's own features describe it."""
        return not isinstance(self.encoder_, ArmEncoder)

    def pipeline_features(self, pipelines: Sequence[Pipeline]) -> np.ndarray:
        if not pipelines:
            width = self.models_.n_features if self._model_features else 0
            return np.zeros((0, width + len(self.encoder_.feature_names())))
        if isinstance(self.encoder_, ArmEncoder):
            return self.encoder_.transform(pipelines)
        cols = self.encoder_.table(pipelines)  # one pass over the candidates for both parts
        return np.concatenate(
            [
                self.models_.transform_column(cols["architecture"]),
                self.encoder_.transform_columns(cols),
            ],
            axis=1,
        )

    def feature_names(self) -> list[str]:
        mf = [f"task:{n}" for n in self.metafeature_names_]
        if not self._model_features:
            return mf + [f"candidate:{n}" for n in self.encoder_.feature_names()]
        model = [f"model:family={f}" for f in self.models_.families_] + [
            f"model:{c}" for c in MODEL_NUMERIC
        ]
        model += [f"model:pretraining={p}" for p in PRETRAINING]
        return mf + model + [f"pipeline:{n}" for n in self.encoder_.feature_names()]

    def _training_rows(self, md: MetaDataset) -> tuple[np.ndarray, np.ndarray]:
        perf = md.perf.to_numpy(dtype=np.float64)
        ti, pj = np.nonzero(~np.isnan(perf))
        task = self.scaler_.transform(self.train_mf_)
        pipe = self.pipeline_features(self.pipelines_)
        z = np.concatenate([task[ti], pipe[pj]], axis=1)
        y = perf[ti, pj]
        self.y_mean_, self.y_std_ = float(y.mean()), float(y.std()) or 1.0
        return z, (y - self.y_mean_) / self.y_std_

    def _rows(self, x: np.ndarray, candidates: Candidates) -> tuple[np.ndarray, int, int]:
        pool = self.pipelines_ if candidates is None else self.resolve_candidates(candidates)
        task = self.scaler_.transform(x)
        pipe = self.pipeline_features(pool)
        n, c = len(task), len(pipe)
        z = np.concatenate([np.repeat(task, c, axis=0), np.tile(pipe, (n, 1))], axis=1)
        return z, n, c

    def _feature_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        enc_cfg, enc_arrays = self.encoder_.get_state()
        arrays = {f"enc.{k}": v for k, v in enc_arrays.items()}
        arrays.update({f"mf.{k}": v for k, v in self.scaler_.get_state().items()})
        arrays["model.mean"], arrays["model.std"] = self.models_.mean_, self.models_.std_
        cfg = {
            "encoder": enc_cfg,
            "families": self.models_.families_,
            "y_mean": self.y_mean_,
            "y_std": self.y_std_,
        }
        return cfg, arrays

    def _check_state(self) -> None:
        n_features = len(self.feature_names())
        check_shape("w", self.w_, (n_features,))
        check_finite("w", self.w_)
        check_finite("w0 / y_mean", [self.w0_, self.y_mean_])
        if not (np.isfinite(self.y_std_) and self.y_std_ > 0):
            raise ArtifactError(f"'y_std' is {self.y_std_!r}; it must be a positive number.")
        v = getattr(self, "v_", None)
        if v is not None:  # the FM's factors: one row per feature
            if np.ndim(v) != 2 or len(v) != n_features:
                raise ArtifactError(f"'v' has shape {np.shape(v)}, expected ({n_features}, k).")
            check_finite("v", v)

    def _set_feature_state(self, cfg: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        enc = {k[4:]: v for k, v in arrays.items() if k.startswith("enc.")}
        self.encoder_ = candidate_encoder_from_state(cfg["encoder"], enc)
        self.scaler_ = MetaFeatureScaler.from_state(
            {k[3:]: v for k, v in arrays.items() if k.startswith("mf.")}
        )
        self.models_ = ModelFeaturizer()
        self.models_.families_ = list(cfg["families"])
        self.models_.mean_, self.models_.std_ = arrays["model.mean"], arrays["model.std"]
        self.y_mean_, self.y_std_ = float(cfg["y_mean"]), float(cfg["y_std"])


class GuidedLinear(_GuidedBase):
    """Ridge linear regression on z (see the module note on its task-independent ranking)."""

    name = "guided_lr"

    def __init__(self, reg: float = 1e-3) -> None:
        self.reg = reg

    def _fit(self, md: MetaDataset) -> None:
        self._features(md)
        z, y = self._training_rows(md)
        self.w0_, self.w_ = fit_linear(z, y, self.reg)

    def _score(self, x: np.ndarray, candidates: Candidates) -> np.ndarray:
        z, n, c = self._rows(x, candidates)
        return (self.w0_ + z @ self.w_).reshape(n, c)

    def strongest_features(self, top: int = 5) -> list[tuple[str, float]]:
        """Features with the largest |coefficient| (the inputs are standardised)."""
        order = np.argsort(-np.abs(self.w_))[:top]
        names = self.feature_names()
        return [(names[i], float(self.w_[i])) for i in order]

    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        cfg, arrays = self._feature_state()
        cfg["w0"] = self.w0_
        arrays["w"] = self.w_
        return cfg, arrays

    def _set_state(self, config: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self._set_feature_state(config, arrays)
        self.w0_, self.w_ = float(config["w0"]), arrays["w"]


class GuidedFM(_GuidedBase):
    """Second-order factorization machine on z, fitted by Adam on squared error."""

    name = "guided_fm"

    def __init__(
        self,
        k: int = 16,
        steps: int = 2000,
        lr: float = 0.02,
        reg: float = 1e-4,
        batch_size: int = 1024,
        n_threads: int | None = 1,
        seed: int = 0,
    ) -> None:
        self.k = k
        self.steps = steps
        self.lr = lr
        self.reg = reg
        self.batch_size = batch_size
        self.n_threads = n_threads
        self.seed = seed

    def _fit(self, md: MetaDataset) -> None:
        self._features(md)
        z, y = self._training_rows(md)
        with torch_threads(self.n_threads):
            self.w0_, self.w_, self.v_ = fit_fm(
                z, y, self.k, self.steps, self.lr, self.reg, self.batch_size, self.seed
            )

    def _score(self, x: np.ndarray, candidates: Candidates) -> np.ndarray:
        z, n, c = self._rows(x, candidates)
        return fm_predict(z, self.w0_, self.w_, self.v_).reshape(n, c)

    def strongest_features(self, top: int = 5) -> list[tuple[str, float]]:
        """Features with the largest linear weight plus interaction strength ||u_i||."""
        strength = np.abs(self.w_) + np.linalg.norm(self.v_, axis=1)
        order = np.argsort(-strength)[:top]
        names = self.feature_names()
        return [(names[i], float(strength[i])) for i in order]

    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        cfg, arrays = self._feature_state()
        cfg["w0"] = self.w0_
        arrays["w"], arrays["v"] = self.w_, self.v_
        return cfg, arrays

    def _set_state(self, config: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self._set_feature_state(config, arrays)
        self.w0_, self.w_, self.v_ = float(config["w0"]), arrays["w"], arrays["v"]
