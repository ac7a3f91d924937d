"""Netto lasten per cluster: what a municipality's own filing says its tasks cost it.

Netto lasten = lasten − baten on the taakvelden of a cluster (docs/fund-balance.md): the
baten there include specifieke uitkeringen (BUIG on 6.3, SPUKs), so those are netted; the
gemeentefonds itself (algemene uitkering, integratie- and decentralisatie-uitkeringen) is booked
on taakveld 0.7 and is left out, as are reserve mutations (0.10) and the result (0.11). The two
income clusters (OZB, overige eigen middelen) come out negative: net revenue.

Filings with a taakveld file (begroting 2023–2025, jaarrekening 2023) give baten per taakveld.
The Iv3 summary (begroting and jaarrekening 2017–2022) gives lasten per taakveld but only the
total baten: there the own baten (baten − the booked gemeentefonds) are split over the clusters
in the municipality's own shares of the same document in 2023 (national shares where it has
none), a documented imputation named in the result's notes.

Overhead (0.4) has no cluster: its netto lasten are spread over the ten spending clusters by
a key (:data:`OVERHEAD_KEYS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..circulaire import CLUSTERS
from ..errors import InputError
from ..iv3 import IV3_FILES, load_iv3_filled
from ..iv3.history import SUMMARY_FILINGS, summary_filing
from ..municipalities import load_municipalities, successors
from .mapping import EXCLUDED, OVERHEAD, SPENDING_CLUSTERS, cluster_weights

#: How overhead (taakveld 0.4) is spread over the spending clusters: in proportion to their
#: lasten, to their wages (Iv3 category L1.1; taakveld files only), or all to Bestuur en
#: ondersteuning.
OVERHEAD_KEYS = ("bestuur", "lasten", "salarissen")
#: The key unless told: the cluster is named for it ("ondersteuning" is the support the
#: legacy model's cluster Algemene ondersteuning funded, Iv3's overhead); docs/fund-balance.md
#: compares the three.
DEFAULT_OVERHEAD = "bestuur"
#: Every column of the weights: the 12 clusters, overhead and the excluded taakvelden.
_COLUMNS = [*CLUSTERS, OVERHEAD, EXCLUDED]


def filings() -> list[tuple[str, int]]:
    """Every filing with netto lasten per cluster, oldest first: those with a taakveld file and
    those of the Iv3 summary with baten."""
    out = {(kind, y) for kind, years in SUMMARY_FILINGS.items() for y in years} | set(IV3_FILES)
    return sorted(out, key=lambda f: (f[1], f[0]))


def parse_filing(filing) -> tuple[str, int]:
    """("begroting", 2025), "begroting:2025" or "begroting 2025" → ("begroting", 2025);
    InputError naming the filings in the data otherwise."""
    if isinstance(filing, str):
        parts = filing.replace(":", " ").split()
        filing = (parts[0], parts[1]) if len(parts) == 2 else (filing,)
    try:
        kind, year = filing
        kind, year = str(kind).lower(), int(year)
    except (TypeError, ValueError):
        raise InputError(f"filing {filing!r}: expected (document, year) such as ('begroting', 2025) or "
                         "'begroting:2025'") from None
    if (kind, year) not in filings():
        avail = ", ".join(f"{k} {y}" for k, y in filings())
        raise InputError(f"filing {kind} {year} is not in the data; available: {avail}")
    return kind, year


@dataclass(frozen=True)
class NettoLasten:
    """Netto lasten per municipality (index CBS code) and cluster, euros.

    by_cluster: netto lasten (overhead spread); lasten: gross lasten per cluster (overhead
    spread by the same key); overhead: netto lasten of taakveld 0.4 per municipality;
    mapped_total: Σ (lasten − baten) over every taakveld not excluded, = by_cluster summed.
    """

    kind: str
    year: int
    division: int
    overhead_key: str
    by_cluster: pd.DataFrame
    lasten: pd.DataFrame
    overhead: pd.Series
    mapped_total: pd.Series
    source: str
    notes: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return f"{self.kind} {self.year}"


def netto_lasten(filing=("begroting", 2025), *, overhead: str = DEFAULT_OVERHEAD,
                 data: str | Path | None = None) -> NettoLasten:
    """Netto lasten per cluster of one filing (see the module docstring)."""
    kind, year = parse_filing(filing)
    if overhead not in OVERHEAD_KEYS:
        raise InputError(f"overhead={overhead!r}: expected one of {OVERHEAD_KEYS}")
    if (kind, year) in IV3_FILES:
        return _from_taakveld_file(kind, year, overhead, data)
    if overhead == "salarissen":
        raise InputError(f"overhead='salarissen' needs wages per taakveld, which the Iv3 summary ({kind} {year}) "
                         "does not have; use 'lasten' or 'bestuur', or a filing of 2023 or later")
    return _from_summary(kind, year, overhead, data)


def _spread_overhead(netto: pd.DataFrame, lasten: pd.DataFrame, key: pd.DataFrame | None,
                     over: pd.Series, how: str) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Add each municipality's overhead (netto ``over``, gross in lasten[OVERHEAD]) to the
    spending clusters in proportion to ``key`` (or to Bestuur en ondersteuning)."""
    notes = []
    spend = list(SPENDING_CLUSTERS)
    if how == "bestuur":
        share = pd.DataFrame(0.0, index=netto.index, columns=spend)
        share["Bestuur en ondersteuning"] = 1.0
    else:
        assert key is not None
        base = key[spend].clip(lower=0.0)
        tot = base.sum(axis=1)
        share = base.div(tot.where(tot > 0), axis=0)
        empty = share.index[share.isna().any(axis=1)]
        if len(empty):
            share.loc[empty] = 0.0
            share.loc[empty, "Bestuur en ondersteuning"] = 1.0
            notes.append(f"overhead of {len(empty)} municipalities with no {how} on the spending clusters went to "
                         f"Bestuur en ondersteuning: {', '.join(empty[:5])}")
    n = netto[list(CLUSTERS)].copy()
    g = lasten[list(CLUSTERS)].copy()
    n[spend] += share.mul(over, axis=0)
    g[spend] += share.mul(lasten[OVERHEAD], axis=0)
    return n, g, notes


