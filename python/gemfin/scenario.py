"""Scenarios: declarative YAML descriptions of an uncertain future, validated on load.

Every parameter carries its source: either a number ``{value: 0.5, source: "..."}`` or a
distribution ``{distribution: normal, params: [0.0, 0.01], source: "..."}``; a source is a
citation or starts with ``assumption``. A parameter whose value changes by year is dated,
``{2026: {value: 15, source: "..."}, 2029: {value: 10, source: "..."}}``: each value holds from
its year until the next (``budget.ingroei.step``). Invalid files raise :class:`ScenarioError` with the path
of the offending field (``scenarios/x.yaml: drivers.bijstand.national.params: ...``).

Schema (see ``scenarios/baseline.yaml`` for a complete, commented example)::

    name: str                      # required
    description: str
    extends: other.yaml            # optional: start from another scenario, override fields
    circulaire: S2024_2025         # base circulaire (default: the newest shipped)
    horizon: 10                    # projection years after the base uitkeringsjaar (1–50)
    fund:
      rule: gdp | ngru             # accres linked to nominal GDP (2024→) or to central spending
      growth: {mean, persistence, start, shock,   # accres (ngru) or real GDP growth (gdp)
               history}                      # optional: growth before the base year (gdp window)
      price:  {mean, persistence, start, shock}   # GDP deflator (gdp only)
      policy_mutations: [{year, amount, source}]  # euros added to the AU budget from that year on
    drivers:
      NAME: {maatstaven: [codes], national: DIST, municipal_sd: NUM, average_years: 1}
    correlation: [{between: [A, B], value: r, source}]   # A, B: growth, price or a driver

Maatstaven not assigned to a driver keep their base volume (areas, fixed amounts, ...).
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import numbers
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from ._yaml import load_yaml_mapping
from .booked import available as booked_ids, booked_id, is_booked, load_fund
from .circulaire import Circulaire, circulaires, maatstaf_codes, newest_circulaire
from .engine import check_correlation, core_distribution
from .errors import GemfinError, InputError, ScenarioError  # noqa: F401  (ScenarioError re-exported)
from .parameters import DISTRIBUTIONS, DatedParam, Dist, Param, Process, is_finite_number  # noqa: F401
from .scenario_budget import (DOMAIN_NAMES, BudgetSpec, CompensationSpec, DomainSpec, ShockSpec, budget_base, budget_inputs,
                              parse_budget, parse_compensation, parse_shock)

FUND_RULES = ("ngru", "gdp")


@dataclass(frozen=True)
class Driver:
    name: str
    maatstaven: tuple[str, ...]
    national: Dist
    municipal_sd: Param
    average_years: int


@dataclass(frozen=True)
class Scenario:
    """A validated scenario (see the module docstring for the schema)."""

    name: str
    description: str
    circulaire: str
    horizon: int
    rule: str
    rule_source: str
    growth: Process
    price: Process | None
    policy_mutations: tuple[tuple[int, float, str], ...]
    drivers: tuple[Driver, ...]
    correlation: tuple[tuple[str, str, float, str], ...]
    path: Path | None = field(default=None, compare=False)
    raw: dict = field(default_factory=dict, compare=False, repr=False)
    budget: BudgetSpec | None = None
    shocks: tuple[ShockSpec, ...] = ()
    compensation: tuple[CompensationSpec, ...] = ()
    proposal: Path | None = None  # reform proposal applied to the circulaire (equal AU budget)
    growth_history: Param | None = None  # real growth before the base year (gdp rule); None: growth.start

    @property
    def base_year(self) -> int:
        return int(self.circulaire.split("_")[1])

    @property
    def base_year_first(self) -> bool:
        """Whether the first output year is the base year itself (``budget.base.first_year: base``)."""
        return self.budget is not None and self.budget.first_year == "base"

    @property
    def years(self) -> list[int]:
        return _years(self.base_year, self.horizon, self.base_year_first)

    @property
    def shock_names(self) -> list[str]:
        """Names of the macro shocks, in the order of the core's correlation matrix."""
        names = ["growth"] + (["price"] if self.rule == "gdp" else []) + [d.name for d in self.drivers]
        if self.budget is not None:
            names += ["wage_price"] + [f"excess.{d}" for d in DOMAIN_NAMES] + [f"shock.{s.name}" for s in self.shocks]
            if self.budget.realisation is not None:
                names.append("realisation")
        return names

    def correlation_matrix(self) -> np.ndarray:
        names = self.shock_names
        r = np.eye(len(names))
        for a, b, v, _ in self.correlation:
            i, j = names.index(a), names.index(b)
            r[i, j] = r[j, i] = v
        return r

    def deterministic(self) -> "Scenario":
        """The same scenario with every shock fixed at its mean and no municipal shocks."""
        drivers = tuple(Driver(d.name, d.maatstaven, Dist("fixed", (d.national.mean,), "deterministic"),
                               Param(0.0, "deterministic"), d.average_years) for d in self.drivers)
        budget = self.budget
        if budget is not None:
            doms = tuple(dataclasses.replace(d, excess=Dist("fixed", (d.excess.mean,), "deterministic"),
                                             error_sigma=Param(0.0, "deterministic")) for d in budget.domains)
            budget = dataclasses.replace(budget, wage_price=_fixed_process(budget.wage_price), domains=doms)
            if budget.realisation is not None:
                budget = dataclasses.replace(budget, realisation=dataclasses.replace(
                    budget.realisation, year=Dist("fixed", (budget.realisation.year.mean,), "deterministic"),
                    residual=Dist("fixed", (budget.realisation.residual.mean,), "deterministic")))
        shocks = tuple(dataclasses.replace(x, fraction=Dist("fixed", (x.fraction.mean,), "deterministic"),
                                           municipal_sd=Param(0.0, "deterministic")) for x in self.shocks)
        return dataclasses.replace(self, name=self.name + " (deterministic)", growth=_fixed_process(self.growth),
                                   price=None if self.price is None else _fixed_process(self.price), drivers=drivers, budget=budget, shocks=shocks)

    def load_circulaire(self) -> Circulaire:
        """The base circulaire, with the scenario's reform proposal applied if it has one."""
        circ = load_fund(self.circulaire)
        if self.budget is not None:  # in the division of the base filing (docs/budget-model.md)
            circ = circ.in_indeling(self.budget.year)
        if self.proposal is not None:
            from .proposal import load_proposal

            circ = load_proposal(self.proposal).apply(circ)
        return circ

    def static_inputs(self, circ: Circulaire | None = None) -> dict:
        """The parts of :meth:`model_inputs` that depend only on the data and the scenario's
        structure (circulaire, proposal, which maatstaven each driver moves, the budget's base
        filing): C_basis/C_ozb grouped by driver, the base AU budget, the budget's data. A
        sensitivity batch computes them once and passes them back for every parameter set."""
        from .allocation import allocate

        circ = circ or self.load_circulaire()
        vol = circ.volumes
        total_rate = circ.rates.sum(axis=1)
        is_ozb = circ.maatstaven["is_ozb"]
        g, d = len(vol), len(self.drivers)
        c_basis = np.zeros((g, d + 1))
        c_ozb = np.zeros((g, d + 1))
        driver_of = {m: i for i, drv in enumerate(self.drivers) for m in drv.maatstaven}
        for m in vol.columns:
            col = driver_of.get(m, d)
            contrib = vol[m].to_numpy() * total_rate[m]
            (c_ozb if is_ozb[m] else c_basis)[:, col] += contrib
        out = {"c_basis": c_basis, "c_ozb": c_ozb,
               # The AU budget of the base year is the circulaire's own (a reform keeps it equal).
               "budget0": allocate(load_fund(self.circulaire)).au_total,
               "structure": self._structure(), "budget_base": None}
        if self.budget is not None:
            out["budget_base"] = budget_base(self.budget, circ)
        return out

    def _structure(self) -> tuple:
        """What :meth:`static_inputs` depends on besides the data."""
        base = (self.budget.document, self.budget.year) if self.budget is not None else None
        return (self.circulaire, str(self.proposal), tuple((d.name, d.maatstaven) for d in self.drivers), base)

    def model_inputs(self, circ: Circulaire | None = None, static: dict | None = None) -> dict:
        """Arguments of the compiled core: C_basis/C_ozb grouped by driver, fund, drivers;
        ``static`` is :meth:`static_inputs` of a scenario of the same structure, if known."""
        circ = circ or self.load_circulaire()
        if static is None or static["structure"] != self._structure():
            static = self.static_inputs(circ)
        mutations = np.zeros(self.horizon)
        for year, amount, _ in self.policy_mutations:
            mutations[self.years.index(year)] += amount

        def proc(p: Process) -> dict:
            return {"mean": p.mean.value, "persistence": p.persistence.value, "start": p.start.value,
                    "shock": p.shock.as_core()}

        fund = {"rule": self.rule, "budget0": static["budget0"], "growth": proc(self.growth),
                "policy_mutations": mutations.tolist()}
        if self.price is not None:
            fund["price"] = proc(self.price)
        if self.growth_history is not None:
            fund["growth_history"] = self.growth_history.value
        if self.base_year_first:
            fund["base_year_first"] = True
        drivers = [{"name": drv.name, "national": drv.national.as_core(), "municipal_sd": drv.municipal_sd.value,
                    "average_years": drv.average_years} for drv in self.drivers]
        out = {"c_basis": static["c_basis"], "c_ozb": static["c_ozb"], "drivers": drivers, "fund": fund,
               "correlation": self.correlation_matrix(), "correlation_names": self.shock_names,
               "years": self.horizon, "budget": None}
        if self.budget is not None:
            out["budget"] = budget_inputs(self.budget, self.shocks, self.compensation, self.drivers, circ, self.years,
                                          str(self.path or self.name), static["budget_base"])
        return out

    def _repr_html_(self) -> str:
        import pandas as pd

        from . import repr_html

        drivers = pd.DataFrame([{"driver": d.name, "maatstaven": ", ".join(d.maatstaven),
                                 "national log-growth": f"{d.national.kind}{list(d.national.params)}",
                                 "municipal sd": d.municipal_sd.value, "source": d.national.source}
                                for d in self.drivers])
        return repr_html.fields("gemfin Scenario", [
            ("Scenario", self.name), ("Base circulaire", self.circulaire),
            ("Years", f"{self.years[0]}–{self.years[-1]}"), ("Fund rule", f"{self.rule} ({self.rule_source})"),
        ]) + repr_html.frame(drivers, digits=None)


