"""The allocation of a circulaire per cluster: the algemene uitkering per cluster plus the
SIUDU items that the circulaire's weight rows put in a cluster."""

from __future__ import annotations

import pandas as pd

from ..allocation import Allocation
from ..circulaire import CLUSTERS, Circulaire, siudu_clusters


def siudu_by_cluster(circ: Circulaire) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Euros per municipality and cluster of the SIUDU items the weight rows put in a cluster;
    and the items without a cluster (one column an item)."""
    where = siudu_clusters(circ)
    items = circ.fixed_items
    per = pd.DataFrame({c: items[where.index[where == c]].sum(axis=1) for c in CLUSTERS}, index=items.index)
    return per, items[where.index[where == ""]]


def allocation_by_cluster(alloc: Allocation) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Euros per municipality and cluster: the algemene uitkering per cluster plus the SIUDU
    items mapped to a cluster; and the SIUDU items without a cluster (one column an item)."""
    per, unmapped = siudu_by_cluster(alloc.circulaire)
    return alloc.by_cluster[list(CLUSTERS)] + per, unmapped
