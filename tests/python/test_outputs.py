"""Outputs that explain themselves: every workbook column defined, formatted summary sheets,
kengetallen with their filing, CSVs that Windows Excel reads with their accents."""

import openpyxl
import pandas as pd
import pytest

from gemfin.cli import main


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("outputs")
    assert main(["allocate", "--out", str(d / "alloc.xlsx")]) == 0
    assert main(["compare", "--proposal", "jeugd-naar-jongeren", "--out", str(d / "cmp.xlsx")]) == 0
    assert main(["run", "baseline", "--paths", "128", "--out", str(d / "run"), "--no-progress"]) == 0
    assert main(["report", "recession", "--baseline", "baseline", "--paths", "128", "--out", str(d / "rep.xlsx"),
                 "--no-progress"]) == 0
    assert main(["balance", "--out", str(d / "bal.xlsx")]) == 0
    return d


WORKBOOKS = ["alloc.xlsx", "cmp.xlsx", "run/results.xlsx", "rep.xlsx", "bal.xlsx"]


@pytest.mark.parametrize("name", WORKBOOKS)
def test_every_column_is_defined(outputs, name):
    book = pd.read_excel(outputs / name, sheet_name=None)
    defs = book.pop("definitions")
    book.pop("about")
    columns = {str(c) for df in book.values() for c in df.columns}
    assert columns == set(defs["column"])
    undefined = defs.loc[defs["meaning"] == "see docs/glossary.md", "column"].tolist()
    assert undefined == []
    assert defs["meaning"].str.len().min() > 10


def test_definitions_say_what_a_number_is(outputs):
    defs = pd.read_excel(outputs / "rep.xlsx", sheet_name="definitions").set_index("column")
    saldo = defs.loc["saldo 2035 q5 (EUR)"]
    assert "baten − lasten" in saldo["meaning"] and "5% quantile" in saldo["meaning"] and saldo["unit"] == "EUR"
    assert "artikel-12" in defs.loc["P(artikel 12 signal 2035) (probability)", "meaning"]
    assert "worst 5%" in defs.loc["expected shortfall 5% 2035 per inhabitant (EUR per inhabitant)", "meaning"]
    siudu = pd.read_excel(outputs / "alloc.xlsx", sheet_name="definitions").set_index("column")
    assert "negative" in siudu.loc["vrouwenopvang 2025 (EUR)", "formula or source"]  # the suppletie's sign


def test_the_allocation_summary_is_formatted(outputs):
    ws = openpyxl.load_workbook(outputs / "alloc.xlsx")["summary"]
    formats = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).number_format for r in range(2, ws.max_row + 1)}
    assert formats["uitkeringsfactor (factor)"] == "0.000000"
    assert formats["algemene uitkering (EUR mln)"] == "#,##0.0"
    assert formats["inhabitants (persons)"] == "#,##0"
    assert formats["AU per inhabitant, median (EUR per inhabitant)"] == "#,##0.00"


def test_kengetallen_say_their_filing(outputs):
    cols = pd.read_excel(outputs / "run" / "results.xlsx", sheet_name="budget 2035").columns
    keng = [c for c in cols if c.startswith("kengetal ")]
    assert keng and all(", begroting 2025 (fraction)" in c for c in keng)


def test_csv_has_a_byte_order_mark_and_keeps_accents(outputs):
    raw = (outputs / "run" / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "Súdwest-Fryslân" in text
    df = pd.read_csv(outputs / "run" / "summary.csv")
    assert df.columns[0] == "CBS code"  # pandas skips the mark
