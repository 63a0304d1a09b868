"""The backbone zoo: named timm architectures with their weight source, cost and ImageNet accuracy.

``get_spec`` / ``list_specs`` / ``offline_names`` need no torch; ``load_backbone`` builds the model.
"""

from zapml.zoo.cost import count_gmacs, count_params_m
from zapml.zoo.loading import backbone_parameters_in_order, build_untrained, load_backbone
from zapml.zoo.registry import get_spec, is_available, list_specs, offline_names
from zapml.zoo.spec import BackboneSpec
from zapml.zoo.table import zoo_table

__all__ = [
    "BackboneSpec",
    "backbone_parameters_in_order",
    "build_untrained",
    "count_gmacs",
    "count_params_m",
    "get_spec",
    "is_available",
    "list_specs",
    "load_backbone",
    "offline_names",
    "zoo_table",
]
