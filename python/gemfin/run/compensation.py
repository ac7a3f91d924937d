"""Compensation payments (a scenario's ``compensation`` section) split over the municipalities
of a run: each component's key (inhabitants, revenue lines, clusters, SIUDU items of a
circulaire, lasten, inhabitants by age, a table) with its published parts and fixed amount."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import InputError, ScenarioError
from ..schema.scenario import Compensation

if TYPE_CHECKING:
    from .budget_data import BudgetBase


def compensation_matrix(scen, years: Sequence[int], circ, data: BudgetBase,
                        comps: Sequence[Compensation] | None = None) -> np.ndarray:
    """G × T euros: each of the scenario's compensation components (or of ``comps``, some of
    them) distributed over the municipalities by its key, in its year."""
    comps = scen.compensation if comps is None else tuple(comps)
    out = np.zeros((len(circ.volumes.index), len(years)))
    for c, amounts in zip(comps, _component_amounts(scen, comps, circ, data)):
        out[:, list(years).index(c.year)] += amounts
    return out


def compensation_components(scen, circ, data: BudgetBase) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per component: the euros each municipality receives (CBS code × component name, in the
    component's year) and the components themselves (name, package, year, amount, key,
    envelope, source)."""
    comps = scen.compensation
    amounts = _component_amounts(scen, comps, circ, data)
    by = pd.DataFrame({c.name: a for c, a in zip(comps, amounts)}, index=circ.volumes.index)
    by.index.name = "gemeente"
    rows = []
    for c in comps:
        kind, arg = c.key_kind
        if kind == "table":
            arg = str(scen.table_path(c))
        elif kind == "siudu":
            items, circulaire = arg
            arg = " + ".join(items) + (f" ({circulaire})" if circulaire else "")
        elif kind == "age":
            arg = f"{arg[0]}+" if arg[1] is None else f"{arg[0]}-{arg[1]}"
        if c.fixed_per_municipality is not None:
            arg = f"{arg}; EUR {c.fixed_per_municipality.value:,.0f} per municipality first"
        rows.append({"name": c.name, "package": c.package, "year": c.year, "amount": c.amount.value,
                     "key": (kind if arg is None else f"{kind}: {arg}")
                     + (f"; published for {', '.join(c.key_published.municipalities)}" if c.key_published else ""),
                     "envelope": c.envelope or "",
                     "source": c.amount.source})
    table = pd.DataFrame(rows, columns=["name", "package", "year", "amount", "key", "envelope", "source"])
    return by, table


def _component_amounts(scen, comps: Sequence[Compensation], circ, data: BudgetBase) -> list[np.ndarray]:
    codes = circ.volumes.index
    origin = str(scen.path or scen.name)
    out = []
    for c in comps:
        where = f"{origin}: compensation[{scen.compensation.index(c)}] ({c.name})"
        kind, arg = c.key_kind
        if kind == "per_inhabitant":
            w = circ.municipalities["inhabitants"]
        elif kind == "revenue":
            w = data.base.baten[list(arg)].sum(axis=1).reindex(codes).fillna(0.0)
        elif kind == "cluster":
            if arg not in data.allocation.by_cluster.columns:
                raise ScenarioError(f"{where}.key.cluster: unknown cluster {arg!r}; expected one of "
                                    f"{list(data.allocation.by_cluster.columns)}")
            w = data.allocation.by_cluster[arg]
        elif kind == "lasten":
            w = _lasten_key(data.base, arg, f"{where}.key.lasten")
        elif kind == "siudu":
            items, circulaire = arg
            w = _siudu_key(items, circulaire, circ, f"{where}.key")
        elif kind == "age":
            first, last = arg
            w = _age_key(first, last, codes, f"{where}.key.age")
        else:
            w = _table(scen.table_path(c), codes, where)
        w = w.reindex(codes).to_numpy(dtype=float)
        if np.any(w < 0) or not np.isfinite(w).all() or w.sum() <= 0:
            raise ScenarioError(f"{where}: the key gives negative, non-finite or all-zero weights; expected a "
                                "positive total")
        fixed = 0.0 if c.fixed_per_municipality is None else c.fixed_per_municipality.value
        rest = c.amount.value - fixed * len(codes)
        if rest < 0:
            raise ScenarioError(f"{where}.fixed_per_municipality: {fixed:,.0f} for each of the run's {len(codes)} "
                                f"municipalities is {fixed * len(codes):,.0f}, more than the amount "
                                f"{c.amount.value:,.0f}; expected at most {c.amount.value / len(codes):,.0f}")
        if c.key_published is None:
            out.append(fixed + rest * w / w.sum())
        else:
            out.append(fixed + rest * _with_published_parts(w / w.sum(), codes, c.key_published,
                                                            f"{where}.key_published"))
    return out


