"""Municipal budgets, shocks and compensation."""

import copy

import numpy as np
import pytest
import xarray as xr
import yaml

import gemfin
import gemfin._datadir
from gemfin.cli import main
from gemfin.scenario import ScenarioError, scenario_from_dict

from conftest import REPO, compiled

SCEN = REPO / "scenarios"


@pytest.fixture(scope="module")
def baseline():
    return gemfin.load_scenario(SCEN / "baseline.yaml")


@pytest.mark.parametrize("name", ["baseline", "jeugdzorg-stress", "corona-2020", "corona-shock-2026", "recession", "reform-jeugd-stochastic"])
def test_shipped_scenarios_validate(name, capsys):
    assert main(["validate", str(SCEN / f"{name}.yaml")]) == 0
    assert "valid" in capsys.readouterr().out


def test_year_one_matches_an_independent_reference(baseline):
    """Deterministic run, first projection year, against the documented equations written
    directly from the Iv3 budget (not from the compiled model)."""
    det = baseline.deterministic()
    r = gemfin.simulate(det, paths=16, progress=False)
    base = gemfin.iv3.baseline_budget("begroting", 2025)
    raw, _ = gemfin.iv3.load_iv3("begroting", 2025)
    tv = raw[raw["taakveld"] == "6.3"].set_index("gemeente")
    circ = gemfin.load_circulaire("S2024_2025")
    res, _ = gemfin.iv3.load_reserves()
    g = "GM0014"
    b = det.budget
    # costs follow the fund's GDP deflator of year one (its AR(1) from the start at the mean) + the wedge
    fp = det.fund.price
    wp = fp.mean.value + fp.persistence.value * (fp.start.value - fp.mean.value) + b.wage_price.wedge.value
    price = 1 + wp
    drv = {n: np.exp(d.national.mean) for n, d in det.drivers.items()}
    dom = {n: getattr(b.domains, n) for n in ("Jeugd", "Wmo", "Participatie", "Overig")}

    def vol(name):
        w = dict(dom[name].volume)
        return sum(drv[k] * x for k, x in w.items()) / sum(w.values())

    # A fading excess (docs/budget-model.md, "Excess growth") is μ·ψ in the first year; a task
    # the fund pays for in 2026 ("Tasks the fund pays for") adds its amount over the domain's
    # national lasten of the base filing.
    codes = circ.volumes.index
    task = {n: sum(m.amount for m in det.fund.policy_mutations if m.year == 2026 and m.task == n)
            / base.lasten.loc[codes, n].sum() for n in dom}
    assert task["Jeugd"] == pytest.approx(900e6 / 7512e6, rel=0.01)  # EUR 0.9 bn on Jeugd's 7.5 bn
    cost = {n: 1 + wp + dom[n].excess_growth.mean * (1.0 if dom[n].excess_persistence is None
                                                     else dom[n].excess_persistence.value) + task[n] for n in dom}
    err = {n: np.exp(dom[n].error.mu.value) for n in dom}
    L = base.lasten.loc[g]
    buig_l, buig_b = tv.loc[g, "lasten"], tv.loc[g, "baten"]
    lasten = (L["Jeugd"] * vol("Jeugd") * cost["Jeugd"] * err["Jeugd"] + L["Wmo"] * vol("Wmo") * cost["Wmo"] * err["Wmo"]
              + (L["Participatie"] - buig_l) * vol("Participatie") * cost["Participatie"] * err["Participatie"]
              + L["Overig"] * vol("Overig") * cost["Overig"] * err["Overig"])
    buig_budget = buig_b * drv["bijstand"] * price
    buig_spend = buig_l * drv["bijstand"] * price * err["Participatie"]
    B = base.baten.loc[g]
    ozb = (B["OZB woningen"] + B["OZB niet-woningen"]) * drv["woz_woningen"] ** b.ozb.pass_through.value
    assert b.ozb.price_indexed.value  # the baseline's tariff follows the wage/price level
    ozb = ozb * price
    au = r.au_mean[list(r.municipalities.index).index(g), 0]
    budget_ratio = r.budget["mean"].iloc[0] / gemfin.allocate(circ).au_total
    baten = (au + circ.fixed_items.loc[g].sum() * budget_ratio + ozb
             + (B["Parkeerbelasting"] + B["Overige belastingen"] + B["Parkeren"]) * price * drv[b.revenue_volume_driver]
             + (B["Overige baten"] - buig_b) * price * drv[b.revenue_volume_driver] + buig_budget)
    ing = b.ingroei  # the suppletie is part of the fund as planned: cap 52.50 in 2026, 37.50 in 2025
    planned = baten - lasten - buig_spend + _ingroei_suppletie(g, ing.cap(2026))  # no vangnet: deficit ratio 0
    # b: the base begroting's relative saldo with the circulaire's AU at its published factor.
    base_baten = (B.sum() + gemfin.allocate(circ).algemene_uitkering[g] + circ.fixed_items.loc[g].sum()
                  + _ingroei_suppletie(g, ing.cap(2025)))
    b_rel = (base_baten - L.sum()) / L.sum()
    # Response: close speed × the gap to the target b − min(structural room, 0), within max_step.
    room = gemfin.iv3.load_kengetallen(2025)[0].loc[g, "Structurele exploitatieruimte"]
    total = lasten + buig_spend
    resp = b.response
    step = resp.speed.value * ((b_rel - min(room, 0.0)) * total - planned)
    measures = min(max(step, -resp.max_step.value * total), resp.max_step.value * total)
    # Realisation model (begroting base): + total lasten × (year component + (β − 1)·b + ρ·u);
    # u = 0: the jaarrekening 2023 has no baten in the data; residual mean 0.
    real = b.realisation
    expected = planned + measures + total * (real.year.mean + (real.beta.value - 1) * b_rel)
    i = list(r.municipalities.index).index(g)
    assert r.finances.saldo_mean[i, 0] == pytest.approx(expected, rel=1e-9)
    free = res.loc[g, "algemene reserve"] + b.reserves_share * res.loc[g, "bestemmingsreserves"]
    assert r.finances.reserves_mean[i, 0] == pytest.approx(free + expected, rel=1e-9)


