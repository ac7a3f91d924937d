"""Benchmark of batched sensitivity analysis on scenarios/baseline.yaml.

Prints, as markdown tables:
- the reference: paths per second of one large run (20,000 paths, all cores);
- per paths per set (100, 500, 2,000): the time per set of a batch, its throughput against the
  large run, and the per-set overhead = time per set − paths per set ÷ (large-run paths/s);
- the same on a Dask LocalCluster (--cluster);
- a Sobol' analysis of 20 baseline parameters (--sobol N: N base samples, 500 paths per set).

    .venv/bin/python benchmarks/sensitivity.py                  # batch table
    .venv/bin/python benchmarks/sensitivity.py --cluster --sobol 256
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "baseline.yaml"
JEUGD = "budget.domains.Jeugd.excess_growth.params.0"

#: 20 numeric parameters of the baseline with ranges around their values (for --sobol).
SOBOL_RANGES = {
    "fund.growth.mean.value": (0.005, 0.025),
    "fund.growth.persistence.value": (0.1, 0.5),
    "fund.price.mean.value": (0.01, 0.03),
    "fund.price.persistence.value": (0.3, 0.7),
    "drivers.inwoners.national.params.0": (0.0, 0.012),
    "drivers.jongeren.national.params.0": (0.0, 0.02),
    "drivers.ouderen.national.params.0": (0.02, 0.05),
    "drivers.huishoudens.national.params.0": (0.0, 0.015),
    "drivers.bijstand.national.params.1": (-0.02, 0.03),
    "drivers.woz_woningen.national.params.0": (0.0, 0.08),
    "budget.wage_price.wedge.value": (0.0, 0.01),
    "fund.price.persistence.value": (0.3, 0.7),
    JEUGD: (0.0, 0.06),
    "budget.domains.Wmo.excess_growth.params.0": (0.0, 0.04),
    "budget.domains.Participatie.excess_growth.params.0": (-0.01, 0.01),
    "budget.domains.Overig.excess_growth.params.0": (-0.005, 0.005),
    "budget.ozb.pass_through.value": (0.25, 1.0),
    "budget.realisation.beta.value": (0.5, 0.8),
    "budget.realisation.year.params.1": (0.0, 0.04),
    "budget.buig.vangnet_threshold.value": (0.05, 0.1),
}


def sets(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({JEUGD: rng.uniform(0.0, 0.06, n), "fund.growth.mean.value": rng.uniform(0.005, 0.025, n)})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", type=int, default=40, help="parameter sets per measurement")
    ap.add_argument("--cluster", action="store_true", help="also on a 2-worker Dask LocalCluster")
    ap.add_argument("--sobol", type=int, default=0, metavar="N", help="time a Sobol' analysis, N base samples")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    import gemfin
    import gemfin.sensitivity as gs

    scen = gemfin.load_scenario(SCENARIO)
    gemfin.simulate(scen, paths=2000, seed=1, progress=False)  # warm caches and threads
    times = []
    for _ in range(3):  # the best of three: the machine's noise is of the order of 10%
        t = time.perf_counter()
        gemfin.simulate(scen, paths=20_000, seed=1, progress=False)
        times.append(time.perf_counter() - t)
    large = 20_000 / min(times)
    print(f"one large run: {large:,.0f} paths/s (20,000 paths, all cores, best of 3)\n")
    out = {"share": gs.share_in_deficit()}

    def table(label: str, client=None) -> None:
        print(f"| {label}: paths per set | sets | time per set (ms) | paths/s | of the large run | overhead per set (ms) |")
        print("|---|---|---|---|---|---|")
        for paths in (100, 500, 2000):
            s = sets(args.sets)
            gs.evaluate(scen, s.iloc[:2], out, paths=paths, seed=1, client=client)  # warm
            times = []
            for _ in range(3):  # best of three, as the large run
                t = time.perf_counter()
                gs.evaluate(scen, s, out, paths=paths, seed=1, client=client)
                times.append(time.perf_counter() - t)
            per = min(times) / len(s)
            print(f"| {paths:,} | {len(s)} | {1e3 * per:.1f} | {paths / per:,.0f} | {paths / per / large:.0%} | "
                  f"{1e3 * (per - paths / large):.1f} |")
        print()

    table("local batch")
    if args.cluster:
        import distributed

        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                      silence_logs=logging.ERROR) as cluster, distributed.Client(cluster) as client:
            table("LocalCluster, 2 workers", client)
    if args.sobol:
        t = time.perf_counter()
        res = gs.sobol(scen, SOBOL_RANGES, gs.share_in_deficit(), n=args.sobol, paths=500, full=True)
        dt = time.perf_counter() - t
        runs = args.sobol * (len(SOBOL_RANGES) + 2)
        print(f"Sobol': {len(SOBOL_RANGES)} parameters × {args.sobol} base samples = {runs:,} sets × 500 paths: "
              f"{dt:.0f} s ({dt / runs * 1e3:.1f} ms per set); {len(res.wide)} intervals wider than their index")
        print(res.indices.round(3).to_string())


if __name__ == "__main__":
    main()
