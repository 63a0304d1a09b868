"""`parse_settings`: the command line's KEY=VALUE selector settings become constructor arguments of
the right type, and every mistake is refused with the fix."""

from __future__ import annotations

import pytest

from zapml.selectors import get_selector
from zapml.selectors.registry import default_settings, parse_settings


def test_values_take_the_type_of_each_default():
    got = parse_settings(
        "zap_hpo",
        ["epochs=36", "log_metafeatures=true", "lr=3e-3", "loss=least_squares", "dropout=0"],
    )
    assert got == {
        "epochs": 36,
        "log_metafeatures": True,
        "lr": 0.003,
        "loss": "least_squares",
        "dropout": 0.0,
    }
    assert type(got["epochs"]) is int and type(got["dropout"]) is float
    made = get_selector("zap_hpo", **got)
    assert (made.epochs, made.log_metafeatures, made.loss) == (36, True, "least_squares")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("n_threads=none", None), ("n_threads=4", 4), ("log_metafeatures=No", False)],
)
def test_none_defaults_and_spelled_booleans(text, expected):
    key = text.split("=")[0]
    assert parse_settings("zap_hpo", [text]) == {key: expected}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("epoch=3", "no setting 'epoch'. Did you mean epochs"),
        ("epochs=3.5", "expected an integer"),
        ("log_metafeatures=maybe", "expected true or false"),
        ("lr=fast", "expected a number"),
        ("epochs", "is not KEY=VALUE"),
        ("=3", "is not KEY=VALUE"),
    ],
)
def test_mistakes_are_refused_with_the_fix(text, message):
    with pytest.raises(ValueError) as err:
        parse_settings("zap_hpo", [text])
    assert message in str(err.value)


def test_defaults_follow_the_constructor_and_unknown_methods_are_named():
    assert default_settings("knn") == {"k": 5, "mode": "average"}
    assert default_settings("single_best") == {}
    with pytest.raises(ValueError, match="Unknown selector 'zap-hpo'"):
        default_settings("zap-hpo")
