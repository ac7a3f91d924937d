"""A scenario against the baseline: paired differences with common random numbers and their
Monte Carlo intervals."""

import numpy as np
import pytest

import gemfin
from gemfin.cli import main
from gemfin.errors import InputError


@pytest.fixture(scope="module")
def runs():
    base = gemfin.simulate("baseline", paths=400, seed=7, progress=False)
    stress = gemfin.simulate("jeugdzorg-stress", paths=400, seed=7, progress=False)
    return base, stress


def test_a_run_against_itself_is_zero(runs):
    base, _ = runs
    d = gemfin.difference(base, base, groups=5, group_paths=32, progress=False)
    assert (d.by_municipality.to_numpy() == 0).all() and (d.national.to_numpy() == 0).all()
    assert d.not_shared == () and "realisation" in d.shared


def test_means_are_the_runs_own(runs):
    base, stress = runs
    d = gemfin.difference(stress, base, groups=5, group_paths=32, progress=False)
    saldo = d.by_municipality[("saldo", "difference")].unstack("year").to_numpy()
    np.testing.assert_array_equal(saldo, stress.finances.saldo_mean - base.finances.saldo_mean)
    nat = d.national
    np.testing.assert_allclose(nat[("share in deficit", "difference")].to_numpy(),
                               stress.finances.share_deficit["mean"].to_numpy()
                               - base.finances.share_deficit["mean"].to_numpy())
    assert (nat[("share in deficit", "low")] <= nat[("share in deficit", "difference")]).all()
    # the stress scenario's Jeugd costs: more deficits, clearly outside the noise by 2030
    assert nat.loc[2030, ("share in deficit", "low")] > 0
    assert (nat[("algemene uitkering (EUR mln)", "difference")] == 0).all()  # the fund does not depend on Jeugd costs


def test_the_interval_matches_the_spread_over_seeds():
    """The replicate estimate of the standard error against the spread of the paired mean
    difference over independent seeds (a check outside the method)."""
    diffs = []
    for seed in range(101, 109):
        a = gemfin.simulate("recession", paths=200, seed=seed, progress=False)
        b = gemfin.simulate("baseline", paths=200, seed=seed, progress=False)
        diffs.append(a.finances.share_deficit["mean"].to_numpy() - b.finances.share_deficit["mean"].to_numpy())
    observed = np.std(diffs, axis=0, ddof=1)  # the true standard error at 200 paths, 8 seeds
    d = gemfin.difference(a, b, groups=20, group_paths=50, progress=False)
    from scipy import stats

    half = (d.national[("share in deficit", "high")] - d.national[("share in deficit", "low")]).to_numpy() / 2
    estimated = half / stats.t.ppf(0.975, 19)
    ratio = estimated[2:] / observed[2:]  # from the third year, where recession and baseline part
    assert np.all((ratio > 0.4) & (ratio < 2.5)), ratio
    assert 0.6 < np.median(ratio) < 1.6, ratio


def test_runs_that_cannot_be_paired_are_refused(runs):
    base, stress = runs
    other = gemfin.simulate("baseline", paths=400, seed=8, progress=False)
    with pytest.raises(InputError, match=r"cannot be paired: seeds differ \(8 vs 7\)"):
        gemfin.difference(other, base, progress=False)
    fewer = gemfin.simulate("baseline", paths=200, seed=7, progress=False)
    with pytest.raises(InputError, match="paths differ"):
        gemfin.difference(fewer, base, progress=False)
    with pytest.raises(InputError, match="expected a SimulationResult"):
        gemfin.difference("baseline", base, progress=False)
    with pytest.raises(InputError, match="groups must be an integer from 5"):
        gemfin.difference(stress, base, groups=2, progress=False)


def test_a_shock_one_scenario_adds_is_named(runs):
    base, _ = runs
    shock = gemfin.simulate("corona-shock-2026", paths=400, seed=7, progress=False)
    d = gemfin.difference(shock, base, groups=5, group_paths=32, progress=False)
    assert any(s.startswith("shock.") for s in d.not_shared)
    assert "growth" in d.shared
    assert "Shocks drawn for one scenario only" in d._repr_html_()


def test_report_with_a_baseline(tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", "recession", "--baseline", "baseline", "--paths", "300", "--out", str(out),
                 "--no-progress"]) == 0
    text = out.read_text()
    assert "<h2 id='against-baseline'>Against Baseline</h2>" in text
    assert "Recession − Baseline, both with seed 1 and 300 paths" in text
    assert main(["report", "recession", "--baseline", "corona-2020", "--paths", "64", "--out",
                 str(tmp_path / "x.html"), "--no-progress"]) == 2
    assert "cannot be paired" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()
