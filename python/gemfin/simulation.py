"""Monte Carlo projection of the algemene uitkering per municipality (issue #3).

``simulate(scenario, paths=10_000, seed=1)`` runs the compiled core (Philox random numbers,
TBB over fixed blocks of paths, statistics streamed with memory independent of ``paths``)
and returns a :class:`SimulationResult` labelled with CBS codes and years. Results are bitwise
identical for any number of threads. The model is documented in docs/monte-carlo.md.
"""

from __future__ import annotations


import html
import numbers
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .engine import RunOptions, build_engine, check_int as _check_int  # noqa: F401  (re-exported)
from .budget_result import BudgetResult, quantile_name
from .errors import InputError
from .scenario import Scenario, as_scenario

DEFAULT_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class SimulationResult:
    """Streamed statistics of a simulation.

    au_mean, au_sd: (municipality × year) euros; au_quantiles: (municipality × year × quantile);
    p_below_base: P(AU in a year < AU of the base year). budget, uitkeringsfactor: national
    statistics per year. kept_paths: full AU paths of the municipalities in ``keep``.
    """

    scenario: Scenario
    seed: int
    paths: int
    antithetic: bool
    quantiles: tuple[float, ...]
    municipalities: pd.DataFrame
    years: tuple[int, ...]
    base_au: pd.Series
    au_mean: np.ndarray
    au_sd: np.ndarray
    au_quantiles: np.ndarray
    p_below_base: np.ndarray
    budget: pd.DataFrame
    uitkeringsfactor: pd.DataFrame
    kept_paths: dict[str, pd.DataFrame] = field(default_factory=dict)
    max_budget_rel_error: float = 0.0
    finances: BudgetResult | None = None  # municipal budgets, when the scenario has a budget section

    @property
    def statistics(self) -> list[str]:
        return ["mean", "sd"] + [quantile_name(q) for q in self.quantiles] + ["p_below_base"]

    def to_xarray(self):
        """xarray Dataset: ``algemene_uitkering`` and ``per_inwoner`` (municipality, year,
        statistic); ``budget`` and ``uitkeringsfactor`` (year, statistic)."""
        import xarray as xr

        stats = self.statistics
        au = np.concatenate([self.au_mean[..., None], self.au_sd[..., None], self.au_quantiles,
                             self.p_below_base[..., None]], axis=2)
        inw = self.municipalities["inhabitants"].to_numpy()[:, None, None]
        per = au.copy()
        per[..., :-1] = au[..., :-1] / inw
        m = self.municipalities
        coords = {"municipality": m.index.to_numpy(), "year": list(self.years), "statistic": stats,
                  "name": ("municipality", m["name"].to_numpy()),
                  "province": ("municipality", m["province"].to_numpy())}
        nat_stats = [s for s in stats if s != "p_below_base"]
        ds = xr.Dataset(
            {
                "algemene_uitkering": (("municipality", "year", "statistic"), au, {"units": "EUR"}),
                "per_inwoner": (("municipality", "year", "statistic"), per,
                                {"units": "EUR per inhabitant of the base circulaire (p_below_base: probability)"}),
                "budget": (("year", "statistic_national"), self.budget[nat_stats].to_numpy(), {"units": "EUR"}),
                "uitkeringsfactor": (("year", "statistic_national"), self.uitkeringsfactor[nat_stats].to_numpy()),
            },
            coords={**coords, "statistic_national": nat_stats},
            attrs={"scenario": self.scenario.name, "seed": self.seed, "paths": self.paths,
                   "antithetic": int(self.antithetic), "circulaire": self.scenario.circulaire},
        )
        if self.finances is not None:
            f = self.finances
            q = [quantile_name(x) for x in self.quantiles]
            saldo = np.concatenate([f.saldo_mean[..., None], f.saldo_sd[..., None], f.saldo_quantiles], axis=2)
            ds = ds.assign_coords(statistic_saldo=["mean", "sd"] + q)
            ds["saldo"] = (("municipality", "year", "statistic_saldo"), saldo, {"units": "EUR"})
            inw = self.municipalities["inhabitants"].to_numpy()[:, None, None]
            ds["saldo_per_inwoner"] = (("municipality", "year", "statistic_saldo"), saldo / inw,
                                       {"units": "EUR per inhabitant of the base circulaire"})
            for name, arr, unit in (("p_deficit", f.p_deficit, "probability"), ("p_reserves_exhausted", f.p_exhausted, "probability"),
                                    ("p_artikel12", f.p_art12, "probability"), ("expected_shortfall_5pct", f.shortfall, "EUR"),
                                    ("net_shock_effect", f.net_shock, "EUR"), ("reserves_mean", f.reserves_mean, "EUR")):
                ds[name] = (("municipality", "year"), arr, {"units": unit})
        return ds

    def summary(self, year: int | None = None) -> pd.DataFrame:
        """Per municipality for one year (default: the last): base AU, mean, sd, quantiles
        (euros), per inhabitant, and P(below base)."""
        year = self.years[-1] if year is None else year
        if year not in self.years:
            raise InputError(f"year {year} is not simulated; years are {self.years[0]}–{self.years[-1]}")
        t = self.years.index(year)
        m = self.municipalities
        df = pd.DataFrame({"name": m["name"], "province": m["province"], "AU base": self.base_au,
                           "mean": self.au_mean[:, t], "sd": self.au_sd[:, t]}, index=m.index)
        for k, q in enumerate(self.quantiles):
            df[quantile_name(q)] = self.au_quantiles[:, t, k]
        df["mean per inwoner"] = df["mean"] / m["inhabitants"]
        df["change vs base (%)"] = 100 * (df["mean"] / df["AU base"] - 1)
        df["p_below_base"] = self.p_below_base[:, t]
        df.attrs["year"] = year
        return df

    def national(self) -> pd.DataFrame:
        """Per year: AU budget and uitkeringsfactor statistics."""
        return pd.concat({"budget": self.budget, "uitkeringsfactor": self.uitkeringsfactor}, axis=1)

    def __repr__(self) -> str:
        return (f"SimulationResult({self.scenario.name!r}: {self.paths:,} paths, seed {self.seed}, "
                f"{len(self.municipalities)} municipalities × {len(self.years)} years)")

    def _repr_html_(self) -> str:
        nat = self.national()
        last = self.years[-1]
        rows = [("Scenario", html.escape(self.scenario.name)), ("Paths", f"{self.paths:,} (seed {self.seed}"
                + (", antithetic)" if self.antithetic else ")")), ("Years", f"{self.years[0]}–{last}"),
                (f"AU budget {last}", f"mean EUR {nat[('budget', 'mean')].iloc[-1] / 1e9:,.2f} bn; 90% band "
                 f"{nat[('budget', quantile_name(0.05))].iloc[-1] / 1e9:,.2f}–{nat[('budget', quantile_name(0.95))].iloc[-1] / 1e9:,.2f} bn"
                 if 0.05 in self.quantiles and 0.95 in self.quantiles else
                 f"mean EUR {nat[('budget', 'mean')].iloc[-1] / 1e9:,.2f} bn"),
                (f"Uitkeringsfactor {last}", f"mean {nat[('uitkeringsfactor', 'mean')].iloc[-1]:.4f}")]
        if self.finances is not None:
            fin = self.finances.national()
            share = fin["share in deficit mean"]
            rows.append(("Share of municipalities in deficit",
                         f"{share.iloc[0]:.0%} ({self.years[0]}) → {share.iloc[-1]:.0%} ({last})"))
            rows.append((f"Expected share with reserves exhausted by {last}",
                         f"{fin['expected share with exhausted reserves'].iloc[-1]:.0%}"))
        head = "".join(f"<tr><th style='text-align:left'>{k}</th><td>{v}</td></tr>" for k, v in rows)
        s = self.summary().sort_values("p_below_base", ascending=False).head(5)
        top = s[["name", "mean per inwoner", "change vs base (%)", "p_below_base"]].round(3).to_html()
        out = f"<table><caption>gemfin SimulationResult</caption>{head}</table><p>Most likely to fall below base:</p>{top}"
        if self.finances is not None:
            out += f"<p>Most at risk of exhausting reserves by {last}:</p>{self.finances.risk_html()}"
        return out


