"""Writes the runs and features as an ASlib scenario folder (the file names and run statuses
are ``zapml.metadataset.io_aslib``'s, so ``read_aslib`` is the reference reader)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path
from typing import Any

import arff
import numpy as np
import yaml
from solvers import SOLVERS, Run

from zapml.metadataset.io_aslib import CV, DESCRIPTION, FEATURES, OK, RUN_STATUSES, RUNS

#: ASlib's convention: 10-fold cross-validation, one repetition, instances assigned at random
N_FOLDS = 10
SCENARIO_ID = "SAT-DEB-2026"
#: the one feature step (every feature comes from one pass over the clauses)
STEP = "basic"
#: the key of an instance's feature dict holding its computation time (CPU seconds), written to
#: ASlib's optional feature_costs.arff rather than as a feature
COST = "_cpu_s"
COSTS = "feature_costs.arff"
HEADER = """\
# SAT-DEB-2026: an ASlib runtime scenario built with zapml's benchmarks/aslib_sat/build.py.
# Four SAT solvers as packaged by Debian 12 (minisat 2.2, picosat 965, cryptominisat 5.11,
# cadical 1.5) on seeded generated instances (random 3/4/5-SAT, planted 3-SAT, pigeonhole,
# 3-colouring of random graphs, random XOR systems). Runtimes are CPU seconds (user + system
# of the solver process) on the machine that built it, one run each; a run over the cutoff is
# a timeout, and a wrong or disputed answer is a crash (PAR10 counts both as 10 x cutoff).
"""


def checked(runs: list[Run]) -> list[Run]:
    """``runs`` with every ok answer that disagrees with the instance's majority answer (or ties
    with it) turned into a crash: the exit codes 10/20 must agree across solvers."""
    by_instance: dict[str, Counter[str]] = {}
    for r in runs:
        if r.status == OK:
            by_instance.setdefault(r.instance_id, Counter())[r.answer] += 1
    out = []
    for r in runs:
        votes = by_instance.get(r.instance_id, Counter())
        top = votes.most_common()
        agreed = top and top[0][0] == r.answer and (len(top) == 1 or top[1][1] < top[0][1])
        if r.status == OK and not agreed:
            r = dataclasses.replace(r, status="crash", detail=f"answers disagree: {dict(votes)}")
        out.append(r)
    return out


def _write(path: Path, relation: str, attributes: list[Any], rows: list[list[Any]]) -> None:
    path.write_text(arff.dumps({"relation": relation, "attributes": attributes, "data": rows}))


def _description(features: list[str], cutoff: float) -> dict[str, Any]:
    return {
        "scenario_id": SCENARIO_ID,
        "performance_measures": ["runtime"],
        "maximize": [False],
        "performance_type": ["runtime"],
        "algorithm_cutoff_time": cutoff,
        "algorithm_cutoff_memory": "?",
        "features_cutoff_time": "?",
        "features_cutoff_memory": "?",
        "algorithms_deterministic": list(SOLVERS),
        "algorithms_stochastic": [],
        "features_deterministic": features,
        "features_stochastic": [],
        "number_of_feature_steps": 1,
        "default_steps": [STEP],
        "feature_steps": {STEP: {"provides": list(features)}},  # a copy: no YAML alias
    }


def write_scenario(
    out: Path, runs: list[Run], feats: dict[str, dict[str, float]], cutoff: float, seed: int
) -> Path:
    """The scenario folder: description.txt, algorithm_runs.arff, feature_values.arff,
    feature_costs.arff (CPU seconds of the feature step), cv.arff."""
    out.mkdir(parents=True, exist_ok=True)
    names = [k for k in next(iter(feats.values())) if k != COST]
    text = yaml.safe_dump(_description(names, cutoff), sort_keys=False)
    (out / DESCRIPTION).write_text(HEADER + text)
    rows = [[r.instance_id, 1, r.solver, round(r.cpu_s if r.status == OK else cutoff, 4),
             r.status] for r in checked(runs)]  # fmt: skip
    _write(out / RUNS, "algorithm_runs",
           [("instance_id", "STRING"), ("repetition", "NUMERIC"), ("algorithm", "STRING"),
            ("runtime", "NUMERIC"), ("runstatus", list(RUN_STATUSES))], rows)  # fmt: skip
    ids = list(feats)
    _write(out / FEATURES, "feature_values",
           [("instance_id", "STRING"), ("repetition", "NUMERIC"),
            *((n, "NUMERIC") for n in names)],
           [[i, 1, *(round(feats[i][n], 6) for n in names)] for i in ids])  # fmt: skip
    _write(out / COSTS, "feature_costs",
           [("instance_id", "STRING"), ("repetition", "NUMERIC"), (STEP, "NUMERIC")],
           [[i, 1, round(feats[i][COST], 6)] for i in ids])  # fmt: skip
    order = np.random.default_rng(seed).permutation(len(ids))
    folds = [[ids[j], 1, rank % N_FOLDS + 1] for rank, j in enumerate(order)]
    _write(out / CV, "cv",
           [("instance_id", "STRING"), ("repetition", "NUMERIC"), ("fold", "NUMERIC")],
           sorted(folds, key=lambda row: ids.index(row[0])))  # fmt: skip
    return out
