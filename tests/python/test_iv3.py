"""Iv3 budgets, the taakveld→domain mapping, reserves and kengetallen."""

import pandas as pd
import pytest

import gemfin
import gemfin._datadir
import gemfin.iv3 as iv3
from gemfin.errors import DataError


@pytest.mark.parametrize("kind,year", sorted(iv3.IV3_FILES))
def test_every_taakveld_is_mapped_to_exactly_one_domain(kind, year):
    df, unmatched = iv3.load_iv3(kind, year)
    mapping = iv3.load_taakveld_domains()
    assert mapping.index.is_unique
    assert set(df["taakveld"]) <= set(mapping.index)
    assert unmatched == []
    assert df["gemeente"].nunique() == 342


def test_national_totals_match_domain_spec():
    # docs/domain.md §4.3 (DERIVED from the same Iv3 files, EUR mln).
    b25 = iv3.baseline_budget("begroting", 2025)
    assert b25.missing == [] and b25.unmatched == []
    # The domain figures are of the filings as published: without the four filled in.
    lasten = b25.lasten.drop(index=b25.filled.index).sum() / 1e6
    assert lasten["Jeugd"] == pytest.approx(7513, abs=2)
    assert lasten["Wmo"] == pytest.approx(8331, abs=2)
    assert lasten.sum() == pytest.approx(79632, rel=1e-3)
    baten = b25.baten.drop(index=b25.filled.index).sum() / 1e6
    assert baten["OZB woningen"] == pytest.approx(3078, abs=1)
    assert baten["OZB niet-woningen"] == pytest.approx(2871, abs=1)
    j = iv3.baseline_budget("jaarrekening", 2023)
    j23 = j.lasten.drop(index=j.filled.index).sum() / 1e6
    assert j23["Jeugd"] == pytest.approx(6278, abs=1)
    assert j23["Wmo"] == pytest.approx(6960, abs=1)


def test_reserves_cover_every_municipality_and_say_which_year():
    r, unmatched = iv3.load_reserves()
    assert r.attrs["year"] == 2024
    assert set(r.index) == set(gemfin.load_municipalities(2025).index)
    # Loon op Zand has no 2024 balance sheet in the data: its 2023 one is used, and said so.
    assert r.loc["GM0809", "jaar"] == 2023
    assert (r.drop(index="GM0809")["jaar"] == 2024).all()
    assert "Appingedam" in unmatched  # merged into Eemsdelta in 2021: reported, not silently dropped
    assert r["algemene reserve"].sum() > 0


def test_kengetallen_of_an_earlier_begroting_are_in_its_own_division():
    """The begroting 2020's kengetallen name the municipalities of 2020; Appingedam (GM0003,
    merged into Eemsdelta in 2021) keeps its code and its structurele exploitatieruimte."""
    k, unmatched = iv3.load_kengetallen(2020)
    assert unmatched == [] and len(k) == 349
    assert set(k.index) <= set(iv3.load_municipalities(2020).index)
    assert "GM0003" in k.index and "GM1979" not in k.index
    k22, unmatched22 = iv3.load_kengetallen(2022)
    assert "Appingedam" in unmatched22 and len(k22) == 343  # 357 names, 14 merged before 2022


def test_kengetallen_names_with_comma_suffix_are_matched():
    k, unmatched = iv3.load_kengetallen(2025)
    assert unmatched == []
    assert len(k) == 342
    assert "Solvabiliteitsratio" in k.columns


def test_unmapped_taakveld_is_an_error_naming_it(data_copy):
    path = data_copy / "finance" / "taakveld_domeinen.csv"
    path.write_text("\n".join(l for l in path.read_text().splitlines() if not l.startswith("6.3,")))
    with pytest.raises(DataError, match=r"2025_begroting\.csv: taakveld\(en\) \['6\.3'\] have no domain"):
        iv3.baseline_budget("begroting", 2025, data_copy)


def test_non_numeric_amount_names_line_and_column(data_copy):
    path = data_copy / "finance" / "2025_begroting.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[5].split(";")
    cells[4] = "veel"
    lines[5] = ";".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DataError, match=r"2025_begroting\.csv, line 6, column 'Lasten': 'veel' is not a number"):
        iv3.load_iv3("begroting", 2025, data_copy)


def test_kengetallen_are_numbers_and_bad_values_are_named(data_copy):
    k, _ = iv3.load_kengetallen(2025)
    assert (k.dtypes == "float64").all()
    path = data_copy / "finance" / "kengetallen.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",veel"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DataError, match=r"kengetallen\.csv, line 2, column 'Waarde': 'veel' is not a number"):
        iv3.load_kengetallen(2025, data_copy)


def test_empty_filings_are_filled_from_the_latest_earlier_one():
    """Four municipalities have zero baten and lasten on every taakveld of the begroting 2025;
    Vijfheerenlanden also in the begroting 2024 and the jaarrekening 2023."""
    b = iv3.baseline_budget("begroting", 2025)
    assert sorted(b.filled.index) == ["GM0310", "GM0415", "GM1731", "GM1961"]
    assert (b.filled["reason"] == "empty filing (zero baten and lasten)").all()
    assert b.filled.loc["GM0310", "used"] == "begroting 2024"
    assert b.filled.loc["GM1961", "used"] == "begroting 2023"
    # The scale factor: exploitatie lasten (without 0.10 and 0.11) of the municipalities that
    # filed both, read here straight from the two files.
    def exploitatie(path):
        t = pd.read_csv(path, sep=";")
        t = t[(t["Gemeenten"] != "Nederland") & ~t["Taakveld"].str.match(r"0\.1[01] ")]
        per = t.groupby("Gemeenten")["Lasten"].sum()
        filed = t.groupby("Gemeenten")[["Baten", "Lasten"]].apply(lambda x: x.abs().sum().sum()) > 0
        return per, filed
    data = gemfin._datadir.data_dir() / "finance"
    l25, f25 = exploitatie(data / "2025_begroting.csv")
    l24, f24 = exploitatie(data / "2024_begroting.csv")
    both = f25[f25].index.intersection(f24[f24].index)
    factor = l25[both].sum() / l24[both].sum()
    assert b.filled.loc["GM0310", "lasten_factor"] == pytest.approx(factor, rel=1e-9)
    raw24, _ = iv3.load_iv3("begroting", 2024)
    kept = raw24[(raw24["gemeente"] == "GM0310") & ~raw24["taakveld"].isin(["0.10", "0.11"])]
    assert b.lasten.loc["GM0310"].sum() == pytest.approx(kept["lasten"].sum() * factor, rel=1e-9)
    # De Bilt no longer runs with zero costs: lasten of the order of its begroting 2024.
    assert 100e6 < b.lasten.loc["GM0310"].sum() < 200e6
