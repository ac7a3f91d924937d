"""How well an allocation follows netto lasten: the fit measures of the scan.

For a cluster (or the total over clusters), with x the allocation and y the netto lasten per
inhabitant of each municipality and w its inhabitants:

- ``r2`` = 1 − Σw(y − x)² / Σw(y − ȳ)², ȳ the inhabitant-weighted mean: the allocation read
  as a prediction of netto lasten, level included (negative when the allocation misses the
  level by more than the spread of netto lasten);
- ``r2_distribution``: the same after scaling the allocation to the national netto lasten of
  the cluster, so that only how the money is spread counts, not how much there is;
- ``mad`` = Σw|x − y| / Σw, EUR per inhabitant;
- ``share_beyond`` = the share of municipalities with |x − y| above a threshold (EUR 50 per
  inhabitant by default).

docs/fund-balance.md gives the definitions with their sources.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The threshold of ``share_beyond`` unless given, EUR per inhabitant.
DEFAULT_THRESHOLD = 50.0


def measures(x: np.ndarray, y: np.ndarray, w: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> dict[str, float]:
    """The fit measures of allocation ``x`` against netto lasten ``y`` (both per inhabitant)
    with weights ``w``; r2 is NaN where netto lasten do not vary."""
    x, y, w = (np.asarray(a, dtype=float) for a in (x, y, w))
    ybar = float(np.sum(w * y) / np.sum(w))
    ss = float(np.sum(w * (y - ybar) ** 2))
    if ss <= 1e-12 * float(np.sum(w * y ** 2)):  # no spread beyond rounding: R² undefined
        ss = 0.0
    sx = float(np.sum(w * x))
    scale = float(np.sum(w * y)) / sx if sx != 0 else np.nan
    diff = x - y
    return {
        "r2": 1.0 - float(np.sum(w * diff ** 2)) / ss if ss > 0 else np.nan,
        "r2_distribution": 1.0 - float(np.sum(w * (y - scale * x) ** 2)) / ss if ss > 0 and np.isfinite(scale) else np.nan,
        "mad": float(np.sum(w * np.abs(diff)) / np.sum(w)),
        "share_beyond": float(np.mean(np.abs(diff) > threshold)),
        "municipalities": float(len(x)),
    }


def fit_table(alloc_pi: pd.DataFrame, netto_pi: pd.DataFrame, inhabitants: pd.Series,
              threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """One row per cluster (columns of the two frames) and ``total`` (their sums): the
    :func:`measures`. Clusters without netto lasten anywhere (Overig) get NaN r2."""
    w = inhabitants.loc[alloc_pi.index].to_numpy()
    rows = {c: measures(alloc_pi[c].to_numpy(), netto_pi[c].to_numpy(), w, threshold) for c in alloc_pi.columns}
    rows["total"] = measures(alloc_pi.sum(axis=1).to_numpy(), netto_pi.sum(axis=1).to_numpy(), w, threshold)
    out = pd.DataFrame.from_dict(rows, orient="index")
    out["municipalities"] = out["municipalities"].astype(int)
    out.index.name = "cluster"
    return out


def fit_by_group(alloc_pi: pd.DataFrame, netto_pi: pd.DataFrame, inhabitants: pd.Series, group: pd.Series,
                 threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """:func:`fit_table` within each group of municipalities: index (group, cluster)."""
    parts = {}
    for key, members in group.loc[alloc_pi.index].groupby(group.loc[alloc_pi.index], observed=True, sort=True):
        idx = members.index
        parts[key] = fit_table(alloc_pi.loc[idx], netto_pi.loc[idx], inhabitants, threshold)
    return pd.concat(parts, names=[str(group.name or "group"), "cluster"])
