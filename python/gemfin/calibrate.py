"""Calibration figures derived from the shipped data, cited by the scenario files.

Every number in ``scenarios/*.yaml`` that says ``source: DERIVED gemfin.calibrate...`` can be
recomputed with these functions (tests/python/test_scenario.py checks they agree).
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar, cast

import numpy as np
import pandas as pd

from ._datadir import data_dir
from ._tables import read_table
from .circulaire import read_circulaire
from .errors import DataError
from .municipalities import load_municipalities

_Frame = TypeVar("_Frame", pd.Series, pd.DataFrame)


def population_series(data: str | Path | None = None) -> pd.DataFrame:
    """CBS inhabitants on 1 January: index CBS code, one column per year (2017–2026)."""
    path = data_dir(data) / "municipalities" / "iv3_data.inwoners.csv"
    t = read_table(path, sep=",")
    yi, gi, ni = (t.column_index(c) for c in ("jaar", "gm_code", "aantal_inwoners"))
    rows = []
    for row, lineno in zip(t.rows, t.line_numbers):
        try:
            rows.append((int(row[yi]), row[gi], float(row[ni])))
        except ValueError:
            raise DataError(f"{path}, line {lineno}: expected integer year and inhabitants, got {row}") from None
    df = pd.DataFrame(rows, columns=["jaar", "gemeente", "inwoners"])
    return df.pivot(index="gemeente", columns="jaar", values="inwoners")


def population_growth(first_year: int = 2017, last_year: int = 2026, indeling_year: int = 2023,
                      data: str | Path | None = None) -> dict[str, float | str]:
    """Yearly log-growth of the population: national mean and standard deviation over
    ``first_year``–``last_year``, and the standard deviation of municipal growth around the
    national growth, pooled over the years in which the municipalities of the ``indeling_year``
    division all exist (mergers break earlier series)."""
    p = population_series(data)
    national = _log(p.loc[:, first_year:last_year].sum()).diff().dropna()
    codes = load_municipalities(indeling_year, data).index
    q = p.reindex(codes).loc[:, first_year:last_year].dropna(axis=1, how="any")
    if q.shape[1] < 2:
        raise DataError("population_growth: fewer than two complete years for the chosen division")
    growth = _log(q).diff(axis=1).iloc[:, 1:]
    nat_q = _log(q.sum()).diff().iloc[1:]
    deviation = growth - nat_q.to_numpy()
    return {
        "national_mean": float(national.mean()),
        "national_sd": float(national.std(ddof=1)),
        "municipal_sd": float(np.sqrt(np.mean(deviation.to_numpy() ** 2))),
        "years": f"{int(national.index[0]) - 1}-{int(national.index[-1])}",
        "municipal_years": f"{int(q.columns[0])}-{int(q.columns[-1])}",
    }


def bzk_volume_update(from_id: str = "S2024_2024", to_id: str = "S2024_2025",
                      data: str | Path | None = None) -> pd.Series:
    """National log-growth of each maatstaf between two circulaires (BZK's own volume update
    from one uitkeringsjaar to the next)."""
    a, b = read_circulaire(from_id, data), read_circulaire(to_id, data)
    common = [m for m in a.volumes.columns if m in b.volumes.columns]
    ta, tb = a.volumes[common].sum(), b.volumes[common].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        g = _log(tb / ta)
    return g.where(ta > 0).rename("log_growth")


def realisation_model(last_year: int, data: str | Path | None = None, priors: str | Path | None = None):
    """The realisation model (gemfin.realisation) estimated on the begroting/jaarrekening
    pairs 2017–``last_year``, reading nothing later (the forecast of year Y uses
    ``last_year = Y − 2``). ``.parameters()`` gives the numbers scenario files cite as
    ``DERIVED gemfin.calibrate.realisation_model(last_year)``."""
    from . import realisation
    from .realisation import FIRST_PAIR_YEAR, load_priors
    from .iv3.panel import InformationSet, load_panel

    prior = load_priors(priors)
    panel = load_panel(InformationSet(begroting=last_year, jaarrekening=last_year), data)
    return realisation.fit(panel, list(range(FIRST_PAIR_YEAR, last_year + 1)), prior["prior_sd"], prior["prior_years"],
                           realisation.shipped_gap_distributions(data, priors))


def gap_distributions(last_year: int = 2022, data: str | Path | None = None) -> dict:
    """The ``gap_distributions`` section of ``scenarios/realisation.yaml``: per year
    2017–``last_year`` with begroting/jaarrekening pairs, the Student-t (location 0) of the
    municipalities' realisation gaps (jaarrekening − begroting relative to the begroting's
    lasten, less the year's mean; each year's own division), by maximum likelihood, rounded to
    four significant digits. The gap score (gemfin.realisation.gap_score) uses them; a year's
    entry reads only that year's filings."""
    from .iv3.panel import InformationSet, load_panel
    from .realisation import gap_deviation, gap_distribution, relative_pairs

    dev = gap_deviation(relative_pairs(load_panel(InformationSet(begroting=last_year, jaarrekening=last_year), data)))
    years = dev.index.get_level_values("year")
    out = {}
    for t in sorted({int(y) for y in years}):
        u = dev[years == t].dropna().to_numpy(dtype=float)
        fitted = gap_distribution(u)  # the same fit and the same refusals as the gap score's
        if fitted is None:
            continue
        nu, s = fitted
        out[t] = {"distribution": "student_t", "params": [float(f"{nu:.4g}"), 0.0, float(f"{s:.4g}")],
                  "source": f"DERIVED gemfin.calibrate.gap_distributions({last_year}): the realisation gaps of {t} "
                            f"({len(u)} municipalities), Student-t by maximum likelihood"}
    return out


