"""Herverdeeleffecten, phase-in and proposal validation."""

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import gemfin
from gemfin.errors import InputError, ProposalError

from conftest import PROPOSALS

SHIPPED = sorted(PROPOSALS.glob("*.yaml"))


def _proposal(changes, name="test"):
    return gemfin.Proposal.from_dict({"name": name, "changes": changes})


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_proposals_are_budget_neutral(circ, path):
    cmp = gemfin.compare(circ, path)
    assert len(SHIPPED) >= 2
    assert abs(cmp.herverdeeleffect.sum()) <= 1e-9 * cmp.baseline.au_total
    assert cmp.reform.au_total == pytest.approx(cmp.baseline.au_total, rel=1e-12)
    assert (cmp.herverdeeleffect != 0).any()
    # Summaries cover every municipality once.
    assert cmp.by_size_class["municipalities"].sum() == 342
    assert cmp.by_province["municipalities"].sum() == 342
    assert cmp.by_province.index.nunique() == 12
    # The last phase-in year reaches the full effect (default years).
    np.testing.assert_allclose(cmp.phase_in.iloc[:, -1], cmp.herverdeeleffect, rtol=0, atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(cap=st.floats(min_value=0.5, max_value=100.0), years=st.integers(min_value=1, max_value=8))
def test_phase_in_never_exceeds_the_cap(circ, cap, years):
    cmp = gemfin.compare(circ, PROPOSALS / "jeugd-naar-jongeren.yaml", cap_per_inhabitant=cap, years=years)
    inw = cmp.inhabitants.to_numpy()
    he = cmp.herverdeeleffect.to_numpy()
    for t in range(years):
        allowed = cmp.phase_in.iloc[:, t].to_numpy()
        assert np.all(np.abs(allowed) <= cap * (t + 1) * inw * (1 + 1e-12))
        assert np.all(np.abs(allowed) <= np.abs(he) + 1e-9)
        assert np.all(allowed * he >= 0)  # never the wrong direction
    # The yearly step is capped as well.
    steps = np.diff(np.column_stack([np.zeros_like(he), cmp.phase_in.to_numpy()]), axis=1)
    assert np.all(np.abs(steps) <= cap * inw[:, None] * (1 + 1e-12))


def test_herijking_style_caps(circ):
    cmp = gemfin.compare(circ, PROPOSALS / "jeugd-naar-jongeren.yaml", cap_per_inhabitant=[7.5, 15, 15],
                         years=[2023, 2024, 2025])
    assert cmp.years == (2023, 2024, 2025)
    pi = cmp.phase_in_per_inhabitant
    assert pi.abs().max().round(9).tolist() == [7.5, 22.5, 37.5]
    np.testing.assert_allclose(cmp.suppletie, cmp.phase_in.sub(cmp.herverdeeleffect, axis=0))
    assert cmp.phase_in_cost.index.tolist() == [2023, 2024, 2025]


def test_no_cap_means_full_effect_at_once(circ):
    cmp = gemfin.compare(circ, PROPOSALS / "jeugd-naar-jongeren.yaml", cap_per_inhabitant=None)
    np.testing.assert_allclose(cmp.phase_in.iloc[:, 0], cmp.herverdeeleffect)


def test_shift_keeps_the_cluster_total(circ):
    p = _proposal([{"type": "shift", "cluster": "Individuele voorzieningen Jeugd", "from": "lidr_w_nw",
                    "to": "jong", "amount": 500e6}])
    reform = p.apply(circ)
    k = "Individuele voorzieningen Jeugd"
    before = (circ.volumes * circ.rates[k]).sum().sum()
    after = (reform.volumes * reform.rates[k]).sum().sum()
    assert after == pytest.approx(before, rel=1e-12)
    # EUR 500 mln at UF 1.457 moved onto jongeren.
    moved = (reform.rates.loc["jong", k] - circ.rates.loc["jong", k]) * circ.volumes["jong"].sum()
    assert moved * circ.uitkeringsfactor == pytest.approx(500e6, rel=1e-12)


def test_add_maatstaf_from_existing_volume_equals_raising_that_bedrag(circ):
    k = "Sociale basisvoorzieningen"
    added = _proposal([{"type": "add_maatstaf", "code": "inwo2", "name": "inwoners bis", "cluster": k,
                        "bedrag": 10.0, "volume": {"from": "inwo"}}])
    raised = _proposal([{"type": "add", "maatstaf": "inwo", "cluster": k, "delta": 10.0}])
    a = gemfin.compare(circ, added, cap_per_inhabitant=None)
    b = gemfin.compare(circ, raised, cap_per_inhabitant=None)
    np.testing.assert_allclose(a.herverdeeleffect, b.herverdeeleffect, atol=1e-4)


def test_add_maatstaf_from_file(circ, tmp_path):
    csv = tmp_path / "vol.csv"
    csv.write_text("gemeente,woningen\n" + "\n".join(f"{g},{v}" for g, v in circ.volumes["woonr"].items()))
    p = _proposal([{"type": "add_maatstaf", "code": "won", "name": "woningen", "cluster": "Overig",
                    "bedrag": 1.0, "volume": {"file": str(csv), "column": "woningen"}}])
    assert p.apply(circ).volumes["won"].equals(circ.volumes["woonr"].rename("won"))
    csv.write_text("gemeente,woningen\nGM0014,5\n")
    with pytest.raises(ProposalError, match=r"has no value for municipality/municipalities \['GM0034'"):
        p.apply(circ)


def test_remove_maatstaf_equals_scaling_to_zero(circ):
    a = gemfin.compare(circ, _proposal([{"type": "remove_maatstaf", "maatstaf": "cf.lokaal"}]), cap_per_inhabitant=None)
    b = gemfin.compare(circ, _proposal([{"type": "scale", "maatstaf": "cf.lokaal", "factor": 0}]), cap_per_inhabitant=None)
    np.testing.assert_allclose(a.herverdeeleffect, b.herverdeeleffect, atol=1e-4)
    assert "cf.lokaal" not in a.reform.circulaire.volumes.columns


def test_unknown_maatstaf_in_proposal_names_it(circ, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump({"name": "x", "changes": [{"type": "scale", "maatstaf": "inwoners", "factor": 2}]}))
    with pytest.raises(ProposalError, match=r"p\.yaml: changes\[0\]\.maatstaf: unknown maatstaf 'inwoners'"):
        gemfin.compare(circ, path)


@pytest.mark.parametrize(
    "doc,message",
    [
        ({"changes": [{"type": "scale", "maatstaf": "inwo", "factor": 2}]}, r"<proposal>: <top>: missing field\(s\) \['name'\]"),
        ({"name": "x", "changes": []}, r"changes: expected 1 item\(s\), got 0"),
        ({"name": "x", "changes": [{"type": "double", "maatstaf": "inwo"}]}, r"changes\[0\]\.type: unknown type 'double'; expected one of"),
        ({"name": "x", "changes": [{"type": "set", "maatstaf": "inwo"}]}, r"changes\[0\]: missing field\(s\) \['cluster', 'bedrag'\]"),
        ({"name": "x", "changes": [{"type": "scale", "maatstaf": "inwo", "factor": 2, "colour": 1}]}, r"changes\[0\]: unknown field\(s\) 'colour'"),
        ({"name": "x", "changes": [{"type": "shift", "cluster": "Overig", "from": "inwo", "to": "jong"}]}, "exactly one of 'amount' and 'fraction'"),
        ({"name": "x", "extra": 1, "changes": [{"type": "scale", "maatstaf": "inwo", "factor": 2}]}, r"<top>: unknown field\(s\) 'extra'"),
        ({"name": "x", "changes": [{"type": "scale", "maatstaf": "inwo", "factor": "2"}]}, r"changes\[0\]\.factor: expected a number, got str '2'"),
        ({"name": "x", "changes": [{"type": "scale", "maatstaf": "inwo", "factor": -1}]}, r"changes\[0\]\.factor: expected a number ≥ 0"),
        ({"name": "x", "changes": [{"type": "shift", "cluster": "Overig", "from": "inwo", "to": "inwo", "fraction": 0.1}]}, "the same maatstaf"),
        ({"name": "x", "changes": [{"type": "shift", "cluster": "Overig", "from": "inwo", "to": "jong", "fraction": 1.5}]}, r"fraction: expected a number ≤ 1"),
        ({"name": "x", "changes": [{"type": "add_maatstaf", "code": "x", "name": "x", "cluster": "Overig", "bedrag": 1, "volume": 3}]}, "either 'from"),
    ],
)
def test_invalid_proposals(doc, message):
    with pytest.raises(ProposalError, match=message):
        gemfin.Proposal.from_dict(doc)


def test_a_proposal_reports_every_problem_at_once_with_did_you_mean():
    doc = {"name": "", "chagnes": [],
           "changes": [{"type": "scael", "maatstaf": "inwo", "factor": 2},
                       {"type": "scale", "maatstaf": "inwo", "facotr": 2},
                       {"type": "shift", "cluster": "x", "from": "a", "to": "b"}]}
    with pytest.raises(ProposalError) as info:
        gemfin.Proposal.from_dict(doc, origin="p.yaml")
    problems = info.value.problems
    assert len(problems) == 5, problems  # changes[1]'s unknown and missing field are one
    text = "\n".join(problems)
    for expected in ("p.yaml: <top>: unknown field(s) 'chagnes'; expected",
                     "p.yaml: name: expected a non-empty string",
                     "changes[0].type: unknown type 'scael'", "(did you mean 'scale'?)",
                     "changes[1]: unknown field(s) 'facotr' (did you mean 'factor'?)", "missing ['factor']",
                     "changes[2]: a 'shift' change needs exactly one of 'amount' and 'fraction'"):
        assert expected in text, (expected, text)



@pytest.mark.parametrize(
    "change,message",
    [
        ({"type": "set", "maatstaf": "inwo", "cluster": "Jeugd", "bedrag": 1}, r"cluster: unknown cluster 'Jeugd'"),
        ({"type": "shift", "cluster": "Onroerendezaakbelasting", "from": "WOZwe80", "to": "jong", "fraction": 0.1}, "OZB maatstaf"),
        ({"type": "shift", "cluster": "Individuele voorzieningen Jeugd", "from": "jong", "to": "inwo", "amount": 1e12}, "exceeds the amount"),
        ({"type": "add_maatstaf", "code": "inwo", "name": "x", "cluster": "Overig", "bedrag": 1, "volume": {"from": "inwo"}}, "already exists"),
    ],
)
def test_invalid_changes_on_apply(circ, change, message):
    with pytest.raises(ProposalError, match=message):
        _proposal([change]).apply(circ)


def test_invalid_yaml_file(tmp_path, circ):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ProposalError, match=r"bad\.yaml: not valid YAML"):
        gemfin.load_proposal(bad)
    lst = tmp_path / "list.yaml"
    lst.write_text("- 1\n- 2\n")
    with pytest.raises(ProposalError, match="expected a mapping"):
        gemfin.load_proposal(lst)
    # YAML tags that would construct Python objects are refused by the safe loader.
    evil = tmp_path / "evil.yaml"
    evil.write_text("name: !!python/object/apply:os.system ['true']\nchanges: []\n")
    with pytest.raises(ProposalError, match="not valid YAML"):
        gemfin.load_proposal(evil)


def test_compare_argument_errors(circ):
    p = PROPOSALS / "jeugd-naar-jongeren.yaml"
    with pytest.raises(InputError, match="cap_per_inhabitant must be a positive number"):
        gemfin.compare(circ, p, cap_per_inhabitant=0)
    with pytest.raises(InputError, match="3 yearly caps but years has 2"):
        gemfin.compare(circ, p, cap_per_inhabitant=[1, 2, 3], years=2)
    with pytest.raises(InputError, match="years must be increasing"):
        gemfin.compare(circ, p, years=[2026, 2025])
    with pytest.raises(InputError, match="takes \\d+ years"):
        gemfin.compare(circ, p, cap_per_inhabitant=0.01)
    with pytest.raises(InputError, match="proposal must be a Proposal"):
        gemfin.compare(circ, 42)


def test_comparison_repr(circ):
    cmp = gemfin.compare(circ, PROPOSALS / "vast-bedrag-kleine-gemeenten.yaml")
    assert "Winners / losers" in cmp._repr_html_()
    assert "winners" in repr(cmp)
    # Small municipalities gain from a higher vast bedrag.
    assert cmp.by_size_class.loc["0–20k", "effect per inhabitant (EUR)"] > 0
