"""Numbers written for people: a few significant digits, never scientific notation for the
seconds, epochs and budgets a user reads (``1834 compute-s``, not ``1.83e+03 compute-s``)."""

from __future__ import annotations

import math


def readable(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` significant digits; a value of ``10 ** (digits - 1)`` or more
    is rounded to a whole number and written out in full, since Python's ``g`` format would
    switch to an exponent once it has more integer digits than ``digits``."""
    if math.isfinite(value) and abs(value) >= 10 ** (digits - 1):
        return f"{value:.0f}"
    return f"{value:.{digits}g}"
