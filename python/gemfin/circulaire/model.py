"""What a circulaire holds (:class:`Circulaire`: maatstaven, bedragen per eenheid, the amounts
outside the uitkeringsfactor) and the names the verdeelmodel gives its parts: the 12 clusters,
the OZB maatstaven, the kinds of fixed items."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..municipalities import size_class
from .ids import _BOOKED_ID

#: The 12 clusters of the herijkt model (docs/domain.md §3.1), in the order of the rekenbestanden.
CLUSTERS: tuple[str, ...] = (
    "Sociale basisvoorzieningen",
    "Participatie",
    "Individuele voorzieningen Wmo",
    "Individuele voorzieningen Jeugd",
    "Bestuur en ondersteuning",
    "Orde en veiligheid",
    "Onderwijs",
    "Sport, cultuur en recreatie",
    "Infrastructuur, ruimte en milieu",
    "Overig",
    "Overige eigen middelen",
    "Onroerendezaakbelasting",
)

#: Integratie-uitkeringen among the SIUDU columns; the other named columns are classified by
#: the rules in :func:`classify_fixed_item`.
INTEGRATIE_UITKERINGEN = frozenset({"Beschermd wonen", "Participatie", "Voogdij/18+"})

def is_ozb_maatstaf(code: str) -> bool:
    """The three OZB maatstaven (WOZwe80, WOZnwe70, WOZnwg70) carry a rekentarief per euro of
    corrected WOZ value and stay outside the uitkeringsfactor (docs/domain.md §2.1)."""
    return code.upper().startswith("WOZ")


def classify_fixed_item(name: str) -> str:
    """Type of a SIUDU column: IU, DU, suppletie, herindeling or artikel 12."""
    lowered = name.lower()
    if name in INTEGRATIE_UITKERINGEN:
        return "IU"
    if lowered.startswith("art.12") or lowered.startswith("artikel 12"):
        return "artikel 12"
    if lowered.startswith("herindeling"):
        return "herindeling"
    if lowered.startswith("suppletie"):
        return "suppletie"
    return "DU"


@dataclass(frozen=True)
class Circulaire:
    """Verdeelmodel inputs of one circulaire and uitkeringsjaar (see the module docstring).

    Attributes:

    - ``id``: e.g. ``"S2024_2025"``; ``circulaire`` ``"S2024"``; ``uitkeringsjaar`` 2025.
    - ``municipalities``: index CBS code (``GM0014``); columns name, province, inhabitants (the
      ``inwo`` volume of this circulaire), size_class.
    - ``volumes``: index CBS code; one column per maatstaf, in the row order of ``rates``.
    - ``rates``: bedragen per eenheid (EUR per unit before the uitkeringsfactor; for the OZB
      maatstaven a rekentarief per euro WOZ), index maatstaf code, one column per cluster.
    - ``maatstaven``: index maatstaf code; columns name, is_ozb, bedrag (published total).
    - ``uitkeringsfactor``: the published uitkeringsfactor, or None if the circulaire has none.
    - ``fixed_items``: euro amounts outside the uitkeringsfactor, index CBS code, one column per item.
    - ``fixed_item_types``: item name → IU, DU, suppletie, herindeling or artikel 12.
    """

    id: str
    municipalities: pd.DataFrame
    volumes: pd.DataFrame
    rates: pd.DataFrame
    maatstaven: pd.DataFrame
    uitkeringsfactor: float | None
    fixed_items: pd.DataFrame
    fixed_item_types: pd.Series
    source_dir: Path = field(repr=False, compare=False, default=Path("."))
    proposal: str | None = None  # name of the reform proposal applied to these inputs, if any

    @property
    def label(self) -> str:
        """The id, and the proposal applied if any: ``S2024_2025 + 'Jeugd: …'``."""
        return self.id + (f" + {self.proposal!r}" if self.proposal else "")

    @property
    def circulaire(self) -> str:
        return self.id.split("_")[0]

    @property
    def uitkeringsjaar(self) -> int:
        return int(self.id.split("_")[1])

    @property
    def is_booked(self) -> bool:
        """The gemeentefonds as booked in an Iv3 filing (:mod:`gemfin.booked`), not a circulaire."""
        return bool(_BOOKED_ID.match(self.id))

    @property
    def ozb_mask(self) -> np.ndarray:
        return self.maatstaven["is_ozb"].to_numpy(dtype=bool)

    def with_rates(self, rates: pd.DataFrame, volumes: pd.DataFrame | None = None,
                   maatstaven: pd.DataFrame | None = None, proposal: str | None = None) -> "Circulaire":
        """A copy with other bedragen per eenheid (and optionally volumes/maatstaven), made by
        ``proposal`` if given."""
        return Circulaire(
            id=self.id,
            municipalities=self.municipalities,
            volumes=self.volumes if volumes is None else volumes,
            rates=rates,
            maatstaven=self.maatstaven if maatstaven is None else maatstaven,
            uitkeringsfactor=self.uitkeringsfactor,
            fixed_items=self.fixed_items,
            fixed_item_types=self.fixed_item_types,
            source_dir=self.source_dir,
            proposal=self.proposal if proposal is None else proposal,
        )

    def in_indeling(self, year: int) -> "Circulaire":
        """The same circulaire in the municipal division of 1 January ``year``: the volumes and
        SIUDU amounts of municipalities that merged up to then are summed into their successor
        (``data/municipalities/herindelingen.csv``). The algemene uitkering is linear in the
        volumes, so the successor gets exactly the sum of its parts' allocations. The
        meicirculaire 2022 lists Brielle, Hellevoetsluis and Westvoorne; in the 2023 division
        they are Voorne aan Zee."""
        from ..municipalities import load_municipalities, to_indeling

        division = load_municipalities(year)
        if set(self.municipalities.index) == set(division.index):
            return self
        volumes = to_indeling(self.volumes, year)
        items = to_indeling(self.fixed_items, year)
        missing = sorted(set(division.index) - set(volumes.index))
        if missing:
            raise InputError(f"circulaire {self.id} has no municipality that becomes {missing[:10]} by 1 January {year}")
        inhabitants = volumes["inwo"] if "inwo" in volumes else to_indeling(self.municipalities["inhabitants"], year)
        municipalities = pd.DataFrame({"name": division["name"], "province": division["province"],
                                       "inhabitants": inhabitants.reindex(division.index),
                                       "size_class": size_class(inhabitants.reindex(division.index))})
        municipalities.attrs["indeling"] = f"1 January {year} (predecessors summed)"
        return Circulaire(id=self.id, municipalities=municipalities, volumes=volumes.loc[division.index],
                          rates=self.rates, maatstaven=self.maatstaven, uitkeringsfactor=self.uitkeringsfactor,
                          fixed_items=items.loc[division.index], fixed_item_types=self.fixed_item_types,
                          source_dir=self.source_dir, proposal=self.proposal)

    def __repr__(self) -> str:
        return (
            f"Circulaire({self.id!r}: {len(self.municipalities)} municipalities, "
            f"{len(self.rates)} maatstaven, {len(self.fixed_items.columns)} SIUDU items, "
            f"UF {self.uitkeringsfactor})"
        )

    def _repr_html_(self) -> str:
        from .. import repr_html

        kinds = self.fixed_item_types.value_counts()
        return repr_html.fields(f"gemfin Circulaire {self.id}", [
            ("Circulaire", self.circulaire),
            ("Uitkeringsjaar", self.uitkeringsjaar),
            ("Municipalities", len(self.municipalities)),
            ("Inhabitants", f"{self.municipalities['inhabitants'].sum():,.0f}"),
            ("Maatstaven", f"{len(self.rates)} ({int(self.ozb_mask.sum())} OZB)"),
            ("Published uitkeringsfactor", self.uitkeringsfactor),
            ("SIUDU items", ", ".join(f"{v} {k}" for k, v in kinds.items())),
            ("SIUDU total", f"EUR {self.fixed_items.to_numpy().sum() / 1e9:,.3f} bn"),
        ])

def maatstaven_table(circ: Circulaire) -> pd.DataFrame:
    """The maatstaven a proposal or driver can name: code, name, the clusters with a bedrag,
    the bedrag per eenheid summed over clusters (EUR before the uitkeringsfactor; a rekentarief
    per euro WOZ for OZB) and the national volume (Σ over municipalities)."""
    rates = circ.rates
    clusters = [", ".join(c for c in rates.columns if rates.loc[m, c] != 0) for m in rates.index]
    return pd.DataFrame({
        "code": rates.index, "name": circ.maatstaven["name"].reindex(rates.index).to_numpy(),
        "clusters": clusters, "bedrag per eenheid (EUR)": rates.sum(axis=1).to_numpy(),
        "national volume": circ.volumes[rates.index].sum().to_numpy(),
    })