def _siudu_key(items: tuple[str, ...], circulaire: str | None, circ, where: str) -> pd.Series:
    """The sum of SIUDU ``items`` per municipality of ``circ``: of ``circ`` itself, or of the
    circulaire ``circulaire`` on CBS codes. A municipality of that circulaire formed after the
    run's division by a merger of the run's municipalities is split over them in proportion to
    their inhabitants; any other municipality with an amount outside the run is an error, and a
    municipality of the run without an amount gets none."""
    source = circ
    if circulaire is not None and circulaire != circ.id:
        from ..circulaire import read_circulaire

        try:
            source = read_circulaire(circulaire)
        except InputError as e:
            raise ScenarioError(f"{where}.circulaire: {e}") from None
    missing = [i for i in items if i not in source.fixed_items.columns]
    if missing:
        raise ScenarioError(f"{where}.siudu: {missing[0]!r} is not a SIUDU item of {source.id}; expected one of "
                            f"{list(source.fixed_items.columns)}")
    w = source.fixed_items[list(items)].sum(axis=1)
    if source is circ:
        return w
    codes = circ.volumes.index
    predecessors = _predecessors_in(codes)
    out = w[w.index.isin(codes)].reindex(codes).fillna(0.0)
    outside = [c for c in w.index[w != 0] if c not in codes and c not in predecessors]
    if outside:
        raise ScenarioError(f"{where}.circulaire: {source.id} gives {', '.join(outside[:5])} an amount, but "
                            f"{'they are' if len(outside) > 1 else 'it is'} not among the run's municipalities "
                            f"({circ.id}) nor a merger of them; expected a circulaire of the run's division or of a "
                            "later one")
    inhabitants = circ.municipalities["inhabitants"]
    for code in w.index[(w != 0) & ~w.index.isin(codes)]:
        preds = predecessors[code]
        share = inhabitants.loc[preds] / inhabitants.loc[preds].sum()
        out.loc[preds] += w[code] * share.to_numpy()
    return out


AGE_FILE = Path("municipalities") / "municipalities-population-agegroup.csv"


def _age_key(first: int, last: int | None, codes: pd.Index, where: str) -> pd.Series:
    """Inhabitants aged ``first`` to ``last`` (None: and older) on 1 January 2020 per municipality of
    ``codes`` (data/municipalities/SOURCES.md): a 10-year band the range cuts counts in proportion
    to the years it covers; a municipality formed since 2020 sums its predecessors. A municipality
    of 2020 that was divided rather than merged (Haaren, over four others in 2021) counts for none."""
    from .._datadir import data_dir
    from .._tables import read_table
    from ..municipalities import load_mergers

    t = read_table(data_dir() / AGE_FILE, ",")
    bands = [(0, 9, "0-9"), (10, 19, "okt-19"), *((a, a + 9, f"{a}-{a + 9}") for a in range(20, 90, 10)),
             (90, None, "90+")]
    top = 10**6 if last is None else last
    ages = pd.Series(0.0, index=pd.Index([r[t.column_index("Gemeentecode")] for r in t.rows], name="gemeente"))
    for lo, hi, column in bands:
        if hi is None:
            cover = 1.0 if last is None and first <= lo else 0.0
            if last is not None and last >= lo:
                raise ScenarioError(f"{where}: the band 90+ has no upper age; expected a range that ends below 90 "
                                    f"or an open one such as \"{first}+\"")
        else:
            cover = max(0, min(hi, top) - max(lo, first) + 1) / 10
        if cover:
            ages += cover * t.numbers(t.column_index(column), what="number of inhabitants", notation="plain")
    # a municipality of 2020 merged since then counts for its successor in the run (the first
    # one along its mergers that the run has)
    mergers = load_mergers()
    step = dict(zip(mergers["predecessor"], mergers["gm_code"]))
    present = set(codes)

    def in_run(code: str) -> str:
        while code not in present and code in step:
            code = step[code]
        return code

    target = [in_run(c) for c in ages.index]
    summed = ages.groupby(pd.Index(target, name="gemeente")).sum()
    missing = [c for c in codes if c not in summed.index]
    if missing:
        raise ScenarioError(f"{where}: no inhabitants by age for {', '.join(missing[:5])} in {AGE_FILE} (the division "
                            "of 2020) nor for predecessors of them")
    return summed.reindex(codes)


