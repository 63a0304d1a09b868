"""Pipeline / meta-feature encodings and ZAP-HPO's triple sampling and model-selection score."""

from __future__ import annotations

import numpy as np
import pytest
from ConfigSpace import Categorical, Constant, Float

from zapml.selectors import encoding
from zapml.selectors.encoding import SCHEMA, EncodingSchema, MetaFeatureScaler, PipelineEncoder
from zapml.selectors.zap_hpo import TripleSampler, top_choice_rank
from zapml.space import build_space, default_pipeline, hyperparameter_names


def _pipes():
    base = default_pipeline()
    return [
        base.replace(lr=0.1, optimizer="SGD", momentum=0.5),
        base.replace(lr=0.001, optimizer="Adam", amsgrad=True, architecture="efficientnet_lite0"),
        base.replace(lr=0.01, first_simple_model=False),
    ]


def test_pipeline_encoding_follows_the_reference():
    pipes = _pipes()
    enc = PipelineEncoder().fit(pipes)
    names = enc.feature_names()
    x = enc.transform(pipes)
    assert x.shape == (3, len(names))
    raw = np.log10([0.1, 0.001, 0.01])
    lr = names.index("lr")
    np.testing.assert_allclose(x[:, lr], (raw - raw.mean()) / raw.std())
    # momentum is 0 (before z-scoring) for Adam: raw values 0.5, 0, 0.9 -> z-scored
    mom = np.array([0.5, 0.0, 0.9])
    np.testing.assert_allclose(x[:, names.index("momentum")], (mom - mom.mean()) / mom.std())
    # a constant column (std 0) stays finite: divided by 1
    assert np.all(x[:, names.index("batch_size")] == 0.0)
    assert x[1, names.index("optimizer=Adam")] == 1.0
    assert x[1, names.index("amsgrad")] == 1.0 and x[0, names.index("amsgrad")] == 0.0
    assert x[2, names.index("simple_model=LR")] == 0.0  # inactive categorical: all zeros
    arch = [i for i, n in enumerate(names) if n.startswith("architecture=")]
    unseen = enc.transform([default_pipeline().replace(architecture="resnet18.scratch")])
    assert unseen[0, arch].sum() == 0.0  # unseen architecture -> all-zero one-hot


def test_missing_hyperparameter_is_named():
    enc = PipelineEncoder().fit(_pipes())
    broken = default_pipeline().to_dict()
    del broken["wd"]
    with pytest.raises(ValueError, match="'wd'"):
        enc.transform([broken])


def test_metafeature_scaler_log_and_zscore():
    x = np.array([[1.0, 10.0], [1.0, 1000.0]])
    s = MetaFeatureScaler(log=True).fit(x)
    out = s.transform(x)
    np.testing.assert_allclose(out[:, 0], 0.0)  # constant: std 0 -> 1
    np.testing.assert_allclose(out[:, 1], [-1.0, 1.0])


def test_triples_are_ordered_and_skip_missing_cells():
    perf = np.array([[0.1, 0.5, np.nan, 0.3], [0.2, 0.2, 0.9, np.nan]])
    sampler = TripleSampler(perf, np.random.default_rng(0))
    t, a, b, w, ok_b, ok_w = sampler.sample(2000)
    assert not np.isnan(perf[t, a]).any()
    assert (perf[t[ok_b], b[ok_b]] > perf[t[ok_b], a[ok_b]]).all()
    assert (perf[t[ok_w], w[ok_w]] < perf[t[ok_w], a[ok_w]]).all()
    assert not np.isnan(perf[t[ok_b], b[ok_b]]).any() and not np.isnan(perf[t[ok_w], w[ok_w]]).any()
    assert ok_b.any() and ok_w.any()


def test_row_anchors_weigh_each_rankable_row_alike():
    # Row 0 has 18 observed cells, row 1 two, row 2 one (nothing to rank against). Drawn by
    # cell, row 1 gets 2 of 21 anchors; drawn by row, half of them, and row 2 none.
    perf = np.full((3, 20), np.nan)
    perf[0, :18] = np.linspace(0.1, 0.9, 18)
    perf[1, [3, 7]] = [0.2, 0.6]
    perf[2, 5] = 0.4
    n = 20_000
    by_cell = TripleSampler(perf, np.random.default_rng(0)).sample(n)[0]
    by_row = TripleSampler(perf, np.random.default_rng(0), anchors="rows")
    t, a, b, w, ok_b, ok_w = by_row.sample(n)
    assert abs(np.mean(by_cell == 1) - 2 / 21) < 0.01
    assert abs(np.mean(t == 1) - 0.5) < 0.01 and not (t == 2).any()
    assert not np.isnan(perf[t, a]).any()
    # row 1's anchors split evenly between its two cells, each with its one partner
    assert abs(np.mean(a[t == 1] == 7) - 0.5) < 0.02
    assert (b[(t == 1) & ok_b] == 7).all() and (w[(t == 1) & ok_w] == 3).all()
    assert (perf[t[ok_b], b[ok_b]] > perf[t[ok_b], a[ok_b]]).all()
    # "mixed": half the batch by cell, half by row: row 1 gets (2/21 + 1/2) / 2 of the anchors
    t_mixed = TripleSampler(perf, np.random.default_rng(0), anchors="mixed").sample(n)[0]
    assert abs(np.mean(t_mixed == 1) - (2 / 21 + 0.5) / 2) < 0.01
    assert abs(np.mean(t_mixed == 2) - (1 / 21) / 2) < 0.005


