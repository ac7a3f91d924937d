"""The tables of a simulation result for people (Excel, CSV, reports), and writing a result
directory: ``summary.csv`` with ``run.json``, ``results.xlsx`` and ``results.nc``.

Headers are English, with Dutch domain terms (docs/glossary.md), the year and the unit in
parentheses: ``saldo 2035 q5 (EUR)``; gemfin.io turns the unit into a number format.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .. import provenance
from .budget import quantile_name
from ..io import check_output, write_csv, write_directory, write_json, write_workbook


def _allocation_table(res) -> pd.DataFrame:
    year, base = res.years[-1], res.scenario.base_year
    s = res.summary()
    out = pd.DataFrame({"name": s["name"], "province": s["province"],
                        f"algemene uitkering {base} (EUR)": s["AU base"],
                        f"algemene uitkering {year} mean (EUR)": s["mean"],
                        f"algemene uitkering {year} sd (EUR)": s["sd"]})
    for q in res.quantiles:
        out[f"algemene uitkering {year} {quantile_name(q)} (EUR)"] = s[quantile_name(q)]
    out[f"algemene uitkering {year} mean per inhabitant (EUR per inhabitant)"] = s["mean per inhabitant"]
    out[f"change in mean {base}–{year} (%)"] = s["change vs base (%)"]
    out[f"P(algemene uitkering {year} below {base}) (probability)"] = s["p_below_base"]
    return out.rename_axis("CBS code")


def _national_table(res) -> pd.DataFrame:
    nat = res.national()
    out = pd.DataFrame(index=nat.index.rename("year"))
    for stat in res.budget.columns:
        out[f"AU budget {stat} (EUR)"] = nat[("budget", stat)]
    for stat in res.uitkeringsfactor.columns:
        out[f"uitkeringsfactor {stat} (factor)"] = nat[("uitkeringsfactor", stat)]
    return out


def _budget_columns(s: pd.DataFrame, year: int, quantiles) -> pd.DataFrame:
    out = pd.DataFrame({"name": s["name"], "province": s["province"], "size class": s["size_class"]})
    out[f"saldo {year} mean (EUR)"] = s["saldo mean"]
    out[f"saldo {year} sd (EUR)"] = s["saldo sd"]
    for q in quantiles:
        out[f"saldo {year} {quantile_name(q)} (EUR)"] = s[f"saldo {quantile_name(q)}"]
    out[f"saldo {year} mean per inhabitant (EUR per inhabitant)"] = s["saldo mean per inhabitant"]
    out[f"expected shortfall 5% {year} per inhabitant (EUR per inhabitant)"] = s["expected shortfall 5% per inhabitant"]
    out[f"P(deficit {year}) (probability)"] = s["P(deficit)"]
    out[f"planned saldo {year} mean (EUR)"] = s["planned saldo mean"]
    out[f"planned saldo {year} mean per inhabitant (EUR per inhabitant)"] = s["planned saldo mean per inhabitant"]
    out[f"P(planned deficit {year}) (probability)"] = s["P(planned deficit)"]
    out[f"P(reserves exhausted by {year}) (probability)"] = s["P(reserves exhausted)"]
    out[f"P(artikel 12 signal {year}) (probability)"] = s["P(artikel 12 signal)"]
    out[f"net shock effect {year} (EUR)"] = s["net shock effect"]
    out[f"reserves {year} mean (EUR)"] = s["reserves mean"]
    out[f"lasten {year} mean (EUR)"] = s["lasten mean"]
    base = s.attrs.get("base", "")
    for col in s.columns:
        if col.startswith("kengetal "):  # BBV kengetallen of the base filing, not of the projected year
            out[f"{col}, {base} (fraction)" if base else f"{col} (fraction)"] = s[col]
    return out.rename_axis("CBS code")


def _risk_table(f, year: int) -> pd.DataFrame:
    r = f.risk_table(n=50)
    return pd.DataFrame({
        "rank": range(1, len(r) + 1), "CBS code": r.index, "name": r["name"], "province": r["province"],
        f"P(reserves exhausted by {year}) (probability)": r["P(reserves exhausted)"],
        f"P(deficit {year}) (probability)": r["P(deficit)"],
        f"P(artikel 12 signal {year}) (probability)": r["P(artikel 12 signal)"],
        f"expected shortfall 5% {year} per inhabitant (EUR per inhabitant)": r["expected shortfall 5% per inhabitant"],
        f"saldo {year} mean per inhabitant (EUR per inhabitant)": r["saldo mean per inhabitant"],
    }).set_index("rank")


def _budget_national(f) -> pd.DataFrame:
    nat = f.national()
    out = pd.DataFrame(index=nat.index.rename("year"))
    for col in nat.columns:
        if col.startswith("share in deficit "):
            out[f"share of municipalities in deficit, {col.removeprefix('share in deficit ')} (share)"] = nat[col]
    out["expected share with exhausted reserves (share)"] = nat["expected share with exhausted reserves"]
    out["total saldo, mean (EUR mln)"] = nat["total saldo mean (EUR mln)"]
    out["total planned saldo, mean (EUR mln)"] = nat["total planned saldo mean (EUR mln)"]
    out["expected share of municipalities planning a deficit (share)"] = nat["expected share planning a deficit"]
    out["total lasten, mean (EUR mln)"] = nat["total lasten mean (EUR mln)"]
    out["lasten growth (fraction)"] = nat["lasten growth"]
    by_domain, growth = f.lasten_by_domain(), f.lasten_by_domain(growth=True)
    for d in by_domain.columns.drop("total"):
        out[f"lasten {d}, mean (EUR mln)"] = by_domain[d] / 1e6
        out[f"lasten growth {d} (fraction)"] = growth[d]
    return out


def _budget_by_year(f, years) -> pd.DataFrame:
    long = []
    for year in years:
        s = f.summary(year)
        long.append(pd.DataFrame({
            "year": year, "name": s["name"], "saldo mean (EUR)": s["saldo mean"],
            "P(deficit) (probability)": s["P(deficit)"], "planned saldo mean (EUR)": s["planned saldo mean"],
            "P(planned deficit) (probability)": s["P(planned deficit)"], "lasten mean (EUR)": s["lasten mean"],
            "P(reserves exhausted by year) (probability)": s["P(reserves exhausted)"],
            "P(artikel 12 signal) (probability)": s["P(artikel 12 signal)"],
            "net shock effect (EUR)": s["net shock effect"]}, index=s.index.rename("CBS code")))
    return pd.concat(long).reset_index().set_index(["CBS code", "year"])


def result_tables(res) -> dict[str, pd.DataFrame]:
    """The tables a ministry analyst would pivot on, by sheet name."""
    last = res.years[-1]
    tables = {}
    if res.finances is not None:
        f = res.finances
        tables[f"budget {last}"] = _budget_columns(f.summary(), last, res.quantiles)
        tables[f"most at risk {last}"] = _risk_table(f, last)
        tables["budget national"] = _budget_national(f)
        tables["budget by year"] = _budget_by_year(f, res.years)
        if f.compensation_by_component is not None:
            comp = f.compensation_by_component.rename(columns=lambda c: f"{c} (EUR)")
            comp.insert(0, "name", f.municipalities["name"].reindex(comp.index))
            tables["compensation"] = comp.rename_axis("CBS code")
    tables[f"algemene uitkering {last}"] = _allocation_table(res)
    tables["national"] = _national_table(res)
    if res.social_balance is not None:
        sb = res.social_balance
        tables["social balance national"] = sb.national.rename(
            columns=lambda c: f"{c} (EUR mln)").reset_index()
        per = sb.by_municipality.xs(last, level="year").reset_index()
        per.insert(2, "name", per["gm_code"].map(res.municipalities["name"]))
        tables[f"social balance {last}"] = per.rename(columns={
            "gm_code": "CBS code", "p_shortfall": "P(balance < 0) (probability)",
            "mean per inhabitant": "mean per inhabitant (EUR per inhabitant)",
            **{c: f"{c} (EUR)" for c in ("mean", "sd", *[q for q in per.columns if q.startswith("q")])}})
    return tables


def result_provenance(res) -> dict:
    extra = {}
    if res.finances is not None:
        extra = {"budget_base": res.finances.base, "budget_notes": list(res.finances.notes)}
    return provenance.record(scenario=res.scenario, seed=res.seed, paths=res.paths,
                             antithetic=res.antithetic, years=f"{res.years[0]}–{res.years[-1]}", **extra)


def write_results(res, out_dir: str | os.PathLike, lang: str = "en") -> list[Path]:
    """``summary.csv`` (the first table: budgets if the scenario has them, else the
    allocation) and ``run.json`` beside it, ``results.xlsx`` (``lang="nl"``: Dutch headers)
    and ``results.nc``; all or none."""
    from ..language import check_language

    check_language(lang)
    check_output(out_dir, directory=True)
    tables = result_tables(res)
    about = result_provenance(res)

    def netcdf(path: Path) -> None:
        ds = res.to_xarray()
        ds.attrs.update(netcdf_attributes(about))
        ds.to_netcdf(path, engine="scipy")

    return write_directory(out_dir, {
        "summary.csv": lambda p: write_csv(p, next(iter(tables.values()))),
        "run.json": lambda p: write_json(p, about),
        "results.xlsx": lambda p: write_workbook(p, tables, about, lang),
        "results.nc": netcdf,
    })


def netcdf_attributes(about: dict) -> dict:
    """NetCDF global attributes: strings and numbers only (``seed`` as text: it may exceed
    the 32-bit integers NetCDF-3 stores)."""
    return {k: (v if isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) < 2**31 else str(v))
            for k, v in about.items()}
