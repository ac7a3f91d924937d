"""The realisation model: from a begroting to the jaarrekening of the same year.

Begrotingen are pessimistic and their saldo says little about the realised one. For
municipality g in year t, with saldi before reserve mutations relative to the begroting's
lasten L (b: planned, j: realised)::

    j[g,t] = α[t] + β · b[g,t] + ρ · ũ[g,t−2] + e[g,t]

- α[t], the year-level common component (corona compensation, late accres increases: whole
  years come out better or worse), and β, how much of a planned saldo is realised, by
  least squares with year fixed effects;
- ρ, municipal persistence: u[g,t−2] is the municipality's own realisation gap (j − b) two
  years earlier, less that year's mean gap (the last one known when year t starts), and ũ
  its Student-t score (:func:`gap_score`): a gap is part habit, part one-off, and the one-offs
  are heavy-tailed, so a moderate gap says more about the habit than a very large one;
  ρ estimates the variance of the habit;
- e, the municipal dispersion: a Student-t with location 0 fitted to the residuals by maximum
  likelihood (they are heavy-tailed: a land sale or a late grant moves one municipality's
  result by 10% of its lasten). A parametric form, so that the scenario files can carry it
  and the engine draw it. Its scale falls with size: one land sale weighs more in a small
  budget (in 2017–2018 the median absolute residual was 3.6% of lasten in the smallest fifth
  of municipalities and 2.1% in the largest). The scale is s·(inhabitants / n_ref)^γ, with γ
  the slope of log|residual| on log inhabitants and n_ref the median size of the training
  pairs; the Student-t is fitted to the residuals divided by that factor.

For a new year the year component is unknown: it is drawn from a Student-t around the mean
of the past α with the spread of the past α, pooled with a prior of ``prior_years``
pseudo-years of spread ``prior_sd`` (both in ``scenarios/realisation.yaml``; with one past
year the data alone cannot give a spread). The model and its estimation: docs/backtest.md.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._yaml import load_yaml_mapping
from .errors import DataError, InputError

#: Relative saldi beyond ±50% of lasten are one-offs (a land sale, a merger year); training
#: values are clipped there so that a handful cannot steer β and α.
CLIP = 0.5
#: The first year with a begroting and a jaarrekening in the panel.
FIRST_PAIR_YEAR = 2017
#: Fewer pairs than this and ρ is not estimated (set to 0, said in ``notes``).
MIN_PERSISTENCE_PAIRS = 100
#: Fewer gaps in a year than this and its Student-t (for the gap score) is not fitted: the
#: year's gaps get no score (no persistence signal) and the fit says so in ``notes``.
MIN_GAPS_PER_YEAR = 30
#: Nor when the fitted scale is below this (fraction of lasten: EUR 100 on EUR 100 mln): such
#: gaps are copies of the begroting, and the score of the one that is not would be unbounded.
MIN_GAP_SCALE = 1e-6


@dataclass(frozen=True)
class RealisationModel:
    """Parameters estimated from begroting/jaarrekening pairs of ``years``."""

    years: tuple[int, ...]
    alpha: pd.Series          # year component per training year (fraction of lasten)
    beta: float               # share of the planned relative saldo that is realised
    gap_persistence: float    # ρ: variance of the municipal habit; multiplies the gap score two years back
    residuals: np.ndarray     # the municipal residuals (fraction of lasten), for diagnostics
    residual_df: float        # the Student-t fitted to them: degrees of freedom
    residual_scale: float     # and scale (location 0) at the reference size
    size_elasticity: float    # γ: the residual scale ∝ (inhabitants / reference)^γ
    reference_inhabitants: float
    year_mean: float          # location of the next year's α
    year_scale: float         # scale of the next year's α (Student-t)
    year_df: float            # degrees of freedom of that Student-t
    pairs: int                # municipality-years used
    notes: tuple[str, ...] = field(default=())

    def parameters(self) -> dict[str, float]:
        """The numbers a scenario file cites (``DERIVED gemfin.calibrate.realisation_model``)."""
        return {"beta": self.beta, "gap_persistence": self.gap_persistence, "residual_df": self.residual_df,
                "residual_scale": self.residual_scale, "size_elasticity": self.size_elasticity,
                "reference_inhabitants": self.reference_inhabitants, "year_mean": self.year_mean, "year_scale": self.year_scale,
                "year_df": self.year_df}


def relative_pairs(panel: pd.DataFrame) -> pd.DataFrame:
    """Per (gm_code, year) with both filings: b and j relative to the begroting's lasten, the
    lasten and inhabitants of the begroting."""
    filed = panel[panel["filed"]]
    b = filed[filed["document"] == "begroting"].set_index(["gm_code", "year"])
    j = filed[filed["document"] == "jaarrekening"].set_index(["gm_code", "year"])
    both = b.index.intersection(j.index)
    lasten = b.loc[both, "lasten"]
    ok = lasten > 0
    both = both[ok.to_numpy()]
    out = pd.DataFrame({"b": b.loc[both, "saldo"] / b.loc[both, "lasten"],
                        "j": j.loc[both, "saldo"] / b.loc[both, "lasten"],
                        "lasten": b.loc[both, "lasten"], "inhabitants": b.loc[both, "inhabitants"]})
    return out.sort_index()


def gap_deviation(pairs: pd.DataFrame) -> pd.Series:
    """Each municipality's realisation gap j − b, less the mean gap of its year."""
    gap = (pairs["j"] - pairs["b"]).clip(-CLIP, CLIP)
    return gap - gap.groupby(level="year").transform("mean")


