"""Loading the shipped circulaires, checked against figures published in docs/domain.md."""

import numpy as np
import pandas as pd
import pytest

import gemfin
import gemfin._datadir
import gemfin.municipalities
from gemfin.dutch_numbers import parse_dutch_number

# docs/domain.md §2.10 (DERIVED from the rekenbestanden, independent of this code):
# circulaire → (UF, Σ basis bn, OZB bn, AU model bn)
DOMAIN_TOTALS = {
    "M2022_2023": (1.285, 29.315, -3.309, 34.360),
    "M2023_2024": (1.395, 29.799, -3.798, 37.771),
    "S2023_2024": (1.406, 29.965, -3.838, 38.293),
    "M2024_2024": (1.414, 29.792, -3.704, 38.422),
    "S2024_2024": (1.420, 30.138, -3.885, 38.911),
    "M2024_2025": (1.457, 30.225, -4.120, 39.918),
    "S2024_2025": (1.457, 30.361, -4.171, 40.064),
}


def test_shipped_circulaires_in_publication_order():
    assert gemfin.circulaires() == list(DOMAIN_TOTALS)
    assert gemfin.newest_circulaire() == "S2024_2025"


@pytest.mark.parametrize("cid", list(DOMAIN_TOTALS))
def test_national_totals_match_domain_within_0_1_percent(cid):
    uf, basis, ozb, au = DOMAIN_TOTALS[cid]
    circ = gemfin.load_circulaire(cid)
    assert circ.uitkeringsfactor == pytest.approx(uf, abs=1e-12)
    alloc = gemfin.allocate(circ)
    assert alloc.basis.sum() / 1e9 == pytest.approx(basis, rel=1e-3)
    assert alloc.ozb.sum() / 1e9 == pytest.approx(ozb, rel=1e-3)
    assert alloc.au_total / 1e9 == pytest.approx(au, rel=1e-3)


@pytest.mark.parametrize("cid", list(DOMAIN_TOTALS))
def test_structure_of_every_circulaire(cid):
    circ = gemfin.load_circulaire(cid)
    # The meicirculaire 2022 still lists Brielle, Hellevoetsluis and Westvoorne (merged 2023).
    assert len(circ.municipalities) == (344 if cid == "M2022_2023" else 342)
    assert circ.volumes.index.equals(circ.municipalities.index)
    assert circ.fixed_items.index.equals(circ.municipalities.index)
    assert circ.volumes.index.str.fullmatch(r"GM\d{4}").all()
    assert list(circ.rates.columns) == list(gemfin.CLUSTERS)
    assert list(circ.volumes.columns) == list(circ.rates.index)
    assert np.isfinite(circ.volumes.to_numpy()).all()
    assert np.isfinite(circ.fixed_items.to_numpy()).all()
    # 'vast nieuw' in the Volumina file is the 'vast' maatstaf: 1 for every municipality.
    assert (circ.volumes["vast"] == 1).all()
    assert sorted(circ.maatstaven.index[circ.maatstaven["is_ozb"]]) == ["WOZnwe70", "WOZnwg70", "WOZwe80"]


def test_per_municipality_figures_s2024_2024():
    # docs/domain.md §2.10: AU model part, EUR mln, S2024_2024.
    alloc = gemfin.allocate(gemfin.load_circulaire("S2024_2024"))
    au = alloc.algemene_uitkering / 1e6
    assert au["GM0014"] == pytest.approx(651.9, abs=0.06)   # Groningen
    assert au["GM0363"] == pytest.approx(2711.8, abs=0.06)  # Amsterdam
    assert au["GM0599"] == pytest.approx(2036.9, abs=0.06)  # Rotterdam
    assert alloc.inhabitants["GM0014"] == pytest.approx(243_768, abs=0.5)
    pi = alloc.per_inhabitant["algemene_uitkering"]
    names = alloc.circulaire.municipalities["name"]
    assert names[pi.idxmax()] == "Schiermonnikoog"
    assert names[pi.idxmin()] == "Bloemendaal"
    assert pi.median() == pytest.approx(1912, abs=1)


def test_suppletie_nieuwe_verdeling_s2024_2024():
    # docs/domain.md §2.7: positive for 134 municipalities (EUR +373.6 mln), negative for 128 (−383.0 mln).
    circ = gemfin.load_circulaire("S2024_2024")
    s = circ.fixed_items["Suppletie nieuwe verdeling GF"]
    assert circ.fixed_item_types["Suppletie nieuwe verdeling GF"] == "suppletie"
    assert (s > 0).sum() == 134 and (s < 0).sum() == 128
    assert s[s > 0].sum() / 1e6 == pytest.approx(373.6, abs=0.05)
    assert s[s < 0].sum() / 1e6 == pytest.approx(-383.0, abs=0.05)
    assert circ.fixed_items.loc["GM0014", "Suppletie nieuwe verdeling GF"] == -35_479_988
    assert circ.fixed_item_types["ART.12"] == "artikel 12"
    assert circ.fixed_item_types["Beschermd wonen"] == "IU"
    assert circ.fixed_item_types["herindeling"] == "herindeling"


def test_siudu_without_cbs_column_is_joined_on_names():
    circ = gemfin.load_circulaire("M2024_2025")  # this SIUDU file has no CBS column
    assert circ.fixed_items.loc["GM0014", "Beschermd wonen"] == 78_449_682  # Groningen
    assert circ.fixed_items.loc["GM1979", "Participatie"] == 9_614_222      # Eemsdelta


def test_solving_uf_from_own_au_total_returns_published_uf(circ):
    published = gemfin.allocate(circ)
    solved = gemfin.allocate(circ, au_budget=published.au_total)
    assert solved.uitkeringsfactor == pytest.approx(1.457, rel=1e-12)
    assert solved.uitkeringsfactor_solved


