"""Monte Carlo projection: determinism, identities, accuracy, labelled results, interruption."""

import subprocess
import sys
import time

import numpy as np
import pytest

import gemfin
from gemfin.errors import InputError

from conftest import REPO

BASELINE = REPO / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def scen():
    return gemfin.load_scenario(BASELINE)


@pytest.fixture(scope="module")
def result(scen):
    return gemfin.simulate(scen, paths=3000, seed=11, keep=["GM0014", "GM0363"], progress=False,
                           block_size=512)


def test_bitwise_identical_across_thread_counts(scen, result):
    for threads in (1, 2, 4):
        r = gemfin.simulate(scen, paths=3000, seed=11, keep=["GM0014", "GM0363"], progress=False,
                            block_size=512, threads=threads)
        assert np.array_equal(r.au_mean, result.au_mean)
        assert np.array_equal(r.au_sd, result.au_sd)
        assert np.array_equal(r.au_quantiles, result.au_quantiles)
        assert np.array_equal(r.p_below_base, result.p_below_base)
        assert r.budget.equals(result.budget)
        assert r.kept_paths["GM0014"].equals(result.kept_paths["GM0014"])


def test_bitwise_identical_for_any_block_size(scen, result):
    """Moments merge up a fixed tree of 64-path leaves: the block size only schedules the work."""
    ds = result.to_xarray()
    for block_size in (64, 1024, 16384):
        other = gemfin.simulate(scen, paths=3000, seed=11, keep=["GM0014", "GM0363"], progress=False,
                                block_size=block_size).to_xarray()
        for name in ds.data_vars:
            assert np.array_equal(ds[name].values, other[name].values, equal_nan=True), (block_size, name)
    for bad in (0, 100, 32, 32768):
        with pytest.raises(gemfin.InputError, match="block_size"):
            gemfin.simulate(scen, paths=10, block_size=bad, progress=False)


def test_bins_are_bounded_by_the_two_byte_slots(scen):
    """A histogram slot is two bytes: 16 to 65,534 bins; outside, an error naming the field."""
    r = gemfin.simulate(scen, paths=64, bins=65_534, block_size=64, progress=False)
    assert np.isfinite(r.au_quantiles).all()
    for bad in (15, 65_535, 1 << 20):
        with pytest.raises(gemfin.InputError, match="bins"):
            gemfin.simulate(scen, paths=10, bins=bad, progress=False)


def test_seed_changes_the_result(scen, result):
    other = gemfin.simulate(scen, paths=3000, seed=12, progress=False, block_size=512)
    assert not np.array_equal(other.au_mean, result.au_mean)


def test_budget_identity_every_path_and_year(result):
    assert result.max_budget_rel_error < 1e-12
    # Linearity: the mean AU over municipalities adds up to the mean budget.
    np.testing.assert_allclose(result.au_mean.sum(axis=0), result.budget["mean"].to_numpy(), rtol=1e-12)


def test_quantiles_ordered_and_probabilities_valid(result):
    q = result.au_quantiles
    assert np.all(np.diff(q, axis=2) >= 0)
    assert np.all((result.p_below_base >= 0) & (result.p_below_base <= 1))
    assert np.all(result.au_sd > 0)


def test_streamed_statistics_match_kept_paths(result):
    for code in ("GM0014", "GM0363"):
        paths = result.kept_paths[code].to_numpy()
        g = list(result.municipalities.index).index(code)
        np.testing.assert_allclose(result.au_mean[g], paths.mean(axis=0), rtol=1e-12)
        np.testing.assert_allclose(result.au_sd[g], paths.std(axis=0, ddof=1), rtol=1e-9)
        exact = np.quantile(paths, result.quantiles, axis=0).T  # year × quantile
        iqr = np.quantile(paths, 0.75, axis=0) - np.quantile(paths, 0.25, axis=0)
        err = np.abs(result.au_quantiles[g] - exact) / iqr[:, None]
        assert err.max() <= 0.005, err.max()


