"""The fund's published path: the GDP rule's 8-year window starts from published real growth
(fund.growth.history) and a year's accres can be the one a circulaire published (a
``published`` period). The figures below are CBS's (De Nederlandse economie in 2024, figure
2.1), CPB's estimate for 2025 and the meicirculaire 2025's accres for 2026, typed here from the
publications, not read from the scenario."""

from __future__ import annotations

import copy

import pytest
import yaml

import gemfin
from gemfin.run.compile import growth_history, period_in_force
from gemfin.scenario import ScenarioError, scenario_from_dict

SCEN = gemfin._datadir.scenarios_dir()
# The fund's mutations of 2026 as reported: the opschalingskorting's end (+675 mln), the fall
# of 2026 (-2.3 bn) and the Voorjaarsnota 2025's money for 2026 (+1.3 bn).
MUTATIONS_2026 = 675e6 - 2300e6 + 1300e6
PUBLISHED = {2010: 1.3, 2011: 1.8, 2012: -1.0, 2013: 0.0, 2014: 1.6, 2015: 2.1, 2016: 2.4, 2017: 2.8, 2018: 2.3,
             2019: 2.3, 2020: -3.9, 2021: 6.3, 2022: 5.0, 2023: 0.1, 2024: 1.0, 2025: 1.9}


def _baseline_doc() -> dict:
    return yaml.safe_load((SCEN / "baseline.yaml").read_text(encoding="utf-8"))


def test_the_baseline_window_holds_the_published_growth():
    sc = gemfin.load_scenario("baseline")
    assert growth_history(sc.fund.growth.history, 2025) == pytest.approx([PUBLISHED[y] / 100 for y in range(2016, 2026)])


def test_one_value_fills_the_window_and_early_years_take_start():
    doc = _baseline_doc()
    doc["fund"]["growth"]["history"] = {"value": 0.01, "source": "a"}
    assert growth_history(scenario_from_dict(doc, origin="h.yaml").fund.growth.history, 2025) == [0.01] * 10
    doc["fund"]["growth"]["history"] = {2022: {"value": 0.05, "source": "a"}, 2024: {"value": 0.01, "source": "b"}}
    # 2016-2021 are left to growth.start; 2023 keeps 2022's value, 2025 keeps 2024's
    assert growth_history(scenario_from_dict(doc, origin="h.yaml").fund.growth.history, 2025) == [0.05, 0.05, 0.01, 0.01]


def test_a_bad_history_names_the_field():
    doc = _baseline_doc()
    doc["fund"]["growth"]["history"] = {2020: {"value": 0.9, "source": "a"}}
    with pytest.raises(ScenarioError, match=r"fund\.growth\.history\.2020\.value"):
        scenario_from_dict(doc, origin="h.yaml")
    doc["fund"]["growth"]["history"] = [0.01, 0.02]
    with pytest.raises(ScenarioError, match=r"fund\.growth\.history: expected \{value, source\}"):
        scenario_from_dict(doc, origin="h.yaml")


def test_a_child_replaces_a_dated_history_with_one_value_and_merges_years():
    def child(history):
        doc = {"extends": str(SCEN / "baseline.yaml"), "name": "c", "fund": {"growth": {"history": history}}}
        return scenario_from_dict(doc, origin="c.yaml", path=SCEN / "c.yaml").fund.growth.history

    assert child({"value": 0.01, "source": "a"}).value == 0.01
    merged = child({2025: {"value": 0.01, "source": "a newer estimate"}})
    assert merged[2025].value == 0.01 and merged[2024].value == PUBLISHED[2024] / 100 and len(merged) == 16


def test_the_first_accres_follow_the_published_years():
    """Deterministic baseline (no shocks): the deflator is 2.5% in 2026 and 2.25% in 2027 (mean
    2%, persistence 0.5, 3% in 2025); the volume part is the mean of 2017-2024 and of 2018-2025."""
    res = gemfin.simulate(gemfin.load_scenario("baseline").deterministic(), paths=16, seed=1, progress=False)
    budget = res.budget["mean"] if "mean" in res.budget else res.budget.iloc[:, 0]
    base0 = float(res.base_au.sum())
    volume_2026 = sum(PUBLISHED[y] for y in range(2017, 2025)) / 800
    volume_2027 = sum(PUBLISHED[y] for y in range(2018, 2026)) / 800
    assert budget[2027] / budget[2026] - 1 == pytest.approx(volume_2027 + 0.0225, abs=1e-12)
    # 2026 is the meicirculaire 2025's 4.72% (its price part at the expected deflator), with the
    # year's mutations on top
    assert (budget[2026] - MUTATIONS_2026) / base0 - 1 == pytest.approx(0.0472, abs=1e-12)
    # under the GDP rule it would be the window's mean + the deflator: within 0.25 points
    doc = _baseline_doc()
    del doc["fund"]["periods"][2026]
    gdp = gemfin.simulate(scenario_from_dict(doc, origin="t", path=SCEN / "baseline.yaml").deterministic(),
                          paths=16, seed=1, progress=False).budget["mean"]
    assert (gdp[2026] - MUTATIONS_2026) / base0 - 1 == pytest.approx(volume_2026 + 0.025, abs=1e-12)
    assert abs(volume_2026 + 0.025 - 0.0472) < 0.0025