@pytest.mark.parametrize(
    "text,value",
    [("1.234.567,89", 1234567.89), ("-0,000914", -0.000914), (" - ", 0.0), ("315.018", 315018.0),
     ("1,94044E+11", 1.94044e11), ("42", 42.0)],
)
def test_dutch_numbers(text, value):
    assert parse_dutch_number(text) == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize("text", ["1.5", "12,3,4", "abc", "", "1.23,4", "nan", "inf"])
def test_dutch_numbers_reject(text):
    with pytest.raises(ValueError, match="Dutch notation"):
        parse_dutch_number(text)


def test_scientific_notation_cell_is_read():
    circ = gemfin.load_circulaire("M2023_2024")
    assert (circ.volumes["WOZwe80"] == 1.94044e11).sum() == 1


def test_html_repr(circ):
    html = circ._repr_html_()
    assert "S2024_2025" in html and "342" in html
    assert isinstance(circ.municipalities["size_class"].dtype, pd.CategoricalDtype)


def test_meicirculaire_2022_other_format():
    """M2022_2023 is comma-separated with dot decimals and names its maatstaven by full name
    (data/gemeentefonds/SOURCES.md); it reads into the same structure as the others."""
    circ = gemfin.load_circulaire("M2022_2023")
    assert circ.uitkeringsjaar == 2023
    # Later circulaires' codes, so that scenarios name one code per maatstaf.
    assert {"cf.landelijk", "cf.lokaal", "cf.regionaal"} <= set(circ.rates.index)
    assert "Sport, cultuur en recreatie" in circ.rates.columns
    # Values straight from the file (first data rows of Gewichten and Volumina, Eemsdelta):
    assert circ.rates.loc["bo3_nw", "Participatie"] == 5051.46
    assert circ.rates.loc["inwo", "Overige eigen middelen"] == -117.89
    assert circ.volumes.loc["GM1979", "vest"] == 3946.57
    assert circ.volumes.loc["GM1979", "bo31"] == 2847.0
    # The header cell with an unquoted comma is one SIUDU item, not two.
    assert "vergunningverlening, toezicht en handhaving" in circ.fixed_items.columns
    assert circ.fixed_items.loc["GM1979", "vergunningverlening, toezicht en handhaving"] == 429516
    assert circ.fixed_items.loc["GM0014", "Suppletie nieuwe verdeling GF"] == -38979083
    assert circ.fixed_item_types["Suppletie nieuwe verdeling GF"] == "suppletie"
    # The first-year ingroei of the herijking nets to about zero (SOURCES.md: −2.5 mln).
    assert circ.fixed_items["Suppletie nieuwe verdeling GF"].sum() == pytest.approx(-2.5e6, abs=0.05e6)
    assert circ.fixed_items.to_numpy().sum() / 1e9 == pytest.approx(4.216, abs=0.0005)


def test_meicirculaire_2022_uitkeringsfactor_from_its_au_total():
    circ = gemfin.load_circulaire("M2022_2023")
    alloc = gemfin.allocate(circ, au_budget=34.360e9)   # the AU total of the circulaire, EUR bn 34.360
    assert round(alloc.uitkeringsfactor, 3) == 1.285


def test_meicirculaire_2022_municipalities_merge_into_voorne_aan_zee():
    circ = gemfin.load_circulaire("M2022_2023")
    preds = ["GM0501", "GM0530", "GM0614"]
    assert set(preds) <= set(circ.municipalities.index)
    assert "GM1992" not in circ.municipalities.index
    assert list(circ.municipalities.loc[preds, "name"]) == ["Brielle", "Hellevoetsluis", "Westvoorne"]
    au = gemfin.allocate(circ).algemene_uitkering
    merged = gemfin.municipalities.to_indeling(au, 2023)
    assert len(merged) == 342 and merged.index.is_unique
    assert merged["GM1992"] == pytest.approx(au[preds].sum(), rel=1e-15)
    assert merged.sum() == pytest.approx(au.sum(), rel=1e-12)


def test_mergers_agree_with_the_municipality_lists():
    """Every merger in herindelingen.csv: each predecessor is listed the year before and not in
    the merger year; the successor is listed in the merger year (new, or existing and absorbing);
    its population equals its parts' the year before within 5% (CBS counts in
    iv3_data.inwoners.csv; split municipalities are not listed, hence the margin)."""
    data = gemfin._datadir.data_dir() / "municipalities"
    lists = pd.read_csv(data / "iv3_data.gemeente.csv")
    people = pd.read_csv(data / "iv3_data.inwoners.csv").set_index(["jaar", "gm_code"])["aantal_inwoners"]
    mergers = gemfin.municipalities.load_mergers()
    assert mergers["gm_code"].nunique() == 24
    for code, g in mergers.groupby("gm_code"):
        y = int(g["year"].iloc[0])
        before, after = set(lists.loc[lists.jaar == y - 1, "gm_code"]), set(lists.loc[lists.jaar == y, "gm_code"])
        assert set(g["predecessor"]) <= before and not set(g["predecessor"]) & after, code
        assert code in after, code
        parts = sum(people[(y - 1, p)] for p in g["predecessor"]) + (people[(y - 1, code)] if code in before else 0)
        assert people[(y, code)] == pytest.approx(parts, rel=0.05), code
    # Every code that disappears 2018-2023 is a listed predecessor, except the two split ones.
    for y in range(2018, 2024):
        gone = set(lists.loc[lists.jaar == y - 1, "gm_code"]) - set(lists.loc[lists.jaar == y, "gm_code"])
        listed = set(mergers.loc[mergers["year"] == y, "predecessor"])
        assert gone - listed <= {"GM0140", "GM0788"} and listed <= gone, y
