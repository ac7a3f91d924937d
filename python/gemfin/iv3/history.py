"""Base budgets of the years without a taakveld file (2017–2022), from the Iv3 summary.

The summary (``data/finance/iv3_data.iv3summary*.csv``, SOURCES.md there) has, per filing,
the lasten per taakveld, the total baten, the gemeentefonds as booked (``rijk``), the
belastingen (Iv3 categories 2.2.1 and 2.2.2, ``heffingen``) and the specifieke uitkeringen
per hoofdtaakveld. From them a :class:`~gemfin.iv3.BaselineBudget` of the same shape as one
from a taakveld file:

- lasten per domain: the lasten per taakveld through ``taakveld_domeinen.csv``;
- baten: ``Belastingen (ongesplitst)`` = the belastingen (the summary does not split OZB from
  the other belastingen; in the begroting 2023 OZB was 69% of them) and ``Overige baten`` =
  baten − rijk − belastingen; the other lines are zero;
- BUIG proxy: baten = specifieke uitkeringen on hoofdtaakveld 6 (in the begroting 2023 EUR
  6.44 bn, against 6.44 bn of baten on taakveld 6.3), lasten = lasten on taakveld 6.3;
- ``rijk``: the gemeentefonds as booked (algemene uitkering with IU and DU), for a base year
  whose verdeelmodel is not public (:mod:`gemfin.booked`).

Municipalities are those of 1 January of the year; filings of municipalities that merged into
one of them are summed (``data/municipalities/herindelingen.csv``). A missing or empty filing
is filled from the municipality's latest earlier filing of the same document, lasten scaled by
the national growth of the lasten and baten by that of the baten of the municipalities that
filed in both years; ``.filled`` lists each.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from .._datadir import data_dir
from ..errors import InputError
from .base import DOMAINS, REVENUE_LINES, BaselineBudget, load_taakveld_domains
from .panel import BATEN, SUMMARY, InformationSet, _read
from ..municipalities import load_municipalities, successors

TAAKVELDEN = "iv3_data.iv3summary.lasten_per_taakveld.csv"
#: Filings whose baten and rijk are in the data.
SUMMARY_FILINGS = {"begroting": range(2017, 2025), "jaarrekening": range(2017, 2023)}
_BATEN_LIKE = ("baten", "rijk", "heffingen", "spuks6")


def summary_filing(kind: str, year: int, data: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per municipality of 1 January ``year`` (euros): inhabitants, lasten, baten,
    rijk, heffingen, spuks6 and the lasten per taakveld (columns ``tv:<code>``); and the
    fills. Raises InputError for a filing whose baten are not in the data."""
    if kind not in SUMMARY_FILINGS or year not in SUMMARY_FILINGS[kind]:
        raise InputError(f"no Iv3 {kind} {year} in the summary with baten; available: begroting "
                         f"2017–2024, jaarrekening 2017–2022")
    root = data_dir(data) / "finance"
    info = InformationSet(begroting=year, jaarrekening=year)
    s = _read(root / SUMMARY, ("inwoners", "lasten", "heffingen", "spuks_per_hoofdtaakveld.6"), info)
    b = _read(root / BATEN, ("baten", "rijk"), info)
    header = pd.read_csv(root / TAAKVELDEN, nrows=0).columns
    codes = [c for c in header if c not in ("jaar", "verslagsoort", "gm_code")]
    t = _read(root / TAAKVELDEN, tuple(codes), info).rename(columns={c: f"tv:{c}" for c in codes})
    key = ["document", "year", "gm_code"]
    df = s.merge(b, on=key, how="left").merge(t, on=key, how="left")
    df = df[df["document"] == kind].rename(columns={"inwoners": "inhabitants", "spuks_per_hoofdtaakveld.6": "spuks6"})
    amounts = [c for c in df.columns if c not in key]
    df[amounts] = df[amounts] * 1000.0
    df["inhabitants"] = df["inhabitants"] / 1000.0  # a count, not EUR 1,000
    df["filed"] = df["baten"].notna() & df["lasten"].notna() & (df["baten"] != 0) & (df["lasten"] != 0)
    # Into the division of `year`: predecessors summed, filed only if every part was.
    succ = successors(year, data)
    df["gm_code"] = df["gm_code"].map(lambda c: succ.get(c, c))
    grouped = df.groupby(["year", "gm_code"])
    panel = grouped[amounts].sum(min_count=1)
    panel["filed"] = grouped["filed"].all()
    division = load_municipalities(year, data).index
    now = panel.xs(year, level="year") if year in panel.index.get_level_values("year") else panel.iloc[:0]
    rows, fills = {}, []
    for g in division:
        if g in now.index and now.loc[g, "filed"]:
            rows[g] = now.loc[g, amounts]
            continue
        hist = panel[(panel.index.get_level_values("gm_code") == g) & panel["filed"]]
        hist = hist[hist.index.get_level_values("year") < year]
        if hist.empty:
            continue
        y0 = int(hist.index.get_level_values("year").max())
        both = set(now.index[now["filed"]]) & set(panel.xs(y0, level="year").query("filed").index)
        then = panel.xs(y0, level="year").loc[sorted(both)]
        fl = float(now.loc[sorted(both), "lasten"].sum() / then["lasten"].sum())
        fb = float(now.loc[sorted(both), "baten"].sum() / then["baten"].sum())
        src = hist.xs(y0, level="year").loc[g, amounts].copy()
        for c in amounts:
            if c != "inhabitants":
                src[c] *= fb if c in _BATEN_LIKE else fl
        rows[g] = src
        reason = "empty filing (zero totals)" if g in now.index else "no filing"
        fills.append({"gemeente": g, "reason": reason, "used": f"{kind} {y0}", "lasten_factor": fl, "baten_factor": fb})
    out = pd.DataFrame.from_dict(rows, orient="index").rename_axis("gemeente").sort_index()
    filled = pd.DataFrame(fills, columns=["gemeente", "reason", "used", "lasten_factor", "baten_factor"]).set_index("gemeente")
    out.attrs["missing"] = [g for g in division if g not in rows]
    return out, filled