def gap_score(dev: pd.Series, distributions: Mapping[int, tuple[float, float]] | None = None) -> pd.Series:
    """The persistence signal of each gap u (:func:`gap_deviation`): its Student-t score
    ũ = (ν + 1)·u / (ν·s² + u²), with ν and s of a Student-t (location 0) fitted by maximum
    likelihood to the gaps of its year — taken from ``distributions`` (year → (ν, s), the
    numbers ``scenarios/realisation.yaml`` carries, :func:`load_gap_distributions`) where it
    has the year, else fitted here. The shipped numbers keep SciPy's optimiser, whose last bits
    can differ between CPUs, out of what the engine computes.

    Why this and not u itself: write a gap as u = p + η, p the municipality's habit (small
    variance σ², it returns) and η the year's one-off (heavy-tailed: a land sale, a late
    grant). Then E[p | u] ≈ σ²·ũ (Tweedie's formula, to first order in σ²): a moderate gap
    speaks for the habit, a very large one hardly (ũ falls beyond |u| = s·√ν), and a year
    whose one-offs spread wider (larger s) counts less. So the regression coefficient of a
    later gap on ũ estimates σ². In the data the linear gap's link with the gap two years
    later rests on its outliers: the residuals of 2019 against the gaps of 2017 correlate 0.12,
    their ranks 0.04.

    A year with fewer than ``MIN_GAPS_PER_YEAR`` gaps, or whose gaps have no spread (fitted
    scale below ``MIN_GAP_SCALE``), gets NaN (no score) rather than a distribution fitted to a
    handful or to nothing."""
    out = pd.Series(np.nan, index=dev.index, dtype=float)
    years = dev.index.get_level_values("year")
    for t in np.unique(years):
        mine = years == t
        if distributions is not None and int(t) in distributions:
            nu, s = distributions[int(t)]
            if not _usable_gap_distribution(nu, s):
                continue
        else:
            fitted = gap_distribution(dev[mine].dropna().to_numpy(dtype=float))
            if fitted is None:
                continue
            nu, s = fitted
        x = dev[mine]
        out[mine] = (nu + 1.0) * x / (nu * s * s + x * x)
    return out


