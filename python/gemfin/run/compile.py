"""The one compile step: a scenario's document and its run's base → the core's typed
``ProjectionModel``. This is the only place Python builds the core's model; everything a run
computes is read here from the scenario (its numbers) and the base (its data), and nothing is
kept between calls.

    model = compile_model(scenario, build_base(scenario))
    fingerprint(model)   # the same on every machine that builds the same model
"""

from __future__ import annotations

import numpy as np

from .. import _core
from ..engine import ACCRES_PERIODS, FUND_RULES, SHOCK_TARGETS, core_distribution, f64, kernel_version
from ..errors import InputError
from ..scenario import Scenario
from ..schema.base import DistBase, value_at
from ..schema.scenario import DOMAIN_NAMES, FundPriceLink, ProcessModel
from .base import Base
from .budget_data import ingroei_suppletie
from .compensation import compensation_matrix


def compile_model(scenario: Scenario, base: Base, balance: bool = False) -> "_core.ProjectionModel":
    """The core's model of ``scenario`` on ``base`` (built for a scenario of its structure);
    ``balance``: also the social clusters' allocation and netto lasten, so that the run follows
    their balance (needs a budget section)."""
    base.check(scenario)
    if balance and scenario.budget is None:
        raise InputError(f"scenario {scenario.name!r}: the social clusters' balance needs a budget section "
                         "(their netto lasten come from the budget's base filing)")
    drivers = [_core.DriverSpec(name=name, national=_dist(d.national), municipal_sd=d.municipal_sd.value,
                                average_years=d.average_years) for name, d in scenario.drivers.items()]
    return _core.ProjectionModel(
        c_basis=base.c_basis, c_ozb=base.c_ozb, drivers=drivers, fund=_fund(scenario, base),
        correlation=f64(scenario.correlation_matrix()), correlation_names=scenario.shock_names,
        years=scenario.horizon, budget=_budget(scenario, base, balance) if scenario.budget is not None else None,
        base_year_first=scenario.base_year_first)


def fingerprint(model: "_core.ProjectionModel") -> str:
    """A digest of everything in ``model`` (the core hashes its own fields), with gemfin's
    version and the kernels' version. Not the instruction set: every SIMD target gives the
    same bits, so workers on different CPUs may share a run."""
    from .. import __version__

    return f"{model.fingerprint()}-{__version__}-k{kernel_version()}"


def _dist(d: DistBase) -> "_core.Distribution":
    return core_distribution(d.distribution, tuple(float(p) for p in d.params))


def _process(p: ProcessModel) -> "_core.MacroProcess":
    return _core.MacroProcess(mean=p.mean.value, persistence=p.persistence.value, start=p.start.value,
                              shock=_dist(p.shock))


def _fund(scen: Scenario, base: Base) -> "_core.FundSpec":
    f, years = scen.fund, scen.years
    mutations = np.zeros(scen.horizon)
    for pm in (m for m in f.policy_mutations or [] if m.year <= years[-1]):  # later: beyond the horizon
        mutations[years.index(pm.year)] += float(pm.amount)
    in_force = [period_in_force(f.periods, y) for y in years] if f.periods else []
    none = float("nan")
    return _core.FundSpec(rule=FUND_RULES[f.rule], budget0=base.budget0, growth=_process(f.growth),
                          price=_process(f.price) if f.price is not None else None,
                          policy_mutations=mutations.tolist(),
                          growth_history=growth_history(f.growth.history, scen.base_year),
                          periods=[ACCRES_PERIODS[p.rule if p else "gdp"] for p in in_force],
                          published_accres=[p.accres.value if p and p.accres else none for p in in_force],
                          published_price=[p.price.value if p and p.price else none for p in in_force])


