"""Forecasts of the realised saldo scored against what municipalities realised.

``backtest(Y)`` forecasts, for every municipality of year Y, the saldo van baten en lasten
(before reserve mutations) of its jaarrekening of Y, using only what was known at the start
of Y (:class:`~gemfin.iv3.panel.InformationSet`): the begroting of Y, the jaarrekeningen up
to Y−2, and the realisation model estimated from the years up to Y−2. Where the realisation
is in the data it is scored: Brier score and its skill against climatology and persistence,
ROC AUC, reliability, CRPS of the saldo per inhabitant, and whether the realised share in
deficit lies in the forecast's 90% interval. Model and calendar: docs/backtest.md.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from .. import realisation
from . import scores
from ..realisation import FIRST_PAIR_YEAR, load_priors  # noqa: F401  (re-exported)
from .._yaml import load_yaml_mapping
from ..errors import GemfinWarning, InputError
from ..iv3.panel import InformationSet, load_panel, municipalities_of, to_indeling
from ..municipalities import load_mergers, successors
from ..engine import check_int as _check_int

QUANTILES = (0.05, 0.5, 0.95)


def available_target_years(data: str | Path | None = None) -> list[int]:
    """Target years with a begroting and a jaarrekening two years earlier."""
    panel = load_panel(InformationSet.everything(), data)
    filed = panel[panel["filed"]]
    begr = set(filed.loc[filed["document"] == "begroting", "year"])
    jr = set(filed.loc[filed["document"] == "jaarrekening", "year"])
    return sorted(y for y in begr if y - 2 in jr and y - 2 >= FIRST_PAIR_YEAR)


@dataclass(frozen=True)
class BacktestResult:
    """predictions: per municipality of the target year (index gm_code): p_deficit,
    saldo_mean, saldo_q5, saldo_q50, saldo_q95 (euros), and, where realised, saldo_realised.
    national: share of municipalities in deficit (mean, q5, q95). scores: one row, or None
    without a realisation. reliability: the reliability diagram's bins. model: the
    realisation model used. filled: municipalities whose begroting was missing or all zero,
    with the filing used instead. missing: municipalities with no begroting at all (no
    forecast). unscored: municipalities with a forecast but no realisation."""

    target_year: int
    paths: int
    seed: int
    predictions: pd.DataFrame
    national: pd.DataFrame
    scores: pd.DataFrame | None
    reliability: pd.DataFrame | None
    model: realisation.RealisationModel
    filled: pd.DataFrame
    missing: tuple[str, ...]
    unscored: tuple[str, ...]
    information: InformationSet | None = field(repr=False, default=None)

    def predictions_table(self) -> pd.DataFrame:
        """``predictions.csv``: gm_code, name, year, the planned saldo of the begroting
        (saldo_begroting), the forecast (p_deficit, saldo_mean, saldo_q5, saldo_q50, saldo_q95)
        and, where the jaarrekening is in the data, the realised saldo (saldo_realised); euros."""
        cols = ["name", "saldo_begroting", "p_deficit", "saldo_mean", "saldo_q5", "saldo_q50", "saldo_q95"]
        if "saldo_realised" in self.predictions.columns:
            cols.append("saldo_realised")
        out = self.predictions[cols].reset_index()
        out.insert(2, "year", self.target_year)
        return out

    def _repr_html_(self) -> str:
        from .. import repr_html

        n = self.national.iloc[0]
        rows = [("Target year", self.target_year), ("Municipalities", len(self.predictions)),
                ("Trained on", ", ".join(map(str, self.model.years))),
                ("Share in deficit (forecast)", f"{n['share_deficit_mean']:.1%} (90%: {n['share_deficit_q5']:.1%}–"
                                                f"{n['share_deficit_q95']:.1%})")]
        if self.scores is not None:
            s = self.scores.iloc[0]
            rows += [("Share in deficit (realised)", f"{s['realised_share']:.1%}"),
                     ("Brier (climatology, persistence)", f"{s['brier']:.3f} ({s['brier_climatology']:.3f}, "
                                                          f"{s['brier_persistence']:.3f})"),
                     ("ROC AUC", f"{s['auc']:.3f}"), ("CRPS (EUR per inhabitant)", f"{s['crps_per_inhabitant']:.1f}")]
        m = self.model
        rows += [("Realisation model", f"β {m.beta:.3f}, ρ {m.gap_persistence:.2e}, year component "
                                       f"{m.year_mean:+.3f} ± {m.year_scale:.3f} (t, {m.year_df:g} df)")]
        filled = [f"{code}: {r['reason']}; used {r['used']}" for code, r in self.filled.iterrows()]
        return (repr_html.fields(f"gemfin backtest {self.target_year}", rows) + repr_html.items("Filled:", filled)
                + repr_html.items("No forecast (no begroting at all):", self.missing)
                + repr_html.items("Not scored (no realisation):", self.unscored)
                + repr_html.items("Model notes:", m.notes))


def _begroting_of_target(panel: pd.DataFrame, codes: pd.Index, year: int) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The begroting of ``year`` per municipality; a missing or empty filing is replaced by
    the municipality's latest earlier one, its amounts scaled by the growth of the lasten of
    the municipalities that filed in both years (its relative saldo kept)."""
    begr = panel[panel["document"] == "begroting"]
    filed = begr[begr["filed"]]
    current = filed[filed["year"] == year].set_index("gm_code")
    rows, filled, missing = [], [], []
    for code in codes:
        if code in current.index:
            rows.append(current.loc[code])
            continue
        earlier = filed[(filed["gm_code"] == code) & (filed["year"] < year)]
        if earlier.empty:
            missing.append(code)
            continue
        src = earlier.loc[earlier["year"].idxmax()].copy()
        y0 = int(src["year"])
        common = set(filed.loc[filed["year"] == y0, "gm_code"]) & set(current.index)
        growth = _lasten_of(filed, year, common) / _lasten_of(filed, y0, common)
        for c in ("lasten", "baten", "saldo"):
            src[c] = src[c] * growth
        src.name = code
        rows.append(src.drop("gm_code"))
        reason = "empty filing (zero totals)" if ((begr["gm_code"] == code) & (begr["year"] == year)).any() \
            else "no filing"
        parts = [p for p, s in successors(year).items() if s == code and p not in codes]
        of = f" of its predecessors {', '.join(sorted(parts))}, summed" if parts and y0 < _merger_year(code, year) else ""
        filled.append({"gm_code": code, "reason": reason, "used": f"begroting {y0}{of}, amounts × {growth:.4f}"})
    out = pd.DataFrame(rows)
    out.index.name = "gm_code"
    return out, pd.DataFrame(filled, columns=["gm_code", "reason", "used"]).set_index("gm_code"), missing


