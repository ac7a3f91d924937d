"""The declared schemas of scenario and proposal files: the JSON Schemas in docs/schemas are
current, the shipped files satisfy them, and problems are reported whole, with field paths and
did-you-means at any depth."""

import json
import pathlib

import jsonschema
import pytest
import yaml

from gemfin.schema import proposal as schema_proposal, scenario as schema_scenario
from gemfin.cli import main, schema_json
from gemfin.errors import ProposalError, ScenarioError
from gemfin.proposal import Proposal
from gemfin.scenario import scenario_from_dict

from conftest import REPO

SCEN = REPO / "scenarios"
SCHEMAS = REPO / "docs" / "schemas"


def _json_view(x):
    """A YAML document as an editor's JSON Schema validator sees it: mapping keys are strings."""
    if isinstance(x, dict):
        return {str(k): _json_view(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_json_view(v) for v in x]
    return x


@pytest.mark.parametrize("kind,module", [("scenario", schema_scenario), ("proposal", schema_proposal)])
def test_json_schemas_are_current(kind, module):
    committed = (SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert committed == schema_json(module.json_schema()), "stale docs/schemas: run `make schemas`"
    # Every definition is named after its model (a bound with a decimal point once cut
    # "Param_minus0.5_to_0.5" to "5"): an editor shows these names.
    defs = json.loads(committed)["$defs"]
    assert all(name[0].isalpha() and name.replace("_", "").isalnum() for name in defs), sorted(defs)
    if kind == "scenario":
        assert {"Param_minus0p5_to_0p5", "Param_minus0p01_to_0p01", "Param_0_to_0p99"} <= set(defs)


def _complete_scenarios() -> list[pathlib.Path]:
    # A file with `extends` holds overrides of its parent, not a whole scenario.
    return [p for p in sorted(SCEN.glob("*.yaml")) if "fund" in (d := yaml.safe_load(p.read_text())) and "extends" not in d]


def test_shipped_files_satisfy_the_json_schemas():
    scenario = json.loads((SCHEMAS / "scenario.schema.json").read_text())
    proposal = json.loads((SCHEMAS / "proposal.schema.json").read_text())
    files = _complete_scenarios()
    assert [p.name for p in files] == ["baseline.yaml"]
    for p in files:
        jsonschema.Draft202012Validator(scenario).validate(_json_view(yaml.safe_load(p.read_text())))
    props = sorted((SCEN / "proposals").glob("*.yaml"))
    assert len(props) == 2
    for p in props:
        jsonschema.Draft202012Validator(proposal).validate(_json_view(yaml.safe_load(p.read_text())))


@pytest.mark.parametrize("mutate,what", [
    (lambda d: d["drivers"]["inwoners"].update(average_yaers=3), "average_yaers"),
    (lambda d: d["budget"]["response"].update(speed={"value": 1.5, "source": "x"}), "1.5"),
    (lambda d: d["drivers"]["bijstand"]["national"].update(distribution="cauchy"), "cauchy"),
    (lambda d: d["budget"]["ingroei"]["step"].update({2027: {"value": 15}}), "source"),
    (lambda d: d["fund"].update(rule="ppp"), "ppp"),
])
def test_the_json_schema_rejects_what_the_loader_rejects(mutate, what):
    scenario = json.loads((SCHEMAS / "scenario.schema.json").read_text())
    doc = yaml.safe_load((SCEN / "baseline.yaml").read_text())
    mutate(doc)
    assert not jsonschema.Draft202012Validator(scenario).is_valid(_json_view(doc))
    with pytest.raises(ScenarioError, match=what):
        scenario_from_dict(doc, origin="b.yaml")


def test_every_problem_of_a_file_is_reported_with_its_path():
    doc = yaml.safe_load((SCEN / "baseline.yaml").read_text())
    doc["drivers"]["inwoners"]["average_yaers"] = 3                           # misspelt optional key
    doc["drivers"]["ouderen"]["national"]["distribution"] = "normall"          # misspelt union tag
    doc["fund"]["growth"]["mean"]["value"] = "0.015"                           # a string for a number
    doc["budget"]["domains"]["Wmo"]["excess_persistence"]["value"] = float("nan")
    doc["budget"]["response"]["tax_share"] = {"value": 0.1}                    # no source
    doc["budget"]["ingroei"]["step"] = {2026: {"value": 15.0, "source": "x"}, "2027": {"value": 15.0, "source": "x"}}
    doc["correlation"][0]["between"] = ["growth", "bijstnd"]                  # known only from the data
    doc["drivers"]["woz_niet_woningen"]["maatstaven"] = ["WOZnwe70", "WOZwe80"]  # woz_woningen's already
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(doc, origin="b.yaml")
    found = info.value.problems
    expected = [
        "b.yaml: drivers.inwoners: unknown field(s) 'average_yaers' (did you mean 'average_years'?)",
        "b.yaml: drivers.ouderen.national.distribution: unknown distribution 'normall'; expected one of",
        "(did you mean 'normal'?)",
        "b.yaml: fund.growth.mean.value: expected a number, got str '0.015'",
        "b.yaml: budget.domains.Wmo.excess_persistence.value: expected a finite number, got nan",
        "b.yaml: budget.response.tax_share: missing field(s) ['source']",
        "b.yaml: budget.ingroei.step.2027: expected a year (an integer from 1900 to 2200) as key, got '2027'",
        "b.yaml: correlation[0].between: unknown variable 'bijstnd'",
        "b.yaml: drivers.woz_niet_woningen.maatstaven[1]: maatstaf 'WOZwe80' is already driven by 'woz_woningen'",
    ]
    text = "\n".join(found)
    for e in expected:
        assert e in text, (e, text)
    assert len(found) == 8, found


def test_a_section_that_is_not_a_mapping_says_so():
    doc = yaml.safe_load((SCEN / "baseline.yaml").read_text())
    doc["budget"]["ozb"] = [1, 2]
    doc["fund"]["growth"]["shock"] = "normal"
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(doc, origin="b.yaml")
    text = "\n".join(info.value.problems)
    assert "b.yaml: budget.ozb: expected a mapping, got a list" in text
    assert "b.yaml: fund.growth.shock: expected a mapping, got str 'normal'" in text


def test_proposal_changes_are_told_apart_by_type():
    doc = {"name": "x", "changes": [
        {"type": "shift", "cluster": "Overig", "form": "inwo", "to": "jong", "fraction": 0.1},
        {"type": "add_maatstaf", "code": "x", "name": "x", "cluster": "Overig", "bedrag": 1, "volume": {"file": "v.csv"}},
    ]}
    with pytest.raises(ProposalError) as info:
        Proposal.from_dict(doc, origin="p.yaml")
    text = "\n".join(info.value.problems)
    assert "p.yaml: changes[0]: unknown field(s) 'form' (did you mean 'from'?)" in text
    assert "missing ['from']" in text
    assert "p.yaml: changes[1].volume: missing field(s) ['column']" in text


def test_gemfin_schema_prints_the_json_schema(capsys, tmp_path):
    assert main(["schema", "proposal"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == schema_proposal.json_schema()
    out = tmp_path / "s.json"
    assert main(["schema", "scenario", "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == schema_scenario.json_schema()
    assert main(["schema", "scenario", "--out", str(tmp_path / "new" / "s.json")]) == 0  # the folder is created
    assert main(["schema", "scenario", "--out", str(out / "s.json")]) == 2  # s.json is a file


def test_an_empty_budget_section_is_a_problem_not_a_crash():
    # budget: (empty) with a correlation naming a budget shock once escaped as a ValueError.
    doc = yaml.safe_load((SCEN / "baseline.yaml").read_text())
    doc["budget"] = None
    with pytest.raises(ScenarioError, match=r"correlation\[8\]\.between: unknown variable 'excess\.Jeugd'"):
        scenario_from_dict(doc, origin="b.yaml")


@pytest.mark.parametrize("change,message", [
    (lambda d: d["correlation"].append({"between": ["growth", "wage_price"], "value": 0.2, "source": "x"}),
     r"correlation\[9\]\.between: 'wage_price' follows the fund's price and has no shock of its own; correlate 'price'"),
    (lambda d: d["budget"]["wage_price"].update(mean={"value": 0.02, "source": "x"}),
     r"budget\.wage_price: unknown field\(s\) 'mean'; expected \['follows', 'wedge'\]"),
    (lambda d: d["budget"]["wage_price"].update(follows="fund.growth"),
     r"budget\.wage_price\.follows: expected 'fund\.price', got 'fund\.growth'"),
    (lambda d: d.update(fund={"rule": "ngru", "growth": {k: v for k, v in d["fund"]["growth"].items() if k != "history"}},
                        correlation=[c for c in d["correlation"] if "price" not in c["between"]]),
     r"budget\.wage_price\.follows: follows the fund's price \(the GDP deflator\), which only fund rule 'gdp' has"),
])
def test_costs_linked_to_the_funds_price_are_checked(change, message):
    """budget.wage_price: {follows: fund.price, wedge} — the baseline's one price process."""
    doc = yaml.safe_load((SCEN / "baseline.yaml").read_text())
    change(doc)
    with pytest.raises(ScenarioError, match=message):
        scenario_from_dict(doc, origin="b.yaml")