def _predecessors_in(codes: pd.Index) -> dict[str, list[str]]:
    """{municipality formed by mergers: its predecessors among ``codes``}, for the mergers whose
    predecessors (followed back through earlier mergers) are all in ``codes``."""
    from ..municipalities import load_mergers

    mergers = load_mergers()
    direct: dict[str, list[str]] = {}
    for code, pred in zip(mergers["gm_code"], mergers["predecessor"]):
        direct.setdefault(code, []).append(pred)
    present = set(codes)

    def back(code: str) -> list[str] | None:
        if code in present:
            return [code]
        if code not in direct:
            return None
        out: list[str] = []
        for p in direct[code]:
            found = back(p)
            if found is None:
                return None
            out += found
        return out

    out = {}
    for code in direct:
        if code not in present and (preds := back(code)) is not None:
            out[code] = preds
    return out


def _with_published_parts(share: np.ndarray, codes: pd.Index, published, where: str) -> np.ndarray:
    """The key's shares with the published parts put in: a municipality with a known part gets
    part / total, the others the rest in proportion to ``share``."""
    known = np.zeros(len(codes), dtype=bool)
    out = np.zeros(len(codes))
    for code, part in published.municipalities.items():
        if code not in codes:
            raise ScenarioError(f"{where}.municipalities: {code} is not a municipality of this run; expected one "
                                f"of its {len(codes)} CBS codes")
        i = codes.get_loc(code)
        known[i] = True
        out[i] = part.value / published.total.value
    rest = np.where(known, 0.0, share)
    if rest.sum() <= 0:
        raise ScenarioError(f"{where}: the key gives the municipalities without a published part no weight; "
                            "expected some")
    out[~known] = (1.0 - out[known].sum()) * rest[~known] / rest.sum()
    return out


def _lasten_key(base_budget, names: tuple[str, ...], where: str) -> pd.Series:
    """The base filing's lasten on domains (Jeugd, …) or Iv3 taakvelden ("1.1", …), summed; a
    negative amount (a booking correction on a small taakveld) counts as none."""
    per_tv = base_budget.lasten_taakveld
    out = pd.Series(0.0, index=base_budget.lasten.index)
    for n in names:
        if n in base_budget.lasten.columns:
            out += base_budget.lasten[n].clip(lower=0.0)
        elif per_tv is not None and n in per_tv.columns:
            out += per_tv[n].reindex(out.index).fillna(0.0).clip(lower=0.0)
        else:
            known = list(base_budget.lasten.columns) + (sorted(per_tv.columns) if per_tv is not None else [])
            raise ScenarioError(f"{where}: {n!r} is neither a domain nor a taakveld of the {base_budget.kind} "
                                f"{base_budget.year}; expected one of {known}")
    return out


def _table(p: Path, codes, where: str) -> pd.Series:
    if not p.is_file():
        raise ScenarioError(f"{where}.key.table: file {p} not found")
    df = pd.read_csv(p)
    if not {"gemeente", "weight"} <= set(df.columns):
        raise ScenarioError(f"{where}.key.table: {p} needs columns 'gemeente' and 'weight'; it has {list(df.columns)}")
    s = pd.to_numeric(df.set_index("gemeente")["weight"], errors="coerce")
    if s.isna().any():
        raise ScenarioError(f"{where}.key.table: {p} has a non-numeric weight for {s[s.isna()].index[0]}")
    return s.reindex(codes).fillna(0.0)
