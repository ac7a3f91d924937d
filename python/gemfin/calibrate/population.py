"""Population growth per municipality and the BZK volume update between two circulaires, from the
shipped CBS and circulaire data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._datadir import data_dir
from .._tables import read_table
from ..circulaire import read_circulaire
from ..errors import DataError
from ..municipalities import load_municipalities
from .frames import log


def population_series(data: str | Path | None = None) -> pd.DataFrame:
    """CBS inhabitants on 1 January: index CBS code, one column per year (2017–2026)."""
    path = data_dir(data) / "municipalities" / "iv3_data.inwoners.csv"
    t = read_table(path, sep=",")
    yi, gi, ni = (t.column_index(c) for c in ("jaar", "gm_code", "aantal_inwoners"))
    rows = []
    for row, lineno in zip(t.rows, t.line_numbers):
        try:
            rows.append((int(row[yi]), row[gi], float(row[ni])))
        except ValueError:
            raise DataError(f"{path}, line {lineno}: expected integer year and inhabitants, got {row}") from None
    df = pd.DataFrame(rows, columns=["jaar", "gemeente", "inwoners"])
    return df.pivot(index="gemeente", columns="jaar", values="inwoners")


def population_growth(first_year: int = 2017, last_year: int = 2026, indeling_year: int = 2023,
                      data: str | Path | None = None) -> dict[str, float | str]:
    """Yearly log-growth of the population: national mean and standard deviation over
    ``first_year``–``last_year``, and the standard deviation of municipal growth around the
    national growth, pooled over the years in which the municipalities of the ``indeling_year``
    division all exist (mergers break earlier series)."""
    p = population_series(data)
    national = log(p.loc[:, first_year:last_year].sum()).diff().dropna()
    codes = load_municipalities(indeling_year, data).index
    q = p.reindex(codes).loc[:, first_year:last_year].dropna(axis=1, how="any")
    if q.shape[1] < 2:
        raise DataError("population_growth: fewer than two complete years for the chosen division")
    growth = log(q).diff(axis=1).iloc[:, 1:]
    nat_q = log(q.sum()).diff().iloc[1:]
    deviation = growth - nat_q.to_numpy()
    return {
        "national_mean": float(national.mean()),
        "national_sd": float(national.std(ddof=1)),
        "municipal_sd": float(np.sqrt(np.mean(deviation.to_numpy() ** 2))),
        "years": f"{int(national.index[0]) - 1}-{int(national.index[-1])}",
        "municipal_years": f"{int(q.columns[0])}-{int(q.columns[-1])}",
    }


def bzk_volume_update(from_id: str = "S2024_2024", to_id: str = "S2024_2025",
                      data: str | Path | None = None) -> pd.Series:
    """National log-growth of each maatstaf between two circulaires (BZK's own volume update
    from one uitkeringsjaar to the next)."""
    a, b = read_circulaire(from_id, data), read_circulaire(to_id, data)
    common = [m for m in a.volumes.columns if m in b.volumes.columns]
    ta, tb = a.volumes[common].sum(), b.volumes[common].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        g = log(tb / ta)
    return g.where(ta > 0).rename("log_growth")
