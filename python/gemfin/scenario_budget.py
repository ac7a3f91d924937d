"""The municipal-budget part of a scenario: ``budget``, ``shocks`` and ``compensation``.

Schema (all numbers with a source, as elsewhere in the scenario files)::

    budget:
      base: {document: begroting, year: 2025,         # Iv3 base filing (docs/budget-model.md, calendar)
             first_year: next}                        # next: project from year + 1; base: from the
                                                      # begroting's own year (its realised result)
      bestemmingsreserves_share: NUM                  # reserves = algemene reserve + this share of the
                                                      # bestemmingsreserves (the freely available part)
      include_bestemmingsreserves: BOOL               # older form: true = share 1, false = share 0
      wage_price: {mean, persistence, start, shock}   # yearly wage/price growth
      domains:                                        # Jeugd, Wmo, Participatie, Overig
        Jeugd:
          volume: {jongeren: 1.0}                     # weights over the scenario's drivers
          excess_growth: DIST                         # national cost growth above wages/prices
          excess_persistence: NUM                     # optional: the excess fades as ψ^k (default 1)
          error: {mu: NUM, sigma: NUM}                # municipal lognormal budget-vs-outcome error
      ozb: {woz_driver: woz_woningen, pass_through: NUM, policy_growth: NUM}
      revenue_volume_driver: inwoners                 # optional: other taxes and baten grow with
                                                      # prices times this driver (default: prices)
      buig: {driver: bijstand, vangnet_threshold: NUM, vangnet_full: NUM, vangnet_share: NUM}
      artikel12_threshold: NUM                        # structural deficit ÷ (tax capacity + AU + IU/DU)
      artikel12_horizon: NUM                          # ... expected to last this many years more
      ingroei: {from: S2024_2024,                     # the herijking's suppletie carried forward
                first_year: YEAR, first_cap: NUM,     # cumulative cap per inhabitant in first_year
                step: {YEAR: NUM, ...}}               # dated: added to the cap each later year
      response: none | {rule: calibrated,             # the municipality closes its budget gap:
                        speed: NUM,                   # share of the gap closed per year
                        max_step: NUM,                # new measures per year ≤ this × lasten
                        tax_share: NUM}               # part of the measures as higher belastingen
      realisation:                                    # begroting base only: from plan to result
        beta: NUM                                     # share of the planned relative saldo realised
        rho: NUM                                      # persistence of the realisation gap (2 years)
        year: DIST                                    # year component (fraction of lasten)
        residual: DIST                                # municipal residual at the reference size
        size_elasticity: NUM                          # residual scale ∝ (inhabitants / reference)^γ
        reference_inhabitants: NUM
    shocks:
      - {name, year, target, fraction: DIST, municipal_sd: NUM}
        # target: OZB, Overige belastingen, Overige baten (revenue lost) or a domain (extra cost)
    compensation:
      - {name, package, year, amount: NUM, key}
        # key: per_inhabitant | {revenue: [lines]} | {cluster: name} | {siudu: item} | {table: csv}
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError
from .parameters import DatedParam, Dist, Param, Process

DOMAIN_NAMES = ("Jeugd", "Wmo", "Participatie", "Overig")
REVENUE_TARGETS = ("OZB", "Overige belastingen", "Overige baten")
SHOCK_TARGETS = REVENUE_TARGETS + DOMAIN_NAMES
COMPENSATION_REVENUE = ("OZB woningen", "OZB niet-woningen", "Parkeerbelasting", "Overige belastingen", "Parkeren",
                        "Overige baten")


@dataclass(frozen=True)
class DomainSpec:
    name: str
    volume: tuple[tuple[str, float], ...]
    excess: Dist
    error_mu: Param
    error_sigma: Param
    excess_persistence: Param | None = None  # None: the excess stays (ψ = 1)


@dataclass(frozen=True)
class RealisationSpec:
    beta: Param
    rho: Param
    year: Dist
    residual: Dist
    size_elasticity: Param
    reference_inhabitants: Param


@dataclass(frozen=True)
class ResponseSpec:
    speed: Param
    max_step: Param
    tax_share: Param


@dataclass(frozen=True)
class IngroeiSpec:
    source: str          # the circulaire whose published suppletie reveals the herverdeeleffect
    first_year: int
    first_cap: Param     # cumulative cap per inhabitant (euros) in first_year
    step: DatedParam     # added to the cap in each later year

    def cap(self, year: int) -> float:
        """The cumulative cap per inhabitant in ``year`` (0 before first_year: no ingroei data)."""
        if year < self.first_year:
            raise ValueError(f"ingroei: no cap before {self.first_year}")
        return self.first_cap.value + sum(self.step.at(y).value for y in range(self.first_year + 1, year + 1))


@dataclass(frozen=True)
class BudgetSpec:
    document: str
    year: int
    bestemmingsreserves_share: Param
    wage_price: Process
    domains: tuple[DomainSpec, ...]
    woz_driver: str | None
    ozb_pass_through: Param
    ozb_policy_growth: Param
    bijstand_driver: str
    vangnet_threshold: Param
    vangnet_full: Param
    vangnet_share: Param
    artikel12_threshold: Param
    realisation: RealisationSpec | None = None
    first_year: str = "next"  # "base": the base begroting's own year is the first output year
    response: ResponseSpec | None = None
    artikel12_horizon: Param | None = None  # None: 3 years (Bfv art. 23)
    revenue_volume_driver: str | None = None  # other taxes and baten: prices × this driver
    ingroei: IngroeiSpec | None = None


@dataclass(frozen=True)
class ShockSpec:
    name: str
    year: int
    target: str
    fraction: Dist
    municipal_sd: Param


@dataclass(frozen=True)
class CompensationSpec:
    name: str
    package: str
    year: int
    amount: Param
    key: str
    key_arg: object = None


def base_filings() -> list[tuple[str, int]]:
    """The Iv3 filings a budget can start from: a taakveld file or the summary with baten."""
    from .iv3 import IV3_FILES
    from .iv3_history import SUMMARY_FILINGS

    both = set(IV3_FILES) | {(doc, y) for doc, years in SUMMARY_FILINGS.items() for y in years}
    return sorted(both, key=lambda k: (k[1], k[0]))


def _funds_for(doc: str, year: int) -> list[str]:
    """What a scenario's ``circulaire`` may be for a base filing: the shipped circulaires of
    that uitkeringsjaar (in the year's division: M2022_2023 with Voorne aan Zee's predecessors
    summed), and ``booked`` where the filing has rijk."""
    from .booked import available, booked_id
    from .circulaire import circulaires, load_circulaire
    from .municipalities import load_municipalities

    division = set(load_municipalities(year).index)
    out = [c for c in circulaires() if c.endswith(f"_{year}")
           and set(load_circulaire(c).in_indeling(year).municipalities.index) == division]
    if booked_id(doc, year) in available():
        out.append("booked")
    return out


def parse_budget(v, x, driver_names: list[str], process, base_dir: Path | None, circ_id: str) -> BudgetSpec:
    m = v.mapping(x, ("wage_price", "domains", "buig"),
                  ("base", "include_bestemmingsreserves", "bestemmingsreserves_share", "ozb", "revenue_volume_driver", "ingroei", "artikel12_threshold", "artikel12_horizon",
                   "response", "realisation", "source"))
    base = v.at("base").mapping(m.get("base", {"document": "begroting", "year": 2025}), ("document", "year"),
                                ("first_year",))
    doc, year = base["document"], base["year"]
    first_year = base.get("first_year", "next")
    if first_year not in ("next", "base"):
        v.at("base").at("first_year").fail(f"expected 'next' (project from the year after the base) or 'base' "
                                           f"(from the base begroting's own year), got {first_year!r}")
    if first_year == "base" and doc != "begroting":
        v.at("base").at("first_year").fail(f"'base' projects the base begroting's own year; the base is the {doc} "
                                           f"{year}, already realised")
    shipped = base_filings()
    if not (isinstance(doc, str) and isinstance(year, int) and not isinstance(year, bool) and (doc, year) in shipped):
        listed = ", ".join(f"{d} {y}" for d, y in shipped)
        v.at("base").fail(f"no Iv3 {doc} {year} is shipped; expected one of: {listed}")
    # The calendar (docs/budget-model.md): the base filing's year is the year of the fund the
    # projection starts from, so it must be the circulaire's uitkeringsjaar.
    uj = int(circ_id.split("_")[1])
    if year != uj:
        fits = _funds_for(doc, year)
        v.at("base").fail(f"the {doc} {year} does not go with circulaire {circ_id} (uitkeringsjaar {uj}): the base "
                          f"year is the year of the fund the projection starts from; "
                          + (f"for the {doc} {year} use circulaire: {' or '.join(fits)}" if fits else
                             f"no circulaire or booked gemeentefonds in the data goes with the {doc} {year}"))
    incl = m.get("include_bestemmingsreserves", False)
    if not isinstance(incl, bool):
        v.at("include_bestemmingsreserves").fail(f"expected true or false, got {incl!r}")
    if "bestemmingsreserves_share" in m:
        if "include_bestemmingsreserves" in m:
            v.at("include_bestemmingsreserves").fail("give bestemmingsreserves_share or include_bestemmingsreserves, "
                                                     "not both")
        share = v.at("bestemmingsreserves_share").param(m["bestemmingsreserves_share"], 0.0, 1.0)
    else:
        share = Param(1.0 if incl else 0.0, "include_bestemmingsreserves: " + str(incl).lower())
    dv = v.at("domains")
    dm = dv.mapping(m["domains"], DOMAIN_NAMES)
    domains = []
    for name in DOMAIN_NAMES:
        d = dv.at(name).mapping(dm[name], ("volume", "excess_growth", "error"), ("excess_persistence", "note"))
        vol = dv.at(name).at("volume").mapping(d["volume"], (), tuple(driver_names))
        weights = tuple((k, dv.at(name).at("volume").at(k).number(w, 0.0, 1e6, "a weight ≥ 0")) for k, w in vol.items())
        err = dv.at(name).at("error").mapping(d["error"], ("mu", "sigma"))
        domains.append(DomainSpec(name, weights, dv.at(name).at("excess_growth").dist(d["excess_growth"]),
                                  dv.at(name).at("error").at("mu").param(err["mu"], -1.0, 1.0),
                                  dv.at(name).at("error").at("sigma").param(err["sigma"], 0.0, 1.0),
                                  dv.at(name).at("excess_persistence").param(d["excess_persistence"], 0.0, 1.0)
                                  if "excess_persistence" in d else None))
    ov = v.at("ozb")
    o = ov.mapping(m.get("ozb", {}), (), ("woz_driver", "pass_through", "policy_growth"))
    woz = o.get("woz_driver")
    if woz is not None and (not isinstance(woz, str) or woz not in driver_names):
        ov.at("woz_driver").fail(f"unknown driver {woz!r}; expected one of {driver_names}")
    one = {"value": 1.0, "source": "default: OZB revenue follows the WOZ value one for one"}
    zero = {"value": 0.0, "source": "default: no extra OZB policy"}
    bv = v.at("buig")
    b = bv.mapping(m["buig"], ("driver", "vangnet_threshold", "vangnet_full", "vangnet_share"))
    if not isinstance(b["driver"], str) or b["driver"] not in driver_names:
        bv.at("driver").fail(f"unknown driver {b['driver']!r}; expected one of {driver_names}")
    art12 = m.get("artikel12_threshold", {"value": 0.02, "source": "docs/domain.md §6.5: deficit of at least 2% of tax capacity + AU + IU + DU (Bfv art. 23)"})
    realisation = None
    if m.get("realisation") is not None:
        rv = v.at("realisation")
        if doc != "begroting":
            rv.fail(f"the realisation model turns a begroting into a result; the base is the {doc} {year}, "
                    "already realised: remove 'realisation' or use a begroting base")
        r = rv.mapping(m["realisation"], ("beta", "rho", "year", "residual", "size_elasticity", "reference_inhabitants"),
                       ("note",))
        realisation = RealisationSpec(rv.at("beta").param(r["beta"], -2.0, 2.0), rv.at("rho").param(r["rho"], -2.0, 2.0),
                                      rv.at("year").dist(r["year"]), rv.at("residual").dist(r["residual"]),
                                      rv.at("size_elasticity").param(r["size_elasticity"], -2.0, 2.0),
                                      rv.at("reference_inhabitants").param(r["reference_inhabitants"], 1.0, 1e7))
    horizon = m.get("artikel12_horizon", {"value": 3, "source": "docs/domain.md §6.5 (Bfv art. 23): the budget "
                                                                "year and the three following years"})
    horizon_param = v.at("artikel12_horizon").param(horizon, 0.0, 50.0)
    rev_driver = m.get("revenue_volume_driver")
    if rev_driver is not None and (not isinstance(rev_driver, str) or rev_driver not in driver_names):
        v.at("revenue_volume_driver").fail(f"unknown driver {rev_driver!r}; expected one of {driver_names}")
    if horizon_param.value != int(horizon_param.value):
        v.at("artikel12_horizon").at("value").fail(f"expected a whole number of years, got {horizon_param.value!r}")
    return BudgetSpec(doc, year, share, process(v.at("wage_price"), m["wage_price"]), tuple(domains), woz,
                      ov.at("pass_through").param(o.get("pass_through", one), 0.0, 5.0),
                      ov.at("policy_growth").param(o.get("policy_growth", zero), -0.5, 0.5), b["driver"],
                      bv.at("vangnet_threshold").param(b["vangnet_threshold"], 0.0, 1.0),
                      bv.at("vangnet_full").param(b["vangnet_full"], 0.0, 1.0),
                      bv.at("vangnet_share").param(b["vangnet_share"], 0.0, 1.0),
                      v.at("artikel12_threshold").param(art12, 0.0, 1.0), realisation, first_year,
                      _parse_response(v.at("response"), m.get("response", "none")), horizon_param, rev_driver,
                      _parse_ingroei(v.at("ingroei"), m["ingroei"], year, circ_id) if m.get("ingroei") is not None else None)


def _parse_ingroei(v, x, base_year: int, circ_id: str) -> IngroeiSpec:
    from .ingroei import COLUMN, PUBLISHED_CAPS

    m = v.mapping(x, ("from", "first_year", "first_cap", "step"), ("note",))
    if not isinstance(m["from"], str) or m["from"] not in PUBLISHED_CAPS:
        v.at("from").fail(f"expected a circulaire that publishes {COLUMN!r}: one of {sorted(PUBLISHED_CAPS)}, "
                          f"got {m['from']!r}")
    if circ_id in PUBLISHED_CAPS:
        v.fail(f"circulaire {circ_id} publishes its own suppletie ({COLUMN!r}); the ingroei carries it forward for "
               "circulaires that do not: remove budget.ingroei")
    first = m["first_year"]
    if isinstance(first, bool) or not isinstance(first, int) or first > base_year:
        v.at("first_year").fail(f"expected a year up to the base year {base_year}, got {first!r} (for a base year "
                                f"before the herijking's circulaires without suppletie, remove budget.ingroei)")
    spec = IngroeiSpec(m["from"], first, v.at("first_cap").param(m["first_cap"], 0.0, 1e4),
                       v.at("step").dated(m["step"], 0.0, 1e3))
    if spec.step.values[0][0] > first + 1:
        v.at("step").fail(f"the first step must apply from {first + 1} at the latest (the year after first_year)")
    return spec


def _parse_response(v, x) -> ResponseSpec | None:
    """``none`` (unchanged policy: the budget gap) or the calibrated rule with its numbers."""
    if x == "none":
        return None
    if not isinstance(x, dict):
        v.fail(f"expected 'none' or a mapping with rule: calibrated, speed, max_step and tax_share; got {x!r}")
        return None
    r = v.mapping(x, ("rule", "speed", "max_step", "tax_share"), ("note",))
    if r["rule"] != "calibrated":
        v.at("rule").fail(f"expected 'calibrated' (the only rule), got {r['rule']!r}")
    return ResponseSpec(v.at("speed").param(r["speed"], 0.0, 1.0), v.at("max_step").param(r["max_step"], 0.0, 1.0),
                        v.at("tax_share").param(r["tax_share"], 0.0, 1.0))


def parse_shock(v, x, years: list[int]) -> ShockSpec:
    m = v.mapping(x, ("name", "year", "target", "fraction", "municipal_sd"), ("note",))
    if not isinstance(m["target"], str) or m["target"] not in SHOCK_TARGETS:
        v.at("target").fail(f"unknown target {m['target']!r}; expected one of {list(SHOCK_TARGETS)}")
    return ShockSpec(v.at("name").string(m["name"]), v.at("year").integer(m["year"], years[0], years[-1]), m["target"],
                     v.at("fraction").dist(m["fraction"]), v.at("municipal_sd").param(m["municipal_sd"], 0.0, 2.0))


def parse_compensation(v, x, years: list[int], base_dir: Path | None) -> CompensationSpec:
    m = v.mapping(x, ("name", "year", "amount", "key"), ("package", "note", "source"))
    key = m["key"]
    kv = v.at("key")
    if key == "per_inhabitant":
        kind, arg = "per_inhabitant", None
    elif isinstance(key, dict) and len(key) == 1:
        kind, arg = next(iter(key.items()))
        if kind == "revenue":
            lines = [arg] if isinstance(arg, str) else arg
            if not isinstance(lines, list) or not lines or any(not isinstance(x, str) or x not in COMPENSATION_REVENUE for x in lines):
                kv.at("revenue").fail(f"expected revenue line(s) from {list(COMPENSATION_REVENUE)}, got {arg!r}")
            arg = tuple(lines)
        elif kind in ("cluster", "siudu"):
            kv.at(kind).string(arg)
        elif kind == "table":
            p = Path(kv.at("table").string(arg))
            arg = str(p if p.is_absolute() or base_dir is None else (base_dir / p).resolve())
        else:
            kv.fail(f"unknown key {kind!r}; expected per_inhabitant, revenue, cluster, siudu or table")
    else:
        kv.fail(f"expected 'per_inhabitant' or a mapping such as {{revenue: [Parkeerbelasting]}}, got {key!r}")
    return CompensationSpec(v.at("name").string(m["name"]), str(m.get("package", "")),
                            v.at("year").integer(m["year"], years[0], years[-1]),
                            v.at("amount").param(m["amount"], 0.0, 1e12), kind, arg)


def compensation_matrix(comps, years: list[int], circ, base_budget, allocation, origin: str) -> np.ndarray:
    """G × T euros: each component's amount distributed over municipalities by its key."""
    out = np.zeros((len(circ.volumes.index), len(years)))
    for c, amounts in zip(comps, _component_amounts(comps, circ, base_budget, allocation, origin)):
        out[:, years.index(c.year)] += amounts
    return out


