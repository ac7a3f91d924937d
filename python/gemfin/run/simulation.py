"""Monte Carlo projection of the algemene uitkering per municipality.

``simulate(scenario, paths=10_000, seed=1)`` runs the compiled core (Philox random numbers,
TBB over fixed blocks of paths, statistics streamed with memory independent of ``paths``)
and returns a :class:`SimulationResult` labelled with CBS codes and years. Results are bitwise
identical for any number of threads. The model is documented in docs/monte-carlo.md.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .base import Base, build_base
from ..results.budget import BudgetResult, quantile_name
from ..engine import RunOptions, check_run_number, simulation
from .compile import compile_model
from ..errors import InputError
from ..scenario import Scenario, as_scenario
from ..results.simulation import KeptPaths, SimulationResult  # noqa: F401  (SimulationResult re-exported)

DEFAULT_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def simulate(scenario: Scenario | str | os.PathLike, paths: int = 10_000, seed: int = 1,
             threads: int | None = None, progress=True, antithetic: bool = False,
             quantiles: Sequence[float] = DEFAULT_QUANTILES, keep: str | Sequence[str] = (),
             bins: int = 2048, block_size: int = 1024, client=None,
             partitions: int | None = None, balance: bool = False, base: Base | None = None) -> SimulationResult:
    """Run the Monte Carlo projection of ``scenario`` (a Scenario or a YAML path).

    paths: number of paths; seed: any integer 0 … 2⁶⁴−1; threads: worker threads (None = all
    cores; the result does not depend on it); progress: a tqdm bar (True), none (False), or a
    callable that receives the number of finished paths; antithetic: pair every path
    with its mirror image (u → 1−u; needs an even number of paths); quantiles: probabilities to
    report; keep: a CBS code or a list of them whose full paths are kept (``result.kept_paths[code]``).
    client: a ``distributed.Client``: the chunks of paths (16,384 each) run as tasks on its
    workers, which build the model themselves from the scenario, and the parts are combined
    here in chunk order: the result is bitwise the one of a local run (docs/monte-carlo.md,
    "Distributed runs"). partitions: number of tasks (default: one per chunk). balance: also
    follow the social clusters' balance (allocation − netto lasten of Jeugd, Wmo and
    Participatie) per path and year, ``result.balance()``; needs a budget section and a
    circulaire with cluster weights. base: a :class:`gemfin.run.base.Base` built once for scenarios
    of this structure (``build_base(scenario)``), so that variants of a scenario do not read
    the data again; built here when not given.
    Ctrl-C stops the run within about a second with KeyboardInterrupt.
    """
    scen = as_scenario(scenario)
    paths = check_run_number("paths", paths)
    seed = check_run_number("seed", seed)
    threads = 0 if threads is None else check_run_number("threads", threads)
    bins = check_run_number("bins", bins)
    block_size = check_run_number("block_size", block_size)
    if antithetic and paths % 2:
        raise InputError(f"antithetic variates need an even number of paths, got {paths}")
    qs: list[float] = []
    for q in quantiles:
        if isinstance(q, bool) or not isinstance(q, numbers.Real) or not 0.0 <= q <= 1.0:
            raise InputError(f"quantiles must be probabilities in [0, 1], got {q!r}")
        qs.append(float(q))
    if base is None:
        base = build_base(scen)
    elif not isinstance(base, Base):
        raise InputError(f"base: expected a gemfin.run.base.Base (build_base(scenario)), got {type(base).__name__}")
    else:
        base.check(scen)
    circ = base.circulaire
    codes = list(circ.volumes.index)
    if isinstance(keep, str):  # one CBS code, not its characters
        keep = [keep]
    keep_idx = []
    for code in keep:
        if code not in codes:
            raise InputError(f"keep: unknown municipality {code!r}; expected CBS codes like 'GM0014'")
        keep_idx.append(codes.index(code))
    if not isinstance(balance, bool):
        raise InputError(f"balance must be True or False, got {balance!r}")
    opts = RunOptions(paths, seed, threads, bool(antithetic), tuple(qs), tuple(keep_idx), bins, block_size, balance)
    model = compile_model(scen, base, balance=balance)
    engine = simulation(model, opts)
    if client is not None:
        from .cluster import run_on_cluster, validate_partitions

        tasks = validate_partitions(partitions, engine.chunks)
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
            raw = run_on_cluster(client, scen, opts, engine, model, tasks, callback)
    finally:
        if bar is not None:
            bar.close()
    g, t = len(codes), scen.horizon
    years = tuple(scen.years)
    q_cols = [quantile_name(q) for q in qs]

    def national(d) -> pd.DataFrame:  # a _core.CellSummary with one cell a year
        # One block, built at once (a sensitivity batch builds three per parameter set).
        q = np.array(d.quantiles).reshape(len(years), len(q_cols))
        values = np.column_stack([d.mean, d.sd, q])
        return pd.DataFrame(values, index=pd.Index(years, name="year"), columns=["mean", "sd", *q_cols])

    kept = KeptPaths()
    if keep_idx:
        arr = raw.kept.reshape(paths, t, len(keep_idx))
        for k, code in enumerate(keep):
            kept[code] = pd.DataFrame(arr[:, :, k], columns=pd.Index(years, name="year"),
                                      index=pd.RangeIndex(paths, name="path"))
    return SimulationResult(
        scenario=scen, seed=seed, paths=paths, antithetic=antithetic, quantiles=tuple(qs),
        municipalities=circ.municipalities, years=years,
        base_au=base.base_au,
        au_mean=raw.au.mean.reshape(g, t),
        au_sd=raw.au.sd.reshape(g, t),
        au_quantiles=np.array(raw.au.quantiles).reshape(g, t, len(qs)),
        p_below_base=raw.p_below_base.reshape(g, t),
        budget=national(raw.budget), uitkeringsfactor=national(raw.uf),
        kept_paths=kept, max_budget_rel_error=float(raw.max_budget_rel_error),
        finances=_budget_result(raw.finances, g, t, qs, years, circ, national, scen, base)
        if raw.finances is not None else None,
        social_balance=_social_balance(raw.finances, g, years, qs, q_cols, circ, scen) if balance else None,
    )


def _social_balance(b, g: int, years, qs, q_cols, circ, scen: Scenario):
    from ..scan.projection_result import social_balance

    assert b is not None and scen.budget is not None  # compile_model refuses a balance without a budget
    return social_balance(b, g, years, qs, q_cols, circ, f"{scen.budget.base.document} {scen.budget.base.year}")


def _budget_result(b, g: int, t: int, qs: list[float], years, circ, national, scen: Scenario,
                   base: Base) -> BudgetResult:
    shape = (g, t)
    budget = scen.budget
    budget_base = base.budget
    assert budget is not None and budget_base is not None  # called for a scenario with a budget only
    document, year = budget.base.document, budget.base.year
    filled = budget_base.base.filled
    notes = list(base.fill_notes)
    if circ.is_booked:
        notes.append(f"gemeentefonds as booked in the {document} {year} (Iv3 rijk, incl. IU and DU), "
                     "following the scenario's national fund path; no verdeelmodel")
    filing = budget_base.base
    if filing.source == "summary" and filing.revenue_lines_from is not None:
        notes.append(f"base from the Iv3 summary: own baten split over the revenue lines in each municipality's "
                     f"shares of the {filing.revenue_lines_from} (an imputation), BUIG proxy = specifieke "
                     "uitkeringen on hoofdtaakveld 6")
    elif filing.source == "summary":
        notes.append("base from the Iv3 summary: belastingen not split (all follow the OZB rule), BUIG proxy = "
                     "specifieke uitkeringen on hoofdtaakveld 6")
    by_component = components = None
    if scen.compensation:
        from .compensation import compensation_components

        by_component, components = compensation_components(scen, circ, budget_base)
    if budget.realisation is not None:
        notes.append("realisation model: persistence from the realisation gap of "
                     + (str(budget_base.gap_year) if budget_base.gap_year is not None else
                        f"no year (the {year - 2} begroting/jaarrekening pair is not in the data; ρ·ũ = 0)"))
    unknown = budget_base.structural_unknown
    if unknown:
        notes.append(f"artikel 12 / response: no structurele exploitatieruimte for {len(unknown)} municipalities in the "
                     f"{document} {year} ({', '.join(unknown[:5])}{', …' if len(unknown) > 5 else ''}); "
                     "their base position taken as structurally balanced")
    return BudgetResult(
        years=years, quantiles=tuple(qs), municipalities=circ.municipalities,
        saldo_mean=b.saldo.mean.reshape(shape),
        saldo_sd=b.saldo.sd.reshape(shape),
        saldo_quantiles=np.array(b.saldo.quantiles).reshape(g, t, len(qs)),
        planned_saldo_mean=b.planned_saldo.mean.reshape(shape),
        planned_saldo_sd=b.planned_saldo.sd.reshape(shape),
        planned_saldo_quantiles=np.array(b.planned_saldo.quantiles).reshape(g, t, len(qs)),
        p_planned_deficit=b.p_planned_deficit.reshape(shape),
        lasten_mean=b.lasten_mean.reshape(shape),
        p_deficit=b.p_deficit.reshape(shape),
        shortfall=b.shortfall.reshape(shape),
        p_exhausted=b.p_exhausted.reshape(shape),
        p_art12=b.p_art12.reshape(shape),
        net_shock=b.net_shock.reshape(shape),
        reserves_mean=b.reserves_mean.reshape(shape),
        share_deficit=national(b.share_deficit),
        kengetallen=budget_base.kengetallen,
        base=f"{document} {year}", base_year=year, filled=filled, notes=tuple(notes),
        lasten_base=budget_base.lasten.sum(axis=0),
        lasten_domains_mean=b.lasten_domains_mean.reshape(4, t),
        compensation_by_component=by_component, compensation_components=components,
        response_mean=b.response_mean.reshape(shape) if b.response_mean is not None else None,
        tax_share=budget.response.tax_share.value if budget.response != "none" else 0.0,
    )
