"""gemfin: the finances of every Dutch municipality -- gemeentefonds allocation, reform
proposals and (in later modules) Monte Carlo stress tests.

Quick start::

    import gemfin
    circ = gemfin.load_circulaire("S2024_2025")
    alloc = gemfin.allocate(circ)
    alloc.by_cluster.loc["GM0014"]          # Groningen, euros per cluster
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .errors import DataError, GemfinError, GemfinWarning, InputError, ProposalError
from .provenance import version as _version

if TYPE_CHECKING:  # what the names below are, for type checkers and editors
    from .allocation import Allocation, allocate
    from .comparison import Comparison, compare
    from .booked import load_circulaire
    from .circulaire import CLUSTERS, Circulaire, circulaires, newest_circulaire
    from .run.difference import Difference, difference
    from .engine import simd_target, simd_targets
    from .municipalities import load_municipalities
    from .proposal import Proposal, load_proposal, proposals
    from .scenario import Scenario, ScenarioError, load_scenario, scenarios
    from .scan import Balance, FundHistory, balance, fund_history
    from .run.fund_path import fund_path
    from .run.simulation import SimulationResult, simulate

__version__ = _version()  # from the package metadata (pyproject.toml), the one version source

#: The public names and the module each comes from, imported on first use: ``import gemfin``
#: does not load pandas, pydantic or the compiled core until a name needs them.
_LAZY = {
    "Allocation": ".allocation",
    "Balance": ".scan",
    "CLUSTERS": ".circulaire",
    "Circulaire": ".circulaire",
    "Comparison": ".comparison",
    "Difference": ".run.difference",
    "FundHistory": ".scan",
    "Proposal": ".proposal",
    "Scenario": ".scenario",
    "ScenarioError": ".scenario",
    "SimulationResult": ".run.simulation",
    "allocate": ".allocation",
    "balance": ".scan",
    "circulaires": ".circulaire",
    "compare": ".comparison",
    "difference": ".run.difference",
    "fund_history": ".scan",
    "fund_path": ".run.fund_path",
    "load_circulaire": ".booked",
    "load_municipalities": ".municipalities",
    "load_proposal": ".proposal",
    "load_scenario": ".scenario",
    "newest_circulaire": ".circulaire",
    "proposals": ".proposal",
    "scenarios": ".scenario",
    "simd_target": ".engine",
    "simd_targets": ".engine",
    "simulate": ".run.simulation",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:  # a subpackage (gemfin.calibrate, gemfin.backtest, ...), imported on first use
        try:
            return importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module 'gemfin' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later uses skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "Allocation",
    "Balance",
    "FundHistory",
    "balance",
    "fund_history",
    "fund_path",
    "CLUSTERS",
    "Circulaire",
    "Comparison",
    "Difference",
    "difference",
    "Proposal",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "load_scenario",
    "simulate",
    "compare",
    "load_proposal",
    "proposals",
    "DataError",
    "GemfinError",
    "GemfinWarning",
    "InputError",
    "ProposalError",
    "allocate",
    "circulaires",
    "load_circulaire",
    "load_municipalities",
    "scenarios",
    "newest_circulaire",
    "simd_target",
    "simd_targets",
]
