"""The gemeentefonds as booked: a stand-in for the verdeelmodel in base years whose circulaire
is not public.

Before uitkeringsjaar 2023 the legacy verdeelmodel applied, and its bedragen are not in the
data. For a base year of 2017–2022 (or any filing with ``rijk`` in the data) gemfin takes each
municipality's gemeentefonds as its begroting or jaarrekening booked it: Iv3 ``rijk``, the
algemene uitkering with the integratie- and decentralisatie-uitkeringen (for the begroting
2024 it matches AU + SIUDU of M2023_2024 to a median 1.9%; data/finance/SOURCES.md). It takes
the shape of a :class:`~gemfin.circulaire.Circulaire` with one maatstaf, ``rijk`` (euros, a
bedrag of 1 per euro, uitkeringsfactor 1), so the engine projects it like any circulaire: the
fund follows the scenario's national path and every municipality keeps its booked share
(AU_g,t = rijk_g × fund_t / fund_base).

Ids: ``B2020_2020`` = as booked in the begroting 2020, ``R2020_2020`` = in the jaarrekening
2020. A scenario asks for it with ``circulaire: booked`` and its ``budget.base``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .circulaire import CLUSTERS, Circulaire, read_circulaire
from .errors import DataError, InputError
from .municipalities import load_municipalities, size_class

KINDS = {"B": "begroting", "R": "jaarrekening"}
MAATSTAF = "rijk"
#: The cluster the booked amount is shown under: it is not split over clusters.
CLUSTER = "Overig"


def load_circulaire(circulaire_id: str, data: str | Path | None = None) -> Circulaire:
    """A shipped circulaire (``"S2024_2025"``) or a gemeentefonds as booked (``"B2020_2020"``);
    this is ``gemfin.load_circulaire``."""
    if is_booked(circulaire_id):
        return load_booked(circulaire_id, data)
    return read_circulaire(circulaire_id, data)


def booked_id(document: str, year: int) -> str:
    """``("begroting", 2020)`` → ``"B2020_2020"``."""
    kind = {v: k for k, v in KINDS.items()}.get(document)
    if kind is None:
        raise InputError(f"document {document!r}: expected 'begroting' or 'jaarrekening'")
    return f"{kind}{int(year)}_{int(year)}"


def is_booked(circulaire_id: str) -> bool:
    return isinstance(circulaire_id, str) and circulaire_id[:1] in KINDS


def available() -> list[str]:
    """Every booked id the data can give."""
    from .iv3.history import SUMMARY_FILINGS

    return [booked_id(doc, y) for doc, years in SUMMARY_FILINGS.items() for y in years]


def load_booked(circulaire_id: str, data: str | Path | None = None) -> Circulaire:
    """The booked gemeentefonds of one filing as a :class:`Circulaire` (module docstring)."""
    from .iv3.history import summary_filing

    if circulaire_id not in available():
        raise InputError(f"no booked gemeentefonds {circulaire_id!r}; available: {available()}")
    document, year = KINDS[circulaire_id[0]], int(circulaire_id[1:5])
    filing, filled = summary_filing(document, year, data)
    division = load_municipalities(year, data)
    missing = [g for g in division.index if g not in filing.index or not np.isfinite(filing.loc[g, "rijk"])]
    if missing:
        raise DataError(f"Iv3 {document} {year}: no gemeentefonds booked (rijk) for {missing[:10]}; "
                        "no earlier filing to fill it from")
    rijk = filing.loc[division.index, "rijk"].astype(float)
    if (rijk <= 0).any():
        bad = rijk[rijk <= 0]
        raise DataError(f"Iv3 {document} {year}: the booked gemeentefonds (rijk) of {bad.index[0]} is {bad.iloc[0]:,.0f} "
                        "euros; expected a positive amount")
    inhabitants = filing.loc[division.index, "inhabitants"].astype(float)
    municipalities = pd.DataFrame({"name": division["name"], "province": division["province"],
                                   "inhabitants": inhabitants, "size_class": size_class(inhabitants)})
    volumes = pd.DataFrame({MAATSTAF: rijk}, index=division.index.rename("gemeente"))
    volumes.columns.name = "maatstaf"
    rates = pd.DataFrame(0.0, index=pd.Index([MAATSTAF], name="maatstaf"), columns=list(CLUSTERS))
    rates.loc[MAATSTAF, CLUSTER] = 1.0
    rates.columns.name = "cluster"
    maatstaven = pd.DataFrame({"name": [f"gemeentefonds as booked in the {document} {year} (Iv3 rijk, incl. IU and DU)"],
                               "is_ozb": [False], "bedrag": [1.0]}, index=rates.index)
    items = pd.DataFrame(index=division.index.rename("gemeente"), columns=pd.Index([], name="uitkering"), dtype=float)
    circ = Circulaire(id=circulaire_id, municipalities=municipalities, volumes=volumes, rates=rates,
                      maatstaven=maatstaven, uitkeringsfactor=1.0, fixed_items=items,
                      fixed_item_types=pd.Series([], dtype=object, name="type"), source_dir=Path("."))
    circ.municipalities.attrs["filled"] = filled
    return circ
