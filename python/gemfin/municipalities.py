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
#: (data/municipalities/SOURCES.md). Earlier years come from the Iv3 municipality table
#: (``iv3_data.gemeente.csv``, :data:`IV3_YEARS`).
INDELING_FILES = {
    2023: "gemeenten-alfabetisch-2023.csv",
    2024: "gemeenten-alfabetisch-2023.csv",
    2025: "gemeenten-alfabetisch-2023.csv",
    2026: "gemeenten-alfabetisch-2023.csv",
}
IV3_YEARS = range(2017, 2023)
IV3_GEMEENTEN = "iv3_data.gemeente.csv"

#: Size classes (inhabitants) used in the herverdeel reporting of the herijking (docs/domain.md §2.7).
SIZE_CLASS_EDGES = (0, 20_000, 50_000, 100_000, 250_000, np.inf)
SIZE_CLASS_LABELS = ("0–20k", "20–50k", "50–100k", "100–250k", ">250k")


def size_class(inhabitants: pd.Series) -> pd.Series:
    """Categorical size class of each municipality (left-closed: 20,000 is in 20–50k)."""
    return pd.cut(inhabitants, bins=list(SIZE_CLASS_EDGES), labels=list(SIZE_CLASS_LABELS),
                  right=False).rename("size_class")


