"""Small hand-made generic meta-datasets for tests: an ASlib runtime scenario and the published
long-table layout with candidate features. Every value is written out here, so tests can check
what an importer makes of it by hand (see the expected matrices below)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: ASlib instance ids look like paths; they must be kept verbatim (never grouped by a part).
ASLIB_INSTANCES = (
    "FolioSuite/benchmarks/prime-18-18.lp.gz",
    "FolioSuite/benchmarks/prime-20-20.lp.gz",
    "i3",
    "i4",
    "i5",
    "i6",
)
ASLIB_ALGORITHMS = ("a", "b", "c")
ASLIB_CUTOFF = 10.0
ASLIB_DESCRIPTION = """\
scenario_id: TINY-2026
performance_measures: [runtime]
maximize: [false]
performance_type: [runtime]
algorithm_cutoff_time: 10
algorithm_cutoff_memory: '?'
features_cutoff_time: '?'
features_cutoff_memory: '?'
features_deterministic: [f1, f2]
features_stochastic: []
algorithms_deterministic: [a, b, c]
algorithms_stochastic: []
number_of_feature_steps: 1
default_steps: [ALL]
feature_steps:
  ALL:
    provides: [f1, f2]
"""
# Rows: instance, repetition, algorithm, runtime, runstatus. The cases: b on the first instance
# ran past the cutoff; a on the second is marked timeout below the cutoff; c on the second
# crashed; c on i4 has no runtime at all; a on i4 has two repetitions (2 and 4: mean 3); c on i6
# finished just under the cutoff (9.9 stays 9.9).
ASLIB_RUNS = """\
@RELATION algorithm_runs

@ATTRIBUTE instance_id STRING
@ATTRIBUTE repetition NUMERIC
@ATTRIBUTE algorithm STRING
@ATTRIBUTE runtime NUMERIC
@ATTRIBUTE runstatus {ok, timeout, memout, not_applicable, crash, other}

@DATA
FolioSuite/benchmarks/prime-18-18.lp.gz,1,a,1.0,ok
FolioSuite/benchmarks/prime-18-18.lp.gz,1,b,12.0,timeout
FolioSuite/benchmarks/prime-18-18.lp.gz,1,c,3.0,ok
FolioSuite/benchmarks/prime-20-20.lp.gz,1,a,9.5,timeout
FolioSuite/benchmarks/prime-20-20.lp.gz,1,b,2.0,ok
FolioSuite/benchmarks/prime-20-20.lp.gz,1,c,4.0,crash
i3,1,a,5.0,ok
i3,1,b,6.0,ok
i3,1,c,0.5,ok
i4,1,a,2.0,ok
i4,2,a,4.0,ok
i4,1,b,9.0,ok
i4,1,c,?,timeout
i5,1,a,8.0,ok
i5,1,b,1.0,ok
i5,1,c,7.0,ok
i6,1,a,3.0,ok
i6,1,b,3.5,ok
i6,1,c,9.9,ok
"""
ASLIB_FEATURES = """\
@RELATION feature_values

@ATTRIBUTE instance_id STRING
@ATTRIBUTE repetition NUMERIC
@ATTRIBUTE f1 NUMERIC
@ATTRIBUTE f2 NUMERIC

@DATA
FolioSuite/benchmarks/prime-18-18.lp.gz,1,1.0,10.0
FolioSuite/benchmarks/prime-20-20.lp.gz,1,2.0,20.0
i3,1,3.0,?
i4,1,4.0,40.0
i5,1,5.0,50.0
i6,1,6.0,60.0
"""
ASLIB_CV = """\
@RELATION cv

@ATTRIBUTE instance_id STRING
@ATTRIBUTE repetition NUMERIC
@ATTRIBUTE fold NUMERIC

@DATA
FolioSuite/benchmarks/prime-18-18.lp.gz,1,1
FolioSuite/benchmarks/prime-20-20.lp.gz,1,1
i3,1,2
i4,1,2
i5,1,3
i6,1,3
"""
#: PAR10 by hand: a timeout, a crash or a missing runtime counts 10 * 10 = 100.
ASLIB_PAR10 = pd.DataFrame(
    [[1.0, 100.0, 3.0], [100.0, 2.0, 100.0], [5.0, 6.0, 0.5],
     [3.0, 9.0, 100.0], [8.0, 1.0, 7.0], [3.0, 3.5, 9.9]],
    index=list(ASLIB_INSTANCES), columns=list(ASLIB_ALGORITHMS),
)  # fmt: skip
ASLIB_FOLDS = pd.Series([1, 1, 2, 2, 3, 3], index=list(ASLIB_INSTANCES))


def write_tiny_aslib(folder: Path) -> Path:
    """The hand-made scenario above as an ASlib folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "description.txt").write_text(ASLIB_DESCRIPTION)
    (folder / "algorithm_runs.arff").write_text(ASLIB_RUNS)
    (folder / "feature_values.arff").write_text(ASLIB_FEATURES)
    (folder / "cv.arff").write_text(ASLIB_CV)
    return folder


def tiny_long_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(runs, task features, candidate features) of 8 tasks x 4 hub models, accuracy maximised.
    m4's parameter count is unknown; t8 has no row in the task-feature table."""
    tasks = [f"t{i}" for i in range(1, 9)]
    models = ["m1", "m2", "m3", "m4"]
    # accuracy = 0.5 + 0.05 * (task index * model index mod 7): a pattern, values by formula
    runs = pd.DataFrame(
        [(t, m, 0.5 + 0.05 * ((i + 1) * (j + 1) % 7)) for i, t in enumerate(tasks)
         for j, m in enumerate(models)],
        columns=["task", "candidate", "value"],
    )  # fmt: skip
    task_features = pd.DataFrame(
        {
            "task": tasks[:-1],
            "num_classes": [2.0, 5, 10, 3, 7, 4, 9],
            "num_train": [100.0, 400, 900, 50, 300, 200, 800],
        }  # fmt: skip
    )
    candidate_features = pd.DataFrame(
        {
            "candidate": models,
            "family": ["resnet", "vit", "resnet", "convnext"],
            "params_m": [11.7, 86.0, 25.6, np.nan],
        }
    )
    return runs, task_features, candidate_features
