"""Tr-AutoML (Xue et al., CVPR 2019): group arriving datasets by how a few benchmark pipelines
score on them and reuse a group's searched pipeline instead of searching again.

- ``representation``: a dataset as T trials x B benchmark validation accuracies.
- ``prior``: the cluster prior (Eq. 6-7).
- ``hotelling``: the Behrens-Fisher Hotelling test that guards sharing (Eq. 15-16).
- ``grouping``: ``SequentialGrouper``, greedy-MAP sequential clustering (Algorithm 1).
- ``replay``: share-vs-search over a stream; total search cost and TRE (Eq. 17).
- ``metareplay``: that replay on a zapml meta-dataset (``benchmarks/bench_transfer_replay.py``).

``zap fit --strategy transfer`` (imported on use, they pull in the runtime and SMAC3):
- ``benchmarking``: a real dataset's representation, B x T tiny ``zapml.runtime.fit`` runs.
- ``search``: SMAC3's multi-fidelity search stopped by compute seconds (ask-and-tell).
- ``strategy``: share or search for one dataset; the grouping state kept across sessions.
- ``fitting``: the budget split between representation, search and the final run.
"""

from zapml.transfer.grouping import (
    ClusterScore,
    Group,
    GroupingConfig,
    GroupingDecision,
    SequentialGrouper,
)
from zapml.transfer.hotelling import (
    HotellingResult,
    behrens_fisher_differences,
    hotelling_share_test,
)
from zapml.transfer.prior import ClusterPrior, cluster_prior, nonempty_weight
from zapml.transfer.replay import (
    ReplayDataset,
    ReplayReport,
    ReplayStep,
    SearchOutcome,
    replay,
)
from zapml.transfer.representation import BenchmarkRepresentation

__all__ = [
    "BenchmarkRepresentation",
    "ClusterPrior",
    "ClusterScore",
    "Group",
    "GroupingConfig",
    "GroupingDecision",
    "HotellingResult",
    "ReplayDataset",
    "ReplayReport",
    "ReplayStep",
    "SearchOutcome",
    "SequentialGrouper",
    "behrens_fisher_differences",
    "cluster_prior",
    "hotelling_share_test",
    "nonempty_weight",
    "replay",
]
