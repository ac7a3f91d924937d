"""Helpers on labelled pandas data shared by the calibrations."""

from __future__ import annotations

from typing import TypeVar, cast

import numpy as np
import pandas as pd

_Frame = TypeVar("_Frame", pd.Series, pd.DataFrame)


def log(x: _Frame) -> _Frame:
    """The natural log of a Series or DataFrame: np.log keeps the labels, though its declared
    type is an array."""
    return cast(_Frame, np.log(x))
