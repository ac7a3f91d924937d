"""Loaders parse a data file once per session, hand out copies, and re-read a changed file."""

import os

import pandas as pd

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