def summary_baseline(kind: str, year: int, data: str | Path | None = None) -> BaselineBudget:
    """The :class:`~gemfin.iv3.BaselineBudget` of a filing without a taakveld file (see the
    module docstring)."""
    df, filled = summary_filing(kind, year, data)
    mapping = load_taakveld_domains(data)
    tv = [c for c in df.columns if c.startswith("tv:")]
    unknown = sorted(c[3:] for c in tv if c[3:] not in mapping.index and df[c].fillna(0).abs().sum() > 0)
    if unknown:
        raise InputError(f"taakveld(en) {unknown} of the Iv3 summary have no domain in data/finance/taakveld_domeinen.csv")
    lasten = pd.DataFrame(0.0, index=df.index, columns=list(DOMAINS))
    for c in tv:
        if c[3:] in mapping.index and mapping.loc[c[3:], "domein"] in DOMAINS:
            lasten[mapping.loc[c[3:], "domein"]] += df[c].fillna(0.0)
    baten = pd.DataFrame(0.0, index=df.index, columns=list(REVENUE_LINES))
    baten["Belastingen (ongesplitst)"] = df["heffingen"].fillna(0.0)
    baten["Overige baten"] = df["baten"] - df["rijk"].fillna(0.0) - df["heffingen"].fillna(0.0)
    if not np.isfinite(baten.to_numpy()).all():
        bad = baten.index[~np.isfinite(baten.to_numpy()).all(axis=1)]
        raise InputError(f"Iv3 summary {kind} {year}: baten missing for {list(bad[:10])}")
    out = BaselineBudget(kind, year, lasten, baten, list(df.attrs["missing"]), [], filled,
                         buig_baten=df["spuks6"].fillna(0.0).clip(lower=0.0),
                         buig_lasten=df["tv:6.3"].fillna(0.0) if "tv:6.3" in df else pd.Series(0.0, index=df.index),
                         source="summary", rijk=df["rijk"],
                         lasten_taakveld=df[tv].fillna(0.0).rename(columns=lambda c: c[3:]))
    return out


def split_revenue_lines(base: BaselineBudget, like: BaselineBudget, data: str | Path | None = None) -> BaselineBudget:
    """``base`` (a summary base: own baten only as belastingen and the rest) with its own baten
    split over the revenue lines in the shares ``like`` (a later filing with a taakveld file)
    has for the same municipality: a municipality merged since takes the shares of the merged
    one, one divided since the national shares. The own baten (baten − rijk) are kept exactly;
    ``Belastingen (ongesplitst)`` becomes zero. An imputation, for what needs the lines of a year
    before 2023 — the corona losses and keys of 2020 (docs/budget-model.md, "Revenue lines
    before 2023")."""
    if base.source != "summary":
        raise InputError(f"the {base.kind} {base.year} has its revenue lines from its taakveld file; "
                         "only a base from the Iv3 summary (2017–2022) can take them from another filing")
    if like.source == "summary":
        raise InputError(f"the {like.kind} {like.year} has no taakveld file to take revenue lines from; "
                         "expected a begroting 2023–2025 or the jaarrekening 2023")
    if like.year < base.year:
        raise InputError(f"revenue lines of the {base.kind} {base.year} from an earlier filing "
                         f"({like.kind} {like.year}); expected a later one")
    lines = [c for c in REVENUE_LINES if c != "Belastingen (ongesplitst)"]
    amounts = like.baten[lines].clip(lower=0.0)  # Parkeren is a small negative in a few filings
    shares = amounts.div(amounts.sum(axis=1), axis=0)
    succ = successors(like.year, data)
    per = shares.reindex([succ.get(g, g) for g in base.baten.index]).set_axis(base.baten.index)
    # A municipality divided since (Haaren, 2021, over four neighbours) has no one successor, and
    # one without baten on these lines no shares: they take the national shares.
    national = per.index[per.isna().any(axis=1)].tolist()
    per = per.fillna(amounts.sum() / amounts.sum().sum())
    baten = per.mul(base.baten.sum(axis=1), axis=0)
    baten["Belastingen (ongesplitst)"] = 0.0
    note = f"{like.kind} {like.year}" + (f" (national shares for {', '.join(national)})" if national else "")
    return dataclasses.replace(base, baten=baten[list(REVENUE_LINES)], revenue_lines_from=note)
