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
from ..scan.history import cpi_changes, price_index

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


SUMMARY = "iv3_data.iv3summary.csv"


def real_lasten_growth(last: int = 2025, data: str | Path | None = None) -> pd.DataFrame:
    """Whether the begrotingen's real lasten growth persists (docs/budget-model.md, "Costs in the
    first years"). Per begroting 2018–``last``: the growth of the national lasten (``lasten`` of
    the Iv3 summary, every municipality with lasten and inhabitants in both years), of the
    inhabitants, the CPI change of the year before (what the begroting's writers knew) and the
    real growth log(1 + lasten) − log(1 + CPI) − log(1 + inhabitants). ``attrs``: ``psi`` (AR(1)
    through zero of the real growth), ``psi_demeaned`` (around its mean) and ``mean``."""
    if not 2019 <= last <= YEARS.stop - 1:
        raise InputError(f"real_lasten_growth: expected a last begroting in 2019–{YEARS.stop - 1}, got {last}")
    path = data_dir(data) / "finance" / SUMMARY
    if not path.is_file():
        raise DataError(f"{path}: the Iv3 summary is missing")
    df = pd.read_csv(path, dtype={"verslagsoort": str, "gm_code": str}, usecols=["jaar", "verslagsoort", "gm_code",
                                                                                  "inwoners", "lasten"])
    df = df[df["verslagsoort"].str.endswith("X000") & (df["lasten"] > 0) & (df["inwoners"] > 0)]
    by_year = {int(str(y)): f.set_index("gm_code") for y, f in df.groupby("jaar")}
    cpi = cpi_changes(data)
    rows = {}
    for year in range(2018, last + 1):
        now, before = by_year[year], by_year[year - 1]
        both = now.index.intersection(before.index)
        lasten = float(now.loc[both, "lasten"].sum() / before.loc[both, "lasten"].sum() - 1.0)
        people = float(now.loc[both, "inwoners"].sum() / before.loc[both, "inwoners"].sum() - 1.0)
        prices = float(cpi[year - 1])
        rows[year] = {"lasten": lasten, "inhabitants": people, "cpi year before": prices,
                      "real": float(np.log1p(lasten) - np.log1p(prices) - np.log1p(people))}
    out = pd.DataFrame.from_dict(rows, orient="index").rename_axis("year")
    x = out["real"].to_numpy()
    xm = x - x.mean()
    out.attrs.update(psi=float(x[1:] @ x[:-1] / (x[:-1] @ x[:-1])),
                     psi_demeaned=float(xm[1:] @ xm[:-1] / (xm[:-1] @ xm[:-1])), mean=float(x.mean()))
    return out
