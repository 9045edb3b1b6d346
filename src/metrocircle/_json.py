"""Plain JSON values from library results: one conversion for every face that renders them."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

__all__ = ["plain"]


def plain(v: Any) -> Any:
    """``v`` as JSON: numpy scalars as Python, tuples as lists, non-finite floats as None.

    Decimals are kept (the fiscal split's exact amounts); mappings get string keys.

    >>> import numpy as np
    >>> plain({1: (np.float64(2.5), float("nan")), "d": Decimal("0.1")})
    {'1': [2.5, None], 'd': Decimal('0.1')}
    """
    if hasattr(v, "item") and not isinstance(v, (str, bytes, dict, list, tuple, Decimal)):
        try:
            v = v.item()
        except (ValueError, AttributeError):
            return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v
