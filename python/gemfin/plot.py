"""Figures for memos: maps, fan charts, waterfalls, winners and losers (matplotlib).

matplotlib is an optional dependency (``pip install gemfin[plot]``); importing this module
without it raises an ImportError that says so. Every function takes an optional ``ax`` and
returns the Axes (or Figure) it drew on, with the plotted data attached as ``.gemfin_data``
(a DataFrame) so that tests and users can check what is shown.

One colour convention everywhere: losses, shortfalls and negative effects are red, gains and
surpluses blue (``LOSS``, ``GAIN``; maps use the red-blue scale centred on zero). Show a
quantity with the sign that makes a loss negative (compensation − loss, not loss −
compensation).
"""

from __future__ import annotations

import json
import textwrap
from functools import lru_cache

import numpy as np
import pandas as pd

try:
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.colors import Normalize, TwoSlopeNorm
except ImportError as exc:  # pragma: no cover - exercised only without matplotlib
    raise ImportError("gemfin.plot needs matplotlib: pip install 'gemfin[plot]'") from exc

from ._datadir import data_dir
from .results.budget import quantile_name
from .errors import InputError
from .language import translate

DIVERGING = "RdBu"   # negative (loss) red, positive (gain) blue
SEQUENTIAL = "viridis"
LOSS = "#b2182b"     # the red end of RdBu
GAIN = "#2166ac"     # the blue end of RdBu
#: Colour scales end at this percentile of the values (of the absolute values for diverging scales) so one
#: outlier does not flatten the rest; the legend says so and the colour bar gets an arrow.
ROBUST_PERCENTILE = 98.0


def _rings(geometry: dict) -> list[np.ndarray]:
    """Exterior rings of a Polygon or MultiPolygon (holes are covered by drawing enclosed
    municipalities on top, smallest last)."""
    if geometry["type"] == "Polygon":
        return [np.asarray(geometry["coordinates"][0])]
    if geometry["type"] == "MultiPolygon":
        return [np.asarray(p[0]) for p in geometry["coordinates"]]
    raise InputError(f"unsupported geometry type {geometry['type']!r}")


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))


#: Municipal boundary files and the divisions whose codes they hold, newest first.
MUNICIPAL_BOUNDARIES = (("gemeente_2026.geojson", "2023–2026"), ("gemeente_2021.geojson", "2021"),
                        ("gemeente_2020.geojson", "2020"))


@lru_cache(maxsize=4)
def _boundaries(kind: str) -> tuple[tuple[str, np.ndarray], ...]:
    """``kind``: "provincie", or the file name of a municipal boundary set."""
    name = "netherlands-provinces.geojson" if kind == "provincie" else kind
    with open(data_dir() / "geo" / name, encoding="utf-8") as f:
        doc = json.load(f)
    out = []
    for feat in doc["features"]:
        for ring in _rings(feat["geometry"]):
            out.append((feat["properties"]["statcode"], ring))
    # Largest first, so enclaves drawn later stay visible.
    return tuple(sorted(out, key=lambda cr: -_area(cr[1])))


def boundary_codes() -> dict[str, frozenset[str]]:
    """The CBS codes each shipped municipal boundary set has, by division ("2023–2026",
    "2021", "2020"): a map shows values whose codes all lie in one of them."""
    return {division: frozenset(c for c, _ in _boundaries(name)) for name, division in MUNICIPAL_BOUNDARIES}


