from collections import Counter

import pytest

from zapml.metadataset.planner import plan_cells, sparse_pairs


def test_dense_plan_has_every_cell_for_every_seed():
    cells = plan_cells(["t1", "t2", "t3"], ["p1", "p2"], [0, 1], budget=10, clock="compute")
    assert len(cells) == 12
    assert len({c.key for c in cells}) == 12
    assert cells[0].seed == 0 and cells[-1].seed == 1  # first repeats first


@pytest.mark.parametrize(("n_t", "n_p", "density"), [(20, 10, 0.3), (7, 40, 0.1), (50, 3, 0.5)])
def test_sparse_plan_is_stratified(n_t, n_p, density):
    pairs = sparse_pairs(n_t, n_p, density, seed=1)
    assert len(set(pairs)) == len(pairs)
    per_task = Counter(t for t, _ in pairs)
    per_pipe = Counter(p for _, p in pairs)
    assert set(per_task) == set(range(n_t))  # every task keeps cells
    assert set(per_pipe) == set(range(n_p))  # every pipeline keeps cells
    k = max(1, round(density * n_p))
    assert min(per_task.values()) >= k
    expected = n_t * k
    assert expected <= len(pairs) <= expected + n_p
    if n_t * k >= n_p:  # pipelines balanced to within one
        assert max(per_pipe.values()) - min(per_pipe.values()) <= 1


def test_plan_is_stable_and_skips_done():
    args = (["a", "b", "c", "d"], ["x", "y", "z"], [0])
    first = plan_cells(*args, budget=5, clock="wall", density=0.5, plan_seed=3)
    again = plan_cells(*args, budget=5, clock="wall", density=0.5, plan_seed=3)
    assert first == again
    done = {first[0].key, first[2].key}
    rest = plan_cells(*args, budget=5, clock="wall", density=0.5, plan_seed=3, done=done)
    assert rest == [c for c in first if c.key not in done]


def test_cell_key_includes_budget_and_clock():
    a = plan_cells(["t"], ["p"], [0], budget=10, clock="compute")[0]
    b = plan_cells(["t"], ["p"], [0], budget=20, clock="compute")[0]
    assert a.key == "t|p|0|10|compute" and a.key != b.key


def test_bad_density():
    with pytest.raises(ValueError, match="density"):
        sparse_pairs(2, 2, 1.5)
