"""The GDP rule's 8-year window starts from published real growth (fund.growth.history): the
figures below are CBS's (De Nederlandse economie in 2024, figure 2.1) and CPB's estimate for
2025, typed here from the publications, not read from the scenario."""

from __future__ import annotations

import copy

import pytest
import yaml

import gemfin
from gemfin.run.compile import growth_history
from gemfin.scenario import ScenarioError, scenario_from_dict

SCEN = gemfin._datadir.scenarios_dir()
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
    # 2026 also brings the end of the opschalingskorting, EUR 675 mln
    accres_2026 = (budget[2026] - 675e6) / base0 - 1
    assert accres_2026 == pytest.approx(volume_2026 + 0.025, abs=1e-9)
    # the meicirculaire 2025 published an accres of 4.72% for 2026 (its price part is not in
    # reach): the window's published years bring the baseline within 0.25 points of it
    assert abs(accres_2026 - 0.0472) < 0.0025
