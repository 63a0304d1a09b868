"""Dataset meta-features that selectors condition on."""

from zapml.metafeatures.trivial import TRIVIAL_FEATURES, compute_metafeatures

__all__ = ["TRIVIAL_FEATURES", "compute_metafeatures"]
