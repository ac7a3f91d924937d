"""The scan (gemfin.scan): the taakveld → cluster table, netto lasten, balance, fit, history.

Expected values are computed here from the shipped files directly (csv module), not by the
code under test."""

import csv
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import gemfin
from gemfin._datadir import data_dir
from gemfin.cli import main
from gemfin.errors import DataError, InputError
from gemfin.scan import balance, fund_history, netto_lasten
from gemfin.scan.fit import measures
from gemfin.scan.mapping import load_taakveld_clusters

FIN = data_dir() / "finance"
TAAKVELD_FILES = ["2023_begroting.csv", "2023_jaarrekening.csv", "2024_begroting.csv", "2025_begroting.csv"]


def _raw_codes() -> set[str]:
    codes = set()
    for f in TAAKVELD_FILES:
        with open(FIN / f, encoding="utf-8") as fh:
            for r in csv.DictReader(fh, delimiter=";"):
                codes.add(re.match(r"^(\d+\.\d+[a-z]?)\s", r["Taakveld"] + " ").group(1))
    with open(FIN / "iv3_data.iv3summary.lasten_per_taakveld.csv", encoding="utf-8") as fh:
        codes |= set(next(csv.reader(fh))[3:])
    with open(FIN / "iv3_data.iv3taakveld.csv", encoding="utf-8") as fh:
        codes |= {r["code"] for r in csv.DictReader(fh)}
    return codes


def test_every_taakveld_in_the_data_is_mapped_or_excluded():
    table = load_taakveld_clusters()
    known = set(table["taakveld"])
    assert _raw_codes() - known == set()
    excluded = table[table["cluster"] == "uitgesloten"]
    assert set(excluded["taakveld"]) == {"0.7", "0.10", "0.11"}
    assert (excluded["toelichting"].str.len() > 10).all()


