"""Scenarios: declarative YAML descriptions of an uncertain future, validated on load.

Every parameter carries its source: either a number ``{value: 0.5, source: "..."}`` or a
distribution ``{distribution: normal, params: [0.0, 0.01], source: "..."}``; a source is a
citation or starts with ``assumption``. A parameter whose value changes by year is dated,
``{2026: {value: 15, source: "..."}, 2029: {value: 10, source: "..."}}``: each value holds from
its year until the next (``budget.ingroei.step``). Invalid files raise :class:`ScenarioError` listing
every problem, each with the path of the offending field
(``scenarios/x.yaml: drivers.bijstand.national.params: ...``).

The structure is declared in :mod:`gemfin.schema.scenario` (pydantic; JSON Schema in
``docs/schemas``, explained in ``docs/scenario-files.md``); this module checks what needs the
data and builds the :class:`Scenario`. In short (``scenarios/baseline.yaml`` is a complete,
commented example)::

    name: str                      # required
    description: str
    extends: other.yaml            # optional: start from another scenario, override fields
    circulaire: S2024_2025         # base circulaire (default: the newest shipped)
    horizon: 10                    # projection years after the base uitkeringsjaar (1–50)
    fund:
      rule: gdp | ngru             # accres linked to nominal GDP (2024→) or to central spending
      growth: {mean, persistence, start, shock,   # accres (ngru) or real GDP growth (gdp)
               history}                      # optional: growth before the base year (gdp window)
      price:  {mean, persistence, start, shock}   # GDP deflator (gdp only)
      policy_mutations: [{year, amount, source, task?}]  # euros added to the AU budget from that year on;
                                                       # task: the budget domain whose lasten rise with it
      periods: {YEAR: {rule, source}, ...}        # optional, gdp only: how the accres was set from
                                                  # YEAR on (trap_op_trap_af, fixed, frozen_volume, gdp)
    drivers:
      NAME: {maatstaven: [codes], national: DIST, municipal_sd: NUM, average_years: 1}
    correlation: [{between: [A, B], value: r, source}]   # A, B: growth, price or a driver

Maatstaven not assigned to a driver keep their base volume (areas, fixed amounts, ...).
"""

from __future__ import annotations

from ..errors import ScenarioError  # noqa: F401  (re-exported)
from .fields import set_field, values_at
from .load import as_scenario, load_scenario, scenarios
from .model import Scenario, scenario_from_dict
from .validate import correlated_names, output_years, validate_scenario_doc

__all__ = ["Scenario", "ScenarioError", "as_scenario", "correlated_names", "load_scenario", "output_years",
           "scenario_from_dict", "scenarios", "set_field", "validate_scenario_doc", "values_at"]
