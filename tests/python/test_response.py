"""The municipal response, the fading excess growth and the artikel-12 signal."""

import copy

import numpy as np
import pandas as pd
import pytest
import yaml

import gemfin
from gemfin import calibrate, response
from gemfin.errors import InputError
from gemfin.scenario import ScenarioError, scenario_from_dict

from conftest import compiled, REPO

SCEN = REPO / "scenarios"


@pytest.fixture(scope="module")
def doc():
    return yaml.safe_load((SCEN / "baseline.yaml").read_text())


@pytest.fixture(scope="module")
def runs(doc):
    """The baseline with and without the response, same paths and seed."""
    with_rule = gemfin.load_scenario(SCEN / "baseline.yaml")
    d = copy.deepcopy(doc)
    d["budget"]["response"] = "none"
    without = scenario_from_dict(d, origin="none.yaml", path=str(SCEN / "baseline.yaml"))  # a str path too
    return (gemfin.simulate(with_rule, paths=400, seed=5, progress=False).finances,
            gemfin.simulate(without, paths=400, seed=5, progress=False).finances)


def test_baseline_response_parameters_are_the_calibrated_ones(doc):
    est = calibrate.response_parameters(2024)
    r = doc["budget"]["response"]
    assert r["rule"] == "calibrated"
    for k in ("speed", "max_step", "tax_share"):
        assert r[k]["value"] == est[k]["value"]
        assert r[k]["source"].startswith("DERIVED gemfin.calibrate.response_parameters(2024)")


def test_response_estimate_is_a_partial_adjustment():
    """The instrumented persistence exceeds least squares' (one-off items attenuate it), both
    in (0, 1); the estimate is stable as years are added."""
    speeds = []
    for year in (2020, 2022, 2024):
        f = calibrate.response_model(year)
        assert 0 < f.persistence_ols < f.persistence < 1
        assert 0 < f.tax_share < 0.5 and 0 < f.max_step < 0.1
        speeds.append(f.speed)
    assert max(speeds) - min(speeds) < 0.1


def test_response_fit_recovers_a_known_adjustment():
    """A synthetic panel built with persistence 0.6, year effects and one-off noise: the
    instrumented estimate finds 0.6, least squares less."""
    rng = np.random.default_rng(0)
    g, years = 2000, range(2017, 2025)
    persistent = rng.normal(0, 0.02, g)
    rows = []
    for y in years:
        persistent = 0.6 * persistent + rng.normal(0, 0.01, g)
        x = persistent + rng.normal(0, 0.01, g) + 0.001 * (y - 2017)   # one-off items, a year effect
        lasten = np.full(g, 1e8)
        rows.append(pd.DataFrame({"document": "begroting", "year": y, "gm_code": [f"GM{i:04d}" for i in range(g)],
                                  "filed": True, "lasten": lasten, "saldo": x * lasten,
                                  "heffingen": 1e7 * (1 + 0.0 * x)}))
    f = response.fit(pd.concat(rows, ignore_index=True), 2024)
    assert f.persistence == pytest.approx(0.6, abs=0.03)
    assert f.persistence_ols < 0.55


def test_response_fit_needs_three_begrotingen():
    panel = pd.DataFrame({"document": ["begroting"], "year": [2017], "gm_code": ["GM0001"], "filed": [True],
                          "lasten": [1.0], "saldo": [0.0], "heffingen": [0.0]})
    with pytest.raises(InputError, match="three consecutive years"):
        response.fit(panel, 2018)


def test_response_closes_the_gap_and_reports_its_measures(runs):
    with_rule, without = runs
    assert without.response_mean is None
    assert with_rule.response_mean.shape == with_rule.saldo_mean.shape
    last = with_rule.years[-1]
    # Fewer exhausted reserves and artikel-12 signals with the rule than with unchanged policy.
    assert with_rule.p_exhausted[:, -1].mean() < without.p_exhausted[:, -1].mean()
    assert with_rule.p_art12[:, -1].sum() < without.p_art12[:, -1].sum()
    nat = with_rule.national()
    parts = nat["of which belastingen (EUR mln)"] + nat["of which spending (EUR mln)"]
    assert np.allclose(parts, nat["measures (EUR mln)"])
    s = with_rule.summary(last)
    assert np.allclose(s["measures per inhabitant"] * with_rule.municipalities["inhabitants"], s["measures mean"])
    assert "measures (EUR mln)" not in without.national().columns


def test_measures_are_in_the_xarray_result():
    res = gemfin.simulate(SCEN / "baseline.yaml", paths=64, seed=1, progress=False)
    ds = res.to_xarray()
    m = ds["response_measures_mean"]
    assert m.dims == ("municipality", "year") and m.attrs["units"] == "EUR"
    assert np.array_equal(m.sel(municipality="GM0363").to_numpy(),
                          res.finances.response_mean[list(res.municipalities.index).index("GM0363")])


def test_response_targets_structural_balance_where_the_begroting_shows_a_deficit():
    """The rule's target is the base position, raised by the structural deficit (kengetal
    structurele exploitatieruimte < 0); a structural surplus is kept."""
    scen = gemfin.load_scenario(SCEN / "baseline.yaml")
    model, run_base = compiled(scen)
    base = run_base.budget
    s = base.structural
    assert (s < 0).sum() > 10 and (s > 0).sum() > 200
    target = model.budget.response.target
    assert np.array_equal(target[s >= 0], base.planned[s >= 0])
    assert np.allclose(target[s < 0], base.planned[s < 0] - s[s < 0])
    assert np.allclose(model.budget.balance, base.planned - s)


