"""The begrotingen's lasten growth (gemfin.calibrate.lasten_growth) against a reading of the raw
files written here with the csv module."""

import csv
import math
from pathlib import Path

import pytest

import gemfin.calibrate as calibrate
from gemfin.errors import InputError

from conftest import filed_lasten

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.mark.parametrize("year, domain", [(2026, None), (2024, "Jeugd"), (2023, "Participatie")])
def test_growth_equals_the_raw_files(year, domain):
    now, before = filed_lasten(year, domain), filed_lasten(year - 1, domain)
    # pairs: lasten in both years over the four domains
    total_now, total_before = filed_lasten(year, None), filed_lasten(year - 1, None)
    both = [g for g in now if total_now[g] > 0 and total_before.get(g, 0) > 0]
    expected = sum(now[g] for g in both) / sum(before[g] for g in both) - 1
    got = calibrate.lasten_growth(year, year).loc[year, domain or "total"]
    assert got == pytest.approx(expected, rel=1e-12)


def test_the_table_has_every_year_and_the_cpi_where_it_is_known():
    t = calibrate.lasten_growth()
    assert list(t.index) == list(range(2018, 2027))
    assert t.loc[2024, "cpi"] == pytest.approx(0.033, abs=1e-12)  # data/prices/cpi.csv: 3.3%
    assert t["cpi"].isna().tolist() == [False] * 8 + [True]  # no CPI of 2026 in the data
    assert (t["municipalities"] > 300).all()


@pytest.mark.parametrize("first, last", [(2017, 2020), (2020, 2027), (2024, 2023)])
def test_years_outside_the_data_are_refused(first, last):
    with pytest.raises(InputError, match="lasten_growth: expected begrotingen 2018–2026"):
        calibrate.lasten_growth(first, last)


def test_real_growth_equals_the_raw_summary_and_cpi():
    with open(DATA / "finance" / "iv3_data.iv3summary.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["verslagsoort"] in ("2023X000", "2024X000")]
    filed = {(r["verslagsoort"][:4], r["gm_code"]): (float(r["lasten"]), float(r["inwoners"])) for r in rows
             if float(r["lasten"]) > 0 and float(r["inwoners"]) > 0}
    both = [g for (y, g) in filed if y == "2024" and ("2023", g) in filed]
    lasten = sum(filed["2024", g][0] for g in both) / sum(filed["2023", g][0] for g in both)
    people = sum(filed["2024", g][1] for g in both) / sum(filed["2023", g][1] for g in both)
    real = math.log(lasten) - math.log(1.038) - math.log(people)  # CPI 2023: 3.8% (data/prices/cpi.csv)
    t = calibrate.real_lasten_growth(2025)
    assert t.loc[2024, "real"] == pytest.approx(real, rel=1e-12)
    x = t["real"].tolist()
    assert t.attrs["psi"] == pytest.approx(sum(a * b for a, b in zip(x[1:], x[:-1])) / sum(a * a for a in x[:-1]))
    assert t.attrs["psi"] < 0.2  # no persistence to carry 2024-2025 into 2026
    with pytest.raises(InputError, match="real_lasten_growth: expected a last begroting in 2019–2026"):
        calibrate.real_lasten_growth(2030)
