"""Benchmark W1: 342 municipalities × 10 years × 100,000 paths of scenarios/baseline.yaml with
the municipal budget model, and the allocation-only projection.

Runs gemfin at 1 and 2 threads, a vectorised NumPy implementation and a numba-parallel
implementation of the same model (benchmarks/w1_reference.py), each in its own subprocess so
that peak memory is its own; checks that they agree statistically and prints markdown tables.
Not part of the test suite.

    .venv/bin/python benchmarks/w1.py                      # W1 table (gemfin 100k, NumPy 10k, numba 20k)
    .venv/bin/python benchmarks/w1.py --scaling --cluster --repeat 9  # + 10k/100k/1M paths, Dask, 9× W1 of #3
    .venv/bin/python benchmarks/w1.py --paths 20000 --numpy-paths 4000 --numba-paths 4000   # quick
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "baseline.yaml"
G = 342


def load(budget: bool, reduced: bool = False):
    """The baseline; ``reduced``: its budget model as the NumPy and numba references implement it
    (without the realisation model, the response, the ingroei suppletie, the revenue volume
    driver and the fading excess growth), for the agreement check."""
    import gemfin

    scen = gemfin.load_scenario(SCENARIO)
    if budget and reduced:
        scen = scen.with_values({"budget.realisation": None, "budget.response": "none", "budget.ingroei": None,
                                 "budget.revenue_volume_driver": None,
                                 "budget.ozb.price_indexed": {"value": False, "source": "benchmark reference"},
                                 "fund.policy_mutations": [{k: v for k, v in m.items() if k != "task"}
                                                           for m in scen.to_dict()["fund"]["policy_mutations"]],
                                 **{f"budget.domains.{d}.excess_persistence": None
                                    for d in ("Jeugd", "Wmo", "Participatie", "Overig")}})
    if not budget:  # the allocation-only W1: the gemeentefonds projection alone
        kept = {"growth", "price", *scen.drivers}  # the fund's and the drivers' shocks
        scen = scen.with_values({"budget": None, "shocks": None, "compensation": None,
                                 "correlation": [c for c in scen.to_dict().get("correlation", [])
                                                 if set(c["between"]) <= kept]})
    return scen


def draws(scen, paths: int) -> int:
    """Random numbers per run: municipal driver shocks, budget errors, macro shocks."""
    muni = sum(1 for d in scen.drivers.values() if d.municipal_sd.value > 0) + (4 if scen.budget is not None else 0)
    return paths * scen.horizon * (G * muni + len(scen.shock_names))


def summary(scen, res: dict) -> dict:
    """The figures compared between implementations (last year)."""
    out = {"budget_mean": float(res["budget_mean"][-1]), "budget_sd": float(res["budget_sd"][-1]),
           "au_mean_0014": float(res["au_mean"][0, -1]), "au_sd_0014": float(res["au_sd"][0, -1])}
    if "share_deficit" in res:
        out.update(share_deficit=float(res["share_deficit"][-1]), p_exhausted=float(np.mean(res["p_exhausted"][:, -1])),
                   saldo_0014=float(res["saldo_mean"][0, -1]))
    return out


def run_gemfin(scen, paths: int, threads: int) -> dict:
    """The core's run alone (like the references, which also get their inputs ready first);
    `setup` is the rest of gemfin.simulate (base, compiled model, labels)."""
    import gemfin
    from gemfin.engine import RunOptions, simulation
    from gemfin.run.base import build_base
    from gemfin.run.compile import compile_model

    t0 = time.perf_counter()
    model = compile_model(scen, build_base(scen))
    opts = RunOptions(paths, 2024, threads, False, (0.05, 0.25, 0.5, 0.75, 0.95), (), 2048, 1024)
    engine = simulation(model, opts)
    setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    raw = engine.run(None)  # a _core.SimulationOutput
    wall = time.perf_counter() - t0
    T = scen.horizon
    res = {"budget_mean": raw.budget.mean, "budget_sd": raw.budget.sd,
           "au_mean": raw.au.mean.reshape(G, T), "au_sd": raw.au.sd.reshape(G, T)}
    if raw.finances is not None:
        f = raw.finances
        res.update(share_deficit=f.share_deficit.mean, p_exhausted=f.p_exhausted.reshape(G, T),
                   saldo_mean=f.saldo.mean.reshape(G, T))
    t0 = time.perf_counter()
    gemfin.simulate(scen, paths=1, progress=False)
    setup += time.perf_counter() - t0  # the labelled result's fixed cost (one path is negligible)
    # End to end as a user calls it (base, compile, run, labelled result), after the warm-up above.
    t0 = time.perf_counter()
    gemfin.simulate(scen, paths=paths, seed=2024, threads=threads or 0, progress=False)
    end_to_end = time.perf_counter() - t0
    return {"wall": wall, "setup": setup, "end_to_end": end_to_end, **summary(scen, res)}


def run_cluster(scen, paths: int) -> dict:
    """gemfin.simulate in-process (2 threads) and on a LocalCluster of 2 workers × 1 thread."""
    import logging

    import gemfin
    from distributed import Client, LocalCluster

    t0 = time.perf_counter()
    gemfin.simulate(scen, paths=paths, seed=2024, threads=2, progress=False)
    local = time.perf_counter() - t0
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=logging.ERROR) as lc, \
            Client(lc) as client:
        t0 = time.perf_counter()
        gemfin.simulate(scen, paths=paths, seed=2024, threads=1, progress=False, client=client)
        remote = time.perf_counter() - t0
    return {"wall": remote, "local": local}


def run_reference(scen, impl: str, paths: int) -> dict:
    sys.path.insert(0, str(Path(__file__).parent))
    import w1_reference as ref

    m = ref.prepare(scen)
    compile_s = 0.0
    if impl == "numba":
        t0 = time.perf_counter()
        kernel = ref._numba_kernel()
        ref.run_numba(m, 64, kernel=kernel)  # compile (not timed below)
        compile_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        res = ref.run_numba(m, paths, kernel=kernel)
    else:
        t0 = time.perf_counter()
        res = ref.run_numpy(m, paths)
    return {"wall": time.perf_counter() - t0, "compile": compile_s, **summary(scen, res)}


def child(args) -> None:
    scen = load(not args.allocation_only, reduced=args.reduced or args.impl in ("numpy", "numba"))
    if args.impl == "gemfin":
        res = run_gemfin(scen, args.paths, args.threads)
    elif args.impl == "cluster":
        res = run_cluster(scen, args.paths)
    else:
        res = run_reference(scen, args.impl, args.paths)
    res["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    res["draws"] = draws(scen, args.paths)
    print(json.dumps(res))


def spawn(impl: str, paths: int, threads: int = 0, allocation_only: bool = False, reduced: bool = False) -> dict:
    cmd = [sys.executable, __file__, "--child", impl, "--paths", str(paths), "--threads", str(threads)]
    cmd += ["--allocation-only"] * allocation_only + ["--reduced"] * reduced
    env = dict(os.environ, NUMBA_NUM_THREADS=str(threads or os.cpu_count()))
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    r = json.loads(out.strip().splitlines()[-1])
    r.update(paths=paths, threads=threads or os.cpu_count())
    return r


def agreement(a: dict, b: dict, key: str, sd_key: str | None = None, scale: float = 1.0) -> str:
    """`a` vs `b` on `key`, in standard errors when the sd is known."""
    s = f"{a[key] / scale:,.3f} vs {b[key] / scale:,.3f}"
    if sd_key:
        se = np.hypot(a[sd_key] / np.sqrt(a["paths"]), b[sd_key] / np.sqrt(b["paths"]))
        s += f" ({(a[key] - b[key]) / se:+.1f} SE)"
    return s


def table(rows: list[dict]) -> None:
    print("| implementation | paths | wall (s) | paths/s | end to end (s) | end-to-end paths/s | "
          "ns per draw × core | peak MB |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        e2e = r.get("end_to_end")
        e2e_cols = f"{e2e:.2f} | {r['paths'] / e2e:,.0f}" if e2e else "– | –"
        print(f"| {r['name']} | {r['paths']:,} | {r['wall']:.2f} | {r['paths'] / r['wall']:,.0f} | {e2e_cols} | "
              f"{r['wall'] * 1e9 * r['threads'] / r['draws']:.1f} | {r['peak_mb']:.0f} |")
    print("\nwall: the simulation itself, inputs ready (gemfin: the core's run; its set-up, "
          + ", ".join(f"{r['setup']:.1f} s" for r in rows if "setup" in r)
          + ", is the rest of gemfin.simulate: model inputs, base allocation, labels).")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paths", type=int, default=100_000, help="gemfin paths (W1: 100,000)")
    ap.add_argument("--numpy-paths", type=int, default=10_000)
    ap.add_argument("--numba-paths", type=int, default=20_000)
    ap.add_argument("--scaling", action="store_true", help="also time and memory at 10k, 100k and 1M paths")
    ap.add_argument("--cluster", action="store_true", help="also a Dask LocalCluster (2 workers) against in-process")
    ap.add_argument("--child", dest="impl")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--allocation-only", action="store_true")
    ap.add_argument("--reduced", action="store_true", help="the budget model as the references implement it")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs of the allocation-only W1 (allocation only, 2 threads): this VM's speed drifts, so the "
                         "table shows the median run and the text the range")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat: expected at least 1 run")
    if args.impl:
        child(args)
        return
    pps = lambda r: r["paths"] / r["wall"]
    rows = []
    for name, impl, paths, threads in [("gemfin, 1 thread", "gemfin", args.paths, 1),
                                       ("gemfin, 2 threads", "gemfin", args.paths, 2),
                                       ("NumPy (vectorised, batches of 2,000)", "numpy", args.numpy_paths, 1),
                                       ("numba (parallel, 2 threads)", "numba", args.numba_paths, 2)]:
        r = spawn(impl, paths, threads)
        r["name"] = name
        rows.append(r)
        print(f"  ran {name}: {r['wall']:.2f} s", file=sys.stderr)
    g1, g2, npy, nb = rows
    print(f"\n## W1: baseline with the budget model, {G} municipalities × 10 years\n")
    table(rows)
    e2e = lambda r: r["paths"] / r["end_to_end"]
    print(f"\nEnd to end (gemfin.simulate as a user calls it) at 2 threads: {e2e(g2) / pps(npy):.1f}× NumPy, "
          f"{e2e(g2) / pps(nb):.1f}× numba; peak RSS {g2['peak_mb']:.0f} MB")
    print(f"\ngemfin at 2 threads: {pps(g2) / pps(npy):.1f}× NumPy, {pps(g2) / pps(nb):.1f}× numba "
          f"(numba compile {nb['compile']:.1f} s, not timed); parallel efficiency {pps(g2) / pps(g1) / 2:.0%}; "
          f"W1 (100,000 paths) at 2 threads: {100_000 / pps(g2):.1f} s")
    same = spawn("gemfin", args.paths, 2, reduced=True)  # the model the references implement
    print("\nAgreement (last year; gemfin 2 threads vs NumPy vs numba), on the budget model the references "
          "implement (no realisation model, response, ingroei suppletie, revenue volume or fading excess; "
          "the timings above are of the full baseline for gemfin and of that model for the references):\n")
    for label, key, sd, scale in [("mean AU budget (EUR bn)", "budget_mean", "budget_sd", 1e9),
                                  ("sd AU budget (EUR bn)", "budget_sd", None, 1e9),
                                  ("mean AU Groningen (EUR mln)", "au_mean_0014", "au_sd_0014", 1e6),
                                  ("share of municipalities in deficit", "share_deficit", None, 1),
                                  ("mean P(reserves exhausted)", "p_exhausted", None, 1),
                                  ("mean saldo Groningen (EUR mln)", "saldo_0014", None, 1e6)]:
        print(f"- {label}: NumPy {agreement(same, npy, key, sd, scale)}; numba {agreement(same, nb, key, sd, scale)}")

    runs = sorted((spawn("gemfin", args.paths, 2, allocation_only=True) for _ in range(args.repeat)),
                  key=lambda r: r["wall"])
    a2 = runs[len(runs) // 2]  # the median run (the upper one of an even count)
    an = spawn("numpy", args.numpy_paths, 1, allocation_only=True)
    a2["name"], an["name"] = "gemfin, 2 threads", "NumPy (vectorised)"
    print("\n## W1 allocation only: the projection without the budget model\n")
    table([a2, an])
    print(f"\nEnd to end at 2 threads: {a2['paths'] / a2['end_to_end'] / pps(an):.1f}× NumPy "
          f"({a2['end_to_end'] * 100_000 / a2['paths']:.2f} s for W1); peak RSS {a2['peak_mb']:.0f} MB")
    print(f"\ngemfin at 2 threads: {pps(a2) / pps(an):.1f}× NumPy; W1 at 2 threads: {100_000 / pps(a2):.2f} s; "
          f"mean AU budget {agreement(a2, an, 'budget_mean', 'budget_sd', 1e9)}")
    if len(runs) > 1:
        walls = [r["wall"] * 100_000 / r["paths"] for r in runs]
        print(f"\nW1 at 2 threads over {len(runs)} runs: min {walls[0]:.2f} s, median {walls[len(walls) // 2]:.2f} s, "
              f"max {walls[-1]:.2f} s ({', '.join(f'{w:.2f}' for w in walls)}; "
              f"{sum(w < 5.0 for w in walls)} of {len(walls)} under 5 s)")

    if args.scaling:
        print("\n## Time and memory against paths (gemfin, 2 threads, budget model)\n")
        print("| paths | wall (s) | µs per path | peak MB |\n|---|---|---|---|")
        for p in (10_000, 100_000, 1_000_000):
            r = spawn("gemfin", p, 2)
            print(f"| {p:,} | {r['wall']:.1f} | {r['wall'] / p * 1e6:.0f} | {r['peak_mb']:.0f} |", flush=True)
    if args.cluster:
        c = spawn("cluster", args.paths)
        print("\n## Dask LocalCluster (2 worker processes × 1 thread) against in-process (2 threads)\n")
        print("gemfin.simulate end to end (set-up and labelled result included):\n")
        print("| run | paths | wall (s) | paths/s |\n|---|---|---|---|")
        for name, w in (("in-process, 2 threads", c["local"]), ("LocalCluster, 2 workers", c["wall"])):
            print(f"| {name} | {c['paths']:,} | {w:.2f} | {c['paths'] / w:,.0f} |")
        print(f"\nLocalCluster overhead: {c['wall'] / c['local'] - 1:+.0%} wall time (worker start-up and imports, "
              "model build and pilot block per worker, parts shipped as bytes)")

if __name__ == "__main__":
    main()
