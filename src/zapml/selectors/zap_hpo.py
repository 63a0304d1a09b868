"""ZAP-HPO: a pairwise-ranking MLP surrogate f([meta-features, pipeline encoding]) -> score.

Training samples, per step, a batch of anchors = observed (task, pipeline) cells; for each anchor
one better and one worse pipeline on the same task (missing cells are never sampled, ties give no
pair) and minimises -log sigmoid(f_better - f_anchor) - log sigmoid(f_anchor - f_worse)
(``loss="ranking"``), or the squared error to the (globally z-scored) ALC (``loss="least_squares"``,
the paper's ablation), or, per sampled row, the cross-entropy between the softmax of the row's
scores and a target that keeps the row's weight on its strong pipelines (``loss="listwise"``,
``LISTWISE_TEMPERATURE``); or several of these joined (``loss="ranking+listwise"``), each
training its own models, whose scores are averaged once each is divided by its spread
(``score_spread``). Adam with a cosine schedule over ``epochs * steps_per_epoch`` steps.
Anchors are drawn uniformly over observed cells, as published (``anchors="cells"``), or
uniformly over (task, budget) rows first (``anchors="rows"``), or half of each batch each way
(``anchors="mixed"``): on a stacked multi-budget meta-dataset the small budgets observe many
pipelines per task and the large ones few, so drawn by cell most of the training signal is
about the smallest budget.
The ranking loss weighs its pairs alike, as published (``pair_weights="uniform"``), or each by
the difference of its two cells over the row's best-minus-mean (``pair_weights="regret"``, the
units of normalised regret): near-ties within the seeds' noise then pull little.

Model selection: a small random search (the first configuration is the constructor's) over
lr / layers / units / dropout, each scored on inner folds (grouped by core dataset; random
folds, with a warning, when the meta-dataset has no groups) by the mean true
rank (1 = best) of each validation task's top-scored pipeline. The chosen configuration's fold
models form the ensemble that scores at test time (mean score). Because the input is the pipeline
encoding, any pipeline of the space can be ranked, including ones never run. On a meta-dataset
of arms the candidate encoding is the arms' declared features (``encoding.ArmEncoder``).

Meta-features are z-scored as they are (the paper's setting), or with ``log_metafeatures=True``
after log1p of the non-negative columns. The second puts sizes, class counts, resolutions and
budgets on a ratio scale: what a budget buys is about epochs, budget / (images x cost per image),
a sum of logs that the MLP's first layer can form exactly; on linear inputs it is a product
the MLP must approximate from few (task, budget) rows. ``cost_features=True`` (needs a
meta-dataset of several budgets) goes one step further and appends to each (task, budget,
pipeline) input the compute clock's answer itself: the log epochs and log frozen-feature passes
the budget buys that pipeline on that task (``selectors.cost_features``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from zapml.errors import ArtifactError
from zapml.metadataset.metadataset import BUDGET_FEATURE, MetaDataset
from zapml.metadataset.objectives import check_measure
from zapml.runtime.costs import CLOCK_VERSION
from zapml.selectors._threads import torch_threads
from zapml.selectors.artifacts import check_finite
from zapml.selectors.base import Candidates, Selector
from zapml.selectors.cost_features import COST_FEATURES, pair_features, pipeline_costs
from zapml.selectors.encoding import (
    MetaFeatureScaler,
    candidate_encoder,
    candidate_encoder_from_state,
)
from zapml.selectors.folds import inner_folds
from zapml.space.pipeline import Pipeline

LOSSES = ("ranking", "least_squares", "listwise")
#: joins losses into one ensemble (``loss="ranking+listwise"``): each repeat of each inner fold
#: trains one model per loss, and each model's scores are divided by their spread before the mean
#: (``score_spread``), since the losses score on scales of their own
LOSS_JOINER = "+"
#: ``loss="listwise"``'s target by default (``temperature``): softmax of (value - row best) /
#: (this x the row's best minus mean). At 0.5 a pipeline at the row's mean gets e^-2 (14%) of
#: the best's weight and one a tenth of that spread below the best e^-0.2 (82%): the mass sits
#: on the strong pipelines, whose order is what a top-1 pick's regret depends on, and spreads
#: over near-ties as wide as the seeds' noise rather than betting on one of them. Chosen by
#: leave-one-core-dataset-out on the 13,250-run store (objective final): 0.142 at 0.5 against
#: 0.225 / 0.157 / 0.146 at 0.1 / 0.25 / 1.0 (``selectors.recipe``).
LISTWISE_TEMPERATURE = 0.5
#: how the ranking loss weighs its pairs (``pair_scale``)
PAIR_WEIGHTS = ("uniform", "regret")
#: how training draws its anchor cells (``TripleSampler``)
ANCHORS = ("cells", "rows", "mixed", "budgets")
#: an ensemble's models, with each one's score spread when its losses are several
Members = tuple[list[nn.Sequential], list[float] | None]
# Fold models' seeds are seed + 1000 x config + fold; a repeat adds this stride, past any config
# offset a search of under 100 configurations uses, and repeat 0 keeps the unrepeated seeds.
REPEAT_SEED_STRIDE = 100_000


def build_mlp(n_in: int, n_layers: int, n_units: int, dropout: float) -> nn.Sequential:
    """Linear -> Dropout -> ReLU per hidden layer, then Linear to one score (as published)."""
    layers: list[nn.Module] = []
    width = n_in
    for _ in range(n_layers):
        layers += [nn.Linear(width, n_units), nn.Dropout(dropout), nn.ReLU()]
        width = n_units
    layers.append(nn.Linear(width, 1))
    return nn.Sequential(*layers)


class TripleSampler:
    """Vectorised sampling of (anchor, better, worse) cells from a perf matrix with NaNs.

    Anchors are drawn uniformly over observed cells (``anchors="cells"``), or a row first, then
    a cell of it (``anchors="rows"``): every (task, budget) row with a pair to rank weighs the
    same, so rows of few pipelines (large budgets) are not outweighed by rows of many; or half of
    each batch one way, half the other (``anchors="mixed"``); or a budget first (``row_budgets``,
    one value per row), then a row of it, then a cell (``anchors="budgets"``): each budget with
    a pair to rank weighs the same, however few tasks ran at it."""

    def __init__(
        self,
        perf: np.ndarray,
        rng: np.random.Generator,
        anchors: str = "cells",
        row_budgets: np.ndarray | None = None,
    ) -> None:
        self.perf = perf
        self.rng = rng
        self.anchors = anchors
        observed = ~np.isnan(perf)
        self.cells = np.argwhere(observed)  # (n_obs, 2): task, pipeline
        self.n_obs = observed.sum(axis=1)
        self.rankable_rows = np.flatnonzero(self.n_obs >= 2)
        # rankable rows sorted by budget, with each budget's first place and count in that order
        budgets = np.zeros(len(perf)) if row_budgets is None else np.asarray(row_budgets)
        by_budget = np.argsort(budgets[self.rankable_rows], kind="stable")
        self.rows_by_budget = self.rankable_rows[by_budget]
        _, self.budget_start, self.budget_count = np.unique(
            budgets[self.rows_by_budget], return_index=True, return_counts=True
        )
        filled = np.where(observed, perf, np.inf)  # NaN sorts after every observed value
        self.order = np.argsort(filled, axis=1, kind="stable")  # ascending ALC
        self.pos = np.empty_like(self.order)
        rows = np.arange(len(perf))[:, None]
        self.pos[rows, self.order] = np.arange(perf.shape[1])[None, :]

    def _anchors(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        # with no row to rank (one pipeline per row), no draw pairs up: by cell, as published
        by_row = {"cells": 0, "rows": n, "mixed": n // 2, "budgets": n}[self.anchors]
        n_rows = by_row if len(self.rankable_rows) else 0
        pick = self.cells[self.rng.integers(0, len(self.cells), n - n_rows)]
        if n_rows == 0:
            return pick[:, 0], pick[:, 1]
        t = self._rows(n_rows)
        # observed cells fill each row's first n_obs places of the ascending order
        a = self.order[t, (self.rng.random(n_rows) * self.n_obs[t]).astype(np.int64)]
        return np.concatenate([pick[:, 0], t]), np.concatenate([pick[:, 1], a])

    def _rows(self, n: int) -> np.ndarray:
        """``n`` rankable rows: uniformly, or a budget uniformly, then a row of it."""
        if self.anchors != "budgets":
            return self.rankable_rows[self.rng.integers(0, len(self.rankable_rows), n)]
        g = self.rng.integers(0, len(self.budget_start), n)
        place = (self.rng.random(n) * self.budget_count[g]).astype(np.int64)
        return self.rows_by_budget[self.budget_start[g] + place]

    def rows(self, n: int) -> np.ndarray:
        """``n`` rows drawn as the anchors' rows are (by cell, by row, by budget, or mixed)."""
        return self._anchors(n)[0]

    def sample(self, n: int) -> tuple[np.ndarray, ...]:
        t, a = self._anchors(n)
        p, m = self.pos[t, a], self.n_obs[t]
        u1, u2 = self.rng.random(n), self.rng.random(n)
        up = np.minimum(p + 1 + (u1 * (m - p - 1)).astype(np.int64), self.order.shape[1] - 1)
        down = (u2 * p).astype(np.int64)
        better, worse = self.order[t, up], self.order[t, down]
        pa = self.perf[t, a]
        ok_b = (p < m - 1) & (self.perf[t, better] > pa)  # ties carry no order
        ok_w = (p > 0) & (self.perf[t, worse] < pa)
        return t, a, better, worse, ok_b, ok_w


