"""Where the shipped datasets and scenarios live.

In a source checkout (editable install) they are in ``<repo>/data`` and ``<repo>/scenarios``;
an installed wheel carries them as ``gemfin/_data`` and ``gemfin/scenarios``. ``GEMFIN_DATA``
overrides the data directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DataError


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """Return the data directory: ``override``, else $GEMFIN_DATA, else the shipped one."""
    if override is not None:
        path = Path(override)
        if not path.is_dir():
            raise DataError(f"data directory {path} does not exist or is not a directory")
        return path
    env = os.environ.get("GEMFIN_DATA")
    if env:
        return data_dir(env)
    here = Path(__file__).resolve().parent
    for candidate in (here.parent.parent / "data", here / "_data"):
        if (candidate / "gemeentefonds").is_dir():
            return candidate
    raise DataError(
        "cannot find gemfin's datasets: looked for data/gemeentefonds next to the source "
        "checkout and gemfin/_data in the installed package; set GEMFIN_DATA to the data directory"
    )


def scenarios_dir() -> Path:
    """The shipped scenario files: ``<repo>/scenarios`` in a source checkout, else the
    package's ``gemfin/scenarios``."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent.parent / "scenarios", here / "scenarios"):
        if (candidate / "baseline.yaml").is_file():
            return candidate
    raise DataError("cannot find gemfin's scenarios: looked for scenarios/ next to the source checkout and "
                    "gemfin/scenarios in the installed package")
