"""Every file gemfin writes goes through this module.

- Atomic: written to a temporary file in the target directory and renamed into place, so an
  interrupted or failed write never leaves a partial file.
- Checked first: :func:`check_output` tells a bad ``--out`` (a directory where a file is
  expected, a read-only directory, an unknown extension) before any long work, and creates
  missing folders on the way.
- For people: Excel sheets with units in the headers, number formats, a frozen header row,
  autofilter and fitted widths, a "definitions" sheet (every column: meaning, unit, formula or
  source) and an "about" sheet with the provenance. CSV stays machine-readable: UTF-8 with a
  byte-order mark (so that Excel on Windows reads accents), comma separators, dot decimals, no
  thousands separators.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from .errors import InputError

TABLE_FORMATS = (".csv", ".xlsx")


def _probe_directory(directory: Path, what: str) -> None:
    """Create and remove a file in ``directory``: the only test of writability that also holds
    for root, read-only mounts and network file systems."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".gemfin-probe-", dir=directory)
    except OSError as exc:
        raise InputError(f"cannot write {what}: directory {directory} is not writable ({exc.strerror})") from None
    os.close(fd)
    os.unlink(tmp)


#: Extensions that name a file, never a directory of results.
_FILE_SUFFIXES = (".csv", ".xlsx", ".xls", ".html", ".nc", ".json", ".txt", ".pdf", ".png")


def check_output(path: str | os.PathLike, *, suffixes: tuple[str, ...] | None = None,
                 directory: bool = False, create: bool = False) -> Path:
    """Check that ``path`` can be written, before any work: a file (with one of ``suffixes``)
    or (``directory=True``) a directory of files, whose missing folders can be created in a
    writable one. ``create=True`` (at write time) creates the folders that hold it. Raises
    InputError naming the path."""
    target = Path(path)
    if directory:
        if not target.exists() and target.suffix.lower() in _FILE_SUFFIXES:
            raise InputError(f"cannot write results to {target}: this writes a directory of files (summary.csv, "
                             f"results.xlsx, …), and {target.name!r} looks like a file name; give a directory such "
                             f"as {target.with_suffix('')}")
        if target.exists() and not target.is_dir():
            raise InputError(f"cannot write results to {target}: it exists and is not a directory")
        if target.is_dir():
            _probe_directory(target, f"results to {target}")
        else:
            _make_directory(target.parent, f"results to {target}", create)
        return target
    if target.is_dir():
        raise InputError(f"cannot write {target}: it is a directory; expected a file name such as "
                         f"{target / ('output' + (suffixes[0] if suffixes else ''))}")
    if suffixes is not None and target.suffix.lower() not in suffixes:
        raise InputError(f"cannot write {target}: unknown extension {target.suffix!r}; expected one of {suffixes}")
    _make_directory(target.parent, str(target), create)
    return target


def _make_directory(directory: Path, what: str, create: bool) -> None:
    """Check that ``directory`` is writable, or that its nearest existing ancestor is a writable
    directory in which it can be created; ``create``: create it (and its missing parents)."""
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"cannot write {what}: {existing} is a file, not a directory")
    _probe_directory(existing, what)
    if create and existing != directory:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot write {what}: cannot create directory {directory} ({exc.strerror})") from None


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp_path)`` (its return value is not used) and move the result to ``path``
    atomically."""
    target = check_output(path, create=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        # mkstemp creates the file 0600; give it the permissions a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, target)
    except OSError as exc:
        tmp_path.unlink(missing_ok=True)
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return target


# --- tables for people --------------------------------------------------------------------

# The unit in a header's trailing parentheses decides its Excel number format.
_UNIT_FORMATS = {
    "EUR": "#,##0",
    "EUR per inhabitant": "#,##0.00",
    "EUR mln": "#,##0.0",
    "EUR bn": "#,##0.000",
    "probability": "0.0%",
    "share": "0.0%",
    "%": "0.00",
    "factor": "0.000000",
    "persons": "#,##0",
    "fraction": "0.000",
    # the same units in Dutch (lang="nl", gemfin.language)
    "EUR per inwoner": "#,##0.00",
    "kans": "0.0%",
    "aandeel": "0.0%",
    "personen": "#,##0",
    "fractie": "0.000",
}
_UNIT = re.compile(r"\(([^()]*)\)\s*$")


def number_format(header: str) -> str | None:
    """Excel number format of a column from the unit in its header, e.g. 'saldo 2030 (EUR)'."""
    m = _UNIT.search(str(header))
    return _UNIT_FORMATS.get(m.group(1)) if m else None


def flat_table(df: pd.DataFrame) -> pd.DataFrame:
    """The index as leading column(s), column levels joined with a space."""
    out = df.copy()
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [" ".join(str(c) for c in col if str(c)) for col in out.columns]
    if any(n is not None for n in out.index.names):
        out = out.reset_index()
    return out


def _fit_sheet(ws, df: pd.DataFrame) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for j, col in enumerate(df.columns, start=1):
        letter = get_column_letter(j)
        fmt = number_format(col)
        values = df[col]
        if fmt is not None:
            for cell in ws[letter][1:]:
                cell.number_format = fmt
            sample = values.dropna().abs().max() if pd.api.types.is_numeric_dtype(values) else None
            width = len(f"{sample:,.2f}") + 2 if sample is not None and pd.notna(sample) else 10
        else:
            width = int(values.astype(str).str.len().max()) + 2 if len(values) else 10
        header = ws[f"{letter}1"]
        header.font = Font(bold=True)
        header.alignment = Alignment(wrap_text=True, vertical="top")
        # Wide enough for the values and the header's longest word; long headers wrap.
        longest_word = max((len(w) for w in str(col).split()), default=8)
        ws.column_dimensions[letter].width = min(max(width, longest_word + 2, 10, min(len(str(col)), 24) + 2), 60)
    item_key = "item" if "item" in df.columns else "onderdeel" if "onderdeel" in df.columns else None
    if item_key is not None:  # an item/value table: each row's unit is in its item's label
        item_col = list(df.columns).index(item_key)
        for i, item in enumerate(df[item_key], start=2):
            fmt = number_format(str(item))
            if fmt is None:
                continue
            for j, col in enumerate(df.columns, start=1):
                if j - 1 != item_col and number_format(col) is None and pd.api.types.is_numeric_dtype(df[col]):
                    ws.cell(row=i, column=j).number_format = fmt
    ws.row_dimensions[1].height = 45
    # Freeze the header row and the identifying columns (code, name) before the figures.
    frozen = 1 + sum(1 for c in list(df.columns)[:2] if number_format(c) is None and not
                     pd.api.types.is_numeric_dtype(df[c]))
    ws.freeze_panes = ws.cell(row=2, column=frozen)
    if ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions


def about_table(about: Mapping[str, object]) -> pd.DataFrame:
    """Provenance as two columns; a multi-line value (the resolved scenario) one line a row."""
    rows = []
    for key, value in about.items():
        lines = str(value).splitlines() or [""]
        rows.append((key, lines[0]))
        rows.extend(("", line) for line in lines[1:])
    return pd.DataFrame(rows, columns=["item", "value"])


def _translated(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Headers, and the labels of an item/value table, in ``lang``."""
    from .language import translate

    out = df.copy()
    if "item" in out.columns:
        out["item"] = [translate(str(x), lang) for x in out["item"]]
    return out.rename(columns=lambda c: translate(str(c), lang))