def load_municipalities(year: int, data: str | Path | None = None) -> pd.DataFrame:
    """Municipalities on 1 January ``year``: index CBS code (GM0014), columns name, province."""
    if year in IV3_YEARS:
        return _from_iv3_table(year, data)
    if year not in INDELING_FILES:
        raise InputError(
            f"no municipal division shipped for {year}; available years: "
            f"{sorted(set(IV3_YEARS) | set(INDELING_FILES))}"
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


def _province_names(data) -> dict[str, str]:
    """CBS province code ('20') → name, from the 2023 list (the provinces did not change)."""
    path = data_dir(data) / "municipalities" / INDELING_FILES[2023]
    t = read_table(path, sep=",")
    ci, ni = t.column_index("Provinciecode"), t.column_index("Provincienaam")
    return {r[ci].lstrip("0"): r[ni] for r in t.rows}


def _from_iv3_table(year: int, data) -> pd.DataFrame:
    path = data_dir(data) / "municipalities" / IV3_GEMEENTEN
    t = read_table(path, sep=",")
    ji, gi, ni, pi = (t.column_index(c) for c in ("jaar", "gm_code", "gm_naam", "prv_code"))
    provinces = _province_names(data)
    rows = {}
    for r, lineno in zip(t.rows, t.line_numbers):
        if r[ji] != str(year):
            continue
        code, prov = r[gi], r[pi].split(".")[0]  # prv_code is written as 20.0
        if len(code) != 6 or not code.startswith("GM") or not is_ascii_number(code[2:]):
            raise DataError(f"{path}, line {lineno}: {code!r} is not a CBS code like GM0014")
        if prov not in provinces:
            raise DataError(f"{path}, line {lineno}, column 'prv_code': {r[pi]!r} is not a province code 20–31")
        if code in rows:
            raise DataError(f"{path}, line {lineno}: municipality {code} appears twice for {year}")
        rows[code] = (r[ni], provinces[prov])
    df = pd.DataFrame.from_dict(rows, orient="index", columns=["name", "province"]).rename_axis("gemeente").sort_index()
    df.attrs["indeling"] = f"1 January {year}"
    return df


def load_mergers(data: str | Path | None = None) -> pd.DataFrame:
    """Municipal mergers (``data/municipalities/herindelingen.csv``), one row per predecessor:
    columns date (the 1 January the merger took effect, as its year), gm_code, gm_naam,
    predecessor, predecessor_name."""
    path = data_dir(data) / "municipalities" / "herindelingen.csv"
    table = read_table(path, sep=",")
    idx = [table.column_index(c) for c in ("datum", "gm_code", "gm_naam", "voorganger_code", "voorganger_naam")]
    rows = []
    for r, lineno in zip(table.rows, table.line_numbers):
        datum, code, name, pred, pred_name = (r[i] for i in idx)
        if len(datum) != 10 or not datum.endswith("-01-01") or not is_ascii_number(datum[:4]):
            raise DataError(f"{path}, line {lineno}, column 'datum': {datum!r}; expected a 1 January date like 2023-01-01")
        for col, c in (("gm_code", code), ("voorganger_code", pred)):
            if len(c) != 6 or not c.startswith("GM") or not is_ascii_number(c[2:]):
                raise DataError(f"{path}, line {lineno}, column {col!r}: {c!r} is not a CBS code like GM0014")
        rows.append((int(datum[:4]), code, name, pred, pred_name))
    df = pd.DataFrame(rows, columns=["year", "gm_code", "gm_naam", "predecessor", "predecessor_name"])
    dup = df["predecessor"].duplicated()
    if dup.any():
        raise DataError(f"{path}: predecessor {df.loc[dup, 'predecessor'].iloc[0]} is listed twice")
    return df


def indeling_with_predecessors(year: int, codes, data: str | Path | None = None) -> pd.DataFrame:
    """The municipalities of 1 January ``year`` as a file of that year lists them when it was
    prepared before a merger of that date took effect: each merged municipality absent from
    ``codes`` whose predecessors are all in ``codes`` is replaced by its predecessors (same
    province). The meicirculaire 2022 for 2023 lists Brielle, Hellevoetsluis and Westvoorne
    instead of Voorne aan Zee. Attribute ``attrs['replaced']``: {merged code: [predecessors]}."""
    indeling = load_municipalities(year, data)
    present = set(codes)
    mergers = load_mergers(data)
    mergers = mergers[mergers["year"] == year]
    replaced = {}
    for code, group in mergers.groupby("gm_code"):
        preds = list(group["predecessor"])
        if code in indeling.index and code not in present and set(preds) <= present:
            replaced[code] = preds
    if not replaced:
        return indeling
    extra = [pd.DataFrame({"name": list(g["predecessor_name"]), "province": indeling.at[str(code), "province"]},
                          index=pd.Index(list(g["predecessor"]), name="gemeente"))
             for code, g in mergers[mergers["gm_code"].isin(list(replaced))].groupby("gm_code")]
    out = pd.concat([indeling.drop(index=list(replaced)), *extra]).sort_index()
    out.attrs["indeling"] = (f"1 January {year}, with " +
                             "; ".join(f"{c} as its predecessors {', '.join(p)}" for c, p in replaced.items()))
    out.attrs["replaced"] = replaced
    return out


def successors(year: int, data: str | Path | None = None) -> dict[str, str]:
    """{predecessor: its municipality on 1 January ``year``} over every merger up to ``year``
    (followed through later mergers)."""
    mergers = load_mergers(data)
    step = dict(zip(mergers.loc[mergers["year"] <= year, "predecessor"], mergers.loc[mergers["year"] <= year, "gm_code"]))
    out = {}
    for code in step:
        c = code
        while c in step:  # a merged municipality may itself have merged again
            c = step[c]
        out[code] = c
    return out


def to_indeling(values: pd.Series | pd.DataFrame, year: int, data: str | Path | None = None):
    """Sum the rows of merger predecessors into the merged municipality of 1 January ``year``
    (amounts such as an algemene uitkering; not for ratios). Rows already in that division are
    kept; any other row is an InputError."""
    indeling = load_municipalities(year, data)
    successor = successors(year, data)
    index = [successor.get(c, c) for c in values.index]
    unknown = sorted(set(index) - set(indeling.index))
    if unknown:
        raise InputError(f"municipality/municipalities {unknown[:10]} are not in the division of 1 January {year} "
                         "and no merger into it is known (data/municipalities/herindelingen.csv)")
    out = values.groupby(pd.Index(index, name=values.index.name)).sum()
    return out.loc[[c for c in indeling.index if c in out.index]]
