"""The base of a run: what it is built from that depends only on the data and on the
scenario's structural fields (gemfin.schema.scenario.STRUCTURAL_PATHS) — the circulaire after
its proposal, the uitkeringsbasis grouped by driver, the base budget, the base AU, the
kengetallen of the base filing and the notes on filled filings.

A base is built once (:func:`build_base`) and read, never changed, by any number of runs:
``simulate(scenario, base=base)`` for every variant of a scenario with the same structure (a
sensitivity batch does exactly that). A base built for another structure is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..circulaire import Circulaire, basis_by_group
from ..errors import InputError
from ..scenario import Scenario, as_scenario
from .budget_data import BudgetBase, budget_base


@dataclass(frozen=True, eq=False)
class Base:
    """See the module docstring. ``c_basis``/``c_ozb``: the uitkeringsbasis (and its OZB part)
    per municipality grouped by the driver that moves each maatstaf, the unmoved ones last;
    ``budget0``: the base year's AU budget (the base circulaire's own: a reform keeps it equal);
    ``budget``: the budget model's data (None without a budget section)."""

    structure: tuple
    circulaire: Circulaire
    c_basis: np.ndarray = field(repr=False)
    c_ozb: np.ndarray = field(repr=False)
    budget0: float
    budget: BudgetBase | None = field(repr=False)
    base_au: pd.Series = field(repr=False)
    fill_notes: tuple[str, ...] = ()

    def check(self, scenario: Scenario) -> None:
        """InputError unless ``scenario`` has the structure this base was built for."""
        if scenario.structure() != self.structure:
            raise InputError(f"base: built for a scenario of another structure than {scenario.name!r} (circulaire, "
                             "proposal, horizon, drivers' maatstaven, budget base or ingroei differ); build one with "
                             "gemfin.run.base.build_base(scenario), or leave base out")


def build_base(scenario) -> Base:
    """The :class:`Base` of ``scenario`` (a Scenario, a file or a shipped name)."""
    from ..allocation import allocate
    from ..booked import load_circulaire

    scen = as_scenario(scenario)
    circ = scen.prepared_circulaire()
    total_rate = circ.rates.sum(axis=1)
    moved = [d.maatstaven for d in scen.drivers.values()]
    c_basis = basis_by_group(circ, total_rate, moved, ozb=False)
    c_ozb = basis_by_group(circ, total_rate, moved, ozb=True)
    for a in (c_basis, c_ozb):
        a.setflags(write=False)
    budget0 = float(allocate(load_circulaire(scen.circulaire)).au_total)
    base_au = allocate(circ, au_budget=budget0).algemene_uitkering.rename("AU base")
    notes: tuple[str, ...] = ()
    data = None
    if scen.budget is not None:
        data = budget_base(scen.budget, circ)
        notes = tuple(_fill_notes(scen.budget.base.document, scen.budget.base.year, circ, data.base.filled))
    return Base(scen.structure(), circ, c_basis, c_ozb, budget0, data, base_au, notes)


def _fill_notes(document: str, year: int, circ, filled: pd.DataFrame) -> list[str]:
    return [f"{code} ({circ.municipalities.loc[code, 'name']}): {row['reason']} in the {document} {year}; "
            f"used the {row['used']}, lasten × {row['lasten_factor']:.4f}, baten × {row['baten_factor']:.4f}"
            for code, row in filled.iterrows() if code in circ.municipalities.index]
