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

from pathlib import Path

import pandas as pd

from .._datadir import data_dir
from .._tables import derived_from_files
from ..errors import DataError, InputError
from ..municipalities import size_class
from .model import CLUSTERS, INTEGRATIE_UITKERINGEN, Circulaire, classify_fixed_item, is_ozb_maatstaf, maatstaven_table
from .ids import _BOOKED_ID, circulaires, newest_circulaire, parse_circulaire_id
from .clusters import basis_by_group, siudu_clusters
from .files import (CLUSTER_SPELLINGS, MAATSTAF_CODE_ALIASES, MAX_INHABITANT_SHARE, MAX_ITEM_PER_INHABITANT,
                    MAX_MAATSTAF_AMOUNT, MAX_VOLUME_RATIO, VOLUME_CODE_ALIASES, _check_item_amounts,
                    _check_maatstaf_amounts, _published_uitkeringsfactor, _read_gewichten, _read_siudu,
                    _read_volumina)

__all__ = ["CLUSTERS", "CLUSTER_SPELLINGS", "INTEGRATIE_UITKERINGEN", "MAATSTAF_CODE_ALIASES", "MAX_INHABITANT_SHARE",
           "MAX_ITEM_PER_INHABITANT", "MAX_MAATSTAF_AMOUNT", "MAX_VOLUME_RATIO", "VOLUME_CODE_ALIASES", "Circulaire",
           "basis_by_group", "circulaires", "classify_fixed_item", "is_ozb_maatstaf", "maatstaf_codes",
           "maatstaven_table", "newest_circulaire", "parse_circulaire_id", "read_circulaire", "siudu_clusters"]


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
