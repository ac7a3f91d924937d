"""The budget model's DERIVED parameters: the realisation gaps between begroting and
jaarrekening, the response to a planned gap and the domains' excess cost growth, each estimated
only on the years up to a given last year."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .frames import log


def realisation_model(last_year: int, data: str | Path | None = None, priors: str | Path | None = None):
    """The realisation model (gemfin.realisation) estimated on the begroting/jaarrekening
    pairs 2017–``last_year``, reading nothing later (the forecast of year Y uses
    ``last_year = Y − 2``). ``.parameters()`` gives the numbers scenario files cite as
    ``DERIVED gemfin.calibrate.realisation_model(last_year)``."""
    from .. import realisation
    from ..realisation import FIRST_PAIR_YEAR, load_priors
    from ..iv3.panel import InformationSet, load_panel

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
    from ..iv3.panel import InformationSet, load_panel
    from ..realisation import gap_deviation, gap_distribution, relative_pairs

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
    from ..iv3.history import summary_filing

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


def _domain_lasten(frame: pd.DataFrame, data) -> pd.DataFrame:
    from ..iv3 import DOMAINS, load_taakveld_domains

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
    from .. import response
    from ..iv3.panel import InformationSet, load_panel

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
    from ..errors import InputError
    from ..iv3 import DOMAINS
    from ..iv3.history import summary_filing

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
    growth = log(levels).diff().dropna()
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
