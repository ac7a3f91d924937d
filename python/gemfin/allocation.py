"""Deterministic allocation of the gemeentefonds for one circulaire (docs/domain.md §2.1, §9.2)."""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .circulaire import Circulaire
from .engine import allocate_arrays
from .errors import GemfinWarning, InputError


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
                self.per_inhabitant.add_suffix(" per inhabitant"),
            ],
            axis=1,
        )
        out.index.name = "gemeente"
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """The allocation as tables for people, by sheet name: English headers with the
        uitkeringsjaar and the unit in each (see gemfin.io)."""
        year = self.circulaire.uitkeringsjaar
        m = self.circulaire.municipalities
        per = pd.DataFrame({"name": m["name"], "province": m["province"],
                            f"inhabitants {year} (persons)": m["inhabitants"]})
        for cluster in self.by_cluster.columns:
            per[f"{cluster} {year} (EUR)"] = self.by_cluster[cluster]
        per[f"algemene uitkering {year} (EUR)"] = self.algemene_uitkering
        for kind, amounts in self.siudu_by_type.items():
            per[f"SIUDU {kind} {year} (EUR)"] = amounts
        per[f"gemeentefonds {year} (EUR)"] = self.gemeentefonds
        per[f"algemene uitkering {year} per inhabitant (EUR per inhabitant)"] = self.per_inhabitant["algemene_uitkering"]
        per[f"gemeentefonds {year} per inhabitant (EUR per inhabitant)"] = self.per_inhabitant["gemeentefonds"]
        per.index.name = "CBS code"
        national = self.national().rename_axis("item").rename(f"amount {year} (EUR)").to_frame()
        national.index = [str(i).replace("_", " ") for i in national.index]
        national.index.name = "item"
        summary = self.summary().rename_axis("item").rename(columns={"value": f"value {year}"})
        items = self.circulaire.fixed_items.rename(columns=lambda c: f"{c} {year} (EUR)")
        items = pd.concat([m[["name"]], items], axis=1).rename_axis("CBS code")
        return {"per municipality": per, "national": national, "summary": summary, "SIUDU items": items}

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
            "uitkeringsfactor (factor)": self.uitkeringsfactor,
            "algemene uitkering (EUR mln)": self.au_total / 1e6,
            "SIUDU (EUR mln)": self.siudu.sum() / 1e6,
            "gemeentefonds (EUR mln)": self.gemeentefonds.sum() / 1e6,
            "inhabitants (persons)": self.inhabitants.sum(),
            "AU per inhabitant, national (EUR per inhabitant)": self.au_total / self.inhabitants.sum(),
            "AU per inhabitant, median (EUR per inhabitant)": pi.median(),
            "AU per inhabitant, min (EUR per inhabitant)": pi.min(),
            "AU per inhabitant, max (EUR per inhabitant)": pi.max(),
        }
        return pd.DataFrame({"value": pd.Series(rows)})

    def __repr__(self) -> str:
        return (
            f"Allocation({self.circulaire.id}: UF {self.uitkeringsfactor:.6f}, "
            f"AU EUR {self.au_total / 1e9:,.3f} bn, gemeentefonds EUR {self.gemeentefonds.sum() / 1e9:,.3f} bn)"
        )

    def _repr_html_(self) -> str:
        from . import repr_html

        pi = self.per_inhabitant["algemene_uitkering"]
        top = pi.sort_values()
        m = self.circulaire.municipalities["name"]
        clusters = (self.by_cluster.sum() / 1e6).rename("EUR mln").to_frame()
        clusters.index.name = "Cluster"
        return repr_html.fields("gemfin Allocation", [
            ("Circulaire", self.circulaire.id),
            ("Uitkeringsfactor", f"{self.uitkeringsfactor:.6f}" + (" (solved from budget)" if self.uitkeringsfactor_solved else "")),
            ("Algemene uitkering", f"EUR {self.au_total / 1e6:,.1f} mln"),
            ("Gemeentefonds (incl. SIUDU)", f"EUR {self.gemeentefonds.sum() / 1e6:,.1f} mln"),
            ("AU per inhabitant", f"median EUR {pi.median():,.0f}; lowest {m[top.index[0]]} {top.iloc[0]:,.0f}; "
                                  f"highest {m[top.index[-1]]} {top.iloc[-1]:,.0f}"),
        ]) + repr_html.frame(clusters, digits=1)


#: Uitkeringsfactoren outside this band draw a warning. The published ones of the herijkt
#: verdeelmodel run from 1.285 (M2022_2023) to 1.457 (S2024_2025); a factor far outside
#: usually means a budget in the wrong unit (millions instead of euros).
PLAUSIBLE_UF = (1.0, 2.0)


def _check_result(circ: Circulaire, uf: float, au: np.ndarray, index: pd.Index, solved: bool) -> None:
    """Refuse an allocation that no fund could pay out: a non-positive uitkeringsfactor or a
    negative algemene uitkering for any municipality; warn about an implausible factor."""
    how = "solved from the AU budget" if solved else "given"
    if not uf > 0:
        raise InputError(f"circulaire {circ.id}: the uitkeringsfactor {how} is {uf:.6g}; it must be positive "
                         "(is the AU budget in euros? EUR 41 bn is 41e9)")
    negative = np.flatnonzero(au < 0)
    if negative.size:
        names = circ.municipalities["name"]
        worst = ", ".join(f"{index[i]} {names.iloc[i]} (EUR {au[i] / 1e6:,.1f} mln)" for i in negative[:5])
        raise InputError(f"circulaire {circ.id}: with uitkeringsfactor {uf:.6g} ({how}) the algemene uitkering is "
                         f"negative for {negative.size} municipalities, e.g. {worst}; the OZB verevening "
                         "exceeds their uitkeringsbasis (is the AU budget in euros? EUR 41 bn is 41e9)")
    lo, hi = PLAUSIBLE_UF
    if not circ.is_booked and not lo <= uf <= hi:  # a booked fund has factor 1 by construction
        warnings.warn(f"circulaire {circ.id}: uitkeringsfactor {uf:.4f} ({how}) lies outside the plausible band "
                      f"{lo}–{hi} (published factors 2023–2025: 1.285–1.457)", GemfinWarning, stacklevel=3)


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

    r = allocate_arrays(circ.volumes.to_numpy(dtype=np.float64), circ.rates.to_numpy(dtype=np.float64),
                        circ.ozb_mask, uitkeringsfactor, au_budget)
    index = circ.volumes.index
    _check_result(circ, float(r["uitkeringsfactor"]), np.asarray(r["algemene_uitkering"]), index, solved)
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
