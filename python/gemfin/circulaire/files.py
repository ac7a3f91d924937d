"""Readers of a circulaire's three files in both formats (see the package docstring) with the
plausibility checks that refuse a damaged file: each problem names the file, the row and what was
expected."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._tables import RawTable, is_ascii_number, read_table
from ..errors import DataError
from ..municipalities import indeling_with_predecessors
from .model import CLUSTERS, classify_fixed_item, is_ozb_maatstaf
from .ids import parse_circulaire_id

#: Volume columns whose code differs from the Gewichten file (docs/domain.md §2.10: dropping this
#: mapping silently loses 342 × vast bedrag × UF ≈ EUR 0.48 bn).
VOLUME_CODE_ALIASES = {"vast nieuw": "vast"}

#: Maatstaf codes of the meicirculaire 2022 that later circulaires spell differently; the later
#: spelling is used so that scenarios and proposals name one code for each maatstaf.
MAATSTAF_CODE_ALIASES = {"cflandelijk": "cf.landelijk", "cflokaal": "cf.lokaal", "cfregionaal": "cf.regionaal"}

#: Cluster headers of the meicirculaire 2022, whose export replaced the comma by a dot.
CLUSTER_SPELLINGS = {"Sport. cultuur en recreatie": "Sport, cultuur en recreatie",
                     "Infrastructuur. ruimte en milieu": "Infrastructuur, ruimte en milieu"}

# Published rounding of the bedragen: the cluster parts are rounded to cents separately, so
# their sum may differ from the printed total by a few cents (max seen: 0.01).
_TOTAAL_TOLERANCE = 0.05

# Plausibility bounds: a damaged cell (a misplaced decimal separator, 1e30, a pasted total) is
# refused rather than allocated. Each bound is far outside what the seven shipped circulaires
# hold, and inside what a real value could be (docs/data-checks.md).
#: A municipality's volume per inhabitant, as a multiple of the volume per inhabitant of all
#: other municipalities together (leaving itself out, so one damaged cell cannot raise its own
#: yardstick). Largest shipped: 2,118 (the Wadden maatstaf 'wad1' of a Wadden island).
MAX_VOLUME_RATIO = 10_000.0
#: A municipality's inhabitants as a share of all other municipalities' together. Largest
#: shipped: 0.055 (Amsterdam).
MAX_INHABITANT_SHARE = 0.2
#: A single IU/DU/suppletie amount of one municipality, EUR per inhabitant. Largest shipped: 890;
#: the whole gemeentefonds is about EUR 2,300 per inhabitant.
MAX_ITEM_PER_INHABITANT = 10_000.0
#: A maatstaf's national amount (bedrag per eenheid × national volume) before the
#: uitkeringsfactor, EUR. The algemene uitkering as a whole is about 40 bn (about 28 bn before
#: the uitkeringsfactor); the largest single maatstaf shipped is inwoners, about 5 bn.
MAX_MAATSTAF_AMOUNT = 100e9


def _published_uitkeringsfactor(folder: Path, circulaire_id: str) -> float | None:
    kind, year, uj = parse_circulaire_id(circulaire_id)
    table = read_table(folder / "Uitkeringsfactor.csv", sep=",")
    ci, ji, ui = (table.column_index(c) for c in ("Circulaire", "Jaar", "Uitkeringsfactor"))
    for row, lineno in zip(table.rows, table.line_numbers):
        if row[ci] == f"{kind}{year}" and row[ji] == str(uj):
            try:
                uf = float(row[ui])
            except ValueError:
                raise DataError(
                    f"{table.path}, line {lineno}, column 'Uitkeringsfactor': {row[ui]!r} is not a number"
                ) from None
            if not np.isfinite(uf) or uf <= 0:
                raise DataError(f"{table.path}, line {lineno}: uitkeringsfactor {uf} must be positive")
            return uf
    return None


def _file_format(path: Path) -> tuple[str, str]:
    """(separator, number notation) of a circulaire file, from its header line: a tab means the
    Dutch-notation export, otherwise the comma-separated one with dot decimals."""
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    with path.open(encoding="utf-8-sig", errors="replace") as f:
        first = f.readline()
    return ("\t", "dutch") if "\t" in first else (",", "plain")


def _read(path: Path) -> tuple[RawTable, str]:
    sep, notation = _file_format(path)
    table = read_table(path, sep=sep)
    header = [CLUSTER_SPELLINGS.get(h, h) for h in table.header]
    # A copy with the normalised header: the cached table is shared and must not change.
    return RawTable(table.path, header, table.rows, table.line_numbers), notation


def _maatstaf_name(name: str) -> str:
    """A maatstaf name as compared between the Gewichten and Volumina files of M2022_2023,
    which write 'oppervlakte' and 'oppervlak' for the same maatstaf."""
    n = " ".join(name.lower().replace("∗", "*").split())
    return n.replace("oppervlakte ", "oppervlak ")


def _read_gewichten(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    table, notation = _read(path)
    code_i = table.column_index("Codering maatstaf")
    name_i = table.column_index("Naam maatstaf")
    cluster_i = [table.column_index(c) for c in CLUSTERS]
    total_i = table.column_index("Totaal")
    # Only coded rows are bedragen per eenheid. The uncoded rows at the bottom (weight 1.00 for
    # 'herindeling', 'beschermd wonen', ...) are the upstream author's mapping of SIUDU items to
    # clusters, not BZK data (data/gemeentefonds/SOURCES.md).
    coded = [i for i, r in enumerate(table.rows) if r[code_i] != ""]
    sub = RawTable(table.path, table.header, [table.rows[i] for i in coded],
                   [table.line_numbers[i] for i in coded])
    codes = [MAATSTAF_CODE_ALIASES.get(r[code_i], r[code_i]) for r in sub.rows]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise DataError(f"{path}: maatstaf code(s) {dupes} appear more than once in 'Codering maatstaf'")
    rates = np.column_stack([sub.numbers(i, what="bedrag per eenheid", notation=notation) for i in cluster_i])
    totals = sub.numbers(total_i, what="bedrag per eenheid", notation=notation)
    gap = np.abs(rates.sum(axis=1) - totals)
    bad = np.flatnonzero(gap > _TOTAAL_TOLERANCE)
    if bad.size:
        i = int(bad[0])
        raise DataError(
            f"{path}, line {sub.line_numbers[i]}, maatstaf {codes[i]!r}: the cluster amounts add up "
            f"to {rates[i].sum():.6f} but 'Totaal' is {totals[i]:.6f}; expected them to agree "
            f"within {_TOTAAL_TOLERANCE}"
        )
    rates_df = pd.DataFrame(rates, index=pd.Index(codes, name="maatstaf"), columns=list(CLUSTERS))
    rates_df.columns.name = "cluster"
    meta = pd.DataFrame(
        {
            "name": [r[name_i] for r in sub.rows],
            "is_ozb": [is_ozb_maatstaf(c) for c in codes],
            "bedrag": totals,
        },
        index=rates_df.index,
    )
    return rates_df, meta


def _read_volumina(path: Path, uitkeringsjaar: int, root: Path,
                   meta: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """Volumes with CBS-code index in the order of the division; also the circulaire's names
    and that division (the one of 1 January of the uitkeringsjaar, or, for a file prepared
    before a merger of that date, with the predecessors instead of the merged municipality)."""
    rate_codes = list(meta.index)
    table, notation = _read(path)
    cbs_i = table.column_index("CBS")
    name_i = table.column_index("Naam")
    table.column_index("Prov")
    codes = []
    for row, lineno in zip(table.rows, table.line_numbers):
        raw = row[cbs_i]
        if not is_ascii_number(raw):
            raise DataError(f"{path}, line {lineno}, column 'CBS': {raw!r} is not a CBS municipality number")
        codes.append(f"GM{int(raw):04d}")
    seen: dict[str, int] = {}
    for code, lineno in zip(codes, table.line_numbers):
        if code in seen:
            raise DataError(f"{path}, line {lineno}: municipality {code} appears twice (first on line {seen[code]})")
        seen[code] = lineno
    expected = indeling_with_predecessors(uitkeringsjaar, codes, root)
    missing = sorted(set(expected.index) - set(codes))
    unknown = sorted(set(codes) - set(expected.index))
    if missing or unknown or len(codes) != len(expected):
        raise DataError(
            f"{path}: expected the {len(expected)} municipalities of the {expected.attrs.get('indeling', '')} "
            f"indeling, found {len(codes)}; missing {missing[:10]}, unknown {unknown[:10]}"
        )
    columns = [j for j, col in enumerate(table.header) if j not in (cbs_i, name_i) and col != "Prov"]
    by_code = {VOLUME_CODE_ALIASES.get(table.header[j], table.header[j]): j for j in columns}
    absent = [c for c in rate_codes if c not in by_code]
    if len(absent) > len(rate_codes) // 2 and len(columns) == len(rate_codes):
        # Columns named by the maatstaf's full name (M2022_2023): matched by position with the
        # Gewichten rows, and each name must agree with that row's name.
        for j, code in zip(columns, rate_codes):
            if _maatstaf_name(table.header[j]) != _maatstaf_name(meta.loc[code, "name"]):
                raise DataError(
                    f"{path}: column {j + 1} is {table.header[j]!r}, but row {rate_codes.index(code) + 1} of the "
                    f"Gewichten file is maatstaf {code!r} ({meta.loc[code, 'name']!r}); expected the volume "
                    "columns in the order of the Gewichten rows"
                )
        by_code, absent = dict(zip(rate_codes, columns)), []
    if absent:
        raise DataError(
            f"{path}: no volume column for maatstaf/maatstaven {absent} that have a bedrag per eenheid "
            f"in the Gewichten file; expected one column per maatstaf (note 'vast nieuw' is read as 'vast')"
        )
    unweighted = [c for c in by_code if c not in rate_codes]
    if unweighted:
        raise DataError(
            f"{path}: volume column(s) {unweighted} have no row in the Gewichten file of the same circulaire, so "
            "their money would be left out of the allocation; expected one Gewichten row ('Codering maatstaf') "
            "per volume column"
        )
    values = np.column_stack([table.numbers(by_code[c], what="maatstaf volume", notation=notation)
                              for c in rate_codes])
    negative = np.argwhere(values < 0)
    if negative.size:
        i, j = (int(x) for x in negative[0])
        raise DataError(
            f"{path}, line {table.line_numbers[i]}, municipality {codes[i]}, column {rate_codes[j]!r}: "
            f"volume {values[i, j]} is negative; expected a count, area or value ≥ 0"
        )
    _check_volume_ratios(path, values, codes, rate_codes, table.line_numbers)
    volumes = pd.DataFrame(values, index=pd.Index(codes, name="gemeente"), columns=pd.Index(rate_codes, name="maatstaf"))
    names = pd.Series([r[name_i] for r in table.rows], index=volumes.index, name="name")
    return volumes.loc[expected.index], names.loc[expected.index], expected


def _check_volume_ratios(path: Path, values: np.ndarray, codes: list[str], rate_codes: list[str],
                         line_numbers: list[int]) -> None:
    """Inhabitants within MAX_INHABITANT_SHARE of the rest; each volume per inhabitant within
    MAX_VOLUME_RATIO times that of the other municipalities together."""
    if "inwo" not in rate_codes:
        return  # the missing inhabitants column is reported by the caller
    inw = values[:, rate_codes.index("inwo")]
    if not (inw > 0).all() or not np.isfinite(values).all():
        return  # reported by the caller (inhabitants) or the number parser
    share = inw / _leave_one_out(inw)
    if share.max() > MAX_INHABITANT_SHARE:
        i = int(np.argmax(share))
        raise DataError(
            f"{path}, line {line_numbers[i]}, municipality {codes[i]}, column 'inwo': {inw[i]:,.6g} inhabitants, "
            f"{share[i]:.3g} times all other municipalities together; expected at most {MAX_INHABITANT_SHARE} "
            "(Amsterdam has 0.055): a damaged cell?")
    others = _leave_one_out(values) / _leave_one_out(inw)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(others > 0, (values / inw[:, None]) / others, 0.0)
    if ratio.max() > MAX_VOLUME_RATIO:
        i, j = (int(x) for x in np.unravel_index(int(np.argmax(ratio)), ratio.shape))
        raise DataError(
            f"{path}, line {line_numbers[i]}, municipality {codes[i]}, column {rate_codes[j]!r}: volume "
            f"{values[i, j]:,.6g} is {ratio[i, j]:,.3g} times the volume per inhabitant of the other municipalities; "
            f"expected at most {MAX_VOLUME_RATIO:,.0f} times (the largest in the shipped circulaires is 2,118): "
            "a damaged cell?"
        )


def _leave_one_out(x: np.ndarray) -> np.ndarray:
    """Per row, the sum of all other rows (per column), as the sum of the rows before plus the
    rows after it: no cancellation, so a value of 1e30 does not wipe out the others' sum."""
    zero = np.zeros((1,) + x.shape[1:])
    before = np.concatenate([zero, np.cumsum(x, axis=0)[:-1]])
    after = np.concatenate([np.cumsum(x[::-1], axis=0)[::-1][1:], zero])
    return before + after


