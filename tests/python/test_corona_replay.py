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


def test_the_centrumgemeenten_get_their_part_by_their_own_amounts():
    """Package 1's EUR 91 mln for beschermd wonen and maatschappelijke opvang goes to the 43
    centrumgemeenten, in proportion to their IU beschermd wonen plus DU maatschappelijke opvang of
    the meicirculaire 2022, read here from its SIUDU file; Vlissingen is one of them."""
    by = gemfin.simulate(SCEN / "corona-2020.yaml", paths=16, seed=1, progress=False).finances.compensation()
    raw = pd.read_csv(data_dir() / "gemeentefonds" / "GF_M2022_2023_SIUDU.csv", index_col="CBS")
    key = raw["Beschermd wonen"] + raw["maatschappelijke opvang"]
    bw = by["sociaal domein BW en MO"]
    assert (bw > 0).sum() == (key > 0).sum() == 43
    assert bw["GM0718"] / 91e6 == pytest.approx(key[718] / key.sum(), rel=1e-12)
    vo = by["sociaal domein vrouwenopvang"]
    assert (vo > 0).sum() == 35 and vo.sum() == pytest.approx(7e6, rel=1e-12)


def test_the_other_jeugd_and_wmo_money_leaves_out_the_centrumgemeente_tasks():
    """The EUR 46 mln for all municipalities goes by the begroting-2020 lasten of Jeugd and of
    taakvelden 6.6 and 6.71, not 6.81 (beschermd wonen, maatschappelijke opvang, vrouwenopvang,
    paid to the centrumgemeenten apart), read here from the Iv3 summary file: Vlissingen's share
    of a key with 6.81 would be more than twice its share."""
    by = gemfin.simulate(SCEN / "corona-2020.yaml", paths=16, seed=1, progress=False).finances.compensation()
    raw = pd.read_csv(data_dir() / "finance" / "iv3_data.iv3summary.lasten_per_taakveld.csv")
    raw = raw[(raw["jaar"] == 2020) & (raw["verslagsoort"] == "2020X000")].set_index("gm_code")
    domains = pd.read_csv(data_dir() / "finance" / "taakveld_domeinen.csv", dtype=str)
    jeugd = [t for t in domains.loc[domains["domein"] == "Jeugd", "taakveld"] if t in raw.columns]
    key = sum(raw[t].fillna(0.0).clip(lower=0) for t in [*jeugd, "6.6", "6.71"])
    with_681 = key + raw["6.81"].clip(lower=0)
    share = by.loc["GM0718", "sociaal domein Jeugd en Wmo overig"] / 46e6
    assert share == pytest.approx(key["GM0718"] / key.sum(), rel=2e-3)  # filled filings add a little
    assert 2 * share < with_681["GM0718"] / with_681.sum()


@pytest.mark.parametrize("key,message", [
    ({"siudu": "vrouwenopvang", "circulaire": "M2099_2100"}, r"key\.circulaire: unknown circulaire 'M2099_2100'"),
    ({"siudu": ["Beschermd wonen", "opvang"], "circulaire": "M2022_2023"},
     r"key\.siudu: 'opvang' is not a SIUDU item of M2022_2023; expected one of \[.*'maatschappelijke opvang'"),
    # the 2026 replay runs in the division of 2025; the meicirculaire 2022 still has Brielle,
    # Hellevoetsluis and Westvoorne, which merged into Voorne aan Zee in 2023
    ({"siudu": "Participatie", "circulaire": "M2022_2023"},
     r"key\.circulaire: M2022_2023 gives GM0501, GM0530, GM0614 an amount, but they are not among the run's "
     r"municipalities \(S2024_2025\) nor a merger of them"),
])
def test_a_siudu_key_of_another_circulaire_names_what_is_wrong(key, message):
    doc = yaml.safe_load((SCEN / "corona-shock-2026.yaml").read_text()) if "Participatie" in key["siudu"] else _doc()
    i = next(k for k, c in enumerate(doc["compensation"]) if c["name"] == "sociaal domein vrouwenopvang")
    doc["compensation"][i]["key"] = key
    sc = gemfin.scenario.scenario_from_dict(doc, origin="t", path=SCEN / "corona-2020.yaml")
    with pytest.raises(gemfin.ScenarioError, match=rf"compensation\[{i}\] \(sociaal domein vrouwenopvang\)\.{message}"):
        gemfin.simulate(sc, paths=16, progress=False)


def test_a_municipality_formed_later_is_split_over_its_predecessors():
    """The childcare component goes by the DU voorschoolse voorziening peuters of the meicirculaire
    2022, in which Eemsdelta (formed in 2021 from Appingedam, Delfzijl and Loppersum) has EUR
    104,456, read here from the file: the 2020 replay gives its three predecessors that share
    of the EUR 3 mln, split in proportion to their inhabitants."""
    res = gemfin.simulate(SCEN / "corona-2020.yaml", paths=16, seed=1, progress=False)
    by = res.finances.compensation()["eigen bijdrage voorschoolse voorzieningen"]
    lines = (data_dir() / "gemeentefonds" / "GF_M2022_2023_SIUDU.csv").read_text(encoding="utf-8").splitlines()
    # the header splits "vergunningverlening, toezicht en handhaving" at its comma (the rows do not)
    header = lines[0].replace("vergunningverlening, toezicht", "vergunningverlening toezicht").split(",")
    raw = pd.DataFrame([line.split(",") for line in lines[1:]], columns=header).set_index("CBS").iloc[:, 2:].astype(float)
    raw.index = raw.index.astype(int)
    vvp = raw["voorschoolse voorziening peuters"]
    assert vvp[1979] == 104456
    preds = ["GM0003", "GM0010", "GM0024"]
    assert by[preds].sum() == pytest.approx(3e6 * 104456 / vvp.sum(), rel=1e-12)
    inh = res.municipalities["inhabitants"][preds]
    np.testing.assert_allclose(by[preds] / by[preds].sum(), inh / inh.sum(), rtol=1e-12)
    assert by.sum() == pytest.approx(3e6, rel=1e-12)


