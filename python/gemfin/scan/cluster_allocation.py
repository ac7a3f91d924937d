"""The allocation of a circulaire per cluster: the algemene uitkering per cluster plus the
SIUDU items that the circulaire's weight rows put in a cluster."""

from __future__ import annotations

import pandas as pd

from ..allocation import Allocation
from ..circulaire import CLUSTERS, siudu_clusters


def allocation_by_cluster(alloc: Allocation) -> tuple[pd.DataFrame, pd.Series]:
    """Euros per municipality and cluster: the algemene uitkering per cluster plus the SIUDU
    items mapped to a cluster; and the SIUDU items without a cluster, summed per municipality."""
    circ = alloc.circulaire
    where = siudu_clusters(circ)
    items = circ.fixed_items
    out = alloc.by_cluster[list(CLUSTERS)].copy()
    for c in CLUSTERS:
        cols = where.index[where == c]
        if len(cols):
            out[c] = out[c] + items[cols].sum(axis=1)
    unmapped = items[where.index[where == ""]].sum(axis=1).rename("unmapped SIUDU")
    return out, unmapped
