"""What a projection needs to follow the social clusters' balance per path and year
(``simulate(..., balance=True)``; the core's ``ClusterBalance``): per cluster its
uitkeringsbasis grouped by the driver that moves each maatstaf, the IU/DU mapped to it and the
netto lasten of the base filing."""

from __future__ import annotations

import numpy as np

from ..circulaire import Circulaire, siudu_clusters
from ..errors import GemfinError, InputError
from .mapping import SOCIAL_CLUSTERS
from .netto_lasten import netto_lasten

#: The core's order of the social clusters: those of the budget domains Jeugd, Wmo, Participatie.
CORE_ORDER = ("Individuele voorzieningen Jeugd", "Individuele voorzieningen Wmo", "Participatie")
assert set(CORE_ORDER) == set(SOCIAL_CLUSTERS)


def cluster_balance_inputs(circ: Circulaire, drivers, document: str, year: int) -> dict:
    """Arrays of the core's ClusterBalance for ``circ`` (in the base filing's division) and the
    scenario's ``drivers``; InputError where the circulaire has no cluster weights or the
    filing no netto lasten for one of its municipalities."""
    try:
        where = siudu_clusters(circ)
    except GemfinError as exc:
        raise InputError(f"the social clusters' balance needs a circulaire with cluster weights: {exc}") from None
    nl = netto_lasten((document, year))
    codes = list(circ.volumes.index)
    missing = [g for g in codes if g not in nl.by_cluster.index]
    if missing:
        raise InputError(f"the social clusters' balance: no netto lasten in the {nl.label} for {missing[:10]} "
                         f"(its division is {nl.division}, the circulaire's municipalities those of {year})")
    names = [d.name for d in drivers]
    driver_of = {m: i for i, drv in enumerate(drivers) for m in drv.maatstaven}
    g, d, c_n = len(codes), len(names), len(CORE_ORDER)
    basis = np.zeros((c_n * d, g))
    fixed = np.zeros((c_n, g))
    vol = circ.volumes
    for c, cluster in enumerate(CORE_ORDER):
        rates = circ.rates[cluster]
        for m in vol.columns:
            if rates.get(m, 0.0) == 0.0 or circ.maatstaven.loc[m, "is_ozb"]:
                continue
            contrib = vol[m].to_numpy() * float(rates[m])
            k = driver_of.get(m)
            if k is None:
                fixed[c] += contrib
            else:
                basis[c * d + k] += contrib
    siudu = np.vstack([circ.fixed_items[where.index[where == cl]].sum(axis=1).to_numpy() for cl in CORE_ORDER])
    netto0 = nl.by_cluster.loc[codes, list(CORE_ORDER)].to_numpy().T.copy()
    return {"basis": basis, "fixed": fixed, "siudu": siudu, "netto0": netto0, "clusters": CORE_ORDER,
            "filing": nl.label}