def test_pgb_key_is_the_national_split_of_the_begroting_2025():
    wmo = jeugd = 0.0
    with open(FIN / "2025_begroting.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter=";"):
            if r["Gemeenten"] == "Nederland":
                continue
            code = r["Taakveld"].split()[0]
            wmo += float(r["Lasten"] or 0) if code == "6.791" else 0.0
            jeugd += float(r["Lasten"] or 0) if code == "6.792" else 0.0
    t = load_taakveld_clusters().set_index(["taakveld", "cluster"])["weight"]
    assert t[("6.79", "Individuele voorzieningen Wmo")] == pytest.approx(wmo / (wmo + jeugd), abs=1e-4)


@pytest.mark.parametrize("damage, message", [
    (lambda s: s.replace("4.1,Openbaar basisonderwijs,Onderwijs", "4.1,Openbaar basisonderwijs,Schoolzaken"), "Schoolzaken"),
    (lambda s: s.replace("0.6516,derived", "0.7,derived"), "add up to"),
    (lambda s: s.replace("\n8.3,Wonen en bouwen", "\n8.4,Wonen en bouwen"), "8.3"),
])
def test_a_damaged_mapping_is_named(data_copy, damage, message):
    path = data_copy / "finance" / "taakveld_clusters.csv"
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(DataError, match=re.escape(message)):
        netto_lasten(("begroting", 2025), data=data_copy)


def _raw_netto(file: str, code_filter) -> dict[str, float]:
    """Σ (lasten − baten) in euros per CBS name over the taakvelden code_filter accepts."""
    out: dict[str, float] = {}
    with open(FIN / file, encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter=";"):
            code = r["Taakveld"].split()[0]
            if r["Gemeenten"] != "Nederland" and code_filter(code):
                out[r["Gemeenten"]] = out.get(r["Gemeenten"], 0.0) + 1000 * (float(r["Lasten"] or 0) - float(r["Baten"] or 0))
    return out


def test_netto_lasten_sum_to_the_mapped_total_of_the_filing():
    nl = netto_lasten(("jaarrekening", 2023))
    raw = _raw_netto("2023_jaarrekening.csv", lambda c: c not in ("0.7", "0.10", "0.11"))
    for code, name in [("GM0014", "Groningen"), ("GM0363", "Amsterdam"), ("GM0344", "Utrecht")]:
        assert nl.by_cluster.loc[code].sum() == pytest.approx(raw[name], abs=1.0)
        assert nl.mapped_total.loc[code] == pytest.approx(raw[name], abs=1.0)


def test_national_netto_lasten_of_two_clusters_by_hand():
    nl = netto_lasten(("begroting", 2025))  # overhead to Bestuur en ondersteuning: the other clusters as filed
    jeugd = ("6.22", "6.751", "6.752", "6.753", "6.761", "6.762", "6.763", "6.792", "6.821", "6.822", "6.92")
    raw_jeugd = sum(_raw_netto("2025_begroting.csv", lambda c: c in jeugd).values())
    raw_onderwijs = sum(_raw_netto("2025_begroting.csv", lambda c: c.startswith("4.")).values())
    tot = nl.by_cluster.sum()
    # 6.22 (toegang jeugd) is mapped to Sociale basisvoorzieningen with 6.2: take it out again
    raw_22 = sum(_raw_netto("2025_begroting.csv", lambda c: c == "6.22").values())
    # four municipalities' empty filings are filled from earlier ones (named in the notes)
    filled = nl.notes[0]
    assert "4 municipalities" in filled
    assert tot["Individuele voorzieningen Jeugd"] == pytest.approx(raw_jeugd - raw_22, rel=0.02)
    assert tot["Onderwijs"] == pytest.approx(raw_onderwijs, rel=0.02)
    print("national netto lasten 2025, EUR mln: Jeugd", round(tot["Individuele voorzieningen Jeugd"] / 1e6, 1),
          "Onderwijs", round(tot["Onderwijs"] / 1e6, 1))


@pytest.fixture(scope="module")
def bal():
    return balance("S2024_2025", ("begroting", 2025))


def test_allocation_per_cluster_adds_up_to_au_plus_mapped_siudu(bal):
    circ = gemfin.load_circulaire("S2024_2025")
    alloc = gemfin.allocate(circ)
    # the weight rows of the Gewichten file, read here by hand: uncoded rows, one 1.00
    mapped = set()
    with open(circ.source_dir / "GF_S2024_2025_Gewichten.csv", encoding="utf-8") as fh:
        for r in csv.reader(fh, delimiter="\t"):
            if r and r[0] == "" and len(r) > 2:
                mapped.add("".join(r[1].lower().split()))
    cols = [c for c in circ.fixed_items.columns if "".join(c.lower().split()) in mapped]
    expect = alloc.algemene_uitkering + circ.fixed_items[cols].sum(axis=1)
    got = bal.allocation.sum(axis=1)
    assert (got - expect.loc[got.index]).abs().max() < 1.0
    assert (got <= alloc.gemeentefonds.loc[got.index] + 1.0).all()


def test_balance_is_allocation_minus_netto_lasten(bal):
    long = bal.by_cluster
    assert len(long) == 342 * 12
    assert np.allclose(long["balance"], long["allocation"] - long["netto_lasten"])
    inh = bal.inhabitants
    g = long.xs("GM0014", level="gm_code")
    assert np.allclose(g["per_inhabitant"], g["balance"] / inh["GM0014"])
    assert not long.isna().any().any()
    nat = bal.national
    assert nat.loc["total", "allocation (EUR mln)"] == pytest.approx(bal.allocation.to_numpy().sum() / 1e6)


def test_groups_cover_every_municipality(bal):
    for group in ("size_class", "province", "centrumfunctie", "sociale_structuur"):
        f = bal.fit_by(group)
        assert f.xs("total", level="cluster")["municipalities"].sum() == 342
        assert not bal.by_group(group).isna().any().any()
    with pytest.raises(InputError, match="group"):
        bal.fit_by("gemeentegrootte")


def test_fit_measures_by_hand():
    x, y, w = np.array([100.0, 200.0, 300.0]), np.array([110.0, 180.0, 330.0]), np.array([1.0, 2.0, 1.0])
    ybar = (110 + 360 + 330) / 4
    ss = 1 * (110 - ybar) ** 2 + 2 * (180 - ybar) ** 2 + 1 * (330 - ybar) ** 2
    m = measures(x, y, w, threshold=15)
    assert m["r2"] == pytest.approx(1 - (100 + 2 * 400 + 900) / ss)
    assert m["mad"] == pytest.approx((10 + 2 * 20 + 30) / 4)
    assert m["share_beyond"] == pytest.approx(2 / 3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-500, 2000), st.floats(-500, 2000), st.floats(1, 1e6)), min_size=3, max_size=30))
