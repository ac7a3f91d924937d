"""W1 under each SIMD target of the kernels: the baseline with and without the
budget model, 100,000 paths, 2 threads, `gemfin.simulate` end to end, each target forced with
GEMFIN_SIMD in its own process; prints a markdown table and checks that every target gives
the same digest (of a 1,024-path run). Not part of the test suite.

    .venv/bin/python benchmarks/simd_targets.py                 # every target, best of 3
    .venv/bin/python benchmarks/simd_targets.py --repeat 1 --targets avx512,avx2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_CHILD = r"""
import hashlib, json, sys, time
import numpy as np
import gemfin
sys.path.insert(0, sys.argv[4])
from w1 import load  # the allocation-only W1 is the one benchmarks/w1.py runs
scen, alloc = load(budget=True), load(budget=False)
paths, repeat = int(sys.argv[2]), int(sys.argv[3])
out = {"target": gemfin.simd_target()}
for label, s in (("allocation", alloc), ("budgets", scen)):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        gemfin.simulate(s, paths=paths, seed=1, threads=2, progress=False)
        times.append(time.perf_counter() - t0)
    out[label] = min(times)
ds = gemfin.simulate(scen, paths=1024, seed=5, progress=False).to_xarray()
h = hashlib.sha256()
for name in sorted(ds.data_vars):
    h.update(np.ascontiguousarray(ds[name].values, dtype=np.float64).tobytes())
out["digest"] = h.hexdigest()[:16]
print(json.dumps(out))
"""


def main() -> None:
    import gemfin

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--targets", help="comma-separated (default: every target this CPU supports)")
    args = ap.parse_args()
    targets = args.targets.split(",") if args.targets else gemfin.simd_targets()
    print(f"W1 by SIMD target: {args.paths:,} paths, 2 threads, best of {args.repeat} (s)\n")
    print("| target | allocation only | with budgets | digest |\n|---|---|---|---|", flush=True)
    digests = set()
    for t in targets:
        env = dict(os.environ, GEMFIN_SIMD=t)
        out = subprocess.run([sys.executable, "-c", _CHILD, str(REPO / "scenarios" / "baseline.yaml"), str(args.paths),
                              str(args.repeat), str(REPO / "benchmarks")], env=env, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"target {t}: the run failed:\n{out.stderr.strip()}")
        r = json.loads(out.stdout.strip().splitlines()[-1])
        digests.add(r["digest"])
        print(f"| `{r['target']}` | {r['allocation']:.2f} | {r['budgets']:.2f} | `{r['digest']}` |", flush=True)
    print("\nthe same digest on every target" if len(digests) == 1 else f"\nDIGESTS DIFFER: {sorted(digests)}")


if __name__ == "__main__":
    main()
