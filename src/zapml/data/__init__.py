"""Datasets: loaders for folders, CSV, npz, idx files and the offline built-ins, validated."""

from zapml.data.builtin import BuiltinInfo, list_builtin
from zapml.data.dataset import Dataset, DataSplit
from zapml.data.loader import load_data, source_kind
from zapml.data.report import DataReport, inspect_data
from zapml.data.validation import DataWarning

__all__ = [
    "BuiltinInfo",
    "DataReport",
    "DataSplit",
    "DataWarning",
    "Dataset",
    "inspect_data",
    "list_builtin",
    "load_data",
    "source_kind",
]
