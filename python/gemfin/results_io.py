"""Writing simulation results to a directory: CSV, Excel and NetCDF, atomically.

All files are first written into a temporary directory next to the target; each is then moved
into place with an atomic rename, so an interrupted run leaves either the old file or the new
one, never a partial file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from .errors import InputError


def result_tables(res) -> dict[str, pd.DataFrame]:
    """The tables a ministry analyst would pivot on, by sheet name."""
    tables = {"allocation": res.summary(), "national": res.national()}
    if res.finances is not None:
        f = res.finances
        tables["budget"] = f.summary()
        tables["risk"] = f.risk_table(n=50)
        tables["budget national"] = f.national()
        long = []
        for year in res.years:
            s = f.summary(year)[["name", "saldo mean", "P(deficit)", "P(reserves exhausted)", "P(artikel 12 signal)",
                                 "net shock effect"]]
            long.append(s.assign(year=year))
        tables["budget by year"] = pd.concat(long).reset_index().set_index(["gemeente", "year"])
    return tables


def write_excel(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """One sheet per table (names cut to Excel's 31 characters; column levels joined)."""
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, df in tables.items():
            flat = df.copy()
            if isinstance(flat.columns, pd.MultiIndex):
                flat.columns = [" ".join(map(str, c)) for c in flat.columns]
            flat.to_excel(xw, sheet_name=name[:31])


def write_results(res, out_dir: str | os.PathLike) -> list[Path]:
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a directory")
    parent = out.parent if out.parent != Path("") else Path(".")
    if not parent.is_dir():
        raise InputError(f"--out {out}: parent directory {parent} does not exist")
    tables = result_tables(res)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        first = "budget" if "budget" in tables else "allocation"
        tables[first].to_csv(tmp / "summary.csv", encoding="utf-8")
        write_excel(tables, tmp / "results.xlsx")
        ds = res.to_xarray()
        ds.to_netcdf(tmp / "results.nc", engine="scipy")
        out.mkdir(exist_ok=True)
        written = []
        for f in ("summary.csv", "results.xlsx", "results.nc"):
            os.replace(tmp / f, out / f)
            written.append(out / f)
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