def realisation_parameters(last_year: int, data: str | Path | None = None,
                           priors: str | Path | None = None) -> dict:
    """The ``budget.realisation`` section of a scenario, estimated on the pairs
    2017–``last_year`` (what ``scenarios/baseline.yaml`` carries, rounded to four significant
    digits; ``gemfin calibrate realisation`` prints it)."""
    m = realisation_model(last_year, data, priors)
    src = (f"DERIVED gemfin.calibrate.realisation_parameters({last_year}): Iv3 begroting/jaarrekening pairs "
           f"{m.years[0]}-{m.years[-1]} ({m.pairs} municipality-years)")

    def r(x: float) -> float:
        return float(f"{x:.4g}")
    return {
        "beta": {"value": r(m.beta), "source": src + ", within-year least squares"},
        "gap_persistence": {"value": r(m.gap_persistence),
                            "source": src + ", regression of the residual on the Student-t score of the gap two years "
                                            "before"},
        "year": {"distribution": "student_t", "params": [r(m.year_df), r(m.year_mean), r(m.year_scale)],
                 "source": src + ", mean and spread of the year components pooled with the prior of "
                                 "scenarios/realisation.yaml"},
        "residual": {"distribution": "student_t", "params": [r(m.residual_df), 0.0, r(m.residual_scale)],
                     "source": src + ", Student-t fitted by maximum likelihood to the municipal residuals divided by "
                                     "their size factor"},
        "size_elasticity": {"value": r(m.size_elasticity),
                            "source": src + ", slope of log|residual| on log inhabitants"},
        "reference_inhabitants": {"value": r(m.reference_inhabitants),
                                  "source": src + ", median inhabitants of the pairs"},
    }


def realisation_bias(last_year: int = 2022, data: str | Path | None = None) -> pd.DataFrame:
    """Where the begroting's pessimism sits: per line, realised (jaarrekening) against budgeted
    (begroting) of the same municipality and year, over the pairs 2017–``last_year`` with both
    filings. Lines: lasten per domain (Jeugd, Wmo, Participatie, Overig, through
    ``taakveld_domeinen.csv``), baten outside the gemeentefonds, and the gemeentefonds as booked
    (rijk). Columns: national ratio (Σ realised / Σ budgeted), median and interquartile range of
    the municipal log ratios, and the number of pairs. Descriptive: the realisation model
    (gemfin.realisation) works on the saldo, whose bias these lines make up."""
    from .iv3.history import summary_filing

    rows = []
    for year in range(2017, last_year + 1):
        b, _ = summary_filing("begroting", year, data)
        j, _ = summary_filing("jaarrekening", year, data)
        both = b.index.intersection(j.index)
        lines = {}
        for label, frame in (("b", b.loc[both]), ("j", j.loc[both])):
            dom = _domain_lasten(frame, data)
            dom["baten outside the gemeentefonds"] = frame["baten"] - frame["rijk"]
            dom["gemeentefonds (rijk)"] = frame["rijk"]
            lines[label] = dom
        for line in lines["b"].columns:
            rows.append(pd.DataFrame({"line": line, "year": year, "budgeted": lines["b"][line],
                                      "realised": lines["j"][line]}))
    df = pd.concat(rows)
    df = df[(df["budgeted"] > 0) & (df["realised"] > 0)]
    df["log_ratio"] = np.log(df["realised"] / df["budgeted"])
    g = df.groupby("line", sort=False)
    out = pd.DataFrame({
        "national ratio": g["realised"].sum() / g["budgeted"].sum(),
        "median log ratio": g["log_ratio"].median(),
        "log ratio p25": g["log_ratio"].quantile(0.25),
        "log ratio p75": g["log_ratio"].quantile(0.75),
        "pairs": g.size(),
    })
    out.attrs["years"] = f"2017-{last_year}"
    return out


