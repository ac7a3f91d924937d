"""Scores of probabilistic forecasts against what happened (docs/backtest.md).

- Brier score of a probability p for an event o ∈ {0, 1}: mean (p − o)²; its skill against a
  reference forecast is 1 − Brier / Brier_reference (> 0: better than the reference).
- ROC AUC: the probability that a random municipality with the event got a higher p than a
  random one without (ties count half), from ranks (Mann–Whitney).
- CRPS of an ensemble x_1..x_N for an outcome y: E|X − y| − ½ E|X − X'|, in the unit of y.
- Reliability: per bin of p, the mean p against the observed frequency.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata


def brier(p: np.ndarray, outcome: np.ndarray) -> float:
    p, o = np.asarray(p, dtype=float), np.asarray(outcome, dtype=float)
    return float(np.mean((p - o) ** 2))


def roc_auc(score: np.ndarray, outcome: np.ndarray) -> float:
    """AUC of ``score`` for ``outcome`` (NaN when only one class occurs)."""
    o = np.asarray(outcome, dtype=bool)
    n1, n0 = int(o.sum()), int((~o).sum())
    if n1 == 0 or n0 == 0:
        return float("nan")
    r = rankdata(np.asarray(score, dtype=float))
    return float((r[o].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def crps_ensemble(samples: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """CRPS per column of ``samples`` (paths × units) for ``outcome`` (units)."""
    x = np.sort(np.asarray(samples, dtype=float), axis=0)
    n = x.shape[0]
    y = np.asarray(outcome, dtype=float)
    term1 = np.mean(np.abs(x - y[None, :]), axis=0)
    # ½ E|X − X'| over all ordered pairs = (1/n²) Σ_i (2i − n − 1) x_(i), i = 1..n.
    weights = (2 * np.arange(1, n + 1) - n - 1)[:, None]
    term2 = np.sum(weights * x, axis=0) / n ** 2
    return term1 - term2


def reliability(p: np.ndarray, outcome: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Per bin of equal width in p: count, mean forecast, observed frequency."""
    p, o = np.asarray(p, dtype=float), np.asarray(outcome, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    rows = []
    for k in range(bins):
        m = which == k
        rows.append({"bin_low": edges[k], "bin_high": edges[k + 1], "count": int(m.sum()),
                     "mean_forecast": float(p[m].mean()) if m.any() else np.nan,
                     "observed_frequency": float(o[m].mean()) if m.any() else np.nan})
    return pd.DataFrame(rows)
