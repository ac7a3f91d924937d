"""The typed boundary to the compiled core: the model's parts are classes with keyword-only
constructors and read-only fields, a run returns a SimulationOutput, and a wrong value is an
InputError naming the field."""

import numpy as np
import pytest

import gemfin
from gemfin import _core
from gemfin.engine import RunOptions, simulation
from gemfin.errors import InputError
from gemfin.run.base import build_base
from gemfin.run.compile import compile_model


@pytest.fixture(scope="module")
def baseline():
    scen = gemfin.load_scenario("baseline")
    base = build_base(scen)
    return scen, base, compile_model(scen, base)


def _budget(g: int, drivers: int, years: int, **change) -> "_core.BudgetModel":
    """A small budget model of constant arrays, every field given (``change`` replaces some)."""
    fixed = _core.Distribution("fixed", [0.0])
    one = np.full(g, 1e6)
    kw = dict(lasten=[one] * 4, ozb=one, other_taxes=one, other_baten=one, buig_baten=one, buig_lasten=one,
              siudu=one, reserves=one, volume_weights=np.zeros((4, drivers)), bijstand_driver=0, woz_driver=-1,
              ozb_pass_through=1.0, ozb_policy_growth=0.0,
              wage_price=_core.MacroProcess(mean=0.02, persistence=0.0, start=0.02, shock=fixed),
              excess=[fixed] * 4, excess_persistence=[1.0] * 4, error_mu=[0.0] * 4, error_sigma=[0.0] * 4,
              vangnet_threshold=0.075, vangnet_full=0.125, vangnet_share=0.5, artikel12_threshold=0.02,
              artikel12_horizon=3, balance=np.zeros(0), shocks=[], compensation=np.zeros((g, years)))
    kw.update(change)
    return _core.BudgetModel(**kw)


def _with_budget(model, scen, budget) -> "_core.ProjectionModel":
    """``model`` (the compiled baseline) with another budget model (no realisation: the macro
    shocks uncorrelated)."""
    names = [n for n in model.correlation_names if n != "realisation"]
    return _core.ProjectionModel(c_basis=model.c_basis, c_ozb=model.c_ozb, drivers=model.drivers, fund=model.fund,
                                 correlation=np.eye(len(names)), correlation_names=names, years=model.years,
                                 budget=budget)


def test_constructors_take_keywords_only_and_fields_are_read_only():
    shock = _core.Distribution("normal", [0.0, 0.01])
    with pytest.raises(TypeError):
        _core.MacroProcess(0.02, 0.5, 0.03, shock)  # positional
    p = _core.MacroProcess(mean=0.02, persistence=0.5, start=0.03, shock=shock)
    assert (p.mean, p.persistence, p.start) == (0.02, 0.5, 0.03) and p.shock.params == [0.0, 0.01]
    with pytest.raises(AttributeError):
        p.mean = 0.1
    with pytest.raises(TypeError):
        _core.SimulationOptions(paths=10, seed=1, quantiles=[0.5], colour="red")  # an unknown keyword


def test_the_core_model_carries_the_scenario(baseline):
    scen, base, model = baseline
    assert model.macro_shock_names() == list(scen.shock_names)
    assert model.fund.rule == _core.FundRule.GDP and model.fund.budget0 == base.budget0
    assert [d.name for d in model.drivers] == list(scen.drivers)
    b = model.budget
    assert b.response.speed == scen.budget.response.speed.value
    assert b.excess_persistence[0] == scen.budget.domains.Jeugd.excess_persistence.value
    assert b.artikel12_horizon == 3
    a = base.budget.arrays
    share = scen.budget.reserves_share
    np.testing.assert_array_equal(b.reserves, a["algemene reserve"] + share * a["bestemmingsreserves"])
    assert model.years == scen.horizon and not model.base_year_first


def test_a_value_per_domain_must_come_four_times(baseline):
    _, _, model = baseline
    g, d = model.c_basis.shape[0], len(model.drivers)
    with pytest.raises(InputError, match=r"budget\.excess_persistence: expected 4 values, one per domain"):
        _budget(g, d, model.years, excess_persistence=[1.0, 1.0, 1.0])


def test_the_simulation_checks_values_and_names_the_field(baseline):
    scen, _, model = baseline
    g, d = model.c_basis.shape[0], len(model.drivers)
    bad = _budget(g, d, model.years, response=_core.Response(target=np.zeros(g), speed=1.5, max_step=0.01))
    opts = RunOptions(paths=8, seed=1, threads=1, antithetic=False, quantiles=(0.5,), keep=(), bins=64, block_size=64)
    with pytest.raises(InputError, match=r"budget\.response\.speed: expected a share of the gap in \[0, 1\]"):
        simulation(_with_budget(model, scen, bad), opts)


def test_a_run_returns_typed_statistics(baseline):
    scen, _, model = baseline
    opts = RunOptions(paths=16, seed=1, threads=1, antithetic=False, quantiles=(0.05, 0.5), keep=(), bins=64,
                      block_size=64)
    out = simulation(model, opts).run()
    assert isinstance(out, _core.SimulationOutput) and out.paths_done == 16 and not out.cancelled
    g, t = model.c_basis.shape[0], scen.horizon
    assert out.au.mean.shape == (g * t,) and out.au.quantiles.shape == (g * t, 2)
    assert out.finances.saldo.mean.shape == (g * t,) and out.finances.response_mean.shape == (g * t,)
    assert out.uf.mean.shape == (t,)
    n = 2 + len(scen.drivers)  # the fund's (growth, price) and the drivers' shocks come first
    alloc_only = _core.ProjectionModel(c_basis=model.c_basis, c_ozb=model.c_ozb, drivers=model.drivers,
                                       fund=model.fund, correlation=scen.correlation_matrix()[:n, :n],
                                       correlation_names=model.correlation_names[:n], years=model.years)
    assert simulation(alloc_only, opts).run().finances is None


def test_the_fingerprint_covers_every_part_of_the_model(baseline):
    """Two compilations agree; a change of one number anywhere — the data, a scenario number, a
    budget field the bindings do not expose — changes the fingerprint."""
    from gemfin.run.compile import fingerprint

    scen, base, model = baseline
    assert fingerprint(compile_model(scen, base)) == fingerprint(model)
    variants = [scen.with_values({"fund.growth.mean.value": 0.0151}),
                scen.with_values({"budget.buig.vangnet_share.value": 0.51}),
                scen.with_values({"budget.domains.Wmo.error.sigma.value": 0.0301}),
                scen.with_values({"budget.ozb.policy_growth": {"value": 1e-9, "source": "test"}})]
    prints = {fingerprint(compile_model(v, base)) for v in variants} | {fingerprint(model)}
    assert len(prints) == len(variants) + 1
    g, d = model.c_basis.shape[0], len(model.drivers)
    a, b = _budget(g, d, model.years), _budget(g, d, model.years, other_baten=np.full(g, 1e6 + 1))
    assert _with_budget(model, scen, a).fingerprint() != _with_budget(model, scen, b).fingerprint()
