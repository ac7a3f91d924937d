"""Figures of the scan: a heat map of the balance by group and cluster, a map of one cluster's
balance, and the fund against lasten over time (matplotlib, as :mod:`gemfin.plot`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ..plot import DIVERGING, GAIN, LOSS, municipality_map, plt

#: Short cluster labels for axes.
SHORT = {"Sociale basisvoorzieningen": "Soc. basisvoorz.", "Participatie": "Participatie",
         "Individuele voorzieningen Wmo": "Wmo (indiv.)", "Individuele voorzieningen Jeugd": "Jeugd (indiv.)",
         "Bestuur en ondersteuning": "Bestuur & onderst.", "Orde en veiligheid": "Orde & veiligh.",
         "Onderwijs": "Onderwijs", "Sport, cultuur en recreatie": "Sport, cult., recr.",
         "Infrastructuur, ruimte en milieu": "Infra, ruimte, mil.", "Overig": "Overig",
         "Overige eigen middelen": "Ov. eigen middelen", "Onroerendezaakbelasting": "OZB", "total": "total"}


def heatmap(bal, group: str = "size_class", ax=None):
    """Balance per inhabitant (EUR) by ``group`` × cluster, red where the allocation falls
    short of netto lasten, blue where it exceeds them."""
    table = bal.by_group(group)
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 0.6 * len(table) + 2.6), layout="constrained")
    vmax = float(np.nanmax(np.abs(table.to_numpy()))) or 1.0
    im = ax.imshow(table.to_numpy(), cmap=DIVERGING, vmin=-vmax, vmax=vmax, aspect="auto")
    ax.set_xticks(range(table.shape[1]), [SHORT.get(c, c) for c in table.columns], rotation=45, ha="right")
    ax.set_yticks(range(table.shape[0]), [str(i) for i in table.index])
    for (i, j), v in np.ndenumerate(table.to_numpy()):
        ax.text(j, i, f"{v:,.0f}", ha="center", va="center", fontsize=8, color="white" if abs(v) > 0.6 * vmax else "black")
    ax.figure.colorbar(im, ax=ax, label="allocation − netto lasten (EUR per inhabitant)")
    ax.set_title(f"Balance by {group.replace('_', ' ')}: {bal.circulaire_id} against the {bal.filing}")
    ax.gemfin_data = table
    return ax


def cluster_map(bal, cluster: str, ax=None):
    """Map of one cluster's balance per inhabitant (EUR)."""
    if cluster not in bal.per_inhabitant.columns:
        raise InputError(f"cluster {cluster!r}: expected one of {list(bal.per_inhabitant.columns)}")
    return municipality_map(bal.per_inhabitant[cluster], ax=ax, unit="EUR per inhabitant",
                            title=f"{cluster}: allocation − netto lasten, {bal.circulaire_id} vs {bal.filing}")


def history_plot(hist, document: str = "begroting", ax=None):
    """Fund, netto lasten and lasten (EUR bn, prices of 2025) per year of ``document``."""
    if document not in set(hist.national.index.get_level_values("document")):
        raise InputError(f"document {document!r}: expected begroting or jaarrekening")
    n = hist.national.xs(document, level="document")
    base = hist.base_price_year
    cols = {f"fund {base} prices": ("gemeentefonds", GAIN, "-"),
            f"netto_lasten {base} prices": ("netto lasten", LOSS, "-"),
            f"lasten {base} prices": ("lasten", LOSS, ":")}
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    for c, (label, colour, style) in cols.items():
        ax.plot(n.index, n[c] / 1e3, style, color=colour, marker="o", label=label)
    ax.set_ylabel(f"EUR bn, prices of {base} (CPI)")
    ax.set_xlabel(f"year of the {document}")
    ax.set_title(f"Gemeentefonds against the cost of tasks ({document}en)")
    ax.legend()
    ax.gemfin_data = pd.DataFrame({label: n[c] / 1e3 for c, (label, _, _) in cols.items()})
    return ax
