"""Stored forecasts (docs/forecasts) are scored as written, once their jaarrekening is in the data."""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gemfin.backtest as bt
from gemfin.errors import InputError
from gemfin.backtest.stored_forecasts import score_stored

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def stored_2021(tmp_path_factory):
    res = bt.backtest(2021, paths=300, seed=2)
    out = tmp_path_factory.mktemp("f") / "2021"
    bt.write_backtest(res, out, {"command": "gemfin backtest", "target_year": 2021, "created": "2021-01-01",
                                 "git_commit": "abc"})
    return res, out


def test_a_stored_forecast_scores_as_the_backtest_did(stored_2021):
    res, out = stored_2021
    s = score_stored(out).iloc[0]
    ref = res.scores.iloc[0]
    for k in ("municipalities_scored", "brier", "brier_climatology", "brier_persistence", "auc", "realised_share",
              "realised_share_in_interval"):
        assert s[k] == pytest.approx(ref[k], abs=1e-12), k
    # The 90% interval of each saldo, counted from the written file and the realisation.
    pred = pd.read_csv(out / "predictions.csv").set_index("gm_code")
    real = res.predictions["saldo_realised"].dropna()
    inside = ((pred.loc[real.index, "saldo_q5"] <= real) & (real <= pred.loc[real.index, "saldo_q95"])).mean()
    assert s["saldo_in_interval"] == pytest.approx(inside) and 0.6 < inside <= 1.0
    assert s["created"] == "2021-01-01" and s["git_commit"] == "abc"


def test_the_shipped_forecasts_wait_for_their_jaarrekening():
    # When data/finance gains the jaarrekening 2023 or 2024 this fails on purpose: score the
    # stored forecast then (docs/forecasts/README.md) and report it, rather than re-forecast.
    for year in (2023, 2024):
        d = REPO / "docs" / "forecasts" / str(year)
        run = json.loads((d / "run.json").read_text())
        assert run["target_year"] == year and run["paths"] == 10_000 and not run["git_commit"].endswith("dirty")
        with pytest.raises(InputError, match=rf"no jaarrekening {year} in the data yet.*\[2017, 2018, 2019, 2020, 2021, 2022\]"):
            score_stored(d)


@pytest.mark.parametrize("damage,message", [
    (lambda d: (d / "run.json").unlink(), r"run\.json: not found"),
    (lambda d: (d / "run.json").write_text('{"command": "gemfin run", "target_year": 2021}'), r"not the run\.json of a `gemfin backtest`"),
    (lambda d: (d / "national.csv").write_text("year,share\n2021,0.3\n"), r"national\.csv: missing column\(s\) \['share_deficit_q5', 'share_deficit_q95'\]"),
    (lambda d: _edit(d / "predictions.csv", "p_deficit", 1.5), r"predictions\.csv: p_deficit must be a probability in \[0, 1\]"),
    (lambda d: _edit(d / "predictions.csv", "year", 2020), r"predictions\.csv: every row must be of the target year 2021"),
])
def test_damaged_stored_forecasts_are_named(stored_2021, tmp_path, damage, message):
    d = tmp_path / "copy"
    shutil.copytree(stored_2021[1], d)
    damage(d)
    with pytest.raises(InputError, match=message):
        score_stored(d)


def _edit(path: Path, column: str, value) -> None:
    t = pd.read_csv(path)
    t.loc[t.index[0], column] = value
    t.to_csv(path, index=False)
    assert np.isfinite(t[column].astype(float)).all()
