"""Loaders parse a data file once per session, hand out copies, and re-read a changed file."""

import os

import pandas as pd
import pytest

import gemfin.errors

from gemfin import iv3
from gemfin._tables import derived_from_files


def test_a_derived_table_is_built_once_per_file_version(tmp_path):
    f = tmp_path / "table.csv"
    f.write_text("a\n1\n")
    builds = []

    def build():
        builds.append(1)
        return pd.read_csv(f)

    first = derived_from_files([f], ("t",), build)
    first.loc[0, "a"] = 99  # the caller's copy only
    assert derived_from_files([f], ("t",), build).loc[0, "a"] == 1
    assert len(builds) == 1
    f.write_text("a\n2\n")
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 1_000_000))
    assert derived_from_files([f], ("t",), build).loc[0, "a"] == 2
    assert len(builds) == 2
    assert derived_from_files([f], ("other key",), build).loc[0, "a"] == 2
    assert len(builds) == 3


def test_shipped_loaders_return_independent_copies():
    a, _ = iv3.load_kengetallen(2025)
    col = a.columns[0]
    a[col] = -1.0
    b, _ = iv3.load_kengetallen(2025)
    assert not (b[col] == -1.0).all()


def test_plain_numbers_are_strict():
    from gemfin.dutch_numbers import parse_plain_number
    assert parse_plain_number("1234.5") == 1234.5
    assert parse_plain_number("-0.000914") == -0.000914
    assert parse_plain_number("2e3") == 2000.0
    for bad in ("1,5", "1.234.567", "nan", "inf", "", " - ", "1_000", "0x10"):
        with pytest.raises(ValueError):
            parse_plain_number(bad)


def test_a_comma_inside_a_header_name_is_rejoined_only_when_rows_agree(tmp_path):
    from gemfin._tables import read_table
    ok = tmp_path / "ok.csv"
    ok.write_text("CBS,vergunningverlening, toezicht en handhaving,x\n1,2,3\n", encoding="utf-8")
    assert read_table(ok, sep=",").header == ["CBS", "vergunningverlening, toezicht en handhaving", "x"]
    bad = tmp_path / "bad.csv"
    bad.write_text("CBS,a,b,c\n1,2\n", encoding="utf-8")   # no continuation cell to explain it
    with pytest.raises(gemfin.errors.DataError, match=r"bad\.csv, line 2: 2 cells, expected 4"):
        read_table(bad, sep=",")