def _ingroei_suppletie(g: str, cap: float) -> float:
    """The ingroei suppletie of municipality ``g`` under a cumulative cap per inhabitant, by
    hand from S2024_2024's published suppletie (cap 22.50) and S2024_2025's inhabitants
    (docs/domain.md §2.7)."""
    s24 = gemfin.load_circulaire("S2024_2024")
    published = s24.fixed_items.loc[g, "Suppletie nieuwe verdeling GF"]
    inw24 = s24.municipalities.loc[g, "inhabitants"]
    he = (-22.5 * inw24 - published) if published > 0 else (22.5 * inw24 - published) if published < 0 else 0.0
    bound = cap * gemfin.load_circulaire("S2024_2025").municipalities.loc[g, "inhabitants"]
    return min(max(he, -bound), bound) - he


def test_compensation_totals_per_package_equal_their_amounts():
    sc = gemfin.load_scenario(SCEN / "corona-shock-2026.yaml")
    model, base = compiled(sc)
    comp = model.budget.compensation
    assert comp[:, 0].sum() == pytest.approx(823e6, rel=1e-12)  # packages 1 (566) and 2 (254), SZW's 3
    assert comp[:, 1:].sum() == 0
    from gemfin.run.compensation import compensation_matrix
    circ = base.circulaire
    for package, total in (("1", 566e6), ("2", 254e6), ("SZW", 3e6)):
        comps = [c for c in sc.compensation if c.package == package]
        m = compensation_matrix(sc, sc.years, circ, base.budget, comps)
        assert m.sum() == pytest.approx(total, rel=1e-12)
    # The parking key follows the parking revenue: Amsterdam gets the largest share.
    park = [c for c in sc.compensation if c.name == "parkeren"]
    m = compensation_matrix(sc, sc.years, circ, base.budget, park)[:, 0]
    assert circ.volumes.index[np.argmax(m)] == "GM0363"


def test_shock_raises_the_probability_of_deficit(baseline):
    a = gemfin.simulate(baseline, paths=800, seed=9, progress=False).finances
    b = gemfin.simulate(SCEN / "corona-shock-2026.yaml", paths=800, seed=9, progress=False).finances
    assert b.p_deficit[:, 0].mean() > a.p_deficit[:, 0].mean() + 0.03
    assert b.net_shock[:, 0].sum() > 0 and np.all(a.net_shock == 0)
    assert np.all(b.net_shock[:, 1:] == 0)


