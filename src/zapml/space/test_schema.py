"""The space is the one schema: required names, conditions and architectures are read from it."""

from __future__ import annotations

import pytest
from ConfigSpace import (
    Categorical,
    ConfigurationSpace,
    EqualsCondition,
    Float,
    NotEqualsCondition,
)

from zapml.space import (
    Pipeline,
    build_space,
    conditions,
    default_architectures,
    default_pipeline,
    hyperparameter_names,
    required_names,
)
from zapml.zoo import offline_names

CONDITIONAL = {"momentum", "nesterov", "amsgrad", "simple_model"}


def test_required_names_are_the_unconditional_hyperparameters_in_declared_order():
    names = hyperparameter_names()
    assert len(names) == 26 and names[:3] == ("architecture", "cv_valid_ratio", "max_valid_count")
    assert set(conditions()) == CONDITIONAL
    required = required_names()
    assert len(required) == 22 and not CONDITIONAL & set(required)
    assert required == tuple(n for n in names if n not in CONDITIONAL)
    assert set(default_pipeline()) == set(required) | {"momentum", "nesterov", "simple_model"}


def test_pipeline_keeps_only_what_the_space_conditions_activate():
    adam = default_pipeline().replace(optimizer="Adam", amsgrad=True, momentum=0.5)
    assert "amsgrad" in adam and "momentum" not in adam and "nesterov" not in adam
    no_simple = default_pipeline().replace(first_simple_model=False)
    assert "simple_model" not in no_simple
    assert no_simple.replace(first_simple_model=True, simple_model="RF")["simple_model"] == "RF"


def test_a_new_hyperparameter_or_condition_in_the_space_is_picked_up():
    cs = build_space()
    cs.add([Float("label_smoothing", (0.0, 0.2), default=0.1), Categorical("ema", (True, False))])
    cs.add(EqualsCondition(cs["ema"], cs["optimizer"], "AdamW"))
    assert hyperparameter_names(cs)[-2:] == ("ema", "label_smoothing")  # undeclared: sorted
    assert "label_smoothing" in required_names(cs) and "ema" not in required_names(cs)
    assert conditions(cs)["ema"].values == ("AdamW",)
    with pytest.raises(ValueError, match="label_smoothing"):
        default_pipeline().validate(cs)
    adamw = default_pipeline().replace(optimizer="AdamW", amsgrad=False, label_smoothing=0.1)
    with pytest.raises(ValueError, match="'ema'"):  # active under AdamW, so required
        Pipeline(adamw.to_dict()).validate(cs)


def test_an_unknown_condition_kind_is_refused_not_ignored():
    cs = build_space()
    cs.add(Float("label_smoothing", (0.0, 0.2)))
    cs.add(NotEqualsCondition(cs["label_smoothing"], cs["optimizer"], "SGD"))
    with pytest.raises(NotImplementedError, match="NotEqualsCondition"):
        conditions(cs)


def test_architectures_come_from_the_zoo():
    assert default_architectures() == tuple(offline_names())
    assert tuple(build_space()["architecture"].choices) == tuple(offline_names())
    assert default_pipeline().architecture == "mobilenetv2_100"  # the cheapest pretrained one


def test_the_schema_survives_a_json_round_trip_of_the_space(tmp_path):
    """SMAC writes the space as JSON; the order and conditions read back must not change."""
    cs = build_space()
    cs.to_json(tmp_path / "space.json")
    again = ConfigurationSpace.from_json(tmp_path / "space.json")
    assert again == cs
    assert hyperparameter_names(again) == hyperparameter_names(cs)
    assert required_names(again) == required_names(cs)
    assert conditions(again) == conditions(cs)