def pair_scale(perf: np.ndarray) -> np.ndarray:
    """Per row, the denominator of normalised regret: best observed minus mean observed (1
    where a row has nothing to rank). Under ``pair_weights="regret"`` a pair of cells weighs
    their difference divided by it: the regret the model risks by ordering them wrongly, so a
    pair closer than the seeds' noise (two seeds of a cell differ by 0.03-0.05 accuracy, about
    as much as two strong pipelines) pulls little and a wide one pulls hard."""
    with np.errstate(all="ignore"):
        spread = np.nanmax(perf, axis=1) - np.nanmean(perf, axis=1)
    return np.where(np.isfinite(spread) & (spread > 0), spread, 1.0)


def train_mlp(
    mf: np.ndarray,
    enc: np.ndarray,
    perf: np.ndarray,
    cfg: dict[str, Any],
    loss: str,
    steps: int,
    batch_size: int,
    seed: int,
    pair: np.ndarray | None = None,
    anchors: str = "cells",
    pair_weights: str = "uniform",
    row_budgets: np.ndarray | None = None,
    temperature: float = LISTWISE_TEMPERATURE,
) -> nn.Sequential:
    """Train one surrogate on tasks ``mf (T, m)`` x pipelines ``enc (P, e)``, ``perf (T, P)``,
    with per-cell features ``pair (T, P, k)`` appended to each input when given, by ``loss``
    (triples for "ranking" and "least_squares", whole rows for "listwise"); ranking pairs weigh
    alike or by their normalised difference (``pair_weights``), and ``row_budgets`` (one per
    row) serve ``anchors="budgets"``. ``temperature`` is read by the listwise loss only."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    n_pair = 0 if pair is None else pair.shape[2]
    n_in = mf.shape[1] + enc.shape[1] + n_pair
    model = build_mlp(n_in, cfg["n_layers"], cfg["n_units"], cfg["dropout"])
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(steps, 1))
    cells = CellInputs(mf, enc, pair)
    sampler = TripleSampler(perf, rng, anchors, row_budgets)
    scale = pair_scale(perf)
    weights = scale if pair_weights == "regret" else None
    mu, sd = float(np.nanmean(perf)), float(np.nanstd(perf)) or 1.0
    zscored = (perf - mu) / sd  # the least-squares target, computed once
    model.train()
    for _ in range(steps):
        if loss == "listwise":
            value = _listwise_loss(model, cells, sampler, perf, scale, batch_size, temperature)
        else:
            value = _triple_loss(model, cells, sampler, perf, zscored, loss, weights, batch_size)
        opt.zero_grad(set_to_none=True)
        value.backward()
        opt.step()
        sched.step()
    model.eval()
    return model


class CellInputs:
    """The surrogate's input rows for (task, pipeline) index pairs: meta-features, encoding and,
    when given, the per-cell features, side by side."""

    def __init__(self, mf: np.ndarray, enc: np.ndarray, pair: np.ndarray | None) -> None:
        self.mf = torch.as_tensor(mf, dtype=torch.float32)
        self.enc = torch.as_tensor(enc, dtype=torch.float32)
        self.pair = None if pair is None else torch.as_tensor(pair, dtype=torch.float32)

    def __call__(self, t: np.ndarray, p: np.ndarray) -> torch.Tensor:
        tt, pp = torch.as_tensor(t), torch.as_tensor(p)
        parts = [self.mf[tt], self.enc[pp]] + ([] if self.pair is None else [self.pair[tt, pp]])
        return torch.cat(parts, dim=-1)


def _triple_loss(
    model: nn.Sequential,
    cells: CellInputs,
    sampler: TripleSampler,
    perf: np.ndarray,
    zscored: np.ndarray,
    loss: str,
    scale: np.ndarray | None,
    batch_size: int,
) -> torch.Tensor:
    """One batch of (anchor, better, worse) triples: the pairwise ranking loss (pairs weighed by
    ``_pair_masks``) or the squared error to each sampled cell's ``zscored`` value."""
    t, a, b, w, ok_b, ok_w = sampler.sample(batch_size)
    tt, pp = np.concatenate([t, t, t]), np.concatenate([a, b, w])
    f = model(cells(tt, pp)).squeeze(1)
    fa, fb, fw = f[:batch_size], f[batch_size : 2 * batch_size], f[2 * batch_size :]
    if loss == "ranking":
        mb, mw = _pair_masks(perf, scale, t, a, b, w, ok_b, ok_w)
        terms = nn.functional.softplus(fa - fb) * mb + nn.functional.softplus(fw - fa) * mw
        return terms.sum() / torch.clamp(mb.sum() + mw.sum(), min=1.0)
    # Only observed cells have a target: a sampled "better"/"worse" slot with no valid
    # partner can point at a missing (NaN) cell of a sparse matrix.
    y = zscored[tt, pp]
    seen = torch.as_tensor(~np.isnan(y))
    target = torch.as_tensor(np.nan_to_num(y), dtype=torch.float32)
    return ((f - target) ** 2)[seen].mean()


