"""Scenario files: validation with field paths, extends, and the cited calibration figures."""

import copy

import pytest
import yaml

import gemfin
import gemfin.calibrate as cal
from gemfin.scenario import ScenarioError, scenario_from_dict

from conftest import REPO

BASELINE = REPO / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def doc():
    return yaml.safe_load(BASELINE.read_text())


def test_every_parameter_has_a_source(doc):
    scen = gemfin.load_scenario(BASELINE)
    for d in scen.drivers.values():
        assert d.national.source and d.municipal_sd.source
    for p in (scen.fund.growth, scen.fund.price):
        assert all(x.source for x in (p.mean, p.persistence, p.start, p.shock))
    assert all(c.source for c in scen.correlation)
    # Maatstaven not driven stay fixed: areas and fixed amounts.
    driven = {m for d in scen.drivers.values() for m in d.maatstaven}
    assert {"land", "vast", "kernen", "Amsterdam"}.isdisjoint(driven)


def test_cited_calibration_figures_match_the_data(doc):
    pop = cal.population_growth()
    nat = doc["drivers"]["inwoners"]["national"]["params"]
    assert nat[0] == pytest.approx(pop["national_mean"], abs=5e-6)
    assert nat[1] == pytest.approx(pop["national_sd"], abs=5e-6)
    assert doc["drivers"]["inwoners"]["municipal_sd"]["value"] == pytest.approx(pop["municipal_sd"], abs=5e-5)
    upd = cal.bzk_volume_update()
    assert doc["drivers"]["jongeren"]["national"]["params"][0] == pytest.approx(upd["jong"], abs=5e-5)
    assert doc["drivers"]["ouderen"]["national"]["params"][0] == pytest.approx(upd["inw75+dr"], abs=5e-5)
    assert doc["drivers"]["bijstand"]["national"]["params"][1] == pytest.approx(upd["bo3_nw"], abs=5e-5)
    assert doc["drivers"]["woz_woningen"]["national"]["params"][0] == pytest.approx(upd["WOZwe80"], abs=5e-5)
    ozb = cal.ozb_parameters(2023, 2025)
    assert doc["budget"]["ozb"]["pass_through"] == ozb["pass_through"]


def test_ozb_growth_against_a_hand_count():
    """The national OZB yields of the begrotingen 2023-2025 (taakvelden 0.61 and 0.62), summed here
    from the Iv3 files directly, grow as ozb_growth reports; the pass-through is small (the tariff
    neutralises most of a municipality's WOZ change)."""
    import numpy as np
    import pandas as pd

    from gemfin._datadir import data_dir

    totals = {}
    for year in (2023, 2024, 2025):
        raw = pd.read_csv(data_dir() / "finance" / f"{year}_begroting.csv", sep=";")
        tv = raw["Taakveld"].astype(str).str.split(" ").str[0]
        totals[year] = raw.loc[tv.isin(["0.61", "0.62"]), "Baten"].sum()
    g = cal.ozb_growth(2023, 2025)
    assert list(g.index) == [2024, 2025] and (g["municipalities"] > 300).all()
    for year in (2024, 2025):  # matched municipalities only; within a point of the all-municipality sums
        assert g.loc[year, "ozb_growth"] == pytest.approx(np.log(totals[year] / totals[year - 1]), abs=0.01)
    assert 0.0 < cal.ozb_parameters(2023, 2025)["pass_through"]["value"] < 0.3


def test_heffingen_growth_against_a_hand_count():
    """Rioolheffing (baten of taakveld 7.2) and its lasten, summed here from the Iv3 files over the
    municipalities with both in both years: heffingen_growth reports the same Δlog; the
    cost-covering heffingen follow their costs within a point."""
    import numpy as np
    import pandas as pd

    from gemfin._datadir import data_dir

    def per_municipality(year):
        raw = pd.read_csv(data_dir() / "finance" / f"{year}_begroting.csv", sep=";")
        raw = raw[(raw["Taakveld"].astype(str).str.split(" ").str[0] == "7.2") & (raw["Gemeenten"] != "Nederland")]
        return raw.groupby("Gemeenten")[["Baten", "Lasten"]].sum()

    a, b = per_municipality(2023), per_municipality(2024)
    both = a.add_suffix("0").join(b.add_suffix("1"), how="inner")
    both = both[(both > 0).all(axis=1)]
    g = cal.heffingen_growth(2023, 2025)
    row = g.loc[("rioolheffing", 2024)]
    assert row["municipalities"] == pytest.approx(len(both), abs=2)  # names against CBS codes (fills, merges)
    assert row["baten_growth"] == pytest.approx(np.log(both["Baten1"].sum() / both["Baten0"].sum()), abs=2e-3)
    assert row["lasten_growth"] == pytest.approx(np.log(both["Lasten1"].sum() / both["Lasten0"].sum()), abs=2e-3)
    for line in ("rioolheffing", "afvalstoffenheffing"):
        assert (g.loc[line, "excess"].abs() < 0.01).all()


def _bad(doc, path, value):
    d = copy.deepcopy(doc)
    node = d
    for k in path[:-1]:
        node = node[k]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return d


_DELETE = object()


