"""The result of a Monte Carlo run (:func:`gemfin.simulate`): the algemene uitkering per
municipality and year with its distribution, the fund and the uitkeringsfactor nationally, and
the municipal budgets (:class:`~gemfin.results.budget.BudgetResult`) when the scenario has them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .budget import BudgetResult, quantile_name
from ..errors import InputError
from ..scenario import Scenario


class KeptPaths(dict):
    """The full AU paths of the municipalities a run kept, by CBS code; a code not kept is an
    InputError that says which were kept and how to keep one."""

    def __missing__(self, code: object) -> pd.DataFrame:
        kept = sorted(self) or "none"
        raise InputError(f"kept_paths[{code!r}]: this run did not keep the paths of {code!r} (kept: {kept}); "
                         f"run simulate(..., keep=[{code!r}]) to keep them")


@dataclass(frozen=True)
class SimulationResult:
    """Streamed statistics of a simulation.

    au_mean, au_sd: (municipality × year) euros; au_quantiles: (municipality × year × quantile);
    p_below_base: P(AU in a year < AU of the base year). budget, uitkeringsfactor: national
    statistics per year. kept_paths: full AU paths of the municipalities in ``keep``.
    """

    scenario: Scenario
    seed: int
    paths: int
    antithetic: bool
    quantiles: tuple[float, ...]
    municipalities: pd.DataFrame
    years: tuple[int, ...]
    base_au: pd.Series
    au_mean: np.ndarray
    au_sd: np.ndarray
    au_quantiles: np.ndarray
    p_below_base: np.ndarray
    budget: pd.DataFrame
    uitkeringsfactor: pd.DataFrame
    kept_paths: KeptPaths = field(default_factory=KeptPaths)
    max_budget_rel_error: float = 0.0
    finances: BudgetResult | None = None  # municipal budgets, when the scenario has a budget section
    social_balance: Any = None  # gemfin.scan.projection_result.SocialBalance of a run with balance=True

    def balance(self):
        """The social clusters' balance (allocation − netto lasten of Jeugd, Wmo, Participatie)
        per year: ``.national`` (EUR mln) and ``.by_municipality`` (euros, with P(balance < 0)),
        mean, sd and quantiles over the paths. Needs ``simulate(..., balance=True)``."""
        if self.social_balance is None:
            raise InputError("this run did not follow the social clusters' balance: run simulate(..., balance=True) "
                             "with a scenario that has a budget section and a circulaire with cluster weights")
        return self.social_balance

    @property
    def statistics(self) -> list[str]:
        return ["mean", "sd"] + [quantile_name(q) for q in self.quantiles] + ["p_below_base"]

    def to_xarray(self):
        """xarray Dataset: ``algemene_uitkering`` and ``per_inhabitant`` (municipality, year,
        statistic); ``budget`` and ``uitkeringsfactor`` (year, statistic)."""
        import xarray as xr

        stats = self.statistics
        au = np.concatenate([self.au_mean[..., None], self.au_sd[..., None], self.au_quantiles,
                             self.p_below_base[..., None]], axis=2)
        inw = self.municipalities["inhabitants"].to_numpy()[:, None, None]
        per = au.copy()
        per[..., :-1] = au[..., :-1] / inw
        m = self.municipalities
        coords = {"municipality": m.index.to_numpy(), "year": list(self.years), "statistic": stats,
                  "name": ("municipality", m["name"].to_numpy()),
                  "province": ("municipality", m["province"].to_numpy())}
        nat_stats = [s for s in stats if s != "p_below_base"]
        ds = xr.Dataset(
            {
                "algemene_uitkering": (("municipality", "year", "statistic"), au, {"units": "EUR"}),
                "per_inhabitant": (("municipality", "year", "statistic"), per,
                                {"units": "EUR per inhabitant of the base circulaire (p_below_base: probability)"}),
                "budget": (("year", "statistic_national"), self.budget[nat_stats].to_numpy(), {"units": "EUR"}),
                "uitkeringsfactor": (("year", "statistic_national"), self.uitkeringsfactor[nat_stats].to_numpy()),
            },
            coords={**coords, "statistic_national": nat_stats},
            attrs={"scenario": self.scenario.name, "seed": self.seed, "paths": self.paths,
                   "antithetic": int(self.antithetic), "circulaire": self.scenario.circulaire},
        )
        if self.finances is not None:
            f = self.finances
            q = [quantile_name(x) for x in self.quantiles]
            saldo = np.concatenate([f.saldo_mean[..., None], f.saldo_sd[..., None], f.saldo_quantiles], axis=2)
            ds = ds.assign_coords(statistic_saldo=["mean", "sd"] + q)
            ds["saldo"] = (("municipality", "year", "statistic_saldo"), saldo, {"units": "EUR"})
            inw = self.municipalities["inhabitants"].to_numpy()[:, None, None]
            ds["saldo_per_inhabitant"] = (("municipality", "year", "statistic_saldo"), saldo / inw,
                                       {"units": "EUR per inhabitant of the base circulaire"})
            planned = np.concatenate([f.planned_saldo_mean[..., None], f.planned_saldo_sd[..., None],
                                      f.planned_saldo_quantiles], axis=2)
            ds["planned_saldo"] = (("municipality", "year", "statistic_saldo"), planned,
                                   {"units": "EUR", "meaning": "the plan of the same paths: no shock events, "
                                                               "compensation or realisation"})
            for name, arr, unit in (("p_deficit", f.p_deficit, "probability"),
                                    ("p_planned_deficit", f.p_planned_deficit, "probability"), ("p_reserves_exhausted", f.p_exhausted, "probability"),
                                    ("p_artikel12", f.p_art12, "probability"), ("expected_shortfall_5pct", f.shortfall, "EUR"),
                                    ("net_shock_effect", f.net_shock, "EUR"), ("reserves_mean", f.reserves_mean, "EUR"),
                                    ("lasten_mean", f.lasten_mean, "EUR")):
                ds[name] = (("municipality", "year"), arr, {"units": unit})
            if f.lasten_domains_mean is not None:
                from ..schema.scenario import DOMAIN_NAMES

                ds["lasten_by_domain"] = (("domain", "year"), f.lasten_domains_mean,
                                          {"units": "EUR", "meaning": "national lasten per budget domain, mean over "
                                                                     "paths (Participatie with the BUIG benefits)"})
                ds = ds.assign_coords(domain=list(DOMAIN_NAMES))
            if f.response_mean is not None:  # budget.response: the measures taken against unchanged policy
                ds["response_measures_mean"] = (("municipality", "year"), f.response_mean,
                                                {"units": "EUR", "tax_share": f.tax_share})
        return ds

    def summary(self, year: int | None = None) -> pd.DataFrame:
        """Per municipality for one year (default: the last): base AU, mean, sd, quantiles
        (euros), per inhabitant, and P(below base)."""
        year = self.years[-1] if year is None else year
        if year not in self.years:
            raise InputError(f"year {year} is not simulated; years are {self.years[0]}–{self.years[-1]}")
        t = self.years.index(year)
        m = self.municipalities
        df = pd.DataFrame({"name": m["name"], "province": m["province"], "AU base": self.base_au,
                           "mean": self.au_mean[:, t], "sd": self.au_sd[:, t]}, index=m.index)
        for k, q in enumerate(self.quantiles):
            df[quantile_name(q)] = self.au_quantiles[:, t, k]
        df["mean per inhabitant"] = df["mean"] / m["inhabitants"]
        df["change vs base (%)"] = 100 * (df["mean"] / df["AU base"] - 1)
        df["p_below_base"] = self.p_below_base[:, t]
        df.attrs["year"] = year
        return df

    def national(self) -> pd.DataFrame:
        """Per year: AU budget and uitkeringsfactor statistics."""
        return pd.concat({"budget": self.budget, "uitkeringsfactor": self.uitkeringsfactor}, axis=1)

    def __repr__(self) -> str:
        return (f"SimulationResult({self.scenario.name!r}: {self.paths:,} paths, seed {self.seed}, "
                f"{len(self.municipalities)} municipalities × {len(self.years)} years)")

    def _repr_html_(self) -> str:
        from .. import repr_html

        nat = self.national()
        last = self.years[-1]
        rows = [("Scenario", self.scenario.name), ("Paths", f"{self.paths:,} (seed {self.seed}"
                + (", antithetic)" if self.antithetic else ")")), ("Years", f"{self.years[0]}–{last}"),
                (f"AU budget {last}", f"mean EUR {nat[('budget', 'mean')].iloc[-1] / 1e9:,.2f} bn; 90% band "
                 f"{nat[('budget', quantile_name(0.05))].iloc[-1] / 1e9:,.2f}–{nat[('budget', quantile_name(0.95))].iloc[-1] / 1e9:,.2f} bn"
                 if 0.05 in self.quantiles and 0.95 in self.quantiles else
                 f"mean EUR {nat[('budget', 'mean')].iloc[-1] / 1e9:,.2f} bn"),
                (f"Uitkeringsfactor {last}", f"mean {nat[('uitkeringsfactor', 'mean')].iloc[-1]:.4f}")]
        if self.finances is not None:
            fin = self.finances.national()
            share = fin["share in deficit mean"]
            rows.append(("Share of municipalities in deficit",
                         f"{share.iloc[0]:.0%} ({self.years[0]}) → {share.iloc[-1]:.0%} ({last})"))
            rows.append((f"Expected share with reserves exhausted by {last}",
                         f"{fin['expected share with exhausted reserves'].iloc[-1]:.0%}"))
        s = self.summary().sort_values("p_below_base", ascending=False).head(5)
        out = repr_html.fields("gemfin SimulationResult", rows) + repr_html.frame(
            s[["name", "mean per inhabitant", "change vs base (%)", "p_below_base"]], "Most likely to fall below base:")
        if self.finances is not None:
            out += repr_html.frame(self.finances.risk_table(n=5)[["name", "P(reserves exhausted)", "P(deficit)"]],
                                   f"Most at risk of exhausting reserves by {last}:")
        return out