def municipality_map(values: pd.Series, *, ax=None, title: str | None = None, unit: str = "",
                     diverging: bool | None = None, cmap: str | None = None, robust: bool = True,
                     percent: bool | None = None, lang: str = "en"):
    """Choropleth of a per-municipality quantity (index: CBS codes like GM0014).

    ``diverging`` (default: when the values have both signs) uses a red-blue scale centred on
    zero, negative red, as for herverdeeleffecten; otherwise a sequential scale. ``robust``
    (default) ends the scale at the 98th percentile (of the absolute values when diverging) and says
    under the map how many municipalities lie beyond it. ``percent`` (default: when ``unit``
    is a probability or share and the values lie in [0, 1]) labels the scale in percent and
    colours it from white to red. Province borders on top; municipalities without a value
    are grey. ``lang="nl"``: the figure's own words in Dutch (gemfin.language).
    """
    if not isinstance(values, pd.Series):
        raise InputError("municipality_map expects a pandas Series indexed by CBS codes (GM0014)")
    v = pd.to_numeric(values, errors="coerce")
    if v.isna().all():
        raise InputError("municipality_map: no numeric values to show")
    # The newest boundary set that has every municipality (a run from a base year before 2023
    # has that year's municipalities).
    rings = None
    for name, _ in MUNICIPAL_BOUNDARIES:
        candidate = _boundaries(name)
        if not set(v.index) - {c for c, _ in candidate}:
            rings = candidate
            break
    if rings is None:
        unknown = sorted(set(v.index) - {c for c, _ in _boundaries(MUNICIPAL_BOUNDARIES[0][0])})
        raise InputError(f"municipality_map: no boundary for {unknown[:5]}; boundaries are shipped for the divisions "
                         f"of {', '.join(d for _, d in MUNICIPAL_BOUNDARIES)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 8), layout="constrained")
    lo, hi = float(v.min()), float(v.max())
    if percent is None:
        percent = unit.lower().startswith(("probability", "share", "p(")) and 0.0 <= lo and hi <= 1.0
    if percent and cmap is None and not diverging:
        cmap = "Reds"
    if diverging is None:
        diverging = lo < 0 < hi
    finite = v[np.isfinite(v)].to_numpy()
    if diverging:
        bound = max(abs(lo), abs(hi)) or 1.0
        if robust:
            bound = float(np.percentile(np.abs(finite), ROBUST_PERCENTILE)) or bound
        vmin, vmax = -bound, bound
        norm: Normalize = TwoSlopeNorm(vmin=vmin, vcenter=0.0, vmax=vmax)
        cmap = cmap or DIVERGING
    else:
        vmin, vmax = lo, hi
        if robust:
            vmin = float(np.percentile(finite, 100 - ROBUST_PERCENTILE))
            vmax = float(np.percentile(finite, ROBUST_PERCENTILE))
        norm = Normalize(vmin=vmin, vmax=vmax if vmax > vmin else vmin + 1)
        cmap = cmap or SEQUENTIAL
    below, above = int((finite < norm.vmin).sum()), int((finite > norm.vmax).sum())
    cm = plt.get_cmap(cmap)
    codes = [c for c, _ in rings]
    colours = [cm(norm(v[c])) if c in v.index and np.isfinite(v[c]) else (0.85, 0.85, 0.85, 1.0) for c in codes]
    coll = PolyCollection([r for _, r in rings], facecolors=colours, edgecolors="white", linewidths=0.2)
    setattr(coll, "gemfin_codes", codes)  # for tests and callers: which polygon is which municipality
    ax.add_collection(coll)
    prov = LineCollection([r for _, r in _boundaries("provincie")], colors="black", linewidths=0.6)
    ax.add_collection(prov)
    ax.autoscale_view()
    ax.set_aspect(1.6)  # about 1/cos(52°): keeps the Netherlands' shape in lon/lat
    # no frame or ticks, but keep the x label: it carries the note on a clipped scale
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks([])
    ax.set_yticks([])
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cm)
    extend = {(False, False): "neither", (True, False): "min", (False, True): "max", (True, True): "both"}
    cb = ax.figure.colorbar(sm, ax=ax, shrink=0.6, extend=extend[(below > 0, above > 0)])
    fmt = (lambda x: f"{100 * x:.3g}%") if percent else (lambda x: f"{x:,.4g}")
    if percent:
        from matplotlib.ticker import PercentFormatter

        cb.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    cb.set_label(translate(unit, lang) + (" (%)" if percent and "%" not in unit else ""))
    if below or above:
        note = (f"Scale clipped at {fmt(norm.vmin)} … {fmt(norm.vmax)} ({ROBUST_PERCENTILE:g}th percentile"
                f"{' of |value|' if diverging else 's'}); {below + above} municipalities beyond, extremes "
                f"{fmt(lo)} … {fmt(hi)}.")
        ax.set_xlabel(textwrap.fill(translate(note, lang), 80), fontsize=8)
        ax.xaxis.label.set_visible(True)
    if title:
        ax.set_title(textwrap.fill(translate(title, lang), 60))
    ax.gemfin_data = pd.DataFrame({"value": v}).assign(colour=[cm(norm(x)) for x in v])
    ax.gemfin_norm = norm
    return ax


