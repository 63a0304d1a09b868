from collections import Counter

import pytest

from zapml.metadataset.planner import focus_tasks, nested_pairs, plan_cells, sparse_pairs


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


def _by_budget(cells):
    out: dict[float, list[tuple[str, str]]] = {}
    for c in cells:
        out.setdefault(c.budget, []).append((c.task_id, c.pipeline_id))
    return out


def test_nested_pairs_thin_each_task_and_keep_subsets():
    # 6 tasks x 4 pipelines: densities 1, 1/2, 1/4 -> 4, 2, 1 pipelines per task
    for seed in range(20):
        levels = nested_pairs(6, 4, [1.0, 0.5, 0.25], seed=seed)
        assert [len(pairs) for pairs in levels] == [24, 12, 6]
        for k, per_task in enumerate([4, 2, 1]):
            assert Counter(t for t, _ in levels[k]) == dict.fromkeys(range(6), per_task)
            assert set(p for _, p in levels[k]) == {0, 1, 2, 3}  # every pipeline kept
        assert set(levels[2]) <= set(levels[1]) <= set(levels[0])
        # 12 cells over 4 pipelines, least used first: exactly 3 tasks each
        assert Counter(p for _, p in levels[1]) == dict.fromkeys(range(4), 3)
    assert nested_pairs(6, 4, [1.0, 0.5, 0.25], 3) == nested_pairs(6, 4, [1.0, 0.5, 0.25], 3)
    assert nested_pairs(6, 4, [1.0, 0.5, 0.25], 3) != nested_pairs(6, 4, [1.0, 0.5, 0.25], 4)


def test_an_unchanged_density_keeps_the_same_pairs():
    levels = nested_pairs(10, 8, [0.5, 0.5, 0.25], seed=2)
    assert levels[0] == levels[1] == sparse_pairs(10, 8, 0.5, seed=2)
    assert len(levels[2]) == 10 * 2 and set(levels[2]) <= set(levels[1])


def test_the_smallest_budget_plans_what_a_one_budget_spec_plans():
    # the shipped spec's shape: 104 tasks x 30 pipelines at density 0.5 (1560 cells)
    tasks = [f"{i}-core" for i in range(104)]
    pipes = [f"p{j:02d}" for j in range(30)]
    one = plan_cells(tasks, pipes, [0], budget=4, clock="compute", density=0.5)
    many = plan_cells(tasks, pipes, [0], budget=[4, 16, 64], clock="compute",
                      density=[0.5, 0.25, 0.125])  # fmt: skip
    levels = _by_budget(many)
    # per task round(d * 30) = 15, 8 (7.5 rounds to even), 4 (3.75) pipelines
    assert {b: len(v) for b, v in levels.items()} == {4.0: 1560, 16.0: 832, 64.0: 416}
    # the smallest budget runs the one-budget plan's cells in its order: such a store resumes
    assert [c for c in many if c.budget == 4.0] == one
    assert set(levels[64.0]) <= set(levels[16.0]) <= set(levels[4.0])
    assert Counter(t for t, _ in levels[64.0]) == dict.fromkeys(tasks, 4)
    assert set(p for _, p in levels[64.0]) == set(pipes)


def test_multi_budget_plan_interleaves_budgets_within_a_seed_and_skips_done():
    args = (["a", "b", "c", "d"], ["x", "y"], [0, 1])
    cells = plan_cells(*args, budget=[2, 8], clock="compute", density=[1.0, 0.5])
    # 8 cells at budget 2 sit at (k + 0.5) / 8, 4 at budget 8 at (k + 0.5) / 4 = 2/16, 6/16, ...
    # so every budget-8 cell follows the budget-2 cell it ties with or passes
    one_seed = [2.0, 8.0, 2.0, 2.0, 8.0, 2.0, 2.0, 8.0, 2.0, 2.0, 8.0, 2.0]
    assert [c.budget for c in cells] == one_seed * 2
    assert [c.seed for c in cells] == [0] * 12 + [1] * 12
    assert cells[1].key.endswith("|0|8|compute")
    done = {c.key for c in cells if c.budget == 2.0}
    rest = plan_cells(*args, budget=[2, 8], clock="compute", density=[1.0, 0.5], done=done)
    assert rest == [c for c in cells if c.budget == 8.0]


