"""The figures the baseline is judged by, for the shipped budget scenarios: the share of
municipalities in deficit, the expected number of artikel-12 signals, the mean P(reserves
exhausted), the national saldo and, with a response rule, the measures it takes. Prints a
table per scenario. Not part of the test suite.

    .venv/bin/python benchmarks/baseline_credibility.py [--paths 5000] [--seed 1] [scenario ...]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT = ("baseline", "jeugdzorg-stress", "recession")


def figures(name: str, paths: int, seed: int) -> pd.DataFrame:
    import gemfin

    res = gemfin.simulate(REPO / "scenarios" / f"{name}.yaml", paths=paths, seed=seed, progress=False)
    f = res.finances
    out = pd.DataFrame(index=pd.Index(f.years, name="year"))
    out["share in deficit"] = f.share_deficit["mean"].to_numpy()
    out["expected artikel-12 signals"] = f.p_art12.sum(axis=0)
    out["mean P(reserves exhausted)"] = f.p_exhausted.mean(axis=0)
    out["national saldo (EUR bn)"] = f.saldo_mean.sum(axis=0) / 1e9
    out["reserves (EUR bn)"] = f.reserves_mean.sum(axis=0) / 1e9
    if getattr(f, "response_mean", None) is not None:
        out["measures (EUR bn)"] = f.response_mean.sum(axis=0) / 1e9
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenarios", nargs="*", default=list(DEFAULT))
    ap.add_argument("--paths", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    for name in a.scenarios:
        print(f"\n### {name} ({a.paths} paths, seed {a.seed})\n")
        print(figures(name, a.paths, a.seed).to_string(float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
