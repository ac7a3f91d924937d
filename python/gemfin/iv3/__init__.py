"""Municipal budgets from CBS Iv3 (Informatie voor derden) and the balance sheet.

- :func:`load_iv3` reads a begroting or jaarrekening file: baten and lasten per municipality
  and taakveld, in euros (the files hold EUR 1,000).
- :func:`baseline_budget` maps the taakvelden to spending domains and revenue lines
  (``data/finance/taakveld_domeinen.csv``) and returns one row per municipality.
- :func:`load_reserves` reads algemene reserve and bestemmingsreserves from the jaarrekening
  balance sheet; :func:`load_kengetallen` the BBV ratios of a begroting.

Names are joined to CBS codes by :func:`iv3_codes`; a name that cannot be matched is reported
in the result (``.unmatched``), never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._datadir import data_dir
from .._tables import derived_from_files, read_table
from ..errors import DataError, InputError
from .base import DOMAINS, REVENUE_LINES, BaselineBudget, load_taakveld_domains  # noqa: F401  (re-exported)
from ..municipalities import INDELING_FILES, load_municipalities

IV3_FILES = {("begroting", 2025): "2025_begroting.csv", ("begroting", 2024): "2024_begroting.csv",
             ("jaarrekening", 2023): "2023_jaarrekening.csv", ("begroting", 2023): "2023_begroting.csv"}
# Note: the 2023–2024 files carry aggregate taakvelden (6.71, 6.72, 6.81, 6.82) next to their
# detail codes (6.71a–d, …). They are separate bookings, not subtotals (in the jaarrekening 2023
# Asten books EUR 3.3 mln on 6.71 and nothing on 6.71a–d), so both are summed into the domain.

#: The Iv3 category of wages (L1.1) as the taakveld files name their column.
SALARIES = "L1.1 Salarissen en sociale lasten"

_CODE = re.compile(r"^(\d+\.\d+[a-z]?)\s")


def _number(text: str, path: Path, lineno: int, column: str) -> float:
    if text == "":
        return 0.0
    try:
        v = float(text)
    except ValueError:
        raise DataError(f"{path}, line {lineno}, column {column!r}: {text!r} is not a number") from None
    if not np.isfinite(v):
        raise DataError(f"{path}, line {lineno}, column {column!r}: {text!r} is not finite")
    return v


@dataclass(frozen=True)
class NameMatch:
    codes: dict[str, str]
    unmatched: list[str]


def iv3_codes(names, year: int = 2025, data: str | Path | None = None) -> NameMatch:
    """Map Iv3/CBS municipality names to CBS codes of the ``year`` division. Tries the exact
    CBS name, then the Iv3→gemeentefonds lookup (``Beek (L.)`` → ``Beek``), then the name
    without a "(gemeente)" suffix."""
    muni = load_municipalities(year, data)
    by_name = {str(n): str(c) for c, n in muni["name"].items()}
    lookup_path = data_dir(data) / "municipalities" / "gemeentenamen.csv"
    t = read_table(lookup_path, sep="\t")
    a, b = t.column_index("Iv3naam"), t.column_index("GFnaam")
    lookup = {r[a]: r[b] for r in t.rows}
    codes, unmatched = {}, []
    for n in names:
        # Some files write the CBS suffix with a comma: "Bergen (NH,)".
        dotted = n.replace(",)", ".)")
        for candidate in (n, lookup.get(n), re.sub(r"\s*\(gemeente\)$", "", n), dotted, lookup.get(dotted)):
            if candidate in by_name:
                codes[n] = by_name[candidate]
                break
        else:
            unmatched.append(n)
    return NameMatch(codes, unmatched)


def load_iv3(kind: str = "begroting", year: int = 2025, data: str | Path | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Long table (gemeente, taakveld, baten, lasten, salarissen) in euros; and the unmatched
    names. ``salarissen`` is the lasten category L1.1 (wages and social charges)."""
    if (kind, year) not in IV3_FILES:
        raise InputError(f"no Iv3 {kind} {year} shipped; available: {sorted(IV3_FILES)}")
    path = data_dir(data) / "finance" / IV3_FILES[(kind, year)]
    return derived_from_files([path], ("iv3", kind, year), lambda: _parse_iv3(path, year, data))