@pytest.mark.parametrize(
    ("budget", "density", "word"),
    [([8, 2], 1.0, "ascending"), ([2, 2], 1.0, "ascending"), ([2, 8], [0.5, 1.0], "grow"),
     ([2, 8], [1.0], "one density per budget")],
)  # fmt: skip
def test_bad_budget_levels(budget, density, word):
    with pytest.raises(ValueError, match=word):
        plan_cells(["t"], ["p"], [0], budget=budget, clock="compute", density=density)


def test_focus_tasks_takes_a_seeded_prefix_of_each_group():
    groups = ["a"] * 5 + ["b"] * 3 + ["c"]
    one = focus_tasks(groups, 1, seed=4)
    two = focus_tasks(groups, 2, seed=4)
    assert Counter(groups[i] for i in one) == {"a": 1, "b": 1, "c": 1}
    assert Counter(groups[i] for i in two) == {"a": 2, "b": 2, "c": 1}  # c has only one task
    assert one <= two and focus_tasks(groups, 9, seed=4) == frozenset(range(9))
    assert focus_tasks(groups, 2, seed=4) == two  # deterministic
    # a group's choice depends on its name, not on which other groups exist
    only_a = focus_tasks(["a"] * 5, 2, seed=4)
    assert only_a == {i for i in two if groups[i] == "a"}
    with pytest.raises(ValueError, match="per_group"):
        focus_tasks(groups, 0)


def test_a_focused_budget_runs_all_its_pipelines_on_a_few_tasks_per_group():
    # 6 tasks in 2 groups, 8 pipelines: 4 per task at budget 1, the same density at budget 2
    # but only on 1 task per group: 2 tasks x 4 pipelines, nested in budget 1's pairs
    tasks = [f"{i}-{g}" for g in ("x", "y") for i in range(3)]
    groups = [t.split("-")[1] for t in tasks]
    pipes = [f"p{j}" for j in range(8)]
    kwargs = {"budget": [1, 2], "clock": "compute", "density": [0.5, 0.5]}
    plain = _by_budget(plan_cells(tasks, pipes, [0], **kwargs))
    focused = _by_budget(plan_cells(tasks, pipes, [0], **kwargs, groups=groups, focus={2: 1}))
    assert focused[1.0] == plain[1.0]  # the unfocused level is untouched: its cells resume
    kept = focus_tasks(groups, 1)
    assert set(focused[2.0]) == {(t, p) for t, p in plain[1.0] if tasks.index(t) in kept}
    assert Counter(t for t, _ in focused[2.0]) == {tasks[i]: 4 for i in kept}
    with pytest.raises(ValueError, match="groups"):
        plan_cells(tasks, pipes, [0], **kwargs, focus={2: 1})
    with pytest.raises(ValueError, match=r"budget\(s\) \[3.0\]"):
        plan_cells(tasks, pipes, [0], **kwargs, groups=groups, focus={3: 1})


def test_raising_a_focus_adds_tasks_and_leaves_the_next_levels_pairs_alone():
    # 12 tasks in 2 groups, 8 pipelines: 4 per task at budgets 1 and 2, 2 per task at budget 4
    # on 1 task per group; raising budget 2's focus from 1 to 3 tasks per group must add cells
    # at budget 2 and keep every planned cell at budget 4 (those already ran)
    tasks = [f"{i}-{g}" for g in ("x", "y") for i in range(6)]
    groups = [t.split("-")[1] for t in tasks]
    pipes = [f"p{j}" for j in range(8)]
    kwargs = {"budget": [1, 2, 4], "clock": "compute", "density": [0.5, 0.5, 0.25]}
    narrow = _by_budget(plan_cells(tasks, pipes, [0], **kwargs, groups=groups, focus={2: 1, 4: 1}))
    wide = _by_budget(plan_cells(tasks, pipes, [0], **kwargs, groups=groups, focus={2: 3, 4: 1}))
    assert set(narrow[2.0]) < set(wide[2.0]) and len(wide[2.0]) == 3 * 2 * 4
    assert wide[4.0] == narrow[4.0]
    assert set(wide[4.0]) <= set(narrow[2.0]) and len(wide[4.0]) == 2 * 2
