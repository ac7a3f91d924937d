"""Benchmark W1: 342 municipalities × 10 years × N paths of scenarios/baseline.yaml.

Runs gemfin at 1 and 2 threads and a vectorised NumPy implementation of the same model, each
in its own subprocess (so peak memory is its own), checks that they agree statistically and
prints a table. Not part of the test suite.

    .venv/bin/python benchmarks/w1.py                 # W1 (100,000 paths), NumPy at 10,000
    .venv/bin/python benchmarks/w1.py --paths 20000 --numpy-paths 5000
    .venv/bin/python benchmarks/w1.py --scaling       # also memory and time at 10k/100k/1M paths
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "baseline.yaml"


def run_gemfin(paths: int, threads: int) -> dict:
    import gemfin

    scen = allocation_only(gemfin.load_scenario(SCENARIO))
    t0 = time.perf_counter()
    r = gemfin.simulate(scen, paths=paths, seed=2024, threads=threads, progress=False)
    wall = time.perf_counter() - t0
    return {"wall": wall, "budget_mean": r.budget["mean"].tolist(), "budget_sd": r.budget["sd"].tolist(),
            "au_mean_0014": r.au_mean[list(r.municipalities.index).index("GM0014")].tolist(),
            "draws": draws(scen, paths)}


def allocation_only(scen):
    """W1 as in issue #3: the gemeentefonds projection without the budget model (the NumPy
    reference implements the same)."""
    import dataclasses

    return dataclasses.replace(scen, budget=None, shocks=(), compensation=())


def draws(scen, paths: int) -> int:
    g = 342
    muni = sum(1 for d in scen.drivers if d.municipal_sd.value > 0)
    return paths * scen.horizon * (g * muni + len(scen.shock_names))


def run_numpy(paths: int, batch: int = 2000) -> dict:
    """The same model, vectorised over a batch of paths with NumPy's PCG64 normals."""
    import gemfin
    from scipy import stats

    scen = allocation_only(gemfin.load_scenario(SCENARIO))
    inp = scen.model_inputs()
    cb, co = inp["c_basis"], inp["c_ozb"]  # G × (D+1)
    G, D1 = cb.shape
    D, T = D1 - 1, scen.horizon
    L = np.linalg.cholesky(inp["correlation"])
    rng = np.random.default_rng(2024)
    fund = inp["fund"]
    nat = [d.national for d in scen.drivers]
    tau = np.array([d.municipal_sd.value for d in scen.drivers])
    navg = [d.average_years for d in scen.drivers]
    F = 2
    t0 = time.perf_counter()
    s_budget = np.zeros(T); ss_budget = np.zeros(T); s_au = np.zeros((G, T)); n_done = 0

    def marginal(dist, z):
        if dist.kind == "normal":
            return dist.params[0] + dist.params[1] * z
        if dist.kind == "student_t":
            return dist.params[1] + dist.params[2] * stats.t.ppf(stats.norm.cdf(z), dist.params[0])
        if dist.kind == "fixed":
            return np.full_like(z, dist.params[0])
        raise NotImplementedError(dist.kind)

    while n_done < paths:
        n = min(batch, paths - n_done)
        budget = np.full(n, fund["budget0"])
        g_prev = np.full(n, fund["growth"]["start"]); p_prev = np.full(n, fund["price"]["start"])
        real = np.full((n, T + 10), fund["growth"]["start"])
        levels = np.ones((max(navg), D, n, G))
        for t in range(T):
            z = rng.standard_normal((n, F + D)) @ L.T
            gs = scen.growth
            g = gs.mean.value + gs.persistence.value * (g_prev - gs.mean.value) + marginal(gs.shock, z[:, 0])
            ps = scen.price
            p = ps.mean.value + ps.persistence.value * (p_prev - ps.mean.value) + marginal(ps.shock, z[:, 1])
            g_prev, p_prev = g, p
            y = t + 1
            real[:, y + 9] = g
            accres = real[:, y:y + 8].mean(axis=1) + p
            budget = budget * (1 + accres) + fund["policy_mutations"][t]
            basis = np.tile(cb[:, D], (n, 1)); ozb = np.tile(co[:, D], (n, 1))
            slot = t % levels.shape[0]
            for d in range(D):
                growth = marginal(nat[d], z[:, F + d])[:, None] + tau[d] * rng.standard_normal((n, G))
                prev = levels[(slot - 1) % levels.shape[0], d] if t > 0 else 1.0
                levels[slot, d] = prev * np.exp(growth)
                if navg[d] > 1:
                    mult = sum(levels[(slot - a) % levels.shape[0], d] if t >= a else 1.0 for a in range(navg[d])) / navg[d]
                else:
                    mult = levels[slot, d]
                basis += mult * cb[:, d]; ozb += mult * co[:, d]
            uf = (budget - ozb.sum(axis=1)) / basis.sum(axis=1)
            au = uf[:, None] * basis + ozb
            s_budget[t] += budget.sum(); ss_budget[t] += (budget ** 2).sum(); s_au[:, t] += au.sum(axis=0)
        n_done += n
    wall = time.perf_counter() - t0
    mean = s_budget / paths
    codes = list(scen.load_circulaire().volumes.index)
    return {"wall": wall, "budget_mean": mean.tolist(),
            "budget_sd": np.sqrt(ss_budget / paths - mean ** 2).tolist(),
            "au_mean_0014": (s_au[codes.index("GM0014")] / paths).tolist(), "draws": draws(scen, paths)}


