"""gemfin: the finances of every Dutch municipality -- gemeentefonds allocation, reform
proposals and (in later modules) Monte Carlo stress tests.

Quick start::

    import gemfin
    circ = gemfin.load_circulaire("S2024_2025")
    alloc = gemfin.allocate(circ)
    alloc.by_cluster.loc["GM0014"]          # Groningen, euros per cluster
"""

from __future__ import annotations

from .allocation import Allocation, allocate
from .compare import Comparison, compare
from .booked import load_circulaire
from .circulaire import CLUSTERS, Circulaire, circulaires, newest_circulaire
from .run.difference import Difference, difference
from .engine import simd_target, simd_targets
from .errors import DataError, GemfinError, GemfinWarning, InputError, ProposalError
from .municipalities import load_municipalities
from .proposal import Proposal, load_proposal, proposals
from .provenance import version as _version
from .scenario import Scenario, ScenarioError, load_scenario, scenarios
from .scan import Balance, FundHistory, balance, fund_history
from .run.simulation import SimulationResult, simulate

__version__ = _version()  # from the package metadata (pyproject.toml), the one version source

__all__ = [
    "Allocation",
    "Balance",
    "FundHistory",
    "balance",
    "fund_history",
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