def write_workbook(path: str | Path, sheets: Mapping[str, pd.DataFrame], about: Mapping[str, object],
                   lang: str = "en") -> Path:
    """An Excel workbook: one formatted sheet per table, then the "definitions" and "about"
    sheets. ``lang="nl"``: sheet names and column headers in Dutch (gemfin.language)."""
    from .results.definitions import definitions_table
    from .language import check_language, translate

    check_language(lang)
    flats = {name[:31]: flat_table(df) for name, df in sheets.items()}
    defs = definitions_table(flats)
    if lang != "en":
        defs["sheet"] = [", ".join(translate(x, lang)[:31] for x in str(v).split(", ")) for v in defs["sheet"]]
        defs["column"] = [translate(c, lang) for c in defs["column"]]
        defs["unit"] = [translate(str(u), lang) for u in defs["unit"]]
        flats = {translate(name, lang)[:31]: _translated(df, lang) for name, df in flats.items()}
        defs = defs.rename(columns=lambda c: translate(c, lang))
    defs_name, about_name = translate("definitions", lang), translate("about", lang)

    def write(p: Path) -> None:
        with pd.ExcelWriter(p, engine="openpyxl") as xw:
            for name, flat in flats.items():
                flat.to_excel(xw, sheet_name=name, index=False)
                _fit_sheet(xw.sheets[name], flat)
            defs.to_excel(xw, sheet_name=defs_name, index=False)
            ws = xw.sheets[defs_name]
            for letter, width in zip("ABCDE", (24, 48, 70, 20, 70)):
                ws.column_dimensions[letter].width = width
            ws.freeze_panes = "A2"
            info = about_table(about).rename(columns=lambda c: translate(c, lang))
            info.to_excel(xw, sheet_name=about_name, index=False)
            ws = xw.sheets[about_name]
            ws.column_dimensions["A"].width = 20
            ws.column_dimensions["B"].width = 100
            ws.freeze_panes = "A2"

    return atomic_write(path, write)


def write_csv(path: str | Path, df: pd.DataFrame) -> Path:
    """A machine-readable CSV (comma, dot decimals, index as leading column) in UTF-8 with a
    byte-order mark: Excel on Windows then reads "Fryslân" as written, and pandas, R and
    Python's csv module with ``encoding="utf-8-sig"`` skip the mark."""
    flat = flat_table(df)
    return atomic_write(path, lambda p: flat.to_csv(p, index=False, encoding="utf-8-sig"))


def write_json(path: str | Path, doc: Mapping[str, object]) -> Path:
    text = json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def run_json_path(csv_path: Path) -> Path:
    """Where the provenance of a CSV output goes: ``x.csv`` → ``x.run.json``."""
    return csv_path.with_name(csv_path.stem + ".run.json")


def write_tables(path: str | Path, sheets: Mapping[str, pd.DataFrame], about: Mapping[str, object],
                 lang: str = "en") -> list[Path]:
    """Write tables by extension: ``.xlsx`` gets one sheet per table and the "about" sheet
    (``lang="nl"``: Dutch headers); ``.csv`` gets the first table, with its provenance in
    ``<name>.run.json`` beside it (headers in English: CSV is for machines)."""
    target = check_output(path, suffixes=TABLE_FORMATS)
    if target.suffix.lower() == ".csv":
        first = next(iter(sheets.values()))
        return [write_csv(target, first), write_json(run_json_path(target), about)]
    return [write_workbook(target, sheets, about, lang)]


def write_directory(out_dir: str | os.PathLike, files: Mapping[str, Callable[[Path], object]]) -> list[Path]:
    """Write several files into ``out_dir`` all or none: each ``files[name](path)`` writes into
    a temporary directory beside them, then every file is renamed into place."""
    out = check_output(out_dir, directory=True, create=True)
    parent = out if out.is_dir() else out.parent
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        for name, write in files.items():
            write(tmp / name)
        out.mkdir(exist_ok=True)
        written = []
        for name in files:
            os.replace(tmp / name, out / name)
            written.append(out / name)
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