def test_fit_invariants(rows):
    x, y, w = (np.array(c) for c in zip(*rows))
    m = measures(x, y, w)
    assert m["mad"] >= 0
    assert measures(y, y, w)["mad"] == 0
    perm = np.random.default_rng(0).permutation(len(x))
    m2 = measures(x[perm], y[perm], w[perm])
    assert m2["mad"] == pytest.approx(m["mad"], rel=1e-9, abs=1e-9)
    if math.isfinite(m["r2"]):
        assert m["r2"] <= 1 + 1e-12
        assert m2["r2"] == pytest.approx(m["r2"], rel=1e-9, abs=1e-9)


def _move(circ, bal, source: str, target: str, amount: float, tmp_path: Path) -> Path:
    """A proposal moving ``amount`` euros (at the circulaire's uitkeringsfactor) from every
    maatstaf of cluster ``source`` to those of ``target``, pro rata."""
    alloc = gemfin.allocate(circ)
    changes = []
    for cluster, sign in ((source, -1), (target, +1)):
        f = 1 + sign * amount / alloc.by_cluster[cluster].sum()
        for m in circ.rates.index[circ.rates[cluster] != 0]:
            changes.append({"type": "scale", "maatstaf": str(m), "cluster": cluster, "factor": float(f)})
    path = tmp_path / f"move-{len(changes)}-{sign}.yaml"
    path.write_text(yaml.safe_dump({"name": f"EUR {amount / 1e6:.0f} mln {source} -> {target}",
                                    "source": "assumption: test proposal", "changes": changes}), encoding="utf-8")
    return path


def test_moving_money_to_the_largest_shortfall_improves_the_fit(bal, tmp_path):
    circ = gemfin.load_circulaire("S2024_2025")
    spending = bal.national.drop(index=["total", "Overig", "Overige eigen middelen", "Onroerendezaakbelasting"])
    surplus = spending["balance (EUR mln)"].idxmax()
    shortfall = spending["balance (EUR mln)"].idxmin()
    assert spending.loc[surplus, "balance (EUR mln)"] > 200 and spending.loc[shortfall, "balance (EUR mln)"] < -200
    better = gemfin.compare(circ, _move(circ, bal, surplus, shortfall, 200e6, tmp_path)).fit()
    worse = gemfin.compare(circ, _move(circ, bal, shortfall, surplus, 200e6, tmp_path)).fit()
    for c in (surplus, shortfall):
        assert better.loc[c, "mad_after"] < better.loc[c, "mad_before"]
        assert better.loc[c, "r2_after"] > better.loc[c, "r2_before"]
        assert worse.loc[c, "mad_after"] > worse.loc[c, "mad_before"]
        assert worse.loc[c, "r2_after"] < worse.loc[c, "r2_before"]
    assert list(better.columns) == ["r2_before", "r2_after", "mad_before", "mad_after"]
    assert better.index[-1] == "total"


def test_an_older_filing_is_put_into_the_circulaire_division():
    b = balance("S2024_2025", "begroting:2022")  # Voorne aan Zee (2023) from its three predecessors
    nl = netto_lasten(("begroting", 2022))
    assert len(b.municipalities) == 342 and len(nl.by_cluster) == 345
    assert b.netto_lasten.to_numpy().sum() == pytest.approx(nl.by_cluster.to_numpy().sum(), rel=1e-12)
    assert any("different years" in n for n in b.notes)