def _reference_projection(scen):
    """The documented model with every shock at its mean, written independently with numpy
    from the circulaire (not from Scenario.model_inputs)."""
    circ = scen.prepared_circulaire()
    base = gemfin.allocate(circ)
    rate = circ.rates.sum(axis=1)
    T = scen.horizon
    mult = {m: np.ones(T) for m in circ.volumes.columns}
    for d in scen.drivers.values():
        level = np.exp(d.national.mean * np.arange(1, T + 1))
        hist = np.concatenate([np.ones(d.average_years - 1), level])
        m_avg = np.array([hist[t:t + d.average_years].mean() for t in range(T)])
        for m in d.maatstaven:
            mult[m] = m_avg
    growth, price = scen.fund.growth, scen.fund.price
    budget, g_prev, p_prev = base.au_total, growth.start.value, price.start.value
    # real growth by year: the published years the scenario lists, up to the base year
    base_year, hist = scen.years[0] - 1, growth.history
    if isinstance(hist, dict):
        real = {y: hist[y].value if y in hist else growth.start.value for y in range(base_year - 9, base_year + 1)}
    else:
        real = {y: growth.start.value if hist is None else hist.value for y in range(base_year - 9, base_year + 1)}
    mut: dict[int, float] = {}
    for m in scen.fund.policy_mutations or []:  # several may fall in one year
        mut[m.year] = mut.get(m.year, 0.0) + m.amount
    out_budget, out_au = [], []
    for t, year in enumerate(scen.years):
        g = growth.mean.value + growth.persistence.value * (g_prev - growth.mean.value) + growth.shock.mean
        p = price.mean.value + price.persistence.value * (p_prev - price.mean.value) + price.shock.mean
        g_prev, p_prev = g, p
        real[year] = g
        accres = np.mean([real[y] for y in range(year - 9, year - 1)]) + p  # the window t−9 … t−2
        published = (scen.fund.periods or {}).get(year)
        if published is not None and published.rule == "published":  # the circulaire's accres of that year
            accres = published.accres.value + (p - published.price.value if published.price else 0.0)
        budget = budget * (1 + accres) + mut.get(year, 0.0)
        basis = sum(circ.volumes[m].to_numpy() * rate[m] * mult[m][t] for m in circ.volumes.columns if not circ.maatstaven.loc[m, "is_ozb"])
        ozb = sum(circ.volumes[m].to_numpy() * rate[m] * mult[m][t] for m in circ.volumes.columns if circ.maatstaven.loc[m, "is_ozb"])
        uf = (budget - ozb.sum()) / basis.sum()
        out_budget.append(budget)
        out_au.append(uf * basis + ozb)
    return np.array(out_budget), np.array(out_au).T


def test_zero_volatility_equals_deterministic_projection(scen):
    det = scen.deterministic()
    r = gemfin.simulate(det, paths=64, progress=False)
    budget, au = _reference_projection(scen)
    np.testing.assert_allclose(r.budget["mean"].to_numpy(), budget, rtol=1e-12)
    np.testing.assert_allclose(r.au_mean, au, rtol=1e-11)
    assert np.all(r.au_sd == 0)
    for k in range(len(r.quantiles)):
        np.testing.assert_array_equal(r.au_quantiles[:, :, k], r.au_mean)


def test_labelled_outputs(result, scen):
    ds = result.to_xarray()
    assert ds["algemene_uitkering"].dims == ("municipality", "year", "statistic")
    assert list(ds.year.values) == scen.years == list(range(2026, 2036))
    assert "GM0363" in ds.municipality.values
    assert ds["name"].sel(municipality="GM0363").item() == "Amsterdam"
    assert {"mean", "sd", "q5", "q50", "q95", "p_below_base"} <= set(ds.statistic.values)
    s = result.summary()
    assert len(s) == 342 and s.attrs["year"] == 2035
    assert result.national().shape[0] == 10
    html = result._repr_html_()
    assert "Most likely" in html
    if result.finances is not None:  # the baseline has a budget section
        share = result.finances.national()["share in deficit mean"]
        assert f"{share.iloc[0]:.0%} (2026) → {share.iloc[-1]:.0%} (2035)" in html
        top = result.finances.risk_table(n=1)["name"].iloc[0]
        assert "Most at risk of exhausting reserves" in html and top in html
    assert "Baseline" in scen._repr_html_()


