"""Iv3 taakvelden → the 12 clusters of the verdeelmodel (``data/finance/taakveld_clusters.csv``).

Every taakveld code of 2017–2025 is mapped to a cluster (with a weight, where one taakveld
feeds two clusters), to ``overhead`` (0.4, placed by a key: :mod:`.netto_lasten`) or
``uitgesloten`` (0.7, 0.10, 0.11) with its reason; docs/fund-balance.md gives the sources.
A taakveld that the table does not know is an error, never silently dropped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._datadir import data_dir
from .._tables import derived_from_files
from ..circulaire import CLUSTERS
from ..errors import DataError

MAPPING_FILE = "taakveld_clusters.csv"
OVERHEAD = "overhead"
EXCLUDED = "uitgesloten"
#: Where each row's choice comes from (docs/fund-balance.md, "The mapping").
BASES = ("tool", "assumption", "derived", "definition")
#: The two clusters of own revenue: the verdeelmodel deducts assumed revenue there.
INCOME_CLUSTERS = ("Overige eigen middelen", "Onroerendezaakbelasting")
#: Clusters of tasks (everything but the two income clusters).
SPENDING_CLUSTERS = tuple(c for c in CLUSTERS if c not in INCOME_CLUSTERS)
#: The three social clusters whose balance the Monte Carlo follows, in the core's order: those
#: of the budget domains Jeugd, Wmo and Participatie (kSocialClusters).
SOCIAL_CLUSTERS = ("Individuele voorzieningen Jeugd", "Individuele voorzieningen Wmo", "Participatie")


def load_taakveld_clusters(data: str | Path | None = None) -> pd.DataFrame:
    """The mapping table, one row per (taakveld, cluster): weight and basis; validated."""
    path = data_dir(data) / "finance" / MAPPING_FILE
    if not path.is_file():
        raise DataError(f"{path}: the taakveld → cluster table is missing")
    return derived_from_files([path], ("taakveld_clusters",), lambda: _read(path))


def _read(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    need = ["taakveld", "titel", "cluster", "weight", "basis", "toelichting"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise DataError(f"{path}: columns {missing} missing; expected {need}")
    allowed = set(CLUSTERS) | {OVERHEAD, EXCLUDED}
    for i, (_, r) in enumerate(df.iterrows()):
        line = i + 2
        if r["cluster"] not in allowed:
            raise DataError(f"{path}, line {line}, taakveld {r['taakveld']}: cluster {r['cluster']!r} is not one of "
                            f"the 12 clusters, {OVERHEAD!r} or {EXCLUDED!r}")
        if r["basis"] not in BASES:
            raise DataError(f"{path}, line {line}, taakveld {r['taakveld']}: basis {r['basis']!r}; expected one of {BASES}")
        if r["cluster"] == EXCLUDED and not r["toelichting"].strip():
            raise DataError(f"{path}, line {line}, taakveld {r['taakveld']}: an excluded taakveld needs its reason")
    try:
        df["weight"] = df["weight"].astype(float)
    except ValueError as exc:
        raise DataError(f"{path}: column 'weight' holds a value that is not a number ({exc})") from None
    if not ((df["weight"] > 0) & (df["weight"] <= 1)).all():
        bad = df.loc[~((df["weight"] > 0) & (df["weight"] <= 1)), "taakveld"].iloc[0]
        raise DataError(f"{path}, taakveld {bad}: weight must lie in (0, 1]")
    sums = df.groupby("taakveld")["weight"].sum()
    off = sums[(sums - 1.0).abs() > 1e-9]
    if len(off):
        raise DataError(f"{path}, taakveld {off.index[0]}: its weights add up to {off.iloc[0]:.6g}; expected 1")
    if df.duplicated(["taakveld", "cluster"]).any():
        tv = df.loc[df.duplicated(["taakveld", "cluster"]), "taakveld"].iloc[0]
        raise DataError(f"{path}, taakveld {tv}: the same cluster appears twice")
    df.attrs["source"] = str(path)
    return df


def cluster_weights(codes, data: str | Path | None = None, *, what: str = "the filing") -> pd.DataFrame:
    """Matrix taakveld code × (12 clusters, overhead, uitgesloten) of weights, rows summing
    to 1. DataError naming the codes that the mapping does not know."""
    table = load_taakveld_clusters(data)
    codes = list(dict.fromkeys(str(c) for c in codes))
    unknown = sorted(set(codes) - set(table["taakveld"]))
    if unknown:
        raise DataError(f"taakveld(en) {unknown} of {what} are neither mapped to a cluster nor excluded in "
                        f"data/finance/{MAPPING_FILE}; add a row with the cluster (or 'uitgesloten' and a reason)")
    cols = [*CLUSTERS, OVERHEAD, EXCLUDED]
    w = table.pivot_table(index="taakveld", columns="cluster", values="weight", aggfunc="sum")
    w = w.reindex(index=codes, columns=cols).fillna(0.0)
    assert np.allclose(w.sum(axis=1), 1.0)
    return w
