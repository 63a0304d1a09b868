"""ZAP-HPO's own options beyond the selector contract: meta-features on a ratio scale, repeated
fold models, anchors by row, pairs weighed by their difference, the listwise loss and losses
joined into one ensemble, a training target other than the objective."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch
from torch import nn

from zapml.errors import ArtifactError
from zapml.metadataset.metadataset import BUDGET_FEATURE, Matrices
from zapml.selectors import get_selector, load_selector, make_budget_metadataset
from zapml.selectors.recipe import SHIPPED_TARGETS, settings_for
from zapml.selectors.test_selectors import FAST, _edit_and_rehash
from zapml.selectors.zap_hpo import (
    LISTWISE_TEMPERATURE,
    CellInputs,
    TripleSampler,
    _listwise_loss,
    _pair_masks,
    pair_scale,
    score_matrix,
    score_spread,
)


@pytest.fixture(scope="module")
def multi():
    return make_budget_metadataset((4.0, 16.0, 64.0), n_core=3, tasks_per_core=3, seed=2)


@pytest.fixture(scope="module")
def logged(multi):
    return get_selector("zap_hpo", log_metafeatures=True, **FAST["zap_hpo"]).fit(multi)


def test_log_metafeatures_z_scores_log1p_of_the_non_negative_columns(multi, logged):
    x = logged.train_mf_.astype(float)
    assert (x >= 0).all(), "the synthetic meta-features are sizes and counts"
    by_hand = np.log1p(x)
    spread = by_hand.std(axis=0)
    by_hand = (by_hand - by_hand.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    np.testing.assert_allclose(logged.scaler_.transform(x), by_hand, rtol=1e-10, atol=1e-10)


def test_without_the_option_the_columns_stay_linear(multi):
    linear = get_selector("zap_hpo", **FAST["zap_hpo"]).fit(multi)
    x = linear.train_mf_.astype(float)
    by_hand = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    np.testing.assert_allclose(linear.scaler_.transform(x), by_hand, rtol=1e-10, atol=1e-10)


def test_log_metafeatures_survive_save_and_load(multi, logged, tmp_path):
    logged.save(tmp_path / "sel")
    back = load_selector(tmp_path / "sel")
    assert back.get_params()["log_metafeatures"] is True
    query = multi.stack_budgets().metafeatures(logged.metafeature_names_)
    np.testing.assert_array_equal(back.rank(query), logged.rank(query))


def test_repeated_fold_models_are_averaged_and_one_repeat_changes_nothing(multi, tmp_path):
    once = get_selector("zap_hpo", **FAST["zap_hpo"]).fit(multi)
    same = get_selector("zap_hpo", n_repeats=1, **FAST["zap_hpo"]).fit(multi)
    query = multi.stack_budgets().metafeatures(once.metafeature_names_)
    raw = query.to_numpy(dtype=float)
    np.testing.assert_array_equal(same._score(raw, None), once._score(raw, None))
    bagged = get_selector("zap_hpo", n_repeats=3, **FAST["zap_hpo"]).fit(multi)
    n_folds = FAST["zap_hpo"]["n_folds"]
    assert len(bagged.models_) == 3 * n_folds
    # repeat 0 of every fold is the unrepeated model; the score is the mean over all of them
    for fold in range(n_folds):
        a, b = bagged.models_[3 * fold].state_dict(), once.models_[fold].state_dict()
        assert all(np.array_equal(a[k].numpy(), b[k].numpy()) for k in a)
    x = bagged.scaler_.transform(raw)
    enc = bagged.encoder_.transform(bagged.pipelines_)
    each = [score_matrix([m], x, enc) for m in bagged.models_]
    np.testing.assert_allclose(
        bagged._score(raw, None), np.mean(each, axis=0), rtol=1e-5, atol=1e-6
    )
    bagged.save(tmp_path / "bagged")
    np.testing.assert_array_equal(
        load_selector(tmp_path / "bagged").rank(query), bagged.rank(query)
    )


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_bad_repeat_counts_are_refused_by_name(multi, bad):
    with pytest.raises(ValueError, match="'n_repeats' parameter must be an int >= 1"):
        get_selector("zap_hpo", n_repeats=bad, **FAST["zap_hpo"]).fit(multi)


@pytest.mark.parametrize(
    "option",
    [
        {"anchors": "rows"},
        {"anchors": "budgets"},
        {"pair_weights": "regret"},
        {"loss": "listwise"},
        {"loss": "ranking+listwise"},
    ],
)
def test_each_training_option_trains_another_model_that_reloads(multi, tmp_path, option):
    plain = get_selector("zap_hpo", **FAST["zap_hpo"]).fit(multi)
    changed = get_selector("zap_hpo", **option, **FAST["zap_hpo"]).fit(multi)
    query = multi.stack_budgets().metafeatures(changed.metafeature_names_)
    raw = query.to_numpy(dtype=float)
    assert not np.array_equal(changed._score(raw, None), plain._score(raw, None))
    changed.save(tmp_path / "changed")
    back = load_selector(tmp_path / "changed")
    assert option.items() <= back.get_params().items()
    np.testing.assert_array_equal(back.rank(query), changed.rank(query))


def test_budget_anchors_read_each_training_rows_budget(multi):
    selector = get_selector("zap_hpo", anchors="budgets", **FAST["zap_hpo"]).fit(multi)
    stacked = multi.stack_budgets()
    # one row per (task, budget), the budget read from the stacked meta-features
    assert sorted(set(selector._row_budgets())) == [4.0, 16.0, 64.0]
    np.testing.assert_array_equal(
        selector._row_budgets(), stacked.metafeatures([BUDGET_FEATURE]).to_numpy(dtype=float)[:, 0]
    )
    one = get_selector("zap_hpo", anchors="budgets", **FAST["zap_hpo"]).fit(multi.at_budget(16.0))
    assert one._row_budgets() is None


def test_an_unknown_anchor_sampling_is_refused_by_name(multi):
    with pytest.raises(ValueError, match="'anchors' parameter must be one of"):
        get_selector("zap_hpo", anchors="tasks", **FAST["zap_hpo"]).fit(multi)


def test_pair_scale_is_the_normalised_regret_denominator_of_each_row():
    nan = np.nan
    perf = np.array([[0.9, 0.6, 0.3], [0.5, nan, 0.7], [0.4, nan, nan], [0.2, 0.2, nan]])
    # best minus mean, by hand: 0.9 - 0.6; 0.7 - 0.6; one cell and a tie have nothing: 1
    np.testing.assert_allclose(pair_scale(perf), [0.3, 0.1, 1.0, 1.0])


def test_regret_pair_weights_are_differences_over_the_row_scale():
    nan = np.nan
    perf = np.array([[0.9, 0.6, 0.3, nan], [0.5, nan, 0.7, 0.6]])
    t, a, b, w, ok_b, ok_w = TripleSampler(perf, np.random.default_rng(3)).sample(400)
    up, down = (m.numpy() for m in _pair_masks(perf, pair_scale(perf), t, a, b, w, ok_b, ok_w))
    scale = np.array([0.3, 0.1])  # 0.9 - 0.6 and 0.7 - 0.6
    for i in range(400):  # each valid pair weighs its gap in units of its row's scale
        gap_up = perf[t[i], b[i]] - perf[t[i], a[i]] if ok_b[i] else 0.0
        gap_down = perf[t[i], a[i]] - perf[t[i], w[i]] if ok_w[i] else 0.0
        assert up[i] == pytest.approx(gap_up / scale[t[i]], rel=1e-6)
        assert down[i] == pytest.approx(gap_down / scale[t[i]], rel=1e-6)
    # e.g. 0.3 -> 0.9 on row 0 is two scales; 0.5 -> 0.6 on row 1 is one
    assert up.max() == pytest.approx(2.0, rel=1e-6) and ok_b.any() and ok_w.any()
    uniform = _pair_masks(perf, None, t, a, b, w, ok_b, ok_w)
    np.testing.assert_array_equal(uniform[0].numpy(), ok_b.astype(np.float32))


@pytest.mark.parametrize("temperature", [LISTWISE_TEMPERATURE, 1.0])
def test_the_listwise_loss_is_the_cross_entropy_worked_by_hand(temperature):
    # one row to rank (row 1 has a single cell), four pipelines, the third never run there
    perf = np.array([[0.9, 0.6, np.nan, 0.3], [0.5, np.nan, np.nan, np.nan]])
    scores = [2.0, 1.0, 5.0, -1.0]  # the model's score of each pipeline (one-hot encodings)
    model = nn.Sequential(nn.Linear(5, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[0.0, *scores]]))
        model[0].bias.zero_()
    cells = CellInputs(np.zeros((2, 1)), np.eye(4), None)
    sampler = TripleSampler(perf, np.random.default_rng(0), anchors="rows")
    loss = _listwise_loss(model, cells, sampler, perf, pair_scale(perf), 8, temperature)
    value = float(loss.detach())
    # target: softmax of (value - 0.9) / (temperature x (0.9 - 0.6)) over the observed 0, 1, 3;
    # prediction: softmax of the scores over the same three (the unobserved 5.0 left out)
    gaps = np.array([0.0, -0.3, -0.6]) / (temperature * 0.3)
    q = np.exp(gaps) / np.exp(gaps).sum()
    s = np.array([2.0, 1.0, -1.0])
    log_p = s - np.log(np.exp(s).sum())
    assert value == pytest.approx(-(q * log_p).sum(), rel=1e-5)


@pytest.mark.parametrize("bad", [0.0, -0.5])
def test_a_temperature_not_above_zero_is_refused_by_name(multi, bad):
    with pytest.raises(ValueError, match="'temperature' parameter must be > 0"):
        get_selector("zap_hpo", loss="listwise", temperature=bad, **FAST["zap_hpo"]).fit(multi)


def test_an_unknown_pair_weighting_is_refused_by_name(multi):
    with pytest.raises(ValueError, match="'pair_weights' parameter must be one of"):
        get_selector("zap_hpo", pair_weights="gain", **FAST["zap_hpo"]).fit(multi)


def _with_accuracy(md, accuracy):
    """``md`` holding ``accuracy`` (budget -> matrix) as its final-accuracy measure."""
    budgets = {b: accuracy[b] for b in md.budgets}
    return replace(md, other_objectives={"accuracy": Matrices(budgets[md.budgets[0]], budgets)})


def test_a_training_target_fits_that_measure_and_keeps_the_objective(multi):
    # The accuracy measure orders every task's pipelines the other way round: fitting it must
    # equal fitting a copy of the meta-dataset whose own matrices are those values, and must
    # differ from fitting the objective.
    flipped = {b: 1.0 - frame for b, frame in multi.budget_perf.items()}
    md = _with_accuracy(multi, flipped)
    targeted = get_selector("zap_hpo", target="accuracy", **FAST["zap_hpo"]).fit(md)
    by_hand = replace(multi, perf=flipped[multi.budgets[0]], budget_perf=flipped)
    reference = get_selector("zap_hpo", **FAST["zap_hpo"]).fit(by_hand)
    plain = get_selector("zap_hpo", **FAST["zap_hpo"]).fit(md)
    raw = md.stack_budgets().metafeatures(targeted.metafeature_names_).to_numpy(dtype=float)
    np.testing.assert_array_equal(targeted._score(raw, None), reference._score(raw, None))
    assert not np.array_equal(targeted._score(raw, None), plain._score(raw, None))
    assert targeted.objective_ == md.objective == "alc"  # it serves the objective


def test_the_shipped_recipe_drops_a_target_the_metadataset_lacks(multi):
    final = replace(multi, objective="final")  # a store's matrices; no accuracy held
    assert "target" not in settings_for(final, "final")
    held = _with_accuracy(final, dict(multi.budget_perf))
    assert settings_for(held, "final")["target"] == "accuracy"
    assert SHIPPED_TARGETS == {("final", "trivial"): "accuracy", ("final", "all"): "accuracy"}
    assert "target" not in settings_for(held, "alc")  # alc fits itself
    # the probe selector fits accuracy too since the forty-fifth session, and drops it likewise
    assert settings_for(held, "final", "all")["target"] == "accuracy"
    assert "target" not in settings_for(final, "final", "all")
    with pytest.raises(ValueError, match="Unknown measure 'acuracy'. Did you mean 'accuracy'"):
        get_selector("zap_hpo", target="acuracy", **FAST["zap_hpo"]).fit(held)


def test_the_score_spread_is_the_mean_row_deviation_worked_by_hand():
    # one linear layer: score = 2 x encoding + 0.5 x meta-feature + 1, so every row scores the
    # pipelines (encodings 0, 1, 2) at offsets 0, 2, 4 from its own base: std sqrt(8/3)
    model = nn.Sequential(nn.Linear(2, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[0.5, 2.0]]))
        model[0].bias.fill_(1.0)
    mf, enc = np.array([[0.0], [3.0], [-7.0]]), np.array([[0.0], [1.0], [2.0]])
    assert score_spread(model, mf, enc) == pytest.approx(np.sqrt(8 / 3), rel=1e-6)
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[0.5, 0.0]]))  # all pipelines alike: no scale
    assert score_spread(model, mf, enc) == 1.0
    # divided by its spread, each model's row moves by its own scale before the mean
    twice = score_matrix([model, model], mf, enc, spreads=[1.0, 4.0])
    np.testing.assert_allclose(twice, score_matrix([model], mf, enc) * (1 + 0.25) / 2, rtol=1e-6)


def test_joined_losses_train_each_loss_model_and_average_them_over_their_spreads(multi, tmp_path):
    joined = get_selector("zap_hpo", loss="ranking+listwise", **FAST["zap_hpo"]).fit(multi)
    ranking = get_selector("zap_hpo", loss="ranking", **FAST["zap_hpo"]).fit(multi)
    listwise = get_selector("zap_hpo", loss="listwise", **FAST["zap_hpo"]).fit(multi)
    n_folds = FAST["zap_hpo"]["n_folds"]
    assert len(joined.models_) == len(joined.spreads_) == 2 * n_folds
    assert ranking.spreads_ is None  # one loss: the models are averaged as they are
    # per fold, the ranking model then the listwise one, each the one its loss alone trains
    for fold in range(n_folds):
        for member, alone in ((2 * fold, ranking), (2 * fold + 1, listwise)):
            a, b = joined.models_[member].state_dict(), alone.models_[fold].state_dict()
            assert all(np.array_equal(a[k].numpy(), b[k].numpy()) for k in a)
    raw = multi.stack_budgets().metafeatures(joined.metafeature_names_).to_numpy(dtype=float)
    x, enc = joined.scaler_.transform(raw), joined.encoder_.transform(joined.pipelines_)
    members = zip(joined.models_, joined.spreads_, strict=True)
    each = [score_matrix([m], x, enc) / s for m, s in members]
    np.testing.assert_allclose(
        joined._score(raw, None), np.mean(each, axis=0), rtol=1e-5, atol=1e-6
    )
    path = joined.save(tmp_path / "joined")
    np.testing.assert_array_equal(load_selector(path)._score(raw, None), joined._score(raw, None))
    _edit_and_rehash(path, edit_arrays=lambda a: a["state.score_spreads"].__setitem__(0, 0.0))
    with pytest.raises(ArtifactError, match="'score_spreads' must all be > 0"):
        load_selector(path)
    _edit_and_rehash(path, edit_arrays=lambda a: a.pop("state.score_spreads"))
    with pytest.raises(ArtifactError, match="'ranking\\+listwise' but it holds no score"):
        load_selector(path)


@pytest.mark.parametrize("bad", ["ranking+ranking", "ranking+hinge", "pairwise"])
def test_an_unknown_or_repeated_loss_is_refused_by_name(multi, bad):
    with pytest.raises(ValueError, match="'loss' parameter must be one of .* joined by '\\+'"):
        get_selector("zap_hpo", loss=bad, **FAST["zap_hpo"]).fit(multi)
