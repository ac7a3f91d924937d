"""Groups of municipalities the scan reads its results by: size class and province (from the
circulaire), centrumfunctie and sociale structuur (CBS classes as the Iv3 begroting 2025 file
carries them, ``data/finance/2025_begroting.csv``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .._datadir import data_dir
from .._tables import derived_from_files, read_table
from ..iv3 import IV3_FILES, iv3_codes

#: The groups, each a column of the scan's municipalities table.
GROUPS = ("size_class", "province", "centrumfunctie", "sociale_structuur")
#: The file whose class columns are read, and its columns.
CLASS_FILE = IV3_FILES[("begroting", 2025)]
CLASS_COLUMNS = {"Centrumfunctie": "centrumfunctie", "Sociale structuur": "sociale_structuur"}


def municipality_classes(data: str | Path | None = None) -> pd.DataFrame:
    """Index CBS code (division 2025); columns centrumfunctie, sociale_structuur ('onbekend'
    where the file leaves the class empty)."""
    path = data_dir(data) / "finance" / CLASS_FILE
    return derived_from_files([path], ("municipality_classes",), lambda: _read(path, data))


def _read(path: Path, data) -> pd.DataFrame:
    t = read_table(path, sep=";")
    gi = t.column_index("Gemeenten")
    idx = {c: t.column_index(c) for c in CLASS_COLUMNS}
    names = sorted({r[gi] for r in t.rows} - {"Nederland"})
    codes = iv3_codes(names, 2025, data).codes
    rows: dict[str, dict[str, str]] = {}
    for r in t.rows:
        code = codes.get(r[gi])
        if code is None or code in rows:
            continue
        rows[code] = {v: (r[idx[k]].strip() or "onbekend") for k, v in CLASS_COLUMNS.items()}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("gemeente").sort_index()
