"""The social clusters' balance in a Monte Carlo run (simulate(..., balance=True))."""

import numpy as np
import pytest

import gemfin
from gemfin.errors import InputError
from gemfin.scan.mapping import SOCIAL_CLUSTERS

from conftest import compiled, REPO

RUN = dict(paths=512, seed=3, progress=False)


@pytest.fixture(scope="module")
def scen():
    return gemfin.load_scenario(REPO / "scenarios" / "baseline.yaml")


@pytest.fixture(scope="module")
def runs(scen):
    return gemfin.simulate(scen, **RUN), gemfin.simulate(scen, balance=True, **RUN)


def test_following_the_balance_changes_no_other_output(runs):
    plain, with_balance = runs
    assert np.array_equal(plain.au_mean, with_balance.au_mean)
    assert np.array_equal(plain.au_quantiles, with_balance.au_quantiles)
    for name in ("saldo_mean", "saldo_quantiles", "p_deficit", "p_exhausted", "p_art12", "reserves_mean"):
        assert np.array_equal(getattr(plain.finances, name), getattr(with_balance.finances, name)), name
    with pytest.raises(InputError, match="balance=True"):
        plain.balance()


def test_balance_frames(runs, scen):
    bal = runs[1].balance()
    years = list(scen.years)
    assert list(bal.national.index.get_level_values("cluster").unique()) == list(SOCIAL_CLUSTERS)
    assert len(bal.national) == 3 * len(years)
    assert len(bal.by_municipality) == 3 * 342 * len(years)
    n = bal.national
    assert (n["q5"] <= n["q50"]).all() and (n["q50"] <= n["q95"]).all()
    m = bal.by_municipality
    assert ((m["p_shortfall"] >= 0) & (m["p_shortfall"] <= 1)).all()
    # the national mean is the sum of the municipal means (EUR mln against euros)
    s = m["mean"].groupby(level=["cluster", "year"]).sum() / 1e6
    assert np.allclose(s.loc[n.index], n["mean"], rtol=1e-9)
    assert not n.isna().any().any() and not m.isna().any().any()
    assert "SocialBalance" in bal._repr_html_()
    assert bal.filing == "begroting 2025"


def test_inputs_start_from_the_scan(scen):
    """At the base budget and driver levels 1 the clusters' allocation and netto lasten are the
    scan's of the same circulaire and filing."""
    model, base = compiled(scen, balance=True)
    cb = model.budget.cluster_balance
    alloc = gemfin.allocate(base.circulaire, au_budget=model.fund.budget0)
    scan = gemfin.balance(alloc, filing=(scen.budget.base.document, scen.budget.base.year))
    d = len(scen.drivers)
    for c, cluster in enumerate(SOCIAL_CLUSTERS):
        basis = cb.fixed[c] + cb.basis[c * d:(c + 1) * d].sum(axis=0)
        allocation = alloc.uitkeringsfactor * basis + cb.siudu[c]
        assert np.allclose(allocation, scan.allocation[cluster].to_numpy(), rtol=1e-9, atol=1e-3), cluster
        assert np.array_equal(cb.netto0[c], scan.netto_lasten[cluster].to_numpy()), cluster


def test_balance_needs_clusters_and_a_budget(tmp_path):
    booked = tmp_path / "booked.yaml"
    booked.write_text(f"extends: {REPO / 'scenarios' / 'baseline.yaml'}\n"
                      "circulaire: booked\nbudget:\n  base: {document: begroting, year: 2021}\n"
                      "  ingroei: null\n", encoding="utf-8")
    with pytest.raises(InputError, match="cluster weights"):
        gemfin.simulate(gemfin.load_scenario(booked), paths=64, progress=False, balance=True)
    with pytest.raises(InputError, match="True or False"):
        gemfin.simulate(gemfin.load_scenario("baseline"), paths=64, progress=False, balance="yes")
