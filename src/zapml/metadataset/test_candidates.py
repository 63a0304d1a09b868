import numpy as np
import pytest

from zapml.metadataset.candidates import (
    SearchJob,
    find_incumbent,
    random_candidates,
    sobol_candidates,
    yaml_candidates,
)
from zapml.metadataset.conftest import CORE_A
from zapml.metadataset.tasks import TaskSpec
from zapml.metadataset.testing import synthetic_alc, synthetic_fit
from zapml.space import build_space


def test_sobol_pipelines_are_valid_deterministic_and_spread():
    a = sobol_candidates(16, seed=0)
    assert [p.id for p in a] == [p.id for p in sobol_candidates(16, seed=0)]
    assert len({p.id for p in a}) == 16
    space = build_space()
    for p in a:
        p.validate(space)
    # a scrambled Sobol sequence puts exactly 8 of 16 points in each half of a dimension
    lr = np.log10([p["lr"] for p in a])
    assert np.sum(lr < -3) == 8
    assert "momentum" not in [p for p in a if p["optimizer"] != "SGD"][0]


def test_random_and_yaml_candidates(tmp_path):
    pipes = random_candidates(3, seed=5, architectures=["resnet18.scratch"])
    assert {p.architecture for p in pipes} == {"resnet18.scratch"}
    for i, p in enumerate(pipes):
        p.to_yaml(tmp_path / f"{i}.yaml")
    (tmp_path / "notes.txt").write_text("ignored")
    assert yaml_candidates([tmp_path]) == pipes
    with pytest.raises(FileNotFoundError):
        yaml_candidates([tmp_path / "missing"])


def test_smac_incumbent_cost_is_its_own_alc():
    task = TaskSpec(core="syna", source=CORE_A, seed=0)
    res = find_incumbent(
        SearchJob(task=task, n_trials=8, min_budget=1, max_budget=3, cell_fn=synthetic_fit)
    )
    assert res["task_id"] == "0-syna" and res["trials"] >= 8
    from zapml.space import Pipeline

    best = Pipeline(res["pipeline"])
    # synthetic_fit's ALC ignores the budget, so the incumbent's cost is 1 - its pseudo-ALC
    assert res["cost"] == pytest.approx(1 - synthetic_alc("0-syna", best.id, 0))


def test_greedy_portfolio_follows_the_hand_computed_steps():
    import pandas as pd

    from zapml.metadataset.candidates import greedy_portfolio

    # already normalised (each task spans 0..1): c covers (0.6 + 0.6 + 1) / 3 first; then a and b
    # tie at (1 + 0.6 + 1) / 3 and the first column wins; b then completes every task; the
    # duplicate of a adds nothing, so the portfolio stops at three.
    perf = pd.DataFrame(
        {"a": [1.0, 0.0, 0.0], "b": [0.0, 1.0, 0.0], "c": [0.6, 0.6, 1.0], "a2": [1.0, 0.0, 0.0]},
        index=["t1", "t2", "t3"],
    )
    steps = greedy_portfolio(perf, size=10)
    assert [s.pipeline_id for s in steps] == ["c", "a", "b"]
    assert [s.coverage for s in steps] == pytest.approx([2.2 / 3, 2.6 / 3, 1.0])
    assert [s.pipeline_id for s in greedy_portfolio(perf, size=1)] == ["c"]


def test_greedy_portfolio_normalises_per_task_and_credits_only_measured_cells():
    import pandas as pd

    from zapml.metadataset.candidates import greedy_portfolio

    # t1 on a 0..100 scale, t2 on 0..1: after normalising, x (best on t1) and y (best on t2)
    # weigh the same; z was not run on t1 and is worst on t2; t3's cells tie (no information).
    perf = pd.DataFrame(
        {"x": [100.0, 0.2, 0.5], "y": [0.0, 0.9, 0.5], "z": [np.nan, 0.0, 0.5]},
        index=["t1", "t2", "t3"],
    )
    steps = greedy_portfolio(perf, size=3)
    # x: (1 + 0.2/0.9 + 0) / 3; y: (0 + 1 + 0) / 3 -> x first, then y tops t2 up to 1.
    assert [s.pipeline_id for s in steps] == ["x", "y"]
    assert steps[0].coverage == pytest.approx((1 + 0.2 / 0.9) / 3)
    assert steps[1].coverage == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="size"):
        greedy_portfolio(perf, size=0)


def test_grid_is_every_combination_of_the_axes_on_the_default():
    from zapml.metadataset.candidates import grid_candidates
    from zapml.space import default_pipeline

    adam = {"optimizer": "Adam", "lr": 1e-3, "amsgrad": False}
    grid = grid_candidates(
        {
            "architecture": ["mobilenetv2_100", "efficientnet_lite0"],
            "log2_max_size": [5, 7],
            "optim": [adam, {"optimizer": "SGD", "lr": 0.01}],
        }  # fmt: skip
    )
    assert len(grid) == 2 * 2 * 2 == len({p.id for p in grid})
    first, last = grid[0].to_dict(), grid[-1].to_dict()
    assert (first["architecture"], first["log2_max_size"], first["optimizer"]) == (
        "mobilenetv2_100", 5, "Adam"
    )  # fmt: skip
    assert "momentum" not in first  # inactive under Adam: dropped
    assert (last["architecture"], last["log2_max_size"], last["optimizer"], last["lr"]) == (
        "efficientnet_lite0", 7, "SGD", 0.01
    )  # fmt: skip
    untouched = {k: v for k, v in default_pipeline().to_dict().items() if k not in last}
    assert not untouched  # every other hyperparameter is the default's
    assert last["batch_size"] == default_pipeline()["batch_size"]
    with pytest.raises(ValueError, match="lr"):
        grid_candidates({"lr": [5.0]})  # outside the space's range