def simulate(scenario: Scenario | str | os.PathLike, paths: int = 10_000, seed: int = 1,
             threads: int | None = None, progress=True, antithetic: bool = False,
             quantiles: Sequence[float] = DEFAULT_QUANTILES, keep: str | Sequence[str] = (),
             bins: int = 2048, block_size: int = 1024, client=None,
             partitions: int | None = None, _circulaire=None, _static=None) -> SimulationResult:
    """Run the Monte Carlo projection of ``scenario`` (a Scenario or a YAML path).

    paths: number of paths; seed: any integer 0 … 2⁶⁴−1; threads: worker threads (None = all
    cores; the result does not depend on it); progress: a tqdm bar (True), none (False), or a
    callable that receives the number of finished paths; antithetic: pair every path
    with its mirror image (u → 1−u; needs an even number of paths); quantiles: probabilities to
    report; keep: a CBS code or a list of them whose full paths are kept (``result.kept_paths[code]``).
    client: a ``distributed.Client``: the chunks of paths (16 blocks each) run as tasks on its
    workers, which build the model themselves from the scenario, and the parts are combined
    here in chunk order: the result is bitwise the one of a local run (docs/monte-carlo.md,
    "Distributed runs"). partitions: number of tasks (default: one per chunk).
    Ctrl-C stops the run within about a second with KeyboardInterrupt.
    """
    scen = as_scenario(scenario)
    paths = _check_int("paths", paths, 1, 2**32 - 1)
    seed = _check_int("seed", seed, 0, 2**64 - 1)
    threads = 0 if threads is None else _check_int("threads", threads, 1, 1024)
    bins = _check_int("bins", bins, 16, 1 << 20)
    block_size = _check_int("block_size", block_size, 1, 1 << 24)
    if antithetic and paths % 2:
        raise InputError(f"antithetic variates need an even number of paths, got {paths}")
    qs = []
    for q in quantiles:
        if isinstance(q, bool) or not isinstance(q, numbers.Real) or not 0.0 <= q <= 1.0:
            raise InputError(f"quantiles must be probabilities in [0, 1], got {q!r}")
        qs.append(float(q))
    # A batch of sensitivity runs passes the circulaire it built once (gemfin.sensitivity).
    circ = scen.load_circulaire() if _circulaire is None else _circulaire
    codes = list(circ.volumes.index)
    if isinstance(keep, str):  # one CBS code, not its characters
        keep = [keep]
    keep_idx = []
    for code in keep:
        if code not in codes:
            raise InputError(f"keep: unknown municipality {code!r}; expected CBS codes like 'GM0014'")
        keep_idx.append(codes.index(code))
    opts = RunOptions(paths, seed, threads, bool(antithetic), tuple(qs), tuple(keep_idx), bins, block_size)
    static = scen.static_inputs(circ) if _static is None else _static
    inputs = scen.model_inputs(circ, static)
    engine = build_engine(scen, opts, inputs)
    if client is not None:
        from .cluster import run_on_cluster, validate_partitions

        partitions = validate_partitions(partitions, engine.chunks)
    elif partitions is not None:
        raise InputError("partitions: only meaningful with a Dask client (client=...)")
    bar = None
    callback = None
    if callable(progress):
        callback = progress
    elif progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=paths, unit="path", desc=f"gemfin {scen.name}", leave=False)

        def callback(done: int) -> None:
            bar.update(done - bar.n)

    try:
        if client is None:
            raw = engine.run(callback)
        else:
            raw = run_on_cluster(client, scen, opts, engine, inputs, partitions, callback)
    finally:
        if bar is not None:
            bar.close()
    g, t = len(codes), scen.horizon
    years = tuple(scen.years)
    q_cols = [quantile_name(q) for q in qs]

    def national(d: dict) -> pd.DataFrame:
        # One block, built at once (a sensitivity batch builds three per parameter set).
        q = np.asarray(d["quantiles"]).reshape(len(years), len(q_cols))
        values = np.column_stack([np.asarray(d["mean"]), np.asarray(d["sd"]), q])
        return pd.DataFrame(values, index=pd.Index(years, name="year"), columns=["mean", "sd", *q_cols])

    kept = {}
    if keep_idx:
        arr = np.asarray(raw["kept"]).reshape(paths, t, len(keep_idx))
        for k, code in enumerate(keep):
            kept[code] = pd.DataFrame(arr[:, :, k], columns=pd.Index(years, name="year"),
                                      index=pd.RangeIndex(paths, name="path"))
    from .allocation import allocate

    return SimulationResult(
        scenario=scen, seed=seed, paths=paths, antithetic=antithetic, quantiles=tuple(qs),
        municipalities=circ.municipalities, years=years,
        base_au=_base_au(circ, inputs["fund"]["budget0"], static),
        au_mean=np.asarray(raw["au"]["mean"]).reshape(g, t),
        au_sd=np.asarray(raw["au"]["sd"]).reshape(g, t),
        au_quantiles=np.asarray(raw["au"]["quantiles"]).reshape(g, t, len(qs)),
        p_below_base=np.asarray(raw["p_below_base"]).reshape(g, t),
        budget=national(raw["budget"]), uitkeringsfactor=national(raw["uf"]),
        kept_paths=kept, max_budget_rel_error=float(raw["max_budget_rel_error"]),
        finances=_budget_result(raw["finances"], g, t, qs, years, circ, national, scen, inputs["budget"], static)
        if "finances" in raw else None,
    )


