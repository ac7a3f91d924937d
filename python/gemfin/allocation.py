"""Deterministic allocation of the gemeentefonds for one circulaire (domain.md §2.1, §9.2)."""

from __future__ import annotations

import html
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _core
from .circulaire import Circulaire
from .errors import InputError


def _check_positive_number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise InputError(f"{name} must be a finite positive number, got {value!r}")
    return value


@dataclass(frozen=True)
class Allocation:
    """The algemene uitkering and gemeentefonds per municipality for one circulaire.

    by_cluster: euros per municipality (index CBS code) and cluster; UF applied to the
        expenditure maatstaven, the OZB verevening in its own (negative) cluster.
    algemene_uitkering: UF·basis + ozb, euros. gemeentefonds: algemene_uitkering + all SIUDU
        amounts (IU, DU, suppleties, herindeling, artikel 12), euros.
    """

    circulaire: Circulaire
    uitkeringsfactor: float
    uitkeringsfactor_solved: bool
    by_cluster: pd.DataFrame
    basis: pd.Series
    ozb: pd.Series
    algemene_uitkering: pd.Series
    au_total: float

    @property
    def siudu(self) -> pd.Series:
        """Σ of the euro amounts outside the uitkeringsfactor per municipality."""
        return self.circulaire.fixed_items.sum(axis=1).rename("siudu")

    @property
    def siudu_by_type(self) -> pd.DataFrame:
        """SIUDU amounts per municipality summed per type (IU, DU, suppletie, ...)."""
        items = self.circulaire.fixed_items
        return items.T.groupby(self.circulaire.fixed_item_types).sum().T

    @property
    def gemeentefonds(self) -> pd.Series:
        return (self.algemene_uitkering + self.siudu).rename("gemeentefonds")

    @property
    def inhabitants(self) -> pd.Series:
        return self.circulaire.municipalities["inhabitants"]

    @property
    def per_inhabitant(self) -> pd.DataFrame:
        """Algemene uitkering and gemeentefonds in euros per inhabitant."""
        return pd.DataFrame(
            {
                "algemene_uitkering": self.algemene_uitkering / self.inhabitants,
                "gemeentefonds": self.gemeentefonds / self.inhabitants,
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per municipality: name, province, inhabitants, clusters, totals (euros)."""
        m = self.circulaire.municipalities
        out = pd.concat(
            [
                m[["name", "province", "inhabitants"]],
                self.by_cluster,
                self.algemene_uitkering,
                self.siudu_by_type.add_prefix("siudu "),
                self.gemeentefonds,
                self.per_inhabitant.add_suffix(" per inwoner"),
            ],
            axis=1,
        )
        out.index.name = "gemeente"
        return out

    def national(self) -> pd.Series:
        """National totals in euros."""
        s = self.by_cluster.sum()
        s["algemene_uitkering"] = self.au_total
        for kind, amount in self.siudu_by_type.sum().items():
            s[f"siudu {kind}"] = amount
        s["gemeentefonds"] = self.gemeentefonds.sum()
        return s

    def summary(self) -> pd.DataFrame:
        """A compact table: national totals (EUR mln) and the per-inhabitant spread."""
        pi = self.per_inhabitant["algemene_uitkering"]
        rows = {
            "uitkeringsfactor": self.uitkeringsfactor,
            "algemene uitkering (EUR mln)": self.au_total / 1e6,
            "SIUDU (EUR mln)": self.siudu.sum() / 1e6,
            "gemeentefonds (EUR mln)": self.gemeentefonds.sum() / 1e6,
            "inhabitants": self.inhabitants.sum(),
            "AU per inhabitant, national (EUR)": self.au_total / self.inhabitants.sum(),
            "AU per inhabitant, median (EUR)": pi.median(),
            "AU per inhabitant, min (EUR)": pi.min(),
            "AU per inhabitant, max (EUR)": pi.max(),
        }
        return pd.DataFrame({"value": pd.Series(rows)})

    def __repr__(self) -> str:
        return (
            f"Allocation({self.circulaire.id}: UF {self.uitkeringsfactor:.6f}, "
            f"AU EUR {self.au_total / 1e9:,.3f} bn, gemeentefonds EUR {self.gemeentefonds.sum() / 1e9:,.3f} bn)"
        )

    def _repr_html_(self) -> str:
        pi = self.per_inhabitant["algemene_uitkering"]
        top = pi.sort_values()
        m = self.circulaire.municipalities["name"]
        clusters = (self.by_cluster.sum() / 1e6).map("{:,.1f}".format)
        rows = [
            ("Circulaire", html.escape(self.circulaire.id)),
            ("Uitkeringsfactor", f"{self.uitkeringsfactor:.6f}" + (" (solved from budget)" if self.uitkeringsfactor_solved else "")),
            ("Algemene uitkering", f"EUR {self.au_total / 1e6:,.1f} mln"),
            ("Gemeentefonds (incl. SIUDU)", f"EUR {self.gemeentefonds.sum() / 1e6:,.1f} mln"),
            ("AU per inhabitant", f"median EUR {pi.median():,.0f}; lowest {html.escape(m[top.index[0]])} "
             f"{top.iloc[0]:,.0f}; highest {html.escape(m[top.index[-1]])} {top.iloc[-1]:,.0f}"),
        ]
        head = "".join(f"<tr><th style='text-align:left'>{k}</th><td>{v}</td></tr>" for k, v in rows)
        cl = "".join(f"<tr><td>{html.escape(k)}</td><td style='text-align:right'>{v}</td></tr>" for k, v in clusters.items())
        return (f"<table><caption>gemfin Allocation</caption>{head}</table>"
                f"<table><tr><th>Cluster</th><th>EUR mln</th></tr>{cl}</table>")


def allocate(circ: Circulaire, uitkeringsfactor: float | None = None,
             au_budget: float | None = None) -> Allocation:
    """Allocate the algemene uitkering of ``circ``.

    With neither argument the circulaire's published uitkeringsfactor is used; with
    ``uitkeringsfactor`` that one; with ``au_budget`` (euros) the uitkeringsfactor is solved so
    that the algemene uitkering sums to the budget over all municipalities.
    """
    if not isinstance(circ, Circulaire):
        raise InputError(f"allocate expects a Circulaire (from gemfin.load_circulaire), got {type(circ).__name__}")
    if uitkeringsfactor is not None and au_budget is not None:
        raise InputError("give at most one of uitkeringsfactor and au_budget")
    solved = au_budget is not None
    if au_budget is not None:
        if isinstance(au_budget, bool) or not isinstance(au_budget, numbers.Real) or not np.isfinite(au_budget):
            raise InputError(f"au_budget must be a finite number of euros, got {au_budget!r}")
        au_budget = float(au_budget)
    elif uitkeringsfactor is None:
        if circ.uitkeringsfactor is None:
            raise InputError(
                f"circulaire {circ.id} has no published uitkeringsfactor; pass uitkeringsfactor= or au_budget="
            )
        uitkeringsfactor = circ.uitkeringsfactor
    else:
        uitkeringsfactor = _check_positive_number("uitkeringsfactor", uitkeringsfactor)

    volumes = np.ascontiguousarray(circ.volumes.to_numpy(dtype=np.float64))
    rates = np.ascontiguousarray(circ.rates.to_numpy(dtype=np.float64))
    r = _core.allocate(volumes, rates, [bool(x) for x in circ.ozb_mask],
                       uitkeringsfactor=uitkeringsfactor, au_budget=au_budget)
    index = circ.volumes.index
    return Allocation(
        circulaire=circ,
        uitkeringsfactor=float(r["uitkeringsfactor"]),
        uitkeringsfactor_solved=solved,
        by_cluster=pd.DataFrame(r["by_cluster"], index=index, columns=circ.rates.columns),
        basis=pd.Series(r["basis"], index=index, name="basis"),
        ozb=pd.Series(r["ozb"], index=index, name="ozb"),
        algemene_uitkering=pd.Series(r["algemene_uitkering"], index=index, name="algemene_uitkering"),
        au_total=float(r["au_total"]),
    )