@pytest.mark.parametrize("call, error, message", [
    (lambda: balance("S2024_2025", ("begroting", 2031)), InputError, "not in the data"),
    (lambda: balance("S2024_2025", "rekening 2019"), InputError, "not in the data"),
    (lambda: balance("M2022_2023"), DataError, "no weight rows"),
    (lambda: balance("B2020_2020"), DataError, "no Gewichten file"),
    (lambda: balance("S2024_2025", overhead="salaris"), InputError, "overhead"),
    (lambda: balance("S2024_2025", ("begroting", 2019), overhead="salarissen"), InputError, "wages per taakveld"),
    (lambda: balance("S2024_2025", threshold=-5), InputError, "threshold"),
    # Haaren (GM0788) was divided over four municipalities in 2021: no merger to sum it into
    (lambda: balance("S2024_2025", "begroting:2019"), InputError, "GM0788"),
])
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_history_fund_and_prices_from_the_files():
    h = fund_history()
    rijk = 0.0
    with open(FIN / "iv3_data.iv3summary.baten_rijk.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["verslagsoort"] == "2019X000":
                rijk += float(r["rijk"] or 0) * 1000
    assert h.national.loc[("begroting", 2019), "fund"] == pytest.approx(rijk / 1e6, rel=1e-9)
    # CPI 2025 = 3.3 %: a 2024 euro is 1.033 euros of 2025
    n = h.national.loc[("begroting", 2024)]
    assert n["fund 2025 prices"] == pytest.approx(n["fund"] * 1.033)
    assert n["lasten growth"] == pytest.approx(n["lasten"] / h.national.loc[("begroting", 2023), "lasten"] - 1)
    assert ("jaarrekening", 2023) not in h.national.index
    assert any("jaarrekening 2023" in note for note in h.notes)
    per = h.by_cluster.xs(("begroting", 2025), level=("document", "year"))
    assert per["netto_lasten"].sum() == pytest.approx(h.national.loc[("begroting", 2025), "netto_lasten"])


def test_cli_balance_writes_the_columns(tmp_path, capsys):
    out = tmp_path / "b.csv"
    assert main(["balance", "--filing", "begroting:2024", "--out", str(out)]) == 0
    df = pd.read_csv(out)
    assert list(df.columns) == ["gm_code", "name", "cluster", "allocation", "netto_lasten", "balance", "per_inhabitant"]
    assert len(df) == 342 * 12
    assert main(["balance", "--filing", "begroting:2031"]) == 2
    assert "not in the data" in capsys.readouterr().err


def test_cli_compare_fit(tmp_path):
    out = tmp_path / "fit.csv"
    proposal = Path(__file__).resolve().parents[2] / "scenarios" / "proposals" / "jeugd-naar-jongeren.yaml"
    assert main(["compare", "--proposal", str(proposal), "--fit", "--out", str(out)]) == 0
    df = pd.read_csv(out)
    assert list(df.columns) == ["cluster", "r2_before", "r2_after", "mad_before", "mad_after"]
    assert df["cluster"].iloc[-1] == "total"


def test_views(bal):
    assert "Balance" in bal._repr_html_() and "S2024_2025" in repr(bal)
    assert "FundHistory" in fund_history()._repr_html_()
    sheets = bal.tables()
    assert {"per municipality", "national", "fit", "by size class", "about"} <= set(sheets)


def test_comparison_shows_its_fit_in_the_notebook_and_workbook(tmp_path):
    proposal = Path(__file__).resolve().parents[2] / "scenarios" / "proposals" / "jeugd-naar-jongeren.yaml"
    cmp = gemfin.compare(gemfin.load_circulaire("S2024_2025"), proposal)
    assert "Fit to the netto lasten of the begroting 2025" in cmp._repr_html_()
    out = tmp_path / "c.xlsx"
    assert main(["compare", "--proposal", str(proposal), "--out", str(out)]) == 0
    fit = pd.read_excel(out, sheet_name="fit, begroting 2025")
    assert fit["cluster"].iloc[-1] == "total" and "r2_after" in fit.columns
    old = gemfin.compare(gemfin.load_circulaire("M2022_2023"), proposal)  # no cluster weights for its IU/DU
    assert "No fit to netto lasten" in old._repr_html_()