def _per_cluster(df: pd.DataFrame, values: pd.Series, w: pd.DataFrame) -> pd.DataFrame:
    """``values`` of a long taakveld frame (gemeente, taakveld) summed per municipality and
    weighted into the columns of ``w`` (:func:`cluster_weights`)."""
    wide = pd.DataFrame({"g": df["gemeente"], "t": df["taakveld"], "v": values}).pivot_table(
        index="g", columns="t", values="v", aggfunc="sum", fill_value=0.0)
    return wide @ w.loc[wide.columns, _COLUMNS]


def _fill_note(label: str, filled: pd.DataFrame) -> list[str]:
    if not len(filled):
        return []
    return [f"{label}: filing filled from an earlier one for {len(filled)} municipalities "
            f"({', '.join(f'{i} from {r}' for i, r in filled['used'].items())})"]


def _from_taakveld_file(kind: str, year: int, how: str, data) -> NettoLasten:
    df, filled, unmatched = load_iv3_filled(kind, year, data)
    w = cluster_weights(df["taakveld"].unique(), data, what=f"the Iv3 {kind} {year} ({df.attrs.get('source', '')})")
    netto = _per_cluster(df, df["lasten"] - df["baten"], w)
    lasten = _per_cluster(df, df["lasten"], w)
    key = _per_cluster(df, df["salarissen"].fillna(0.0), w) if how == "salarissen" else lasten
    n, g, notes = _spread_overhead(netto, lasten, key, netto[OVERHEAD], how)
    notes += _fill_note(f"{kind} {year}", filled)
    if unmatched:
        notes.append(f"names not matched to a CBS code, left out: {unmatched}")
    division = load_municipalities(2025, data).index
    missing = sorted(set(division) - set(n.index))
    if missing:
        notes.append(f"no filing at all for {missing}")
    mapped = (netto[list(CLUSTERS)].sum(axis=1) + netto[OVERHEAD]).rename("mapped_total")
    return NettoLasten(kind, year, 2025, how, n.sort_index(), g.sort_index(), netto[OVERHEAD].sort_index(),
                       mapped.sort_index(), str(df.attrs.get("source", "")), tuple(notes))


