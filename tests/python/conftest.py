import csv
import shutil
from pathlib import Path

import pytest

import gemfin
from gemfin._datadir import data_dir

REPO = Path(__file__).resolve().parents[2]
PROPOSALS = REPO / "scenarios" / "proposals"


def filed_lasten(year: int, domain: str | None = None) -> dict[str, float]:
    """Lasten per CBS code of the begroting ``year`` over the taakvelden of ``domain`` (None: every
    taakveld of the four domains), straight from the shipped CSV files with the csv module."""
    data = REPO / "data" / "finance"
    with open(data / "taakveld_domeinen.csv", newline="") as f:
        domains = {r["taakveld"]: r["domein"] for r in csv.DictReader(f)}
    keep = {t for t, d in domains.items() if (d == domain if domain else d != "uitgesloten")}
    out = {}
    with open(data / "iv3_data.iv3summary.lasten_per_taakveld.csv", newline="") as f:
        for r in csv.DictReader(f):
            if r["verslagsoort"] == f"{year}X000":
                out[r["gm_code"]] = sum(float(r[t]) for t in keep if r.get(t) not in (None, ""))
    return out


@pytest.fixture(scope="session")
def circ():
    return gemfin.load_circulaire("S2024_2025")


@pytest.fixture()
def data_copy(tmp_path):
    """A writable copy of the shipped data directory, for bad-input tests."""
    dst = tmp_path / "data"
    shutil.copytree(data_dir(), dst)
    return dst


def compiled(scen, balance: bool = False):
    """The core's model of ``scen`` as a run compiles it (gemfin.run.compile), and its base."""
    from gemfin.run.base import build_base
    from gemfin.run.compile import compile_model

    base = build_base(scen)
    return compile_model(scen, base, balance=balance), base
