"""The shipped circulaire damaged one cell, row or column at a time: an implausible or
incomplete copy is refused with a DataError naming file, line, municipality and column —
never loaded into an allocation that silently differs."""

import random
import re

import pytest

import gemfin
from gemfin.circulaire import MAX_ITEM_PER_INHABITANT, MAX_VOLUME_RATIO, read_circulaire
from gemfin.errors import DataError

CID = "S2024_2025"
HUGE = "1" + "0" * 30  # 1e30 as a plain number, readable in the files' Dutch notation


def _files(data):
    folder = data / "gemeentefonds"
    return {kind: folder / f"GF_{CID}_{kind}.csv" for kind in ("Volumina", "Gewichten", "SIUDU")}


def _rows(path):
    text = path.read_text(encoding="utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    return [line.split("\t") for line in text.split(newline) if line != ""], newline


def _write(path, rows, newline):
    path.write_text(newline.join("\t".join(r) for r in rows) + newline, encoding="utf-8")


def _set_cell(path, cbs, column, value):
    rows, nl = _rows(path)
    j = rows[0].index(column)
    for r in rows[1:]:
        if r[0] == cbs:
            r[j] = value
    _write(path, rows, nl)


def _load(data):
    return read_circulaire(CID, data)


def test_the_shipped_files_pass_with_margin():
    # every shipped circulaire loads; the bounds are far from what they hold (documented maxima)
    for cid in gemfin.circulaires():
        read_circulaire(cid)
    assert MAX_VOLUME_RATIO >= 4 * 2_118 and MAX_ITEM_PER_INHABITANT >= 10 * 890


@pytest.mark.parametrize("column", ["inwo", "jong", "wad1", "vest", "land", "WOZwe80", "vast nieuw", "lidr_w_nw"])
@pytest.mark.parametrize("cbs", ["363", "88"])  # Amsterdam, Schiermonnikoog
def test_a_volume_of_1e30_is_refused(data_copy, column, cbs):
    _set_cell(_files(data_copy)["Volumina"], cbs, column, HUGE)
    with pytest.raises(DataError, match=rf"Volumina.csv.*line \d+, municipality GM{int(cbs):04d}, column "):
        _load(data_copy)


def test_a_volume_far_too_large_in_a_small_municipality(data_copy):
    # Schiermonnikoog's jongeren ×100,000 (decimals pasted without their comma)
    path = _files(data_copy)["Volumina"]
    rows, _ = _rows(path)
    j = rows[0].index("jong")
    value = next(r[j] for r in rows if r[0] == "88")
    _set_cell(path, "88", "jong", str(round(float(value.replace(",", ".")) * 1e5)))
    with pytest.raises(DataError, match=r"GM0088, column 'jong'.*times the volume per inhabitant"):
        _load(data_copy)


@pytest.mark.parametrize("column", ["Participatie", "maatschappelijke opvang", "Beschermd wonen"])
def test_an_uitkering_of_1e30_is_refused(data_copy, column):
    _set_cell(_files(data_copy)["SIUDU"], "14", column, HUGE)
    with pytest.raises(DataError, match=rf"SIUDU.csv, municipality GM0014, column {column!r}: .* per inhabitant"):
        _load(data_copy)


def test_every_maatstaf_row_removed_from_the_gewichten_is_refused(data_copy):
    path = _files(data_copy)["Gewichten"]
    original, nl = _rows(path)
    coded = [i for i, r in enumerate(original) if i > 0 and r[0] != ""]
    assert len(coded) > 40
    for i in coded[::4] + [coded[-1]]:
        _write(path, original[:i] + original[i + 1:], nl)
        code = original[i][0].replace("vast nieuw", "vast")
        with pytest.raises(DataError, match=r"volume column\(s\) \[.*\] have no row in the Gewichten file"
                                            r"|no volume column"):
            _load(data_copy)
        msg = _error(data_copy)
        assert repr(code) in msg or code in msg, msg


def _error(data):
    try:
        _load(data)
    except DataError as exc:
        return str(exc)
    return ""


def test_a_bedrag_of_1e30_with_its_total_is_refused(data_copy):
    path = _files(data_copy)["Gewichten"]
    rows, nl = _rows(path)
    header = rows[0]
    row = next(r for r in rows if r[0] == "jong")
    j = header.index("Individuele voorzieningen Jeugd")
    row[j] = HUGE + ",00"
    row[header.index("Totaal")] = HUGE + ",00"
    _write(path, rows, nl)
    with pytest.raises(DataError, match=r"maatstaf 'jong': bedrag per eenheid × national volume is EUR .* bn; expected "
                                        r"at most EUR 100 bn"):
        _load(data_copy)


def test_a_removed_volume_column_or_municipality_is_refused(data_copy):
    path = _files(data_copy)["Volumina"]
    original, nl = _rows(path)
    j = original[0].index("jong")
    _write(path, [r[:j] + r[j + 1:] for r in original], nl)
    with pytest.raises(DataError, match=r"no volume column for maatstaf/maatstaven \['jong'\]"):
        _load(data_copy)
    _write(path, [r for r in original if r[0] != "14"], nl)
    with pytest.raises(DataError, match=r"missing \['GM0014'\]"):
        _load(data_copy)


def test_random_single_cell_damage_never_escapes_as_another_exception(data_copy):
    """A seeded sample of the damage a user's editor can do; each copy loads or raises a
    DataError, and one that loads holds only values inside the documented bounds."""
    rng = random.Random(20261207)
    files = _files(data_copy)
    originals = {k: p.read_bytes() for k, p in files.items()}
    damage = ["", "x", HUGE, "-1", "1,2,3", "NaN", "1e5", "0", " - "]
    for _ in range(40):
        kind = rng.choice(list(files))
        path = files[kind]
        rows, nl = _rows(path)
        i = rng.randrange(1, len(rows))
        j = rng.randrange(2, len(rows[i]))
        rows[i][j] = rng.choice(damage)
        _write(path, rows, nl)
        try:
            circ = _load(data_copy)
        except DataError as exc:
            assert re.search(r"\.csv", str(exc)), str(exc)
        else:
            inw = circ.volumes["inwo"]
            assert (circ.fixed_items.abs().div(inw, axis=0) <= MAX_ITEM_PER_INHABITANT).all().all()
            assert (circ.volumes >= 0).all().all()
        path.write_bytes(originals[kind])