def _parse_iv3(path: Path, year: int, data) -> tuple[pd.DataFrame, list[str]]:
    t = read_table(path, sep=";")
    gi, ti, bi, li = (t.column_index(c) for c in ("Gemeenten", "Taakveld", "Baten", "Lasten"))
    si = t.header.index(SALARIES) if SALARIES in t.header else None
    names = sorted({r[gi] for r in t.rows} - {"Nederland"})
    match = iv3_codes(names, 2025 if year >= 2023 else year, data)
    rows = []
    for r, lineno in zip(t.rows, t.line_numbers):
        if r[gi] == "Nederland" or r[gi] not in match.codes:
            continue
        m = _CODE.match(r[ti] + " ")
        if not m:
            raise DataError(f"{path}, line {lineno}, column 'Taakveld': {r[ti]!r} does not start with a taakveld code")
        rows.append((match.codes[r[gi]], m.group(1), 1000.0 * _number(r[bi], path, lineno, "Baten"),
                     1000.0 * _number(r[li], path, lineno, "Lasten"),
                     1000.0 * _number(r[si], path, lineno, SALARIES) if si is not None else np.nan))
    df = pd.DataFrame(rows, columns=["gemeente", "taakveld", "baten", "lasten", "salarissen"])
    dup = df.duplicated(["gemeente", "taakveld"])
    if dup.any():
        g, tv = df.loc[dup, ["gemeente", "taakveld"]].iloc[0]
        raise DataError(f"{path}: municipality {g}, taakveld {tv} appears twice")
    df.attrs["source"] = str(path)
    return df, match.unmatched


def _filing_order(kind: str, year: int) -> list[tuple[str, int]]:
    """Earlier shipped files to fill a missing filing from: the same document first, newest
    first, then the other document."""
    earlier = [k for k in IV3_FILES if k[1] < year or (k[1] == year and k[0] != kind)]
    return sorted(earlier, key=lambda k: (k[0] != kind, -k[1]))