def _listwise_loss(
    model: nn.Sequential,
    cells: CellInputs,
    sampler: TripleSampler,
    perf: np.ndarray,
    scale: np.ndarray,
    batch_size: int,
    temperature: float = LISTWISE_TEMPERATURE,
) -> torch.Tensor:
    """Cross-entropy between each sampled row's scores, softmaxed over its observed pipelines,
    and a target that puts the row's mass near its best: softmax of (value - best) over
    ``temperature`` x the row's ``pair_scale``."""
    n_pipes = perf.shape[1]
    # as many input rows per step as the triple losses' 3 x batch_size
    t = sampler.rows(max(round(3 * batch_size / n_pipes), 1))
    tt, pp = np.repeat(t, n_pipes), np.tile(np.arange(n_pipes), len(t))
    f = model(cells(tt, pp)).reshape(len(t), n_pipes)
    values = perf[t]
    seen = torch.as_tensor(~np.isnan(values))
    with np.errstate(all="ignore"):
        gap = (values - np.nanmax(values, axis=1, keepdims=True)) / scale[t, None]
    target = torch.as_tensor(np.nan_to_num(gap / temperature, nan=-np.inf), dtype=torch.float32)
    log_p = torch.log_softmax(f.masked_fill(~seen, -torch.inf), dim=1)
    q = torch.softmax(target, dim=1)
    return -(q * log_p.masked_fill(~seen, 0.0)).sum(dim=1).mean()


