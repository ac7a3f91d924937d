"""A scenario against another (usually the baseline): paired differences with Monte Carlo
intervals.

Two runs with the same seed and number of paths draw the same random numbers for every shock
they share (counter-based streams keyed by seed and variable, counters from path, year and
index): path *p* of the scenario and path *p* of the baseline see the same GDP, the same
demography, the same budget errors. The difference of their means is then the mean of the
paired per-path differences, and its Monte Carlo error is far smaller than either run's.

The two runs keep only statistics, not paths, so the error of the difference is measured by
replication: ``groups`` independent pairs of smaller runs (seeds derived from the runs' seed,
each pair with common random numbers), whose paired differences have a spread from which the
standard error at the runs' number of paths follows (batch means: a run's paths are
independent draws, so the variance of a mean falls as 1/paths). The interval is a Student-t
interval on ``groups − 1`` degrees of freedom.

Which shocks are shared: a macro shock is shared when it sits at the same place in both
scenarios' list of correlated variables (:attr:`Difference.shared`); a shock one scenario adds
(an event of ``shocks:``) is drawn for it alone, and it moves the variables after it in the list
(:attr:`Difference.not_shared` names them). Municipal draws are shared when both runs have the
same municipalities and drivers.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError

def _per_municipality(res) -> dict[str, np.ndarray]:
    out = {"algemene uitkering": res.au_mean}
    f = res.finances
    if f is not None:
        out.update({"saldo": f.saldo_mean, "P(deficit)": f.p_deficit, "P(reserves exhausted)": f.p_exhausted,
                    "P(artikel 12 signal)": f.p_art12})
    return out


def _national(res) -> dict[str, np.ndarray]:
    out = {"algemene uitkering (EUR mln)": res.budget["mean"].to_numpy() / 1e6}
    f = res.finances
    if f is not None:
        out.update({"total saldo (EUR mln)": f.saldo_mean.sum(axis=0) / 1e6,
                    "share in deficit": f.share_deficit["mean"].to_numpy(),
                    "expected artikel-12 signals": f.p_art12.sum(axis=0)})
    return out


@dataclass(frozen=True)
class Difference:
    """``a`` − ``b`` per municipality and year (``by_municipality``: index municipality × year,
    per measure the difference and its 95% Monte Carlo interval) and per year nationally
    (``national``), from runs with common random numbers; ``shared``/``not_shared``: the macro
    shocks drawn alike in both, and the rest."""

    a: str
    b: str
    seed: int
    paths: int
    groups: int
    group_paths: int
    by_municipality: pd.DataFrame
    national: pd.DataFrame
    shared: tuple[str, ...]
    not_shared: tuple[str, ...]
    municipal_shared: bool
    notes: tuple[str, ...] = field(default=())

    def summary(self, year: int | None = None, measure: str = "saldo", n: int = 20) -> pd.DataFrame:
        """The ``n`` municipalities whose ``measure`` changes most in ``year`` (default the last),
        with the interval and whether it excludes zero."""
        if measure not in self.by_municipality.columns.get_level_values(0):
            raise InputError(f"measure {measure!r}: expected one of {sorted(set(self.by_municipality.columns.get_level_values(0)))}")
        years = self.by_municipality.index.get_level_values("year").unique()
        year = int(years[-1]) if year is None else year
        if year not in years:
            raise InputError(f"year {year}: expected one of {int(years[0])}–{int(years[-1])}")
        t = self.by_municipality.xs(year, level="year")[measure]
        t = t.assign(significant=(t["low"] > 0) | (t["high"] < 0))
        return t.reindex(t["difference"].abs().sort_values(ascending=False).index).head(n)

    def _repr_html_(self) -> str:
        from .. import repr_html

        text = (f"<p>{html.escape(self.a)} − {html.escape(self.b)}: seed {self.seed}, {self.paths:,} paths each, "
                f"common random numbers; 95% Monte Carlo intervals from {self.groups} replicate pairs of "
                f"{self.group_paths:,} paths.</p>")
        return (repr_html.heading(f"Difference: {self.a} − {self.b}") + text + repr_html.frame(self.national)
                + repr_html.items("Shocks drawn alike:", self.shared)
                + repr_html.items("Shocks drawn for one scenario only:", self.not_shared))


def _derived_seed(seed: int, k: int) -> int:
    """The seed of replicate ``k``: a SplitMix64 step from the run's seed (never the seed itself)."""
    z = (seed + 0x9E3779B97F4A7C15 * (k + 1)) % 2**64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) % 2**64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % 2**64
    return z ^ (z >> 31)


