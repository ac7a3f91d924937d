"""A circulaire's amounts per cluster: the IU/DU/suppletie items by cluster and the allocation's
coefficients summed by group of clusters (the fund-against-tasks scan and the cluster balance)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._tables import RawTable
from ..errors import DataError
from .files import _read
from .model import CLUSTERS, Circulaire


def _item_key(name: str) -> str:
    """A SIUDU item name as matched between the SIUDU columns and the Gewichten rows, which
    differ in case and spacing ('Beschermd wonen'/'beschermd wonen', 'art.12'/'art. 12')."""
    return "".join(name.lower().split())


def siudu_clusters(circ: Circulaire) -> pd.Series:
    """The cluster of each SIUDU item (index: the circulaire's item names), from the uncoded
    weight rows at the bottom of its Gewichten file (weight 1.00 in one cluster); empty string
    for an item without a row. DataError for a circulaire whose file has no such rows (the
    meicirculaire 2022) or a row that is not one 1.00 in one cluster."""
    path = circ.source_dir / f"GF_{circ.id}_Gewichten.csv"
    if circ.is_booked or not path.is_file():
        raise DataError(f"circulaire {circ.id}: no Gewichten file with cluster weights ({path}); the fund as "
                        "booked has no clusters")
    table, notation = _read(path)
    code_i, name_i = table.column_index("Codering maatstaf"), table.column_index("Naam maatstaf")
    cluster_i = [table.column_index(c) for c in CLUSTERS]
    rows = [i for i, r in enumerate(table.rows) if r[code_i] == ""]
    if not rows:
        raise DataError(f"{path}: no weight rows mapping the IU/DU/suppletie items to clusters (uncoded rows "
                        "below the maatstaven); this circulaire has no cluster weights for them")
    sub = RawTable(table.path, table.header, [table.rows[i] for i in rows], [table.line_numbers[i] for i in rows])
    w = np.column_stack([sub.numbers(i, what="cluster weight", notation=notation) for i in cluster_i])
    of: dict[str, str] = {}
    for k, r in enumerate(sub.rows):
        ones = np.flatnonzero(np.isclose(w[k], 1.0))
        if len(ones) != 1 or not np.isclose(w[k].sum(), 1.0):
            raise DataError(f"{path}, line {sub.line_numbers[k]}, item {r[name_i]!r}: expected weight 1.00 in exactly "
                            "one cluster and 0 elsewhere")
        of[_item_key(r[name_i])] = CLUSTERS[int(ones[0])]
    return pd.Series([of.get(_item_key(n), "") for n in circ.fixed_items.columns],
                     index=circ.fixed_items.columns, name="cluster")


def basis_by_group(circ: Circulaire, rates: pd.Series, groups, *, ozb: bool) -> np.ndarray:
    """G × (len(groups) + 1) euros before the uitkeringsfactor: Σ volume × ``rates`` (a bedrag
    per maatstaf) over the maatstaven of each group (``groups``: one list of maatstaf codes a
    group, e.g. those each driver moves), the maatstaven of no group in the last column; only
    the OZB maatstaven (``ozb=True``) or only the others. Maatstaven are added in the order of
    the circulaire's volume columns."""
    groups = list(groups)
    group_of = {m: i for i, codes in enumerate(groups) for m in codes}
    n = len(groups)
    out = np.zeros((len(circ.volumes), n + 1))
    is_ozb = circ.maatstaven["is_ozb"]
    for m in circ.volumes.columns:
        if bool(is_ozb[m]) == ozb:
            out[:, group_of.get(m, n)] += circ.volumes[m].to_numpy() * rates[m]
    return out
