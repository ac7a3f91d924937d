"""Dutch labels (lang="nl") in workbooks and figures; English stays the default."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import gemfin  # noqa: E402
import gemfin.plot as gp  # noqa: E402
from gemfin.cli import main  # noqa: E402
from gemfin.errors import InputError  # noqa: E402
from gemfin.language import translate  # noqa: E402


@pytest.mark.parametrize("english, dutch", [
    ("P(deficit 2035) (probability)", "P(tekort 2035) (kans)"),
    ("saldo 2035 mean per inhabitant (EUR per inhabitant)", "saldo 2035 gemiddelde per inwoner (EUR per inwoner)"),
    ("share of municipalities in deficit, q5 (share)", "aandeel gemeenten met een tekort, q5 (aandeel)"),
    ("inhabitants 2025 (persons)", "inwoners 2025 (personen)"),
    ("Individuele voorzieningen Jeugd 2025 (EUR)", "Individuele voorzieningen Jeugd 2025 (EUR)"),  # official names stay
])
def test_translate(english, dutch):
    assert translate(english, "nl") == dutch
    assert translate(english, "en") == english


def test_an_unknown_language_is_refused():
    with pytest.raises(InputError, match=r"lang must be one of \('en', 'nl'\), got 'de'"):
        translate("x", "de")
    with pytest.raises(SystemExit):
        main(["--lang", "de", "allocate"])


def test_a_dutch_workbook(tmp_path):
    out = tmp_path / "verdeling.xlsx"
    assert main(["--lang", "nl", "allocate", "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["per gemeente", "landelijk", "samenvatting", "SIUDU-posten", "definities", "herkomst"]
    headers = [c.value for c in book["per gemeente"][1]]
    assert headers[:4] == ["CBS-code", "naam", "provincie", "inwoners 2025 (personen)"]
    assert book["per gemeente"]["D2"].number_format == "#,##0"
    summary = {book["samenvatting"].cell(row=r, column=1).value: book["samenvatting"].cell(row=r, column=2).number_format
               for r in range(2, book["samenvatting"].max_row + 1)}
    assert summary["AU per inwoner, mediaan (EUR per inwoner)"] == "#,##0.00"
    defs = pd.read_excel(out, sheet_name="definities")
    assert set(defs["kolom"]) == {c for sheet in ("per gemeente", "landelijk", "samenvatting", "SIUDU-posten")
                                  for c in pd.read_excel(out, sheet_name=sheet).columns}


def test_dutch_figures():
    circ = gemfin.load_circulaire("S2024_2025")
    cmp = gemfin.compare(circ, "jeugd-naar-jongeren")
    ax = gp.allocation_waterfall(cmp.baseline, cmp.reform, "GM0014", by="maatstaf", lang="nl")
    assert ax.get_ylabel() == "EUR mln (as begint niet bij nul)"
    assert ax.get_xticklabels()[0].get_text().startswith("voor: ")
    fig = gp.winners_losers(cmp, lang="nl")
    assert fig.axes[0].get_title() == "Per inwoner naar grootteklasse (inwoners)"
    m = gp.municipality_map(cmp.per_inhabitant, unit="EUR per inhabitant", lang="nl")
    assert m.figure.axes[-1].get_ylabel() == "EUR per inwoner"
    assert "Schaal afgekapt op" in m.get_xlabel()
    plt.close("all")
