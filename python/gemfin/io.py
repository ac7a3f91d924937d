"""Atomic output: every file is written to a temporary file in the target directory and
renamed into place, so an interrupted or failed write never leaves a partial file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from .errors import InputError

TABLE_FORMATS = (".csv", ".xlsx")


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` and move the result to ``path`` atomically."""
    target = Path(path)
    if not target.parent.is_dir():
        raise InputError(f"cannot write {target}: directory {target.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        # mkstemp creates the file 0600; give it the permissions a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return target


def write_tables(path: str | Path, sheets: Mapping[str, pd.DataFrame]) -> Path:
    """Write tables by extension: ``.xlsx`` gets one sheet per table; ``.csv`` gets the first
    table (the per-municipality one)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in TABLE_FORMATS:
        raise InputError(f"cannot write {target}: unknown extension {target.suffix!r}; expected one of {TABLE_FORMATS}")
    if suffix == ".csv":
        first = next(iter(sheets.values()))
        return atomic_write(target, lambda p: first.to_csv(p, encoding="utf-8"))

    def write_xlsx(p: Path) -> None:
        with pd.ExcelWriter(p, engine="openpyxl") as xw:
            for name, df in sheets.items():
                df.to_excel(xw, sheet_name=name[:31])

    return atomic_write(target, write_xlsx)
