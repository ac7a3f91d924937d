"""The municipal division (gemeentelijke indeling) and size classes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._datadir import data_dir
from ._tables import is_ascii_number, read_table
from .errors import DataError, InputError

#: CBS list valid on 1 January of each year. There were no mergers on 1 January 2024, 2025
#: or 2026, so the 2023 list (342 municipalities) holds for all four years
#: (data/municipalities/SOURCES.md).
INDELING_FILES = {
    2023: "gemeenten-alfabetisch-2023.csv",
    2024: "gemeenten-alfabetisch-2023.csv",
    2025: "gemeenten-alfabetisch-2023.csv",
    2026: "gemeenten-alfabetisch-2023.csv",
}

#: Size classes (inhabitants) used in the herverdeel reporting of the herijking (domain.md §2.7).
SIZE_CLASS_EDGES = (0, 20_000, 50_000, 100_000, 250_000, np.inf)
SIZE_CLASS_LABELS = ("0–20k", "20–50k", "50–100k", "100–250k", ">250k")


def size_class(inhabitants: pd.Series) -> pd.Series:
    """Categorical size class of each municipality (left-closed: 20,000 is in 20–50k)."""
    return pd.cut(inhabitants, bins=list(SIZE_CLASS_EDGES), labels=list(SIZE_CLASS_LABELS),
                  right=False).rename("size_class")


def load_municipalities(year: int, data: str | Path | None = None) -> pd.DataFrame:
    """Municipalities on 1 January of ``year``: index CBS code (GM0014), columns name, province."""
    if year not in INDELING_FILES:
        raise InputError(
            f"no municipal division shipped for {year}; available years: {sorted(INDELING_FILES)}"
        )
    path = data_dir(data) / "municipalities" / INDELING_FILES[year]
    table = read_table(path, sep=",")
    code_i = table.column_index("GemeentecodeGM")
    name_i = table.column_index("Gemeentenaam")
    prov_i = table.column_index("Provincienaam")
    codes = [r[code_i] for r in table.rows]
    for code, lineno in zip(codes, table.line_numbers):
        if len(code) != 6 or not code.startswith("GM") or not is_ascii_number(code[2:]):
            raise DataError(f"{path}, line {lineno}: {code!r} is not a CBS code like GM0014")
    if len(set(codes)) != len(codes):
        dup = sorted({c for c in codes if codes.count(c) > 1})
        raise DataError(f"{path}: municipality {dup[0]} appears more than once")
    df = pd.DataFrame(
        {"name": [r[name_i] for r in table.rows], "province": [r[prov_i] for r in table.rows]},
        index=pd.Index(codes, name="gemeente"),
    ).sort_index()
    df.attrs["indeling"] = f"1 January {year}"
    return df
