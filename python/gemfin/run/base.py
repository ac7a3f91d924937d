"""The base of a run: what it is built from that depends only on the data and on the
scenario's structural fields (gemfin.schema.scenario.STRUCTURAL_PATHS) — the circulaire after
its proposal, the uitkeringsbasis grouped by driver, the base budget, the base AU, the
kengetallen of the base filing and the notes on filled filings.

A base is built once (:func:`build_base`) and read, never changed, by any number of runs:
``simulate(scenario, base=base)`` for every variant of a scenario with the same structure (a
sensitivity batch does exactly that). A base built for another structure is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from ..circulaire import Circulaire
from ..errors import InputError
from ..scenario import Scenario, as_scenario


@dataclass(frozen=True, eq=False)
class Base:
    """See the module docstring. ``inputs``: the structural parts of the core's inputs
    (Scenario.static_inputs), read-only."""

    structure: tuple
    circulaire: Circulaire
    inputs: Mapping[str, Any] = field(repr=False)
    base_au: pd.Series = field(repr=False)
    kengetallen: pd.DataFrame | None = field(repr=False, default=None)
    fill_notes: tuple[str, ...] = ()

    def check(self, scenario: Scenario) -> None:
        """InputError unless ``scenario`` has the structure this base was built for."""
        if scenario._structure() != self.structure:
            raise InputError(f"base: built for a scenario of another structure than {scenario.name!r} (circulaire, "
                             "proposal, horizon, drivers' maatstaven, budget base or ingroei differ); build one with "
                             "gemfin.run.base.build_base(scenario), or leave base out")


def build_base(scenario) -> Base:
    """The :class:`Base` of ``scenario`` (a Scenario, a file or a shipped name)."""
    from ..allocation import allocate

    scen = as_scenario(scenario)
    circ = scen.prepared_circulaire()
    static = scen.static_inputs(circ)
    base_au = allocate(circ, au_budget=static["budget0"]).algemene_uitkering.rename("AU base")
    kengetallen: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()
    if scen.budget is not None:
        kengetallen = _kengetallen(scen.budget)
        notes = tuple(_fill_notes(scen.budget, circ, static["budget_base"].base.filled))
    return Base(scen._structure(), circ, MappingProxyType(static), base_au, kengetallen, notes)


def _fill_notes(spec, circ, filled: pd.DataFrame) -> list[str]:
    return [f"{code} ({circ.municipalities.loc[code, 'name']}): {row['reason']} in the {spec.document} {spec.year}; "
            f"used the {row['used']}, lasten × {row['lasten_factor']:.4f}, baten × {row['baten_factor']:.4f}"
            for code, row in filled.iterrows() if code in circ.municipalities.index]


def _kengetallen(spec) -> pd.DataFrame | None:
    """The BBV kengetallen of the base begroting (2020–2025 in the data), else None."""
    from .. import iv3

    if spec.document != "begroting":
        return None
    try:
        k, _ = iv3.load_kengetallen(spec.year)
    except InputError:
        return None
    return k