def period_in_force(periods, year: int):
    """The entry of a scenario's ``fund.periods`` that sets the accres of ``year``: the latest
    listed year up to it, where a ``published`` entry holds for its own year only (later years
    take the latest other entry before it); None before the first (the rule's own, gdp)."""
    listed = sorted(y for y in periods if y <= year)
    for y0 in reversed(listed):
        if periods[y0].rule != "published" or y0 == year:
            return periods[y0]
    return None


def growth_history(history, base_year: int) -> list[float]:
    """The real growth of the years up to ``base_year`` that the core's GDP window can reach
    (``_core.GDP_HISTORY_YEARS``, oldest first) as a scenario's ``fund.growth.history`` gives it:
    one value for all of them, or each year's value in force (a dated parameter); years before
    its first listed year are left out, so the core takes ``growth.start`` for them. Empty
    without a history."""
    if history is None:
        return []
    n = _core.GDP_HISTORY_YEARS
    if isinstance(history, dict):
        years = [y for y in range(base_year + 1 - n, base_year + 1) if y >= min(history)]
        return [float(value_at(history, y).value) for y in years]
    return [float(history.value)] * n


def _budget(scen: Scenario, base: Base, balance: bool) -> "_core.BudgetModel":
    b, data, circ, years = scen.budget, base.budget, base.circulaire, scen.years
    assert b is not None and data is not None  # a budget section has a budget base (Base.check)
    a = data.arrays
    # The freely available reserves (docs/budget-model.md, "Reserves"). A share of 0 adds
    # nothing, bit for bit as the algemene reserve alone.
    share = b.reserves_share
    reserves = a["algemene reserve"] + (share * a["bestemmingsreserves"] if share else 0.0)
    names = list(scen.drivers)
    domains = [getattr(b.domains, n) for n in DOMAIN_NAMES]
    weights = np.zeros((len(domains), len(names)))
    for i, d in enumerate(domains):
        for k, w in d.volume.items():
            weights[i, names.index(k)] = w
    compensation = compensation_matrix(scen, years, circ, data)  # zeros without compensation
    if isinstance(b.wage_price, FundPriceLink):
        # Costs follow the fund's deflator + a wedge; the process slot holds a fixed zero (its
        # shock is drawn and not used).
        wage_price = _core.MacroProcess(mean=0.0, persistence=0.0, start=0.0, shock=core_distribution("fixed", (0.0,)))
        follows, wedge = True, b.wage_price.wedge.value
    else:
        wage_price, follows, wedge = _process(b.wage_price), False, 0.0
    # Artikel 12 and the response (docs/budget-model.md, "Response"): the planned saldo ÷ lasten
    # at which the structural saldo is zero is the base position less its structural room (the
    # kengetal is ÷ total baten; read as ÷ lasten, which differ by the planned saldo, ~1%). The
    # rule steers a structural deficit to zero and keeps a structural surplus where it is.
    response = None
    if b.response != "none":
        response = _core.Response(target=f64(data.planned - np.minimum(data.structural, 0.0)),
                                  speed=b.response.speed.value, max_step=b.response.max_step.value)
    return _core.BudgetModel(
        lasten=[f64(x) for x in a["lasten"]],
        **{k: f64(a[k]) for k in ("ozb", "other_taxes", "other_baten", "buig_baten", "buig_lasten", "siudu")},
        reserves=f64(reserves), volume_weights=f64(weights),
        bijstand_driver=names.index(b.buig.driver),
        woz_driver=names.index(b.ozb.woz_driver) if b.ozb.woz_driver else -1,
        revenue_volume_driver=names.index(b.revenue_volume_driver) if b.revenue_volume_driver else -1,
        ozb_pass_through=b.ozb.pass_through.value, ozb_policy_growth=b.ozb.policy_growth.value,
        ozb_price_indexed=b.ozb.price_indexed.value,
        wage_price=wage_price, wage_price_follows_fund=follows, wage_price_wedge=wedge,
        excess=[_dist(d.excess_growth) for d in domains],
        excess_persistence=[1.0 if d.excess_persistence is None else d.excess_persistence.value for d in domains],
        error_mu=[d.error.mu.value for d in domains], error_sigma=[d.error.sigma.value for d in domains],
        vangnet_threshold=b.buig.vangnet_threshold.value, vangnet_full=b.buig.vangnet_full.value,
        vangnet_share=b.buig.vangnet_share.value,
        artikel12_threshold=b.artikel12_threshold.value, artikel12_horizon=int(b.artikel12_horizon.value),
        balance=f64(data.planned - data.structural),
        shocks=[_core.ShockEvent(name=s.name, year=years.index(s.year), target=SHOCK_TARGETS[s.target],
                                 fraction=_dist(s.fraction), municipal_sd=s.municipal_sd.value) for s in scen.shocks],
        compensation=f64(compensation),
        realisation=_realisation(scen, base),
        suppletie=(f64(ingroei_suppletie(b.ingroei, circ, years, data.herverdeeleffect)) if b.ingroei is not None
                   else np.zeros((0, 0))),
        response=response,
        cluster_balance=_cluster_balance(scen, base) if balance else None,
        tasks=f64(task_amounts(scen, a["lasten"])),
    )


