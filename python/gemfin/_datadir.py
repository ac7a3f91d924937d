"""Where the shipped datasets live.

In a source checkout (editable install) they are in ``<repo>/data``; an installed wheel
carries them as ``gemfin/_data``. ``GEMFIN_DATA`` overrides both.
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
