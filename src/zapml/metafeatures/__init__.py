"""Dataset meta-features that selectors condition on.

- ``trivial``: ZAP's four model-free facts (channels, classes, images, resolution).
- ``transferability``: LogME, LEEP, NCE, H-score, PARC, LFC of a frozen backbone on a task.
- ``probes``: leave-one-out kNN and cross-validated linear-probe accuracy.
- ``probe_features``: all of them per (task, backbone) pair on one bounded stratified sample.
- ``extraction``: the frozen features and ImageNet probabilities those scores read, from a task's
  images and zoo backbones, with their counted compute-clock seconds, cached per dataset.
"""

from zapml.metafeatures.extraction import (
    Extraction,
    ProbeFeatures,
    compute_probe_features,
    extract,
)
from zapml.metafeatures.probe_features import (
    PROBE_SCORES,
    ProbeSettings,
    pair_feature_name,
    probe_features,
    stratified_subsample,
)
from zapml.metafeatures.probes import knn_accuracy, linear_probe_accuracy
from zapml.metafeatures.transferability import h_score, leep, lfc, logme, nce, parc
from zapml.metafeatures.trivial import TRIVIAL_FEATURES, compute_metafeatures

__all__ = [
    "Extraction",
    "ProbeFeatures",
    "PROBE_SCORES",
    "TRIVIAL_FEATURES",
    "ProbeSettings",
    "compute_metafeatures",
    "compute_probe_features",
    "extract",
    "h_score",
    "knn_accuracy",
    "leep",
    "lfc",
    "linear_probe_accuracy",
    "logme",
    "nce",
    "pair_feature_name",
    "parc",
    "probe_features",
    "stratified_subsample",
]
