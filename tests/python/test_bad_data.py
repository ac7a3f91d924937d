"""One test per class of bad input file: the error must name the file, the place and the culprit."""

import re

import pytest

import gemfin
from gemfin.errors import DataError, InputError

CID = "S2024_2025"


def _rewrite(path, fn):
    text = path.read_text(encoding="utf-8")
    path.write_text(fn(text), encoding="utf-8")


def _volumina(data):
    return data / "gemeentefonds" / f"GF_{CID}_Volumina.csv"


def _set_cell(path, line_index, column, value):
    """Replace one cell (0-based line index into the file, header column name)."""
    def edit(text):
        lines = text.splitlines()
        header = lines[0].split("\t")
        cells = lines[line_index].split("\t")
        cells[header.index(column)] = value
        lines[line_index] = "\t".join(cells)
        return "\n".join(lines)
    _rewrite(path, edit)


def test_missing_volume_column(data_copy):
    def drop_inwo(text):
        rows = [line.split("\t") for line in text.splitlines()]
        j = rows[0].index("inwo")
        return "\n".join("\t".join(r[:j] + r[j + 1:]) for r in rows)
    _rewrite(_volumina(data_copy), drop_inwo)
    with pytest.raises(DataError, match=r"GF_S2024_2025_Volumina\.csv.*no volume column.*'inwo'"):
        gemfin.load_circulaire(CID, data_copy)


def test_non_numeric_cell(data_copy):
    _set_cell(_volumina(data_copy), 2, "jong", "veel")  # Groningen is line 3
    with pytest.raises(DataError, match=r"Volumina\.csv, line 3, column 'jong': 'veel' is not a number"):
        gemfin.load_circulaire(CID, data_copy)


def test_duplicate_municipality_code(data_copy):
    _set_cell(_volumina(data_copy), 3, "CBS", "14")  # line 4 gets Groningen's code
    with pytest.raises(DataError, match=r"line 4: municipality GM0014 appears twice \(first on line 3\)"):
        gemfin.load_circulaire(CID, data_copy)


def test_negative_inhabitants(data_copy):
    _set_cell(_volumina(data_copy), 2, "inwo", "-5")
    with pytest.raises(DataError, match=r"municipality GM0014, column 'inwo': volume -5.0 is negative"):
        gemfin.load_circulaire(CID, data_copy)


def test_missing_municipality(data_copy):
    def drop(text):
        return "\n".join(line for line in text.splitlines() if not line.startswith("14\t"))
    _rewrite(_volumina(data_copy), drop)
    with pytest.raises(DataError, match=r"expected the 342 municipalities.*found 341; missing \['GM0014'\]"):
        gemfin.load_circulaire(CID, data_copy)


def test_gewichten_total_disagrees_with_clusters(data_copy):
    path = data_copy / "gemeentefonds" / f"GF_{CID}_Gewichten.csv"
    _rewrite(path, lambda t: t.replace("374,52", "384,52", 1))  # inwoners Totaal
    with pytest.raises(DataError, match=r"Gewichten\.csv, line \d+, maatstaf 'inwo': the cluster amounts add up"):
        gemfin.load_circulaire(CID, data_copy)


def test_ragged_row(data_copy):
    _rewrite(_volumina(data_copy), lambda t: t.replace("\n14\tGroningen\t", "\n14\tGroningen\t1\t", 1))
    with pytest.raises(DataError, match=r"Volumina\.csv, line 3: 53 cells, expected 52"):
        gemfin.load_circulaire(CID, data_copy)


def test_siudu_unknown_name_without_cbs_column(data_copy):
    path = data_copy / "gemeentefonds" / "GF_M2024_2025_SIUDU.csv"
    _rewrite(path, lambda t: t.replace("\nGroningen\t", "\nGroningen-Stad\t", 1))
    with pytest.raises(DataError, match=re.escape("'Groningen-Stad' does not occur in the Volumina file")):
        gemfin.load_circulaire("M2024_2025", data_copy)


def test_unknown_circulaire_and_bad_id():
    with pytest.raises(InputError, match=r"unknown circulaire 'S2030_2031'; shipped: \["):
        gemfin.load_circulaire("S2030_2031")
    with pytest.raises(InputError, match="not of the form"):
        gemfin.load_circulaire("2025")


def test_missing_data_directory(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        gemfin.load_circulaire(CID, tmp_path / "nowhere")


def test_non_ascii_digits_in_a_cbs_column_are_a_data_error(tmp_path):
    """str.isdigit() accepts '¹' and Arabic-Indic digits; int() does not (found by hypothesis)."""
    import shutil

    from conftest import REPO

    root = tmp_path / "data"
    shutil.copytree(REPO / "data", root)
    vol = root / "gemeentefonds" / "GF_S2024_2025_Volumina.csv"
    lines = vol.read_text(encoding="utf-8-sig").splitlines()
    cells = lines[1].split("\t")
    cells[0] = "¹"
    lines[1] = "\t".join(cells)
    vol.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="is not a CBS municipality number"):
        gemfin.load_circulaire("S2024_2025", root)


def _m2022(data, kind):
    return data / "gemeentefonds" / f"GF_M2022_2023_{kind}.csv"


def test_m2022_volume_columns_out_of_order(data_copy):
    """Volumes named by maatstaf name are matched by position; a swapped pair is an error."""
    def swap(text):
        rows = [line.split(",") for line in text.splitlines()]
        for r in rows:
            r[3], r[4] = r[4], r[3]
        return "\n".join(",".join(r) for r in rows)
    _rewrite(_m2022(data_copy, "Volumina"), swap)
    with pytest.raises(DataError, match=r"GF_M2022_2023_Volumina\.csv: column 4 is 'bewoonde oorden 1930'.*'vest'"):
        gemfin.load_circulaire("M2022_2023", data=data_copy)


@pytest.mark.parametrize("bad", ["1,5", "nan", "1.234.5", ""])
def test_m2022_number_not_in_dot_notation(data_copy, bad):
    def edit(text):
        lines = text.splitlines()
        cells = lines[1].split(",")
        cells[3] = f'"{bad}"' if "," in bad else bad
        lines[1] = ",".join(cells)
        return "\n".join(lines)
    _rewrite(_m2022(data_copy, "Volumina"), edit)
    with pytest.raises(DataError, match=r"GF_M2022_2023_Volumina\.csv, line 2, column 'bedrijven'.*dot decimal"):
        gemfin.load_circulaire("M2022_2023", data=data_copy)


def test_m2022_predecessor_missing(data_copy):
    """Brielle without Hellevoetsluis and Westvoorne is neither the 2023 division nor the one
    before the merger."""
    def drop(text):
        return "\n".join(l for l in text.splitlines() if not l.startswith(("530,", "614,")))
    _rewrite(_m2022(data_copy, "Volumina"), drop)
    with pytest.raises(DataError, match=r"GF_M2022_2023_Volumina\.csv: expected the 342 municipalities.*"
                                        r"missing \['GM1992'\], unknown \['GM0501'\]"):
        gemfin.load_circulaire("M2022_2023", data=data_copy)
