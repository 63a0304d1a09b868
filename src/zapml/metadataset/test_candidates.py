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