def _from_summary(kind: str, year: int, how: str, data) -> NettoLasten:
    df, filled = summary_filing(kind, year, data)
    tv = [c for c in df.columns if c.startswith("tv:")]
    codes = [c[3:] for c in tv]
    used = [c for c, t in zip(codes, tv) if df[t].fillna(0.0).abs().sum() > 0]
    w = cluster_weights(used, data, what=f"the Iv3 summary {kind} {year}")
    lasten = df[[f"tv:{c}" for c in used]].fillna(0.0).rename(columns=lambda c: c[3:]) @ w.loc[used, _COLUMNS]
    own = (df["baten"] - df["rijk"].fillna(0.0)).fillna(0.0)
    shares, share_notes = _baten_shares(kind, df.index, year, data)
    baten = shares.mul(own, axis=0)
    netto = lasten[_COLUMNS] - baten[_COLUMNS]
    n, g, notes = _spread_overhead(netto, lasten, lasten, netto[OVERHEAD], how)
    notes = [f"{kind} {year} from the Iv3 summary: lasten per taakveld as filed; own baten (baten − gemeentefonds "
             f"booked) split over the clusters in each municipality's shares of the {kind} 2023", *share_notes, *notes]
    notes += _fill_note(f"{kind} {year}", filled)
    if df.attrs.get("missing"):
        notes.append(f"no filing at all for {df.attrs['missing']}")
    mapped = (netto[list(CLUSTERS)].sum(axis=1) + netto[OVERHEAD]).rename("mapped_total")
    return NettoLasten(kind, year, year, how, n.sort_index(), g.sort_index(), netto[OVERHEAD].sort_index(),
                       mapped.sort_index(), "Iv3 summary (data/finance/iv3_data.iv3summary*.csv)", tuple(notes))


def _baten_shares(kind: str, index: pd.Index, year: int, data) -> tuple[pd.DataFrame, list[str]]:
    """Each municipality's baten (taakvelden not excluded) per cluster column as shares of
    its total, from the taakveld file of ``kind`` 2023, looked up through its successor in
    the 2025 division; the national shares for one without a usable 2023 filing."""
    df, _, _ = load_iv3_filled(kind, 2023, data)
    w = cluster_weights(df["taakveld"].unique(), data, what=f"the Iv3 {kind} 2023")
    b = _per_cluster(df, df["baten"], w)
    b[EXCLUDED] = 0.0
    tot = b.sum(axis=1)
    national = b.sum() / tot.sum()
    ok = tot > 0
    shares = b[ok].div(tot[ok], axis=0)
    succ = successors(2025, data)
    rows, fallback = [], []
    for g in index:
        s = succ.get(g, g)
        if s in shares.index:
            rows.append(shares.loc[s].to_numpy())
        else:
            rows.append(national.to_numpy())
            fallback.append(g)
    out = pd.DataFrame(np.vstack(rows), index=index, columns=_COLUMNS)
    notes = [f"national baten shares of 2023 for {len(fallback)} municipalities without their own: {fallback[:10]}"] if fallback else []
    merged = [g for g in index if succ.get(g, g) != g]
    if merged:
        notes.append(f"{len(merged)} municipalities merged by 2025 take their successor's 2023 baten shares "
                     f"(e.g. {', '.join(merged[:3])})")
    return out, notes