def test_response_schema_errors_name_the_field(doc):
    for bad, msg in [("sometimes", r"budget\.response: expected 'none' or a mapping"),
                     ({**doc["budget"]["response"], "rule": "heuristic"}, r"budget\.response\.rule: expected 'calibrated'"),
                     ({**doc["budget"]["response"], "speed": {"value": 1.5, "source": "x"}}, r"budget\.response\.speed"),
                     ({k: v for k, v in doc["budget"]["response"].items() if k != "max_step"}, r"max_step")]:
        d = copy.deepcopy(doc)
        d["budget"]["response"] = bad
        with pytest.raises(ScenarioError, match=msg):
            scenario_from_dict(d, origin="r.yaml", path=SCEN / "baseline.yaml")
    d = copy.deepcopy(doc)
    d["budget"]["artikel12_horizon"] = {"value": 2.5, "source": "x"}
    with pytest.raises(ScenarioError, match=r"artikel12_horizon\.value: expected a whole number"):
        scenario_from_dict(d, origin="r.yaml", path=SCEN / "baseline.yaml")


def test_baseline_excess_growth_is_the_calibrated_one(doc):
    est = calibrate.excess_growth(2024)
    for name in ("Jeugd", "Wmo"):
        d = doc["budget"]["domains"][name]
        assert d["excess_growth"]["params"] == [round(est.loc[name, "last"], 4), round(est.loc[name, "sd"], 4)]
        assert d["excess_persistence"]["value"] == float(f"{est.loc[name, 'persistence']:.3g}")
        assert d["excess_growth"]["source"].startswith("DERIVED gemfin.calibrate.excess_growth(2024)")
    # Jeugd's burst of 2019-2020 is in the data; it has faded since.
    assert est.loc["Jeugd", 2019] > 0.1 and abs(est.loc["Jeugd", 2024]) < 0.03


def test_stress_scenarios_are_riskier_than_the_baseline():
    out = {}
    for name in ("baseline", "jeugdzorg-stress", "recession"):
        f = gemfin.simulate(SCEN / f"{name}.yaml", paths=400, seed=2, progress=False).finances
        out[name] = (f.p_exhausted[:, -1].mean(), f.p_art12[:, -1].sum())
    for name in ("jeugdzorg-stress", "recession"):
        assert out[name][0] > out["baseline"][0] and out[name][1] > out["baseline"][1]


def test_calibrate_command_prints_the_scenario_sections(capsys):
    from gemfin.cli import main

    assert main(["calibrate", "response"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["budget"]["response"] == calibrate.response_parameters(2024)
    assert main(["calibrate", "excess"]) == 0
    doc = yaml.safe_load((SCEN / "baseline.yaml").read_text())["budget"]["domains"]
    printed = yaml.safe_load(capsys.readouterr().out)["budget"]["domains"]
    for name in ("Jeugd", "Wmo"):
        assert printed[name]["excess_growth"]["params"] == doc[name]["excess_growth"]["params"]
        assert printed[name]["excess_persistence"]["value"] == doc[name]["excess_persistence"]["value"]
    for what, year in (("response", "2018"), ("excess", "2018"), ("excess", "2031")):
        assert main(["calibrate", what, "--last-year", year]) == 2
        assert "gemfin: error:" in capsys.readouterr().err


def test_reserves_are_the_algemene_reserve_plus_the_free_share_of_the_bestemmingsreserves(doc):
    import gemfin.iv3 as iv3

    scen = gemfin.load_scenario(SCEN / "baseline.yaml")
    share = scen.budget.reserves_share
    assert share == 0.5 and scen.budget.bestemmingsreserves_share.source.startswith("assumption")
    res, _ = iv3.load_reserves(2024, division=2025)
    codes = scen.prepared_circulaire().volumes.index
    expected = (res["algemene reserve"] + share * res["bestemmingsreserves"]).reindex(codes).to_numpy()
    np.testing.assert_allclose(compiled(scen)[0].budget.reserves, expected, rtol=1e-15)
    # The older boolean form is a share of 0 or 1; both at once is refused.
    d = copy.deepcopy(doc)
    d["budget"].pop("bestemmingsreserves_share")
    d["budget"]["include_bestemmingsreserves"] = True
    assert scenario_from_dict(d, origin="r.yaml", path=SCEN / "baseline.yaml").budget.reserves_share == 1.0
    d["budget"]["bestemmingsreserves_share"] = {"value": 0.3, "source": "x"}
    with pytest.raises(ScenarioError, match="not both"):
        scenario_from_dict(d, origin="r.yaml", path=SCEN / "baseline.yaml")


def test_the_revenue_volume_driver_must_be_a_driver(doc):
    scen = gemfin.load_scenario(SCEN / "baseline.yaml")
    names = list(scen.drivers)
    assert compiled(scen)[0].budget.revenue_volume_driver == names.index("inwoners")
    d = copy.deepcopy(doc)
    d["budget"]["revenue_volume_driver"] = "inwonres"
    with pytest.raises(ScenarioError, match=r"budget\.revenue_volume_driver: unknown driver 'inwonres'"):
        scenario_from_dict(d, origin="r.yaml", path=SCEN / "baseline.yaml")