def fan_chart(years, quantiles: dict[float, np.ndarray], mean=None, *, ax=None, title: str | None = None,
              unit: str = "", label: str = "", lang: str = "en"):
    """Quantile bands over years: the widest pair of quantiles, then each inner pair, and the
    median. ``quantiles`` maps probability → values per year."""
    qs = sorted(quantiles)
    if len(qs) < 2:
        raise InputError("fan_chart needs at least two quantiles")
    years = list(years)
    arr = {q: np.asarray(quantiles[q], dtype=float) for q in qs}
    for a, b in zip(qs, qs[1:]):
        if np.any(arr[a] > arr[b] + 1e-9 * np.abs(arr[b]).max()):
            raise InputError(f"fan_chart: quantile {a} lies above quantile {b}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    pairs = [(qs[i], qs[-1 - i]) for i in range(len(qs) // 2)]
    for k, (a, b) in enumerate(pairs):
        ax.fill_between(years, arr[a], arr[b], color="tab:blue", alpha=0.2 + 0.2 * k, linewidth=0,
                        label=f"{a:.0%}–{b:.0%}")
    if 0.5 in arr:
        ax.plot(years, arr[0.5], color="tab:blue", linewidth=2, label=translate("median", lang))
    if mean is not None:
        ax.plot(years, mean, color="black", linestyle="--", linewidth=1, label=translate("mean", lang))
    ax.set_ylabel(translate(unit, lang))
    ax.set_title(translate(title or label, lang))
    ax.legend(loc="best", fontsize=8)
    ax.gemfin_data = pd.DataFrame({f"q{q:g}": arr[q] for q in qs}, index=pd.Index(years, name="year"))
    return ax


def result_fan(result, code: str | None = None, output: str = "algemene_uitkering", *, per_inhabitant: bool = False,
               ax=None, lang: str = "en"):
    """Fan chart of a SimulationResult: one municipality (``code``), or the nation (None).
    ``output``: ``algemene_uitkering`` or ``saldo`` (needs a budget scenario)."""
    years = result.years
    if output == "algemene_uitkering":
        if code is None:
            q = {p: result.budget[quantile_name(p)].to_numpy() for p in result.quantiles}
            mean, name = result.budget["mean"].to_numpy(), "Algemene uitkering, national"
        else:
            g = _row(result, code)
            q = {p: result.au_quantiles[g, :, k] for k, p in enumerate(result.quantiles)}
            mean, name = result.au_mean[g], f"Algemene uitkering, {result.municipalities.loc[code, 'name']}"
    elif output == "saldo":
        f = result.finances
        if f is None:
            raise InputError("output 'saldo' needs a scenario with a budget section")
        if code is None:
            # Quantiles do not add up over municipalities; the national view is the share in
            # deficit (result.finances.national()).
            raise InputError("a saldo fan chart needs a municipality code; for the nation see result.finances.national()")
        g = _row(result, code)
        q = {p: f.saldo_quantiles[g, :, k] for k, p in enumerate(result.quantiles)}
        mean, name = f.saldo_mean[g], f"Exploitatiesaldo, {result.municipalities.loc[code, 'name']}"
    else:
        raise InputError(f"unknown output {output!r}; expected 'algemene_uitkering' or 'saldo'")
    unit = "EUR"
    if per_inhabitant and code is not None:
        inw = result.municipalities.loc[code, "inhabitants"]
        q = {p: x / inw for p, x in q.items()}
        mean, unit = mean / inw, "EUR per inhabitant"
    elif not per_inhabitant:
        q = {p: x / 1e6 for p, x in q.items()}
        mean, unit = mean / 1e6, "EUR mln"
    return fan_chart(years, q, mean, ax=ax, title=name, unit=unit, lang=lang)


def _row(result, code: str) -> int:
    codes = list(result.municipalities.index)
    if code not in codes:
        raise InputError(f"unknown municipality {code!r}; expected a CBS code like 'GM0014'")
    return codes.index(code)


def allocation_waterfall(before, after, code: str, by: str = "cluster", *, top: int = 8, ax=None, lang: str = "en"):
    """Why does a municipality's algemene uitkering change between two allocations? Bars per
    cluster (``by="cluster"``) or per maatstaf (``by="maatstaf"``), from the first total to the
    second. Per maatstaf, each bar is the change of volume × bedrag at the first
    uitkeringsfactor, and one bar is the change of the uitkeringsfactor itself (on every
    maatstaf but the OZB). At least ``top`` bars are shown, more until the remaining ones
    together ("other, N maatstaven") are smaller than the smallest bar shown."""
    if code not in before.algemene_uitkering.index:
        raise InputError(f"unknown municipality {code!r}")
    if by == "cluster":
        steps = (after.by_cluster.loc[code] - before.by_cluster.loc[code])
    elif by == "maatstaf":
        steps = _maatstaf_steps(before, after, code)
    else:
        raise InputError(f"by must be 'cluster' or 'maatstaf', got {by!r}")
    steps = steps[steps.abs() > 0.5].sort_values(key=np.abs, ascending=False)
    shown = min(top, len(steps))
    while shown < min(len(steps), 3 * top) and abs(steps.iloc[shown:].sum()) >= abs(steps.iloc[shown - 1]):
        shown += 1
    if shown < len(steps):
        rest = len(steps) - shown
        steps = pd.concat([steps.iloc[:shown], pd.Series({f"other, {rest} {by}s" if by == "cluster" else
                                                          f"other, {rest} maatstaven": steps.iloc[shown:].sum()})])
    start, end = before.algemene_uitkering[code], after.algemene_uitkering[code]
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 5), layout="constrained")
    labels = [translate(f"before: {before.circulaire.id}", lang)] + \
        [translate(textwrap.shorten(str(s), 48, placeholder="…"), lang) for s in steps.index] + \
        [translate(f"after: {after.circulaire.id}", lang)]
    # Running totals after each step: the bars span them, so the axis must too.
    totals = start + np.concatenate([[0.0], np.cumsum(steps.to_numpy())])
    ax.bar(0, start / 1e6, color="grey")
    for i, d in enumerate(steps.to_numpy(), start=1):
        ax.bar(i, d / 1e6, bottom=totals[i - 1] / 1e6, color=GAIN if d > 0 else LOSS)
    ax.bar(len(labels) - 1, end / 1e6, color="grey")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", rotation_mode="anchor", fontsize=8)
    ax.set_ylabel(translate("EUR mln (axis does not start at zero)", lang))
    lo, hi = min(totals.min(), end) / 1e6, max(totals.max(), end) / 1e6
    pad = 0.15 * (hi - lo) or 0.05 * abs(hi) or 1.0
    ax.set_ylim(lo - pad, hi + pad)
    name = before.circulaire.municipalities.loc[code, "name"]
    ax.set_title(f"{name}: algemene uitkering {(end - start) / 1e6:+,.1f} mln\n"
                 f"{before.circulaire.label} → {after.circulaire.label}", fontsize=10)
    ax.gemfin_data = pd.DataFrame({"change": steps})
    ax.gemfin_data.attrs.update(start=start, end=end, running_totals=totals)
    return ax


