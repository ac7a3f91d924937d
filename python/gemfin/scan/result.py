"""The scan: what the verdeelmodel assigns to each cluster against what municipalities spend
net on it (the POR's aansluitverschil), per municipality, cluster and group.

``balance = allocation − netto lasten``: positive where the fund gives a cluster more than the
municipality's filing spends net on it. The allocation of a cluster is its algemene uitkering
(UF × bedragen × volumes, the OZB verevening in its own negative cluster) plus the IU, DU and
suppleties that the circulaire's weight rows assign to it; items without a row (artikel 12 in
two circulaires) stay outside and are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..allocation import Allocation, allocate
from ..circulaire import CLUSTERS, Circulaire
from ..errors import InputError
from ..municipalities import to_indeling
from .cluster_allocation import allocation_by_cluster
from .fit import DEFAULT_THRESHOLD, fit_by_group, fit_table
from .groups import GROUPS, municipality_classes
from .netto_lasten import DEFAULT_OVERHEAD, NettoLasten, filings, netto_lasten

#: The filing a scan reads unless told: the newest.
NEWEST_FILING = filings()[-1]


@dataclass(frozen=True)
class Balance:
    """Allocation against netto lasten per municipality and cluster (see the module docstring).

    by_cluster: index (gm_code, cluster); columns allocation, netto_lasten, balance (euros)
        and per_inhabitant (balance per inhabitant, EUR). municipalities: name, province,
        inhabitants, size class, centrumfunctie, sociale structuur. fit: the fit measures per
        cluster and in total (:mod:`gemfin.scan.fit`).
    """

    circulaire_id: str
    uitkeringsjaar: int
    filing: str
    overhead_key: str
    threshold: float
    allocation: pd.DataFrame
    netto_lasten: pd.DataFrame
    unmapped_siudu: pd.Series
    municipalities: pd.DataFrame
    notes: tuple[str, ...] = field(default=())

    @property
    def inhabitants(self) -> pd.Series:
        return self.municipalities["inhabitants"]

    @property
    def balance(self) -> pd.DataFrame:
        """allocation − netto lasten, euros, municipality × cluster."""
        return self.allocation - self.netto_lasten

    @property
    def per_inhabitant(self) -> pd.DataFrame:
        """Balance per inhabitant, EUR, municipality × cluster."""
        return self.balance.div(self.inhabitants, axis=0)

    @property
    def by_cluster(self) -> pd.DataFrame:
        long = pd.DataFrame({
            "allocation": self.allocation.stack(),
            "netto_lasten": self.netto_lasten.stack(),
            "balance": self.balance.stack(),
            "per_inhabitant": self.per_inhabitant.stack(),
        })
        long.index.names = ["gm_code", "cluster"]
        return long

    @property
    def fit(self) -> pd.DataFrame:
        """Fit measures per cluster and ``total``: r2, r2_distribution, mad (EUR per
        inhabitant), share_beyond (± threshold), municipalities."""
        inh = self.inhabitants
        return fit_table(self.allocation.div(inh, axis=0), self.netto_lasten.div(inh, axis=0), inh, self.threshold)

    def fit_by(self, group: str = "size_class") -> pd.DataFrame:
        """:attr:`fit` within each group: ``size_class``, ``province``, ``centrumfunctie`` or
        ``sociale_structuur``; index (group, cluster)."""
        col = _group_column(group)
        inh = self.inhabitants
        return fit_by_group(self.allocation.div(inh, axis=0), self.netto_lasten.div(inh, axis=0), inh,
                            self.municipalities[col].rename(col), self.threshold)

    @property
    def national(self) -> pd.DataFrame:
        """Per cluster and in total: allocation, netto lasten and balance (EUR mln) and the
        balance per inhabitant (EUR)."""
        out = pd.DataFrame({"allocation": self.allocation.sum(), "netto_lasten": self.netto_lasten.sum()})
        out.loc["total"] = out.sum()
        out["balance"] = out["allocation"] - out["netto_lasten"]
        out["per_inhabitant"] = out["balance"] / self.inhabitants.sum()
        out[["allocation", "netto_lasten", "balance"]] /= 1e6
        out.index.name = "cluster"
        return out.rename(columns={"allocation": "allocation (EUR mln)", "netto_lasten": "netto lasten (EUR mln)",
                                   "balance": "balance (EUR mln)", "per_inhabitant": "balance per inhabitant (EUR)"})

    def by_group(self, group: str = "size_class") -> pd.DataFrame:
        """Balance per inhabitant (EUR, inhabitant-weighted) per group × cluster, with total."""
        col = _group_column(group)
        bal = self.balance.copy()
        bal["total"] = bal.sum(axis=1)
        key = self.municipalities[col]
        out = bal.groupby(key, observed=True, sort=True).sum().div(
            self.inhabitants.groupby(key, observed=True, sort=True).sum(), axis=0)
        out.index.name = col
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per municipality and cluster: gm_code, name, cluster, allocation,
        netto_lasten, balance, per_inhabitant (what ``gemfin balance --out`` writes)."""
        long = self.by_cluster.reset_index()
        long.insert(1, "name", long["gm_code"].map(self.municipalities["name"]))
        return long[["gm_code", "name", "cluster", "allocation", "netto_lasten", "balance", "per_inhabitant"]]

    def tables(self) -> dict[str, pd.DataFrame]:
        """Sheets for people (gemfin.io): per municipality, national, fit, by size class."""
        y = self.uitkeringsjaar
        per = self.to_frame().rename(columns={
            "gm_code": "CBS code", "allocation": f"allocation {y} (EUR)",
            "netto_lasten": f"netto lasten {self.filing} (EUR)", "balance": "balance (EUR)",
            "per_inhabitant": "balance per inhabitant (EUR per inhabitant)"}).set_index("CBS code")
        fit = self.fit.rename(columns={"mad": "mad (EUR per inhabitant)",
                                       "share_beyond": f"share beyond ±{self.threshold:g} EUR per inhabitant"})
        size = self.by_group("size_class").T
        size.index.name = "cluster (balance per inhabitant, EUR)"
        return {"per municipality": per, "national": self.national, "fit": fit, "by size class": size,
                "about": pd.DataFrame({"value": pd.Series({
                    "circulaire": self.circulaire_id, "filing (netto lasten)": self.filing,
                    "overhead key": self.overhead_key, "balance": "allocation − netto lasten (EUR)",
                    "notes": " | ".join(self.notes)})}).rename_axis("item")}

    def __repr__(self) -> str:
        t = self.national.loc["total"]
        return (f"Balance({self.circulaire_id} against {self.filing}: allocation EUR {t.iloc[0] / 1e3:,.2f} bn, "
                f"netto lasten EUR {t.iloc[1] / 1e3:,.2f} bn, {len(self.municipalities)} municipalities)")

    def _repr_html_(self) -> str:
        from .. import repr_html

        t = self.national.loc["total"]
        fit = self.fit.loc["total"]
        return repr_html.fields("gemfin Balance", [
            ("Circulaire", self.circulaire_id),
            ("Netto lasten", f"{self.filing} (overhead by {self.overhead_key})"),
            ("Municipalities", f"{len(self.municipalities)}"),
            ("Allocation − netto lasten", f"EUR {t.iloc[2]:,.0f} mln ({t.iloc[3]:,.0f} per inhabitant)"),
            ("Fit (total)", f"R² {fit['r2']:.3f}, mean |difference| EUR {fit['mad']:,.0f}/inh, "
                            f"{fit['share_beyond']:.0%} beyond ±{self.threshold:g}"),
        ]) + repr_html.frame(self.national, digits=1)

    def plot_heatmap(self, ax=None):
        """Balance per inhabitant by size class × cluster (a matplotlib Axes)."""
        from .plots import heatmap

        return heatmap(self, ax=ax)

    def plot_map(self, cluster: str = "Individuele voorzieningen Jeugd", ax=None):
        """A map of the balance per inhabitant of one cluster (a matplotlib Axes)."""
        from .plots import cluster_map

        return cluster_map(self, cluster, ax=ax)