# --- validation -------------------------------------------------------------------------------

class _V:
    """Validation context: the file and the field path."""

    def __init__(self, origin: str, path: str = ""):
        self.origin, self.path = origin, path

    def at(self, key) -> "_V":
        sep = "" if not self.path or isinstance(key, int) else "."
        k = f"[{key}]" if isinstance(key, int) else str(key)
        return _V(self.origin, f"{self.path}{sep}{k}")

    def fail(self, msg: str) -> NoReturn:
        raise ScenarioError(f"{self.origin}: {self.path or '<top>'}: {msg}")

    def mapping(self, x, keys_required=(), keys_optional=()) -> dict:
        if not isinstance(x, dict):
            self.fail(f"expected a mapping, got {_kind(x)}")
        allowed = list(keys_required) + [k for k in keys_optional if k not in keys_required]
        extra = [k for k in x if k not in allowed]
        missing = [k for k in keys_required if k not in x]
        if extra:
            # A misspelt key shows as an unknown one, named with its closest expected key, and
            # comes first: the "missing" field it stands for is a consequence.
            said = []
            for k in extra:
                close = difflib.get_close_matches(str(k), [a for a in allowed if a not in x], n=1, cutoff=0.6)
                said.append(f"{k!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
            msg = f"unknown field(s) {', '.join(said)}; expected {sorted(allowed)}"
            self.fail(msg + (f"; missing {missing}" if missing else ""))
        if missing:
            self.fail(f"missing field(s) {missing}")
        return x

    def number(self, x, lo=-np.inf, hi=np.inf, what="a number") -> float:
        if not is_finite_number(x):
            self.fail(f"expected {what}, got {_kind(x)} {x!r}")
        if not (lo <= x <= hi):
            self.fail(f"expected {what} in [{lo}, {hi}], got {x}")
        return float(x)

    def integer(self, x, lo, hi) -> int:
        if isinstance(x, bool) or not isinstance(x, numbers.Integral) or not lo <= x <= hi:
            self.fail(f"expected an integer from {lo} to {hi}, got {x!r}")
        return int(x)

    def string(self, x) -> str:
        if not isinstance(x, str) or not x.strip():
            self.fail(f"expected a non-empty string, got {_kind(x)} {x!r}")
        return x.strip()

    def source(self, x: dict) -> str:
        return self.at("source").string(x.get("source"))

    def param(self, x, lo=-np.inf, hi=np.inf) -> Param:
        m = self.mapping(x, ("value", "source"))
        return Param(self.at("value").number(m["value"], lo, hi), self.source(m))

    def dated(self, x, lo=-np.inf, hi=np.inf) -> DatedParam:
        """``{YEAR: {value, source}, …}``: a value from each year on (at least one year)."""
        if not isinstance(x, dict) or not x:
            self.fail(f"expected dated values {{YEAR: {{value: NUMBER, source: TEXT}}, ...}}, got {_kind(x)}")
        years = []
        for k in x:
            if isinstance(k, bool) or not isinstance(k, int) or not 1900 <= k <= 2200:
                self.fail(f"expected years as keys (e.g. 2026), got {k!r}")
            years.append(k)
        return DatedParam(tuple((y, self.at(y).param(x[y], lo, hi)) for y in sorted(years)))

    def dist(self, x) -> Dist:
        m = self.mapping(x, ("distribution", "params", "source"))
        kind = m["distribution"]
        if not isinstance(kind, str) or kind not in DISTRIBUTIONS:
            self.at("distribution").fail(f"unknown distribution {kind!r}; expected one of {sorted(DISTRIBUTIONS)}")
        ps = m["params"]
        if not isinstance(ps, list) or len(ps) != DISTRIBUTIONS[kind]:
            self.at("params").fail(f"{kind} takes {DISTRIBUTIONS[kind]} parameter(s), got {ps!r}")
        params = tuple(self.at("params").at(i).number(p) for i, p in enumerate(ps))
        # The core's catalogue decides what is valid (and builds the distribution, cached, as a
        # run will): one set of rules, not a copy here.
        try:
            core_distribution(kind, params)
        except InputError as exc:
            self.at("params").fail(f"invalid {kind} parameters {list(params)}: {str(exc).removeprefix('distribution: ')}")
        return Dist(kind, params, self.source(m))


def _fixed_process(p: Process) -> Process:
    """``p`` with its shock fixed at the shock's mean."""
    return Process(p.mean, p.persistence, p.start, Dist("fixed", (p.shock.mean,), "deterministic"))


def _kind(x) -> str:
    return type(x).__name__


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _resolve_extends(doc: dict, path: Path | None, seen: tuple[Path, ...] = ()) -> dict:
    if "extends" not in doc:
        return doc
    parent_ref = doc["extends"]
    origin = str(path) if path else "<scenario>"
    if not isinstance(parent_ref, str):
        raise ScenarioError(f"{origin}: extends: expected a file name, got {parent_ref!r}")
    parent = Path(parent_ref)
    if not parent.is_absolute():
        parent = (path.parent if path else Path.cwd()) / parent
    parent = parent.resolve()
    if parent in seen:
        raise ScenarioError(f"{origin}: extends: circular chain through {parent}")
    parent_doc = load_yaml_mapping(parent, ScenarioError)
    parent_doc = _resolve_extends(parent_doc, parent, seen + (parent,))
    child = {k: v for k, v in doc.items() if k != "extends"}
    unsourced = _unsourced_overrides(parent_doc, child)
    if unsourced:
        problems = [f"{origin}: {where}: overrides the value of {parent_ref} without a 'source:'; the parent's "
                    "source describes another number: give this value its own source" for where in unsourced]
        raise ScenarioError("\n".join(problems), problems)
    return _merge(parent_doc, child)


def _unsourced_overrides(parent, child, path: str = "") -> list[str]:
    """Field paths where ``child`` changes a value of a sourced mapping of ``parent`` (one with
    a ``source``: a parameter, a distribution, the fund rule) but gives no source of its own.
    Nested mappings are followed: each carries its own source."""
    out: list[str] = []
    if not (isinstance(parent, dict) and isinstance(child, dict)):
        return out
    changes_own_value = any(k not in ("note", "source") and not isinstance(v, dict) for k, v in child.items())
    if "source" in parent and "source" not in child and changes_own_value:
        return [path or "<top>"]
    for k, v in child.items():
        if k in parent:
            out.extend(_unsourced_overrides(parent[k], v, f"{path}.{k}" if path else str(k)))
    return out


class _Problems:
    """Collects validation errors so that one run reports every problem of a file."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def run(self, fn, *args):
        try:
            return fn(*args)
        except ScenarioError as exc:
            self.messages.extend(getattr(exc, "problems", [str(exc)]))
            return None


def scenario_from_dict(doc: dict, origin: str = "<scenario>", path: str | os.PathLike | None = None) -> Scenario:
    """A scenario from its parsed YAML ``doc``; ``origin`` names it in errors, ``path`` is the
    file it stands for (``extends`` and relative table paths are resolved against its folder)."""
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise ScenarioError(f"{origin}: path: expected a file path, got {type(path).__name__}")
    path = Path(path) if path is not None else None
    doc = _resolve_extends(doc, path)
    v = _V(origin)
    top = v.mapping(doc, ("name", "fund", "drivers"),
                    ("description", "circulaire", "horizon", "correlation", "budget", "shocks", "compensation",
                     "proposal", "extends"))
    problems = _Problems()
    proposal = None
    if "proposal" in top:
        proposal = problems.run(_parse_proposal, v.at("proposal"), top["proposal"], path)
    name = problems.run(lambda: v.at("name").string(top["name"]))
    circ_id = top.get("circulaire") or newest_circulaire()
    if circ_id == "booked":
        circ_id = problems.run(_booked_circulaire, v, top.get("budget"))
    if circ_id is None or problems.run(_check_circulaire, v, circ_id) is None:
        raise ScenarioError(problems.messages[0], problems.messages)
    horizon = problems.run(lambda: v.at("horizon").integer(top.get("horizon", 10), 1, 50)) or 10
    base_year = int(circ_id.split("_")[1])
    raw_base = top["budget"].get("base") if isinstance(top.get("budget"), dict) else None
    years = _years(base_year, horizon, isinstance(raw_base, dict) and raw_base.get("first_year") == "base")

    fund = problems.run(_parse_fund, v.at("fund"), top["fund"], years)
    dv = v.at("drivers")
    drivers = []
    if not isinstance(top["drivers"], dict) or not top["drivers"]:
        problems.run(dv.fail, "expected a mapping of driver name → driver")
    else:
        # A booked fund has no maatstaven; the drivers still name those of the verdeelmodel
        # (they drive the budget's volumes), checked against the newest circulaire.
        known = list(maatstaf_codes(newest_circulaire() if is_booked(circ_id) else circ_id))
        owner: dict[str, str] = {}
        for dname, spec in top["drivers"].items():
            d = problems.run(_parse_driver, dv.at(dname), dname, spec, known, owner)
            if d is not None:
                drivers.append(d)
    # Declared names count for the sections below even when a driver itself is invalid, so one
    # mistake is reported once rather than again wherever the driver is referred to.
    driver_names = list(top["drivers"]) if isinstance(top["drivers"], dict) else []
    budget = None
    if "budget" in top:
        budget = problems.run(parse_budget, v.at("budget"), top["budget"], driver_names, _process, path.parent if path else None,
                              circ_id)
    shocks: list[ShockSpec] = []
    comps: list[CompensationSpec] = []
    for key, parse, out in (("shocks", lambda iv, x: parse_shock(iv, x, years), shocks),
                            ("compensation", lambda iv, x: parse_compensation(iv, x, years, path.parent if path else None), comps)):
        items = top.get(key, []) or []
        if items and "budget" not in top:
            problems.run(v.at(key).fail, "needs a 'budget' section (shocks and compensation act on municipal budgets)")
            continue
        if not isinstance(items, list):
            problems.run(v.at(key).fail, "expected a list")
            continue
        for i, item in enumerate(items):
            r = problems.run(parse, v.at(key).at(i), item)
            if r is not None:
                out.append(r)
    # Declared names count even when the fund itself is invalid (as for drivers above), so a
    # fund error does not also show as an unknown correlation variable.
    declared_rule = top["fund"].get("rule") if isinstance(top["fund"], dict) else None
    names = (["growth"] + (["price"] if declared_rule == "gdp" else []) + driver_names)
    if "budget" in top:  # declared, even if invalid: its errors are reported once, above
        names += ["wage_price"] + [f"excess.{d}" for d in DOMAIN_NAMES] + [f"shock.{s.name}" for s in shocks]
        if isinstance(top["budget"], dict) and top["budget"].get("realisation") is not None:
            names.append("realisation")
    corr = problems.run(_parse_correlation, v.at("correlation"), top.get("correlation", []) or [], names) or []
    if problems.messages:
        raise ScenarioError("\n".join(problems.messages), problems.messages)
    rule, rule_source, growth, price, mutations, growth_history = fund
    scen = Scenario(name, str(top.get("description", "")), circ_id, horizon, rule, rule_source, growth, price,
                    tuple(mutations), tuple(drivers), tuple(corr), path, doc, budget, tuple(shocks), tuple(comps),
                    proposal, growth_history)
    try:  # the core's check, the one a run makes
        check_correlation(scen.correlation_matrix(), list(names))
    except InputError as exc:
        v.at("correlation").fail(str(exc).removeprefix("correlation: "))
    return scen


def _parse_proposal(pv: _V, x, path: Path | None) -> Path:
    from .proposal import load_proposal
    from .errors import ProposalError

    p = Path(pv.string(x))
    if not p.is_absolute():
        p = ((path.parent if path else Path.cwd()) / p).resolve()
    try:
        load_proposal(p)
    except ProposalError as exc:
        pv.fail(str(exc))
    return p


def _years(base_year: int, horizon: int, base_first: bool) -> list[int]:
    """The output years: ``horizon`` years from the base year itself or from the year after."""
    first = base_year if base_first else base_year + 1
    return list(range(first, first + horizon))


def _check_circulaire(v: _V, circ_id) -> str:
    if not isinstance(circ_id, str) or (circ_id not in circulaires() and circ_id not in booked_ids()):
        v.at("circulaire").fail(f"unknown circulaire {circ_id!r}; shipped: {circulaires()}, or 'booked' "
                                "(the gemeentefonds as the budget.base filing booked it)")
    return circ_id


def _booked_circulaire(v: _V, budget) -> str:
    """``circulaire: booked``: the gemeentefonds as booked in the ``budget.base`` filing."""
    base = budget.get("base") if isinstance(budget, dict) else None
    if not isinstance(base, dict):
        v.at("circulaire").fail("'booked' takes the gemeentefonds as the budget.base filing booked it; "
                                "expected a budget section with base: {document, year}")
    doc, year = base.get("document"), base.get("year")
    cid = booked_id(doc, year) if doc in ("begroting", "jaarrekening") and isinstance(year, int) else None
    if cid is None or cid not in booked_ids():
        v.at("circulaire").fail(f"no booked gemeentefonds for the {doc} {year}: Iv3 has it (rijk) for the begrotingen "
                                "2017–2024 and the jaarrekeningen 2017–2022")
    return cid


def _process(pv: _V, x) -> Process:
    m = pv.mapping(x, ("mean", "persistence", "start", "shock"))
    return Process(pv.at("mean").param(m["mean"], -0.5, 0.5), pv.at("persistence").param(m["persistence"], 0.0, 0.99),
                   pv.at("start").param(m["start"], -0.5, 0.5), pv.at("shock").dist(m["shock"]))


def _parse_fund(fv: _V, x, years: list[int]):
    fund = fv.mapping(x, ("rule", "growth"), ("price", "policy_mutations", "source"))
    rule = fund["rule"]
    if not isinstance(rule, str) or rule not in FUND_RULES:
        fv.at("rule").fail(f"expected one of {list(FUND_RULES)}, got {rule!r}")
    g = fund["growth"]
    history = None
    if isinstance(g, dict) and "history" in g:
        # Real growth of the base year and before, in the GDP rule's 8-year window; without it
        # the window starts filled with `start`, so a recession's first year would also be its past.
        history = fv.at("growth").at("history").param(g["history"], -0.5, 0.5)
        if rule != "gdp":
            fv.at("growth").at("history").fail("only the 'gdp' rule has a growth history (its 8-year window)")
        g = {k: v for k, v in g.items() if k != "history"}
    growth = _process(fv.at("growth"), g)
    price = None
    if rule == "gdp":
        if "price" not in fund:
            fv.fail("rule 'gdp' needs a 'price' process (the GDP deflator)")
        price = _process(fv.at("price"), fund["price"])
    elif "price" in fund:
        fv.at("price").fail("only the 'gdp' rule has a price process")
    mutations = []
    pm = fund.get("policy_mutations", []) or []
    if not isinstance(pm, list):
        fv.at("policy_mutations").fail("expected a list of {year, amount, source}")
    for i, item in enumerate(pm):
        iv = fv.at("policy_mutations").at(i)
        m = iv.mapping(item, ("year", "amount", "source"))
        year = iv.at("year").integer(m["year"], years[0], years[-1])
        mutations.append((year, iv.at("amount").number(m["amount"], what="an amount in euros"), iv.source(m)))
    return rule, str(fund.get("source", "")), growth, price, mutations, history


def _parse_driver(dvv: _V, dname: str, spec, known: list[str], owner: dict[str, str]) -> Driver:
    if dname in ("growth", "price", "wage_price"):
        dvv.fail("'growth', 'price' and 'wage_price' are reserved for the macro shocks")
    m = dvv.mapping(spec, ("maatstaven", "national", "municipal_sd"), ("average_years", "note"))
    ms = m["maatstaven"]
    if not isinstance(ms, list) or not ms:
        dvv.at("maatstaven").fail("expected a non-empty list of maatstaf codes")
    for i, code in enumerate(ms):
        if not isinstance(code, str) or code not in known:
            close = difflib.get_close_matches(str(code), known, n=3)
            dvv.at("maatstaven").at(i).fail(
                f"unknown maatstaf {code!r}" + (f"; did you mean {close}?" if close else f"; known: {known}"))
        if code in owner:
            dvv.at("maatstaven").at(i).fail(f"maatstaf {code!r} is already driven by {owner[code]!r}")
    for code in ms:
        owner[code] = dname
    return Driver(dname, tuple(ms), dvv.at("national").dist(m["national"]),
                  dvv.at("municipal_sd").param(m["municipal_sd"], 0.0, 1.0),
                  dvv.at("average_years").integer(m.get("average_years", 1), 1, 10))


def _parse_correlation(cv: _V, items, names: list[str]):
    if not isinstance(items, list):
        cv.fail("expected a list of {between: [A, B], value, source}")
    corr, seen_pairs = [], set()
    for i, item in enumerate(items):
        iv = cv.at(i)
        m = iv.mapping(item, ("between", "value", "source"))
        pair = m["between"]
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            iv.at("between").fail("expected two names, e.g. [growth, bijstand]")
        for p in pair:
            if p not in names:
                iv.at("between").fail(f"unknown variable {p!r}; expected one of {names}")
        if pair[0] == pair[1]:
            iv.at("between").fail("a variable's correlation with itself is 1 by definition")
        key = frozenset(pair)
        if key in seen_pairs:
            iv.at("between").fail(f"correlation of {pair} is given twice")
        seen_pairs.add(key)
        corr.append((pair[0], pair[1], iv.at("value").number(m["value"], -1.0, 1.0), iv.source(m)))
    return corr


def scenarios() -> list[str]:
    """The names of the shipped scenarios (``load_scenario(name)`` loads one)."""
    from ._datadir import scenarios_dir

    names = []
    for f in sorted(scenarios_dir().glob("*.yaml")):
        doc = load_yaml_mapping(f, ScenarioError)
        if "fund" in doc or "extends" in doc:  # realisation.yaml holds priors, not a scenario
            names.append(f.stem)
    return names


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario YAML file (safe loader; nothing in it is evaluated), or a
    shipped scenario by name: ``load_scenario("baseline")``."""
    p = Path(path)
    if not p.exists() and isinstance(path, str) and p.suffix == "" and "/" not in path:
        from ._datadir import scenarios_dir

        shipped = scenarios_dir() / f"{path}.yaml"
        if not shipped.is_file() or path not in scenarios():
            raise ScenarioError(f"{path!r} is neither a file nor a shipped scenario; shipped: {scenarios()}")
        p = shipped
    doc = load_yaml_mapping(p, ScenarioError)
    return scenario_from_dict(doc, origin=str(p), path=p)


def as_scenario(x: Any) -> Scenario:
    if isinstance(x, Scenario):
        return x
    if isinstance(x, (str, Path)):
        return load_scenario(x)
    raise ScenarioError(f"expected a Scenario or a path to a scenario YAML file, got {type(x).__name__}")
