"""The committed SAT-DEB-2026 scenario (benchmarks/aslib_sat) as ``read_aslib`` sees it, checked
against values worked out by hand: the pigeonhole instance PHP(9, 8) has 72 variables and
9 + 8 * C(9, 2) = 297 clauses, and its runs in algorithm_runs.arff are minisat 0.3738 s (ok) and
cryptominisat5 a timeout at the 2 s cutoff (PAR10 = 10 * 2 = 20 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zapml.metadataset.io_aslib import read_aslib

SCENARIO = Path(__file__).resolve().parents[3] / "benchmarks" / "aslib_sat" / "SAT-DEB-2026"
PHP_9_8 = "php/n_holes8-r0.cnf"


@pytest.fixture(scope="module")
def scenario():
    return read_aslib(SCENARIO)


def test_instances_solvers_and_ten_folds(scenario):
    assert len(scenario.task_ids) == 182
    assert scenario.pipeline_ids == ["minisat", "picosat", "cryptominisat5", "cadical"]
    sizes = scenario.folds.value_counts()
    assert sorted(sizes.index) == list(range(1, 11))
    assert sorted(sizes) == [18] * 8 + [19] * 2  # 182 = 10 * 18 + 2, assigned round-robin


def test_runtime_and_par10_of_a_known_instance(scenario):
    assert scenario.values.cutoff == 2.0 and scenario.values.minimised
    raw = scenario.values.raw(scenario.perf.loc[PHP_9_8])
    assert raw["minisat"] == pytest.approx(0.3738)
    assert raw["cryptominisat5"] == pytest.approx(20.0)


def test_features_of_the_pigeonhole_instance(scenario):
    f = scenario.tasks.loc[PHP_9_8]
    assert (f["n_vars"], f["n_clauses"]) == (72, 297)
    assert (f["clause_len_min"], f["clause_len_max"]) == (2, 8)  # "not both" and "some hole"
    # the 288 binary clauses are all negative (Horn); the 9 pigeon clauses are 8 positives
    assert f["frac_binary"] == pytest.approx(288 / 297)
    assert f["frac_horn"] == pytest.approx(288 / 297)
    assert f["frac_positive_literals"] == pytest.approx(72 / (72 + 2 * 288))
    # every variable: its pigeon's clause + one conflict with each of the 8 other pigeons
    assert (f["var_occ_mean"], f["var_occ_std"], f["var_occ_max"]) == (9, 0, 9)
