"""Sensitivity analysis: parameters by field path, common random numbers, SALib methods."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import gemfin  # noqa: E402
import gemfin.plot as gp  # noqa: E402
import gemfin.sensitivity as gs  # noqa: E402
from gemfin.errors import InputError  # noqa: E402

from conftest import REPO  # noqa: E402

BASELINE = REPO / "scenarios" / "baseline.yaml"
JEUGD = "budget.domains.Jeugd.excess_growth.params.0"


@pytest.fixture(scope="module")
def scen():
    return gemfin.load_scenario(BASELINE)


@pytest.fixture(scope="module")
def allocation_only(scen):
    budget_names = {"wage_price"} | {f"excess.{d}" for d in ("Jeugd", "Wmo", "Participatie", "Overig")}
    raw = {k: v for k, v in scen.raw.items() if k != "budget"}
    raw["correlation"] = [c for c in raw["correlation"] if not set(c["between"]) & budget_names]
    return gemfin.scenario.scenario_from_dict(raw, origin="allocation-only", path=scen.path)


def test_with_parameters_sets_and_validates(scen):
    s = gs.with_parameters(scen, {JEUGD: 0.07, "fund.growth.mean.value": 0.02})
    assert next(d for d in s.budget.domains if d.name == "Jeugd").excess.params[0] == 0.07
    assert s.growth.mean.value == 0.02
    with pytest.raises(InputError, match="has no field 'fund.growth.average'"):
        gs.with_parameters(scen, {"fund.growth.average.value": 1.0})
    with pytest.raises(InputError, match=r"make the scenario invalid: .*persistence\.value: expected a number in \[0\.0, 0\.99\]"):
        gs.with_parameters(scen, {"fund.growth.persistence.value": 2.0})


def test_common_random_numbers(scen):
    sets = pd.DataFrame({JEUGD: [0.03, 0.03, 0.01, 0.05]})
    out = gs.evaluate(scen, sets, {"share": gs.share_in_deficit(), "au": gs.au_budget()}, paths=200, seed=5)
    assert out["share"][0] == out["share"][1]  # same parameters, same seed: identical
    assert out["share"][2] < out["share"][0] < out["share"][3]  # monotone without noise
    np.testing.assert_array_equal(out["au"], out["au"][0])  # the fund does not depend on Jeugd costs


def test_one_at_a_time_and_tornado(scen):
    tab = gs.one_at_a_time(scen, {JEUGD: (0.01, 0.05), "budget.wage_price.mean.value": (0.015, 0.035)},
                           gs.share_in_deficit(), paths=150, seed=3)
    assert list(tab.columns[:4]) == ["parameter", "value", "low value", "high value"]
    assert tab["swing"].is_monotonic_decreasing
    assert tab.set_index("parameter").loc[JEUGD, "value"] == 0.03
    ax = gp.tornado(tab, unit="share in deficit")
    assert len(ax.patches) == 2 * len(tab)
    assert ax.gemfin_data["swing"].is_monotonic_increasing  # widest bar on top


def test_morris_and_sobol_through_salib(allocation_only):
    ranges = {"fund.growth.mean.value": (0.005, 0.025), "fund.price.mean.value": (0.01, 0.03)}
    m = gs.morris(allocation_only, ranges, gs.au_budget(), trajectories=2, paths=64)
    assert set(m.index) == set(ranges) and (m["mu_star"] > 0).all()
    s = gs.sobol(allocation_only, ranges, gs.au_budget(), n=4, paths=64)
    assert set(s.index) == set(ranges) and np.isfinite(s["ST"]).all()