def gap_distribution(gaps: np.ndarray) -> tuple[float, float] | None:
    """(ν, s) of one year's gaps, a Student-t with location 0 by maximum likelihood; None with
    fewer than ``MIN_GAPS_PER_YEAR`` gaps or no spread (scale below ``MIN_GAP_SCALE``)."""
    if len(gaps) < MIN_GAPS_PER_YEAR:
        return None
    nu, s = fit_student_t(gaps)
    return (nu, s) if _usable_gap_distribution(nu, s) else None


def _usable_gap_distribution(nu: float, s: float) -> bool:
    return bool(np.isfinite(nu) and np.isfinite(s) and nu > 0 and s >= MIN_GAP_SCALE)


def fit(panel: pd.DataFrame, years: list[int], prior_sd: float, prior_years: float,
        gap_distributions: Mapping[int, tuple[float, float]] | None = None) -> RealisationModel:
    """Estimate the model on the begroting/jaarrekening pairs of ``years`` in ``panel``;
    ``gap_distributions``: the gaps' Student-t per year for the gap score (:func:`gap_score`;
    None: fitted here, as for a panel that is not the shipped data)."""
    pairs = relative_pairs(panel)
    train = pairs[pairs.index.get_level_values("year").isin(years)]
    if train.empty:
        raise DataError(f"realisation model: no begroting/jaarrekening pairs for the years {years}")
    b, j = train["b"].clip(-CLIP, CLIP), train["j"].clip(-CLIP, CLIP)
    yr = train.index.get_level_values("year")
    # Within-year least squares: β from the demeaned values, α[t] = mean(j − βb) per year.
    bd = b - b.groupby(yr).transform("mean")
    jd = j - j.groupby(yr).transform("mean")
    beta = float((bd * jd).sum() / (bd * bd).sum())
    alpha = (j - beta * b).groupby(yr).mean()
    resid = j - beta * b - alpha.reindex(yr).to_numpy()

    notes = []
    dev = gap_deviation(pairs)
    signal = gap_score(dev, gap_distributions)
    if gap_distributions is not None:
        fitted_here = sorted({int(t) for t in dev.index.get_level_values("year")} - set(gap_distributions))
        if fitted_here:
            notes.append(f"persistence: the gap distributions of {fitted_here} are not in scenarios/realisation.yaml; "
                         "fitted at run time (`gemfin calibrate gaps` prints them)")
    unscored = sorted({int(t) for t in dev.index.get_level_values("year")[signal.isna() & dev.notna()]})
    if unscored:
        notes.append(f"persistence: the realisation gaps of {unscored} are too few (under {MIN_GAPS_PER_YEAR} a "
                     "year) or without spread to fit their distribution; they give no persistence signal")
    back = signal.rename(lambda y: y + 2, level="year")  # ũ[g, t−2] indexed by t
    lagged = back.reindex(train.index)
    ok = lagged.notna().to_numpy()
    rho = 0.0
    if ok.sum() >= MIN_PERSISTENCE_PAIRS:
        u, e = lagged[ok].to_numpy(), resid[ok].to_numpy()
        rho = float((u * e).sum() / (u * u).sum())
        resid = resid - rho * lagged.fillna(0.0)
    else:
        notes.append(f"persistence not estimated: {int(ok.sum())} pairs with a realisation two years earlier "
                     f"(fewer than {MIN_PERSISTENCE_PAIRS}); ρ = 0")

    n = len(alpha)
    # The next year's α: Student-t around the past mean; its spread pools the past years'
    # variance with the prior (prior_years pseudo-years of variance prior_sd²), and grows by
    # √(1 + 1/n) for the uncertainty of the mean itself.
    ss = float(((alpha - alpha.mean()) ** 2).sum())
    df = prior_years + n - 1
    if df <= 0:
        raise DataError("realisation model: one training year and no prior; give prior_years > 0")
    scale = np.sqrt((prior_years * prior_sd ** 2 + ss) / df) * np.sqrt(1 + 1 / n)
    if n == 1:
        notes.append("one training year: the spread of the year component comes from the prior alone")
    residuals = resid.to_numpy(dtype=float)
    inhabitants = train["inhabitants"].to_numpy(dtype=float)
    ok = (inhabitants > 0) & (residuals != 0)
    n_ref = float(np.median(inhabitants[inhabitants > 0]))
    x, y = np.log(inhabitants[ok] / n_ref), np.log(np.abs(residuals[ok]))
    sxx = float(((x - x.mean()) ** 2).sum())
    gamma = float(((x - x.mean()) * (y - y.mean())).sum() / sxx) if sxx > 0 else 0.0
    if sxx == 0:
        notes.append("all training pairs have the same size: the residual scale does not depend on size (γ = 0)")
    r_df, r_scale = fit_student_t(residuals / size_factor(inhabitants, gamma, n_ref))
    return RealisationModel(years=tuple(int(y) for y in alpha.index), alpha=alpha, beta=beta, gap_persistence=rho,
                            residuals=residuals, residual_df=r_df, residual_scale=r_scale,
                            size_elasticity=gamma, reference_inhabitants=n_ref,
                            year_mean=float(alpha.mean()),
                            year_scale=float(scale), year_df=float(df), pairs=len(train), notes=tuple(notes))


