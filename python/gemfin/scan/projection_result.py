"""The social clusters' balance of a Monte Carlo run (``simulate(..., balance=True)``,
``res.balance()``): per cluster (Jeugd, Wmo, Participatie), year and path the allocation of the
cluster minus its netto lasten (docs/fund-balance.md, "Under uncertainty"), summarised as mean,
sd and quantiles nationally and per municipality, with P(balance < 0) per municipality."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .mapping import SOCIAL_CLUSTERS


@dataclass(frozen=True)
class SocialBalance:
    """national: index (cluster, year), EUR mln: mean, sd and the run's quantiles.
    by_municipality: index (cluster, gm_code, year), euros: the same and p_shortfall
    (P(balance < 0)); per_inhabitant: the mean per inhabitant, EUR. filing: the base filing
    whose netto lasten the clusters start from."""

    national: pd.DataFrame
    by_municipality: pd.DataFrame
    filing: str
    quantiles: tuple[float, ...]

    def band(self, cluster: str = "Individuele voorzieningen Jeugd", low: str = "q5", high: str = "q95") -> pd.DataFrame:
        """National mean and band of one cluster per year (EUR mln)."""
        return pd.DataFrame(self.national.xs(cluster, level="cluster"))[["mean", low, high]]

    def plot(self, cluster: str = "Individuele voorzieningen Jeugd", ax=None):
        """Fan of the national balance of one cluster (EUR mln)."""
        from ..results.budget import quantile_name
        from ..plot import fan_chart
        from .plots import SHORT

        n = self.national.xs(cluster, level="cluster")
        qs = {q: n[quantile_name(q)].to_numpy() for q in self.quantiles}
        ax = fan_chart(list(n.index), qs, n["mean"].to_numpy(), ax=ax,
                       title=f"{SHORT.get(cluster, cluster)}: allocation − netto lasten", unit="EUR mln")
        return ax

    def _repr_html_(self) -> str:
        from .. import repr_html

        last = self.national.index.get_level_values("year").max()
        table = pd.DataFrame(self.national.xs(last, level="year"))
        return repr_html.fields("gemfin SocialBalance", [
            ("Clusters", ", ".join(SOCIAL_CLUSTERS)),
            ("Netto lasten from", self.filing),
            ("Units", "national EUR mln; by_municipality euros"),
        ]) + repr_html.frame(table, digits=1)


def social_balance(b, g: int, years, qs, q_cols: list[str], circ, filing: str) -> SocialBalance | None:
    """The :class:`SocialBalance` of a run's budget output ``b`` (None without one)."""
    if not list(b.cluster_balance):
        return None
    t = len(years)
    codes = list(circ.volumes.index)
    nat, per = [], []
    for k, cluster in enumerate(SOCIAL_CLUSTERS):
        n = b.cluster_balance_national[k]
        q = np.array(n.quantiles).reshape(t, len(qs))
        frame = pd.DataFrame(np.column_stack([n.mean, n.sd, q]) / 1e6, columns=["mean", "sd", *q_cols],
                             index=pd.MultiIndex.from_product([[cluster], list(years)], names=["cluster", "year"]))
        nat.append(frame)
        c = b.cluster_balance[k]
        qm = np.array(c.quantiles).reshape(g, t, len(qs)).reshape(g * t, len(qs))
        m = pd.DataFrame(np.column_stack([c.mean, c.sd, qm, b.cluster_p_short[k]]),
                         columns=["mean", "sd", *q_cols, "p_shortfall"],
                         index=pd.MultiIndex.from_product([[cluster], codes, list(years)],
                                                          names=["cluster", "gm_code", "year"]))
        inh = circ.municipalities["inhabitants"].reindex(m.index.get_level_values("gm_code")).to_numpy()
        m["mean per inhabitant"] = m["mean"].to_numpy() / inh
        per.append(m)
    return SocialBalance(pd.concat(nat), pd.concat(per), filing, tuple(qs))
