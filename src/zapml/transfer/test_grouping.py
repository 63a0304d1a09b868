"""The sequential grouper: its posterior terms recomputed by hand, its behaviour on synthetic
dataset families, its persistence and its input checks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from zapml.errors import DataError
from zapml.transfer.grouping import GroupingConfig, SequentialGrouper
from zapml.transfer.representation import BenchmarkRepresentation

TRIALS, BENCHMARKS = 8, 6
FAMILY_A = np.array([0.85, 0.80, 0.62, 0.90, 0.70, 0.55])
# Family B: the same kind of accuracies, but benchmarks 0-2 do far worse and 3-5 better.
FAMILY_B = FAMILY_A + np.array([-0.30, -0.25, -0.20, 0.05, 0.15, 0.25])


def _dataset(name: str, centre: np.ndarray, rng: np.random.Generator, spread: float = 0.01):
    """T random trials around ``centre``, as benchmark pipelines with random init give."""
    return BenchmarkRepresentation(name, centre + rng.normal(0.0, spread, (TRIALS, BENCHMARKS)))


def _gaussian_log_density(x: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> float:
    """Eq. 5 written out: -(B/2) log 2 pi - (1/2) log |cov| - (1/2) d^T cov^-1 d."""
    diff = x - mean
    _, log_det = np.linalg.slogdet(cov)
    return -0.5 * (len(x) * math.log(2 * math.pi) + log_det + diff @ np.linalg.inv(cov) @ diff)


def test_second_dataset_terms_match_the_paper_formulas_by_hand():
    rng = np.random.default_rng(0)
    first, second = _dataset("a1", FAMILY_A, rng), _dataset("a2", FAMILY_A, rng)
    grouper = SequentialGrouper()
    grouper.assign(first)
    decision = grouper.assign(second)
    group_score = decision.candidates[0]
    # Eq. 6-7 with one non-empty cluster holding the one earlier dataset: w = 1 - exp(-0.2).
    assert group_score.log_prior == pytest.approx(math.log(1 - math.exp(-0.2)))
    assert decision.candidates[1].log_prior == pytest.approx(math.log(math.exp(-0.2) / 999))
    # Eq. 5 with Eq. 10/14 (first member's mean and biased trial covariance) plus
    # Sigma_0 = 3e-4 I / 1000^(1/6) (Eq. 11).
    cov = np.cov(first.trials, rowvar=False, bias=True) + 3e-4 / 1000 ** (1 / 6) * np.eye(6)
    expected = _gaussian_log_density(second.trials.mean(axis=0), first.trials.mean(axis=0), cov)
    assert group_score.log_likelihood == pytest.approx(expected, rel=1e-9)
    assert decision.shared and decision.group_id == 0 and decision.map_group_id == 0
    assert decision.test is not None and not decision.test.rejected


def test_posteriors_are_normalised_over_all_preset_clusters():
    rng = np.random.default_rng(1)
    grouper = SequentialGrouper()
    for index in range(4):
        decision = grouper.assign(_dataset(f"d{index}", FAMILY_A, rng))
    group_mass = [math.exp(score.log_posterior) for score in decision.candidates[:-1]]
    assert sum(group_mass) + math.exp(decision.empty_log_posterior) == pytest.approx(1.0)


def test_two_separated_families_end_in_two_groups():
    # Within a family the datasets are identically distributed, so the test (exact under H0)
    # splits one off with probability alpha = 0.005 each; a true mean difference of even half a
    # point can split a family, which the paper's test is designed to do.
    rng = np.random.default_rng(2)
    grouper = SequentialGrouper()
    families: dict[str, set[int]] = {}
    for index in range(16):
        family = "a" if rng.random() < 0.5 or index == 0 else "b"
        centre = FAMILY_A if family == "a" else FAMILY_B
        decision = grouper.assign(_dataset(f"{family}{index}", centre, rng))
        families.setdefault(family, set()).add(decision.group_id)
    assert len(grouper.groups) == 2
    assert len(families["a"]) == len(families["b"]) == 1
    assert families["a"] != families["b"]


def test_identically_distributed_datasets_all_share_the_first_group():
    rng = np.random.default_rng(3)
    grouper = SequentialGrouper()
    decisions = [grouper.assign(_dataset(f"d{index}", FAMILY_A, rng)) for index in range(12)]
    assert not decisions[0].shared
    assert all(decision.shared and decision.group_id == 0 for decision in decisions[1:])


def test_a_rejected_test_opens_a_new_group_although_the_map_chose_an_old_one():
    # Empty clusters centred far from the data and gamma large (w close to 1): the MAP picks the
    # existing group even for a shifted dataset, and the test is what keeps it apart.
    config = GroupingConfig(gamma=50.0, center_low=0.0, center_high=0.01)
    grouper = SequentialGrouper(config)
    rng = np.random.default_rng(4)
    grouper.assign(_dataset("a", FAMILY_A, rng, spread=0.003))
    decision = grouper.assign(_dataset("shifted", FAMILY_A + 0.03, rng, spread=0.003))
    assert decision.map_group_id == 0
    assert decision.test is not None and decision.test.rejected
    assert not decision.shared and decision.group_id == 1


def test_shared_datasets_get_the_group_pipeline():
    rng = np.random.default_rng(5)
    grouper = SequentialGrouper()
    grouper.attach_pipeline(grouper.assign(_dataset("a1", FAMILY_A, rng)).group_id, "vit-lr3e-4")
    assert grouper.assign(_dataset("a2", FAMILY_A, rng)).pipeline == "vit-lr3e-4"


def test_state_saved_mid_stream_continues_with_the_same_decisions():
    rng = np.random.default_rng(6)
    stream = [_dataset(f"d{i}", FAMILY_A if i % 3 else FAMILY_B, rng) for i in range(9)]
    uninterrupted = SequentialGrouper()
    expected = [uninterrupted.assign(dataset).to_dict() for dataset in stream]
    first_half = SequentialGrouper()
    got = [first_half.assign(dataset).to_dict() for dataset in stream[:5]]
    resumed = SequentialGrouper.from_json(first_half.to_json())
    got += [resumed.assign(dataset).to_dict() for dataset in stream[5:]]
    assert got == expected


def test_inputs_that_cannot_be_grouped_are_refused_clearly():
    rng = np.random.default_rng(7)
    with pytest.raises(DataError, match="T > B"):
        SequentialGrouper().assign(BenchmarkRepresentation("few", rng.random((6, 6))))
    grouper = SequentialGrouper()
    grouper.assign(_dataset("a", FAMILY_A, rng))
    with pytest.raises(DataError, match="same pipelines and number of trials"):
        grouper.assign(BenchmarkRepresentation("b", rng.random((9, 6))))
    with pytest.raises(DataError, match="already grouped"):
        grouper.assign(_dataset("a", FAMILY_A, rng))
    with pytest.raises(ValueError, match="alpha"):
        GroupingConfig(alpha=1.5)
    with pytest.raises(DataError, match="NaN"):
        BenchmarkRepresentation("nan", np.full((8, 6), np.nan))
    with pytest.raises(DataError, match="not a Tr-AutoML grouping state"):
        SequentialGrouper.from_json('{"format": "other"}')