def _pair_masks(
    perf: np.ndarray,
    scale: np.ndarray | None,
    t: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    w: np.ndarray,
    ok_b: np.ndarray,
    ok_w: np.ndarray,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Each (anchor, better) and (anchor, worse) pair's weight in the ranking loss: 1 for a
    valid pair (uniform) or its difference over the row's ``pair_scale``; 0 for no pair."""
    up, down = ok_b.astype(np.float64), ok_w.astype(np.float64)
    if scale is not None:
        pa = perf[t, a]
        # invalid slots may point at missing cells (NaN): their weight is 0 either way
        up = np.where(ok_b, np.nan_to_num(perf[t, b] - pa), 0.0) / scale[t]
        down = np.where(ok_w, np.nan_to_num(pa - perf[t, w]), 0.0) / scale[t]
    return torch.as_tensor(up, dtype=torch.float32), torch.as_tensor(down, dtype=torch.float32)


@torch.inference_mode()
def score_matrix(
    models: list[nn.Sequential],
    mf: np.ndarray,
    enc: np.ndarray,
    pair: np.ndarray | None = None,
    spreads: list[float] | None = None,
) -> np.ndarray:
    """Mean ensemble score ``(n_tasks, n_pipelines)``; tasks x pipelines rows built by broadcast
    (``pair (n_tasks, n_pipelines, k)`` appended when given, as in ``train_mlp``), each model's
    scores divided by its ``spreads`` entry when given (``score_spread``)."""
    mf_t = torch.as_tensor(mf, dtype=torch.float32)
    enc_t = torch.as_tensor(enc, dtype=torch.float32)
    n, c = len(mf_t), len(enc_t)
    parts = [mf_t[:, None, :].expand(n, c, -1), enc_t[None, :, :].expand(n, c, -1)]
    if pair is not None:
        parts.append(torch.as_tensor(pair, dtype=torch.float32))
    rows = torch.cat(parts, dim=2).reshape(n * c, -1)
    total = torch.zeros(n * c)
    for i, model in enumerate(models):
        total += model(rows).squeeze(1) / (1.0 if spreads is None else float(spreads[i]))
    return (total / len(models)).reshape(n, c).numpy().astype(np.float64)


def score_spread(
    model: nn.Sequential, mf: np.ndarray, enc: np.ndarray, pair: np.ndarray | None = None
) -> float:
    """How far apart one model scores the pipelines of a task: the mean over ``mf``'s rows of
    the scores' standard deviation (1 where they are all equal). Dividing by it puts models of
    different losses on one scale without making a pick depend on the pool scored; a row's
    mean is left alone, as it moves no pick."""
    spread = float(score_matrix([model], mf, enc, pair).std(axis=1).mean())
    return spread if np.isfinite(spread) and spread > 0 else 1.0


def top_choice_rank(scores: np.ndarray, perf: np.ndarray) -> float:
    """Mean true rank (1 = best among the task's observed pipelines) of the top-scored one."""
    observed = ~np.isnan(perf)
    s = np.where(observed, scores, -np.inf)
    choice = np.argmax(s, axis=1)
    chosen = perf[np.arange(len(perf)), choice]
    better = (np.where(observed, perf, -np.inf) > chosen[:, None]).sum(axis=1)
    return float((better + 1).mean())


class ZapHPO(Selector):
    """ZAP-HPO: a ranking MLP over [meta-features, pipeline encoding]; scores unseen pipelines.

    ``target``: the measure of the training runs the surrogates fit, when not the objective the
    meta-dataset is scored by (``objectives.MEASURES``; e.g. ``"accuracy"`` for a ``final``
    selector). The selector still serves, and is judged by, that objective."""

    name = "zap_hpo"
    scores_unseen_pipelines = True

    def __init__(
        self,
        loss: str = "ranking",
        epochs: int = 60,
        steps_per_epoch: int = 25,
        batch_size: int = 128,
        lr: float = 1e-3,
        n_layers: int = 2,
        n_units: int = 128,
        dropout: float = 0.1,
        n_configs: int = 2,
        n_folds: int = 5,
        n_threads: int | None = 1,
        seed: int = 0,
        log_metafeatures: bool = False,
        cost_features: bool = False,
        n_repeats: int = 1,
        target: str | None = None,
        anchors: str = "cells",
        pair_weights: str = "uniform",
        temperature: float = LISTWISE_TEMPERATURE,
    ) -> None:
        self.loss = loss
        self.epochs = epochs
        self.steps_per_epoch = steps_per_epoch
        self.batch_size = batch_size
        self.lr = lr
        self.n_layers = n_layers
        self.n_units = n_units
        self.dropout = dropout
        self.n_configs = n_configs
        self.n_folds = n_folds
        self.n_threads = n_threads
        self.seed = seed
        self.log_metafeatures = log_metafeatures
        self.cost_features = cost_features
        self.n_repeats = n_repeats
        self.target = target
        self.anchors = anchors
        self.pair_weights = pair_weights
        self.temperature = temperature

    def _configs(self) -> list[dict[str, Any]]:
        """The constructor's configuration, then random draws (ranges narrowed from the paper's
        to what trains in seconds on a CPU)."""
        rng = np.random.default_rng([self.seed, 17])
        out = [
            {
                "lr": self.lr,
                "n_layers": self.n_layers,
                "n_units": self.n_units,
                "dropout": self.dropout,
            }
        ]
        for _ in range(max(self.n_configs, 1) - 1):
            out.append(
                {
                    "lr": float(10 ** rng.uniform(-3.7, -2.3)),
                    "n_layers": int(rng.integers(2, 5)),
                    "n_units": int(2 ** rng.integers(5, 8)),
                    "dropout": float(rng.uniform(0.0, 0.4)),
                }
            )
        return out

    def _losses(self) -> tuple[str, ...]:
        """The loss of each member an ensemble trains per repeat: one, or several joined."""
        return tuple(str(self.loss).split(LOSS_JOINER))

    def _check_loss(self) -> str | None:
        """What is wrong with ``loss``, or None."""
        parts = self._losses()
        if any(part not in LOSSES for part in parts) or len(set(parts)) < len(parts):
            return (
                f"must be one of {LOSSES}, or several of them joined by {LOSS_JOINER!r} "
                f"(e.g. 'ranking{LOSS_JOINER}listwise')"
            )
        return None

    def _fit(self, md: MetaDataset) -> None:
        problem = self._check_loss()
        if problem is not None:
            raise ValueError(f"The 'loss' parameter {problem}. Got {self.loss!r}.")
        if self.anchors not in ANCHORS:
            raise ValueError(
                f"The 'anchors' parameter must be one of {ANCHORS}. Got {self.anchors!r}."
            )
        if self.pair_weights not in PAIR_WEIGHTS:
            raise ValueError(
                f"The 'pair_weights' parameter must be one of {PAIR_WEIGHTS}. "
                f"Got {self.pair_weights!r}."
            )
        if not self.temperature > 0:
            raise ValueError(f"The 'temperature' parameter must be > 0. Got {self.temperature!r}.")
        repeats = self.n_repeats
        if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
            raise ValueError(f"The 'n_repeats' parameter must be an int >= 1. Got {repeats!r}.")
        with torch_threads(self.n_threads):
            self._fit_models(md)

    def _fit_models(self, md: MetaDataset) -> None:
        self.cv_: list[dict[str, Any]] = []
        self.scaler_ = MetaFeatureScaler(log=self.log_metafeatures).fit(self.train_mf_)
        self.encoder_ = candidate_encoder(self.pipelines_, md.candidate_kinds)
        mf = self.scaler_.transform(self.train_mf_)
        enc = self.encoder_.transform(self.pipelines_)
        pair = self._fit_cost_features()
        perf = self._training_perf(md)
        budgets = self._row_budgets()
        steps = int(self.epochs) * int(self.steps_per_epoch)
        configs = self._configs()
        groups = np.asarray(self.train_core_)
        folds = inner_folds(groups, self.n_folds, md.has_groups, self.seed)
        if not folds:  # one core dataset: nothing to validate on, train the default once
            self.cv_ = [{"config": configs[0], "mean_top_rank": None}]
            self.config_ = configs[0]
            self.models_, self.spreads_ = self._train_members(
                mf, enc, perf, configs[0], steps, self.seed, pair, budgets, repeats=1
            )
            return
        best: tuple[float, Members, dict[str, Any]] | None = None

        for ci, cfg in enumerate(configs):
            models: list[nn.Sequential] = []
            spreads: list[float] | None = None
            ranks = []
            # each fold's model n_repeats times from other seeds, all kept: the final score
            # averages n_repeats x n_folds models (bagging against the MLP's seed-to-seed noise)
            for fi, (tr, va) in enumerate(folds):
                fold_models, fold_spreads = self._train_members(
                    mf[tr],
                    enc,
                    perf[tr],
                    cfg,
                    steps,
                    self.seed + 1000 * ci + fi,
                    None if pair is None else pair[tr],
                    None if budgets is None else budgets[tr],
                )
                scores = score_matrix(
                    fold_models, mf[va], enc, None if pair is None else pair[va], fold_spreads
                )
                ranks.append(top_choice_rank(scores, perf[va]))
                models.extend(fold_models)
                if fold_spreads is not None:
                    spreads = (spreads or []) + fold_spreads
            mean_rank = float(np.mean(ranks))
            self.cv_.append({"config": cfg, "mean_top_rank": mean_rank})
            if best is None or mean_rank < best[0]:
                best = (mean_rank, (models, spreads), cfg)
        assert best is not None  # configs is never empty
        _, (self.models_, self.spreads_), self.config_ = best

    def _train_members(
        self,
        mf: np.ndarray,
        enc: np.ndarray,
        perf: np.ndarray,
        cfg: dict[str, Any],
        steps: int,
        seed: int,
        pair: np.ndarray | None,
        row_budgets: np.ndarray | None,
        repeats: int | None = None,
    ) -> Members:
        """One model per repeat (seeds ``REPEAT_SEED_STRIDE`` apart) and per loss, trained on
        these rows with this selector's batch size, anchors and pair weights; with each model's
        ``score_spread`` over them when the losses are several (None for one loss: its models
        score on one scale and are averaged as they are)."""
        losses = self._losses()
        models = [
            train_mlp(
                mf,
                enc,
                perf,
                cfg,
                loss,
                steps,
                self.batch_size,
                seed + REPEAT_SEED_STRIDE * r,
                pair,
                self.anchors,
                self.pair_weights,
                row_budgets,
                self.temperature,
            )
            for r in range(self.n_repeats if repeats is None else repeats)
            for loss in losses
        ]
        if len(losses) == 1:
            return models, None
        return models, [score_spread(model, mf, enc, pair) for model in models]

    def _row_budgets(self) -> np.ndarray | None:
        """Each training row's budget (for ``anchors="budgets"``); None on one budget."""
        if BUDGET_FEATURE not in self.metafeature_names_:
            return None
        return np.asarray(self.train_mf_[:, self.metafeature_names_.index(BUDGET_FEATURE)])

    def _training_perf(self, md: MetaDataset) -> np.ndarray:
        """The matrix the surrogates fit: the objective's, or ``target``'s (same rows, columns)."""
        scored = md if self.target is None else md.for_objective(check_measure(self.target))
        return scored.perf.to_numpy(dtype=np.float64)

    def _fit_cost_features(self) -> np.ndarray | None:
        """The training cells' cost features (``cost_features``), z-scored; None when off."""
        if not self.cost_features:
            return None
        self.clock_version_ = CLOCK_VERSION
        self.pipeline_costs_ = pipeline_costs(self.pipelines_, self.clock_version_)
        raw = pair_features(self.train_mf_, self.metafeature_names_, self.pipeline_costs_)
        flat = raw.reshape(-1, raw.shape[2])
        spread = flat.std(axis=0)
        self.cost_mean_ = flat.mean(axis=0)
        self.cost_std_ = np.where(spread > 0, spread, 1.0)
        return np.asarray((raw - self.cost_mean_) / self.cost_std_)

    def _cost_features(self, x: np.ndarray, pool: list[Pipeline]) -> np.ndarray | None:
        """Scaled cost features of raw query rows ``x`` with ``pool``; training pipelines reuse
        the costs saved with the selector (counting a network takes about a second)."""
        if not self.cost_features:
            return None
        costs = pipeline_costs(pool, self.clock_version_, self.saved_costs())
        raw = pair_features(x, self.metafeature_names_, costs)
        return np.asarray((raw - self.cost_mean_) / self.cost_std_)

    def saved_costs(self) -> dict[str, np.ndarray]:
        """Training pipeline id -> its ``pipeline_costs`` row (empty without cost features)."""
        if not self.cost_features:
            return {}
        return dict(zip(self.pipeline_ids_, self.pipeline_costs_, strict=True))

    def _score(self, x: np.ndarray, candidates: Candidates) -> np.ndarray:
        pool = self.pipelines_ if candidates is None else self.resolve_candidates(candidates)
        enc = self.encoder_.transform(pool)
        pair = self._cost_features(x, pool)
        with torch_threads(self.n_threads):
            return score_matrix(self.models_, self.scaler_.transform(x), enc, pair, self.spreads_)

    # persistence ----------------------------------------------------------
    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        enc_cfg, enc_arrays = self.encoder_.get_state()
        arrays = {f"enc.{k}": v for k, v in enc_arrays.items()}
        arrays.update({f"mf.{k}": v for k, v in self.scaler_.get_state().items()})
        if self.cost_features:
            arrays.update(
                {
                    "cost.pipeline_costs": self.pipeline_costs_,
                    "cost.mean": self.cost_mean_,
                    "cost.std": self.cost_std_,
                }
            )
        for i, model in enumerate(self.models_):
            for key, tensor in model.state_dict().items():
                arrays[f"m{i}.{key}"] = tensor.detach().cpu().numpy()
        if self.spreads_ is not None:
            arrays["score_spreads"] = np.asarray(self.spreads_, dtype=np.float64)
        cfg = {
            "encoder": enc_cfg,
            "config": self.config_,
            "cv": self.cv_,
            "n_models": len(self.models_),
            "n_in": self._n_in(),
        }
        if self.cost_features:
            cfg["clock_version"] = self.clock_version_
        return cfg, arrays

    def _n_in(self) -> int:
        first = self.models_[0][0]
        assert isinstance(first, nn.Linear)  # build_mlp always starts with a Linear
        return int(first.in_features)

    def _check_state(self) -> None:
        problem = self._check_loss()
        if problem is not None:
            raise ArtifactError(f"'params.loss' is {self.loss!r}; it {problem}.")
        if not self.models_:
            raise ArtifactError("it holds no ZAP-HPO model.")
        joined = len(self._losses()) > 1
        if joined != (self.spreads_ is not None):
            held = "no score spreads" if joined else "score spreads for one loss"
            raise ArtifactError(f"'params.loss' is {self.loss!r} but it holds {held}.")
        if self.spreads_ is not None:
            check_finite("score_spreads", np.asarray(self.spreads_))
            if min(self.spreads_) <= 0:
                raise ArtifactError("its 'score_spreads' must all be > 0 (each divides a score).")
            if len(self.spreads_) != len(self.models_):
                raise ArtifactError(
                    f"it holds {len(self.spreads_)} score spreads for {len(self.models_)} models."
                )
        n_in = len(self.metafeature_names_) + len(self.encoder_.feature_names())
        n_in += len(COST_FEATURES) if self.cost_features else 0
        if self._n_in() != n_in:
            raise ArtifactError(f"its models take {self._n_in()} inputs, its encodings {n_in}.")
        for i, model in enumerate(self.models_):
            for key, tensor in model.state_dict().items():
                check_finite(f"m{i}.{key}", tensor.detach().cpu().numpy())

    def _set_state(self, config: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        enc = {k[4:]: v for k, v in arrays.items() if k.startswith("enc.")}
        self.encoder_ = candidate_encoder_from_state(config["encoder"], enc)
        self.scaler_ = MetaFeatureScaler.from_state(
            {k[3:]: v for k, v in arrays.items() if k.startswith("mf.")}
        )
        self.config_, self.cv_ = dict(config["config"]), list(config["cv"])
        if self.cost_features:
            self.clock_version_ = int(config["clock_version"])
            self.pipeline_costs_ = arrays["cost.pipeline_costs"]
            self.cost_mean_, self.cost_std_ = arrays["cost.mean"], arrays["cost.std"]
        cfg = self.config_
        self.models_ = []
        for i in range(int(config["n_models"])):
            model = build_mlp(int(config["n_in"]), cfg["n_layers"], cfg["n_units"], cfg["dropout"])
            prefix = f"m{i}."
            state = {
                k[len(prefix) :]: torch.from_numpy(v.copy())
                for k, v in arrays.items()
                if k.startswith(prefix)
            }
            model.load_state_dict(state)
            model.eval()
            self.models_.append(model)
        spreads = arrays.get("score_spreads")
        self.spreads_ = None if spreads is None else [float(v) for v in spreads]
