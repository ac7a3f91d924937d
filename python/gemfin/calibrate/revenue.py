"""The revenue side's DERIVED parameters: OZB growth against the WOZ value and the other
heffingen against their lasten, from the Iv3 filings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..circulaire import read_circulaire
from ..errors import DataError
from .frames import log


#: Heffingen other than the OZB, by the Iv3 taakvelden whose baten they are, each against the
#: lasten it is compared with: the cost-covering heffingen against the lasten of their own
#: taakveld, the other belastingen (no cost to cover) against all exploitatie lasten.
HEFFINGEN = {"rioolheffing": (("7.2",), ("7.2",)), "afvalstoffenheffing": (("7.3",), ("7.3",)),
             "overige belastingen": (("0.63", "0.64", "3.4"), None)}


def _woz_of_year(year: int, data: str | Path | None = None) -> pd.Series:
    """WOZ values per municipality (woningen eigenaren + niet-woningen eigenaren and gebruikers,
    the OZB maatstaven' volumina) of uitkeringsjaar ``year`` in the newest circulaire published
    before that year — the one the begroting of ``year`` was made with."""
    from ..circulaire import circulaires, parse_circulaire_id

    ids = [c for c in circulaires(data) if parse_circulaire_id(c)[2] == year and parse_circulaire_id(c)[1] < year]
    if not ids:
        raise DataError(f"OZB growth: no circulaire for uitkeringsjaar {year} published before {year} is shipped")
    vol = read_circulaire(ids[-1], data).volumes
    cols = [c for c in vol.columns if c.lower().startswith("woz")]
    if not cols:
        raise DataError(f"OZB growth: circulaire {ids[-1]} has no WOZ volumina")
    return vol[cols].sum(axis=1)


def _ozb_of_year(year: int, data: str | Path | None = None) -> pd.Series:
    """The OZB yield per municipality (baten of taakvelden 0.61 and 0.62) of the begroting ``year``."""
    from ..iv3 import load_iv3

    frame, _ = load_iv3("begroting", year, data)
    return _taakveld_sums(frame, "baten", ("0.61", "0.62"))


def _taakveld_sums(frame: pd.DataFrame, column: str, taakvelden: tuple[str, ...] | None) -> pd.Series:
    """``column`` (baten or lasten) of an Iv3 taakveld frame summed per municipality over
    ``taakvelden`` (None: all of the frame)."""
    if taakvelden is not None:
        frame = frame[frame["taakveld"].astype(str).isin(taakvelden)]
    return frame.groupby("gemeente")[column].sum()


def ozb_growth(first_year: int = 2023, last_year: int = 2025, data: str | Path | None = None) -> pd.DataFrame:
    """How OZB yields followed WOZ values, from one begroting to the next (``first_year``–
    ``last_year``: the begrotingen shipped per taakveld). Per year: the municipalities with a
    positive yield and WOZ value in both years (same CBS code; a change of more than 0.5 in log,
    a herindeling or a data error, is left out), the national growth of the yield and of the WOZ
    values (Δlog of the sums), and the slope of Δlog yield on Δlog WOZ across municipalities
    (least squares within the year): the share of a municipality's own WOZ change that reaches
    its yield. Councils set the OZB tariff each year against the new WOZ values; the slope says
    how far they neutralise them."""
    rows = {}
    for year in range(first_year + 1, last_year + 1):
        y0, y1 = _ozb_of_year(year - 1, data), _ozb_of_year(year, data)
        w0, w1 = _woz_of_year(year - 1, data), _woz_of_year(year, data)
        tab = pd.concat({"y0": y0, "y1": y1, "w0": w0, "w1": w1}, axis=1, join="inner")
        tab = tab[(tab > 0).all(axis=1)]
        dy, dw = log(tab["y1"] / tab["y0"]), log(tab["w1"] / tab["w0"])
        ok = (dy.abs() <= 0.5) & (dw.abs() <= 0.5)
        dy, dw = dy[ok], dw[ok]
        xc = dw - dw.mean()
        rows[year] = {"municipalities": float(ok.sum()),
                      "ozb_growth": float(np.log(tab["y1"].sum() / tab["y0"].sum())),
                      "woz_growth": float(np.log(tab["w1"].sum() / tab["w0"].sum())),
                      "slope": float((xc * (dy - dy.mean())).sum() / (xc * xc).sum()),
                      "sxx": float((xc * xc).sum()), "sxy": float((xc * (dy - dy.mean())).sum())}
    return pd.DataFrame(rows).T


def heffingen_growth(first_year: int = 2023, last_year: int = 2025, data: str | Path | None = None) -> pd.DataFrame:
    """How the heffingen other than the OZB grew from one begroting to the next (``first_year``–
    ``last_year``: the begrotingen shipped per taakveld), against the lasten they are compared
    with (:data:`HEFFINGEN`; baten of 7.2 and 7.3 are mostly riool- and afvalstoffenheffing, of
    0.63/0.64/3.4 parkeer-, toeristen-, honden- and precariobelasting). Per (line, year): the
    national Δlog of the baten and of the lasten (sums over the municipalities with a positive
    amount in both years, same CBS code), the national excess (baten − lasten), the same without
    Amsterdam (GM0363, whose toeristenbelasting dominates the other belastingen), and the median
    and quartiles of the municipal excess. The projection grows these heffingen with prices ×
    inhabitants, as it grows the Overig lasten: an excess near zero is what it assumes
    (docs/budget-model.md, "Heffingen")."""
    from ..iv3 import load_iv3

    frames = {}
    for year in range(first_year, last_year + 1):
        frame, _ = load_iv3("begroting", year, data)
        frame = frame[~frame["taakveld"].astype(str).isin(["0.10", "0.11"])]
        frames[year] = frame
    rows = []
    for line, (baten_tv, lasten_tv) in HEFFINGEN.items():
        for year in range(first_year + 1, last_year + 1):
            tab = pd.concat({"b0": _taakveld_sums(frames[year - 1], "baten", baten_tv),
                             "b1": _taakveld_sums(frames[year], "baten", baten_tv),
                             "l0": _taakveld_sums(frames[year - 1], "lasten", lasten_tv),
                             "l1": _taakveld_sums(frames[year], "lasten", lasten_tv)}, axis=1, join="inner")
            tab = tab[(tab > 0).all(axis=1)]
            excess = log(tab["b1"] / tab["b0"]) - log(tab["l1"] / tab["l0"])
            rest = tab.drop(index="GM0363", errors="ignore")
            baten_growth, lasten_growth = _national_growth(tab, "b"), _national_growth(tab, "l")
            rows.append({"line": line, "year": year, "municipalities": len(tab),
                         "baten_growth": baten_growth, "lasten_growth": lasten_growth,
                         "excess": baten_growth - lasten_growth,
                         "excess_without_amsterdam": _national_growth(rest, "b") - _national_growth(rest, "l"),
                         "median_excess": float(excess.median()), "q25_excess": float(excess.quantile(0.25)),
                         "q75_excess": float(excess.quantile(0.75))})
    return pd.DataFrame(rows).set_index(["line", "year"])


def _national_growth(tab: pd.DataFrame, col: str) -> float:
    """Δlog of the national sum from column ``col + "0"`` to ``col + "1"``."""
    return float(np.log(tab[col + "1"].sum() / tab[col + "0"].sum()))


def belastingen_history(first_year: int = 2017, last_year: int = 2024, data: str | Path | None = None) -> pd.DataFrame:
    """The belastingen (Iv3 categories 2.2.1 and 2.2.2, with the OZB) and all lasten of the
    begrotingen ``first_year``–``last_year`` (the Iv3 summary), nationally, in the division of
    each year (merged filings summed), and their yearly Δlog."""
    from ..iv3.history import summary_filing

    rows = {}
    for year in range(first_year, last_year + 1):
        s, _ = summary_filing("begroting", year, data)
        rows[year] = {"belastingen": float(s["heffingen"].sum()), "lasten": float(s["lasten"].sum()),
                      "inhabitants": float(s["inhabitants"].sum())}
    out = pd.DataFrame(rows).T.rename_axis("year")
    for c in ("belastingen", "lasten", "inhabitants"):
        out[c + "_growth"] = np.log(out[c]).diff()
    return out


def ozb_parameters(first_year: int = 2023, last_year: int = 2025, data: str | Path | None = None) -> dict:
    """``budget.ozb.pass_through``: the within-year slope of :func:`ozb_growth`, pooled over its
    years (Σ sxy / Σ sxx), rounded to two decimals, with its source."""
    g = ozb_growth(first_year, last_year, data)
    slope = float(g["sxy"].sum() / g["sxx"].sum())
    years = f"{first_year}-{last_year}"
    return {"pass_through": {
        "value": round(slope, 2),
        "source": f"DERIVED gemfin.calibrate.ozb_parameters({first_year}, {last_year}): begrotingen {years}, OZB yield "
                  f"(taakvelden 0.61/0.62) against the circulaires' WOZ values, {int(g['municipalities'].sum())} "
                  "municipality-years, within-year slope of Δlog yield on Δlog WOZ (the tariff neutralises the rest)"}}
