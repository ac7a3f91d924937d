"""The ingroeiregeling carried forward (gemfin.ingroei; docs/domain.md §2.7)."""

import copy

import numpy as np
import pandas as pd
import pytest
import yaml

import gemfin
from gemfin import ingroei
from gemfin.errors import InputError
from gemfin.iv3.panel import InformationSet, load_panel
from gemfin.scenario import ScenarioError, scenario_from_dict

from conftest import compiled, REPO

SCEN = REPO / "scenarios"


def test_suppletie_caps_the_herverdeeleffect_both_ways():
    he = pd.Series([-500.0, 100.0, 900.0, 0.0])
    inw = pd.Series([10.0, 10.0, 10.0, 10.0])
    # cap 30/inh → ±300: a loser of 500 gets 200 back, a gainer of 900 gives up 600.
    assert ingroei.suppletie(he, inw, 30.0).tolist() == [200.0, 0.0, -600.0, 0.0]


def test_the_two_published_years_reveal_the_same_herverdeeleffect():
    """The algorithm (docs/domain.md §2.7) read from the 2023 (cap 7.50) and the 2024 (cap 22.50)
    suppleties gives the same HE per inhabitant for the municipalities capped in both years."""
    a, b = ingroei.herverdeeleffect("M2022_2023"), ingroei.herverdeeleffect("S2024_2024")
    both = a.index.intersection(b.index)
    capped = a.loc[both, "capped"] & b.loc[both, "capped"]
    assert capped.sum() > 250
    diff = (a.loc[both, "he"] / a.loc[both, "inhabitants"] - b.loc[both, "he"] / b.loc[both, "inhabitants"])[capped]
    # Measured: median difference 0.05, |difference| median 0.6 and p75 2.4 euros per inhabitant
    # (HE moves a little with a year of volumes and the factor).
    assert abs(diff.median()) < 0.5 and diff.abs().quantile(0.75) < 3.0
    with pytest.raises(InputError, match="does not publish"):
        ingroei.herverdeeleffect("S2024_2025")


def test_carrying_the_suppletie_forward_brings_the_fund_closer_to_what_was_booked():
    """M2023_2024 (the circulaire the begrotingen 2024 were drafted on) has no suppletie column;
    with the 2024 cap applied to the revealed HE its gemeentefonds is closer to Iv3 rijk."""
    circ = gemfin.load_circulaire("M2023_2024")
    gf = gemfin.allocate(circ).algemene_uitkering + circ.fixed_items.sum(axis=1)
    he = ingroei.herverdeeleffect("S2024_2024")["he"].reindex(gf.index)
    carried = gf + ingroei.suppletie(he, circ.municipalities["inhabitants"].reindex(gf.index), 22.5)
    p = load_panel(InformationSet(begroting=2024, jaarrekening=2022))
    rijk = p[(p["document"] == "begroting") & (p["year"] == 2024)].set_index("gm_code")["rijk"].reindex(gf.index)
    before = ((gf - rijk) / rijk).abs().median()
    after = ((carried - rijk) / rijk).abs().median()
    assert after < 0.5 * before


def test_the_baseline_carries_the_ingroei_with_a_growing_cap():
    scen = gemfin.load_scenario(SCEN / "baseline.yaml")
    ing = scen.budget.ingroei
    assert (ing.cap(2025), ing.cap(2026), ing.cap(2030)) == (37.5, 52.5, 112.5)
    m = compiled(scen)[0].budget.suppletie
    gross = np.abs(m).sum(axis=0)
    assert m.shape == (342, scen.horizon) and (np.diff(gross) <= 0).all() and gross[0] > 1e8


def test_ingroei_schema_errors(tmp_path):
    doc = yaml.safe_load((SCEN / "baseline.yaml").read_text())
    for change, msg in [({"from": "S2024_2025"}, r"budget\.ingroei\.from: expected a circulaire that publishes"),
                        ({"first_year": 2026}, r"budget\.ingroei\.first_year: expected a year up to the base year 2025"),
                        ({"step": {"2026": {"value": 15, "source": "x"}}}, r"budget\.ingroei\.step\.2026: expected a year \(an integer from 1900 to 2200\) as key, got '2026'"),
                        ({"step": {2028: {"value": 15, "source": "x"}}}, r"the first step must apply from 2026")]:
        d = copy.deepcopy(doc)
        d["budget"]["ingroei"].update(change)
        with pytest.raises(ScenarioError, match=msg):
            scenario_from_dict(d, origin="i.yaml", path=SCEN / "baseline.yaml")
    d = copy.deepcopy(doc)
    d["circulaire"] = "S2024_2024"
    d["budget"]["base"] = {"document": "begroting", "year": 2024}
    with pytest.raises(ScenarioError, match="publishes its own suppletie"):
        scenario_from_dict(d, origin="i.yaml", path=SCEN / "baseline.yaml")


def test_dated_values_hold_until_the_next():
    from gemfin.schema.base import value_at

    d = {2029: 10.0, 2026: 15.0}
    assert [value_at(d, y) for y in (2026, 2028, 2029, 2035)] == [15.0, 15.0, 10.0, 10.0]
    with pytest.raises(ValueError, match="no value before 2026"):
        value_at(d, 2025)
