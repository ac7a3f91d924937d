import json

import pandas as pd
import pytest

from gemfin.cli import main

from conftest import PROPOSALS


def test_allocate_writes_csv_and_excel(tmp_path, capsys):
    assert main(["allocate", "--circulaire", "S2024_2025", "--out", str(tmp_path / "a.csv")]) == 0
    out = capsys.readouterr().out
    assert "uitkeringsfactor   1.457000 (published)" in out
    df = pd.read_csv(tmp_path / "a.csv", index_col=0)
    assert len(df) == 342 and df.index[0].startswith("GM")
    assert main(["allocate", "--au-budget", "4e10", "--out", str(tmp_path / "a.xlsx")]) == 0
    sheets = pd.read_excel(tmp_path / "a.xlsx", sheet_name=None, index_col=0)
    assert {"per municipality", "national", "summary", "SIUDU items", "about"} <= set(sheets)
    assert sheets["per municipality"]["algemene uitkering 2025 (EUR)"].sum() == pytest.approx(4e10, rel=1e-12)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_compare_writes_excel(tmp_path, capsys):
    out = tmp_path / "c.xlsx"
    assert main(["compare", "--proposal", str(PROPOSALS / "jeugd-naar-jongeren.yaml"), "--caps", "7.5,15,15",
                 "--out", str(out)]) == 0
    sheets = pd.read_excel(out, sheet_name=None, index_col=0)
    assert sheets["per municipality"]["herverdeeleffect at full implementation (EUR)"].sum() == pytest.approx(0, abs=1e-3)
    assert "winners" in capsys.readouterr().out


def test_errors_exit_2_and_leave_no_file(tmp_path, capsys):
    assert main(["allocate", "--out", str(tmp_path / "a.txt")]) == 2
    assert "unknown extension '.txt'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "a-file").write_text("")
    assert main(["allocate", "--out", str(tmp_path / "a-file" / "a.csv")]) == 2
    assert "a-file is a file, not a directory" in capsys.readouterr().err
    assert main(["compare", "--proposal", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml' is neither a proposal file nor a shipped proposal" in capsys.readouterr().err
    assert main(["compare", "--proposal", str(PROPOSALS / "jeugd-naar-jongeren.yaml"), "--caps", "a,b"]) == 2


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    text = capsys.readouterr().out
    for opt in ("--proposal", "--circulaire", "--cap", "--caps", "--no-cap", "--years", "--out"):
        assert opt in text


def test_fund_path(tmp_path, capsys):
    assert main(["fund-path", "--out", str(tmp_path / "path.csv")]) == 0
    out = capsys.readouterr().out
    assert "gemfin fund-path Baseline" in out and "2026  published        4.72" in out
    table = pd.read_csv(tmp_path / "path.csv")
    assert list(table["year"]) == list(range(2026, 2036)) and table.loc[0, "accres"] == pytest.approx(0.0472)
    assert json.loads((tmp_path / "path.run.json").read_text())["scenario_name"] == "Baseline"
    assert main(["fund-path", "nope"]) == 2 and "neither a scenario file" in capsys.readouterr().err
