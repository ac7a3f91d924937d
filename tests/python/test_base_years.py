"""Budget base years 2017–2022 from the Iv3 summary, the gemeentefonds as booked, and the
calendar tied to the base year (docs/budget-model.md)."""

import numpy as np
import pandas as pd
import pytest
import yaml

import gemfin
import gemfin._datadir
import gemfin.iv3 as iv3
from gemfin.errors import DataError
from gemfin.scenario import scenario_from_dict

from conftest import REPO, compiled

FIN = gemfin._datadir.data_dir() / "finance"


def _raw(name, verslagsoort):
    t = pd.read_csv(FIN / name)
    return t[t["verslagsoort"] == verslagsoort].set_index("gm_code")


def _scenario(document, year, **budget):
    doc = yaml.safe_load((REPO / "scenarios" / "baseline.yaml").read_text())
    doc["circulaire"] = "booked"
    doc["budget"]["base"] = {"document": document, "year": year}
    doc["budget"].pop("ingroei")  # before the herijking's circulaires without suppletie
    doc["budget"].update(budget)
    return scenario_from_dict(doc, origin="base-year test")


def test_booked_gemeentefonds_is_rijk_per_municipality():
    circ = gemfin.load_circulaire("B2020_2020")
    assert len(circ.municipalities) == 355 and circ.is_booked
    rijk = _raw("iv3_data.iv3summary.baten_rijk.csv", "2020X000")["rijk"] * 1000
    alloc = gemfin.allocate(circ)
    assert alloc.uitkeringsfactor == 1.0
    both = rijk.index.intersection(alloc.algemene_uitkering.index)
    assert len(both) == 355
    np.testing.assert_allclose(alloc.algemene_uitkering[both], rijk[both], rtol=1e-12)


def test_summary_base_reproduces_the_filing_totals():
    b = iv3.baseline_budget("begroting", 2020)
    assert b.source == "summary" and b.filled.empty and b.missing == []
    s = _raw("iv3_data.iv3summary.csv", "2020X000")
    br = _raw("iv3_data.iv3summary.baten_rijk.csv", "2020X000")
    # Every euro of lasten lands in a domain; baten outside the fund are the two lines.
    assert b.lasten.sum().sum() == pytest.approx(s["lasten"].sum() * 1000, rel=1e-12)
    assert b.baten.sum().sum() == pytest.approx((br["baten"] - br["rijk"]).sum() * 1000, rel=1e-12)
    assert b.baten["Belastingen (ongesplitst)"].sum() == pytest.approx(s["heffingen"].sum() * 1000, rel=1e-12)
    assert b.buig_baten.sum() == pytest.approx(s["spuks_per_hoofdtaakveld.6"].sum() * 1000, rel=1e-12)
    tv = _raw("iv3_data.iv3summary.lasten_per_taakveld.csv", "2020X000")
    assert b.buig_lasten.sum() == pytest.approx(tv["6.3"].sum() * 1000, rel=1e-12)


def test_a_merged_municipality_has_its_predecessors_summed():
    """Eemsdelta (1 January 2021): its begroting 2021 is in the data; the jaarrekening 2020
    balance sheet is its three predecessors' together."""
    r, _ = iv3.load_reserves(2020, division=2021)
    raw = pd.read_csv(FIN / "rekening_balansposten.csv")
    p111 = raw[(raw["Jaar"] == 2020) & raw["Balanspost"].str.startswith("P111")].set_index("Gemeenten")["Waarde"]
    assert r.loc["GM1979", "algemene reserve"] == pytest.approx(
        1000 * p111[["Appingedam", "Delfzijl", "Loppersum"]].sum(), rel=1e-12)
    assert r.loc["GM1979", "jaar"] == 2020


def test_calendar_follows_the_base_year():
    sc = _scenario("begroting", 2020)
    assert sc.circulaire == "B2020_2020" and sc.years == list(range(2021, 2031))
    model, _ = compiled(sc)
    r2019, _ = iv3.load_reserves(2019, division=2020)   # the end of the year before the begroting
    share = sc.budget.reserves_share  # the free part of the bestemmingsreserves
    np.testing.assert_array_equal(model.budget.reserves,
                                  (r2019["algemene reserve"] + share * r2019["bestemmingsreserves"])
                                  .reindex(gemfin.load_circulaire("B2020_2020").volumes.index))
    assert model.fund.budget0 == pytest.approx(
        _raw("iv3_data.iv3summary.baten_rijk.csv", "2020X000")["rijk"].sum() * 1000, rel=1e-12)
    jr = _scenario("jaarrekening", 2020, realisation=None)
    assert jr.circulaire == "R2020_2020" and jr.years[0] == 2021
    r2020, _ = iv3.load_reserves(2020, division=2020)   # a jaarrekening base: its own year's sheet
    codes = gemfin.load_circulaire("R2020_2020").volumes.index
    np.testing.assert_array_equal(compiled(jr)[0].budget.reserves,
                                  (r2020["algemene reserve"] + share * r2020["bestemmingsreserves"]).reindex(codes))


def test_a_run_from_2020_keeps_every_municipalitys_booked_share():
    sc = _scenario("begroting", 2020).deterministic()
    r = gemfin.simulate(sc, paths=8, progress=False)
    assert r.years[0] == 2021 and len(r.municipalities) == 355
    rijk = gemfin.load_circulaire("B2020_2020").volumes["rijk"]
    share = r.au_mean[:, 0] / rijk.to_numpy()
    assert np.ptp(share) < 1e-12 * share.mean()   # AU_g = rijk_g × fund_t / fund_base
    assert share[0] == pytest.approx(r.budget["mean"].iloc[0] / rijk.sum(), rel=1e-12)
    assert any("as booked in the begroting 2020" in n for n in r.finances.notes)
    assert np.isfinite(r.finances.saldo_mean).all()


def test_a_base_year_without_data_for_every_municipality_is_refused():
    # The begroting 2017 has no filing for two municipalities and no earlier year to fill from.
    with pytest.raises(DataError, match=r"begroting 2017: no gemeentefonds booked \(rijk\) for \['GM1598', 'GM1948'\]"):
        compiled(_scenario("begroting", 2017))


def test_base_2023_with_the_meicirculaire_2022_in_the_2023_division():
    """M2022_2023 lists Voorne aan Zee's three predecessors; with a 2023 base it is taken in
    the 2023 division, their volumes summed: the AU of GM1992 is exactly theirs together."""
    doc = yaml.safe_load((REPO / "scenarios" / "baseline.yaml").read_text())
    doc["circulaire"] = "M2022_2023"
    doc["budget"]["base"] = {"document": "begroting", "year": 2023}
    doc["budget"].pop("ingroei")  # M2022_2023 publishes its own suppletie
    sc = scenario_from_dict(doc, origin="2023 test")
    circ = sc.prepared_circulaire()
    assert len(circ.municipalities) == 342 and "GM1992" in circ.municipalities.index
    raw = gemfin.allocate(gemfin.load_circulaire("M2022_2023")).algemene_uitkering
    merged = gemfin.allocate(circ).algemene_uitkering
    assert merged["GM1992"] == pytest.approx(raw[["GM0501", "GM0530", "GM0614"]].sum(), rel=1e-12)
    assert merged.sum() == pytest.approx(raw.sum(), rel=1e-12)
    r = gemfin.simulate(sc.deterministic(), paths=8, progress=False)
    assert r.years[0] == 2024 and np.isfinite(r.finances.saldo_mean).all()
