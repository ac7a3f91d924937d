"""The inputs of the verdeelmodel for one circulaire and uitkeringsjaar.

A circulaire id such as ``S2024_2025`` means: septembercirculaire 2024, uitkeringsjaar 2025
(``M`` = meicirculaire). Each one ships as three files in ``data/gemeentefonds``:

- ``GF_<id>_Volumina.csv``: the maatstaven (volumes) per municipality,
- ``GF_<id>_Gewichten.csv``: the bedragen per eenheid per cluster (before the uitkeringsfactor),
- ``GF_<id>_SIUDU.csv``: euro amounts outside the uitkeringsfactor (IU, DU, suppleties,
  herindeling, artikel 12),

plus ``Uitkeringsfactor.csv`` with the published uitkeringsfactor. Two file formats occur
(data/gemeentefonds/SOURCES.md): tab-separated in Dutch number notation, with maatstaven named by
code (M2023_2024 onwards), and comma-separated with dot decimals, maatstaven named by their full
name in the order of the Gewichten rows (M2022_2023). The loader tells them apart by the header
line and reads both into the same :class:`Circulaire`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ._datadir import data_dir
from ._tables import RawTable, derived_from_files, is_ascii_number, read_table
from .errors import DataError, InputError
from .municipalities import indeling_with_predecessors, size_class

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

#: Volume columns whose code differs from the Gewichten file (docs/domain.md §2.10: dropping this
#: mapping silently loses 342 × vast bedrag × UF ≈ EUR 0.48 bn).
VOLUME_CODE_ALIASES = {"vast nieuw": "vast"}

#: Maatstaf codes of the meicirculaire 2022 that later circulaires spell differently; the later
#: spelling is used so that scenarios and proposals name one code for each maatstaf.
MAATSTAF_CODE_ALIASES = {"cflandelijk": "cf.landelijk", "cflokaal": "cf.lokaal", "cfregionaal": "cf.regionaal"}

#: Cluster headers of the meicirculaire 2022, whose export replaced the comma by a dot.
CLUSTER_SPELLINGS = {"Sport. cultuur en recreatie": "Sport, cultuur en recreatie",
                     "Infrastructuur. ruimte en milieu": "Infrastructuur, ruimte en milieu"}

#: Integratie-uitkeringen among the SIUDU columns; the other named columns are classified by
#: the rules in :func:`classify_fixed_item`.
INTEGRATIE_UITKERINGEN = frozenset({"Beschermd wonen", "Participatie", "Voogdij/18+"})

# Published rounding of the bedragen: the cluster parts are rounded to cents separately, so
# their sum may differ from the printed total by a few cents (max seen: 0.01).
_TOTAAL_TOLERANCE = 0.05

# Plausibility bounds: a damaged cell (a misplaced decimal separator, 1e30, a pasted total) is
# refused rather than allocated. Each bound is far outside what the seven shipped circulaires
# hold, and inside what a real value could be (docs/data-checks.md).
#: A municipality's volume per inhabitant, as a multiple of the volume per inhabitant of all
#: other municipalities together (leaving itself out, so one damaged cell cannot raise its own
#: yardstick). Largest shipped: 2,118 (the Wadden maatstaf 'wad1' of a Wadden island).
MAX_VOLUME_RATIO = 10_000.0
#: A municipality's inhabitants as a share of all other municipalities' together. Largest
#: shipped: 0.055 (Amsterdam).
MAX_INHABITANT_SHARE = 0.2
#: A single IU/DU/suppletie amount of one municipality, EUR per inhabitant. Largest shipped: 890;
#: the whole gemeentefonds is about EUR 2,300 per inhabitant.
MAX_ITEM_PER_INHABITANT = 10_000.0
#: A maatstaf's national amount (bedrag per eenheid × national volume) before the
#: uitkeringsfactor, EUR. The algemene uitkering as a whole is about 40 bn (about 28 bn before
#: the uitkeringsfactor); the largest single maatstaf shipped is inwoners, about 5 bn.
MAX_MAATSTAF_AMOUNT = 100e9

_ID = re.compile(r"^([MSD])(\d{4})_(\d{4})$")
_BOOKED_ID = re.compile(r"^([BR])(\d{4})_(\d{4})$")  # gemfin.booked: the fund as an Iv3 filing booked it


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
        from .municipalities import load_municipalities, to_indeling

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
        from . import repr_html

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


def parse_circulaire_id(circulaire_id: str) -> tuple[str, int, int]:
    """``"S2024_2025"`` → (``"S"``, 2024, 2025); a malformed id is an InputError."""
    if not isinstance(circulaire_id, str):
        raise InputError(f"circulaire id must be a string like 'S2024_2025', got {circulaire_id!r}")
    m = _ID.match(circulaire_id) or _BOOKED_ID.match(circulaire_id)
    if not m:
        raise InputError(
            f"circulaire id {circulaire_id!r} is not of the form <M|S|D><year>_<uitkeringsjaar>, "
            "e.g. 'S2024_2025'"
        )
    return m.group(1), int(m.group(2)), int(m.group(3))


def _sort_key(circulaire_id: str) -> tuple[int, int, int]:
    kind, year, uj = parse_circulaire_id(circulaire_id)
    return (uj, year, "MSDBR".index(kind))


def circulaires(data: str | Path | None = None) -> list[str]:
    """The shipped circulaire ids, oldest first (by uitkeringsjaar, then publication)."""
    folder = data_dir(data) / "gemeentefonds"
    try:  # listed once per state of the folder (a file added or removed changes its mtime)
        return list(_listed(str(folder), folder.stat().st_mtime_ns))
    except OSError:
        return []


@lru_cache(maxsize=8)
def _listed(folder_name: str, mtime_ns: int) -> tuple[str, ...]:
    folder = Path(folder_name)
    ids = set()
    for p in folder.glob("GF_*_Volumina.csv"):
        cid = p.name[len("GF_"):-len("_Volumina.csv")]
        if _ID.match(cid):
            ids.add(cid)
    return tuple(sorted(ids, key=_sort_key))


def newest_circulaire(data: str | Path | None = None) -> str:
    ids = circulaires(data)
    if not ids:
        raise DataError(f"no circulaires found in {data_dir(data) / 'gemeentefonds'}")
    return ids[-1]


def _published_uitkeringsfactor(folder: Path, circulaire_id: str) -> float | None:
    kind, year, uj = parse_circulaire_id(circulaire_id)
    table = read_table(folder / "Uitkeringsfactor.csv", sep=",")
    ci, ji, ui = (table.column_index(c) for c in ("Circulaire", "Jaar", "Uitkeringsfactor"))
    for row, lineno in zip(table.rows, table.line_numbers):
        if row[ci] == f"{kind}{year}" and row[ji] == str(uj):
            try:
                uf = float(row[ui])
            except ValueError:
                raise DataError(
                    f"{table.path}, line {lineno}, column 'Uitkeringsfactor': {row[ui]!r} is not a number"
                ) from None
            if not np.isfinite(uf) or uf <= 0:
                raise DataError(f"{table.path}, line {lineno}: uitkeringsfactor {uf} must be positive")
            return uf
    return None


def _file_format(path: Path) -> tuple[str, str]:
    """(separator, number notation) of a circulaire file, from its header line: a tab means the
    Dutch-notation export, otherwise the comma-separated one with dot decimals."""
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    with path.open(encoding="utf-8-sig", errors="replace") as f:
        first = f.readline()
    return ("\t", "dutch") if "\t" in first else (",", "plain")


def _read(path: Path) -> tuple[RawTable, str]:
    sep, notation = _file_format(path)
    table = read_table(path, sep=sep)
    header = [CLUSTER_SPELLINGS.get(h, h) for h in table.header]
    # A copy with the normalised header: the cached table is shared and must not change.
    return RawTable(table.path, header, table.rows, table.line_numbers), notation


def _maatstaf_name(name: str) -> str:
    """A maatstaf name as compared between the Gewichten and Volumina files of M2022_2023,
    which write 'oppervlakte' and 'oppervlak' for the same maatstaf."""
    n = " ".join(name.lower().replace("∗", "*").split())
    return n.replace("oppervlakte ", "oppervlak ")


def _read_gewichten(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    table, notation = _read(path)
    code_i = table.column_index("Codering maatstaf")
    name_i = table.column_index("Naam maatstaf")
    cluster_i = [table.column_index(c) for c in CLUSTERS]
    total_i = table.column_index("Totaal")
    # Only coded rows are bedragen per eenheid. The uncoded rows at the bottom (weight 1.00 for
    # 'herindeling', 'beschermd wonen', ...) are the upstream author's mapping of SIUDU items to
    # clusters, not BZK data (data/gemeentefonds/SOURCES.md).
    coded = [i for i, r in enumerate(table.rows) if r[code_i] != ""]
    sub = RawTable(table.path, table.header, [table.rows[i] for i in coded],
                   [table.line_numbers[i] for i in coded])
    codes = [MAATSTAF_CODE_ALIASES.get(r[code_i], r[code_i]) for r in sub.rows]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise DataError(f"{path}: maatstaf code(s) {dupes} appear more than once in 'Codering maatstaf'")
    rates = np.column_stack([sub.numbers(i, what="bedrag per eenheid", notation=notation) for i in cluster_i])
    totals = sub.numbers(total_i, what="bedrag per eenheid", notation=notation)
    gap = np.abs(rates.sum(axis=1) - totals)
    bad = np.flatnonzero(gap > _TOTAAL_TOLERANCE)
    if bad.size:
        i = int(bad[0])
        raise DataError(
            f"{path}, line {sub.line_numbers[i]}, maatstaf {codes[i]!r}: the cluster amounts add up "
            f"to {rates[i].sum():.6f} but 'Totaal' is {totals[i]:.6f}; expected them to agree "
            f"within {_TOTAAL_TOLERANCE}"
        )
    rates_df = pd.DataFrame(rates, index=pd.Index(codes, name="maatstaf"), columns=list(CLUSTERS))
    rates_df.columns.name = "cluster"
    meta = pd.DataFrame(
        {
            "name": [r[name_i] for r in sub.rows],
            "is_ozb": [is_ozb_maatstaf(c) for c in codes],
            "bedrag": totals,
        },
        index=rates_df.index,
    )
    return rates_df, meta


def _read_volumina(path: Path, uitkeringsjaar: int, root: Path,
                   meta: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """Volumes with CBS-code index in the order of the division; also the circulaire's names
    and that division (the one of 1 January of the uitkeringsjaar, or, for a file prepared
    before a merger of that date, with the predecessors instead of the merged municipality)."""
    rate_codes = list(meta.index)
    table, notation = _read(path)
    cbs_i = table.column_index("CBS")
    name_i = table.column_index("Naam")
    table.column_index("Prov")
    codes = []
    for row, lineno in zip(table.rows, table.line_numbers):
        raw = row[cbs_i]
        if not is_ascii_number(raw):
            raise DataError(f"{path}, line {lineno}, column 'CBS': {raw!r} is not a CBS municipality number")
        codes.append(f"GM{int(raw):04d}")
    seen: dict[str, int] = {}
    for code, lineno in zip(codes, table.line_numbers):
        if code in seen:
            raise DataError(f"{path}, line {lineno}: municipality {code} appears twice (first on line {seen[code]})")
        seen[code] = lineno
    expected = indeling_with_predecessors(uitkeringsjaar, codes, root)
    missing = sorted(set(expected.index) - set(codes))
    unknown = sorted(set(codes) - set(expected.index))
    if missing or unknown or len(codes) != len(expected):
        raise DataError(
            f"{path}: expected the {len(expected)} municipalities of the {expected.attrs.get('indeling', '')} "
            f"indeling, found {len(codes)}; missing {missing[:10]}, unknown {unknown[:10]}"
        )
    columns = [j for j, col in enumerate(table.header) if j not in (cbs_i, name_i) and col != "Prov"]
    by_code = {VOLUME_CODE_ALIASES.get(table.header[j], table.header[j]): j for j in columns}
    absent = [c for c in rate_codes if c not in by_code]
    if len(absent) > len(rate_codes) // 2 and len(columns) == len(rate_codes):
        # Columns named by the maatstaf's full name (M2022_2023): matched by position with the
        # Gewichten rows, and each name must agree with that row's name.
        for j, code in zip(columns, rate_codes):
            if _maatstaf_name(table.header[j]) != _maatstaf_name(meta.loc[code, "name"]):
                raise DataError(
                    f"{path}: column {j + 1} is {table.header[j]!r}, but row {rate_codes.index(code) + 1} of the "
                    f"Gewichten file is maatstaf {code!r} ({meta.loc[code, 'name']!r}); expected the volume "
                    "columns in the order of the Gewichten rows"
                )
        by_code, absent = dict(zip(rate_codes, columns)), []
    if absent:
        raise DataError(
            f"{path}: no volume column for maatstaf/maatstaven {absent} that have a bedrag per eenheid "
            f"in the Gewichten file; expected one column per maatstaf (note 'vast nieuw' is read as 'vast')"
        )
    unweighted = [c for c in by_code if c not in rate_codes]
    if unweighted:
        raise DataError(
            f"{path}: volume column(s) {unweighted} have no row in the Gewichten file of the same circulaire, so "
            "their money would be left out of the allocation; expected one Gewichten row ('Codering maatstaf') "
            "per volume column"
        )
    values = np.column_stack([table.numbers(by_code[c], what="maatstaf volume", notation=notation)
                              for c in rate_codes])
    negative = np.argwhere(values < 0)
    if negative.size:
        i, j = (int(x) for x in negative[0])
        raise DataError(
            f"{path}, line {table.line_numbers[i]}, municipality {codes[i]}, column {rate_codes[j]!r}: "
            f"volume {values[i, j]} is negative; expected a count, area or value ≥ 0"
        )
    _check_volume_ratios(path, values, codes, rate_codes, table.line_numbers)
    volumes = pd.DataFrame(values, index=pd.Index(codes, name="gemeente"), columns=pd.Index(rate_codes, name="maatstaf"))
    names = pd.Series([r[name_i] for r in table.rows], index=volumes.index, name="name")
    return volumes.loc[expected.index], names.loc[expected.index], expected


def _check_volume_ratios(path: Path, values: np.ndarray, codes: list[str], rate_codes: list[str],
                         line_numbers: list[int]) -> None:
    """Inhabitants within MAX_INHABITANT_SHARE of the rest; each volume per inhabitant within
    MAX_VOLUME_RATIO times that of the other municipalities together."""
    if "inwo" not in rate_codes:
        return  # the missing inhabitants column is reported by the caller
    inw = values[:, rate_codes.index("inwo")]
    if not (inw > 0).all() or not np.isfinite(values).all():
        return  # reported by the caller (inhabitants) or the number parser
    share = inw / _leave_one_out(inw)
    if share.max() > MAX_INHABITANT_SHARE:
        i = int(np.argmax(share))
        raise DataError(
            f"{path}, line {line_numbers[i]}, municipality {codes[i]}, column 'inwo': {inw[i]:,.6g} inhabitants, "
            f"{share[i]:.3g} times all other municipalities together; expected at most {MAX_INHABITANT_SHARE} "
            "(Amsterdam has 0.055): a damaged cell?")
    others = _leave_one_out(values) / _leave_one_out(inw)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(others > 0, (values / inw[:, None]) / others, 0.0)
    if ratio.max() > MAX_VOLUME_RATIO:
        i, j = (int(x) for x in np.unravel_index(int(np.argmax(ratio)), ratio.shape))
        raise DataError(
            f"{path}, line {line_numbers[i]}, municipality {codes[i]}, column {rate_codes[j]!r}: volume "
            f"{values[i, j]:,.6g} is {ratio[i, j]:,.3g} times the volume per inhabitant of the other municipalities; "
            f"expected at most {MAX_VOLUME_RATIO:,.0f} times (the largest in the shipped circulaires is 2,118): "
            "a damaged cell?"
        )


def _leave_one_out(x: np.ndarray) -> np.ndarray:
    """Per row, the sum of all other rows (per column), as the sum of the rows before plus the
    rows after it: no cancellation, so a value of 1e30 does not wipe out the others' sum."""
    zero = np.zeros((1,) + x.shape[1:])
    before = np.concatenate([zero, np.cumsum(x, axis=0)[:-1]])
    after = np.concatenate([np.cumsum(x[::-1], axis=0)[::-1][1:], zero])
    return before + after


