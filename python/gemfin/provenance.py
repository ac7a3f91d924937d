"""Where an output came from: gemfin version, git commit, data fingerprint, resolved scenario,
seed, paths and date. Every file gemfin writes carries this record (an "about" sheet in Excel,
global attributes in NetCDF, a footer in HTML, ``run.json`` beside CSV files)."""

from __future__ import annotations

import datetime as _dt
import hashlib
import subprocess
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import yaml

from ._datadir import data_dir


def version() -> str:
    """The installed gemfin version (package metadata)."""
    try:
        return metadata.version("gemfin")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
        return "unknown"


@lru_cache(maxsize=1)
def git_commit() -> str | None:
    """The commit of the source checkout gemfin runs from (with ``+dirty`` when it has
    uncommitted changes), or None for an installed wheel or without git."""
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+dirty" if dirty else "") if head else None


@lru_cache(maxsize=4)
def _fingerprint(root: str) -> str:
    h = hashlib.sha256()
    base = Path(root)
    for f in sorted(p for p in base.rglob("*") if p.is_file()):
        h.update(f.relative_to(base).as_posix().encode() + b"\0")
        h.update(f.read_bytes())
    return h.hexdigest()


def data_fingerprint(directory: str | Path | None = None) -> str:
    """SHA-256 over the relative names and bytes of every file in the data directory."""
    return _fingerprint(str(data_dir(directory).resolve()))


def scenario_text(scenario) -> str:
    """The resolved scenario (after ``extends:``) as YAML."""
    return yaml.safe_dump(scenario.to_dict(), sort_keys=False, allow_unicode=True, width=100)


def record(*, scenario=None, seed: int | None = None, paths: int | None = None, **extra) -> dict:
    """The provenance of one output, as an ordered dict of plain values (None left out)."""
    out: dict[str, object] = {
        "gemfin_version": version(),
        "git_commit": git_commit(),
        "data_fingerprint": data_fingerprint(),
        "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
    }
    if scenario is not None:
        out["scenario_name"] = scenario.name
        out["scenario_file"] = str(scenario.path) if scenario.path else None
        out["scenario"] = scenario_text(scenario)
    out["seed"] = seed
    out["paths"] = paths
    out.update(extra)
    return {k: v for k, v in out.items() if v is not None}
