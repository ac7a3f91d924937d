"""The notebook view of every gemfin object comes from gemfin.repr_html: a caption, the fields
a user looks for, and escaped text (names may hold '<' or '&')."""

import warnings

import pandas as pd
import pytest
import yaml

import gemfin
import gemfin.sensitivity as gs
from gemfin import repr_html
from gemfin.scenario import scenario_from_dict

from conftest import REPO

SCEN = REPO / "scenarios"


def test_fields_escape_labels_and_values():
    out = repr_html.fields("cap <1>", [("a & b", "<script>"), ("n", 3)])
    assert "<caption>cap &lt;1&gt;</caption>" in out
    assert "a &amp; b" in out and "&lt;script&gt;" in out and "<script>" not in out
    assert repr_html.items("t", []) == ""
    assert "<li>x &amp; y</li>" in repr_html.items(None, ["x & y"])
    assert "&lt;b&gt;" in repr_html.frame(pd.DataFrame({"name": ["<b>"]}), "t")


@pytest.fixture(scope="module")
def run():
    doc = yaml.safe_load((SCEN / "baseline.yaml").read_text())
    doc["name"] = "Baseline <Zuid & Noord>"
    scen = scenario_from_dict(doc, origin="repr.yaml", path=SCEN / "baseline.yaml")
    return scen, gemfin.simulate(scen, paths=64, seed=1, progress=False)


def test_scenario_and_result(run):
    scen, res = run
    s = scen._repr_html_()
    assert "gemfin Scenario" in s and "Baseline &lt;Zuid &amp; Noord&gt;" in s and "<Zuid" not in s
    assert "jongeren" in s  # the drivers table
    assert "fixed from 2020, frozen_volume from 2022, gdp from 2024" in s  # the fund's periods
    r = res._repr_html_()
    assert "gemfin SimulationResult" in r and "&lt;Zuid &amp; Noord&gt;" in r
    assert "Share of municipalities in deficit" in r and "Most at risk of exhausting reserves" in r
    b = res.finances._repr_html_()
    assert "Budget risks" in b and "Base: begroting 2025" in b and "GM0310 (De Bilt): empty filing" in b


def test_circulaire_allocation_comparison():
    circ = gemfin.load_circulaire("S2024_2025")
    c = circ._repr_html_()
    assert "gemfin Circulaire S2024_2025" in c and "Uitkeringsjaar" in c and "2025" in c
    a = gemfin.allocate(circ)._repr_html_()
    assert "gemfin Allocation" in a and "Individuele voorzieningen Jeugd" in a and "AU per inhabitant" in a
    cmp = gemfin.compare(circ, SCEN / "proposals" / "jeugd-naar-jongeren.yaml")
    h = cmp._repr_html_()
    assert "gemfin Comparison" in h and "Winners / losers" in h and "effect per inhabitant" in h


def test_backtest_and_sobol():
    import gemfin.backtest as bt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = bt.backtest(2022, paths=200, seed=1)
    h = r._repr_html_()
    assert "gemfin backtest 2022" in h and "ROC AUC" in h and "Filled:" in h and "GM1982" in h
    assert "Realisation model" in h and "Not scored (no realisation):" in h and "Model notes:" not in h
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        early = bt.backtest(2019, paths=100, seed=1)._repr_html_()
    assert "Model notes:" in early and "persistence not estimated" in early  # one training year, no gap 2 back
    scen = gemfin.load_scenario(SCEN / "baseline.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = gs.sobol(scen, {"fund.growth.mean.value": (0.005, 0.025), "fund.price.mean.value": (0.01, 0.03)},
                       gs.au_budget(), n=4, paths=16, full=True)
    assert "Sobol" in res._repr_html_() and "fund.growth.mean.value" in res._repr_html_()
