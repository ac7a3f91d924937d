"""The typed boundary to the compiled core: the model's parts are classes with keyword-only
constructors and read-only fields, a run returns a SimulationOutput, and a wrong value is an
InputError naming the field."""

import copy

import numpy as np
import pytest

import gemfin
from gemfin import _core
from gemfin.engine import RunOptions, build_engine, core_model
from gemfin.errors import InputError


@pytest.fixture(scope="module")
def baseline():
    scen = gemfin.load_scenario("baseline")
    return scen, scen.model_inputs()


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
    scen, inputs = baseline
    model = core_model(inputs)
    assert model.macro_shock_names() == list(scen.shock_names)
    assert model.fund.rule == _core.FundRule.GDP and model.fund.budget0 == inputs["fund"]["budget0"]
    assert [d.name for d in model.drivers] == [d.name for d in scen.drivers]
    b = model.budget
    assert b.response.speed == scen.budget.response.speed.value
    assert b.excess_persistence[0] == scen.budget.domains[0].excess_persistence.value
    assert b.artikel12_horizon == 3
    np.testing.assert_array_equal(b.reserves, inputs["budget"]["reserves"])
    assert model.years == scen.horizon and not model.base_year_first


def test_a_value_per_domain_must_come_four_times(baseline):
    _, inputs = baseline
    bad = copy.copy(inputs)
    bad["budget"] = {**inputs["budget"], "excess_persistence": [1.0, 1.0, 1.0]}
    with pytest.raises(InputError, match=r"budget\.excess_persistence: expected 4 values, one per domain"):
        core_model(bad)


def test_the_simulation_checks_values_and_names_the_field(baseline):
    scen, inputs = baseline
    bad = copy.copy(inputs)
    bad["budget"] = {**inputs["budget"], "response": {**inputs["budget"]["response"], "speed": 1.5}}
    opts = RunOptions(paths=8, seed=1, threads=1, antithetic=False, quantiles=(0.5,), keep=(), bins=64, block_size=8)
    with pytest.raises(InputError, match=r"budget\.response\.speed: expected a share of the gap in \[0, 1\]"):
        build_engine(scen, opts, bad)


def test_a_run_returns_typed_statistics(baseline):
    scen, inputs = baseline
    opts = RunOptions(paths=16, seed=1, threads=1, antithetic=False, quantiles=(0.05, 0.5), keep=(), bins=64,
                      block_size=8)
    out = build_engine(scen, opts, inputs).run()
    assert isinstance(out, _core.SimulationOutput) and out.paths_done == 16 and not out.cancelled
    g, t = inputs["c_basis"].shape[0], scen.horizon
    assert out.au.mean.shape == (g * t,) and out.au.quantiles.shape == (g * t, 2)
    assert out.finances.saldo.mean.shape == (g * t,) and out.finances.response_mean.shape == (g * t,)
    assert out.uf.mean.shape == (t,)
    alloc_only = copy.copy(inputs)
    alloc_only["budget"] = None
    n = 2 + len(scen.drivers)  # the fund's (growth, price) and the drivers' shocks come first
    alloc_only["correlation"] = inputs["correlation"][:n, :n]
    alloc_only["correlation_names"] = inputs["correlation_names"][:n]
    assert build_engine(scen, opts, alloc_only).run().finances is None