def _log(x: _Frame) -> _Frame:
    """The natural log of a Series or DataFrame: np.log keeps the labels, though its declared
    type is an array."""
    return cast(_Frame, np.log(x))


def _domain_lasten(frame: pd.DataFrame, data) -> pd.DataFrame:
    from .iv3 import DOMAINS, load_taakveld_domains

    mapping = load_taakveld_domains(data)
    out = pd.DataFrame(0.0, index=frame.index, columns=[f"lasten {d}" for d in DOMAINS])
    for c in frame.columns:
        domain = str(mapping.at[c[3:], "domein"]) if c.startswith("tv:") and c[3:] in mapping.index else None
        if domain in DOMAINS:
            out[f"lasten {domain}"] += frame[c].fillna(0.0)
    return out


def response_model(last_year: int, data: str | Path | None = None):
    """The municipal response (gemfin.response) estimated on the begrotingen 2017–``last_year``,
    reading no later filing."""
    from . import response
    from .iv3.panel import InformationSet, load_panel

    panel = load_panel(InformationSet(begroting=last_year, jaarrekening=last_year - 2), data)
    return response.fit(panel, last_year)


def response_parameters(last_year: int, data: str | Path | None = None) -> dict:
    """The ``budget.response`` section of a scenario, estimated on the begrotingen
    2017–``last_year`` (what ``scenarios/baseline.yaml`` carries, four significant digits)."""
    f = response_model(last_year, data)
    src = (f"DERIVED gemfin.calibrate.response_parameters({last_year}): Iv3 begrotingen "
           f"{f.years[0] - 2}-{f.years[-1]} ({f.observations} municipality-years)")

    def r(x: float) -> float:
        return float(f"{x:.4g}")
    return {
        "rule": "calibrated",
        "speed": {"value": r(f.speed), "source": src + ", 1 - persistence of the saldo/lasten with year effects, "
                                                       "instrumented by the saldo two years before"},
        "max_step": {"value": r(f.max_step), "source": src + ", 95th percentile of the yearly improvement of "
                                                             "saldo/lasten"},
        "tax_share": {"value": r(f.tax_share), "source": src + ", instrumented response of the belastingen "
                                                               "(at their national growth) relative to the saldo's"},
    }


def excess_growth(last_year: int = 2024, data: str | Path | None = None) -> pd.DataFrame:
    """Cost growth per domain above the growth of all municipal lasten, from the national sums
    of the begrotingen 2017–``last_year`` (filings the data lack or fill are left out):
    e_d,t = Δlog lasten_d − Δlog lasten. Per domain: the yearly excesses, their persistence ψ
    (AR(1) through zero, least squares), the last excess (the base year's) and the residual
    standard deviation. In the budget model the excess of projection year k is drawn around
    last·ψ^k with that deviation (``excess_growth`` and ``excess_persistence``)."""
    from .errors import InputError
    from .iv3 import DOMAINS
    from .iv3.history import summary_filing

    if last_year < 2019:
        raise InputError(f"the excess growth's persistence needs two yearly excesses, i.e. the begrotingen 2017-2019 "
                         f"at least; got last year {last_year}")
    rows = {}
    for year in range(2017, last_year + 1):
        frame, fills = summary_filing("begroting", year, data)
        frame = frame.drop(index=[c for c in fills.index if c in frame.index]) if len(fills) else frame
        dom = _domain_lasten(frame, data)
        rows[year] = {**{d: dom[f"lasten {d}"].sum() for d in DOMAINS}, "total": dom.sum(axis=1).sum()}
    levels = pd.DataFrame(rows).T
    growth = _log(levels).diff().dropna()
    excess = growth[list(DOMAINS)].sub(growth["total"], axis=0)
    out: dict[str, dict[object, float]] = {}
    for d in DOMAINS:
        x = excess[d].to_numpy()
        psi = float(x[1:] @ x[:-1] / (x[:-1] @ x[:-1]))
        resid = x[1:] - psi * x[:-1]
        out[d] = {"persistence": psi, "last": float(x[-1]), "sd": float(resid.std(ddof=1)), "years": float(len(x)),
                  **{int(str(y)): float(v) for y, v in excess[d].items()}}
    return pd.DataFrame(out).T


