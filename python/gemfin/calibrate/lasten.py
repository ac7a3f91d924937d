"""How fast the municipalities' begroot lasten grew, per domain and against prices.

The lasten per taakveld of the begrotingen 2017–2026 (``data/finance/
iv3_data.iv3summary.lasten_per_taakveld.csv``) are the one source here that reaches the begroting
2026; its baten are withheld (``data/finance/SOURCES.md``), so it says how the plans' costs
moved, not their saldo. docs/budget-model.md ("Costs in the first years") sets these figures
beside the published wage and price estimates and beside the budget model's first year.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._datadir import data_dir
from ..errors import DataError, InputError
from ..iv3 import DOMAINS, load_taakveld_domains
from ..scan.history import price_index

TAAKVELDEN = "iv3_data.iv3summary.lasten_per_taakveld.csv"
#: Begrotingen in the lasten per taakveld.
YEARS = range(2017, 2027)


def _domain_lasten(data) -> pd.DataFrame:
    """Lasten per (year, CBS code) and domain of every begroting, EUR 1,000."""
    path = data_dir(data) / "finance" / TAAKVELDEN
    if not path.is_file():
        raise DataError(f"{path}: the lasten per taakveld are missing")
    df = pd.read_csv(path, dtype={"verslagsoort": str, "gm_code": str})
    missing = {"jaar", "verslagsoort", "gm_code"} - set(df.columns)
    if missing:
        raise DataError(f"{path}: expected the columns jaar, verslagsoort, gm_code; missing {sorted(missing)}")
    df = df[df["verslagsoort"].str.endswith("X000")]
    mapping = load_taakveld_domains(data)["domein"]
    out = pd.DataFrame(index=pd.MultiIndex.from_frame(df[["jaar", "gm_code"]], names=["year", "gemeente"]))
    for d in DOMAINS:
        cols = [c for c in df.columns if c in mapping.index and mapping[c] == d]
        out[d] = df[cols].fillna(0.0).to_numpy().sum(axis=1)
    return out


def lasten_growth(first: int = 2018, last: int = 2026, data: str | Path | None = None) -> pd.DataFrame:
    """Per begroting ``first``–``last``: the growth of the national lasten per domain and in
    total on the begroting of the year before, over the municipalities (CBS codes) with lasten
    in both (a merged municipality drops out of its first year); the CPI change of the year
    (``data/prices/cpi.csv``, where it has the year) and the total's growth above it. Fractions
    (1.05 − 1 = 0.05), index year; ``municipalities`` counts the pairs."""
    if first < YEARS.start + 1 or last > YEARS.stop - 1 or first > last:
        raise InputError(f"lasten_growth: expected begrotingen {YEARS.start + 1}–{YEARS.stop - 1}, "
                         f"got {first}–{last}")
    by_year = {int(str(y)): f.droplevel("year") for y, f in _domain_lasten(data).groupby(level="year")}
    cpi = price_index(data)
    rows = {}
    for year in range(first, last + 1):
        now, before = by_year[year], by_year[year - 1]
        both = now.index[now.sum(axis=1) > 0].intersection(before.index[before.sum(axis=1) > 0])
        a: pd.Series = now.loc[both].sum()
        b: pd.Series = before.loc[both].sum()
        row = {d: float(a[d] / b[d] - 1.0) for d in DOMAINS}
        row["total"] = float(a.sum() / b.sum() - 1.0)
        row["cpi"] = float(cpi[year] / cpi[year - 1] - 1.0) if year in cpi.index and year - 1 in cpi.index else np.nan
        row["total above cpi"] = row["total"] - row["cpi"]
        row["municipalities"] = len(both)
        rows[year] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("year")
