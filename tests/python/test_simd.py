"""The same numbers on every SIMD target: a run forced onto each target this CPU supports
(GEMFIN_SIMD) gives bitwise the same xarray results and budget arrays; a Dask run whose workers
use different targets gives bitwise the local result; an unknown target is a clear error."""

import json
import logging
import os
import subprocess
import sys

import numpy as np
import pytest

import gemfin

from conftest import REPO

SCENARIO = str(REPO / "scenarios" / "baseline.yaml")
RUN = dict(paths=1024, seed=5, block_size=64, keep=["GM0363"], progress=False)

# Run in a fresh interpreter, so that GEMFIN_SIMD is read by the core of that process.
_CHILD = """
import hashlib, json, sys
import numpy as np
import gemfin
res = gemfin.simulate(sys.argv[1], **json.loads(sys.argv[2]))
h = hashlib.sha256()
ds = res.to_xarray()
for name in sorted(ds.data_vars):
    h.update(name.encode()); h.update(np.ascontiguousarray(ds[name].values, dtype=np.float64).tobytes())
f = res.finances
for name in ("saldo_mean", "saldo_sd", "saldo_quantiles", "p_deficit", "shortfall", "p_exhausted", "p_art12",
             "net_shock", "reserves_mean", "response_mean"):
    h.update(np.ascontiguousarray(getattr(f, name), dtype=np.float64).tobytes())
h.update(res.kept_paths["GM0363"].to_numpy().tobytes())
print(json.dumps({"target": gemfin.simd_target(), "budget_isa": gemfin._core.budget_isa(), "digest": h.hexdigest()}))
"""


def _run(target: str) -> dict:
    env = dict(os.environ, GEMFIN_SIMD=target)
    out = subprocess.run([sys.executable, "-c", _CHILD, SCENARIO, json.dumps(RUN)], env=env, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_targets_are_listed_and_the_one_in_use_is_among_them():
    targets = gemfin.simd_targets()
    assert targets and gemfin.simd_target() in targets
    if os.uname().machine == "x86_64":
        assert {"sse4", "scalar"} <= set(targets)
        assert targets[-1] == "scalar"


def test_every_target_gives_the_same_bits():
    """The kernels and the budget year's per-instruction-set copies alike: GEMFIN_SIMD selects both."""
    runs = [_run(t) for t in gemfin.simd_targets()]
    assert [r["target"] for r in runs] == gemfin.simd_targets()
    expected_isa = {"avx512": "avx512", "avx2": "avx2"} if os.uname().machine == "x86_64" else {}
    assert [r["budget_isa"] for r in runs] == [expected_isa.get(t, "baseline") for t in gemfin.simd_targets()]
    assert len({r["digest"] for r in runs}) == 1, runs


def test_an_unknown_target_is_a_clear_error():
    env = dict(os.environ, GEMFIN_SIMD="avx1024")
    code = "import gemfin\ntry:\n    gemfin.simulate(%r, paths=64, progress=False)\nexcept gemfin.InputError as e:\n    print(e)" % SCENARIO
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "GEMFIN_SIMD: unknown SIMD target 'avx1024'; this CPU supports: " in out.stdout
    assert gemfin.simd_targets()[0] in out.stdout


def test_workers_on_different_targets_give_the_local_result():
    distributed = pytest.importorskip("distributed")
    targets = gemfin.simd_targets()
    if len(targets) < 2:
        pytest.skip("this CPU has one SIMD target")
    forced = [targets[0], targets[-1]]  # the best and the fallback
    workers = {name: {"cls": distributed.Nanny, "options": {"nthreads": 1, "env": {"GEMFIN_SIMD": t}}}
               for name, t in zip(("a", "b"), forced)}
    scheduler = {"cls": distributed.Scheduler, "options": {"dashboard_address": None}}
    scen = gemfin.load_scenario(SCENARIO)
    local = gemfin.simulate(scen, **RUN)
    with distributed.SpecCluster(workers=workers, scheduler=scheduler, silence_logs=logging.ERROR) as cluster, \
            distributed.Client(cluster) as client:
        client.wait_for_workers(2)
        assert sorted(client.run(gemfin.simd_target).values()) == sorted(forced)
        res = gemfin.simulate(scen, client=client, partitions=4, **RUN)
    assert np.array_equal(res.au_mean, local.au_mean) and np.array_equal(res.au_quantiles, local.au_quantiles)
    assert res.budget.equals(local.budget)
    assert res.kept_paths["GM0363"].equals(local.kept_paths["GM0363"])
    for name in ("saldo_mean", "saldo_quantiles", "p_deficit", "p_exhausted", "p_art12", "reserves_mean"):
        assert np.array_equal(getattr(res.finances, name), getattr(local.finances, name), equal_nan=True), name


def test_python_values_that_feed_the_core_use_the_fixed_operations():
    """numpy's exp and power differ by CPU (vector routines on AVX-512); what the Python side
    computes for the core goes through the core's fixed operations, which agree with the C
    library to an ulp or two and give the same bits everywhere."""
    import math

    from gemfin.engine import fixed_exp, fixed_power
    from gemfin.realisation import size_factor

    x = np.random.default_rng(5).uniform(1e-3, 50.0, 20_000)
    got = fixed_power(x, 0.37)
    want = np.array([math.pow(v, 0.37) for v in x])
    assert np.max(np.abs(got - want) / want) < 1e-15
    assert np.array_equal(np.isnan(fixed_power(np.array([0.0, -2.0, np.nan, np.inf, 4.0]), 0.5)),
                          [True, True, True, True, False])
    # the size factor of the realisation model is exactly the fixed power, 1 where inhabitants are unknown
    n = np.array([12_000.0, 0.0, np.nan, 850_000.0])
    f = size_factor(n, -0.21, 30_000.0)
    assert f[1] == f[2] == 1.0
    assert f[0] == fixed_power(np.array([0.4]), -0.21)[0] and f[3] == fixed_power(np.array([850_000.0 / 30_000.0]), -0.21)[0]
    # the mean of a lognormal (deterministic runs)
    from gemfin.engine import distribution_mean

    m = distribution_mean("lognormal", (0.01, 0.2))
    assert m == float(fixed_exp(0.01 + 0.2 * 0.2 / 2)) and abs(m - math.exp(0.03)) < 1e-15