def load_iv3_filled(kind: str = "begroting", year: int = 2025,
                    data: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """:func:`load_iv3` with missing data filled: a municipality of the division with no rows,
    or with zero baten and lasten on every taakveld (four in the begroting 2025: De Bilt,
    Landsmeer, Midden-Drenthe, Vijfheerenlanden), gets the rows of its latest earlier filing
    (:func:`_filing_order`), lasten scaled by the growth of the total lasten and baten by that
    of the total baten of the municipalities that filed in both. Returns the long table, the
    fills (index gemeente; reason, used, lasten_factor, baten_factor) and the unmatched names."""
    df, unmatched = load_iv3(kind, year, data)
    division = load_municipalities(2025, data).index
    totals = _abs_totals(df)
    filed = totals[(totals["baten"] > 0) | (totals["lasten"] > 0)].index
    gaps = [g for g in division if g not in filed]
    fills, parts = [], [df[df["gemeente"].isin(filed)]]
    for g in gaps:
        reason = "empty filing (zero baten and lasten)" if g in totals.index else "no filing"
        for k2, y2 in _filing_order(kind, year):
            other, _ = load_iv3(k2, y2, data)
            o_tot = _abs_totals(other)
            o_filed = o_tot[(o_tot["baten"] > 0) | (o_tot["lasten"] > 0)].index
            if g not in o_filed:
                continue
            common = filed.intersection(o_filed)
            # Growth of the exploitatie, without reserve mutations and result (0.10, 0.11),
            # which differ between a begroting and a jaarrekening by far more than a year's growth.
            now = _exploitatie(df, common).sum()
            then = _exploitatie(other, common).sum()
            fb, fl = float(now["baten"] / then["baten"]), float(now["lasten"] / then["lasten"])
            rows = other[other["gemeente"] == g].copy()
            rows["baten"] *= fb
            rows["lasten"] *= fl
            rows["salarissen"] *= fl
            parts.append(rows)
            fills.append({"gemeente": g, "reason": reason, "used": f"{k2} {y2}", "lasten_factor": fl, "baten_factor": fb})
            break
    out = pd.concat(parts, ignore_index=True)
    out.attrs = dict(df.attrs)
    filled = pd.DataFrame(fills, columns=["gemeente", "reason", "used", "lasten_factor", "baten_factor"]).set_index("gemeente")
    return out, filled, unmatched


def _abs_totals(df: pd.DataFrame) -> pd.DataFrame:
    """Σ|baten| and Σ|lasten| per municipality: zero only for an empty filing."""
    return df[["baten", "lasten"]].abs().groupby(df["gemeente"]).sum()


def _exploitatie(df: pd.DataFrame, codes) -> pd.DataFrame:
    keep = df["gemeente"].isin(codes) & ~df["taakveld"].isin(["0.10", "0.11"])
    return df.loc[keep, ["baten", "lasten"]]


def baseline_budget(kind: str = "begroting", year: int = 2025, data: str | Path | None = None) -> BaselineBudget:
    """Lasten per domain and baten per revenue line per municipality, from Iv3, excluding the
    gemeentefonds (taakveld 0.7, not shipped) and reserve mutations (0.10) and result (0.11).
    Missing and all-zero filings are filled from an earlier one (``.filled`` says which).
    Filings with a taakveld file (:data:`IV3_FILES`) are read from it; the begrotingen
    2017–2022 and jaarrekeningen 2017–2022 from the Iv3 summary (:mod:`gemfin.iv3.history`)."""
    root = data_dir(data)
    files = ([root / "finance" / f for f in IV3_FILES.values()] + [root / "finance" / "taakveld_domeinen.csv"]
             + [root / "municipalities" / f for f in ("herindelingen.csv", "iv3_data.gemeente.csv",
                                                       "gemeenten-alfabetisch-2023.csv", "gemeentenamen.csv")])
    if (kind, year) not in IV3_FILES:
        from .history import TAAKVELDEN, summary_baseline

        files += [root / "finance" / f for f in ("iv3_data.iv3summary.csv", "iv3_data.iv3summary.baten_rijk.csv",
                                                 TAAKVELDEN)]
        return derived_from_files(files, ("baseline_budget", kind, year), lambda: summary_baseline(kind, year, data))
    return derived_from_files(files, ("baseline_budget", kind, year), lambda: _taakveld_baseline(kind, year, data))


def _taakveld_baseline(kind: str, year: int, data) -> BaselineBudget:
    df, filled, unmatched = load_iv3_filled(kind, year, data)
    mapping = load_taakveld_domains(data)
    unknown = sorted(set(df["taakveld"]) - set(mapping.index))
    if unknown:
        raise DataError(f"{df.attrs['source']}: taakveld(en) {unknown} have no domain in "
                        f"data/finance/taakveld_domeinen.csv; expected every taakveld to be mapped")
    df = df.join(mapping, on="taakveld")
    kept = df[df["domein"] != "uitgesloten"]
    lasten = kept.pivot_table(index="gemeente", columns="domein", values="lasten", aggfunc="sum", fill_value=0.0)
    baten = kept.pivot_table(index="gemeente", columns="baten_regel", values="baten", aggfunc="sum", fill_value=0.0)
    lasten = lasten.reindex(columns=list(DOMAINS), fill_value=0.0)
    baten = baten.reindex(columns=list(REVENUE_LINES), fill_value=0.0)
    division = load_municipalities(2025, data).index
    missing = sorted(set(division) - set(lasten.index))
    tv63 = df[df["taakveld"] == "6.3"].groupby("gemeente")[["baten", "lasten"]].sum()
    exploitatie = df[~df["taakveld"].isin(["0.10", "0.11"])]  # as in the summary: no reserve mutations, no result
    per_taakveld = exploitatie.pivot_table(index="gemeente", columns="taakveld", values="lasten", aggfunc="sum",
                                           fill_value=0.0)
    return BaselineBudget(kind, year, lasten.sort_index(), baten.sort_index(), missing, unmatched, filled,
                          buig_baten=tv63["baten"].reindex(lasten.index).fillna(0.0).sort_index(),
                          buig_lasten=tv63["lasten"].reindex(lasten.index).fillna(0.0).sort_index(),
                          lasten_taakveld=per_taakveld.reindex(lasten.index).fillna(0.0).sort_index())


def load_reserves(year: int | None = None, data: str | Path | None = None,
                  division: int = 2025) -> tuple[pd.DataFrame, list[str]]:
    """Algemene reserve (P111) and bestemmingsreserves (P112) in euros per municipality from the
    jaarrekening balance sheet of ``year`` (default: the latest), at the end of that year, in
    the municipal division of 1 January ``division``: each sheet's names are matched to the
    municipalities of its own year, and the sheets of municipalities that merged up to
    ``division`` are summed into their successor (``data/municipalities/herindelingen.csv``).
    A municipality without a balance sheet in ``year`` gets its latest earlier one; column
    ``jaar`` says which year was used. Also returns the names that match no municipality of
    their year, and, for the default division, the codes that were merged away."""
    path = data_dir(data) / "finance" / "rekening_balansposten.csv"
    return derived_from_files([path], ("reserves", year, division),
                              lambda: _parse_reserves(path, year, data, division))


def _parse_reserves(path: Path, year: int | None, data, division: int) -> tuple[pd.DataFrame, list[str]]:
    from ..municipalities import successors

    t = read_table(path, sep=",")
    gi, yi, pi, wi = (t.column_index(c) for c in ("Gemeenten", "Jaar", "Balanspost", "Waarde"))
    wanted = {"P111": "algemene reserve", "P112": "bestemmingsreserves"}
    rows = []
    for r, ln in zip(t.rows, t.line_numbers):
        post = r[pi].split()[0] if r[pi].strip() else ""
        if post in wanted:
            try:
                jaar = int(r[yi])
            except ValueError:
                raise DataError(f"{path}, line {ln}, column 'Jaar': {r[yi]!r} is not a year") from None
            rows.append((r[gi], jaar, wanted[post], 1000.0 * _number(r[wi], path, ln, "Waarde")))
    df = pd.DataFrame(rows, columns=["name", "jaar", "post", "euros"])
    years = sorted(df["jaar"].unique())
    year = int(years[-1]) if year is None else year
    if year not in years:
        raise InputError(f"no balance sheet for {year}; available years {years[0]}–{years[-1]}")
    df = df[df["jaar"] <= year]
    unmatched: list[str] = []
    codes = pd.Series(index=df.index, dtype=object)
    for sheet_year, part in df.groupby("jaar"):
        # A sheet of year J is filed by the municipalities of J (merged ones file their last).
        match = iv3_codes(sorted(part["name"].unique()), min(max(int(str(sheet_year)), 2017), 2025), data)
        codes[part.index] = part["name"].map(match.codes)
        unmatched += [n for n in match.unmatched if n not in unmatched]
    succ = successors(division, data)
    df = df.assign(gemeente=codes.map(lambda c: succ.get(c, c) if isinstance(c, str) else None))
    merged_away = sorted(set(df["name"][df["gemeente"].isin(list(set(succ.values()))) &
                                        codes.isin(list(succ)).to_numpy()]))
    df = df.dropna(subset=["gemeente"])
    df = df[df["gemeente"].isin(load_municipalities(division, data).index)]
    # Per municipality the latest year with a sheet; a successor's sum over its predecessors
    # counts only where all of them have that year (else it would be a partial sum).
    per = df.groupby(["gemeente", "jaar", "post"])["euros"].sum().unstack("post")
    latest = per.reset_index().groupby("gemeente")["jaar"].max()
    out = per.loc[list(zip(latest.index, latest.to_numpy()))].droplevel("jaar")
    out = out.reindex(columns=list(wanted.values())).fillna(0.0)
    out["jaar"] = latest
    out.attrs["year"] = year
    return out, unmatched + merged_away


def load_kengetallen(begroting: int = 2025, data: str | Path | None = None) -> tuple[pd.DataFrame, list[str]]:
    """BBV kengetallen of a begroting (the figure for the begroting year itself) per
    municipality, as fractions; and the unmatched names."""
    path = data_dir(data) / "finance" / "kengetallen.csv"
    return derived_from_files([path], ("kengetallen", begroting), lambda: _parse_kengetallen(path, begroting, data))


def _parse_kengetallen(path: Path, begroting: int, data) -> tuple[pd.DataFrame, list[str]]:
    t = read_table(path, sep=",")
    need = ("Gemeenten", "Begroting", "Kengetal", "Jaar", "Type raming", "Waarde")
    idx = {c: t.column_index(c) for c in need}
    df = pd.DataFrame({c: [r[i] for r in t.rows] for c, i in idx.items()})
    for c in ("Begroting", "Jaar", "Waarde"):
        num = pd.to_numeric(df[c], errors="coerce")
        # Three upstream values are the letter "A" (Lochem, grondexploitatie, meerjarenraming):
        # a placeholder for "not available", read as missing. Anything else must be a number.
        bad = num.isna() & ~df[c].isin(["", "A"])
        if bad.any():
            i = int(str(bad.idxmax()))
            raise DataError(f"{path}, line {t.line_numbers[i]}, column {c!r}: {df.loc[i, c]!r} is not a number")
        df[c] = num
    df = df[(df["Begroting"] == begroting) & (df["Jaar"] == begroting)]
    if df.empty:
        raise InputError(f"no kengetallen for begroting {begroting} in {path}")
    df = df.assign(Kengetal=df["Kengetal"].str.strip())
    # Names of the begroting's own year: a municipality merged away later (Appingedam in the
    # begroting 2020) keeps its code. The 2022 file also lists 14 municipalities merged before
    # 2022; they are not in that year's division and come back as unmatched.
    match = iv3_codes(sorted(df["Gemeenten"].unique()), min(begroting, max(INDELING_FILES)), data)
    df = df.assign(gemeente=df["Gemeenten"].map(match.codes)).dropna(subset=["gemeente"])
    out = df.pivot_table(index="gemeente", columns="Kengetal", values="Waarde", aggfunc="first")
    return out, match.unmatched
