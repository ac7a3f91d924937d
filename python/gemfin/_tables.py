"""Reading delimited text tables with errors that name the file, row and column."""

from __future__ import annotations

import copy
import csv
import hashlib
import os
import pickle
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import numpy as np

from .dutch_numbers import parse_dutch_number, parse_plain_number
from .errors import DataError


def is_ascii_number(text: str) -> bool:
    """True for a non-empty run of the digits 0-9 (str.isdigit() also accepts "¹" and "٣",
    which int() then rejects)."""
    return text.isascii() and text.isdigit()


@dataclass
class RawTable:
    """A text table: header and rows of stripped strings. Row numbers are 1-based file lines."""

    path: Path
    header: list[str]
    rows: list[list[str]]
    line_numbers: list[int]

    def column_index(self, name: str) -> int:
        try:
            return self.header.index(name)
        except ValueError:
            raise DataError(
                f"{self.path}: missing column {name!r}; the header has {self.header}"
            ) from None

    def numbers(self, column: int, *, what: str = "value", notation: str = "dutch") -> np.ndarray:
        """Parse one column as numbers in Dutch notation (``1.234,5``) or, with
        ``notation="plain"``, with a dot decimal mark (``1234.5``)."""
        parse = parse_plain_number if notation == "plain" else parse_dutch_number
        out = np.empty(len(self.rows))
        for i, row in enumerate(self.rows):
            try:
                out[i] = parse(row[column])
            except ValueError as exc:
                raise DataError(
                    f"{self.path}, line {self.line_numbers[i]}, column {self.header[column]!r}: "
                    f"{exc}; expected a {what}"
                ) from None
        return out


def read_table(path: Path, sep: str) -> RawTable:
    """Read a UTF-8 table (BOM and CRLF tolerated); every row must have the header's width.

    Parsed tables are cached per (file, size, modification time), so repeated loads (a
    sensitivity analysis runs the same scenario many times) parse each file once. Callers must
    not modify the returned rows."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    st = path.stat()
    return _read_table_cached(str(path.resolve()), st.st_size, st.st_mtime_ns, sep, path)


@lru_cache(maxsize=64)
def _read_table_cached(key: str, size: int, mtime_ns: int, sep: str, path: Path) -> RawTable:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc})") from None
    lines = text.splitlines()
    if not lines:
        raise DataError(f"{path}: the file is empty; expected a header row")
    try:
        # The csv module handles quoted cells ("Nuenen, Gerwen en Nederwetten").
        parsed = list(csv.reader(lines, delimiter=sep, strict=True))
    except csv.Error as exc:
        raise DataError(f"{path}: malformed delimited text ({exc})") from None
    header = [h.strip() for h in parsed[0]]
    if sep == "," and len(parsed) > 1:
        header = _rejoin_split_names(parsed[0], {len(r) for r in parsed[1:] if any(c.strip() for c in r)}, header)
    rows, numbers = [], []
    for lineno, raw_cells in enumerate(parsed[1:], start=2):
        if not any(c.strip() for c in raw_cells):
            continue
        cells = [c.strip() for c in raw_cells]
        # Spreadsheet exports sometimes pad rows with empty trailing cells.
        while len(cells) > len(header) and cells[-1] == "":
            cells.pop()
        if len(cells) != len(header):
            raise DataError(
                f"{path}, line {lineno}: {len(cells)} cells, expected {len(header)} as in the header"
            )
        rows.append(cells)
        numbers.append(lineno)
    return RawTable(path, header, rows, numbers)


def _rejoin_split_names(raw: list[str], widths: set[int], header: list[str]) -> list[str]:
    """A comma-separated header with an unquoted comma inside a column name
    (``vergunningverlening, toezicht en handhaving`` in GF_M2022_2023_SIUDU.csv) has more cells
    than its rows. When every row is narrower and joining each cell that starts with a space to
    the one before gives exactly the rows' width, that is what happened; otherwise the header is
    left as it is and the width check reports the file."""
    if len(widths) != 1 or next(iter(widths)) >= len(raw):
        return header
    joined: list[str] = []
    for cell in raw:
        if joined and cell.startswith(" "):
            joined[-1] += "," + cell
        else:
            joined.append(cell)
    return [h.strip() for h in joined] if len(joined) == next(iter(widths)) else header


T = TypeVar("T")
_DERIVED: OrderedDict = OrderedDict()
_DERIVED_LOCK = threading.Lock()
_DERIVED_MAX = 32


def derived_from_files(files: Sequence[Path], key: tuple, build: Callable[[], T]) -> T:
    """``build()`` once per (key, size and modification time of every file); later calls get
    a deep copy, so callers may modify what they receive. The key holds the resolved file paths
    (and so the data directory). A loader that parses a data file
    into a DataFrame runs once per session instead of once per simulation, and once per
    machine instead of once per process through the disk cache (:func:`cache_dir`). If a file is
    missing, ``build()`` runs uncached (and reports the missing file itself)."""
    try:
        stats = [(Path(f).resolve(), Path(f).stat()) for f in files]
    except OSError:
        return build()
    stamp = tuple((str(p), st.st_size, st.st_mtime_ns) for p, st in stats)
    full = (key, stamp)
    with _DERIVED_LOCK:
        hit = _DERIVED.get(full)
        if hit is not None:
            _DERIVED.move_to_end(full)
    if hit is None:
        hit = _from_disk(full)
        if hit is None:
            hit = build()
            _to_disk(full, hit)
        with _DERIVED_LOCK:
            _DERIVED[full] = hit
            while len(_DERIVED) > _DERIVED_MAX:
                _DERIVED.popitem(last=False)
    return copy.deepcopy(hit)


# --- the disk cache -------------------------------------------------------------------------------
# Parsed data outlive the process: a fresh Python session reads a pickle instead of parsing the
# Iv3 CSV files again (about 2 s of a first simulate). An entry is keyed by the files' paths, sizes
# and modification times and by a hash of gemfin's own source, so a changed data file or a changed
# parser never returns a stale result. The cache holds only what gemfin itself wrote, in a folder
# of the user's (like any pickle, an entry is code: the folder must not be writable by others).
# Any failure to read or write an entry falls back to parsing; GEMFIN_CACHE=off turns it off.


def cache_dir() -> Path | None:
    """Where parsed data are kept between sessions: $GEMFIN_CACHE, else $XDG_CACHE_HOME/gemfin,
    else ~/.cache/gemfin; None when GEMFIN_CACHE is ``off``."""
    env = os.environ.get("GEMFIN_CACHE", "")
    if env.lower() == "off":
        return None
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gemfin"


@lru_cache(maxsize=1)
def _source_hash() -> str:
    """A hash of gemfin's Python source, where every parser lives (the compiled core parses
    nothing): a new version of any parser, or of gemfin, makes new entries."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for f in sorted(package.rglob("*.py")):
        h.update(str(f.relative_to(package)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _entry(full: tuple) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(repr((_source_hash(), pickle.HIGHEST_PROTOCOL, full)).encode()).hexdigest()
    return folder / f"{digest}.pickle"


def _from_disk(full: tuple):
    path = _entry(full)
    if path is None or not path.is_file():
        return None
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except Exception:  # a damaged or foreign entry: parse again (and overwrite it)
        return None


def _to_disk(full: tuple, value) -> None:
    path = _entry(full)
    if path is None:
        return
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".entry-", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception:  # a read-only home, a full disk, an object that does not pickle: no cache
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
