"""Money the fund gives for a task (a policy mutation with ``task``): the councils' lasten of
that domain rise with it, and the baseline's first projected year against the begrotingen 2026
the municipalities filed (lasten per taakveld, read here with the csv module)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

import gemfin
from gemfin.scenario import ScenarioError, scenario_from_dict

from conftest import compiled, filed_lasten

SCEN = gemfin._datadir.scenarios_dir()


def _doc() -> dict:
    return yaml.safe_load((SCEN / "baseline.yaml").read_text(encoding="utf-8"))


def _run(doc: dict):
    scen = scenario_from_dict(doc, origin="t.yaml").deterministic()
    return gemfin.simulate(scen, paths=4, seed=1, progress=False).finances


@pytest.fixture(scope="module")
def without_tasks():
    doc = _doc()
    for m in doc["fund"]["policy_mutations"]:
        m.pop("task", None)
    return doc, _run(doc)


def test_a_task_raises_its_domains_lasten_by_about_its_amount(without_tasks):
    doc, before = without_tasks
    doc = copy.deepcopy(doc)
    doc["fund"]["policy_mutations"].append({"year": 2027, "amount": 500e6, "task": "Wmo", "source": "test"})
    after = _run(doc)
    free = copy.deepcopy(doc)
    free["fund"]["policy_mutations"][-1].pop("task")
    free_run = _run(free)
    lasten = after.lasten_mean.sum(axis=0) - free_run.lasten_mean.sum(axis=0)
    assert lasten[0] == 0.0  # 2026: before the task
    # 2027: EUR 500 mln over the Wmo lasten of 2026, moved by the Wmo volume of 2027 (its drivers
    # grow about 2% a year)
    assert 500e6 < lasten[1] < 500e6 * 1.03
    assert lasten[2] / lasten[1] == pytest.approx(1.04, abs=0.02)  # then with Wmo's costs and volume
    # The money itself is in both runs; the task spends it: the plan of 2027 is lower by the
    # task less the response's first step (speed 0.23 of the new gap).
    planned = after.planned_saldo_mean.sum(axis=0) - free_run.planned_saldo_mean.sum(axis=0)
    speed = gemfin.load_scenario("baseline").budget.response.speed.value
    assert planned[1] == pytest.approx(-lasten[1] * (1 - speed), rel=0.01)


def test_without_tasks_the_run_is_the_one_before_tasks_existed(without_tasks):
    doc, before = without_tasks
    scen = scenario_from_dict(doc, origin="t.yaml")
    model, _ = compiled(scen)
    assert model.budget.tasks.shape == (0, 0)  # the core adds nothing, bit for bit


def test_a_task_needs_a_known_domain():
    doc = _doc()
    doc["fund"]["policy_mutations"][0]["task"] = "Jeugdzorg"
    with pytest.raises(ScenarioError, match=r"fund\.policy_mutations\[0\]\.task.*'Jeugd'"):
        scenario_from_dict(doc, origin="t.yaml")


def test_a_task_cannot_take_away_all_of_a_domain():
    doc = _doc()
    doc["fund"]["policy_mutations"].append({"year": 2027, "amount": -9e10, "task": "Jeugd", "source": "test"})
    with pytest.raises(gemfin.InputError, match=r"Baseline: fund\.policy_mutations\[\d+\] \(2027, task Jeugd\): EUR 90,000 mln less .* expected less"):
        gemfin.simulate(scenario_from_dict(doc, origin="t.yaml"), paths=2, progress=False)


def test_the_baselines_first_year_lasten_grow_within_a_point_of_the_begrotingen_2026():
    now, before = filed_lasten(2026), filed_lasten(2025)
    both = [g for g in now if now[g] > 0 and before.get(g, 0) > 0]
    filed = sum(now[g] for g in both) / sum(before[g] for g in both) - 1  # 5.7%
    assert filed == pytest.approx(0.057, abs=0.001)
    growth = gemfin.simulate(gemfin.load_scenario("baseline").deterministic(), paths=4, seed=1,
                             progress=False).finances.national()["lasten growth"]
    assert abs(growth[2026] - filed) < 0.01
    assert np.isfinite(growth).all()


def test_the_first_years_lasten_per_domain_follow_volume_costs_and_tasks():
    """Deterministic run: a domain's national lasten of 2026 are its base lasten × its volume ×
    (1 + wages and prices + its fading excess + the task over its base lasten), written here
    from the scenario's parameters and the Iv3 base (docs/budget-model.md, "Projection")."""
    det = gemfin.load_scenario("baseline").deterministic()
    got = gemfin.simulate(det, paths=4, progress=False).finances.lasten_by_domain(growth=True).loc[2026]
    base = gemfin.iv3.baseline_budget("begroting", 2025).lasten
    codes = gemfin.load_circulaire("S2024_2025").volumes.index
    b, fp = det.budget, det.fund.price
    wp = fp.mean.value + fp.persistence.value * (fp.start.value - fp.mean.value) + b.wage_price.wedge.value
    level = {n: np.exp(d.national.mean) for n, d in det.drivers.items()}
    for name in ("Jeugd", "Wmo", "Overig"):
        dom = getattr(b.domains, name)
        volume = sum(level[k] * w for k, w in dom.volume.items()) / sum(dom.volume.values())
        psi = 1.0 if dom.excess_persistence is None else dom.excess_persistence.value
        task = sum(m.amount for m in det.fund.policy_mutations if m.year == 2026 and m.task == name)
        cost = 1 + wp + dom.excess_growth.mean * psi + task / base.loc[codes, name].sum()
        assert got[name] == pytest.approx(volume * cost - 1, abs=1e-12), name
    assert got["Jeugd"] > 0.14  # EUR 0.9 bn of tasks on 7.6 bn
    assert got["total"] == pytest.approx(
        gemfin.simulate(det, paths=4, progress=False).finances.national()["lasten growth"][2026], rel=1e-12)


def test_the_first_years_growth_is_on_the_base_filing_unless_that_year_is_the_base():
    """The first year's growth compares with the base filing, except where the first year shown
    is the base year itself (corona-2020: the begroting 2020 in 2020); the base's year decides,
    not how its label reads."""
    import dataclasses

    own = gemfin.simulate("corona-2020", paths=64, progress=False).finances
    assert own.base_year == own.years[0] == 2020
    assert np.isnan(own.national()["lasten growth"].iloc[0])
    assert own.lasten_by_domain(growth=True).iloc[0].isna().all()
    later = gemfin.simulate("baseline", paths=64, progress=False).finances
    assert (later.base_year, later.years[0]) == (2025, 2026)
    relabelled = dataclasses.replace(later, base="Iv3 base 2026")
    assert np.isfinite(relabelled.national()["lasten growth"].iloc[0])
    assert np.isfinite(relabelled.lasten_by_domain(growth=True).iloc[0]).all()
