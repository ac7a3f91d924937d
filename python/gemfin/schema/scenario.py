"""The scenario file, declared (pydantic v2): every field, its type, range and meaning.

This is the structure of a scenario; what can only be checked against the data (a circulaire
or a maatstaf that exists, a driver a section refers to, the years of the horizon, a
correlation matrix that is positive semi-definite) is checked when the scenario is built
(:func:`gemfin.scenario.scenario_from_dict`), in the same style: every problem, with its path.
``gemfin schema scenario`` prints the JSON Schema (``docs/schemas/scenario.schema.json``).

Longer than a page: it is the one declaration of the file format, read top to bottom like the
file itself; split, a section's fields and the cross-field rules that tie them would sit apart.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional, Union

from pydantic import Discriminator, Field, Tag, model_validator

from .. import engine
from .base import (STRUCTURAL, DistModel, Number, ParamBase, Section, Text, dated, gemfin_error, param,
                   structural_paths, value_at)

DOMAIN_NAMES = ("Jeugd", "Wmo", "Participatie", "Overig")
REVENUE_TARGETS = ("OZB", "Overige belastingen", "Overige baten")
SHOCK_TARGETS = REVENUE_TARGETS + DOMAIN_NAMES
COMPENSATION_REVENUE = ("OZB woningen", "OZB niet-woningen", "Parkeerbelasting", "Overige belastingen", "Parkeren",
                        "Overige baten")
RESERVED_DRIVER_NAMES = ("growth", "price", "wage_price")

Note = Optional[str]
Year = Annotated[int, Field(ge=1900, le=2200)]


# --- macro processes and the fund --------------------------------------------------------------------

class ProcessModel(Section):
    """An AR(1) process of yearly log-growth: x_t = mean + persistence·(x_{t−1} − mean) + shock."""

    mean: param(-0.5, 0.5)  # type: ignore[valid-type]
    persistence: param(0.0, 0.99)  # type: ignore[valid-type]
    start: param(-0.5, 0.5)  # type: ignore[valid-type]
    shock: DistModel


def _history_kind(v: Any) -> str | None:
    if isinstance(v, dict):
        return "dated" if v and all(isinstance(k, int) and not isinstance(k, bool) for k in v) else "single"
    return "single" if isinstance(v, ParamBase) else None


#: Real GDP growth before the projection: one value for every year of the window, or the
#: published growth of each year (dated).
_HistoryValue: Any = param(-0.5, 0.5)
_HistoryDated: Any = dated(-0.5, 0.5)
GrowthHistory: Any = Annotated[
    Union[Annotated[_HistoryValue, Tag("single")], Annotated[_HistoryDated, Tag("dated")]],
    Discriminator(_history_kind, custom_error_type="growth_history",
                  custom_error_message="expected {value, source} (one growth rate for every year of the window) or "
                                       "{YEAR: {value, source}, ...} (the real growth of each year)")]


class GrowthProcess(ProcessModel):
    """The fund's growth process; ``history`` (gdp rule only) is the real GDP growth (a yearly
    rate) of the base year and before, which fills the GDP rule's 8-year window until projected
    years enter it: one value for every year, or dated, ``{2017: {value: 0.028, source}, ...}``,
    each year's own (a year not listed takes the one before it; years before the first listed
    take ``start``)."""

    history: Optional[GrowthHistory] = None


class PolicyMutation(Section):
    """Euros added to the algemene uitkering's budget from ``year`` on (a year after the
    projection's last is beyond its horizon and changes nothing). ``task``: the budget domain
    whose task the money pays for (a taakmutatie: the councils' lasten of that domain rise with
    it, docs/budget-model.md "Tasks the fund pays for"); without it the money is free to spend."""

    year: Year
    amount: Number
    source: Text
    task: Optional[Literal[DOMAIN_NAMES]] = None  # type: ignore[valid-type]


# The names the core's enums take in a file (gemfin.engine maps them one to one).
ACCRES_PERIODS = tuple(engine.ACCRES_PERIODS)
FUND_RULES = tuple(engine.FUND_RULES)


class AccresPeriod(Section):
    """How the accres was set from a year on (docs/budget-model.md, "The fund's indexation by
    period"): ``trap_op_trap_af`` (with central spending, approximated by the year's nominal
    growth), ``fixed`` (an amount set in advance: the expected nominal growth), ``frozen_volume``
    (mean real growth + the year's deflator), ``gdp``, or ``published``: the ``accres`` a
    circulaire published for that one year; with the deflator it assumed (``price``) the year's
    deflator moves it (accres + deflator − price), without, it is a decided amount."""

    rule: Literal[ACCRES_PERIODS]  # type: ignore[valid-type]
    accres: Optional[param(-0.5, 0.5)] = None  # type: ignore[valid-type]
    price: Optional[param(-0.5, 0.5)] = None  # type: ignore[valid-type]
    source: Text

    @model_validator(mode="after")
    def _accres_when_published(self) -> "AccresPeriod":
        if self.rule == "published" and self.accres is None:
            raise gemfin_error("a published period needs the 'accres' the circulaire published", at="accres")
        if self.rule != "published":
            for name in ("accres", "price"):
                if getattr(self, name) is not None:
                    raise gemfin_error(f"only a 'published' period has {name!r}", at=name)
        return self


class Fund(Section):
    """How the gemeentefonds grows: ``ngru`` (accres with central spending) or ``gdp``
    (nominal GDP: 8-year lagged real growth plus the current deflator). ``periods`` (gdp rule):
    dated, how the accres was set from each year on, for projections through earlier years."""

    rule: Literal[FUND_RULES]  # type: ignore[valid-type]
    source: Optional[str] = None
    growth: GrowthProcess
    price: Optional[ProcessModel] = None
    policy_mutations: Optional[list[PolicyMutation]] = None
    periods: Optional[Annotated[dict[Year, AccresPeriod], Field(min_length=1)]] = None

    @model_validator(mode="after")
    def _price_with_gdp(self) -> "Fund":
        if self.rule == "gdp" and self.price is None:
            raise gemfin_error("rule 'gdp' needs a 'price' process (the GDP deflator)")
        if self.rule != "gdp" and self.price is not None:
            raise gemfin_error("only the 'gdp' rule has a price process")
        if self.rule != "gdp" and self.growth.history is not None:
            raise gemfin_error("only the 'gdp' rule has a growth history (its 8-year window)", at="growth.history")
        if self.rule != "gdp" and self.periods is not None:
            raise gemfin_error("the accres by period uses the 'gdp' rule's processes (real growth and the deflator)",
                               at="periods")
        return self


class DriverModel(Section):
    """A volume driver: the maatstaven it moves, its national growth and the municipal spread."""

    maatstaven: Annotated[list[Text], Field(min_length=1), STRUCTURAL]
    national: DistModel
    municipal_sd: param(0.0, 1.0)  # type: ignore[valid-type]
    average_years: Annotated[int, Field(ge=1, le=10), STRUCTURAL] = 1
    note: Note = None


class CorrelationModel(Section):
    """The correlation of two variables' shocks (growth, price, wage_price, drivers, excess.X, ...)."""

    between: Annotated[list[Text], Field(min_length=2, max_length=2)]
    value: Annotated[float, Field(ge=-1.0, le=1.0, allow_inf_nan=False)]
    source: Text

    @model_validator(mode="after")
    def _two_variables(self) -> "CorrelationModel":
        if self.between[0] == self.between[1]:
            raise gemfin_error("a variable's correlation with itself is 1 by definition")
        return self


# --- the municipal budgets ---------------------------------------------------------------------------

class FilingRef(Section):
    """An Iv3 filing: ``{document: begroting, year: 2023}``."""

    document: Literal["begroting", "jaarrekening"]
    year: Year


class BaseFiling(Section):
    """The Iv3 filing the budgets start from; ``first_year: base`` makes the begroting's own year
    the first output year (a forecast of its realised result). ``revenue_lines_from``: a base
    from the Iv3 summary (2017–2022) has its own baten only as belastingen and the rest; this
    later filing's shares per municipality split them over the revenue lines (an imputation)."""

    document: Literal["begroting", "jaarrekening"]
    year: Year
    first_year: Literal["next", "base"] = "next"
    revenue_lines_from: Optional[FilingRef] = None

    @model_validator(mode="after")
    def _base_is_a_plan(self) -> "BaseFiling":
        if self.first_year == "base" and self.document != "begroting":
            raise gemfin_error(f"'base' projects the base begroting's own year; the base is the "
                               f"{self.document} {self.year}, already realised", at="first_year")
        return self


class DomainError(Section):
    """The municipal lognormal budget-vs-outcome error of a domain."""

    mu: param(-1.0, 1.0)  # type: ignore[valid-type]
    sigma: param(0.0, 1.0)  # type: ignore[valid-type]


class Domain(Section):
    """A cost domain: volume weights over the drivers, national excess growth above wages and
    prices (fading as ψ^k with ``excess_persistence``; ψ = 1 when absent) and the error."""

    volume: dict[str, Annotated[float, Field(ge=0.0, le=1e6, allow_inf_nan=False)]]
    excess_growth: DistModel
    excess_persistence: Optional[param(0.0, 1.0)] = None  # type: ignore[valid-type]
    error: DomainError
    note: Note = None


class Domains(Section):
    Jeugd: Domain
    Wmo: Domain
    Participatie: Domain
    Overig: Domain


class SourcedFlag(Section):
    """A yes/no choice of the model with the source that justifies it."""

    value: bool
    source: Text


class Ozb(Section):
    """OZB revenue: follows the WOZ driver by ``pass_through`` plus ``policy_growth`` a year, and
    the wage/price level where ``price_indexed`` (the tariff raised with inflation)."""

    woz_driver: Optional[Text] = None
    pass_through: param(0.0, 5.0) = param(0.0, 5.0)(  # type: ignore[valid-type]
        value=1.0, source="default: OZB revenue follows the WOZ value one for one")
    policy_growth: param(-0.5, 0.5) = param(-0.5, 0.5)(  # type: ignore[valid-type]
        value=0.0, source="default: no extra OZB policy")
    price_indexed: SourcedFlag = SourcedFlag(value=False, source="default: the tariff is not indexed")


class Buig(Section):
    """The BUIG (bijstand) budget and its vangnet (safety net)."""

    driver: Text
    vangnet_threshold: param(0.0, 1.0)  # type: ignore[valid-type]
    vangnet_full: param(0.0, 1.0)  # type: ignore[valid-type]
    vangnet_share: param(0.0, 1.0)  # type: ignore[valid-type]


class Ingroei(Section):
    """The herijking's suppletie carried forward: the herverdeeleffect revealed by ``from``'s
    published suppletie, capped at ``first_cap`` (cumulative, EUR per inhabitant) in
    ``first_year`` plus the dated ``step`` in each later year."""

    from_: Text = Field(alias="from")
    first_year: Year
    first_cap: param(0.0, 1e4)  # type: ignore[valid-type]
    step: dated(0.0, 1e3)  # type: ignore[valid-type]
    note: Note = None

    @model_validator(mode="after")
    def _steps_follow(self) -> "Ingroei":
        if min(self.step) > self.first_year + 1:
            raise gemfin_error(f"the first step must apply from {self.first_year + 1} at the latest "
                               "(the year after first_year)", at="step")
        return self

    def cap(self, year: int) -> float:
        """The cumulative cap per inhabitant (euros) in ``year``, from ``first_year`` on."""
        if year < self.first_year:
            raise ValueError(f"ingroei: no cap before {self.first_year}")
        return self.first_cap.value + sum(value_at(self.step, y).value for y in range(self.first_year + 1, year + 1))


class Response(Section):
    """The calibrated response: the municipality closes ``speed`` × its planned gap a year, new
    measures at most ``max_step`` × lasten, ``tax_share`` of them as higher belastingen."""

    rule: Literal["calibrated"]
    speed: param(0.0, 1.0)  # type: ignore[valid-type]
    max_step: param(0.0, 1.0)  # type: ignore[valid-type]
    tax_share: param(0.0, 1.0)  # type: ignore[valid-type]
    note: Note = None


ResponseField = Annotated[
    Union[Annotated[Literal["none"], Tag("none")], Annotated[Response, Tag("calibrated")]],
    Discriminator(lambda v: "calibrated" if isinstance(v, (dict, Response)) else "none" if v == "none" else None,
                  custom_error_type="response",
                  custom_error_message="expected 'none' or a mapping with rule: calibrated, speed, max_step and tax_share")]


class FundPriceLink(Section):
    """Municipal wages and prices follow the fund's price process — the GDP deflator of the gdp
    rule — plus a ``wedge`` a year: one price process for costs and the fund."""

    follows: Literal["fund.price"]
    wedge: param(-0.5, 0.5)  # type: ignore[valid-type]


WagePriceField = Annotated[
    Union[Annotated[ProcessModel, Tag("process")], Annotated[FundPriceLink, Tag("link")]],
    Discriminator(lambda v: "link" if isinstance(v, FundPriceLink) or (isinstance(v, dict) and "follows" in v)
                  else "process")]


class Realisation(Section):
    """From a planned begroting to its realised result (begroting base only)."""

    beta: param(-2.0, 2.0)  # type: ignore[valid-type]
    # ρ, the variance of the municipal habit: multiplies the gap's Student-t score, whose unit
    # is 1 / (fraction of lasten); estimates are of the order 1e-4.
    gap_persistence: param(-0.01, 0.01)  # type: ignore[valid-type]
    year: DistModel
    residual: DistModel
    size_elasticity: param(-2.0, 2.0)  # type: ignore[valid-type]
    reference_inhabitants: param(1.0, 1e7)  # type: ignore[valid-type]
    note: Note = None

    @model_validator(mode="before")
    @classmethod
    def _rho_was_renamed(cls, data):
        # Before 2026-12 the section had `rho`, multiplying the gap itself; the same number
        # under the new key would be wrong by three orders of magnitude, so no silent mapping.
        if isinstance(data, dict) and "rho" in data:
            raise ValueError("`rho` (persistence times the realisation gap) was replaced by `gap_persistence` "
                             "(times the gap's Student-t score, docs/backtest.md); re-derive the section with "
                             "`gemfin calibrate realisation --last-year YEAR`")
        return data


class Budget(Section):
    """The municipal budgets (docs/budget-model.md)."""

    base: Annotated[BaseFiling, STRUCTURAL] = BaseFiling(document="begroting", year=2025)
    include_bestemmingsreserves: Optional[bool] = None
    bestemmingsreserves_share: Optional[param(0.0, 1.0)] = None  # type: ignore[valid-type]
    wage_price: WagePriceField
    domains: Domains
    ozb: Ozb = Ozb()
    revenue_volume_driver: Optional[Text] = None
    buig: Buig
    artikel12_threshold: param(0.0, 1.0) = param(0.0, 1.0)(  # type: ignore[valid-type]
        value=0.02, source="docs/domain.md §6.5: deficit of at least 2% of tax capacity + AU + IU + DU (Bfv art. 23)")
    artikel12_horizon: param(0.0, 50.0) = param(0.0, 50.0)(  # type: ignore[valid-type]
        value=3, source="docs/domain.md §6.5 (Bfv art. 23): the budget year and the three following years")
    ingroei: Annotated[Optional[Ingroei], STRUCTURAL] = None
    response: ResponseField = "none"
    realisation: Optional[Realisation] = None
    source: Optional[str] = None

    @property
    def reserves_share(self) -> float:
        """The share of the bestemmingsreserves counted as freely available (the older
        ``include_bestemmingsreserves`` flag: 1 or 0; neither given: 0)."""
        if self.bestemmingsreserves_share is not None:
            return self.bestemmingsreserves_share.value
        return 1.0 if self.include_bestemmingsreserves else 0.0

    @model_validator(mode="after")
    def _consistent(self) -> "Budget":
        if self.bestemmingsreserves_share is not None and self.include_bestemmingsreserves is not None:
            raise gemfin_error("give bestemmingsreserves_share or include_bestemmingsreserves, not both",
                               at="include_bestemmingsreserves")
        if self.artikel12_horizon.value != int(self.artikel12_horizon.value):
            raise gemfin_error(f"expected a whole number of years, got {self.artikel12_horizon.value!r}",
                               at="artikel12_horizon.value")
        if self.realisation is not None and self.base.document != "begroting":
            raise gemfin_error(f"the realisation model turns a begroting into a result; the base is the "
                               f"{self.base.document} {self.base.year}, already realised: remove 'realisation' or "
                               "use a begroting base", at="realisation")
        return self


class Shock(Section):
    """A one-year shock: revenue lost (OZB, Overige belastingen, Overige baten) or extra cost in a
    domain, as a fraction of the line, national draw plus a municipal spread."""

    name: Text
    year: int
    target: Literal[SHOCK_TARGETS]  # type: ignore[valid-type]
    fraction: DistModel
    municipal_sd: param(0.0, 2.0)  # type: ignore[valid-type]
    note: Note = None


class RevenueKey(Section):
    revenue: Union[Literal[COMPENSATION_REVENUE], Annotated[list[Literal[COMPENSATION_REVENUE]], Field(min_length=1)]]  # type: ignore[valid-type]


class ClusterKey(Section):
    cluster: Text


class SiuduKey(Section):
    """In proportion to one SIUDU item of a circulaire, or to the sum of several; ``circulaire``
    names the circulaire whose amounts key it (default: the run's own), on CBS codes."""

    siudu: Union[Text, Annotated[list[Text], Field(min_length=1)]]
    circulaire: Optional[Text] = None

    @property
    def items(self) -> tuple[str, ...]:
        return (self.siudu,) if isinstance(self.siudu, str) else tuple(self.siudu)


class TableKey(Section):
    table: Text


class AgeKey(Section):
    """In proportion to the inhabitants of an age range on 1 January 2020: ``"0-11"`` (whole years,
    both ends included, up to 89) or ``"65+"``."""

    age: Annotated[str, Field(pattern=r"^([0-9]{1,2})(-[0-9]{1,2}|\+)$")]

    @model_validator(mode="after")
    def _ordered(self) -> "AgeKey":
        lo, hi = self.years
        if hi is not None and hi < lo:
            raise gemfin_error(f"expected the younger age first, got {self.age!r}", at="age")
        return self

    @property
    def years(self) -> tuple[int, int | None]:
        """(first, last) year of age; last None for an open range such as "65+"."""
        if self.age.endswith("+"):
            return int(self.age[:-1]), None
        lo, hi = self.age.split("-")
        return int(lo), int(hi)


class LastenKey(Section):
    lasten: Annotated[list[Text], Field(min_length=1)]


def _key_kind(v: Any) -> str | None:
    # The tags are not the keys themselves: pydantic puts a tag in an error's location, and a
    # tag equal to a key of the file would read as that key.
    if isinstance(v, str):
        return "per_inhabitant"
    if isinstance(v, dict) and "siudu" in v:  # its own errors name a misspelt circulaire
        return "by_siudu"
    if isinstance(v, dict) and len(v) == 1:
        k = next(iter(v))
        return f"by_{k}" if k in ("revenue", "cluster", "table", "lasten", "age") else None
    for kind in (RevenueKey, ClusterKey, SiuduKey, TableKey, LastenKey, AgeKey):
        if isinstance(v, kind):
            return f"by_{next(iter(kind.model_fields))}"
    return None


CompensationKey = Annotated[
    Union[Annotated[Literal["per_inhabitant"], Tag("per_inhabitant")], Annotated[RevenueKey, Tag("by_revenue")],
          Annotated[ClusterKey, Tag("by_cluster")], Annotated[SiuduKey, Tag("by_siudu")],
          Annotated[TableKey, Tag("by_table")], Annotated[LastenKey, Tag("by_lasten")],
          Annotated[AgeKey, Tag("by_age")]],
    Discriminator(_key_kind, custom_error_type="compensation_key",
                  custom_error_message="expected 'per_inhabitant' or a mapping with one of revenue, cluster, siudu, "
                                       "table, lasten, age (such as {revenue: [Parkeerbelasting]})")]


_KeyAmount: Any = param(0.0, 1e13)


class PublishedKeyBase(Section):
    """What a key stands for, as published where it is known: the national ``total`` of the
    key's base (a tax's yield, say) and the ``municipalities`` whose own part is known (CBS code
    → euros). Those get amount × own / total; the others share the rest in proportion to the key."""

    total: _KeyAmount
    municipalities: Annotated[dict[Annotated[str, Field(pattern=r"^GM[0-9]{4}$")], _KeyAmount], Field(min_length=1)]

    @model_validator(mode="after")
    def _known_below_total(self) -> "PublishedKeyBase":
        known = sum(p.value for p in self.municipalities.values())
        if not known < self.total.value:
            raise gemfin_error(f"the municipalities' parts add up to {known:,.0f}, not less than the total "
                               f"{self.total.value:,.0f}; the others need a share", at="municipalities")
        return self


class Compensation(Section):
    """A compensation payment to municipalities in ``year``, split over them by ``key``
    (``key_published``: with the key's base as published for some municipalities);
    ``envelope`` names the published national envelope it pays out (a ``maatregel`` of
    data/corona/corona_compensatie_landelijke_bedragen.csv), which gemfin.envelopes compares it
    with."""

    name: Text
    package: str = ""
    year: int
    amount: param(0.0, 1e12)  # type: ignore[valid-type]
    key: CompensationKey
    key_published: Optional[PublishedKeyBase] = None
    #: A fixed amount every municipality of the run gets first; the key splits the rest.
    fixed_per_municipality: Optional[param(0.0, 1e9)] = None  # type: ignore[valid-type]
    envelope: Optional[Text] = None
    note: Note = None
    source: Optional[str] = None

    @property
    def key_kind(self) -> tuple[str, Any]:
        """The key as (kind, argument): ("per_inhabitant", None), ("revenue", (lines, ...)),
        ("cluster", name), ("siudu", ((items, ...), circulaire or None)), ("lasten", (names, ...)),
        ("age", (first, last or None)) or ("table", file as written)."""
        k = self.key
        if isinstance(k, str):
            return "per_inhabitant", None
        if isinstance(k, RevenueKey):
            return "revenue", (k.revenue,) if isinstance(k.revenue, str) else tuple(k.revenue)
        if isinstance(k, ClusterKey):
            return "cluster", k.cluster
        if isinstance(k, SiuduKey):
            return "siudu", (k.items, k.circulaire)
        if isinstance(k, LastenKey):
            return "lasten", tuple(k.lasten)
        if isinstance(k, AgeKey):
            return "age", k.years
        return "table", k.table


# --- the file --------------------------------------------------------------------------------------

class ScenarioDoc(Section):
    """A gemfin scenario: an uncertain future for every municipality (scenarios/baseline.yaml is a
    complete, commented example). Growth rates are yearly log-growth rates."""

    name: Text
    description: str = ""
    extends: Optional[Text] = None
    circulaire: Annotated[Optional[Text], STRUCTURAL] = None
    horizon: Annotated[int, Field(ge=1, le=50), STRUCTURAL] = 10
    fund: Fund
    drivers: Annotated[dict[str, DriverModel], Field(min_length=1)]
    correlation: Optional[list[CorrelationModel]] = None
    budget: Optional[Budget] = None
    shocks: Optional[list[Shock]] = None
    compensation: Optional[list[Compensation]] = None
    proposal: Annotated[Optional[Text], STRUCTURAL] = None

    @model_validator(mode="after")
    def _sections_agree(self) -> "ScenarioDoc":
        reserved = [d for d in self.drivers if d in RESERVED_DRIVER_NAMES]
        if reserved:
            raise gemfin_error(f"{reserved} are reserved for the macro shocks {list(RESERVED_DRIVER_NAMES)}", at="drivers")
        if self.budget is None and (self.shocks or self.compensation):
            raise gemfin_error("needs a 'budget' section (shocks and compensation act on municipal budgets)",
                               at="shocks" if self.shocks else "compensation")
        if self.budget is not None and isinstance(self.budget.wage_price, FundPriceLink):
            if self.fund.rule != "gdp":
                raise gemfin_error("follows the fund's price (the GDP deflator), which only fund rule 'gdp' has",
                                   at="budget.wage_price.follows")
            for i, c in enumerate(self.correlation or []):
                if "wage_price" in c.between:
                    raise gemfin_error("'wage_price' follows the fund's price and has no shock of its own; "
                                       "correlate 'price' instead", at=f"correlation[{i}].between")
        pairs = [frozenset(c.between) for c in self.correlation or []]
        twice = sorted({tuple(sorted(p)) for p in pairs if pairs.count(p) > 1})
        if twice:
            raise gemfin_error(f"the correlation of {list(twice[0])} is given twice", at="correlation")
        return self


def json_schema() -> dict:
    """The JSON Schema of a scenario file (for editors: docs/schemas/scenario.schema.json)."""
    return ScenarioDoc.model_json_schema(by_alias=True)


#: The fields whose value changes what a run is built from (marked STRUCTURAL above).
STRUCTURAL_PATHS = tuple(structural_paths(ScenarioDoc))
