"""Corona replayed in its own year (scenarios/corona-2020.yaml): the begroting 2020 with its own
baten split over the revenue lines in the shares of the begroting 2023, keys on the base
filing's lasten, and the packages of 2020."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import yaml

import gemfin
from gemfin import iv3
from gemfin._datadir import data_dir
from gemfin.iv3.history import split_revenue_lines

SCEN = gemfin._datadir.scenarios_dir()


@pytest.fixture(scope="module")
def split():
    return split_revenue_lines(iv3.baseline_budget("begroting", 2020), iv3.baseline_budget("begroting", 2023))


def _raw_2023(name: str) -> pd.DataFrame:
    raw = pd.read_csv(data_dir() / "finance" / "2023_begroting.csv", sep=";")
    rows = raw[raw["Gemeenten"] == name].copy()
    rows["code"] = rows["Taakveld"].str.split(" ").str[0]
    return rows[~rows["code"].isin(["0.10", "0.11"])].set_index("code")["Baten"].fillna(0.0)


def test_split_keeps_the_own_baten_and_takes_the_later_shares(split):
    before = iv3.baseline_budget("begroting", 2020)
    np.testing.assert_allclose(split.baten.sum(axis=1), before.baten.sum(axis=1), rtol=1e-12)
    assert (split.baten["Belastingen (ongesplitst)"] == 0).all()
    # Amsterdam: the parking tax's share of its own baten in 2020 is its share in the begroting
    # 2023, read here from the Iv3 file itself.
    raw = _raw_2023("Amsterdam")
    share_2023 = raw["0.63"] / raw.clip(lower=0).sum()
    ams = split.baten.loc["GM0363"]
    assert ams["Parkeerbelasting"] / ams.sum() == pytest.approx(share_2023, rel=1e-9)
    assert split.lasten_taakveld.shape[0] == 355


def test_merged_and_divided_municipalities(split):
    # Boxmeer (GM0756) merged into Land van Cuijk (GM1982) in 2022: Land van Cuijk's shares.
    land = iv3.baseline_budget("begroting", 2023).baten.loc["GM1982"].drop("Belastingen (ongesplitst)").clip(lower=0)
    box = split.baten.loc["GM0756"].drop("Belastingen (ongesplitst)")
    np.testing.assert_allclose(box / box.sum(), land / land.sum(), rtol=1e-12)
    # Haaren (GM0788) was divided over four neighbours in 2021: the national shares, and said so.
    assert "national shares for GM0788" in split.revenue_lines_from


def _doc():
    return yaml.safe_load((SCEN / "corona-2020.yaml").read_text())


@pytest.mark.parametrize("base,message", [
    ({"document": "begroting", "year": 2025, "revenue_lines_from": {"document": "begroting", "year": 2023}},
     r"budget\.base\.revenue_lines_from: the begroting 2025 has its revenue lines from its taakveld file"),
    ({"document": "begroting", "year": 2020, "first_year": "base", "revenue_lines_from": {"document": "begroting", "year": 2021}},
     r"budget\.base\.revenue_lines_from: the begroting 2021 has no revenue lines \(no taakveld file\); expected one of: begroting 2023"),
])
def test_revenue_lines_from_errors_name_the_field(base, message):
    doc = _doc()
    doc["budget"]["base"] = base
    if base["year"] == 2025:
        doc["circulaire"] = "S2024_2025"
    with pytest.raises(gemfin.ScenarioError, match=message):
        gemfin.scenario.scenario_from_dict(doc, origin="t", path=SCEN / "corona-2020.yaml")


def test_lasten_key_follows_the_base_filing():
    """The waste component goes by the begroting-2020 lasten on taakveld 7.3, read here from
    the Iv3 summary file itself (in EUR 1,000), for a municipality without a merger."""
    res = gemfin.simulate(SCEN / "corona-2020.yaml", paths=16, seed=1, progress=False).finances
    by = res.compensation()
    raw = pd.read_csv(data_dir() / "finance" / "iv3_data.iv3summary.lasten_per_taakveld.csv",
                      usecols=["jaar", "verslagsoort", "gm_code", "7.3"])
    raw = raw[(raw["jaar"] == 2020) & (raw["verslagsoort"] == "2020X000")].set_index("gm_code")["7.3"]
    share = raw["GM0363"] / raw.clip(lower=0).sum()
    assert by.loc["GM0363", "afvalinzameling"] / 32e6 == pytest.approx(share, rel=1e-3)  # filled filings add a little


def test_wmo_key_leaves_out_the_centrumgemeente_tasks():
    """Package 1's Wmo half goes by the begroting-2020 lasten on taakvelden 6.6 and 6.71, not on
    6.81 (beschermd wonen, maatschappelijke opvang, vrouwenopvang: a centrumgemeente's regional
    tasks), read here from the Iv3 summary file; Vlissingen is a centrumgemeente."""
    by = gemfin.simulate(SCEN / "corona-2020.yaml", paths=16, seed=1, progress=False).finances.compensation()
    raw = pd.read_csv(data_dir() / "finance" / "iv3_data.iv3summary.lasten_per_taakveld.csv",
                      usecols=["jaar", "verslagsoort", "gm_code", "6.6", "6.71", "6.81"])
    raw = raw[(raw["jaar"] == 2020) & (raw["verslagsoort"] == "2020X000")].set_index("gm_code")
    key = raw["6.6"].clip(lower=0) + raw["6.71"].clip(lower=0)
    with_681 = key + raw["6.81"].clip(lower=0)
    assert by.loc["GM0718", "sociaal domein Wmo"] / 72e6 == pytest.approx(key["GM0718"] / key.sum(), rel=1e-3)
    assert key["GM0718"] / key.sum() < 0.5 * with_681["GM0718"] / with_681.sum()


def test_unknown_lasten_key_names_the_component():
    doc = _doc()
    doc["compensation"][-1]["key"] = {"lasten": ["7.9"]}
    sc = gemfin.scenario.scenario_from_dict(doc, origin="t", path=SCEN / "corona-2020.yaml")
    with pytest.raises(gemfin.ScenarioError, match=r"compensation\[12\] \(afvalinzameling\)\.key\.lasten: '7\.9' is "
                                                   r"neither a domain nor a taakveld of the begroting 2020"):
        gemfin.simulate(sc, paths=16, progress=False)


def test_the_replay_is_2020_with_its_packages():
    res = gemfin.simulate(SCEN / "corona-2020.yaml", paths=400, seed=2, progress=False)
    f = res.finances
    assert list(res.years) == [2020] and len(res.municipalities) == 355
    comps = f.compensation_components
    totals = comps.groupby("package")["amount"].sum()
    assert totals.to_dict() == pytest.approx({"1": 566e6, "2": 194e6, "3": 32e6})
    by = f.compensation()
    assert by.sum().sum() == pytest.approx(792e6, rel=1e-12)
    assert by["toeristenbelasting"].idxmax() == "GM0363" and by["parkeren"].idxmax() == "GM0363"
    # Without the shocks and the packages: the same begroting forecast, less deficit.
    doc = copy.deepcopy(res.scenario.to_dict())
    doc.pop("shocks"), doc.pop("compensation")
    plain = gemfin.simulate(gemfin.scenario.scenario_from_dict(doc, origin="t", path=res.scenario.path),
                            paths=400, seed=2, progress=False).finances
    assert f.p_deficit.mean() > plain.p_deficit.mean() + 0.03
    assert np.all(plain.net_shock == 0) and f.net_shock.sum() > 0


def test_published_key_base_for_amsterdams_toeristenbelasting():
    """The toeristenbelasting goes by the begroting-2020 yield: Amsterdam's and the national one
    as CBS published them (199 and 411 mln), the others in proportion to the imputed line."""
    by = gemfin.simulate(SCEN / "corona-2020.yaml", paths=16, seed=1, progress=False).finances.compensation()
    tb = by["toeristenbelasting"]
    assert tb["GM0363"] == pytest.approx(100e6 * 199 / 411, rel=1e-12) and tb.sum() == pytest.approx(100e6, rel=1e-12)
    doc = _doc()
    del doc["compensation"][0]["key_published"]
    proxy = gemfin.simulate(gemfin.scenario.scenario_from_dict(doc, origin="t", path=SCEN / "corona-2020.yaml"),
                            paths=16, seed=1, progress=False).finances.compensation()["toeristenbelasting"]
    others = tb.drop("GM0363")
    np.testing.assert_allclose(others / others.sum(), proxy.drop("GM0363") / proxy.drop("GM0363").sum(), rtol=1e-9)


@pytest.mark.parametrize("published,message", [
    ({"total": {"value": 411e6, "source": "a"}, "municipalities": {"GM9999": {"value": 1e6, "source": "a"}}},
     r"compensation\[0\] \(toeristenbelasting\)\.key_published\.municipalities: GM9999 is not a municipality"),
    ({"total": {"value": 100e6, "source": "a"}, "municipalities": {"GM0363": {"value": 199e6, "source": "a"}}},
     r"compensation\[0\]\.key_published\.municipalities: the municipalities' parts add up to 199,000,000"),
    ({"total": {"value": 411e6, "source": "a"}, "municipalities": {"Amsterdam": {"value": 1e6, "source": "a"}}},
     r"compensation\[0\]\.key_published\.municipalities\.Amsterdam: expected a CBS code such as GM0363 as key"),
])
def test_a_bad_published_key_base_names_the_field(published, message):
    doc = _doc()
    doc["compensation"][0]["key_published"] = published
    with pytest.raises(gemfin.ScenarioError, match=message):
        sc = gemfin.scenario.scenario_from_dict(doc, origin="t", path=SCEN / "corona-2020.yaml")
        gemfin.simulate(sc, paths=16, progress=False)