def compensation_components(comps, circ, base_budget, allocation, origin: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per component: the euros each municipality receives (CBS code × component name, in the
    component's year) and the components themselves (name, package, year, amount, key)."""
    amounts = _component_amounts(comps, circ, base_budget, allocation, origin)
    by = pd.DataFrame({c.name: a for c, a in zip(comps, amounts)}, index=circ.volumes.index)
    by.index.name = "gemeente"
    table = pd.DataFrame([{"name": c.name, "package": c.package, "year": c.year, "amount": c.amount.value,
                           "key": c.key if c.key_arg is None else f"{c.key}: {c.key_arg}",
                           "source": c.amount.source} for c in comps],
                         columns=["name", "package", "year", "amount", "key", "source"])
    return by, table


def _component_amounts(comps, circ, base_budget, allocation, origin: str) -> list[np.ndarray]:
    codes = circ.volumes.index
    out = []
    for i, c in enumerate(comps):
        where = f"{origin}: compensation[{i}] ({c.name})"
        if c.key == "per_inhabitant":
            w = circ.municipalities["inhabitants"]
        elif c.key == "revenue":
            w = base_budget.baten[list(c.key_arg)].sum(axis=1).reindex(codes).fillna(0.0)
        elif c.key == "cluster":
            if c.key_arg not in allocation.by_cluster.columns:
                raise _error(f"{where}.key.cluster: unknown cluster {c.key_arg!r}; expected one of {list(allocation.by_cluster.columns)}")
            w = allocation.by_cluster[c.key_arg]
        elif c.key == "siudu":
            if c.key_arg not in circ.fixed_items.columns:
                raise _error(f"{where}.key.siudu: {c.key_arg!r} is not a SIUDU item of {circ.id}; expected one of {list(circ.fixed_items.columns)}")
            w = circ.fixed_items[c.key_arg]
        else:
            w = _table(c.key_arg, codes, where)
        w = w.reindex(codes).to_numpy(dtype=float)
        if np.any(w < 0) or not np.isfinite(w).all() or w.sum() <= 0:
            raise _error(f"{where}: the key gives negative, non-finite or all-zero weights; expected a positive total")
        out.append(c.amount.value * w / w.sum())
    return out


def _error(msg: str):
    from .errors import ScenarioError

    return ScenarioError(msg)


def _table(path: str, codes, where: str) -> pd.Series:
    p = Path(path)
    if not p.is_file():
        raise _error(f"{where}.key.table: file {p} not found")
    df = pd.read_csv(p)
    if not {"gemeente", "weight"} <= set(df.columns):
        raise _error(f"{where}.key.table: {p} needs columns 'gemeente' and 'weight'; it has {list(df.columns)}")
    s = pd.to_numeric(df.set_index("gemeente")["weight"], errors="coerce")
    if s.isna().any():
        raise _error(f"{where}.key.table: {p} has a non-numeric weight for {s[s.isna()].index[0]}")
    return s.reindex(codes).fillna(0.0)


@dataclass(frozen=True)
class BudgetBase:
    """What the budget model takes from the data, for one base filing and circulaire (euros, in
    the order of the circulaire's municipalities); independent of the scenario's numbers, so a
    sensitivity batch computes it once."""

    base: object                 # iv3.BaselineBudget
    lasten: pd.DataFrame
    baten: pd.DataFrame
    buig_baten: pd.Series
    buig_lasten: pd.Series
    reserves: pd.DataFrame       # algemene reserve, bestemmingsreserves
    allocation: object           # the circulaire's allocation at its published factor
    planned: np.ndarray          # the base filing's saldo relative to its lasten (realisation model's b)
    gap: np.ndarray              # the realisation gap two years before the base (0 where unknown)
    gap_known: bool
    structural: np.ndarray       # the base begroting's structurele exploitatieruimte (fraction; 0 where unknown)
    structural_unknown: tuple[str, ...] = ()  # CBS codes without that kengetal
    herverdeeleffect: np.ndarray | None = None  # budget.ingroei: HE per municipality (euros), data only

    def arrays(self, circ) -> dict:
        """The core's base-year arrays (computed once per base: they depend on the data only)."""
        cached = self.__dict__.get("_arrays")
        if cached is None:
            lasten, baten, buig_b, buig_l = self.lasten, self.baten, self.buig_baten, self.buig_lasten
            cached = {
                "lasten": [lasten["Jeugd"].to_numpy(), lasten["Wmo"].to_numpy(),
                           (lasten["Participatie"] - buig_l).to_numpy(), lasten["Overig"].to_numpy()],
                # Before 2023 the base (Iv3 summary) does not split the belastingen: all follow the OZB rule.
                "ozb": (baten["OZB woningen"] + baten["OZB niet-woningen"] + baten["Belastingen (ongesplitst)"]).to_numpy(),
                "other_taxes": (baten["Parkeerbelasting"] + baten["Overige belastingen"] + baten["Parkeren"]).to_numpy(),
                "other_baten": (baten["Overige baten"] - buig_b).to_numpy(),
                "buig_baten": buig_b.clip(lower=0).to_numpy(),
                "buig_lasten": buig_l.clip(lower=0).to_numpy(),
                "siudu": circ.fixed_items.sum(axis=1).to_numpy(),
                "algemene reserve": self.reserves["algemene reserve"].to_numpy(),
                "bestemmingsreserves": self.reserves["bestemmingsreserves"].to_numpy(),
                "inhabitants": circ.municipalities["inhabitants"].reindex(circ.volumes.index).to_numpy(),
            }
            object.__setattr__(self, "_arrays", cached)  # a memo of a frozen dataclass's own data
        return cached


def budget_base(spec: BudgetSpec, circ) -> BudgetBase:
    from . import iv3
    from . import realisation as rm
    from .allocation import allocate

    codes = circ.volumes.index
    base = iv3.baseline_budget(spec.document, spec.year)
    absent = [c for c in codes if c not in base.lasten.index]
    if base.missing or absent:
        raise DataError(f"Iv3 {spec.document} {spec.year}: no budget for municipality/municipalities "
                        f"{(base.missing or absent)[:10]} of circulaire {circ.id}")
    lasten = base.lasten.reindex(codes)
    baten = base.baten.reindex(codes)
    # Reserves at the start: the balance sheet at the end of the year before a begroting base
    # year (the last one known when it was adopted), or of the jaarrekening base year itself.
    sheet = spec.year - 1 if spec.document == "begroting" else spec.year
    reserves, _ = iv3.load_reserves(sheet, division=spec.year)
    reserves = reserves.reindex(codes)
    if reserves.isna().any().any():
        raise DataError(f"balance sheet {sheet}: no reserves for {list(reserves.index[reserves.isna().any(axis=1)][:10])}")
    alloc = allocate(circ)
    # The realisation model's b: own baten, BUIG, the AU and SIUDU against all lasten
    # (Participatie includes the BUIG benefits here).
    he = _herverdeeleffect(spec, circ) if spec.ingroei is not None else None
    total_lasten = lasten.sum(axis=1).to_numpy()
    total_baten = (baten.sum(axis=1).to_numpy() + alloc.algemene_uitkering.reindex(codes).to_numpy()
                   + circ.fixed_items.sum(axis=1).reindex(codes).to_numpy()
                   + ingroei_suppletie(spec, circ, [spec.year], he)[:, 0])
    planned = np.clip((total_baten - total_lasten) / total_lasten, -rm.CLIP, rm.CLIP)
    gap = rm.realisation_gap(spec.year - 2, spec.year).reindex(codes)
    structural = _structural_room(spec).reindex(codes)
    if base.buig_baten is None or base.buig_lasten is None:
        raise DataError(f"Iv3 {spec.document} {spec.year}: no BUIG proxy (taakveld 6.3) in the base budget")
    return BudgetBase(base, lasten, baten, base.buig_baten.reindex(codes).fillna(0.0),
                      base.buig_lasten.reindex(codes).fillna(0.0), reserves, alloc, planned,
                      gap.fillna(0.0).to_numpy(), bool(gap.notna().any()),
                      structural.fillna(0.0).to_numpy(), tuple(structural.index[structural.isna()]), he)


STRUCTURAL_ROOM = "Structurele exploitatieruimte"


def _structural_room(spec: BudgetSpec) -> pd.Series:
    """The BBV kengetal structurele exploitatieruimte of the base begroting for its own year
    (structural baten − structural lasten, with structural reserve mutations, ÷ total baten),
    per CBS code; empty for a jaarrekening base or a begroting without kengetallen (before 2020)."""
    from . import iv3
    from .errors import InputError

    if spec.document != "begroting":
        return pd.Series(dtype=float)
    try:
        k, _ = iv3.load_kengetallen(spec.year)
    except InputError:
        return pd.Series(dtype=float)
    return k[STRUCTURAL_ROOM] if STRUCTURAL_ROOM in k.columns else pd.Series(dtype=float)


def ingroei_suppletie(spec: BudgetSpec, circ, years: list[int], he: np.ndarray | None = None) -> np.ndarray:
    """The ingroei suppletie (gemfin.ingroei) per municipality of ``circ`` and year (euros; G ×
    len(years)), zeros without ``budget.ingroei``: the herverdeeleffect revealed by the source
    circulaire (``he``, in the order of ``circ``'s municipalities, if known: it is data only), in
    euros of that circulaire, capped at each year's cumulative cap times the inhabitants of ``circ``."""
    codes = circ.volumes.index
    out = np.zeros((len(codes), len(years)))
    if spec.ingroei is None:
        return out
    he = _herverdeeleffect(spec, circ) if he is None else he
    from .ingroei import suppletie

    inw = circ.municipalities["inhabitants"].reindex(codes).to_numpy(dtype=float)
    for k, y in enumerate(years):
        out[:, k] = suppletie(he, inw, spec.ingroei.cap(y))
    return out


def _herverdeeleffect(spec: BudgetSpec, circ) -> np.ndarray:
    from .ingroei import herverdeeleffect

    assert spec.ingroei is not None
    he = herverdeeleffect(spec.ingroei.source)
    codes = circ.volumes.index
    missing = [c for c in codes if c not in he.index]
    if missing:
        raise DataError(f"budget.ingroei: circulaire {spec.ingroei.source} has no herverdeeleffect for {missing[:10]} "
                        f"of circulaire {circ.id} (another municipal division)")
    return he["he"].reindex(codes).to_numpy(dtype=float)


def budget_inputs(spec: BudgetSpec, shocks, comps, drivers, circ, years, origin: str,
                  data: BudgetBase | None = None) -> dict:
    """Arrays of the compiled budget model (euros, in the order of the circulaire's
    municipalities); ``data`` is :func:`budget_base` of the same base and circulaire, if known."""
    data = budget_base(spec, circ) if data is None else data
    a = data.arrays(circ)
    # The freely available reserves (docs/budget-model.md, "Reserves"). A share of 0 adds
    # nothing, bit for bit as the algemene reserve alone.
    share = spec.bestemmingsreserves_share.value
    res0 = a["algemene reserve"] + (share * a["bestemmingsreserves"] if share else 0.0)
    names = [d.name for d in drivers]
    weights = np.zeros((4, len(names)))
    for i, d in enumerate(spec.domains):
        for k, w in d.volume:
            weights[i, names.index(k)] = w
    comp = compensation_matrix(comps, years, circ, data.base, data.allocation, origin) if comps \
        else np.zeros((len(circ.volumes.index), len(years)))

    def dist(d):
        return {"kind": d.kind, "params": list(d.params)}

    realisation = _realisation_inputs(spec, data, a)
    # Artikel 12 and the response (docs/budget-model.md, "Response"): the planned saldo ÷ lasten
    # at which the structural saldo is zero is the base position less its structural room (the
    # kengetal is ÷ total baten; read as ÷ lasten, which differ by the planned saldo, ~1%). The
    # rule steers a structural deficit to zero and keeps a structural surplus where it is.
    balance = data.planned - data.structural
    response = None
    if spec.response is not None:
        response = {"target": data.planned - np.minimum(data.structural, 0.0), "speed": spec.response.speed.value,
                    "max_step": spec.response.max_step.value}
    return {
        **{k: a[k] for k in ("lasten", "ozb", "other_taxes", "other_baten", "buig_baten", "buig_lasten", "siudu")},
        "reserves": res0,
        "volume_weights": weights,
        "bijstand_driver": names.index(spec.bijstand_driver),
        "woz_driver": names.index(spec.woz_driver) if spec.woz_driver else -1,
        "revenue_volume_driver": names.index(spec.revenue_volume_driver) if spec.revenue_volume_driver else -1,
        "ozb_pass_through": spec.ozb_pass_through.value,
        "ozb_policy_growth": spec.ozb_policy_growth.value,
        "wage_price": {"mean": spec.wage_price.mean.value, "persistence": spec.wage_price.persistence.value,
                       "start": spec.wage_price.start.value, "shock": dist(spec.wage_price.shock)},
        "excess": [dist(d.excess) for d in spec.domains],
        "excess_persistence": [1.0 if d.excess_persistence is None else d.excess_persistence.value for d in spec.domains],
        "error_mu": [d.error_mu.value for d in spec.domains],
        "error_sigma": [d.error_sigma.value for d in spec.domains],
        "vangnet": [spec.vangnet_threshold.value, spec.vangnet_full.value, spec.vangnet_share.value],
        "artikel12_threshold": spec.artikel12_threshold.value,
        "artikel12_horizon": 3 if spec.artikel12_horizon is None else int(spec.artikel12_horizon.value),
        "balance": balance,
        "response": response,
        "shocks": [{"name": s.name, "year": years.index(s.year), "target": s.target,
                    "fraction": dist(s.fraction), "municipal_sd": s.municipal_sd.value} for s in shocks],
        "compensation": comp,
        "realisation": realisation,
        "suppletie": ingroei_suppletie(spec, circ, list(years), data.herverdeeleffect)
        if spec.ingroei is not None else None,
    }


def _realisation_inputs(spec: BudgetSpec, data: BudgetBase, arrays: dict) -> dict | None:
    """The realisation model's per-municipality offset (β − 1)·b + ρ·u (fraction of lasten):
    b is the base begroting's saldo relative to its lasten as the model sees it (own baten,
    BUIG, the circulaire's AU and SIUDU against all lasten); u the municipality's realisation
    gap of the year two before the base (jaarrekening against begroting, less that year's
    mean), 0 where the data have no such pair (docs/backtest.md)."""
    r = spec.realisation
    if r is None:
        return None
    from . import realisation as rm

    offset = (r.beta.value - 1.0) * data.planned + r.rho.value * data.gap
    factor = rm.size_factor(arrays["inhabitants"], r.size_elasticity.value, r.reference_inhabitants.value)
    return {"offset": offset, "year": r.year.as_core(), "residual": r.residual.as_core(), "residual_factor": factor,
            "u_year": spec.year - 2 if data.gap_known else None}