def _maatstaf_steps(before, after, code: str) -> pd.Series:
    """The change of a municipality's AU per maatstaf at the first uitkeringsfactor (named by
    the maatstaf's name), plus the change of the uitkeringsfactor; they add up to the change."""
    b, a = before.circulaire, after.circulaire
    amount_b = (b.volumes.loc[code] * b.rates.sum(axis=1)).rename(None)
    amount_a = (a.volumes.loc[code] * a.rates.sum(axis=1)).rename(None)
    ozb = pd.concat([b.maatstaven["is_ozb"], a.maatstaven["is_ozb"]])
    ozb = ozb[~ozb.index.duplicated(keep="last")]
    factor = pd.Series(np.where(ozb, 1.0, before.uitkeringsfactor), index=ozb.index)
    steps = amount_a.sub(amount_b, fill_value=0.0) * factor.reindex(amount_a.index.union(amount_b.index))
    names = pd.concat([b.maatstaven["name"], a.maatstaven["name"]])
    names = names[~names.index.duplicated(keep="last")]
    steps.index = [str(names.get(c, c)) for c in steps.index]  # "jongeren", not "jong"
    steps = steps.groupby(level=0, sort=False).sum()
    uf_change = float((amount_a[~ozb.reindex(amount_a.index).to_numpy()]).sum()) * (after.uitkeringsfactor
                                                                                  - before.uitkeringsfactor)
    label = f"uitkeringsfactor {before.uitkeringsfactor:.4f} → {after.uitkeringsfactor:.4f}"
    return pd.concat([steps, pd.Series({label: uf_change})])


