"""Budget outputs of a simulation: saldo, deficit and reserve risks per municipality and year."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError


def quantile_name(q: float) -> str:
    """Column name of a quantile: 0.05 → 'q5', 0.5 → 'q50', 0.025 → 'q2_5'."""
    return f"q{round(q * 100, 4):g}".replace(".", "_")


@dataclass(frozen=True)
class BudgetResult:
    """Per municipality × year (euros unless stated):

    saldo_mean, saldo_sd, saldo_quantiles: exploitatiesaldo (baten − lasten, excluding reserve
    mutations); p_deficit: P(saldo < 0); shortfall: expected shortfall of the saldo at 5%
    (mean of the worst 5% of paths); p_exhausted: P(reserves below zero in some year up to
    and including this one); p_art12: P(a structural deficit of the plan ≥ threshold × (tax
    capacity + AU + IU/DU) this year and expected three years on), an artikel-12 risk signal
    (docs/budget-model.md, "Artikel 12"); net_shock: mean shock losses and extra costs
    minus compensation; reserves_mean. share_deficit: per year, the share of municipalities in
    deficit (mean, sd and quantiles over paths). With a response rule (``budget.response``):
    response_mean, the mean measures the municipality has taken by that year (tax rises and cuts
    against unchanged policy, euros a year) — the budget gap it closes; ``tax_share`` of them as
    higher belastingen. planned_saldo_mean, planned_saldo_sd, planned_saldo_quantiles,
    p_planned_deficit: the planned saldo of the same paths — what a begroting shows: the engine
    without the shock events, their compensation and the realisation step — to set beside the
    councils' begrotingen (:meth:`planned_saldo`). lasten_mean: the mean total lasten (the four
    domains and the BUIG benefits), the plan's costs to set beside the begrotingen's lasten
    (:meth:`national` gives their growth; the first year's on ``lasten_base``, the base filing's).
    """

    years: tuple[int, ...]
    quantiles: tuple[float, ...]
    municipalities: pd.DataFrame
    saldo_mean: np.ndarray
    saldo_sd: np.ndarray
    saldo_quantiles: np.ndarray
    p_deficit: np.ndarray
    shortfall: np.ndarray
    p_exhausted: np.ndarray
    p_art12: np.ndarray
    net_shock: np.ndarray
    reserves_mean: np.ndarray
    share_deficit: pd.DataFrame
    planned_saldo_mean: np.ndarray
    planned_saldo_sd: np.ndarray
    planned_saldo_quantiles: np.ndarray
    p_planned_deficit: np.ndarray
    lasten_mean: np.ndarray
    kengetallen: pd.DataFrame | None = None  # BBV kengetallen of the base begroting (fractions)
    base: str = ""                          # the Iv3 base, e.g. "begroting 2025"
    base_year: int | None = None            # its year (2025); the first result year when it is shown
    filled: pd.DataFrame | None = None      # municipalities whose base filing was empty or missing
    notes: tuple[str, ...] = ()             # what the run assumed where the data had gaps
    compensation_by_component: pd.DataFrame | None = None  # CBS code × component, euros in its year
    compensation_components: pd.DataFrame | None = None    # name, package, year, amount, key, envelope, source
    response_mean: np.ndarray | None = None  # municipality × year, euros (None: response none)
    tax_share: float = 0.0
    # The base filing's lasten per domain (Participatie with the BUIG benefits), euros.
    lasten_base: pd.Series | None = None
    lasten_domains_mean: np.ndarray | None = None  # domain × year: national lasten, euros (Participatie with BUIG)

    def compensation(self) -> pd.DataFrame:
        """Compensation per municipality (CBS code) and component (columns, euros paid in the
        component's year; ``compensation_components`` lists them with package, year, amount, envelope,
        key and source). Empty when the scenario has no compensation."""
        if self.compensation_by_component is None:
            return pd.DataFrame(index=self.municipalities.index)
        return self.compensation_by_component

    def _t(self, year: int | None) -> tuple[int, int]:
        year = self.years[-1] if year is None else year
        if year not in self.years:
            raise InputError(f"year {year} is not simulated; years are {self.years[0]}–{self.years[-1]}")
        return year, self.years.index(year)

    def saldo(self) -> pd.DataFrame:
        """The realised saldo per municipality (CBS code) and year: mean, sd, quantiles (euros)
        and P(deficit)."""
        return self._by_cell(self.saldo_mean, self.saldo_sd, self.saldo_quantiles, self.p_deficit, "P(deficit)")

    def planned_saldo(self) -> pd.DataFrame:
        """The planned saldo per municipality (CBS code) and year, with the statistics of
        :meth:`saldo`: gemfin's plan, to set beside the councils' begrotingen."""
        return self._by_cell(self.planned_saldo_mean, self.planned_saldo_sd, self.planned_saldo_quantiles,
                             self.p_planned_deficit, "P(planned deficit)")

    def _by_cell(self, mean, sd, quantiles, p_below, p_name: str) -> pd.DataFrame:
        g, t = mean.shape
        index = pd.MultiIndex.from_product([self.municipalities.index, self.years], names=["CBS code", "year"])
        df = pd.DataFrame({"mean": mean.reshape(g * t), "sd": sd.reshape(g * t)}, index=index)
        for k, q in enumerate(self.quantiles):
            df[quantile_name(q)] = quantiles[:, :, k].reshape(g * t)
        df[p_name] = p_below.reshape(g * t)
        return df

    def summary(self, year: int | None = None) -> pd.DataFrame:
        """One row per municipality for ``year`` (default: the last)."""
        year, t = self._t(year)
        m = self.municipalities
        inw = m["inhabitants"]
        df = pd.DataFrame({"name": m["name"], "province": m["province"], "size_class": m["size_class"],
                           "saldo mean": self.saldo_mean[:, t], "saldo sd": self.saldo_sd[:, t]}, index=m.index)
        for k, q in enumerate(self.quantiles):
            df[f"saldo {quantile_name(q)}"] = self.saldo_quantiles[:, t, k]
        df["saldo mean per inhabitant"] = df["saldo mean"] / inw
        df["expected shortfall 5% per inhabitant"] = self.shortfall[:, t] / inw
        df["P(deficit)"] = self.p_deficit[:, t]
        df["planned saldo mean"] = self.planned_saldo_mean[:, t]
        df["planned saldo mean per inhabitant"] = self.planned_saldo_mean[:, t] / inw
        df["P(planned deficit)"] = self.p_planned_deficit[:, t]
        df["lasten mean"] = self.lasten_mean[:, t]
        df["P(reserves exhausted)"] = self.p_exhausted[:, t]
        df["P(artikel 12 signal)"] = self.p_art12[:, t]
        df["net shock effect"] = self.net_shock[:, t]
        df["reserves mean"] = self.reserves_mean[:, t]
        if self.response_mean is not None:
            df["measures mean"] = self.response_mean[:, t]
            df["measures per inhabitant"] = self.response_mean[:, t] / inw
        if self.kengetallen is not None:
            df = df.join(self.kengetallen.add_prefix("kengetal "))
        df.attrs["year"] = year
        df.attrs["base"] = self.base  # the filing the kengetallen are from, e.g. "begroting 2025"
        return df

    def risk_table(self, year: int | None = None, n: int = 25, by: str = "P(reserves exhausted)") -> pd.DataFrame:
        """The ``n`` municipalities most at risk in ``year``: ranked by ``by`` (highest first),
        ties broken by the expected shortfall per inhabitant (most negative first), then by the
        mean saldo per inhabitant (most negative first), then by CBS code. Without the
        tie-breaks a recession run, where most municipalities have P ≈ 1, would list the first
        CBS codes."""
        s = self.summary(year)
        if by not in s.columns:
            raise InputError(f"cannot rank by {by!r}; expected one of {list(s.columns)}")
        cols = ["name", "province", "P(reserves exhausted)", "P(deficit)", "P(artikel 12 signal)",
                "saldo mean per inhabitant", "expected shortfall 5% per inhabitant"]
        ranked = s.assign(_code=s.index).sort_values(
            [by, "expected shortfall 5% per inhabitant", "saldo mean per inhabitant", "_code"],
            ascending=[False, True, True, True], kind="mergesort")
        return ranked[cols].head(n)

    def national(self) -> pd.DataFrame:
        """Per year: the share of municipalities in deficit (distribution over paths), the
        expected share with exhausted reserves, the total saldo, planned saldo and lasten, and the
        lasten's growth on the year before (the first projected year's on the base filing)."""
        df = self.share_deficit.add_prefix("share in deficit ")
        df["expected share with exhausted reserves"] = self.p_exhausted.mean(axis=0)
        df["total saldo mean (EUR mln)"] = self.saldo_mean.sum(axis=0) / 1e6
        df["total planned saldo mean (EUR mln)"] = self.planned_saldo_mean.sum(axis=0) / 1e6
        df["expected share planning a deficit"] = self.p_planned_deficit.mean(axis=0)
        lasten = self.lasten_mean.sum(axis=0)
        df["total lasten mean (EUR mln)"] = lasten / 1e6
        df["lasten growth"] = self._growth(lasten, None if self.lasten_base is None else float(self.lasten_base.sum()))
        df["expected artikel-12 signals"] = self.p_art12.sum(axis=0)
        if self.response_mean is not None:
            total = self.response_mean.sum(axis=0) / 1e6
            df["measures (EUR mln)"] = total
            df["of which belastingen (EUR mln)"] = total * self.tax_share
            df["of which spending (EUR mln)"] = total * (1.0 - self.tax_share)
            df["measures per inhabitant (EUR)"] = self.response_mean.sum(axis=0) / float(self.municipalities["inhabitants"].sum())
        return df

    def _growth(self, x: np.ndarray, base: float | None) -> np.ndarray:
        """Growth on the year before; the first year's on the base filing (NaN where the first
        year is the base year itself or the base is unknown)."""
        first = x[0] / base - 1.0 if base and self.base_year is not None and self.base_year != self.years[0] else np.nan
        return np.concatenate([[first], x[1:] / x[:-1] - 1.0])

    def lasten_by_domain(self, growth: bool = False) -> pd.DataFrame:
        """The national lasten per domain and year (mean over paths, euros; Participatie with the
        BUIG benefits), and their total: the plan's costs to set beside the begrotingen's lasten
        per domain (``gemfin.calibrate.lasten_growth``). ``growth=True``: their growth on the year
        before, the first year's on the base filing."""
        if self.lasten_domains_mean is None:
            raise InputError("this result has no lasten per domain (a result from before they were kept)")
        from ..schema.scenario import DOMAIN_NAMES

        df = pd.DataFrame(self.lasten_domains_mean.T, index=pd.Index(self.years, name="year"), columns=list(DOMAIN_NAMES))
        df["total"] = df.sum(axis=1)
        if not growth:
            return df
        base = self.lasten_base
        return pd.DataFrame({c: self._growth(df[c].to_numpy(), None if base is None else
                                             float(base.sum() if c == "total" else base[c]))
                             for c in df.columns}, index=df.index)

    def _repr_html_(self) -> str:
        from .. import repr_html

        nat = self.national()[["share in deficit mean", "expected share with exhausted reserves"]]
        return (repr_html.heading("Budget risks") + repr_html.items(f"Base: {self.base}" if self.base else None, self.notes)
                + repr_html.frame(nat) + repr_html.frame(self.risk_table(n=5)[["name", "P(reserves exhausted)", "P(deficit)"]],
                                                         f"Most at risk in {self.years[-1]}:"))