@pytest.mark.parametrize(
    "path,value,message",
    [
        (("drivers", "inwoners", "maatstaven"), ["inwo", "inwoner"], r"drivers\.inwoners\.maatstaven\[1\]: unknown maatstaf 'inwoner'; did you mean"),
        (("drivers", "jongeren", "maatstaven"), ["jong", "inwo"], r"drivers\.jongeren\.maatstaven\[1\]: maatstaf 'inwo' is already driven by 'inwoners'"),
        (("drivers", "bijstand", "national", "params"), [5, 0.0, -1.0], r"drivers\.bijstand\.national\.params: invalid student_t parameters"),
        (("drivers", "bijstand", "national", "distribution"), "cauchy", r"drivers\.bijstand\.national\.distribution: unknown distribution 'cauchy'"),
        (("drivers", "bijstand", "national", "source"), _DELETE, r"drivers\.bijstand\.national: missing field\(s\) \['source'\]"),
        (("drivers", "bijstand", "municipal_sd", "value"), "0.03", r"drivers\.bijstand\.municipal_sd\.value: expected a number, got str"),
        (("drivers", "bijstand", "colour"), "red", r"drivers\.bijstand: unknown field\(s\) 'colour'"),
        (("fund", "rule"), "ppp", r"fund\.rule: expected one of \['ngru', 'gdp'\]"),
        (("fund", "price"), _DELETE, r"fund: rule 'gdp' needs a 'price' process"),
        (("fund", "growth", "persistence", "value"), 1.5, r"fund\.growth\.persistence\.value: expected a number ≤ 0\.99, got 1\.5"),
        (("fund", "policy_mutations"), [{"year": 2020, "amount": 1.0, "source": "x"}], r"fund\.policy_mutations\[0\]\.year: expected a year of the projection, from 2026 to 2035, got 2020"),
        (("fund", "policy_mutations"), [{"year": 20026, "amount": 1.0, "source": "x"}], r"fund\.policy_mutations\[0\]\.year: expected a number ≤ 2200, got 20026"),
        (("horizon",), 0, r"horizon: expected a number ≥ 1, got 0"),
        (("circulaire",), "S2030_2031", r"circulaire: unknown circulaire 'S2030_2031'"),
        (("correlation",), [{"between": ["growth", "nope"], "value": 0.1, "source": "x"}], r"correlation\[0\]\.between: unknown variable 'nope'"),
        (("correlation",), [{"between": ["growth", "growth"], "value": 0.1, "source": "x"}], "with itself"),
    ],
)
def test_invalid_scenarios_name_the_field(doc, path, value, message):
    with pytest.raises(ScenarioError, match=message):
        scenario_from_dict(_bad(doc, path, value), origin="baseline.yaml")


def test_correlations_not_positive_semidefinite_name_the_variables(doc):
    d = copy.deepcopy(doc)
    d["correlation"] = [
        {"between": ["growth", "bijstand"], "value": 0.9, "source": "x"},
        {"between": ["growth", "lage_inkomens"], "value": 0.9, "source": "x"},
        {"between": ["bijstand", "lage_inkomens"], "value": -0.9, "source": "x"},
    ]
    with pytest.raises(ScenarioError, match=r"correlation: .*not positive semi-definite.*'bijstand'.*"):
        scenario_from_dict(d, origin="x.yaml")


def test_extends_overrides_fields(tmp_path):
    child = tmp_path / "stress.yaml"
    child.write_text(yaml.safe_dump({
        "extends": str(BASELINE), "name": "Stress",
        "drivers": {"bijstand": {"municipal_sd": {"value": 0.1, "source": "assumption: test"}}},
    }))
    s = gemfin.load_scenario(child)
    assert s.name == "Stress"
    bij = s.drivers["bijstand"]
    assert bij.municipal_sd.value == 0.1
    assert bij.national.kind == "student_t"  # inherited
    loop = tmp_path / "loop.yaml"
    loop.write_text(yaml.safe_dump({"extends": "loop.yaml", "name": "x"}))
    with pytest.raises(ScenarioError, match="circular"):
        gemfin.load_scenario(loop)


def test_unsafe_yaml_is_refused(tmp_path):
    p = tmp_path / "evil.yaml"
    p.write_text("name: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        gemfin.load_scenario(p)


def test_shipped_scenarios_by_name():
    import gemfin

    assert gemfin.scenarios() == ["baseline", "corona-2020", "corona-shock-2026", "jeugdzorg-stress", "recession", "reform-jeugd-stochastic"]
    assert gemfin.load_scenario("recession").name == "Recession"
    with pytest.raises(gemfin.ScenarioError, match=r"'baselin' is neither a scenario file.*nor a shipped scenario.*shipped: \['baseline'"):
        gemfin.load_scenario("baselin")


def test_with_values_derives_a_validated_variant():
    import gemfin

    base = gemfin.load_scenario("baseline")
    unchanged = base.with_values({"budget.response": "none"}, name="unchanged policy")
    assert unchanged.name == "unchanged policy" and unchanged.budget.response == "none"
    assert base.budget.response != "none" and base.to_dict()["budget"]["response"] != "none"  # the original untouched
    v = base.with_values({"fund.growth.mean.value": 0.02, "horizon": 5.0, "budget.ingroei": None})
    assert v.fund.growth.mean.value == 0.02 and v.horizon == 5 and v.budget.ingroei is None
    with pytest.raises(gemfin.InputError, match=r"'fund\.growht\.mean\.value': the scenario has no field 'fund\.growht'"):
        base.with_values({"fund.growht.mean.value": 0.02})
    with pytest.raises(gemfin.ScenarioError, match="horizon"):
        base.with_values({"horizon": -1})
