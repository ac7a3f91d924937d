"""The fund's path of a scenario, year by year, to set beside a circulaire's table: how each
year's accres is set, the accres itself, the policy mutations and the algemene uitkering's
budget, without uncertainty (every shock at its mean), with the source of each published figure.

    gemfin.fund_path("baseline")
"""

from __future__ import annotations

import os

import pandas as pd

from ..scenario import Scenario, as_scenario
from .compile import period_in_force


def fund_path(scenario: Scenario | str | os.PathLike = "baseline") -> pd.DataFrame:
    """Per output year (index ``year``): ``rule`` (how the accres is set: the period in force,
    else the fund's rule), ``accres`` (the growth of the budget before the year's mutations; NaN
    in a base year shown in front), ``mutations (EUR mln)``, ``of which for tasks (EUR mln)``
    (mutations with a ``task``: the councils' lasten of that domain rise with them),
    ``AU budget (EUR mln)`` and ``sources`` (of a published accres and of the year's mutations). The run is the scenario's
    deterministic one (:meth:`gemfin.Scenario.deterministic`)."""
    from .simulation import simulate

    scen = as_scenario(scenario)
    res = simulate(scen.deterministic(), paths=2, seed=1, progress=False)
    budget = res.budget["mean"]
    f = scen.fund
    rows = []
    previous = float(res.base_au.sum())
    for year in scen.years:
        mutations = [m for m in f.policy_mutations or [] if m.year == year]
        added = sum(float(m.amount) for m in mutations)
        period = period_in_force(f.periods, year) if f.periods else None
        sources = [m.source for m in mutations]
        if period is not None and period.rule == "published" and period.accres is not None:
            sources.insert(0, f"accres: {period.accres.source}")
        base_in_front = scen.base_year_first and year == scen.base_year
        rows.append({"year": year, "rule": "base year" if base_in_front else (period.rule if period else f.rule),
                     "accres": float("nan") if base_in_front else (budget[year] - added) / previous - 1.0,
                     "mutations (EUR mln)": added / 1e6,
                     "of which for tasks (EUR mln)": sum(float(m.amount) for m in mutations if m.task) / 1e6,
                     "AU budget (EUR mln)": budget[year] / 1e6,
                     "sources": "; ".join(sources)})
        previous = float(budget[year])
    out = pd.DataFrame(rows).set_index("year")
    out.attrs["scenario"] = scen.name
    return out
