"""Compensation against what was published: the national envelopes of the corona packages and
the few per-municipality amounts in the data (data/corona/SOURCES.md).

A scenario's compensation component names the envelope it pays out in its ``envelope`` field
(the measure as the table writes it, e.g. ``"Compensatie toeristenbelasting"``). After a run,
:func:`compare_envelopes` sets each component's keyed total beside its published envelope and
:func:`compare_municipal_amounts` each published per-municipality amount beside what the
scenario's keys give that municipality::

    res = gemfin.simulate("corona-2020", paths=1000)
    gemfin.envelopes.compare_envelopes(res)
    gemfin.envelopes.compare_municipal_amounts(res)
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd

from ._datadir import data_dir
from ._tables import read_table
from .errors import DataError, InputError

ENVELOPES_FILE = Path("corona") / "corona_compensatie_landelijke_bedragen.csv"
#: Further envelopes in the same columns, compiled for gemfin (data/corona/SOURCES.md).
MORE_ENVELOPE_FILES = (Path("corona") / "aanvullende_enveloppen.csv",)
MUNICIPAL_FILE = Path("corona") / "pakket1_bedragen_per_gemeente.csv"

_ENVELOPE_COLUMNS = {"pakket": "package", "besluit_datum": "decided", "maatregel": "measure",
                     "bedrag_mln_eur": "amount", "ontvangers": "recipients", "periode": "period",
                     "kanaal": "channel", "verdeling_zoals_gepubliceerd": "key", "bron_uitgever": "publisher",
                     "bron_url": "url"}
_MUNICIPAL_COLUMNS = {"gemeente": "gemeente", "naam": "name", "maatregelen": "measures",
                      "bedrag_mln_eur": "amount", "bron_uitgever": "publisher", "bron_datum": "date",
                      "bron_url": "url"}


def published_envelopes(data: str | Path | None = None) -> pd.DataFrame:
    """The national envelopes: one row per published figure, indexed by ``measure``, with
    ``package``, ``decided``, ``amount`` (euros), ``recipients``, ``period``, ``channel``,
    ``key`` (as published, empty where the source gives none), ``publisher`` and ``url``.
    Rows overlap (a package total and its items; data/corona/SOURCES.md)."""
    return _envelopes(str(data_dir(data)))


def published_municipal_amounts(data: str | Path | None = None) -> pd.DataFrame:
    """Published amounts for single municipalities: ``gemeente`` (CBS code), ``name``,
    ``measures`` (tuple of the envelope measures the amount covers), ``amount`` (euros),
    ``publisher``, ``date``, ``url``."""
    return _municipal(str(data_dir(data)))


def _envelopes(folder: str) -> pd.DataFrame:
    # read_table keeps the parsed text per file, size and modification time; the frames are small
    frames: list[pd.DataFrame] = []
    seen: dict[str, str] = {}
    for name in (ENVELOPES_FILE, *MORE_ENVELOPE_FILES):
        t = read_table(Path(folder) / name, ",")
        out = pd.DataFrame({new: [r[t.column_index(old)] for r in t.rows] for old, new in _ENVELOPE_COLUMNS.items()})
        out["amount"] = t.numbers(t.column_index("bedrag_mln_eur"), what="number of million euros") * 1e6
        _require_unique(t.path, list(out["measure"]), t.line_numbers, "maatregel", seen)
        frames.append(out)
    return pd.concat(frames, ignore_index=True).set_index("measure")


def _municipal(folder: str) -> pd.DataFrame:
    t = read_table(Path(folder) / MUNICIPAL_FILE, ",")
    out = pd.DataFrame({new: [r[t.column_index(old)] for r in t.rows] for old, new in _MUNICIPAL_COLUMNS.items()})
    out["amount"] = t.numbers(t.column_index("bedrag_mln_eur"), what="number of million euros", notation="plain") * 1e6
    known = list(_envelopes(folder).index)
    measures: list[tuple[str, ...]] = []
    for line, text in zip(t.line_numbers, [r[t.column_index("maatregelen")] for r in t.rows]):
        parts = tuple(p.strip() for p in text.split(";"))
        for p in parts:
            if p not in known:
                raise DataError(f"{t.path}, line {line}, column 'maatregelen': {p!r} is not a maatregel of "
                                f"{ENVELOPES_FILE}; expected one of {known}")
        measures.append(parts)
    out["measures"] = measures
    for line, code in zip(t.line_numbers, [r[t.column_index("gemeente")] for r in t.rows]):
        if not (len(code) == 6 and code.startswith("GM") and code[2:].isascii() and code[2:].isdigit()):
            raise DataError(f"{t.path}, line {line}, column 'gemeente': {code!r}; expected a CBS code such as GM0363")
    return out


def _require_unique(path: Path, values: list[str], lines: list[int], column: str,
                    seen: dict[str, str] | None = None) -> None:
    """Each value once, in this file and in the files before it (``seen``: value → where)."""
    seen = {} if seen is None else seen
    for v, line in zip(values, lines):
        if v in seen:
            raise DataError(f"{path}, line {line}, column {column!r}: {v!r} repeats {seen[v]}; expected "
                            "each value once")
        seen[v] = f"line {line} of {path.name}"


def check_envelope(name: str, data: str | Path | None = None) -> str | None:
    """None when ``name`` is a published measure, else the problem in words (with the closest
    measure), for scenario validation."""
    folder = data_dir(data)
    known = list(_envelopes(str(folder)).index)
    if name in known:
        return None
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    files = " or ".join(str(folder / f) for f in (ENVELOPES_FILE, *MORE_ENVELOPE_FILES))
    return (f"unknown envelope {name!r}; expected a maatregel of {files}: {known}"
            + (f" (did you mean {close[0]!r}?)" if close else ""))


def compare_envelopes(result, data: str | Path | None = None) -> pd.DataFrame:
    """Per compensation component of ``result`` (a :class:`~gemfin.SimulationResult` with the
    budget model): ``package``, ``year``, ``keyed total`` (euros over all municipalities),
    ``envelope`` (the measure it names, empty when none), ``published`` (euros, NaN without an
    envelope), ``difference`` (keyed total − published) and ``source`` (publisher and url)."""
    comps = _components(result)
    env = _envelopes(str(data_dir(data)))
    keyed = result.finances.compensation().sum(axis=0)
    amount, publisher, url = env["amount"].to_dict(), env["publisher"].to_dict(), env["url"].to_dict()
    rows = []
    for name, package, year, envelope in _named(comps):
        published, source = float("nan"), ""
        if envelope:
            if envelope not in amount:
                raise InputError(f"compensation component {name!r}: {check_envelope(envelope, data)}")
            published, source = float(amount[envelope]), f"{publisher[envelope]}, {url[envelope]}"
        total = float(keyed[name])
        rows.append({"component": name, "package": package, "year": year, "keyed total": total,
                     "envelope": envelope, "published": published, "difference": total - published, "source": source})
    return pd.DataFrame(rows).set_index("component")


def compare_municipal_amounts(result, data: str | Path | None = None) -> pd.DataFrame:
    """Each published per-municipality amount (rows of data/corona/pakket1_bedragen_per_gemeente.csv)
    beside the sum of the result's components that name one of its measures: ``gemeente``,
    ``name``, ``measures``, ``published`` (euros), ``keyed`` (euros; NaN when the run has no
    such component or not that municipality), ``ratio`` (keyed / published), ``components``."""
    comps = _components(result)
    by = result.finances.compensation()
    named = _named(comps)
    published = _municipal(str(data_dir(data)))
    rows = []
    for code, label, measures, amount in zip(published["gemeente"], published["name"], published["measures"],
                                             published["amount"]):
        names = [name for name, _, _, envelope in named if envelope in measures]
        keyed = float(by.loc[code, names].sum()) if names and code in by.index else float("nan")
        rows.append({"gemeente": code, "name": label, "measures": " + ".join(measures), "published": float(amount),
                     "keyed": keyed, "ratio": keyed / float(amount), "components": ", ".join(names)})
    return pd.DataFrame(rows)


def _named(comps: pd.DataFrame) -> list[tuple[str, str, int, str]]:
    """(name, package, year, envelope or "") of each component."""
    return [(str(n), str(p), int(y), e if isinstance(e, str) else "")
            for n, p, y, e in zip(comps["name"], comps["package"], comps["year"], comps["envelope"])]


def _components(result) -> pd.DataFrame:
    fin = getattr(result, "finances", None)
    comps = getattr(fin, "compensation_components", None)
    if comps is None or comps.empty:
        raise InputError("the result has no compensation components; expected a run of a scenario with a "
                         "compensation section (such as 'corona-2020') and the budget model")
    return comps
