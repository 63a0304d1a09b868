import math

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from zapml.metrics import accuracy, alc, nauc, transform_time

LOG21 = math.log(21.0)  # log(1 + 1200/60)


def test_no_prediction_scores_zero():
    assert alc([], []) == 0.0


def test_one_prediction_holds_to_the_end():
    # score 0.8 from t=60 s: area = 0.8 * (1 - log(2)/log(21))
    expected = 0.8 * (1 - math.log(2.0) / LOG21)
    assert alc([60.0], [0.8]) == pytest.approx(expected, abs=1e-12)


def test_prediction_at_zero_gives_full_area():
    assert alc([0.0], [0.5]) == pytest.approx(0.5)


def test_two_predictions_step_function():
    # 0.2 on [t~(60), t~(300)), then 0.6 to 1
    x1, x2 = math.log(2.0) / LOG21, math.log(6.0) / LOG21
    expected = 0.2 * (x2 - x1) + 0.6 * (1 - x2)
    assert alc([60.0, 300.0], [0.2, 0.6]) == pytest.approx(expected, abs=1e-12)


def test_predictions_after_T_are_ignored():
    x1 = math.log(2.0) / LOG21
    assert alc([60.0, 1500.0], [0.3, 1.0]) == pytest.approx(0.3 * (1 - x1))
    assert alc([1300.0], [1.0]) == 0.0


def test_transform_time_endpoints():
    assert transform_time(0.0) == 0.0
    assert transform_time(1200.0) == pytest.approx(1.0)


def test_nauc_matches_sklearn_one_vs_rest():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, size=60)
    scores = rng.random((60, 4))
    expected = np.mean([2 * roc_auc_score(labels == k, scores[:, k]) - 1 for k in range(4)])
    assert nauc(labels, scores) == pytest.approx(expected, abs=1e-12)


def test_nauc_perfect_and_ties():
    labels = np.array([0, 1, 1, 0])
    perfect = np.eye(2)[labels]
    assert nauc(labels, perfect) == pytest.approx(1.0)
    # constant scores: every rank tied -> AUC 0.5 -> NAUC 0
    assert nauc(labels, np.ones((4, 2))) == pytest.approx(0.0)


def test_nauc_drops_classes_present_once_or_never_as_single_value():
    # class 2 never occurs in the solution: its column holds one value and is dropped.
    labels = np.array([0, 1, 0, 1])
    scores = np.array([[0.9, 0.1, 0.5], [0.2, 0.8, 0.0], [0.7, 0.3, 1.0], [0.4, 0.6, 0.2]])
    assert nauc(labels, scores) == pytest.approx(1.0)


def test_nauc_class_present_once_in_solution():
    # class 1 has one positive among 3: its AUC is the fraction of negatives ranked below it.
    labels = np.array([0, 1, 0])
    scores = np.array([[0.6, 0.5], [0.5, 0.4], [0.1, 0.9]])
    # class 0: positives {0,2} scores .6,.1; negative .5 -> pairs (.6>.5)=1, (.1>.5)=0 -> AUC .5
    # class 1: positive .4; negatives .5, .9 -> AUC 0
    expected = ((2 * 0.5 - 1) + (2 * 0.0 - 1)) / 2
    assert nauc(labels, scores) == pytest.approx(expected)


def test_accuracy():
    assert accuracy(np.array([0, 1, 2]), np.eye(3)[[0, 1, 0]]) == pytest.approx(2 / 3)