def _check_maatstaf_amounts(gewichten: Path, volumina: Path, rates: pd.DataFrame, volumes: pd.DataFrame) -> None:
    national = rates.sum(axis=1) * volumes.sum(axis=0)
    bad = national[national.abs() > MAX_MAATSTAF_AMOUNT]
    if len(bad):
        code = str(bad.abs().idxmax())
        raise DataError(
            f"{gewichten} and {volumina}, maatstaf {code!r}: bedrag per eenheid × national volume is EUR "
            f"{national[code] / 1e9:,.4g} bn; expected at most EUR {MAX_MAATSTAF_AMOUNT / 1e9:,.0f} bn (the whole "
            "algemene uitkering is about 40 bn): a damaged bedrag or volume?"
        )


def _check_item_amounts(path: Path, items: pd.DataFrame, inhabitants: pd.Series) -> None:
    per_inh = items.abs().div(inhabitants, axis=0)
    values = per_inh.to_numpy()
    if values.size and values.max() > MAX_ITEM_PER_INHABITANT:
        i, j = (int(x) for x in np.unravel_index(int(np.argmax(values)), values.shape))
        code, item = per_inh.index[i], per_inh.columns[j]
        raise DataError(
            f"{path}, municipality {code}, column {item!r}: EUR {items.loc[code, item]:,.6g} is EUR "
            f"{per_inh.loc[code, item]:,.0f} per inhabitant; expected at most EUR {MAX_ITEM_PER_INHABITANT:,.0f} per "
            "inhabitant for one uitkering (the whole gemeentefonds is about EUR 2,300): a damaged cell?"
        )