def _children_0_11() -> pd.Series:
    """Inhabitants aged 0-11 on 1 January 2020 from the age-band file: the 0-9 band and two tenths
    of the 10-19 band (headed "okt-19")."""
    raw = pd.read_csv(data_dir() / "municipalities" / "municipalities-population-agegroup.csv").set_index("Gemeentecode")
    return raw["0-9"] + 0.2 * raw["okt-19"]


def test_noodopvang_goes_by_its_published_key():
    """EUR 10,000 for every municipality, the rest of the EUR 23 mln by the children up to 12."""
    res = gemfin.simulate(SCEN / "corona-2020.yaml", paths=16, seed=1, progress=False)
    by = res.finances.compensation()["noodopvang"]
    kids = _children_0_11()
    assert len(kids) == 355 and kids["GM0363"] == pytest.approx(86_250 + 0.2 * 80_394)
    rest = 23e6 - 355 * 10_000
    assert by["GM0363"] == pytest.approx(10_000 + rest * kids["GM0363"] / kids.sum(), rel=1e-12)
    assert by.min() > 10_000 and by.sum() == pytest.approx(23e6, rel=1e-12)


def test_an_age_key_in_a_later_division_sums_the_predecessors():
    by = gemfin.simulate(SCEN / "corona-shock-2026.yaml", paths=16, seed=1, progress=False).finances.compensation()
    kids = _children_0_11()
    rest = 23e6 - 342 * 10_000
    eemsdelta = kids[["GM0003", "GM0010", "GM0024"]].sum()
    # Haaren, divided over four municipalities in 2021 (not a merger), is left out of the key
    counted = kids.drop("GM0788").sum()
    assert by.loc["GM1979", "noodopvang"] == pytest.approx(10_000 + rest * eemsdelta / counted, rel=1e-12)


@pytest.mark.parametrize("change,message", [
    ({"fixed_per_municipality": {"value": 70_000.0, "source": "t"}},
     r"fixed_per_municipality: 70,000 for each of the run's 355 municipalities is 24,850,000, more than the amount "
     r"23,000,000; expected at most 64,789"),
    ({"key": {"age": "85-95"}}, r"key\.age: the band 90\+ has no upper age"),
])
def test_a_noodopvang_key_that_cannot_be_paid_is_named(change, message):
    doc = _doc()
    i = next(k for k, c in enumerate(doc["compensation"]) if c["name"] == "noodopvang")
    doc["compensation"][i].update(change)
    sc = gemfin.scenario.scenario_from_dict(doc, origin="t", path=SCEN / "corona-2020.yaml")
    with pytest.raises(gemfin.ScenarioError, match=rf"compensation\[{i}\] \(noodopvang\)\.{message}"):
        gemfin.simulate(sc, paths=16, progress=False)


@pytest.mark.parametrize("age", ["12-3", "0-", "a-9", "0-100"])
def test_an_age_range_is_checked_when_read(age):
    doc = _doc()
    doc["compensation"][5]["key"] = {"age": age}
    with pytest.raises(gemfin.ScenarioError, match=r"compensation\[5\]\.key\.age"):
        gemfin.scenario.scenario_from_dict(doc, origin="t", path=SCEN / "corona-2020.yaml")


def test_a_misspelt_circulaire_of_a_siudu_key_is_named():
    doc = _doc()
    doc["compensation"][3]["key"] = {"siudu": "vrouwenopvang", "circulare": "M2022_2023"}
    with pytest.raises(gemfin.ScenarioError, match=r"compensation\[3\]\.key: unknown field\(s\) 'circulare' \(did you "
                                                   r"mean 'circulaire'\?\)"):
        gemfin.scenario.scenario_from_dict(doc, origin="t", path=SCEN / "corona-2020.yaml")


def test_unknown_lasten_key_names_the_component():
    doc = _doc()
    doc["compensation"][-1]["key"] = {"lasten": ["7.9"]}
    sc = gemfin.scenario.scenario_from_dict(doc, origin="t", path=SCEN / "corona-2020.yaml")
    with pytest.raises(gemfin.ScenarioError, match=r"compensation\[17\] \(sociaal domein Jeugd en Wmo overig vaststelling\)"
                                                   r"\.key\.lasten: '7\.9' is neither a domain nor a taakveld of "
                                                   r"the begroting 2020"):
        gemfin.simulate(sc, paths=16, progress=False)


def test_the_replay_is_2020_with_its_packages():
    res = gemfin.simulate(SCEN / "corona-2020.yaml", paths=400, seed=2, progress=False)
    f = res.finances
    assert list(res.years) == [2020] and len(res.municipalities) == 355
    comps = f.compensation_components
    totals = comps.groupby("package")["amount"].sum()
    assert totals.to_dict() == pytest.approx({"1": 566e6, "1 (vaststelling)": 26e6, "SZW": 3e6, "2": 254e6, "3": 32e6})
    by = f.compensation()
    assert by.sum().sum() == pytest.approx(881e6, rel=1e-12)
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