def _check_maatstaf_amounts(gewichten: Path, volumina: Path, rates: pd.DataFrame, volumes: pd.DataFrame) -> None:
    national = rates.sum(axis=1) * volumes.sum(axis=0)
    bad = national[national.abs() > MAX_MAATSTAF_AMOUNT]
    if len(bad):
        code = str(bad.abs().idxmax())
        raise DataError(
            f"{gewichten} and {volumina}, maatstaf {code!r}: bedrag per eenheid × national volume is EUR "
            f"{national[code] / 1e9:,.4g} bn; expected at most EUR {MAX_MAATSTAF_AMOUNT / 1e9:,.0f} bn (the whole "
            "algemene uitkering is about 40 bn): a damaged bedrag or volume?"
        )


def _check_item_amounts(path: Path, items: pd.DataFrame, inhabitants: pd.Series) -> None:
    per_inh = items.abs().div(inhabitants, axis=0)
    values = per_inh.to_numpy()
    if values.size and values.max() > MAX_ITEM_PER_INHABITANT:
        i, j = (int(x) for x in np.unravel_index(int(np.argmax(values)), values.shape))
        code, item = per_inh.index[i], per_inh.columns[j]
        raise DataError(
            f"{path}, municipality {code}, column {item!r}: EUR {items.loc[code, item]:,.6g} is EUR "
            f"{per_inh.loc[code, item]:,.0f} per inhabitant; expected at most EUR {MAX_ITEM_PER_INHABITANT:,.0f} per "
            "inhabitant for one uitkering (the whole gemeentefonds is about EUR 2,300): a damaged cell?"
        )


