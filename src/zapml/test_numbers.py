import math

import pytest

from zapml._numbers import readable


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (1834.2, 3, "1834"),  # "g" would write 1.83e+03
        (7560.0, 3, "7560"),
        (127.36, 3, "127"),
        (12.345, 3, "12.3"),
        (0.01234, 3, "0.0123"),
        (-1500.0, 3, "-1500"),
        (160.4, 2, "160"),  # "g" would write 1.6e+02
        (12.4, 2, "12"),
        (2.54, 2, "2.5"),
        (0.0, 2, "0"),
    ],
)
def test_readable_worked_values(value: float, digits: int, expected: str) -> None:
    assert readable(value, digits) == expected


def test_readable_passes_non_finite_through() -> None:
    assert readable(math.inf) == "inf"
    assert readable(math.nan) == "nan"