def _group_column(group: str) -> str:
    if group not in GROUPS:
        raise InputError(f"group {group!r}: expected one of {sorted(GROUPS)}")
    return group


def balance_of(alloc: Allocation, netto: NettoLasten, threshold: float = DEFAULT_THRESHOLD,
               data: str | Path | None = None) -> Balance:
    """The :class:`Balance` of an allocation against netto lasten already read."""
    if not (isinstance(threshold, (int, float)) and np.isfinite(threshold) and threshold > 0):
        raise InputError(f"threshold must be a positive number of EUR per inhabitant, got {threshold!r}")
    circ = alloc.circulaire
    uj = circ.uitkeringsjaar
    alloc_c, unmapped = allocation_by_cluster(alloc)
    notes = list(netto.notes)
    nl = netto.by_cluster
    if netto.division != uj:
        try:
            nl = to_indeling(nl, uj, data)
        except InputError as exc:
            raise InputError(f"netto lasten of the {netto.label} ({netto.division} division) cannot be put into the "
                             f"division of circulaire {circ.id} ({uj}): {exc}") from None
        if netto.division < uj:
            notes.append(f"netto lasten of municipalities that merged between {netto.division} and {uj} summed "
                         "into the merged municipality")
    if netto.year != uj:
        notes.append(f"the allocation is of {uj}, the netto lasten of the {netto.label}: amounts of different years")
    missing = sorted(set(alloc_c.index) - set(nl.index))
    extra = sorted(set(nl.index) - set(alloc_c.index))
    if extra:
        raise InputError(f"municipalities {extra[:10]} have netto lasten in the {netto.label} but are not in circulaire "
                         f"{circ.id}; the filing's division ({netto.division}) is later than the circulaire's ({uj})")
    if missing:
        notes.append(f"left out of the scan, no netto lasten in the {netto.label}: {missing}")
    idx = [g for g in alloc_c.index if g in nl.index]
    m = circ.municipalities.loc[idx, ["name", "province", "inhabitants", "size_class"]]
    classes = municipality_classes(data).reindex(idx).fillna("onbekend")
    muni = pd.concat([m, classes], axis=1)
    outside = unmapped.sum(axis=1).rename("unmapped SIUDU")
    if outside.abs().sum() > 0:
        notes.append(f"SIUDU items without a cluster, outside the scan: {list(unmapped.columns)} "
                     f"(EUR {outside.sum() / 1e6:,.1f} mln)")
    return Balance(circ.id, uj, netto.label, netto.overhead_key, float(threshold), alloc_c.loc[idx],
                   nl.loc[idx, list(CLUSTERS)], outside.loc[idx], muni, tuple(notes))


def balance(circulaire: str | Circulaire | Allocation, filing=None, *, overhead: str = DEFAULT_OVERHEAD,
            threshold: float = DEFAULT_THRESHOLD, data: str | Path | None = None) -> Balance:
    """The scan of one circulaire (an id, a :class:`~gemfin.Circulaire` or an
    :class:`~gemfin.Allocation`) against the netto lasten of a filing, e.g.
    ``gemfin.balance("S2024_2025", filing=("begroting", 2025))``; the newest filing by default."""
    from ..booked import load_circulaire

    if isinstance(circulaire, Allocation):
        alloc = circulaire
    else:
        circ = load_circulaire(circulaire, data) if isinstance(circulaire, str) else circulaire
        if not isinstance(circ, Circulaire):
            raise InputError(f"balance expects a circulaire id, Circulaire or Allocation, got {type(circulaire).__name__}")
        alloc = allocate(circ)
    return balance_of(alloc, netto_lasten(filing or NEWEST_FILING, overhead=overhead, data=data), threshold, data)