def _read_siudu(path: Path, names: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    table, notation = _read(path)
    name_i = table.column_index("Naam")
    cbs_cols = [j for j, h in enumerate(table.header) if h == "CBS"]
    if cbs_cols:
        codes = []
        for row, lineno in zip(table.rows, table.line_numbers):
            raw = row[cbs_cols[0]]
            if not is_ascii_number(raw):
                raise DataError(f"{path}, line {lineno}, column 'CBS': {raw!r} is not a CBS municipality number")
            codes.append(f"GM{int(raw):04d}")
            # Some exports repeat the CBS column; the copies must agree.
            for j in cbs_cols[1:]:
                if row[j] != raw:
                    raise DataError(f"{path}, line {lineno}: the repeated CBS columns disagree ({raw!r} vs {row[j]!r})")
    else:
        # M2024_2025 has no CBS column: join on the municipality names of the Volumina file.
        code_of = {str(n): str(c) for c, n in names.items()}
        codes = []
        for row, lineno in zip(table.rows, table.line_numbers):
            if row[name_i] not in code_of:
                raise DataError(
                    f"{path}, line {lineno}: municipality name {row[name_i]!r} does not occur in the "
                    f"Volumina file of the same circulaire; cannot find its CBS code"
                )
            codes.append(code_of[row[name_i]])
    if len(set(codes)) != len(codes):
        dup = sorted({c for c in codes if codes.count(c) > 1})
        raise DataError(f"{path}: municipality {dup[0]} appears more than once")
    missing = sorted(set(names.index) - set(codes))
    if missing:
        raise DataError(f"{path}: no row for municipality/municipalities {missing[:10]}")
    item_cols = [j for j, h in enumerate(table.header) if h not in ("CBS", "Naam", "Prov")]
    item_names = [table.header[j] for j in item_cols]
    if len(set(item_names)) != len(item_names):
        raise DataError(f"{path}: an uitkering column name appears twice")
    values = np.column_stack([table.numbers(j, what="euro amount", notation=notation) for j in item_cols]) if item_cols else np.zeros((len(codes), 0))
    items = pd.DataFrame(values, index=pd.Index(codes, name="gemeente"), columns=pd.Index(item_names, name="uitkering"))
    types = pd.Series([classify_fixed_item(n) for n in item_names], index=items.columns, name="type")
    return items.loc[names.index], types