def task_amounts(scen: Scenario, lasten0) -> np.ndarray:
    """The fund's money for tasks (``fund.policy_mutations`` with a ``task``), euros per domain and
    output year; the core raises the domain's lasten by it from that year on (docs/budget-model.md,
    "Tasks the fund pays for"). An empty matrix without tasks: such a run is bit for bit the run
    before tasks existed."""
    mutations = scen.fund.policy_mutations or []
    tasks = [m for m in mutations if m.task is not None and m.year in scen.years]
    if not tasks:
        return np.zeros((0, 0))
    out = np.zeros((len(DOMAIN_NAMES), len(scen.years)))
    for m in tasks:
        d = DOMAIN_NAMES.index(m.task)
        out[d, scen.years.index(m.year)] += float(m.amount)
        if out[d].min() <= -float(np.sum(lasten0[d])):
            i = mutations.index(m)
            raise InputError(f"{scen.path or scen.name}: fund.policy_mutations[{i}] ({m.year}, task {m.task}): "
                             f"EUR {-out[d].min() / 1e6:,.0f} mln less for the task in one year is all of the "
                             f"{m.task} lasten of the base filing or more; expected less")
    return out


def _realisation(scen: Scenario, base: Base) -> "_core.Realisation | None":
    """The realisation model's per-municipality offset (β − 1)·b + ρ·ũ (fraction of lasten): b is
    the base begroting's saldo relative to its lasten as the model sees it (own baten, BUIG, the
    circulaire's AU and SIUDU against all lasten); ũ the Student-t score of the municipality's
    realisation gap of the year two before the base (jaarrekening against begroting, less that
    year's mean), 0 where the data have no such pair (docs/backtest.md)."""
    assert scen.budget is not None and base.budget is not None
    r, data = scen.budget.realisation, base.budget
    if r is None:
        return None
    from .. import realisation as rm

    offset = (r.beta.value - 1.0) * data.planned + r.gap_persistence.value * data.gap
    factor = rm.size_factor(data.arrays["inhabitants"], r.size_elasticity.value, r.reference_inhabitants.value)
    return _core.Realisation(offset=f64(offset), year=_dist(r.year), residual=_dist(r.residual),
                             residual_factor=f64(factor))


def _cluster_balance(scen: Scenario, base: Base) -> "_core.ClusterBalance":
    from ..scan.projection_inputs import cluster_balance_inputs

    assert scen.budget is not None
    cb = cluster_balance_inputs(base.circulaire, [d.maatstaven for d in scen.drivers.values()],
                                scen.budget.base.document, scen.budget.base.year)
    return _core.ClusterBalance(**{k: f64(cb[k]) for k in ("basis", "fixed", "siudu", "netto0")})
