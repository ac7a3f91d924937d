"""Parsed data kept on disk between sessions: used when the files and gemfin's source are the
same, rebuilt otherwise, and never in the way (a damaged entry, an unwritable folder, off)."""

import os
import subprocess
import sys

import pytest

from gemfin import _tables
from gemfin._tables import derived_from_files


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GEMFIN_CACHE", str(tmp_path / "cache"))
    _tables._DERIVED.clear()
    yield tmp_path / "cache"
    _tables._DERIVED.clear()


def _counting(result):
    calls = []

    def build():
        calls.append(1)
        return result

    return build, calls


def test_a_new_session_reads_the_entry(cache, tmp_path):
    f = tmp_path / "data.csv"
    f.write_text("a\n1\n")
    build, calls = _counting({"x": [1, 2]})
    assert derived_from_files([f], ("t",), build) == {"x": [1, 2]}
    _tables._DERIVED.clear()  # a new session: nothing in memory
    assert derived_from_files([f], ("t",), build) == {"x": [1, 2]}
    assert len(calls) == 1 and len(list(cache.glob("*.pickle"))) == 1


def test_a_changed_file_is_parsed_again(cache, tmp_path):
    f = tmp_path / "data.csv"
    f.write_text("a\n1\n")
    build, calls = _counting(1)
    derived_from_files([f], ("t",), build)
    f.write_text("a\n22\n")
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 10**9))
    _tables._DERIVED.clear()
    derived_from_files([f], ("t",), build)
    assert len(calls) == 2


def test_a_damaged_entry_is_rebuilt(cache, tmp_path):
    f = tmp_path / "data.csv"
    f.write_text("a\n1\n")
    build, calls = _counting([3])
    derived_from_files([f], ("t",), build)
    entry = next(cache.glob("*.pickle"))
    entry.write_bytes(b"not a pickle")
    _tables._DERIVED.clear()
    assert derived_from_files([f], ("t",), build) == [3] and len(calls) == 2
    _tables._DERIVED.clear()
    assert derived_from_files([f], ("t",), build) == [3] and len(calls) == 2  # rewritten


def test_an_unwritable_cache_or_off_is_no_cache(tmp_path, monkeypatch):
    f = tmp_path / "data.csv"
    f.write_text("a\n1\n")
    (tmp_path / "a-file").write_text("")
    for setting in (str(tmp_path / "a-file" / "cache"), "off"):
        monkeypatch.setenv("GEMFIN_CACHE", setting)
        _tables._DERIVED.clear()
        build, calls = _counting(5)
        assert derived_from_files([f], ("t",), build) == 5
        _tables._DERIVED.clear()
        assert derived_from_files([f], ("t",), build) == 5
        assert len(calls) == 2
    assert _tables.cache_dir() is None


_RUN = """
import hashlib, sys
import numpy as np
import gemfin
r = gemfin.simulate("baseline", paths=256, seed=4, progress=False)
h = hashlib.sha256(np.ascontiguousarray(r.au_mean).tobytes() + np.ascontiguousarray(r.finances.saldo_mean).tobytes())
print(h.hexdigest())
"""


def test_a_run_from_the_cache_is_bitwise_a_run_without(tmp_path):
    def run(setting):
        env = dict(os.environ, GEMFIN_CACHE=setting)
        out = subprocess.run([sys.executable, "-c", _RUN], env=env, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stderr
        return out.stdout.strip().splitlines()[-1]

    cold = run(str(tmp_path / "c"))      # parses and writes the entries
    warm = run(str(tmp_path / "c"))      # reads them
    assert list((tmp_path / "c").glob("*.pickle"))
    assert cold == warm == run("off")
