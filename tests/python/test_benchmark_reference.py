"""The NumPy reference of benchmarks/w1.py implements the model gemfin runs: on the baseline
without uncertainty the two give the same fund, year by year (the published GDP window and
accres included), so the benchmark's speed ratios compare like with like."""

from __future__ import annotations

import sys

import numpy as np

import gemfin
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
import w1  # noqa: E402
import w1_reference  # noqa: E402


def test_the_numpy_reference_follows_the_fund_of_the_core():
    scen = w1.load(budget=False).deterministic()
    ref = w1_reference.run_numpy(w1_reference.prepare(scen), paths=8)
    core = gemfin.simulate(scen, paths=8, seed=1, progress=False)
    np.testing.assert_allclose(ref["budget_mean"], core.budget["mean"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(ref["au_mean"], core.au_mean, rtol=1e-9)
