"""The municipal response: how fast municipalities close a gap in their begroting, estimated
from the Iv3 panel (docs/budget-model.md, "Response").

A municipality must present a structurally balanced multi-year budget (Gemeentewet art. 189,
203); when its plans show a gap it raises taxes and charges, cuts, or re-plans. In the panel of
begrotingen the saldo relative to the lasten, x_g,t, is a partial adjustment:

    x_g,t = c_t + φ · x_g,t−1 + e_g,t

with year effects c_t (what moved every municipality: accres, new tasks). φ is estimated by
instrumental variables, x_g,t−2 instrumenting x_g,t−1: a begroting's saldo carries one-off
items (incidental spending from reserves) that do not persist, and least squares would read that
noise as a fast response. The share of a gap closed in a year is ``speed = 1 − φ``.

``max_step``, the largest new measures of a year, is the 95th percentile of the year-on-year
improvement of x; ``tax_share``, the part of the measures taken as higher belastingen, is the instrumented
slope of the change in the belastingen (the Iv3 field ``heffingen``, categories 2.2.1 + 2.2.2) (at the national growth, per euro of lasten) on x_g,t−1
divided by φ − 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import InputError

FIRST_YEAR = 2017   # the first begroting in the panel
TRIM = 0.15         # |x| above this (a few filings with mis-booked totals) left out of the fit


@dataclass(frozen=True)
class ResponseFit:
    speed: float
    max_step: float
    tax_share: float
    persistence: float        # φ
    persistence_ols: float    # least squares, for comparison (attenuated by one-off items)
    observations: int
    years: tuple[int, ...]    # the begroting years t of the pairs (t−1, t)


def _pairs(panel: pd.DataFrame, last_year: int) -> pd.DataFrame:
    b = panel[(panel["document"] == "begroting") & panel["filed"] & (panel["year"] <= last_year)]
    x = b.pivot(index="gm_code", columns="year", values="saldo") / b.pivot(index="gm_code", columns="year", values="lasten")
    h = b.pivot(index="gm_code", columns="year", values="heffingen")
    lasten = b.pivot(index="gm_code", columns="year", values="lasten")
    rows = []
    for y in range(FIRST_YEAR + 2, last_year + 1):
        if not {y, y - 1, y - 2} <= set(x.columns):
            continue
        growth = h[y].sum() / h[y - 1].sum()  # national growth of the heffingen
        d = pd.DataFrame({"x": x[y], "lag": x[y - 1], "lag2": x[y - 2],
                          "heffingen": (h[y] - h[y - 1] * growth) / lasten[y - 1], "year": y})
        rows.append(d.dropna())
    if not rows:
        raise InputError(f"the response needs begrotingen of three consecutive years up to {last_year}; "
                         f"the panel starts in {FIRST_YEAR}")
    d = pd.concat(rows)
    return d[(d["x"].abs() < TRIM) & (d["lag"].abs() < TRIM) & (d["lag2"].abs() < TRIM)]


def _slope(d: pd.DataFrame, y: str, instrument: str | None) -> float:
    """The coefficient of ``lag`` in y ~ year effects + lag, by least squares or with
    ``instrument`` for ``lag`` (two-stage least squares)."""
    years = pd.get_dummies(d["year"], dtype=float).to_numpy()
    x = np.column_stack([years, d["lag"].to_numpy()])
    if instrument is not None:
        z = np.column_stack([years, d[instrument].to_numpy()])
        x = z @ np.linalg.lstsq(z, x, rcond=None)[0]
    return float(np.linalg.lstsq(x, d[y].to_numpy(), rcond=None)[0][-1])


def fit(panel: pd.DataFrame, last_year: int) -> ResponseFit:
    """The response estimated on the begrotingen 2017–``last_year`` of ``panel``
    (gemfin.iv3.panel.load_panel)."""
    d = _pairs(panel, last_year)
    phi = _slope(d, "x", "lag2")
    if not 0.0 < phi < 1.0:
        raise InputError(f"the begroting saldo's persistence estimated on 2017-{last_year} is {phi:.3f}, outside (0, 1): "
                         "no partial adjustment to calibrate")
    tax = _slope(d, "heffingen", "lag2") / (phi - 1.0)
    return ResponseFit(speed=1.0 - phi, max_step=float((d["x"] - d["lag"]).quantile(0.95)),
                       tax_share=float(np.clip(tax, 0.0, 1.0)), persistence=phi,
                       persistence_ols=_slope(d, "x", None), observations=len(d),
                       years=tuple(sorted(int(y) for y in d["year"].unique())))
