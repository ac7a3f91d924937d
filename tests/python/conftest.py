import shutil
from pathlib import Path

import pytest

import gemfin
from gemfin._datadir import data_dir

REPO = Path(__file__).resolve().parents[2]
PROPOSALS = REPO / "scenarios" / "proposals"


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