def _merger_year(code: str, year: int) -> int:
    """The year ``code`` last absorbed or was formed from a predecessor (0 if never, up to ``year``)."""
    m = load_mergers()
    years = m.loc[(m["gm_code"] == code) & (m["year"] <= year), "year"]
    return int(years.max()) if len(years) else 0


def _lasten_of(filed: pd.DataFrame, year: int, codes: set) -> float:
    m = (filed["year"] == year) & filed["gm_code"].isin(codes)
    return float(filed.loc[m, "lasten"].sum())


def backtest(target_year: int, paths: int = 10_000, seed: int = 1, *, data: str | Path | None = None,
             priors: str | Path | None = None) -> BacktestResult:
    """Forecast the jaarrekening of ``target_year`` from what was known at its start, and
    score it where the realisation is in the data (see the module docstring)."""
    target_year = _check_int("target_year", target_year, 0, 9999)
    years = available_target_years(data)
    if target_year not in years:
        raise InputError(f"target year {target_year} is outside the data: forecasts need the begroting of the "
                         f"target year and a jaarrekening two years before; available target years: {years}")
    paths = _check_int("paths", paths, 100, 10_000_000)
    seed = _check_int("seed", seed, 0, 2**63 - 1)
    prior = load_priors(priors)

    info = InformationSet.for_target(target_year)
    # In the target year's division: a municipality formed by a merger gets its predecessors'
    # summed filings as its history (begroting to fill from, realisation gap, training pairs).
    panel = to_indeling(load_panel(info, data), target_year, data)
    train_years = list(range(FIRST_PAIR_YEAR, info.jaarrekening + 1))
    gaps = realisation.shipped_gap_distributions(data, priors)
    model = realisation.fit(panel, train_years, prior["prior_sd"], prior["prior_years"], gaps)

    names = municipalities_of(target_year, data)
    codes = names.index
    begr, filled, missing = _begroting_of_target(panel, codes, target_year)
    if missing:
        warnings.warn(f"backtest {target_year}: no begroting at all for {missing}; these get no forecast",
                      GemfinWarning, stacklevel=2)
    b = (begr["saldo"] / begr["lasten"]).to_numpy(dtype=float)
    # The score of the municipality's realisation gap two years back (0 where it has none: new or merged).
    u = realisation.persistence_signal(info.jaarrekening, target_year, data, gaps).reindex(begr.index).fillna(0.0).to_numpy()
    rel = realisation.simulate(model, b, u, begr["inhabitants"].to_numpy(dtype=float), paths, seed, stream=target_year)
    saldo = rel * begr["lasten"].to_numpy()[None, :]
    deficit = saldo < 0
    pred = pd.DataFrame({"name": names.reindex(begr.index),
                         "p_deficit": deficit.mean(axis=0), "saldo_mean": saldo.mean(axis=0)}, index=begr.index)
    for q, col in zip(QUANTILES, ("saldo_q5", "saldo_q50", "saldo_q95")):
        pred[col] = np.quantile(saldo, q, axis=0)
    pred["saldo_begroting"] = begr["saldo"].to_numpy()
    pred["inhabitants"] = begr["inhabitants"].to_numpy()
    share = deficit.mean(axis=1)
    national = pd.DataFrame({"share_deficit_mean": [share.mean()], "share_deficit_q5": [np.quantile(share, 0.05)],
                             "share_deficit_q95": [np.quantile(share, 0.95)]}, index=pd.Index([target_year], name="year"))

    realised = _realisation(target_year, data)
    score = rel_table = None
    unscored: list[str] = []
    if realised is not None:
        pred["saldo_realised"] = realised.reindex(pred.index)
        ok = pred["saldo_realised"].notna().to_numpy()
        unscored = list(pred.index[~ok])
        score, rel_table = _scores(pred, saldo, ok, panel, info, national, target_year)
    return BacktestResult(target_year, paths, seed, pred, national, score, rel_table, model, filled,
                          tuple(missing), tuple(unscored), info)


