"""The ingroeiregeling of the 2023 herijking carried forward (docs/domain.md §2.7).

From 2023 the herverdeeleffect HE = AU_new − AU_old of each municipality is phased in: the part of
it beyond a cumulative cap per inhabitant (EUR 7.50 in 2023, 22.50 in 2024, 37.50 in 2025) is
paid back or made up by a suppletie outside the uitkeringsfactor:

    suppletie = clamp(HE, −cap·inwoners, +cap·inwoners) − HE

Of the shipped circulaires only M2022_2023 (year 1) and S2024_2024 (year 2) publish the column
"Suppletie nieuwe verdeling GF"; the others' algemene uitkering is the uncapped new one. HE is
not published, but a capped municipality's suppletie reveals it: HE = −cap·inw − suppletie for a
loser (suppletie > 0), +cap·inw − suppletie for a gainer. A municipality without a suppletie had
|HE| ≤ cap·inw and stays uncapped under every larger cap (its suppletie is 0).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError, InputError

COLUMN = "Suppletie nieuwe verdeling GF"
#: Cumulative caps per inhabitant in the years the circulaires publish the suppletie (docs/domain.md §2.7).
PUBLISHED_CAPS = {"M2022_2023": 7.5, "S2024_2024": 22.5}


def herverdeeleffect(source: str = "S2024_2024", data: str | Path | None = None) -> pd.DataFrame:
    """Per CBS code of ``source``: ``he`` (euros; 0 where the municipality was not capped),
    ``capped`` and ``inhabitants`` of that circulaire."""
    from .circulaire import read_circulaire

    if source not in PUBLISHED_CAPS:
        raise InputError(f"ingroei.from: {source!r} does not publish the column {COLUMN!r}; "
                         f"expected one of {sorted(PUBLISHED_CAPS)}")
    circ = read_circulaire(source, data)
    if COLUMN not in circ.fixed_items.columns:
        raise DataError(f"circulaire {source}: no column {COLUMN!r} in its SIUDU file")
    suppl = circ.fixed_items[COLUMN].astype(float)
    inw = circ.municipalities["inhabitants"].reindex(suppl.index).astype(float)
    cap = PUBLISHED_CAPS[source] * inw
    he = np.where(suppl > 0, -cap - suppl, np.where(suppl < 0, cap - suppl, 0.0))
    return pd.DataFrame({"he": he, "capped": suppl != 0, "inhabitants": inw}, index=suppl.index)


def suppletie(he, inhabitants, cap_per_inhabitant: float) -> np.ndarray:
    """The suppletie under a cumulative cap: clamp(HE, ±cap·inw) − HE (euros), per position of
    ``he`` and ``inhabitants`` (arrays or Series in the same order)."""
    he = np.asarray(he, dtype=float)
    bound = cap_per_inhabitant * np.asarray(inhabitants, dtype=float)
    return np.clip(he, -bound, bound) - he
