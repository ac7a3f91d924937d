"""The scan's speed: gemfin.balance for one circulaire and filing, cold (first call in the
process: files parsed) and after loading (caches warm), the fit of a proposal, and the fund's
history 2017–2025. Prints a markdown table; not part of the test suite.

    .venv/bin/python benchmarks/scan.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed(fn, repeat: int) -> tuple[float, float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times), max(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    t0 = time.perf_counter()
    import gemfin

    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    gemfin.balance("S2024_2025", ("begroting", 2025))
    t_cold = time.perf_counter() - t0
    circ = gemfin.load_circulaire("S2024_2025")
    alloc = gemfin.allocate(circ)
    rows = [("import gemfin", (t_import,) * 3), ("balance, first call (files parsed)", (t_cold,) * 3),
            ("balance(S2024_2025, begroting 2025), after loading",
             timed(lambda: gemfin.balance("S2024_2025", ("begroting", 2025)), args.repeat)),
            ("balance of an Allocation already made", timed(lambda: gemfin.balance(alloc, ("begroting", 2025)), args.repeat)),
            ("balance(S2024_2025, jaarrekening 2023), after loading",
             timed(lambda: gemfin.balance("S2024_2025", ("jaarrekening", 2023)), args.repeat))]
    cmp = gemfin.compare(circ, REPO / "scenarios" / "proposals" / "jeugd-naar-jongeren.yaml")
    rows.append(("Comparison.fit()", timed(cmp.fit, args.repeat)))
    t0 = time.perf_counter()
    gemfin.fund_history()
    rows.append(("fund_history(), first call", (time.perf_counter() - t0,) * 3))
    print("| step | min (s) | median (s) | max (s) |\n|---|---|---|---|")
    for name, (lo, med, hi) in rows:
        print(f"| {name} | {lo:.3f} | {med:.3f} | {hi:.3f} |")


if __name__ == "__main__":
    main()