def _realisation(year: int, data) -> pd.Series | None:
    """The realised saldo of ``year`` (scoring only: read after the forecast is made)."""
    exact = InformationSet(begroting=0, jaarrekening=year)
    panel = load_panel(exact, data)
    jr = panel[(panel["document"] == "jaarrekening") & (panel["year"] == year) & panel["filed"]]
    if jr.empty:
        return None
    return jr.set_index("gm_code")["saldo"]


def _scores(pred: pd.DataFrame, saldo: np.ndarray, ok: np.ndarray, panel: pd.DataFrame, info: InformationSet,
            national: pd.DataFrame, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    p = pred.loc[ok, "p_deficit"].to_numpy()
    outcome = (pred.loc[ok, "saldo_realised"] < 0).to_numpy()
    row = probability_scores(p, outcome, pred.index[ok], panel, info, national)
    inh = pred.loc[ok, "inhabitants"].to_numpy()
    crps = scores.crps_ensemble(saldo[:, ok] / inh[None, :], pred.loc[ok, "saldo_realised"].to_numpy() / inh)
    row = {"year": year, **row}
    row["crps_per_inhabitant"] = float(crps.mean())
    order = ["year", "municipalities_scored", "brier", "brier_climatology", "brier_persistence", "skill_vs_climatology",
             "skill_vs_persistence", "auc", "crps_per_inhabitant", "climatology", "realised_share", "share_q5",
             "share_q95", "realised_share_in_interval"]
    return pd.DataFrame([row])[order].set_index("year"), scores.reliability(p, outcome)


def probability_scores(p: np.ndarray, outcome: np.ndarray, codes: pd.Index, panel: pd.DataFrame,
                       info: InformationSet, national: pd.DataFrame) -> dict:
    """The scores of P(deficit) ``p`` for the realised deficits ``outcome`` of the
    municipalities ``codes``: Brier and its references (climatology: the share in deficit
    over every jaarrekening of ``panel``, which holds the years up to Y − 2; persistence: the
    sign of each municipality's jaarrekening of Y − 2, climatology where it has none), AUC, and
    whether the realised share lies in the interval of ``national``."""
    jr = panel[(panel["document"] == "jaarrekening") & panel["filed"]]
    climatology = float((jr["saldo"] < 0).mean())
    before = jr[jr["year"] == info.jaarrekening].set_index("gm_code")["saldo"]
    previous = before.reindex(codes)
    persistence = (previous < 0).astype(float).where(previous.notna(), climatology).to_numpy()
    b, bc, bp = scores.brier(p, outcome), scores.brier(np.full_like(p, climatology), outcome), scores.brier(persistence, outcome)
    share = float(outcome.mean())
    n = national.iloc[0]
    return {"municipalities_scored": len(p), "brier": b, "brier_climatology": bc,
            "brier_persistence": bp, "skill_vs_climatology": 1 - b / bc, "skill_vs_persistence": 1 - b / bp,
            "auc": scores.roc_auc(p, outcome), "climatology": climatology, "realised_share": share,
            "share_q5": n["share_deficit_q5"], "share_q95": n["share_deficit_q95"],
            "realised_share_in_interval": bool(n["share_deficit_q5"] <= share <= n["share_deficit_q95"])}


def write_backtest(res: BacktestResult, out_dir: str | os.PathLike, about: dict) -> list[Path]:
    """``predictions.csv``, ``national.csv``, ``scores.csv`` (with a realisation) and
    ``run.json`` in ``out_dir``, all or none (see gemfin.io)."""
    from ..io import write_csv, write_directory, write_json

    tables = {"predictions.csv": res.predictions_table(), "national.csv": res.national}
    if res.scores is not None:
        tables["scores.csv"] = res.scores
    files: dict[str, Callable[[Path], object]] = {name: partial(write_csv, df=df) for name, df in tables.items()}
    files["run.json"] = lambda p: write_json(p, about)
    return write_directory(out_dir, files)


def engine_scenario(target_year: int, base: str | Path | None = None):
    """The simulation engine set up to forecast the jaarrekening of ``target_year`` as the
    backtest does: the baseline scenario from the begroting of the target year with the fund as
    booked, the target year as the first output year (``first_year: base``: no growth enters
    it), the realisation model estimated on the years up to target − 2 and the response on the
    begrotingen up to the target year (it enters only the artikel-12 signal: the first year has
    no growth, so the excess growth and the response's measures do not enter it)."""
    import copy

    from .._datadir import scenarios_dir
    from ..calibrate import realisation_parameters, response_parameters
    from ..scenario import scenario_from_dict

    path = Path(base) if base is not None else scenarios_dir() / "baseline.yaml"
    doc = copy.deepcopy(load_yaml_mapping(path, InputError))
    doc["circulaire"] = "booked"
    doc.setdefault("budget", {})["base"] = {"document": "begroting", "year": int(target_year), "first_year": "base"}
    doc["budget"]["realisation"] = realisation_parameters(int(target_year) - 2)
    doc["budget"]["response"] = response_parameters(int(target_year))
    doc["budget"].pop("ingroei", None)  # the fund as booked already holds what was paid
    doc["horizon"] = 1
    doc.setdefault("fund", {})["policy_mutations"] = []
    for key in ("shocks", "compensation"):
        doc.pop(key, None)
    return scenario_from_dict(doc, origin=f"engine backtest {target_year} (from {path})", path=path)


def engine_forecast(target_year: int, paths: int = 10_000, seed: int = 1) -> pd.Series:
    """P(deficit) per municipality for the jaarrekening of ``target_year`` from the simulation
    engine (:func:`engine_scenario`); it should agree with :func:`backtest` up to Monte Carlo
    noise, as both run the same realisation model (docs/backtest.md)."""
    from ..run.simulation import simulate

    res = simulate(engine_scenario(target_year), paths=paths, seed=seed, progress=False)
    assert res.finances is not None  # the scenario has a budget
    return pd.Series(res.finances.p_deficit[:, 0], index=res.municipalities.index, name="p_deficit")