def test_outputs_are_consistent(baseline):
    f = gemfin.simulate(baseline, paths=1000, seed=2, progress=False).finances
    assert np.all(np.diff(f.p_exhausted, axis=1) >= 0)  # "by year t" never decreases
    assert np.all((f.p_art12 >= 0) & (f.p_art12 <= 1))
    assert np.all(f.shortfall <= f.saldo_quantiles[:, :, 0] + 1e-6)  # ES5% below the 5% quantile
    nat = f.national()
    np.testing.assert_allclose(nat["share in deficit mean"], f.p_deficit.mean(axis=0), rtol=1e-12)
    table = f.risk_table(n=10)
    assert len(table) == 10 and table["P(reserves exhausted)"].is_monotonic_decreasing


def _bad(doc, path, value):
    d = copy.deepcopy(doc)
    node = d
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return d


@pytest.mark.parametrize(
    "path,value,message",
    [
        (("budget", "domains", "Jeugd", "volume"), {"kinderen": 1.0}, r"budget\.domains\.Jeugd\.volume\.kinderen: unknown driver 'kinderen'"),
        (("budget", "buig", "driver"), "uitkeringen", r"budget\.buig\.driver: unknown driver 'uitkeringen'"),
        (("budget", "base"), {"document": "begroting", "year": 2016}, r"budget\.base: no Iv3 begroting 2016 is shipped"),
        (("budget", "base"), {"document": "begroting", "year": 2019},
         r"budget\.base: the begroting 2019 does not go with circulaire S2024_2025 \(uitkeringsjaar 2025\).*"
         r"for the begroting 2019 use circulaire: booked"),
        (("budget", "base"), {"document": "begroting", "year": 2024},
         r"for the begroting 2024 use circulaire: M2023_2024 or S2023_2024 or M2024_2024 or S2024_2024 or booked"),
        (("budget", "base"), {"document": "jaarrekening", "year": 2023},
         r"budget\.realisation: the realisation model turns a begroting into a result; the base is the jaarrekening 2023"),
        (("budget", "realisation", "residual"), {"distribution": "student_t", "params": [3, 0], "source": "a"},
         r"budget\.realisation\.residual"),
        (("budget", "realisation", "beta"), {"value": "0.6", "source": "a"}, r"budget\.realisation\.beta"),
        # A file from before the gap score: its ρ multiplied the gap itself, so it is refused, not mapped.
        (("budget", "realisation", "rho"), {"value": 0.025, "source": "a"},
         r"budget\.realisation: .*`rho` .* was replaced by `gap_persistence`.*gemfin calibrate realisation"),
        (("shocks",), [{"name": "x", "year": 2026, "target": "Afval", "fraction": {"distribution": "fixed", "params": [0.1], "source": "a"}, "municipal_sd": {"value": 0, "source": "a"}}], r"shocks\[0\]\.target: expected one of \['OZB', .*\], got 'Afval'"),
        (("compensation",), [{"name": "x", "year": 2026, "amount": {"value": 1.0, "source": "a"}, "key": {"cluster": "Jeugd"}}], None),
        (("compensation",), [{"name": "x", "year": 2040, "amount": {"value": 1.0, "source": "a"}, "key": "per_inhabitant"}], r"compensation\[0\]\.year: expected a year of the projection, from 2026 to 2035, got 2040"),
    ],
)
def test_invalid_budget_scenarios_name_the_field(path, value, message):
    doc = yaml.safe_load((SCEN / "baseline.yaml").read_text())
    bad = _bad(doc, path, value)
    if message is None:  # an unknown cluster is only found when the key is evaluated
        sc = scenario_from_dict(bad, origin="b.yaml")
        with pytest.raises(ScenarioError, match=r"compensation\[0\] \(x\)\.key\.cluster: unknown cluster 'Jeugd'"):
            compiled(sc)
        return
    with pytest.raises(ScenarioError, match=message):
        scenario_from_dict(bad, origin="b.yaml")


def test_a_base_filing_names_the_circulaires_that_go_with_it():
    doc = yaml.safe_load((SCEN / "baseline.yaml").read_text())
    doc["budget"]["base"] = {"document": "jaarrekening", "year": 2023}
    del doc["budget"]["realisation"]
    with pytest.raises(ScenarioError, match=r"budget\.base: .*for the jaarrekening 2023 use circulaire: M2022_2023$"):
        scenario_from_dict(doc, origin="b.yaml")


