"""Meta-datasets: building them (tasks, candidates, planner, executors, store) and loading them."""

from zapml.metadataset.metadataset import ZAP_METAFEATURES, MetaDataset

__all__ = ["ZAP_METAFEATURES", "MetaDataset"]
