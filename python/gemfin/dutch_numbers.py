"""Strict readers for the numbers in the circulaire files: Dutch notation, and plain dot decimals.

``1.234.567,89`` is 1234567.89: ``.`` groups thousands, ``,`` is the decimal mark. Plain
``1234,5`` and ``-0,000914`` occur too, a few cells use spreadsheet scientific notation
(``1,94044E+11`` in GF_M2023_2024_Volumina.csv: the published value, six significant digits),
and an empty amount is written `` - `` (accounting format for zero). Anything else -- ``1.5``, ``12,3,4``, ``abc`` -- is an error, never a guess.
"""

from __future__ import annotations

import math
import re

_DUTCH = re.compile(r"^-?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?(?:[eE][+-]?\d{1,3})?$")
_ZERO_DASH = {"-", "–"}


def parse_dutch_number(text: str) -> float:
    """Parse one cell; raises ValueError with the offending text."""
    s = text.strip()
    if s in _ZERO_DASH:
        return 0.0
    if not _DUTCH.match(s):
        raise ValueError(f"{text!r} is not a number in Dutch notation (e.g. 1.234,56)")
    value = float(s.replace(".", "").replace(",", "."))
    if not math.isfinite(value):  # pragma: no cover - the pattern admits only finite numbers
        raise ValueError(f"{text!r} is not finite")
    return value


_PLAIN = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][+-]?\d{1,3})?$")


def parse_plain_number(text: str) -> float:
    """Parse one cell written with a dot decimal mark and no thousands separators (``1234.5``,
    ``-0.000914``), as in the meicirculaire 2022 files. An empty cell, ``1,5``, ``1.234.567``,
    ``nan`` or ``inf`` is an error (``float()`` alone would accept the last two)."""
    s = text.strip()
    if not _PLAIN.match(s):
        raise ValueError(f"{text!r} is not a number with a dot decimal mark (e.g. 1234.56)")
    return float(s)
