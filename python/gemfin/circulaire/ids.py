"""Circulaire ids (``S2024_2025``: septembercirculaire 2024, uitkeringsjaar 2025) and the
circulaires a data folder ships, oldest first."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .._datadir import data_dir
from ..errors import DataError, InputError

_ID = re.compile(r"^([MSD])(\d{4})_(\d{4})$")
_BOOKED_ID = re.compile(r"^([BR])(\d{4})_(\d{4})$")  # gemfin.booked: the fund as an Iv3 filing booked it


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
