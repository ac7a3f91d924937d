"""What the budget model takes from the data for one base filing and circulaire — the base
budget, reserves, the realisation gaps, the structural room, the ingroei's herverdeeleffect.
It depends only on the scenario's structural fields (it is part of a run's base,
gemfin.run.base); the compensation a scenario's keys give each municipality is in
gemfin.run.compensation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import DataError
from ..schema.scenario import Budget, Ingroei

if TYPE_CHECKING:
    from ..allocation import Allocation
    from ..iv3 import BaselineBudget

STRUCTURAL_ROOM = "Structurele exploitatieruimte"


@dataclass(frozen=True, eq=False)
class BudgetBase:
    """The budget model's data for one base filing and circulaire (euros, in the order of the
    circulaire's municipalities); independent of the scenario's numbers."""

    base: BaselineBudget
    lasten: pd.DataFrame
    baten: pd.DataFrame
    reserves: pd.DataFrame       # algemene reserve, bestemmingsreserves
    allocation: Allocation       # the circulaire's allocation at its published factor
    planned: np.ndarray          # the base filing's saldo relative to its lasten (realisation model's b)
    gap: np.ndarray              # the realisation gap's score two years before the base (0 where unknown)
    gap_year: int | None         # the year of that gap; None where the data have no such pair
    kengetallen: pd.DataFrame | None  # BBV kengetallen of the base begroting (fractions); None otherwise
    structural: np.ndarray       # the base begroting's structurele exploitatieruimte (fraction; 0 where unknown)
    structural_unknown: tuple[str, ...]  # CBS codes without that kengetal
    herverdeeleffect: np.ndarray | None  # budget.ingroei: HE per municipality (euros)
    arrays: Mapping[str, np.ndarray]     # the core's base-year arrays (read-only)


def budget_base(budget: Budget, circ) -> BudgetBase:
    """The :class:`BudgetBase` of a scenario's budget section for ``circ`` (the circulaire after
    proposal, in the base filing's division). Reads only the section's structural fields."""
    from .. import iv3
    from .. import realisation as rm
    from ..allocation import allocate

    document, year = budget.base.document, budget.base.year
    codes = circ.volumes.index
    base = iv3.baseline_budget(document, year)
    ref = budget.base.revenue_lines_from
    if ref is not None:
        from ..iv3.history import split_revenue_lines

        base = split_revenue_lines(base, iv3.baseline_budget(ref.document, ref.year))
    absent = [c for c in codes if c not in base.lasten.index]
    if base.missing or absent:
        raise DataError(f"Iv3 {document} {year}: no budget for municipality/municipalities "
                        f"{(base.missing or absent)[:10]} of circulaire {circ.id}")
    if base.buig_baten is None or base.buig_lasten is None:
        raise DataError(f"Iv3 {document} {year}: no BUIG proxy (taakveld 6.3) in the base budget")
    lasten = base.lasten.reindex(codes)
    baten = base.baten.reindex(codes)
    buig_b = base.buig_baten.reindex(codes).fillna(0.0)
    buig_l = base.buig_lasten.reindex(codes).fillna(0.0)
    # Reserves at the start: the balance sheet at the end of the year before a begroting base
    # year (the last one known when it was adopted), or of the jaarrekening base year itself.
    sheet = year - 1 if document == "begroting" else year
    reserves, _ = iv3.load_reserves(sheet, division=year)
    reserves = reserves.reindex(codes)
    if reserves.isna().any().any():
        raise DataError(f"balance sheet {sheet}: no reserves for {list(reserves.index[reserves.isna().any(axis=1)][:10])}")
    alloc = allocate(circ)
    # The realisation model's b: own baten, BUIG, the AU and SIUDU against all lasten
    # (Participatie includes the BUIG benefits here).
    he = herverdeeleffect(budget.ingroei, circ) if budget.ingroei is not None else None
    total_lasten = lasten.sum(axis=1).to_numpy()
    total_baten = (baten.sum(axis=1).to_numpy() + alloc.algemene_uitkering.reindex(codes).to_numpy()
                   + circ.fixed_items.sum(axis=1).reindex(codes).to_numpy()
                   + ingroei_suppletie(budget.ingroei, circ, [year], he)[:, 0])
    planned = np.clip((total_baten - total_lasten) / total_lasten, -rm.CLIP, rm.CLIP)
    gap = rm.persistence_signal(year - 2, year, distributions=rm.shipped_gap_distributions()).reindex(codes)
    kengetallen = base_kengetallen(document, year)
    structural = (kengetallen[STRUCTURAL_ROOM] if kengetallen is not None and STRUCTURAL_ROOM in kengetallen.columns
                  else pd.Series(dtype=float)).reindex(codes)
    arrays = {
        "lasten": np.stack([lasten["Jeugd"].to_numpy(), lasten["Wmo"].to_numpy(),
                            (lasten["Participatie"] - buig_l).to_numpy(), lasten["Overig"].to_numpy()]),
        # Before 2023 the base (Iv3 summary) does not split the belastingen: all follow the OZB rule.
        "ozb": (baten["OZB woningen"] + baten["OZB niet-woningen"] + baten["Belastingen (ongesplitst)"]).to_numpy(),
        "other_taxes": (baten["Parkeerbelasting"] + baten["Overige belastingen"] + baten["Parkeren"]).to_numpy(),
        "other_baten": (baten["Overige baten"] - buig_b).to_numpy(),
        "buig_baten": buig_b.clip(lower=0).to_numpy(),
        "buig_lasten": buig_l.clip(lower=0).to_numpy(),
        "siudu": circ.fixed_items.sum(axis=1).to_numpy(),
        "algemene reserve": reserves["algemene reserve"].to_numpy(),
        "bestemmingsreserves": reserves["bestemmingsreserves"].to_numpy(),
        "inhabitants": circ.municipalities["inhabitants"].reindex(codes).to_numpy(),
    }
    for a in arrays.values():
        a.setflags(write=False)
    gap_known = bool(gap.notna().any())
    return BudgetBase(base, lasten, baten, reserves, alloc, planned, gap.fillna(0.0).to_numpy(),
                      year - 2 if gap_known else None, kengetallen, structural.fillna(0.0).to_numpy(),
                      tuple(structural.index[structural.isna()]), he, MappingProxyType(arrays))


def base_kengetallen(document: str, year: int) -> pd.DataFrame | None:
    """The BBV kengetallen of a base begroting for its own year (2020–2025 in the data), per CBS
    code; None for a jaarrekening base or a begroting without kengetallen. Among them the
    structurele exploitatieruimte (structural baten − structural lasten, with structural reserve
    mutations, ÷ total baten) that artikel 12 and the response read."""
    from .. import iv3
    from ..errors import InputError

    if document != "begroting":
        return None
    try:
        k, _ = iv3.load_kengetallen(year)
    except InputError:
        return None
    return k


def ingroei_suppletie(ingroei: Ingroei | None, circ, years: Sequence[int], he: np.ndarray | None = None) -> np.ndarray:
    """The ingroei suppletie (gemfin.ingroei) per municipality of ``circ`` and year (euros; G ×
    len(years)), zeros without ``budget.ingroei``: the herverdeeleffect revealed by the source
    circulaire (``he``, in the order of ``circ``'s municipalities, if known: it is data only), in
    euros of that circulaire, capped at each year's cumulative cap times the inhabitants of ``circ``."""
    codes = circ.volumes.index
    out = np.zeros((len(codes), len(years)))
    if ingroei is None:
        return out
    he = herverdeeleffect(ingroei, circ) if he is None else he
    from ..ingroei import suppletie

    inw = circ.municipalities["inhabitants"].reindex(codes).to_numpy(dtype=float)
    for k, y in enumerate(years):
        out[:, k] = suppletie(he, inw, ingroei.cap(y))
    return out


def herverdeeleffect(ingroei: Ingroei, circ) -> np.ndarray:
    """The herverdeeleffect that ``ingroei.from``'s suppletie reveals, per municipality of ``circ``."""
    from ..ingroei import herverdeeleffect as published

    he = published(ingroei.from_)
    codes = circ.volumes.index
    missing = [c for c in codes if c not in he.index]
    if missing:
        raise DataError(f"budget.ingroei: circulaire {ingroei.from_} has no herverdeeleffect for {missing[:10]} "
                        f"of circulaire {circ.id} (another municipal division)")
    return he["he"].reindex(codes).to_numpy(dtype=float)
