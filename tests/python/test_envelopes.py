"""The published corona envelopes (data/corona) and the check of a run's compensation against
them: every figure below is read off the csv files by eye, not computed by gemfin."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

import gemfin
from gemfin import envelopes
from gemfin._datadir import data_dir

SCEN = gemfin._datadir.scenarios_dir()


@pytest.fixture(scope="module")
def replay():
    return gemfin.simulate("corona-2020", paths=64, seed=1, progress=False)


def test_the_national_envelopes_as_published():
    env = envelopes.published_envelopes()
    assert len(env) == 19 + 13 and env.index.is_unique
    assert env.loc["Compensatie toeristenbelasting", "amount"] == 100e6
    assert env.loc["Compensatie parkeerbelasting (gederfde parkeerinkomsten)", "amount"] == 125e6
    # a decimal comma in the file: "26,9"
    assert env.loc["Verkiezingen aanvullend (Tweede Kamerverkiezing 2021) totaal", "amount"] == pytest.approx(26.9e6)
    assert env.loc["TONK eerste tranche", "package"] == "TONK"
    assert env.loc["Zwembaden en ijsbanen (exploitanten)", "channel"] == "specifieke uitkering"
    assert env.loc["Cultuur", "publisher"] == "NOS"


def test_the_social_domain_money_of_2020_as_published():
    """Package 1's Jeugd and Wmo advance and its settlement (data/corona/aanvullende_enveloppen.csv),
    the figures as the VNG's item states them: 91 + 7 to the centrumgemeenten, 144 in all, then
    103.5 to the centrumgemeenten and 66.4 to all municipalities, 170 in all."""
    env = envelopes.published_envelopes()
    sd = env[env["url"].str.contains("coronakosten-jeugd-en-wmo-2020")]
    assert len(sd) == 9
    advance = sd[sd["package"] == "1"]["amount"]
    assert advance["Meerkosten Jeugd en Wmo, voorschot (totaal)"] == 144e6
    assert advance["Meerkosten beschermd wonen en maatschappelijke opvang, voorschot"] == 91e6
    assert advance["Meerkosten vrouwenopvang, voorschot"] == 7e6
    # the one figure the page gives as a difference: 66.4 settled, 20.4 more than the advance
    assert advance["Meerkosten Jeugd en Wmo overig (waaronder inhaalzorg), voorschot"] == 46e6
    assert advance.drop("Meerkosten Jeugd en Wmo, voorschot (totaal)").sum() == pytest.approx(144e6)
    settled = sd[sd["package"] == "1 (vaststelling)"]
    assert settled.loc["Meerkosten Jeugd en Wmo overig (waaronder inhaalzorg), vastgesteld", "amount"] == \
        pytest.approx(66.4e6)
    assert settled.loc["Ophoging Jeugd en Wmo overig", "amount"] == pytest.approx(20.4e6)
    assert settled["decided"].eq("").all()  # the page gives no date


def test_a_measure_in_both_envelope_files_is_refused(tmp_path):
    folder = _edited_copy(tmp_path, "aanvullende_enveloppen.csv", "Ophoging Jeugd en Wmo overig", "Cultuur")
    with pytest.raises(gemfin.DataError, match=r"aanvullende_enveloppen\.csv, line 10, column 'maatregel': 'Cultuur' "
                                               r"repeats line 6 of corona_compensatie_landelijke_bedragen\.csv"):
        envelopes.published_envelopes(folder)


def test_the_published_municipal_amounts():
    m = envelopes.published_municipal_amounts()
    assert len(m) == 5
    parking = m[m["measures"].map(len) == 1].set_index("gemeente")["amount"]
    assert parking.to_dict() == pytest.approx({"GM0363": 39.3e6, "GM0599": 14.7e6, "GM0518": 9.2e6, "GM0344": 5.5e6})
    both = m[m["measures"].map(len) == 2].iloc[0]
    assert both["gemeente"] == "GM0363" and both["amount"] == pytest.approx(87.8e6)


def _edited_copy(tmp_path, name: str, old: str, new: str):
    """A data folder with the shipped data/corona, ``old`` replaced by ``new`` once in ``name``."""
    shutil.copytree(data_dir() / "corona", tmp_path / "corona")
    f = tmp_path / "corona" / name
    f.write_text(f.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return tmp_path


def test_a_bad_amount_names_file_line_and_column(tmp_path):
    folder = _edited_copy(tmp_path, "corona_compensatie_landelijke_bedragen.csv", ",225,", ",twee,")
    with pytest.raises(gemfin.DataError, match=r"corona_compensatie_landelijke_bedragen\.csv, line 3, column "
                                               r"'bedrag_mln_eur'.*expected a number of million euros"):
        envelopes.published_envelopes(folder)


def test_a_municipal_amount_of_an_unknown_measure_is_refused(tmp_path):
    folder = _edited_copy(tmp_path, "pakket1_bedragen_per_gemeente.csv", "Compensatie toeristenbelasting;", "Toeristen;")
    with pytest.raises(gemfin.DataError, match=r"pakket1_bedragen_per_gemeente\.csv, line 6, column 'maatregelen': "
                                               r"'Toeristen' is not a maatregel"):
        envelopes.published_municipal_amounts(folder)


def test_a_repeated_measure_is_refused(tmp_path):
    lines = (data_dir() / "corona" / "corona_compensatie_landelijke_bedragen.csv").read_text(encoding="utf-8")
    folder = _edited_copy(tmp_path, "corona_compensatie_landelijke_bedragen.csv", lines,
                          lines + lines.splitlines()[2] + "\n")
    with pytest.raises(gemfin.DataError, match=r"line 21, column 'maatregel'.* repeats line 3 of "
                                               r"corona_compensatie_landelijke_bedragen\.csv"):
        envelopes.published_envelopes(folder)


def test_an_unknown_envelope_is_a_scenario_error():
    doc = gemfin.load_scenario("corona-2020").to_dict()
    doc["compensation"][0]["envelope"] = "Compensatie toeristenbelastin"
    with pytest.raises(gemfin.ScenarioError, match=r"compensation\[0\]\.envelope: unknown envelope "
                                                   r"'Compensatie toeristenbelastin'.*did you mean "
                                                   r"'Compensatie toeristenbelasting'"):
        gemfin.scenario.scenario_from_dict(doc, origin="t", path=SCEN / "corona-2020.yaml")


def test_the_replay_pays_the_published_envelopes(replay):
    table = envelopes.compare_envelopes(replay)
    named = table[table["envelope"] != ""]
    assert len(named) == 18
    # the keys distribute each amount in full
    np.testing.assert_allclose(table["keyed total"], replay.finances.compensation_components.set_index("name")
                               .loc[table.index, "amount"], rtol=1e-12)
    differs = named[~np.isclose(named["keyed total"], named["published"], rtol=1e-12)]
    # only culture: 84 mln (NRC, culture and local media) against NOS's 60 mln "voor cultuur"
    assert list(differs.index) == ["cultuur en lokale media"]
    assert differs["difference"].iloc[0] == pytest.approx(24e6)
    assert (table["envelope"] != "").all()  # every component names the envelope it pays


def test_the_parking_key_against_the_published_city_amounts(replay):
    m = envelopes.compare_municipal_amounts(replay)
    parking = m[m["components"] == "parkeren"].set_index("gemeente")
    assert len(parking) == 4
    # the begroting-2020 parking yield, imputed in the shares of the begroting 2023, puts each
    # of the four cities within 15% of what it received
    assert parking["ratio"].between(0.85, 1.15).all(), parking["ratio"]
    both = m[m["components"] == "toeristenbelasting, parkeren"]
    assert len(both) == 1 and both["published"].iloc[0] == pytest.approx(87.8e6)
    # with Amsterdam's toeristenbelasting yield as CBS published it (key_published)
    assert 0.9 < both["ratio"].iloc[0] < 1.1


def test_a_run_without_compensation_is_refused():
    res = gemfin.simulate("baseline", paths=16, progress=False)
    with pytest.raises(gemfin.InputError, match="no compensation components"):
        envelopes.compare_envelopes(res)