def excess_parameters(last_year: int = 2024, data: str | Path | None = None,
                      domains: tuple[str, ...] = ("Jeugd", "Wmo")) -> dict:
    """The ``excess_growth`` and ``excess_persistence`` of ``domains`` as scenario sections
    (``budget.domains.<name>``), estimated by :func:`excess_growth` on the begrotingen
    2017–``last_year``: mean = the last year's excess, sd = the AR(1) residual's, persistence ψ
    (three significant digits; an estimate outside [0, 1], possible on few years, is clipped
    and says so)."""
    est = excess_growth(last_year, data)
    src = f"DERIVED gemfin.calibrate.excess_growth({last_year}): Iv3 begrotingen 2017-{last_year}, national lasten"
    out = {}
    for name in domains:
        row = est.loc[name].to_dict()
        psi = float(row["persistence"])
        clipped = min(max(psi, 0.0), 1.0)
        out[name] = {
            "excess_growth": {"distribution": "normal", "params": [round(float(row["last"]), 4), round(float(row["sd"]), 4)],
                              "source": src + "; mean = the excess of the last year over all lasten, sd = residual of "
                                              "the AR(1) of the yearly excesses"},
            "excess_persistence": {"value": float(f"{clipped:.3g}"),
                                   "source": src + ", AR(1) through zero of the yearly excesses"
                                   + (f" (estimate {psi:.3g}, clipped to [0, 1])" if clipped != psi else "")},
        }
    return out


def _woz_of_year(year: int, data: str | Path | None = None) -> pd.Series:
    """WOZ values per municipality (woningen eigenaren + niet-woningen eigenaren and gebruikers,
    the OZB maatstaven' volumina) of uitkeringsjaar ``year`` in the newest circulaire published
    before that year — the one the begroting of ``year`` was made with."""
    from .circulaire import circulaires, parse_circulaire_id

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
    from .iv3 import load_iv3

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
        dy, dw = _log(tab["y1"] / tab["y0"]), _log(tab["w1"] / tab["w0"])
        ok = (dy.abs() <= 0.5) & (dw.abs() <= 0.5)
        dy, dw = dy[ok], dw[ok]
        xc = dw - dw.mean()
        rows[year] = {"municipalities": float(ok.sum()),
                      "ozb_growth": float(np.log(tab["y1"].sum() / tab["y0"].sum())),
                      "woz_growth": float(np.log(tab["w1"].sum() / tab["w0"].sum())),
                      "slope": float((xc * (dy - dy.mean())).sum() / (xc * xc).sum()),
                      "sxx": float((xc * xc).sum()), "sxy": float((xc * (dy - dy.mean())).sum())}
    return pd.DataFrame(rows).T


#: Heffingen other than the OZB, by the Iv3 taakvelden whose baten they are, each against the
#: lasten it is compared with: the cost-covering heffingen against the lasten of their own
#: taakveld, the other belastingen (no cost to cover) against all exploitatie lasten.
HEFFINGEN = {"rioolheffing": (("7.2",), ("7.2",)), "afvalstoffenheffing": (("7.3",), ("7.3",)),
             "overige belastingen": (("0.63", "0.64", "3.4"), None)}


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
    from .iv3 import load_iv3

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
            excess = _log(tab["b1"] / tab["b0"]) - _log(tab["l1"] / tab["l0"])
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
    from .iv3.history import summary_filing

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
