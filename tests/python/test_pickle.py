"""Scenario, Allocation and SimulationResult survive a pickle round trip (Dask needs it)."""

import pickle

import numpy as np

import gemfin

from conftest import REPO


def test_pickle_round_trips(circ):
    alloc = gemfin.allocate(circ)
    a2 = pickle.loads(pickle.dumps(alloc))
    assert a2.algemene_uitkering.equals(alloc.algemene_uitkering) and a2.uitkeringsfactor == alloc.uitkeringsfactor
    scen = gemfin.load_scenario(REPO / "scenarios" / "corona-2020.yaml")
    s2 = pickle.loads(pickle.dumps(scen))
    assert s2 == scen and s2.shock_names == scen.shock_names
    res = gemfin.simulate(scen, paths=64, progress=False, keep=["GM0014"])
    r2 = pickle.loads(pickle.dumps(res))
    assert np.array_equal(r2.au_mean, res.au_mean)
    assert np.array_equal(r2.finances.p_deficit, res.finances.p_deficit)
    assert r2.kept_paths["GM0014"].equals(res.kept_paths["GM0014"])
    # A scenario that travelled still simulates to the same numbers.
    assert np.array_equal(gemfin.simulate(s2, paths=64, progress=False).au_mean, res.au_mean)