def test_antithetic_pairs_keep_the_spread(scen):
    plain = gemfin.simulate(scen, paths=2000, seed=5, progress=False)
    anti = gemfin.simulate(scen, paths=2000, seed=5, antithetic=True, progress=False)
    assert anti.budget["sd"].iloc[-1] == pytest.approx(plain.budget["sd"].iloc[-1], rel=0.15)
    with pytest.raises(InputError, match="even number of paths"):
        gemfin.simulate(scen, paths=7, antithetic=True, progress=False)


@pytest.mark.parametrize(
    "kwargs,message",
    [({"paths": 0}, "paths must be an integer"), ({"seed": -1}, "seed must be an integer"),
     ({"threads": 0}, "threads must be an integer"), ({"keep": ["GM9999"]}, "unknown municipality 'GM9999'"),
     ({"quantiles": [0.5, 1.5]}, r"probabilities in \[0, 1\]")],
)
def test_simulate_argument_errors(scen, kwargs, message):
    with pytest.raises(InputError, match=message):
        gemfin.simulate(scen, progress=False, **kwargs)


CTRL_C_SCRIPT = """
import os, signal, sys, threading, time
import gemfin
scen = gemfin.load_scenario(sys.argv[1])
gemfin.simulate(scen, paths=64, progress=False)  # warm up: data loaded, engine built
threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
start = time.monotonic()
try:
    gemfin.simulate(scen, paths=2_000_000, progress=False)
    print("NOT INTERRUPTED")
except KeyboardInterrupt:
    print(f"interrupted after {time.monotonic() - start:.2f}")
    print(gemfin.simulate(scen, paths=100, progress=False).paths)
"""


def test_ctrl_c_stops_the_run():
    """Ctrl-C (SIGINT) in a fresh interpreter: KeyboardInterrupt within about a second of the
    signal, and the engine is usable afterwards. A subprocess, because in this process other
    libraries (hypothesis installs garbage-collector callbacks) may receive and swallow it."""
    out = subprocess.run([sys.executable, "-c", CTRL_C_SCRIPT, str(BASELINE)], capture_output=True, text=True,
                         timeout=120)
    lines = out.stdout.split()
    assert "interrupted" in out.stdout, out.stdout + out.stderr
    elapsed = float(lines[lines.index("after") + 1])
    assert elapsed < 1.0 + 1.5  # the signal comes at 1.0 s; the current block then finishes
    assert lines[-1] == "100"


def test_an_exception_in_the_progress_callback_stops_the_run_cleanly(scen):
    calls = []

    def progress(done):
        calls.append(done)
        raise KeyboardInterrupt

    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        gemfin.simulate(scen, paths=2_000_000, progress=progress)
    assert time.monotonic() - start < 10 and len(calls) == 1
    seen = []
    r = gemfin.simulate(scen, paths=3000, progress=seen.append, block_size=512)
    assert r.paths == 3000 and seen[-1] == 3000 and seen == sorted(seen)


def test_a_base_is_built_once_and_read_by_variants():
    import numpy as np

    import gemfin
    from gemfin.run.base import build_base
    from gemfin.errors import InputError

    scen = gemfin.load_scenario("baseline")
    base = build_base(scen)
    variant = scen.with_values({"fund.growth.mean.value": 0.02})
    with_base = gemfin.simulate(variant, paths=128, seed=3, progress=False, base=base)
    alone = gemfin.simulate(variant, paths=128, seed=3, progress=False)
    np.testing.assert_array_equal(with_base.au_mean, alone.au_mean)
    np.testing.assert_array_equal(with_base.finances.saldo_mean, alone.finances.saldo_mean)
    with pytest.raises(ValueError, match="read-only"):
        base.c_basis[0, 0] = 0.0  # read-only: concurrent runs share it
    with pytest.raises(ValueError, match="read-only"):
        base.budget.arrays["ozb"][0] = 0.0
    with pytest.raises(TypeError):
        base.budget.arrays["ozb"] = None
    with pytest.raises(InputError, match="built for a scenario of another structure"):
        gemfin.simulate(scen.with_values({"horizon": 4}), paths=16, progress=False, base=base)
    with pytest.raises(InputError, match="expected a gemfin.run.base.Base"):
        gemfin.simulate(scen, paths=16, progress=False, base={"circulaire": None})
