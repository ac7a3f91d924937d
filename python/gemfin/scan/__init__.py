"""Does the fund follow the cost of tasks? The scan of the Periodiek Onderhoudsrapport.

- :func:`balance`: allocation per cluster against netto lasten per municipality, with the fit
  measures (:mod:`.fit`) nationally and by group;
- :func:`fund_history`: the fund against lasten and netto lasten 2017–2025;
- :func:`netto_lasten`: netto lasten per cluster of one filing, through the taakveld → cluster
  table (:mod:`.mapping`, ``data/finance/taakveld_clusters.csv``).

Definitions and sources: docs/fund-balance.md.
"""

from __future__ import annotations

from .cluster_allocation import allocation_by_cluster
from .history import FundHistory, fund_history
from .netto_lasten import NettoLasten, filings, netto_lasten
from .result import Balance, balance, balance_of

__all__ = ["Balance", "FundHistory", "NettoLasten", "allocation_by_cluster", "balance", "balance_of", "filings",
           "fund_history", "netto_lasten"]