def child(args) -> None:
    res = run_gemfin(args.paths, args.threads) if args.impl == "gemfin" else run_numpy(args.paths)
    res["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(res))


def spawn(impl: str, paths: int, threads: int = 0) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", impl, "--paths", str(paths), "--threads", str(threads)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--numpy-paths", type=int, default=10_000)
    ap.add_argument("--scaling", action="store_true")
    ap.add_argument("--child", dest="impl")
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    if args.impl:
        child(args)
        return
    rows = []
    for name, impl, paths, threads in [("gemfin, 1 thread", "gemfin", args.paths, 1),
                                       ("gemfin, 2 threads", "gemfin", args.paths, 2),
                                       ("NumPy (vectorised, batches of 2,000)", "numpy", args.numpy_paths, 0)]:
        r = spawn(impl, paths, threads)
        r.update(name=name, paths=paths)
        rows.append(r)
        print(f"  ran {name}: {r['wall']:.2f} s", file=sys.stderr)
    print("\nW1-shaped workload: baseline scenario, 342 municipalities × 10 years\n")
    print("| implementation | paths | wall (s) | paths/s | ns per draw-core | peak MB |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        cores = 2 if "2 threads" in r["name"] else 1
        print(f"| {r['name']} | {r['paths']:,} | {r['wall']:.2f} | {r['paths'] / r['wall']:,.0f} | "
              f"{r['wall'] * 1e9 * cores / r['draws']:.1f} | {r['peak_mb']:.0f} |")
    g1, g2, npy = rows
    pps = lambda r: r["paths"] / r["wall"]
    print(f"\nspeed-up 2 threads over NumPy: {pps(g2) / pps(npy):.1f}×; parallel efficiency at 2 threads: "
          f"{pps(g2) / pps(g1) / 2:.0%}; W1 at 2 threads extrapolated to 100,000 paths: {100_000 / pps(g2):.1f} s")
    # Statistical agreement: mean budget in the last year within 4 standard errors.
    se = np.hypot(g2["budget_sd"][-1] / np.sqrt(g2["paths"]), npy["budget_sd"][-1] / np.sqrt(npy["paths"]))
    diff = g2["budget_mean"][-1] - npy["budget_mean"][-1]
    print(f"agreement, mean AU budget 2035: gemfin {g2['budget_mean'][-1] / 1e9:.3f} bn vs NumPy "
          f"{npy['budget_mean'][-1] / 1e9:.3f} bn ({diff / se:+.1f} standard errors); sd {g2['budget_sd'][-1] / 1e9:.3f} "
          f"vs {npy['budget_sd'][-1] / 1e9:.3f} bn")
    if args.scaling:
        print("\n| paths | wall (s) | peak MB |\n|---|---|---|")
        for p in (10_000, 100_000, 1_000_000):
            r = spawn("gemfin", p, 2)
            print(f"| {p:,} | {r['wall']:.1f} | {r['peak_mb']:.0f} |")


if __name__ == "__main__":
    main()