def prepare_static(scen: Scenario, circ, static: dict) -> dict:
    """``static`` (Scenario.static_inputs) with what every run's result needs computed once:
    the base-year AU and the base begroting's kengetallen."""
    _base_au(circ, static["budget0"], static)
    if scen.budget is not None:
        static["_kengetallen"] = _kengetallen(scen.budget)
    return static


def _base_au(circ, budget0: float, static: dict) -> pd.Series:
    """The base-year AU at the base budget (kept in ``static`` for the next set of a batch)."""
    from .allocation import allocate

    key = ("base_au", id(circ), budget0)
    if static.get("_base_au_key") != key:
        static["_base_au"] = allocate(circ, au_budget=budget0).algemene_uitkering.rename("AU base")
        static["_base_au_key"] = key
    return static["_base_au"]


def _budget_result(b: dict, g: int, t: int, qs: list[float], years, circ, national, scen: Scenario,
                   inputs: dict, static: dict) -> BudgetResult:
    shape = (g, t)
    spec = scen.budget
    filled = static["budget_base"].base.filled
    notes = [f"{code} ({circ.municipalities.loc[code, 'name']}): {row['reason']} in the {spec.document} {spec.year}; "
             f"used the {row['used']}, lasten × {row['lasten_factor']:.4f}, baten × {row['baten_factor']:.4f}"
             for code, row in filled.iterrows() if code in circ.municipalities.index]
    if circ.is_booked:
        notes.append(f"gemeentefonds as booked in the {spec.document} {spec.year} (Iv3 rijk, incl. IU and DU), "
                     "following the scenario's national fund path; no verdeelmodel")
    if base_budget_source(spec) == "summary":
        notes.append("base from the Iv3 summary: belastingen not split (all follow the OZB rule), BUIG proxy = "
                     "specifieke uitkeringen on hoofdtaakveld 6")
    real = inputs.get("realisation")
    if real is not None:
        notes.append("realisation model: persistence from the realisation gap of "
                     + (str(real["u_year"]) if real["u_year"] is not None else
                        f"no year (the {spec.year - 2} begroting/jaarrekening pair is not in the data; ρ·u = 0)"))
    return BudgetResult(
        years=years, quantiles=tuple(qs), municipalities=circ.municipalities,
        saldo_mean=np.asarray(b["saldo"]["mean"]).reshape(shape),
        saldo_sd=np.asarray(b["saldo"]["sd"]).reshape(shape),
        saldo_quantiles=np.asarray(b["saldo"]["quantiles"]).reshape(g, t, len(qs)),
        p_deficit=np.asarray(b["p_deficit"]).reshape(shape),
        shortfall=np.asarray(b["shortfall"]).reshape(shape),
        p_exhausted=np.asarray(b["p_exhausted"]).reshape(shape),
        p_art12=np.asarray(b["p_art12"]).reshape(shape),
        net_shock=np.asarray(b["net_shock"]).reshape(shape),
        reserves_mean=np.asarray(b["reserves_mean"]).reshape(shape),
        share_deficit=national(b["share_deficit"]),
        kengetallen=static["_kengetallen"] if "_kengetallen" in static else _kengetallen(spec),
        base=f"{spec.document} {spec.year}", filled=filled, notes=tuple(notes),
    )


def base_budget_source(spec) -> str:
    from . import iv3

    return "taakvelden" if (spec.document, spec.year) in iv3.IV3_FILES else "summary"


def _kengetallen(spec) -> pd.DataFrame | None:
    """The BBV kengetallen of the base begroting (2020–2025 in the data), else None."""
    from . import iv3

    if spec.document != "begroting":
        return None
    try:
        k, _ = iv3.load_kengetallen(spec.year)
    except InputError:
        return None
    return k
