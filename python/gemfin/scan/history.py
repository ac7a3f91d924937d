"""The fund against the cost of tasks over time, nationally and per cluster, 2017–2025.

For each begroting 2017–2025 and jaarrekening 2017–2022: the gemeentefonds (as the filings
booked it on taakveld 0.7, ``rijk``, where the Iv3 summary has it; the circulaire the begroting
was built on for 2025, whose taakveld file has no 0.7 rows), the netto lasten and the lasten
(every taakveld but 0.7, 0.10 and 0.11), in euros of the year and in euros of 2025 (CPI,
``data/prices/cpi.csv``), with their growth on the year before. Per cluster: netto lasten and
lasten of every filing, and the allocation per cluster for the years with a circulaire.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._datadir import data_dir
from .._tables import derived_from_files
from ..circulaire import CLUSTERS
from ..errors import DataError
from .netto_lasten import DEFAULT_OVERHEAD, filings, netto_lasten

#: The circulaire a begroting without booked fund is compared with: the meicirculaire of the
#: year before, which the begroting was built on.
BEGROTING_CIRCULAIRE = {2025: "M2024_2025"}
#: Circulaires whose allocation per cluster is set beside the begroting of their uitkeringsjaar.
CLUSTER_CIRCULAIRES = {2024: "M2023_2024", 2025: "M2024_2025"}
BASE_PRICE_YEAR = 2025


def cpi_changes(data: str | Path | None = None) -> pd.Series:
    """The CPI's change per year (fractions, 0.033 = 3.3%) from ``data/prices/cpi.csv``, checked:
    consecutive years that reach :data:`BASE_PRICE_YEAR`, a value in every row."""
    path = data_dir(data) / "prices" / "cpi.csv"
    if not path.is_file():
        raise DataError(f"{path}: the price index is missing")
    cpi = pd.read_csv(path)
    if list(cpi.columns) != ["year", "cpi_change_percent"] or cpi.isna().any().any():
        raise DataError(f"{path}: expected columns year, cpi_change_percent with a value in every row")
    years = cpi["year"].astype(int).tolist()
    if years != list(range(years[0], years[-1] + 1)) or BASE_PRICE_YEAR not in years:
        raise DataError(f"{path}: expected consecutive years up to {BASE_PRICE_YEAR}, got {years}")
    return pd.Series(cpi["cpi_change_percent"].to_numpy() / 100.0, index=pd.Index(years, name="year"),
                     name="cpi change")


def price_index(data: str | Path | None = None) -> pd.Series:
    """CPI level per year, 1 in :data:`BASE_PRICE_YEAR`, from ``data/prices/cpi.csv``."""
    change = cpi_changes(data)
    s = pd.Series((1.0 + change.to_numpy()).cumprod(), index=change.index, name="cpi")
    return s / s.loc[BASE_PRICE_YEAR]


@dataclass(frozen=True)
class FundHistory:
    """national: index (document, year); columns fund, netto_lasten, lasten (EUR mln), the same
    in 2025 prices (``… 2025 prices``), and growth on the year before (fractions).
    by_cluster: index (document, year, cluster); netto_lasten, lasten, allocation (EUR mln;
    allocation only where a circulaire is shipped). notes: sources per row."""

    national: pd.DataFrame
    by_cluster: pd.DataFrame
    notes: tuple[str, ...]

    @property
    def base_price_year(self) -> int:
        return BASE_PRICE_YEAR

    def growth_table(self, document: str = "begroting") -> pd.DataFrame:
        """Yearly growth of fund, lasten and netto lasten (percent), nominal and real."""
        n = self.national.xs(document, level="document")
        cols = {"fund growth": "fund", "lasten growth": "lasten", "netto lasten growth": "netto lasten",
                "fund growth real": "fund real", "lasten growth real": "lasten real",
                "netto lasten growth real": "netto lasten real"}
        out = pd.DataFrame(100.0 * n[list(cols)])
        return out.rename(columns=cols).dropna(how="all")

    def plot(self, document: str = "begroting", ax=None):
        """Fund, lasten and netto lasten in 2025 prices (EUR bn) per year."""
        from .plots import history_plot

        return history_plot(self, document, ax=ax)

    def _repr_html_(self) -> str:
        from .. import repr_html

        return repr_html.fields("gemfin FundHistory", [
            ("Filings", f"{len(self.national)} ({', '.join(sorted(set(self.national.index.get_level_values(0))))})"),
            ("Prices", f"euros of the year and of {BASE_PRICE_YEAR} (CPI)"),
        ]) + repr_html.frame(self.growth_table().round(1), digits=1)


def fund_history(*, overhead: str = DEFAULT_OVERHEAD, data: str | Path | None = None) -> FundHistory:
    """The :class:`FundHistory` of every filing in the data (see the module docstring)."""
    root = data_dir(data)
    files = sorted((root / "finance").glob("*.csv")) + [root / "prices" / "cpi.csv"]
    return derived_from_files(files, ("fund_history", overhead), lambda: _build(overhead, data))


def _booked_fund(data) -> pd.Series:
    from ..iv3.panel import InformationSet, load_panel

    panel = load_panel(InformationSet.everything(), data)
    return panel.groupby(["document", "year"])["rijk"].sum(min_count=1)


def _build(overhead: str, data) -> FundHistory:
    from ..allocation import allocate
    from ..booked import load_circulaire
    from .cluster_allocation import allocation_by_cluster

    cpi = price_index(data)
    booked = _booked_fund(data)
    rows, clusters, notes = {}, {}, []
    for kind, year in filings():
        nl = netto_lasten((kind, year), overhead=overhead, data=data)
        fund = booked.get((kind, year), np.nan)
        if not np.isfinite(fund) and kind == "begroting" and year in BEGROTING_CIRCULAIRE:
            cid = BEGROTING_CIRCULAIRE[year]
            fund = float(allocate(load_circulaire(cid, data)).gemeentefonds.sum())
            notes.append(f"begroting {year}: fund from circulaire {cid} (its taakveld file has no 0.7 rows)")
        if not np.isfinite(fund):
            notes.append(f"{kind} {year}: no fund in the data (its taakveld file has no 0.7 rows); left out")
            continue
        rows[(kind, year)] = {"fund": fund, "netto_lasten": nl.by_cluster.to_numpy().sum(),
                              "lasten": nl.lasten[list(CLUSTERS)].to_numpy().sum()}
        part = pd.DataFrame({"netto_lasten": nl.by_cluster.sum(), "lasten": nl.lasten[list(CLUSTERS)].sum()})
        part["allocation"] = np.nan
        if kind == "begroting" and year in CLUSTER_CIRCULAIRES:
            alloc, _ = allocation_by_cluster(allocate(load_circulaire(CLUSTER_CIRCULAIRES[year], data)))
            part["allocation"] = alloc.sum()
        clusters[(kind, year)] = part
    nat = pd.DataFrame.from_dict(rows, orient="index") / 1e6
    nat.index = pd.MultiIndex.from_tuples(nat.index, names=["document", "year"])
    nat = nat.sort_index()
    years = nat.index.get_level_values("year")
    deflator = cpi.reindex(years).to_numpy()
    if np.isnan(deflator).any():
        raise DataError(f"data/prices/cpi.csv has no CPI for years {sorted(set(years[np.isnan(deflator)]))}")
    for c in ("fund", "netto_lasten", "lasten"):
        nat[f"{c} {BASE_PRICE_YEAR} prices"] = nat[c].to_numpy() / deflator
    for doc in set(nat.index.get_level_values("document")):
        sub = nat.xs(doc, level="document")
        for c in ("fund", "netto_lasten", "lasten"):
            g = sub[c] / sub[c].shift(1) - 1.0
            gr = sub[f"{c} {BASE_PRICE_YEAR} prices"] / sub[f"{c} {BASE_PRICE_YEAR} prices"].shift(1) - 1.0
            name = c.replace("_", " ")
            nat.loc[(doc, slice(None)), f"{name} growth"] = g.to_numpy()
            nat.loc[(doc, slice(None)), f"{name} growth real"] = gr.to_numpy()
    by = pd.concat(clusters, names=["document", "year", "cluster"]) / 1e6
    return FundHistory(nat, by, tuple(notes))