def test_validate_lists_every_problem(tmp_path, capsys):
    doc = yaml.safe_load((SCEN / "baseline.yaml").read_text())
    doc["horizon"] = 0
    doc["drivers"]["inwoners"]["maatstaven"] = ["inwoner"]
    doc["budget"]["buig"]["driver"] = "nope"
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(doc))
    assert main(["validate", str(p)]) == 1
    out = capsys.readouterr().out
    assert "3 problem(s)" in out
    assert "horizon: expected a number ≥ 1, got 0" in out
    assert "drivers.inwoners.maatstaven[0]: unknown maatstaf 'inwoner'" in out
    assert "budget.buig.driver: unknown driver 'nope'" in out


def test_shocks_need_a_budget_section():
    doc = yaml.safe_load((SCEN / "recession.yaml").read_text())
    base = yaml.safe_load((SCEN / "baseline.yaml").read_text())
    base.pop("budget")
    base["shocks"] = doc["shocks"]
    with pytest.raises(ScenarioError, match="shocks: needs a 'budget' section"):
        scenario_from_dict(base, origin="x.yaml")


def test_run_writes_csv_excel_and_netcdf(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", str(SCEN / "baseline.yaml"), "--paths", "300", "--seed", "4", "--out", str(out), "--no-progress"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["results.nc", "results.xlsx", "run.json", "summary.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["res"]  # no temporary directory left
    ds = xr.open_dataset(out / "results.nc")
    assert {"saldo", "p_deficit", "p_reserves_exhausted", "algemene_uitkering"} <= set(ds.data_vars)
    assert ds.sizes["municipality"] == 342
    text = capsys.readouterr().out
    assert "share of municipalities in deficit" in text
    (tmp_path / "a-file").write_text("")
    assert main(["run", str(SCEN / "baseline.yaml"), "--paths", "10", "--out", str(tmp_path / "a-file" / "dir")]) == 2


def test_baseline_realisation_parameters_are_the_calibrated_ones():
    """scenarios/baseline.yaml carries gemfin.calibrate.realisation_parameters(2022), the
    estimate on every begroting/jaarrekening pair in the data; re-estimating reproduces it."""
    from gemfin.calibrate import realisation_parameters

    doc = yaml.safe_load((SCEN / "baseline.yaml").read_text())["budget"]["realisation"]
    est = realisation_parameters(2022)
    for k in ("beta", "gap_persistence", "size_elasticity", "reference_inhabitants"):
        assert doc[k]["value"] == est[k]["value"]
        assert doc[k]["source"].startswith("DERIVED gemfin.calibrate.realisation_parameters(2022)")
    for k in ("year", "residual"):
        assert doc[k]["params"] == est[k]["params"] and doc[k]["distribution"] == "student_t"
    # Begrotingen are pessimistic: the realised saldo is on average better (year component > 0)
    # and only part of a planned saldo is realised (0 < β < 1).
    assert est["year"]["params"][1] > 0 and 0 < est["beta"]["value"] < 1


def test_realisation_lowers_the_first_year_share_in_deficit(baseline):
    """The same run without the realisation model restates the begroting, whose saldi are
    pessimistic: its first-year share in deficit is higher."""
    without = baseline.with_values({"budget.realisation": None})
    a = gemfin.simulate(baseline, paths=400, seed=3, progress=False).finances.national()
    b = gemfin.simulate(without, paths=400, seed=3, progress=False).finances.national()
    first = a.index[0]
    assert a.loc[first, "share in deficit mean"] < b.loc[first, "share in deficit mean"] - 0.1


def test_planned_saldo_is_the_run_without_the_realisation_step(baseline):
    """The plan of a run is its saldo before the realisation step: the baseline (no shock events,
    no compensation) without its realisation model gives that plan as its saldo, path by path."""
    run = dict(paths=512, seed=4, progress=False)
    with_real = gemfin.simulate(baseline, **run).finances
    plan_only = gemfin.simulate(baseline.with_values({"budget.realisation": None}), **run).finances
    np.testing.assert_allclose(with_real.planned_saldo_mean, plan_only.saldo_mean, rtol=1e-12, atol=1e-3)
    np.testing.assert_allclose(with_real.p_planned_deficit, plan_only.p_deficit, rtol=0, atol=1e-12)
    np.testing.assert_allclose(plan_only.planned_saldo_mean, plan_only.saldo_mean, rtol=0, atol=0)
    table = with_real.planned_saldo()
    assert table.index.names == ["CBS code", "year"] and len(table) == with_real.saldo_mean.size
    assert list(table.columns) == ["mean", "sd", "q5", "q25", "q50", "q75", "q95", "P(planned deficit)"]
    nat = with_real.national()
    # The begrotingen are pessimistic: the plan shows more municipalities in deficit than the result.
    assert (nat["expected share planning a deficit"] > nat["share in deficit mean"]).all()


def test_budget_result_says_which_filings_were_filled(baseline):
    f = gemfin.simulate(baseline, paths=64, seed=1, progress=False).finances
    assert f.base == "begroting 2025"
    assert sorted(f.filled.index) == ["GM0310", "GM0415", "GM1731", "GM1961"]
    assert any(n.startswith("GM0310 (De Bilt): empty filing") for n in f.notes)
    assert any("realisation model" in n for n in f.notes)


def test_realisation_needs_a_begroting_base():
    doc = yaml.safe_load((SCEN / "baseline.yaml").read_text())
    doc["circulaire"] = "booked"
    doc["budget"]["base"] = {"document": "jaarrekening", "year": 2022}
    doc["budget"].pop("ingroei")
    with pytest.raises(ScenarioError, match=r"budget\.realisation: the realisation model turns a begroting into a "
                                            r"result; the base is the jaarrekening 2022"):
        scenario_from_dict(doc, origin="b.yaml")
    doc["budget"]["realisation"] = None
    sc = scenario_from_dict(doc, origin="b.yaml")
    assert sc.circulaire == "R2022_2022" and sc.years[0] == 2023


def test_recession_fund_follows_the_baseline_for_two_years():
    """The GDP rule's accres of year y averages real growth over y−9 … y−2: the recession,
    which starts in the first projected year, reaches the fund in the third (2028), as the
    scenario says. The history before it is the baseline's (fund.growth.history)."""
    base = gemfin.simulate(SCEN / "baseline.yaml", paths=256, seed=3, progress=False).budget["mean"]
    rec = gemfin.simulate(SCEN / "recession.yaml", paths=256, seed=3, progress=False).budget["mean"]
    assert rec.loc[2026] == base.loc[2026] and rec.loc[2027] == base.loc[2027]
    assert rec.loc[2028] < base.loc[2028]
    assert (rec.loc[2030:] < base.loc[2030:]).all()


def test_growth_history_only_for_the_gdp_rule():
    doc = yaml.safe_load((SCEN / "baseline.yaml").read_text())
    doc["fund"]["growth"]["history"] = {"value": 0.01, "source": "a"}
    assert scenario_from_dict(doc, origin="h.yaml").fund.growth.history.value == 0.01
    doc["fund"]["growth"]["history"] = {"value": "x", "source": "a"}
    with pytest.raises(ScenarioError, match=r"fund\.growth\.history\.value"):
        scenario_from_dict(doc, origin="h.yaml")


def test_toeristenbelasting_key_follows_taakveld_3_4():
    """Iv3 books the toeristenbelasting on 3.4 economische promotie: the compensation for lost
    toeristenbelasting is keyed on 0.64 and 3.4 together. Amsterdam's share, read here from
    the Iv3 file directly."""
    import pandas as pd

    from gemfin.run.base import build_base
    from gemfin.run.compensation import compensation_matrix

    sc = gemfin.load_scenario(SCEN / "corona-shock-2026.yaml")
    base = build_base(sc)
    comp = [c for c in sc.compensation if c.name == "toeristenbelasting"]
    m = compensation_matrix(sc, sc.years, base.circulaire, base.budget, comp)[:, 0]
    raw = pd.read_csv(gemfin._datadir.data_dir() / "finance" / "2025_begroting.csv", sep=";")
    raw = raw[raw["Gemeenten"] != "Nederland"]
    lines = raw[raw["Taakveld"].str.match(r"(0\.64|3\.4) ")]
    share = lines.loc[lines["Gemeenten"] == "Amsterdam", "Baten"].sum() / lines["Baten"].sum()
    i = list(base.circulaire.volumes.index).index("GM0363")
    # The four filled municipalities (empty begroting 2025) add about 0.4% to the national total.
    assert m[i] / m.sum() == pytest.approx(share, rel=1e-2)
    assert m[i] / m.sum() > 0.3   # on 0.64 alone it would be 0.12


def test_compensation_per_component_is_exposed():
    res = gemfin.simulate(SCEN / "corona-shock-2026.yaml", paths=64, seed=1, progress=False).finances
    by = res.compensation()
    comps = res.compensation_components
    assert list(by.columns) == list(comps["name"])
    assert by.index.equals(res.municipalities.index)
    for _, c in comps.iterrows():
        assert by[c["name"]].sum() == pytest.approx(c["amount"], rel=1e-12)   # each package component in full
    assert set(comps["package"]) == {"1", "2", "SZW"} and (comps["year"] == 2026).all()
    assert comps.loc[comps["name"] == "parkeren", "key"].iloc[0] == "revenue: ('Parkeerbelasting', 'Parkeren')"
    # The core's compensation (net shock effect) is the same money: loss − compensation.
    base = gemfin.simulate(SCEN / "baseline.yaml", paths=64, seed=1, progress=False).finances
    assert base.compensation().empty and base.compensation_components is None


def _base_first(doc=None):
    doc = copy.deepcopy(doc or yaml.safe_load((SCEN / "baseline.yaml").read_text()))
    doc["budget"]["base"]["first_year"] = "base"
    return scenario_from_dict(doc, origin="base-first.yaml", path=SCEN / "baseline.yaml")


def test_first_year_base_adds_the_base_year_in_front(baseline):
    """With budget.base.first_year: base the outputs start with the base begroting's own year;
    every later year is drawn exactly as the year after the base without it."""
    sc = _base_first()
    assert sc.years[0] == 2025 and len(sc.years) == len(baseline.years)
    a = gemfin.simulate(sc, paths=256, seed=5, progress=False)
    b = gemfin.simulate(baseline, paths=256, seed=5, progress=False)
    assert np.array_equal(a.au_mean[:, 1:], b.au_mean[:, :-1])
    assert np.array_equal(a.au_quantiles[:, 1:], b.au_quantiles[:, :-1])
    # The base year's algemene uitkering is the circulaire's own (no growth, its AU budget).
    np.testing.assert_allclose(a.au_mean[:, 0], a.base_au.to_numpy(), rtol=1e-12)
    assert a.au_sd[:, 0].max() == 0.0


def test_base_year_result_is_the_realisation_models_forecast_of_the_begroting():
    """Deterministic run, base year: realised saldo = total lasten × (year component + β·b),
    b the begroting's saldo over its lasten with the circulaire's AU and SIUDU (u = 0 here),
    computed from the Iv3 base and the allocation directly."""
    sc = _base_first().deterministic()
    r = gemfin.simulate(sc, paths=8, progress=False)
    base = gemfin.iv3.baseline_budget("begroting", 2025)
    circ = gemfin.load_circulaire("S2024_2025")
    g = "GM0014"
    lasten = base.lasten.loc[g].sum()
    baten = (base.baten.loc[g].sum() + gemfin.allocate(circ).algemene_uitkering[g] + circ.fixed_items.loc[g].sum()
             + _ingroei_suppletie(g, sc.budget.ingroei.cap(2025)))
    b = (baten - lasten) / lasten
    real = sc.budget.realisation
    i = list(r.municipalities.index).index(g)
    assert r.finances.saldo_mean[i, 0] == pytest.approx(lasten * (real.year.mean + real.beta.value * b), rel=1e-9)
    res, _ = gemfin.iv3.load_reserves(2024, division=2025)
    free = res.loc[g, "algemene reserve"] + sc.budget.reserves_share * res.loc[g, "bestemmingsreserves"]
    assert r.finances.reserves_mean[i, 0] == pytest.approx(free + r.finances.saldo_mean[i, 0], rel=1e-9)


def test_first_year_base_needs_a_begroting():
    doc = yaml.safe_load((SCEN / "baseline.yaml").read_text())
    doc["circulaire"] = "booked"
    doc["budget"]["base"] = {"document": "jaarrekening", "year": 2022, "first_year": "base"}
    doc["budget"]["realisation"] = None
    with pytest.raises(ScenarioError, match=r"budget\.base\.first_year: 'base' projects the base begroting's own year"):
        scenario_from_dict(doc, origin="b.yaml")


def _from_2020(doc):
    import gemfin.calibrate as cal

    doc = copy.deepcopy(doc)
    doc["circulaire"] = "booked"
    doc["horizon"] = 5
    doc["budget"].update(base={"document": "begroting", "year": 2020, "first_year": "base"},
                         realisation=cal.realisation_parameters(2018), ingroei=None)
    doc["fund"]["policy_mutations"] = []
    return doc


def test_accres_periods_from_the_begroting_2020():
    """A deterministic projection from the begroting 2020 through the fund's periods (baseline:
    fixed 2020–2021, frozen volume 2022–2023, GDP from 2024): 2021's accres is the expected
    nominal growth, 2022's the mean real growth plus that year's deflator (start 3%, halving its
    distance to 2% each year: 2.5% in 2021, 2.25% in 2022)."""
    doc = _from_2020(yaml.safe_load((SCEN / "baseline.yaml").read_text()))
    sc = scenario_from_dict(doc, origin="t", path=SCEN / "baseline.yaml")
    assert [(y, p.rule) for y, p in sorted(sc.fund.periods.items())] == [
        (2017, "trap_op_trap_af"), (2020, "fixed"), (2022, "frozen_volume"), (2024, "gdp"), (2026, "published")]
    P = gemfin._core.AccresPeriod
    assert compiled(sc)[0].fund.periods == [P.FIXED, P.FIXED, P.FROZEN_VOLUME, P.FROZEN_VOLUME, P.GDP]
    b = gemfin.simulate(sc.deterministic(), paths=16, progress=False).budget["mean"]
    assert b.loc[2021] / b.loc[2020] - 1 == pytest.approx(0.015 + 0.02, abs=1e-12)
    assert b.loc[2022] / b.loc[2021] - 1 == pytest.approx(0.015 + 0.0225, abs=1e-12)
    # Without periods the same years grow by the GDP rule: 2021 = the mean of the published real
    # growth of 2012-2019 (CBS: -1.0, 0.0, 1.6, 2.1, 2.4, 2.8, 2.3, 2.3%) + 2.5%.
    del doc["fund"]["periods"]
    plain = gemfin.simulate(scenario_from_dict(doc, origin="t", path=SCEN / "baseline.yaml").deterministic(),
                            paths=16, progress=False).budget["mean"]
    assert plain.loc[2021] / plain.loc[2020] - 1 == pytest.approx(12.5 / 800 + 0.025, abs=1e-12)


@pytest.mark.parametrize("change,message", [
    (lambda d: d["fund"].update(periods={2023: {"rule": "gdp", "source": "a"}}),
     r"fund\.periods: the first period starts in 2023; expected one from 2021 or earlier"),
    (lambda d: d["fund"].update(periods={2017: {"rule": "frozen", "source": "a"}}),
     r"fund\.periods\.2017\.rule: expected one of \['gdp', 'trap_op_trap_af', 'fixed', 'frozen_volume', 'published'\]"),
    (lambda d: d.update(fund={**d["fund"], "rule": "ngru", "price": None,
                              "growth": {k: v for k, v in d["fund"]["growth"].items() if k != "history"}}),
     r"fund\.periods: the accres by period uses the 'gdp' rule's processes"),
])
def test_accres_period_errors_name_the_field(change, message):
    doc = _from_2020(yaml.safe_load((SCEN / "baseline.yaml").read_text()))
    change(doc)
    if doc["fund"].get("price", 1) is None:
        del doc["fund"]["price"]
        doc["budget"]["wage_price"] = {"mean": {"value": 0.02, "source": "a"}, "persistence": {"value": 0.5, "source": "a"},
                                       "start": {"value": 0.02, "source": "a"},
                                       "shock": {"distribution": "normal", "params": [0, 0.01], "source": "a"}}
        doc["correlation"] = [c for c in doc["correlation"] if "price" not in c["between"]]
    with pytest.raises(ScenarioError, match=message):
        scenario_from_dict(doc, origin="t", path=SCEN / "baseline.yaml")
