"""Does the realisation model's year component have memory? Not a speed benchmark: the study
of docs/backtest.md ("A year component with memory"). For every target year Y of 2019–2022
the backtest (gemfin.backtest.backtest, trained on the years up to Y − 2) is run with three
locations of the year component α[Y]:

- ``mean``: today's model, α drawn around the mean of the past α;
- ``ar1``: an AR(1) on the past α, φ by least squares within [0, 1], two steps ahead
  (the last known year is Y − 2): μ + φ²(α[Y−2] − μ);
- ``level``: a level that moves (random walk), located at α[Y−2].

The spread of α is today's in every version. Prints Brier, AUC, CRPS and whether the realised
national share in deficit lies inside the forecast's 90% band, per version and year. Not part
of the test suite (about a minute).

    .venv/bin/python benchmarks/backtest_year_component.py [--paths 4000] [--seed 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import warnings

import numpy as np

from gemfin import realisation
from gemfin.backtest import backtest

TARGETS = (2019, 2020, 2021, 2022)


def located(model: realisation.RealisationModel, version: str) -> realisation.RealisationModel:
    """The fitted model with its year component located as ``version`` says."""
    a = model.alpha.to_numpy(dtype=float)
    mu = float(a.mean())
    if version == "mean":
        return model
    if version == "level":
        return dataclasses.replace(model, year_mean=float(a[-1]))
    phi = 0.0
    if len(a) >= 3:
        x, y = a[:-1] - mu, a[1:] - mu
        phi = float(np.clip((x * y).sum() / (x * x).sum(), 0.0, 1.0))
    return dataclasses.replace(model, year_mean=mu + phi ** 2 * (float(a[-1]) - mu))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paths", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    fit = realisation.fit
    print("version  year   location   Brier    AUC    CRPS  share  band            realised  inside")
    try:
        for version in ("mean", "ar1", "level"):
            realisation.fit = lambda *a, v=version, **k: located(fit(*a, **k), v)
            briers, crps = [], []
            for year in TARGETS:
                r = backtest(year, paths=args.paths, seed=args.seed)
                s = r.scores.iloc[0]
                briers.append(s.brier)
                crps.append(s.crps_per_inhabitant)
                print(f"{version:7s}  {year}  {r.model.year_mean:+.4f}   {s.brier:.4f}  {s.auc:.3f}  "
                      f"{s.crps_per_inhabitant:6.1f}  {r.national.share_deficit_mean.iloc[0]:.3f}  "
                      f"[{s.share_q5:.3f}, {s.share_q95:.3f}]  {s.realised_share:.3f}     {s.realised_share_in_interval}")
            print(f"{version:7s}  mean Brier {np.mean(briers):.4f}, mean CRPS {np.mean(crps):.1f}")
    finally:
        realisation.fit = fit


if __name__ == "__main__":
    main()