def test_the_fund_of_2029_is_the_published_one():
    """BMC's reading of the meicirculaire 2025: the algemene uitkering is 'bijna 46 miljard' in
    2029. The deterministic baseline (the published accres of 2026, the GDP rule after it, the
    mutations as reported) comes within 1% of it."""
    res = gemfin.simulate(gemfin.load_scenario("baseline").deterministic(), paths=16, seed=1, progress=False)
    assert res.budget["mean"][2029] == pytest.approx(46e9, rel=0.01)


def test_a_published_accres_takes_the_price_shock_it_assumed():
    """With the assumed deflator the accres moves one for one with the year's deflator; a
    decided amount (no price) does not move."""
    def accres_2026(price):
        doc = _baseline_doc()
        if price is None:
            del doc["fund"]["periods"][2026]["price"]
        doc["fund"]["price"]["shock"] = {"distribution": "normal", "params": [0.01, 0.0], "source": "a"}  # +1 point
        res = gemfin.simulate(scenario_from_dict(doc, origin="t", path=SCEN / "baseline.yaml").deterministic(),
                              paths=16, seed=1, progress=False)
        return (res.budget["mean"][2026] - MUTATIONS_2026) / float(res.base_au.sum()) - 1

    assert accres_2026(True) == pytest.approx(0.0472 + 0.01, abs=1e-12)
    assert accres_2026(None) == pytest.approx(0.0472, abs=1e-12)


def test_a_published_period_holds_for_its_year_only():
    periods = gemfin.load_scenario("baseline").fund.periods
    assert period_in_force(periods, 2026).rule == "published"
    assert [period_in_force(periods, y).rule for y in (2025, 2027, 2030)] == ["gdp"] * 3
    assert period_in_force(periods, 2016) is None


@pytest.mark.parametrize("entry,message", [
    ({"rule": "published", "source": "a"}, r"fund\.periods\.2026\.accres: a published period needs the 'accres'"),
    ({"rule": "gdp", "accres": {"value": 0.04, "source": "a"}, "source": "a"},
     r"fund\.periods\.2026\.accres: only a 'published' period has 'accres'"),
    ({"rule": "published", "accres": {"value": 0.9, "source": "a"}, "source": "a"},
     r"fund\.periods\.2026\.accres\.value"),
])
def test_a_bad_published_period_names_the_field(entry, message):
    doc = _baseline_doc()
    doc["fund"]["periods"][2026] = entry
    with pytest.raises(ScenarioError, match=message):
        scenario_from_dict(doc, origin="b.yaml")


def test_a_mutation_beyond_the_horizon_changes_nothing():
    """The baseline's path reaches 2028; a projection of two years ends before it."""
    doc = _baseline_doc()
    doc["horizon"] = 2
    short = gemfin.simulate(scenario_from_dict(doc, origin="t", path=SCEN / "baseline.yaml").deterministic(),
                            paths=8, seed=1, progress=False).budget["mean"]
    doc["fund"]["policy_mutations"] = [m for m in doc["fund"]["policy_mutations"] if m["year"] < 2028]
    without = gemfin.simulate(scenario_from_dict(doc, origin="t", path=SCEN / "baseline.yaml").deterministic(),
                              paths=8, seed=1, progress=False).budget["mean"]
    assert list(short.index) == [2026, 2027] and (short == without).all()


def test_the_fund_path_table():
    path = gemfin.fund_path("baseline")
    assert list(path.index) == list(range(2026, 2036))
    assert path.loc[2026, "rule"] == "published" and path.loc[2027, "rule"] == "gdp"
    assert path.loc[2026, "accres"] == pytest.approx(0.0472, abs=1e-12)
    volume_2027 = sum(PUBLISHED[y] for y in range(2018, 2026)) / 800
    assert path.loc[2027, "accres"] == pytest.approx(volume_2027 + 0.0225, abs=1e-12)
    assert path["mutations (EUR mln)"].to_dict() == pytest.approx(
        {y: {2026: MUTATIONS_2026 / 1e6, 2028: -486.0}.get(y, 0.0) for y in range(2026, 2036)})
    assert path.loc[2026, "sources"].startswith("accres: meicirculaire 2025")
    assert "2,3 miljard" in path.loc[2026, "sources"] and path.loc[2027, "sources"] == ""
    det = gemfin.simulate(gemfin.load_scenario("baseline").deterministic(), paths=2, seed=1, progress=False)
    assert path["AU budget (EUR mln)"].to_numpy() == pytest.approx(det.budget["mean"].to_numpy() / 1e6, rel=1e-15)


def test_the_fund_path_workbook_defines_every_column(tmp_path):
    import pandas as pd

    from gemfin.cli import main

    assert main(["fund-path", "baseline", "--out", str(tmp_path / "fp.xlsx")]) == 0
    book = pd.read_excel(tmp_path / "fp.xlsx", sheet_name=None)
    defs = book["definitions"].set_index("column")
    assert set(defs.index) == set(book["fund path"].columns)
    assert not (defs["meaning"] == "see docs/glossary.md").any(), defs["meaning"].to_dict()
    assert "task" in defs.loc["of which for tasks (EUR mln)", "meaning"]