def size_factor(inhabitants, gamma: float, reference: float) -> np.ndarray:
    """(inhabitants / reference)^γ; 1 where the number of inhabitants is unknown (≤ 0 or NaN).
    With the core's fixed-operation power: it feeds the simulation, which gives the same bits on
    every CPU (numpy's power does not)."""
    from .engine import fixed_power

    n = np.asarray(inhabitants, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = fixed_power(n / reference, gamma)
    return np.where(np.isfinite(f) & (n > 0), f, 1.0)


def fit_student_t(residuals: np.ndarray) -> tuple[float, float]:
    """Degrees of freedom and scale of a Student-t with location 0, by maximum likelihood."""
    from scipy import stats

    if len(residuals) < 30:
        raise DataError(f"realisation model: {len(residuals)} residuals are too few to fit their distribution (30 or more)")
    df, _, scale = stats.t.fit(residuals, floc=0.0)
    return float(df), float(scale)


def simulate(model: RealisationModel, b: np.ndarray, u: np.ndarray, inhabitants: np.ndarray, paths: int,
             seed: int, stream: int) -> np.ndarray:
    """Realised relative saldi, paths × municipalities: one year component per path, one
    residual per municipality and path; ``u`` is each municipality's gap score two years
    back (:func:`persistence_signal`, 0 where it has none). Philox keyed by (seed, stream);
    the same seed and stream give the same draws."""
    rng = np.random.Generator(np.random.Philox(key=(int(seed) << 64) | int(stream)))
    alpha = model.year_mean + model.year_scale * rng.standard_t(model.year_df, size=paths)
    scale = model.residual_scale * size_factor(inhabitants, model.size_elasticity, model.reference_inhabitants)
    e = scale[None, :] * rng.standard_t(model.residual_df, size=(paths, len(b)))
    return alpha[:, None] + model.beta * np.clip(b, -CLIP, CLIP)[None, :] + model.gap_persistence * u[None, :] + e


def persistence_signal(known: int, division: int, data=None,
                       distributions: Mapping[int, tuple[float, float]] | None = None) -> pd.Series:
    """Each municipality's gap score ũ of year ``known`` (:func:`gap_score` of
    :func:`gap_deviation`: jaarrekening against begroting, less that year's mean, scored under
    the Student-t of that year's gaps, from ``distributions`` where it has the year; empty if the
    year has no pairs in the data), in the
    municipal division of ``division`` (merged municipalities' filings summed). Reads only the
    filings of ``known`` and before; computed once per file version."""
    from ._datadir import data_dir
    from ._tables import derived_from_files
    from .iv3.panel import BATEN, SUMMARY, InformationSet, load_panel, to_indeling

    def build() -> pd.Series:
        panel = to_indeling(load_panel(InformationSet(begroting=known, jaarrekening=known), data), division, data)
        dev = gap_deviation(relative_pairs(panel))
        if known not in dev.index.get_level_values("year"):
            return pd.Series(dtype=float)
        return gap_score(dev.xs(known, level="year", drop_level=False), distributions).droplevel("year")

    root = data_dir(data)
    files = [root / "finance" / SUMMARY, root / "finance" / BATEN, root / "municipalities" / "herindelingen.csv"]
    table = None if distributions is None else distributions.get(int(known))
    return derived_from_files(files, ("persistence_signal", known, division, table), build)


def _repo_scenarios() -> Path:
    from ._datadir import scenarios_dir

    return scenarios_dir()


def load_priors(path: str | Path | None = None) -> dict[str, float]:
    """The prior of the year component (``scenarios/realisation.yaml``), validated."""
    p = Path(path) if path is not None else _repo_scenarios() / "realisation.yaml"
    doc = load_yaml_mapping(p, InputError)
    out = {}
    for key, lo, hi in (("prior_sd", 0.0, 1.0), ("prior_years", 0.0, 100.0)):
        try:
            node = doc["year_component"][key]
            value, source = node["value"], node["source"]
        except (KeyError, TypeError):
            raise InputError(f"{p}: year_component.{key}: expected {{value: NUMBER, source: TEXT}}") from None
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not lo <= float(value) <= hi:
            raise InputError(f"{p}: year_component.{key}.value: expected a number in [{lo}, {hi}], got {value!r}")
        if not isinstance(source, str) or not source.strip():
            raise InputError(f"{p}: year_component.{key}.source: expected a non-empty source")
        out[key] = float(value)
    return out


def load_gap_distributions(path: str | Path | None = None) -> dict[int, tuple[float, float]]:
    """The Student-t (ν, s) of each year's realisation gaps (``gap_distributions`` in
    ``scenarios/realisation.yaml``, ``DERIVED gemfin.calibrate.gap_distributions``), validated."""
    p = Path(path) if path is not None else _repo_scenarios() / "realisation.yaml"
    return _gap_table(load_yaml_mapping(p, InputError), p)


def _gap_table(doc: dict, p: Path) -> dict[int, tuple[float, float]]:
    table = doc.get("gap_distributions")
    if not isinstance(table, dict) or not table:
        raise InputError(f"{p}: gap_distributions: expected a mapping YEAR: {{distribution: student_t, "
                         "params: [DF, 0.0, SCALE], source: TEXT}}")
    out = {}
    for year, node in table.items():
        where = f"{p}: gap_distributions.{year}"
        if isinstance(year, bool) or not isinstance(year, int):
            raise InputError(f"{where}: expected a year as the key")
        if not isinstance(node, dict) or node.get("distribution") != "student_t":
            raise InputError(f"{where}: expected {{distribution: student_t, params: [DF, 0.0, SCALE], source: TEXT}}")
        params = node.get("params")
        numbers_ok = (isinstance(params, list) and len(params) == 3
                      and all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in params))
        values = [float(x) for x in params] if numbers_ok and isinstance(params, list) else []
        if not (values and np.isfinite(values).all() and values[0] > 0 and values[1] == 0
                and values[2] >= MIN_GAP_SCALE):
            raise InputError(f"{where}.params: expected [DF > 0, 0.0, SCALE >= {MIN_GAP_SCALE}], got {params!r}")
        if not isinstance(node.get("source"), str) or not node["source"].strip():
            raise InputError(f"{where}.source: expected a non-empty source")
        out[year] = (values[0], values[2])
    return out


def shipped_gap_distributions(data=None, priors: str | Path | None = None) -> dict[int, tuple[float, float]] | None:
    """The gap distributions to use with the data: the table of the realisation file for the
    shipped data (``data`` None), None — fitted at run time — for other data or for a
    realisation file without the table."""
    if data is not None:
        return None
    p = Path(priors) if priors is not None else _repo_scenarios() / "realisation.yaml"
    doc = load_yaml_mapping(p, InputError)
    return _gap_table(doc, p) if "gap_distributions" in doc else None
