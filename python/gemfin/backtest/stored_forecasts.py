"""Forecasts kept to be scored when their year's jaarrekening arrives.

A backtest of a year whose jaarrekening is not yet in the data can only be scored later, and
by then the model may have changed: re-running ``gemfin backtest`` would score the new model,
with hindsight. So the forecasts of such years are written once (``gemfin backtest
--target-year Y --out docs/forecasts/Y``, with ``run.json`` naming the commit and the data)
and :func:`score_stored` scores those files as they are. docs/forecasts/README.md lists them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

PREDICTION_COLUMNS = ("gm_code", "year", "p_deficit", "saldo_q5", "saldo_q95")
NATIONAL_COLUMNS = ("year", "share_deficit_q5", "share_deficit_q95")


def score_stored(directory: str | Path, data: str | Path | None = None) -> pd.DataFrame:
    """Score the forecasts in ``directory`` (``predictions.csv``, ``national.csv`` and
    ``run.json`` as ``gemfin backtest`` writes them) against the jaarrekening of their target
    year. One row: the backtest's scores except the CRPS, which needs the paths; instead
    ``saldo_in_interval``, the share of municipalities whose realised saldo lies in its 90%
    interval (0.90 if the intervals are right), and the forecast's ``created`` and
    ``git_commit``. An error names the file and what is wrong, or, before the jaarrekening is
    in the data, the years that have one."""
    from . import _realisation, probability_scores
    from ..iv3.panel import InformationSet, load_panel, to_indeling

    d = Path(directory)
    run = _run_json(d / "run.json")
    year = run["target_year"]
    pred = _table(d / "predictions.csv", PREDICTION_COLUMNS, year)
    national = _table(d / "national.csv", NATIONAL_COLUMNS, year)
    p = pred["p_deficit"].to_numpy(dtype=float)
    probability = np.isfinite(p) & (p >= 0) & (p <= 1)
    if not probability.all():
        bad = pred.loc[~probability, "gm_code"].tolist()
        raise InputError(f"{d / 'predictions.csv'}: p_deficit must be a probability in [0, 1]; not for {bad[:5]}")

    realised = _realisation(year, data)
    if realised is None:
        panel = load_panel(InformationSet.everything(), data)
        have = sorted({int(y) for y in panel.loc[(panel["document"] == "jaarrekening") & panel["filed"], "year"]})
        raise InputError(f"{d}: no jaarrekening {year} in the data yet, so nothing to score; "
                         f"years with a jaarrekening: {have}")
    pred = pred.set_index("gm_code")
    saldo = realised.reindex(pred.index)
    ok = saldo.notna().to_numpy()
    info = InformationSet.for_target(year)
    panel = to_indeling(load_panel(info, data), year, data)
    outcome = (saldo[ok] < 0).to_numpy()
    row = probability_scores(p[ok], outcome, pred.index[ok], panel, info, national.set_index("year"))
    inside = (pred.loc[ok, "saldo_q5"] <= saldo[ok]) & (saldo[ok] <= pred.loc[ok, "saldo_q95"])
    row["saldo_in_interval"] = float(inside.mean())
    row["unscored"] = ", ".join(pred.index[~ok])
    row["created"] = run.get("created", "")
    row["git_commit"] = run.get("git_commit", "")
    return pd.DataFrame([{"year": year, **row}]).set_index("year")


def _run_json(path: Path) -> dict:
    try:
        run = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(f"{path}: not found; a stored forecast is the directory `gemfin backtest --out` wrote") from None
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: not readable as JSON ({e})") from None
    if not isinstance(run, dict) or run.get("command") != "gemfin backtest":
        raise InputError(f"{path}: not the run.json of a `gemfin backtest` (its command is {run.get('command')!r})"
                         if isinstance(run, dict) else f"{path}: expected a JSON object")
    year = run.get("target_year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise InputError(f"{path}: target_year must be a year, got {year!r}")
    return run


def _table(path: Path, columns: tuple[str, ...], year: int) -> pd.DataFrame:
    try:
        t = pd.read_csv(path)
    except FileNotFoundError:
        raise InputError(f"{path}: not found; a stored forecast is the directory `gemfin backtest --out` wrote") from None
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: not readable as CSV ({e})") from None
    missing = [c for c in columns if c not in t.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {missing}; expected {list(columns)}")
    if t.empty or not (t["year"] == year).all():
        raise InputError(f"{path}: every row must be of the target year {year} of run.json")
    for c in columns:
        if c not in ("gm_code", "year") and not pd.api.types.is_numeric_dtype(t[c]):
            raise InputError(f"{path}: column {c!r} must hold numbers")
    return t
