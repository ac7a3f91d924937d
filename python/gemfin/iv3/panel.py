"""The Iv3 panel: total baten and lasten of every municipality's begroting (2017–2024) and
jaarrekening (2017–2022), and who existed in which year.

The saldo van baten en lasten *before* reserve mutations (``baten − lasten``, both without
taakveld 0.10) is what a begroting plans and a jaarrekening realises; its sign is what the
backtest forecasts (docs/backtest.md).

Reading is bounded by an :class:`InformationSet`: rows of a later begroting or jaarrekening
than the set allows are dropped while the file is parsed, before any number is converted, so
a forecast cannot see them (tests/python/test_backtest.py checks this).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._datadir import data_dir
from .._tables import derived_from_files, read_table
from ..errors import DataError, InputError

SUMMARY = "iv3_data.iv3summary.csv"
BATEN = "iv3_data.iv3summary.baten_rijk.csv"
GEMEENTEN = "iv3_data.gemeente.csv"
DOCUMENTS = {"X000": "begroting", "X005": "jaarrekening"}


@dataclass(frozen=True)
class InformationSet:
    """What may be read: begrotingen up to ``begroting`` and jaarrekeningen (with their
    balance sheets) up to ``jaarrekening``, both inclusive. ``for_target(Y)`` is what was
    known at the start of year Y: the begroting of Y and the jaarrekeningen up to Y−2 (the
    jaarrekening of Y−1 is adopted in the summer of Y)."""

    begroting: int
    jaarrekening: int

    @classmethod
    def for_target(cls, target_year: int) -> "InformationSet":
        return cls(begroting=target_year, jaarrekening=target_year - 2)

    @classmethod
    def everything(cls) -> "InformationSet":
        return cls(begroting=9999, jaarrekening=9999)

    def allows(self, document: str, year: int) -> bool:
        return year <= (self.begroting if document == "begroting" else self.jaarrekening)


def _document(code: str, path: Path, lineno: int) -> tuple[str, int]:
    """``2019X005`` → ('jaarrekening', 2019)."""
    doc = DOCUMENTS.get(code[4:])
    if len(code) != 8 or not code[:4].isdigit() or doc is None:
        raise DataError(f"{path}, line {lineno}, column 'verslagsoort': {code!r} is not YYYYX000 (begroting) "
                        "or YYYYX005 (jaarrekening)")
    return doc, int(code[:4])


def _read(path: Path, columns: tuple[str, ...], info: InformationSet) -> pd.DataFrame:
    t = read_table(path, sep=",")
    vi, gi = t.column_index("verslagsoort"), t.column_index("gm_code")
    idx = [t.column_index(c) for c in columns]
    rows = []
    for r, lineno in zip(t.rows, t.line_numbers):
        doc, year = _document(r[vi], path, lineno)
        if not info.allows(doc, year):
            continue  # not known at the time: never converted, never returned
        values = []
        for c, i in zip(columns, idx):
            try:
                values.append(float(r[i]) if r[i] != "" else np.nan)
            except ValueError:
                raise DataError(f"{path}, line {lineno}, column {c!r}: {r[i]!r} is not a number") from None
        rows.append((doc, year, r[gi], *values))
    return pd.DataFrame(rows, columns=["document", "year", "gm_code", *columns])


def load_panel(info: InformationSet, data: str | Path | None = None) -> pd.DataFrame:
    """One row per (document, year, gm_code) that ``info`` allows: inhabitants, baten,
    lasten, saldo (euros; before reserve mutations), reserve_baten, reserve_lasten, heffingen
    (lokale heffingen), rijk, and
    ``filed``: False for a filing with a zero or missing total (its amounts are NaN). Parsed
    once per information set and file version (callers get a copy)."""
    root = data_dir(data) / "finance"
    return derived_from_files([root / SUMMARY, root / BATEN], ("panel", info.begroting, info.jaarrekening),
                              lambda: _load_panel(info, root))


def _load_panel(info: InformationSet, root: Path) -> pd.DataFrame:
    summary = _read(root / SUMMARY, ("inwoners", "lasten", "reserve_lasten", "reserve_baten", "heffingen"), info)
    baten = _read(root / BATEN, ("baten", "rijk"), info)
    key = ["document", "year", "gm_code"]
    df = summary.merge(baten, on=key, how="outer", validate="one_to_one")
    for c in ("lasten", "reserve_lasten", "reserve_baten", "heffingen", "baten", "rijk"):
        df[c] = df[c] * 1000.0  # EUR 1,000 → euros
    df = df.rename(columns={"inwoners": "inhabitants"})
    # A filing counts when both totals are there and non-zero: no municipality has no baten or
    # no lasten, so a zero total means nothing was reported; a missing total is a field kept
    # out of the copy (SOURCES.md).
    df["filed"] = df["baten"].notna() & df["lasten"].notna() & (df["baten"] != 0) & (df["lasten"] != 0)
    df.loc[~df["filed"], ["baten", "lasten", "rijk", "heffingen"]] = np.nan
    df["saldo"] = df["baten"] - df["lasten"]
    return df.sort_values(key).reset_index(drop=True)


def municipalities_of(year: int, data: str | Path | None = None) -> pd.Series:
    """CBS codes and names of the indeling of 1 January ``year`` (index gm_code)."""
    path = data_dir(data) / "municipalities" / GEMEENTEN
    t = read_table(path, sep=",")
    ji, gi, ni = (t.column_index(c) for c in ("jaar", "gm_code", "gm_naam"))
    rows = {r[gi]: r[ni] for r in t.rows if r[ji] == str(year)}
    if not rows:
        years = sorted({int(r[ji]) for r in t.rows})
        raise InputError(f"{path}: no municipalities for {year}; the list covers {years[0]}–{years[-1]}")
    return pd.Series(rows, name="name").rename_axis("gm_code").sort_index()


def to_indeling(panel: pd.DataFrame, year: int, data: str | Path | None = None) -> pd.DataFrame:
    """The panel in the municipal division of 1 January ``year``: the filings of municipalities
    that merged up to then (``data/municipalities/herindelingen.csv``) are summed into their
    successor, year by year, so that a municipality formed in a merger has a history. A summed
    filing counts as filed only if every part was filed; rows of years after ``year`` and of
    municipalities that were split (no successor listed) are kept as they are."""
    from ..municipalities import successors

    succ = successors(year, data)
    if panel.empty or not set(panel["gm_code"]) & set(succ):
        return panel
    df = panel.assign(gm_code=panel["gm_code"].map(lambda c: succ.get(c, c)))
    key = ["document", "year", "gm_code"]
    amounts = ["inhabitants", "lasten", "reserve_lasten", "reserve_baten", "heffingen", "baten", "rijk"]
    # min_count=1: a sum over parts that are all missing stays missing, not zero.
    out = df.groupby(key, sort=True)[amounts].sum(min_count=1)
    out["filed"] = df.groupby(key, sort=True)["filed"].all()
    out.loc[~out["filed"], ["baten", "lasten", "rijk", "heffingen"]] = np.nan
    out["saldo"] = out["baten"] - out["lasten"]
    return out.reset_index()[panel.columns]