def winners_losers(comparison, *, fig=None, lang: str = "en"):
    """Herverdeeleffect per inhabitant by size class (box plot) and by province (mean bar),
    and the phase-in path of the five largest losers and gainers."""
    if fig is None:
        fig = plt.figure(figsize=(13, 4.5), layout="constrained")
    axes = fig.subplots(1, 3)
    pi = comparison.per_inhabitant
    m = comparison.baseline.circulaire.municipalities
    classes = list(m["size_class"].cat.categories)
    axes[0].boxplot([pi[m["size_class"] == c].to_numpy() for c in classes], tick_labels=classes)
    axes[0].axhline(0, color="black", linewidth=0.5)
    axes[0].set_title(translate("Per inhabitant by size class (inhabitants)", lang))
    axes[0].set_ylabel(translate("EUR per inhabitant", lang))
    axes[0].tick_params(axis="x", labelrotation=45, labelsize=8)
    prov = comparison.by_province["effect per inhabitant (EUR)"].sort_values()
    axes[1].barh(prov.index, prov.to_numpy(), color=[LOSS if x < 0 else GAIN for x in prov])
    axes[1].set_title(translate("Per inhabitant by province", lang))
    path = comparison.phase_in_per_inhabitant
    chosen = list(pi.nsmallest(5).index) + list(pi.nlargest(5).index)
    for code in chosen:
        axes[2].plot(list(path.columns), path.loc[code].to_numpy(), marker=".", label=m.loc[code, "name"])
    axes[2].axhline(0, color="black", linewidth=0.5)
    axes[2].set_title(translate("Phase-in (EUR per inhabitant)", lang))
    axes[2].legend(fontsize=6, ncol=2)
    fig.gemfin_data = pd.DataFrame({"per_inhabitant": pi, "size_class": m["size_class"], "province": m["province"]})
    return fig


def tornado(table: pd.DataFrame, *, ax=None, unit: str = "", title: str | None = None, lang: str = "en"):
    """Tornado chart of :func:`gemfin.sensitivity.one_at_a_time`: per parameter a bar from the
    output at its low value to the output at its high value, widest on top."""
    need = {"parameter", "base", "output at low", "output at high"}
    if not need <= set(table.columns):
        raise InputError(f"tornado expects the table of sensitivity.one_at_a_time (columns {sorted(need)})")
    t = table.assign(swing=(table["output at high"] - table["output at low"]).abs()).sort_values("swing")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.5 * len(t) + 1.5))
    base = float(t["base"].iloc[0])
    y = np.arange(len(t))
    lo, hi = t["output at low"].to_numpy(), t["output at high"].to_numpy()
    ax.barh(y, lo - base, left=base, color="tab:blue", label=translate("low value", lang))
    ax.barh(y, hi - base, left=base, color="tab:orange", label=translate("high value", lang))
    ax.axvline(base, color="black", linewidth=0.8)
    names = t["label"] if "label" in t.columns else t["parameter"]
    ax.set_yticks(y, [textwrap.fill(str(n), 48) for n in names], fontsize=8)
    if "noise" in t.columns:  # the Monte Carlo noise band around the base
        noise = float(t["noise"].iloc[0])
        ax.axvspan(base - noise, base + noise, color="grey", alpha=0.2,
                   label=translate("Monte Carlo noise", lang) + " (±1 se)")
    ax.set_xlabel(translate(unit, lang))
    ax.set_title(translate(title or "One-at-a-time sensitivity", lang))
    ax.legend(fontsize=8)
    ax.figure.tight_layout()
    ax.gemfin_data = t.reset_index(drop=True)
    return ax
