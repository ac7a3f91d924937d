"""The shape of a base-year budget, shared by its two sources: the Iv3 taakveld files
(:mod:`gemfin.iv3`) and the Iv3 summary (:mod:`gemfin.iv3.history`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._datadir import data_dir
from .._tables import read_table
from ..errors import DataError

DOMAINS = ("Jeugd", "Wmo", "Participatie", "Overig")
#: Revenue lines. The last, "Belastingen (ongesplitst)", only a base from the Iv3 summary has: all
#: belastingen together (Iv3 categories 2.2.1 and 2.2.2), which the summary does not split by taakveld.
REVENUE_LINES = ("OZB woningen", "OZB niet-woningen", "Parkeerbelasting", "Overige belastingen", "Parkeren",
                 "Overige baten", "Belastingen (ongesplitst)")


def load_taakveld_domains(data: str | Path | None = None) -> pd.DataFrame:
    path = data_dir(data) / "finance" / "taakveld_domeinen.csv"
    t = read_table(path, sep=",")
    idx = {c: t.column_index(c) for c in ("taakveld", "domein", "baten_regel")}
    df = pd.DataFrame({k: [r[i] for r in t.rows] for k, i in idx.items()})
    bad = df[~df["domein"].isin(DOMAINS + ("uitgesloten",))]
    if len(bad):
        raise DataError(f"{path}: taakveld {bad['taakveld'].iloc[0]} has unknown domein {bad['domein'].iloc[0]!r}")
    bad = df[~df["baten_regel"].isin(REVENUE_LINES + ("uitgesloten",))]
    if len(bad):
        raise DataError(f"{path}: taakveld {bad['taakveld'].iloc[0]} has unknown baten_regel {bad['baten_regel'].iloc[0]!r}")
    if df["taakveld"].duplicated().any():
        raise DataError(f"{path}: taakveld {df.loc[df['taakveld'].duplicated(), 'taakveld'].iloc[0]} appears twice")
    return df.set_index("taakveld")


@dataclass(frozen=True)
class BaselineBudget:
    """Budget of the base year per municipality (euros): ``lasten`` per domain, ``baten`` per
    revenue line. ``missing`` lists municipalities of the division without data in any file,
    ``unmatched`` names in the file that match no CBS municipality, ``filled`` the
    municipalities whose missing or empty filing was filled from an earlier one
    (:func:`load_iv3_filled`)."""

    kind: str
    year: int
    lasten: pd.DataFrame
    baten: pd.DataFrame
    missing: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    filled: pd.DataFrame = field(default_factory=pd.DataFrame)
    buig_baten: pd.Series | None = None   # the BUIG proxy (docs/budget-model.md), euros
    buig_lasten: pd.Series | None = None
    source: str = "taakvelden"            # or "summary" (base years 2017–2022)
    rijk: pd.Series | None = None         # the gemeentefonds as booked (summary route only)
    lasten_taakveld: pd.DataFrame | None = None  # lasten per Iv3 taakveld (columns "1.1", …), euros
    revenue_lines_from: str | None = None  # summary route: whose shares split the own baten

    @property
    def saldo(self) -> pd.Series:
        """Exploitatiesaldo without the gemeentefonds: baten − lasten (excl. reserves)."""
        return (self.baten.sum(axis=1) - self.lasten.sum(axis=1)).rename("saldo excl. gemeentefonds")

    def national(self) -> pd.DataFrame:
        return pd.concat({"lasten": self.lasten.sum(), "baten": self.baten.sum()}).to_frame("euros")