def _read_siudu(path: Path, names: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    table, notation = _read(path)
    name_i = table.column_index("Naam")
    cbs_cols = [j for j, h in enumerate(table.header) if h == "CBS"]
    if cbs_cols:
        codes = []
        for row, lineno in zip(table.rows, table.line_numbers):
            raw = row[cbs_cols[0]]
            if not is_ascii_number(raw):
                raise DataError(f"{path}, line {lineno}, column 'CBS': {raw!r} is not a CBS municipality number")
            codes.append(f"GM{int(raw):04d}")
            # Some exports repeat the CBS column; the copies must agree.
            for j in cbs_cols[1:]:
                if row[j] != raw:
                    raise DataError(f"{path}, line {lineno}: the repeated CBS columns disagree ({raw!r} vs {row[j]!r})")
    else:
        # M2024_2025 has no CBS column: join on the municipality names of the Volumina file.
        code_of = {str(n): str(c) for c, n in names.items()}
        codes = []
        for row, lineno in zip(table.rows, table.line_numbers):
            if row[name_i] not in code_of:
                raise DataError(
                    f"{path}, line {lineno}: municipality name {row[name_i]!r} does not occur in the "
                    f"Volumina file of the same circulaire; cannot find its CBS code"
                )
            codes.append(code_of[row[name_i]])
    if len(set(codes)) != len(codes):
        dup = sorted({c for c in codes if codes.count(c) > 1})
        raise DataError(f"{path}: municipality {dup[0]} appears more than once")
    missing = sorted(set(names.index) - set(codes))
    if missing:
        raise DataError(f"{path}: no row for municipality/municipalities {missing[:10]}")
    item_cols = [j for j, h in enumerate(table.header) if h not in ("CBS", "Naam", "Prov")]
    item_names = [table.header[j] for j in item_cols]
    if len(set(item_names)) != len(item_names):
        raise DataError(f"{path}: an uitkering column name appears twice")
    values = np.column_stack([table.numbers(j, what="euro amount", notation=notation) for j in item_cols]) if item_cols else np.zeros((len(codes), 0))
    items = pd.DataFrame(values, index=pd.Index(codes, name="gemeente"), columns=pd.Index(item_names, name="uitkering"))
    types = pd.Series([classify_fixed_item(n) for n in item_names], index=items.columns, name="type")
    return items.loc[names.index], types


def maatstaf_codes(circulaire_id: str, data: str | Path | None = None) -> tuple[str, ...]:
    """The maatstaf codes of a circulaire (its volume columns), cheap to ask again."""
    root = data_dir(data)
    files = [root / "gemeentefonds" / f"GF_{circulaire_id}_{k}.csv" for k in ("Volumina", "Gewichten")]
    return derived_from_files(files, ("maatstaf_codes", circulaire_id),
                              lambda: tuple(read_circulaire(circulaire_id, data).volumes.columns))


def read_circulaire(circulaire_id: str, data: str | Path | None = None) -> Circulaire:
    """Read and validate the files of one published circulaire, e.g. ``read_circulaire("M2024_2025")``
    (``gemfin.load_circulaire`` also gives a gemeentefonds as booked).

    ``data`` is an alternative data directory with the same layout as the shipped one.
    Every problem raises :class:`gemfin.errors.DataError` naming the file, line, column and
    municipality.
    """
    _, _, uj = parse_circulaire_id(circulaire_id)
    if _BOOKED_ID.match(circulaire_id):
        raise InputError(f"{circulaire_id!r} is a gemeentefonds as booked, not a circulaire: load it with "
                         "gemfin.load_circulaire")
    root = data_dir(data)
    folder = root / "gemeentefonds"
    files = {k: folder / f"GF_{circulaire_id}_{k}.csv" for k in ("Volumina", "Gewichten", "SIUDU")}
    if not files["Volumina"].is_file():
        known = circulaires(root)
        raise InputError(f"unknown circulaire {circulaire_id!r}; shipped: {known}")
    return derived_from_files([*files.values(), folder / "Uitkeringsfactor.csv"], ("circulaire", circulaire_id),
                              lambda: _build_circulaire(circulaire_id, uj, root, files))


def _build_circulaire(circulaire_id: str, uj: int, root: Path, files: dict[str, Path]) -> Circulaire:
    folder = root / "gemeentefonds"
    rates, meta = _read_gewichten(files["Gewichten"])
    volumes, names, indeling = _read_volumina(files["Volumina"], uj, root, meta)
    items, types = _read_siudu(files["SIUDU"], names)
    if "inwo" not in volumes.columns:
        raise DataError(f"{files['Volumina']}: no 'inwo' (inwoners) column; needed for per-inhabitant figures")
    inhabitants = volumes["inwo"]
    zero = inhabitants[inhabitants <= 0]
    if len(zero):
        raise DataError(
            f"{files['Volumina']}, municipality {zero.index[0]}, column 'inwo': {zero.iloc[0]} inhabitants; "
            "expected a positive number"
        )
    _check_item_amounts(files["SIUDU"], items, inhabitants)
    _check_maatstaf_amounts(files["Gewichten"], files["Volumina"], rates, volumes)
    municipalities = pd.DataFrame(
        {
            "name": names,
            "province": indeling["province"],
            "inhabitants": inhabitants,
            "size_class": size_class(inhabitants),
        }
    )
    return Circulaire(
        id=circulaire_id,
        municipalities=municipalities,
        volumes=volumes,
        rates=rates,
        maatstaven=meta,
        uitkeringsfactor=_published_uitkeringsfactor(folder, circulaire_id),
        fixed_items=items,
        fixed_item_types=types,
        source_dir=folder,
    )


def _item_key(name: str) -> str:
    """A SIUDU item name as matched between the SIUDU columns and the Gewichten rows, which
    differ in case and spacing ('Beschermd wonen'/'beschermd wonen', 'art.12'/'art. 12')."""
    return "".join(name.lower().split())


def siudu_clusters(circ: Circulaire) -> pd.Series:
    """The cluster of each SIUDU item (index: the circulaire's item names), from the uncoded
    weight rows at the bottom of its Gewichten file (weight 1.00 in one cluster); empty string
    for an item without a row. DataError for a circulaire whose file has no such rows (the
    meicirculaire 2022) or a row that is not one 1.00 in one cluster."""
    path = circ.source_dir / f"GF_{circ.id}_Gewichten.csv"
    if circ.is_booked or not path.is_file():
        raise DataError(f"circulaire {circ.id}: no Gewichten file with cluster weights ({path}); the fund as "
                        "booked has no clusters")
    table, notation = _read(path)
    code_i, name_i = table.column_index("Codering maatstaf"), table.column_index("Naam maatstaf")
    cluster_i = [table.column_index(c) for c in CLUSTERS]
    rows = [i for i, r in enumerate(table.rows) if r[code_i] == ""]
    if not rows:
        raise DataError(f"{path}: no weight rows mapping the IU/DU/suppletie items to clusters (uncoded rows "
                        "below the maatstaven); this circulaire has no cluster weights for them")
    sub = RawTable(table.path, table.header, [table.rows[i] for i in rows], [table.line_numbers[i] for i in rows])
    w = np.column_stack([sub.numbers(i, what="cluster weight", notation=notation) for i in cluster_i])
    of: dict[str, str] = {}
    for k, r in enumerate(sub.rows):
        ones = np.flatnonzero(np.isclose(w[k], 1.0))
        if len(ones) != 1 or not np.isclose(w[k].sum(), 1.0):
            raise DataError(f"{path}, line {sub.line_numbers[k]}, item {r[name_i]!r}: expected weight 1.00 in exactly "
                            "one cluster and 0 elsewhere")
        of[_item_key(r[name_i])] = CLUSTERS[int(ones[0])]
    return pd.Series([of.get(_item_key(n), "") for n in circ.fixed_items.columns],
                     index=circ.fixed_items.columns, name="cluster")


def basis_by_group(circ: Circulaire, rates: pd.Series, groups, *, ozb: bool) -> np.ndarray:
    """G × (len(groups) + 1) euros before the uitkeringsfactor: Σ volume × ``rates`` (a bedrag
    per maatstaf) over the maatstaven of each group (``groups``: one list of maatstaf codes a
    group, e.g. those each driver moves), the maatstaven of no group in the last column; only
    the OZB maatstaven (``ozb=True``) or only the others. Maatstaven are added in the order of
    the circulaire's volume columns."""
    groups = list(groups)
    group_of = {m: i for i, codes in enumerate(groups) for m in codes}
    n = len(groups)
    out = np.zeros((len(circ.volumes), n + 1))
    is_ozb = circ.maatstaven["is_ozb"]
    for m in circ.volumes.columns:
        if bool(is_ozb[m]) == ozb:
            out[:, group_of.get(m, n)] += circ.volumes[m].to_numpy() * rates[m]
    return out
