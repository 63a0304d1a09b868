"""The cluster prior (Eq. 6-7) against numbers worked out by hand."""

from __future__ import annotations

import pytest

from zapml.transfer.prior import cluster_prior, nonempty_weight


def test_three_group_prior_matches_the_hand_computation():
    # Groups of 3, 1 and 2 datasets (n - 1 = 6 assigned), K = 10, gamma = 0.2:
    # w = 1 - exp(-0.6) = 1 - 0.5488116360940264 = 0.4511883639059736
    # non-empty: w * 3/6, w * 1/6, w * 2/6; each of the 7 empty: (1 - w) / 7.
    prior = cluster_prior([3, 1, 2], max_clusters=10, gamma=0.2)
    assert prior.weight_nonempty == pytest.approx(0.4511883639059736, rel=1e-12)
    assert prior.nonempty.tolist() == pytest.approx(
        [0.2255941819529868, 0.0751980606509956, 0.1503961213019912], rel=1e-12
    )
    assert prior.num_empty == 7
    assert prior.each_empty == pytest.approx(0.0784016622991466, rel=1e-12)


def test_prior_is_a_distribution_over_all_clusters():
    prior = cluster_prior([5, 2, 7, 1], max_clusters=1000, gamma=0.2)
    total = prior.nonempty.sum() + prior.num_empty * prior.each_empty
    assert total == pytest.approx(1.0, abs=1e-12)


def test_before_any_dataset_every_cluster_is_equally_likely():
    prior = cluster_prior([], max_clusters=50, gamma=0.2)
    assert prior.weight_nonempty == 0.0
    assert prior.each_empty == pytest.approx(1 / 50)


def test_weight_on_existing_clusters_grows_with_their_number():
    weights = [nonempty_weight(count, 0.2) for count in range(6)]
    assert weights == sorted(weights)
    assert weights[5] == pytest.approx(1 - 0.36787944117144233)  # exp(-1)


def test_running_out_of_preset_clusters_is_a_clear_error():
    with pytest.raises(ValueError, match="max_clusters"):
        cluster_prior([1, 1], max_clusters=2, gamma=0.2)