def test_budget_anchors_weigh_each_budget_alike_then_each_row():
    # Budget 4 has three rankable rows, budget 256 one (and one row with nothing to rank): by
    # budget, row 3 gets half the anchors, each budget-4 row a sixth; by row, a quarter each.
    perf = np.full((5, 6), np.nan)
    perf[:4, :3] = [[0.1, 0.5, 0.3], [0.2, 0.4, 0.6], [0.9, 0.1, 0.5], [0.3, 0.7, 0.2]]
    perf[4, 0] = 0.5
    budgets = np.array([4.0, 4.0, 4.0, 256.0, 256.0])
    n = 24_000
    sampler = TripleSampler(perf, np.random.default_rng(1), "budgets", budgets)
    t, a, b, w, ok_b, ok_w = sampler.sample(n)
    assert abs(np.mean(t == 3) - 0.5) < 0.01 and not (t == 4).any()
    for row in range(3):
        assert abs(np.mean(t == row) - 1 / 6) < 0.01
    assert not np.isnan(perf[t, a]).any()
    assert (perf[t[ok_b], b[ok_b]] > perf[t[ok_b], a[ok_b]]).all()
    # without budgets every row is one budget's: the same draws as anchors by row
    plain = TripleSampler(perf, np.random.default_rng(1), "budgets").sample(n)[0]
    assert abs(np.mean(plain == 3) - 0.25) < 0.01


def test_top_choice_rank_by_hand():
    perf = np.array([[0.1, 0.5, 0.3], [0.9, np.nan, 0.2]])
    scores = np.array([[0.0, 0.0, 1.0], [0.0, 5.0, 1.0]])  # task 2's top is NaN -> skipped
    # task 1 picks 0.3 (rank 2); task 2 picks 0.2 among observed (rank 2)
    assert top_choice_rank(scores, perf) == 2.0


def test_the_encoding_covers_the_space_exactly():
    SCHEMA.check_covers()
    assert set(SCHEMA.keys) == set(hyperparameter_names())
    assert len(SCHEMA.keys) == len(hyperparameter_names())  # each read once
    assert SCHEMA.categorical["optimizer"] == tuple(build_space()["optimizer"].choices)
    # The column layout legacy artifacts (the shipped selector) were saved with: ZAP-HPO's.
    last = ("momentum", "freeze_portion", "warmup_multiplier", "warm_up_epoch")
    assert SCHEMA.numerical[-4:] == last
    assert SCHEMA.boolean == ("nesterov", "amsgrad", "first_simple_model")
    assert SCHEMA.log10 == {"lr", "wd", "min_lr"}
    assert SCHEMA.conditional_zero == {"momentum", "nesterov", "amsgrad"}


def _space_with_label_smoothing():
    cs = build_space()
    cs.add(Float("label_smoothing", (0.0, 0.2), default=0.1))
    return cs


def test_a_new_hyperparameter_is_encoded_by_an_encoder_built_on_the_space():
    schema = EncodingSchema.from_space(_space_with_label_smoothing())
    assert "label_smoothing" in schema.numerical
    pipes = [default_pipeline().replace(label_smoothing=v) for v in (0.0, 0.1, 0.2)]
    enc = PipelineEncoder(schema).fit(pipes)
    col = enc.feature_names().index("label_smoothing")
    expected = [-1.2247449, 0.0, 1.2247449]  # (v - 0.1) / std([0, 0.1, 0.2])
    np.testing.assert_allclose(enc.transform(pipes)[:, col], expected, atol=1e-6)


def test_a_stale_encoding_fails_the_coverage_check(monkeypatch):
    with pytest.raises(ValueError, match=r"not encoded \['label_smoothing'\]"):
        SCHEMA.check_covers(_space_with_label_smoothing())
    cs = build_space()
    cs.add(Categorical("ema", (True, False)))
    with pytest.raises(ValueError, match=r"not encoded \['ema'\]"):
        SCHEMA.check_covers(cs)
    # A saved encoder whose space has since gained a hyperparameter is refused on load.
    config, arrays = PipelineEncoder().fit(_pipes()).get_state()
    monkeypatch.setattr(encoding, "default_space", _space_with_label_smoothing)
    with pytest.raises(ValueError, match="label_smoothing.*Retrain"):
        PipelineEncoder.from_state(config, arrays)


def test_changed_choices_and_unknown_kinds_are_refused():
    cs = build_space()
    cs.add(Constant("label_smoothing", 0.1))
    with pytest.raises(ValueError, match="cannot encode hyperparameter 'label_smoothing'"):
        EncodingSchema.from_space(cs)
    stale = EncodingSchema(
        SCHEMA.numerical,
        SCHEMA.log10,
        SCHEMA.boolean,
        {**SCHEMA.categorical, "optimizer": ("SGD", "Adam")},
        SCHEMA.conditional_zero,
        SCHEMA.architectures,
    )
    with pytest.raises(ValueError, match=r"other choices \['optimizer'\]"):
        stale.check_covers()
