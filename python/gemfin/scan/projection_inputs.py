"""What a projection needs to follow the social clusters' balance per path and year
(``simulate(..., balance=True)``; the core's ``ClusterBalance``): per cluster its
uitkeringsbasis grouped by the driver that moves each maatstaf, the IU/DU mapped to it and the
netto lasten of the base filing."""

from __future__ import annotations

import numpy as np

from ..circulaire import Circulaire, basis_by_group
from ..errors import GemfinError, InputError
from .cluster_allocation import siudu_by_cluster
from .mapping import SOCIAL_CLUSTERS
from .netto_lasten import netto_lasten


def cluster_balance_inputs(circ: Circulaire, moved, document: str, year: int) -> dict:
    """Arrays of the core's ClusterBalance for ``circ`` (in the base filing's division) and the
    maatstaven each of the scenario's drivers moves (``moved``); InputError where the circulaire has no cluster weights or the
    filing no netto lasten for one of its municipalities."""
    try:
        siudu_per_cluster, _ = siudu_by_cluster(circ)
    except GemfinError as exc:
        raise InputError(f"the social clusters' balance needs a circulaire with cluster weights: {exc}") from None
    nl = netto_lasten((document, year))
    codes = list(circ.volumes.index)
    missing = [g for g in codes if g not in nl.by_cluster.index]
    if missing:
        raise InputError(f"the social clusters' balance: no netto lasten in the {nl.label} for {missing[:10]} "
                         f"(its division is {nl.division}, the circulaire's municipalities those of {year})")
    moved = list(moved)
    d = len(moved)
    # per cluster: G × (D + 1) by the driver that moves each maatstaf, the unmoved ones last
    by_driver = [basis_by_group(circ, circ.rates[cluster], moved, ozb=False) for cluster in SOCIAL_CLUSTERS]
    basis = np.vstack([b[:, :d].T for b in by_driver])
    fixed = np.vstack([b[:, d] for b in by_driver])
    siudu = siudu_per_cluster[list(SOCIAL_CLUSTERS)].to_numpy().T.copy()
    netto0 = nl.by_cluster.loc[codes, list(SOCIAL_CLUSTERS)].to_numpy().T.copy()
    return {"basis": basis, "fixed": fixed, "siudu": siudu, "netto0": netto0, "clusters": SOCIAL_CLUSTERS,
            "filing": nl.label}
