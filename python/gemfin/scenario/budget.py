"""The municipal-budget part of a scenario: ``budget``, ``shocks`` and ``compensation``.

Schema (all numbers with a source, as elsewhere in the scenario files)::

    budget:
      base: {document: begroting, year: 2025,         # Iv3 base filing (docs/budget-model.md, calendar)
             first_year: next,                        # next: project from year + 1; base: from the
                                                      # begroting's own year (its realised result)
             revenue_lines_from: {document, year}}    # optional, base 2017–2022: split its own baten
                                                      # over the revenue lines in this filing's shares
      bestemmingsreserves_share: NUM                  # reserves = algemene reserve + this share of the
                                                      # bestemmingsreserves (the freely available part)
      include_bestemmingsreserves: BOOL               # older form: true = share 1, false = share 0
      wage_price: {mean, persistence, start, shock}   # yearly wage/price growth, or
                  {follows: fund.price, wedge}      # the fund's GDP deflator + a wedge
      domains:                                        # Jeugd, Wmo, Participatie, Overig
        Jeugd:
          volume: {jongeren: 1.0}                     # weights over the scenario's drivers
          excess_growth: DIST                         # national cost growth above wages/prices
          excess_persistence: NUM                     # optional: the excess fades as ψ^k (default 1)
          error: {mu: NUM, sigma: NUM}                # municipal lognormal budget-vs-outcome error
      ozb: {woz_driver: woz_woningen, pass_through: NUM, policy_growth: NUM, price_indexed: {value, source}}
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
        gap_persistence: NUM                          # × the realisation gap's score (2 years back)
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
        #      | {lasten: [domains or taakvelden]}: the base filing's lasten there
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from .parameters import DatedParam, Dist, FundPriceLinkSpec, Param, Process
from ..schema.base import dated_spec
from ..schema.scenario import (COMPENSATION_REVENUE, DOMAIN_NAMES, REVENUE_TARGETS, SHOCK_TARGETS, Budget,  # noqa: F401
                              ClusterKey, Compensation, Ingroei, LastenKey, RevenueKey, Shock, SiuduKey)



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
    gap_persistence: Param
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
    wage_price: Process | FundPriceLinkSpec
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
    ozb_price_indexed: bool = False  # OZB also grows with the wage/price level
    revenue_lines_from: tuple[str, int] | None = None  # (document, year) whose shares split a summary base's baten


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
    from ..iv3 import IV3_FILES
    from ..iv3.history import SUMMARY_FILINGS

    both = set(IV3_FILES) | {(doc, y) for doc, years in SUMMARY_FILINGS.items() for y in years}
    return sorted(both, key=lambda k: (k[1], k[0]))


def _funds_for(doc: str, year: int) -> list[str]:
    """What a scenario's ``circulaire`` may be for a base filing: the shipped circulaires of
    that uitkeringsjaar (in the year's division: M2022_2023 with Voorne aan Zee's predecessors
    summed), and ``booked`` where the filing has rijk."""
    from ..booked import available, booked_id
    from ..circulaire import circulaires, read_circulaire
    from ..municipalities import load_municipalities

    division = set(load_municipalities(year).index)
    out = [c for c in circulaires() if c.endswith(f"_{year}")
           and set(read_circulaire(c).in_indeling(year).municipalities.index) == division]
    if booked_id(doc, year) in available():
        out.append("booked")
    return out


def parse_budget(v, m: Budget, driver_names: list[str], circ_id: str) -> BudgetSpec:
    """The budget part of a scenario from its validated section; checks what needs the data
    (the base filing, the circulaire it goes with, the drivers it names)."""
    doc, year = m.base.document, m.base.year
    shipped = base_filings()
    if (doc, year) not in shipped:
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

    def driver(where, name: str | None) -> str | None:
        if name is not None and name not in driver_names:
            where.fail(f"unknown driver {name!r}; expected one of {driver_names}")
        return name

    driver(v.at("buig").at("driver"), m.buig.driver)
    if m.bestemmingsreserves_share is not None:
        share = m.bestemmingsreserves_share.spec()
    else:
        incl = bool(m.include_bestemmingsreserves)
        share = Param(1.0 if incl else 0.0, "include_bestemmingsreserves: " + str(incl).lower())
    domains = []
    for name in DOMAIN_NAMES:
        d = getattr(m.domains, name)
        for k in d.volume:
            driver(v.at("domains").at(name).at("volume").at(k), k)
        domains.append(DomainSpec(name, tuple((k, float(w)) for k, w in d.volume.items()), d.excess_growth.spec(),
                                  d.error.mu.spec(), d.error.sigma.spec(),
                                  d.excess_persistence.spec() if d.excess_persistence is not None else None))
    r = m.realisation
    realisation = None if r is None else RealisationSpec(
        r.beta.spec(), r.gap_persistence.spec(), r.year.spec(), r.residual.spec(), r.size_elasticity.spec(),
        r.reference_inhabitants.spec())
    response = None if m.response == "none" else ResponseSpec(m.response.speed.spec(), m.response.max_step.spec(),
                                                              m.response.tax_share.spec())
    return BudgetSpec(doc, year, share, m.wage_price.spec(), tuple(domains),
                      driver(v.at("ozb").at("woz_driver"), m.ozb.woz_driver),
                      m.ozb.pass_through.spec(), m.ozb.policy_growth.spec(),
                      m.buig.driver,
                      m.buig.vangnet_threshold.spec(), m.buig.vangnet_full.spec(), m.buig.vangnet_share.spec(),
                      m.artikel12_threshold.spec(), realisation, m.base.first_year, response,
                      m.artikel12_horizon.spec(), driver(v.at("revenue_volume_driver"), m.revenue_volume_driver),
                      _ingroei(v.at("ingroei"), m.ingroei, year, circ_id) if m.ingroei is not None else None,
                      m.ozb.price_indexed.value, _revenue_lines_from(v.at("base").at("revenue_lines_from"), m))


def _revenue_lines_from(v, m: Budget) -> tuple[str, int] | None:
    from ..iv3 import IV3_FILES

    ref = m.base.revenue_lines_from
    if ref is None:
        return None
    if (m.base.document, m.base.year) in IV3_FILES:
        v.fail(f"the {m.base.document} {m.base.year} has its revenue lines from its taakveld file; only a base "
               "from the Iv3 summary (2017–2022) takes them from another filing")
    if (ref.document, ref.year) not in IV3_FILES:
        listed = ", ".join(f"{d} {y}" for d, y in sorted(IV3_FILES, key=lambda k: (k[1], k[0])))
        v.fail(f"the {ref.document} {ref.year} has no revenue lines (no taakveld file); expected one of: {listed}")
    return (ref.document, ref.year)


def _ingroei(v, m: Ingroei, base_year: int, circ_id: str) -> IngroeiSpec:
    from ..ingroei import COLUMN, PUBLISHED_CAPS

    if m.from_ not in PUBLISHED_CAPS:
        v.at("from").fail(f"expected a circulaire that publishes {COLUMN!r}: one of {sorted(PUBLISHED_CAPS)}, "
                          f"got {m.from_!r}")
    if circ_id in PUBLISHED_CAPS:
        v.fail(f"circulaire {circ_id} publishes its own suppletie ({COLUMN!r}); the ingroei carries it forward for "
               "circulaires that do not: remove budget.ingroei")
    if m.first_year > base_year:
        v.at("first_year").fail(f"expected a year up to the base year {base_year}, got {m.first_year!r} (for a base "
                                "year before the herijking's circulaires without suppletie, remove budget.ingroei)")
    return IngroeiSpec(m.from_, m.first_year, m.first_cap.spec(), dated_spec(m.step))


def parse_shock(v, m: Shock, years: list[int]) -> ShockSpec:
    return ShockSpec(m.name, v.at("year").year(m.year, years), m.target, m.fraction.spec(), m.municipal_sd.spec())


def parse_compensation(v, m: Compensation, years: list[int], base_dir: Path | None) -> CompensationSpec:
    key = m.key
    arg: object = None
    if isinstance(key, str):
        kind = "per_inhabitant"
    elif isinstance(key, RevenueKey):
        kind, arg = "revenue", (key.revenue,) if isinstance(key.revenue, str) else tuple(key.revenue)
    elif isinstance(key, ClusterKey):
        kind, arg = "cluster", key.cluster
    elif isinstance(key, SiuduKey):
        kind, arg = "siudu", key.siudu
    elif isinstance(key, LastenKey):
        kind, arg = "lasten", tuple(key.lasten)
    else:
        p = Path(key.table)
        kind, arg = "table", str(p if p.is_absolute() or base_dir is None else (base_dir / p).resolve())
    return CompensationSpec(m.name, m.package, v.at("year").year(m.year, years), m.amount.spec(), kind, arg)


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
        elif c.key == "lasten":
            w = _lasten_key(base_budget, c.key_arg, f"{where}.key.lasten")
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
            raise _error(f"{where}: {n!r} is neither a domain nor a taakveld of the {base_budget.kind} "
                         f"{base_budget.year}; expected one of {known}")
    return out


def _error(msg: str):
    from ..errors import ScenarioError

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
    gap: np.ndarray              # the realisation gap's score two years before the base (0 where unknown)
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
    from .. import iv3
    from .. import realisation as rm
    from ..allocation import allocate

    codes = circ.volumes.index
    base = iv3.baseline_budget(spec.document, spec.year)
    if spec.revenue_lines_from is not None:
        from ..iv3.history import split_revenue_lines

        base = split_revenue_lines(base, iv3.baseline_budget(*spec.revenue_lines_from))
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
    gap = rm.persistence_signal(spec.year - 2, spec.year, distributions=rm.shipped_gap_distributions()).reindex(codes)
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
    from .. import iv3
    from ..errors import InputError

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
    from ..ingroei import suppletie

    inw = circ.municipalities["inhabitants"].reindex(codes).to_numpy(dtype=float)
    for k, y in enumerate(years):
        out[:, k] = suppletie(he, inw, spec.ingroei.cap(y))
    return out


def _herverdeeleffect(spec: BudgetSpec, circ) -> np.ndarray:
    from ..ingroei import herverdeeleffect

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
        "ozb_price_indexed": spec.ozb_price_indexed,
        "wage_price": ({"follows": "fund.price", "wedge": spec.wage_price.wedge.value}
                       if isinstance(spec.wage_price, FundPriceLinkSpec) else
                       {"mean": spec.wage_price.mean.value, "persistence": spec.wage_price.persistence.value,
                        "start": spec.wage_price.start.value, "shock": dist(spec.wage_price.shock)}),
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
    """The realisation model's per-municipality offset (β − 1)·b + ρ·ũ (fraction of lasten):
    b is the base begroting's saldo relative to its lasten as the model sees it (own baten,
    BUIG, the circulaire's AU and SIUDU against all lasten); ũ the Student-t score of the
    municipality's realisation gap of the year two before the base (jaarrekening against
    begroting, less that year's mean), 0 where the data have no such pair (docs/backtest.md)."""
    r = spec.realisation
    if r is None:
        return None
    from .. import realisation as rm

    offset = (r.beta.value - 1.0) * data.planned + r.gap_persistence.value * data.gap
    factor = rm.size_factor(arrays["inhabitants"], r.size_elasticity.value, r.reference_inhabitants.value)
    return {"offset": offset, "year": r.year.as_core(), "residual": r.residual.as_core(), "residual_factor": factor,
            "u_year": spec.year - 2 if data.gap_known else None}