def _check_pair(a, b) -> None:
    from ..results.simulation import SimulationResult

    for name, r in (("run_a", a), ("run_b", b)):
        if not isinstance(r, SimulationResult):
            raise InputError(f"{name}: expected a SimulationResult (gemfin.simulate), got {type(r).__name__}")
    problems = []
    if a.seed != b.seed:
        problems.append(f"seeds differ ({a.seed} vs {b.seed})")
    if a.paths != b.paths:
        problems.append(f"paths differ ({a.paths:,} vs {b.paths:,})")
    if a.antithetic != b.antithetic:
        problems.append("one run is antithetic and the other is not")
    if tuple(a.years) != tuple(b.years):
        problems.append(f"years differ ({a.years[0]}–{a.years[-1]} vs {b.years[0]}–{b.years[-1]})")
    if list(a.municipalities.index) != list(b.municipalities.index):
        problems.append("the municipalities differ (another indeling or base year)")
    if (a.finances is None) != (b.finances is None):
        problems.append("one run has municipal budgets and the other has not")
    if problems:
        raise InputError("difference: the runs cannot be paired: " + "; ".join(problems)
                         + "; run both with the same seed, paths and base year")


def difference(run_a, run_b, groups: int = 20, group_paths: int | None = None, threads: int | None = None,
               progress: bool = True) -> Difference:
    """``run_a`` − ``run_b`` (two :func:`gemfin.simulate` results with the same seed and paths):
    paired differences per municipality and year and nationally, each with a 95% Monte Carlo
    interval from ``groups`` replicate pairs of ``group_paths`` paths (default: paths/groups,
    at most 250). See the module docstring for what is shared."""
    from scipy import stats

    from .base import build_base
    from .simulation import simulate

    _check_pair(run_a, run_b)
    if isinstance(groups, bool) or not isinstance(groups, int) or not 5 <= groups <= 1000:
        raise InputError(f"groups must be an integer from 5 to 1000, got {groups!r}")
    m = max(32, min(run_a.paths // groups, 250)) if group_paths is None else group_paths
    if isinstance(m, bool) or not isinstance(m, int) or m < 2:
        raise InputError(f"group_paths must be an integer ≥ 2, got {m!r}")
    if run_a.antithetic and m % 2:
        m += 1
    muni_a, muni_b = _per_municipality(run_a), _per_municipality(run_b)
    nat_a, nat_b = _national(run_a), _national(run_b)
    reps_m: dict[str, list[np.ndarray]] = {k: [] for k in muni_a}
    reps_n: dict[str, list[np.ndarray]] = {k: [] for k in nat_a}
    # The replicates differ from the runs in seed and paths only: each scenario's base is built once.
    base_a, base_b = build_base(run_a.scenario), build_base(run_b.scenario)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=groups, unit="pair", desc="gemfin difference", leave=False)
    try:
        for k in range(groups):
            seed = _derived_seed(run_a.seed, k)
            ra = simulate(run_a.scenario, paths=m, seed=seed, antithetic=run_a.antithetic, threads=threads,
                          progress=False, base=base_a)
            rb = simulate(run_b.scenario, paths=m, seed=seed, antithetic=run_b.antithetic, threads=threads,
                          progress=False, base=base_b)
            pa, pb = _per_municipality(ra), _per_municipality(rb)
            for key in reps_m:
                reps_m[key].append(pa[key] - pb[key])
            na, nb = _national(ra), _national(rb)
            for key in reps_n:
                reps_n[key].append(na[key] - nb[key])
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    t = float(stats.t.ppf(0.975, groups - 1))
    scale = np.sqrt(m / run_a.paths)  # the spread of a mean over m paths, brought to the runs' paths

    def interval(diff: np.ndarray, reps: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        half = t * np.std(np.stack(reps), axis=0, ddof=1) * scale
        return diff - half, diff + half

    years = list(run_a.years)
    index = pd.MultiIndex.from_product([list(run_a.municipalities.index), years], names=["municipality", "year"])
    cols = {}
    for key in muni_a:
        d = muni_a[key] - muni_b[key]
        lo, hi = interval(d, reps_m[key])
        for stat, arr in (("difference", d), ("low", lo), ("high", hi)):
            cols[(key, stat)] = arr.reshape(-1)
    by_muni = pd.DataFrame(cols, index=index)
    by_muni.columns = pd.MultiIndex.from_tuples(list(cols), names=["measure", "statistic"])
    ncols = {}
    for key in nat_a:
        d = nat_a[key] - nat_b[key]
        lo, hi = interval(d, reps_n[key])
        for stat, arr in (("difference", d), ("low", lo), ("high", hi)):
            ncols[(key, stat)] = arr
    national = pd.DataFrame(ncols, index=pd.Index(years, name="year"))
    national.columns = pd.MultiIndex.from_tuples(list(ncols), names=["measure", "statistic"])
    sa, sb = run_a.scenario.shock_names, run_b.scenario.shock_names
    shared = tuple(x for i, x in enumerate(sa) if i < len(sb) and sb[i] == x)
    not_shared = tuple(sorted((set(sa) | set(sb)) - set(shared)))
    municipal = list(run_a.scenario.drivers) == list(run_b.scenario.drivers)
    return Difference(run_a.scenario.name, run_b.scenario.name, run_a.seed, run_a.paths, groups, m, by_muni, national,
                      shared, not_shared, municipal)
