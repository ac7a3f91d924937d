"""Scenarios: declarative YAML descriptions of an uncertain future, validated on load.

Every parameter carries its source: either a number ``{value: 0.5, source: "..."}`` or a
distribution ``{distribution: normal, params: [0.0, 0.01], source: "..."}``; a source is a
citation or starts with ``assumption``. A parameter whose value changes by year is dated,
``{2026: {value: 15, source: "..."}, 2029: {value: 10, source: "..."}}``: each value holds from
its year until the next (``budget.ingroei.step``). Invalid files raise :class:`ScenarioError` listing
every problem, each with the path of the offending field
(``scenarios/x.yaml: drivers.bijstand.national.params: ...``).

The structure is declared in :mod:`gemfin.schema.scenario` (pydantic; JSON Schema in
``docs/schemas``, explained in ``docs/scenario-files.md``); this module checks what needs the
data and builds the :class:`Scenario`. In short (``scenarios/baseline.yaml`` is a complete,
commented example)::

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
      periods: {YEAR: {rule, source}, ...}        # optional, gdp only: how the accres was set from
                                                  # YEAR on (trap_op_trap_af, fixed, frozen_volume, gdp)
    drivers:
      NAME: {maatstaven: [codes], national: DIST, municipal_sd: NUM, average_years: 1}
    correlation: [{between: [A, B], value: r, source}]   # A, B: growth, price or a driver

Maatstaven not assigned to a driver keep their base volume (areas, fixed amounts, ...).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
import dataclasses
import difflib
import functools
import json
import os
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, NoReturn, Union, get_args, get_origin

import numpy as np
from pydantic import TypeAdapter, ValidationError

from .._yaml import load_yaml_mapping
from ..booked import available as booked_ids, booked_id, is_booked, load_circulaire
from ..circulaire import Circulaire, basis_by_group, circulaires, maatstaf_codes, newest_circulaire
from ..engine import check_correlation
from ..errors import GemfinError, InputError, ScenarioError  # noqa: F401  (ScenarioError re-exported)
from .parameters import Dist, Param, Process
from .budget import (DOMAIN_NAMES, BudgetSpec, CompensationSpec, DomainSpec, ShockSpec, budget_base, budget_inputs,
                              parse_budget, parse_compensation, parse_shock)
from ..schema.base import problems
from ..shipped import names as shipped_names, resolve
from ..schema.scenario import STRUCTURAL_PATHS, Budget, DriverModel, Fund, ScenarioDoc

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
    accres_periods: tuple[tuple[int, str, str], ...] = ()  # (from year, rule, source), gdp rule; (): all gdp

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
        return correlated_names(self.rule == "gdp", [d.name for d in self.drivers], self.budget is not None,
                                [s.name for s in self.shocks], self.budget is not None and self.budget.realisation is not None)

    def correlation_matrix(self) -> np.ndarray:
        names = self.shock_names
        r = np.eye(len(names))
        for a, b, v, _ in self.correlation:
            i, j = names.index(a), names.index(b)
            r[i, j] = r[j, i] = v
        return r

    def with_values(self, values: Mapping[str, Any], name: str | None = None) -> "Scenario":
        """A variant of this scenario: each field path (``"budget.response"``,
        ``"fund.growth.mean.value"``, ``"budget.domains.Jeugd.excess_growth"``) set to its value
        (a number, a string, a whole section as a dict, or None to drop an optional section), and
        the result validated like a scenario file; ``name`` renames it. The scenario itself is
        not changed. A path must exist in the scenario, except for the last key of a section
        (a field the scenario leaves at its default)::

            unchanged_policy = gemfin.load_scenario("baseline").with_values({"budget.response": "none"})
        """
        doc = dict(self.raw)
        for path, value in values.items():
            set_field(doc, path, copy.deepcopy(value), create=True)
        if name is not None:
            doc["name"] = name
        origin = f"{self.path or self.name} with {sorted(values)}"
        return scenario_from_dict(doc, origin=origin, path=self.path)

    def deterministic(self) -> "Scenario":
        """The same scenario with every shock fixed at its mean and no municipal shocks."""
        drivers = tuple(Driver(d.name, d.maatstaven, Dist("fixed", (d.national.mean,), "deterministic"),
                               Param(0.0, "deterministic"), d.average_years) for d in self.drivers)
        budget = self.budget
        if budget is not None:
            doms = tuple(dataclasses.replace(d, excess=Dist("fixed", (d.excess.mean,), "deterministic"),
                                             error_sigma=Param(0.0, "deterministic")) for d in budget.domains)
            wp = budget.wage_price  # a link to the fund's price is made deterministic with the fund
            budget = dataclasses.replace(budget, wage_price=_fixed_process(wp) if isinstance(wp, Process) else wp,
                                         domains=doms)
            if budget.realisation is not None:
                budget = dataclasses.replace(budget, realisation=dataclasses.replace(
                    budget.realisation, year=Dist("fixed", (budget.realisation.year.mean,), "deterministic"),
                    residual=Dist("fixed", (budget.realisation.residual.mean,), "deterministic")))
        shocks = tuple(dataclasses.replace(x, fraction=Dist("fixed", (x.fraction.mean,), "deterministic"),
                                           municipal_sd=Param(0.0, "deterministic")) for x in self.shocks)
        return dataclasses.replace(self, name=self.name + " (deterministic)", growth=_fixed_process(self.growth),
                                   price=None if self.price is None else _fixed_process(self.price), drivers=drivers, budget=budget, shocks=shocks)

    def prepared_circulaire(self) -> Circulaire:
        """The circulaire a run of this scenario allocates: the base circulaire, in the indeling of
        the base filing when there is a budget, with the scenario's reform proposal applied."""
        circ = load_circulaire(self.circulaire)
        if self.budget is not None:  # in the division of the base filing (docs/budget-model.md)
            circ = circ.in_indeling(self.budget.year)
        if self.proposal is not None:
            from ..proposal import load_proposal

            circ = load_proposal(self.proposal).apply(circ)
        return circ

    def static_inputs(self, circ: Circulaire | None = None) -> dict:
        """The parts of :meth:`model_inputs` that depend only on the data and the scenario's
        structure (circulaire, proposal, which maatstaven each driver moves, the budget's base
        filing): C_basis/C_ozb grouped by driver, the base AU budget, the budget's data. A
        sensitivity batch computes them once and passes them back for every parameter set."""
        from ..allocation import allocate

        circ = circ or self.prepared_circulaire()
        total_rate = circ.rates.sum(axis=1)
        moved = [drv.maatstaven for drv in self.drivers]
        out = {"c_basis": basis_by_group(circ, total_rate, moved, ozb=False),
               "c_ozb": basis_by_group(circ, total_rate, moved, ozb=True),
               # The AU budget of the base year is the circulaire's own (a reform keeps it equal).
               "budget0": allocate(load_circulaire(self.circulaire)).au_total,
               "structure": self._structure(), "budget_base": None}
        if self.budget is not None:
            out["budget_base"] = budget_base(self.budget, circ)
        return out

    def _structure(self) -> tuple:
        """What :meth:`static_inputs` depends on besides the data: the values of the fields the
        schema marks STRUCTURAL (gemfin.schema.scenario.STRUCTURAL_PATHS), the proposal as the
        file it resolved to."""
        values = []
        for pattern in STRUCTURAL_PATHS:
            values.append((pattern, json.dumps(_values_at(self.raw, pattern.split(".")), default=str)))
        return (tuple(values), str(self.proposal))

    def model_inputs(self, circ: Circulaire | None = None, static: Mapping[str, Any] | None = None,
                     balance: bool = False) -> dict:
        """Arguments of the compiled core: C_basis/C_ozb grouped by driver, fund, drivers;
        ``static`` is :meth:`static_inputs` of a scenario of the same structure, if known;
        ``balance``: also the social clusters' allocation and netto lasten
        (:mod:`gemfin.scan.projection_inputs`), so that the run follows their balance."""
        circ = circ or self.prepared_circulaire()
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
        if self.accres_periods:
            # Per output year, the period it falls in (the base year in front grows nothing).
            fund["periods"] = [next((r for y0, r, _ in reversed(self.accres_periods) if y0 <= y), "gdp")
                               for y in self.years]
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
        if balance:
            if self.budget is None:
                raise InputError(f"scenario {self.name!r}: the social clusters' balance needs a budget section "
                                 "(their netto lasten come from the budget's base filing)")
            from ..scan.projection_inputs import cluster_balance_inputs

            out["budget"]["cluster_balance"] = cluster_balance_inputs(circ, self.drivers, self.budget.document,
                                                                      self.budget.year)
        return out

    def _repr_html_(self) -> str:
        import pandas as pd

        from .. import repr_html

        drivers = pd.DataFrame([{"driver": d.name, "maatstaven": ", ".join(d.maatstaven),
                                 "national log-growth": f"{d.national.kind}{list(d.national.params)}",
                                 "municipal sd": d.municipal_sd.value, "source": d.national.source}
                                for d in self.drivers])
        return repr_html.fields("gemfin Scenario", [
            ("Scenario", self.name), ("Base circulaire", self.circulaire),
            ("Years", f"{self.years[0]}–{self.years[-1]}"), ("Fund rule", f"{self.rule} ({self.rule_source})"),
        ] + ([("Accres periods", ", ".join(f"{rule} from {y}" for y, rule, _ in self.accres_periods))]
             if self.accres_periods else [])) + repr_html.frame(drivers, digits=None)


# --- building a scenario from its validated file ------------------------------------------------

class _V:
    """Where a check is: the file and the field path."""

    def __init__(self, origin: str, path: str = ""):
        self.origin, self.path = origin, path

    def at(self, key) -> "_V":
        sep = "" if not self.path or isinstance(key, int) else "."
        k = f"[{key}]" if isinstance(key, int) else str(key)
        return _V(self.origin, f"{self.path}{sep}{k}")

    def fail(self, msg: str) -> NoReturn:
        raise ScenarioError(f"{self.origin}: {self.path or '<top>'}: {msg}")

    def year(self, x: int, years: list[int]) -> int:
        if not years[0] <= x <= years[-1]:
            self.fail(f"expected a year of the projection, from {years[0]} to {years[-1]}, got {x}")
        return x


def _fixed_process(p: Process) -> Process:
    """``p`` with its shock fixed at the shock's mean."""
    return Process(p.mean, p.persistence, p.start, Dist("fixed", (p.shock.mean,), "deterministic"))


def _values_at(node: Any, keys: list[str]) -> Any:
    """The value(s) at a dotted path with ``*`` for every key of a mapping (None where absent)."""
    if not keys:
        return node
    if not isinstance(node, dict):
        return None
    if keys[0] == "*":
        return {k: _values_at(v, keys[1:]) for k, v in node.items()}  # in file order: the drivers' order matters
    return _values_at(node.get(keys[0]), keys[1:])


def set_field(doc: dict, path: str, value: Any, *, create: bool = False) -> None:
    """Set the dotted field ``path`` (list items by index) of a scenario document to ``value``,
    copying the containers on the way: the others stay shared with the document, which nothing
    modifies. ``create``: the last key may be new in its section. Raises InputError naming the
    path when the scenario has no such field."""
    keys = path.split(".")
    node: Any = doc
    for i, k in enumerate(keys[:-1]):
        try:
            key: Any = int(k) if isinstance(node, list) else k
            child = node[key]
        except (KeyError, IndexError, TypeError, ValueError):
            raise InputError(f"{path!r}: the scenario has no field {'.'.join(keys[:i + 1])!r}") from None
        if isinstance(child, (dict, list)):
            child = copy.copy(child)
            node[key] = child
        node = child
    last = keys[-1]
    if isinstance(node, list):
        if not last.isdigit() or not 0 <= int(last) < len(node):
            raise InputError(f"{path!r}: index {last} outside the list of {len(node)}")
        node[int(last)] = value
    elif isinstance(node, dict) and (last in node or create):
        old = node.get(last)
        # An integer field (horizon, a year) takes an integral number as an integer.
        if isinstance(old, int) and not isinstance(old, bool) and isinstance(value, float) and value.is_integer():
            value = int(value)
        node[last] = value
    else:
        raise InputError(f"{path!r}: the scenario has no field {path!r}")


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
    try:
        parent = resolve(parent_ref, "scenario", path.parent if path else None)
    except FileNotFoundError as exc:
        raise ScenarioError(f"{origin}: extends: {exc}") from None
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
    """Collects the problems of a file so that one run reports them all."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def run(self, fn, *args):
        try:
            return fn(*args)
        except ScenarioError as exc:
            self.messages.extend(getattr(exc, "problems", [str(exc)]))
            return None


@functools.cache
def _section_adapter(name: str) -> TypeAdapter[Any]:
    f = ScenarioDoc.model_fields[name]
    t: Any = Annotated[f.annotation, *f.metadata] if f.metadata else f.annotation
    return TypeAdapter(t)


def validate_scenario_doc(doc: Any, origin: str = "<scenario>") -> tuple[ScenarioDoc | None, dict[str, Any], list[str]]:
    """The declared structure of a scenario (:class:`gemfin.schema.scenario.ScenarioDoc`): the
    validated file (None if it has problems), its top-level sections that are valid on their
    own (so that what depends on them can still be checked and reported in the same run), and
    the problems, each with its field path."""
    try:
        full = ScenarioDoc.model_validate(doc)
        return full, {k: getattr(full, k) for k in ScenarioDoc.model_fields}, []
    except ValidationError as exc:
        found = problems(exc, doc, origin, ScenarioDoc)
    parts: dict[str, Any] = {}
    for name, f in ScenarioDoc.model_fields.items():
        if name not in doc:
            if not f.is_required():
                parts[name] = f.get_default()
            continue
        try:
            parts[name] = _section_adapter(name).validate_python(doc[name], strict=True)
        except ValidationError:  # reported above, in the whole file's terms
            container, items = _item_adapter(name)
            # A list or mapping of items (drivers, shocks, ...): its valid items are checked on.
            if items is None or not isinstance(doc[name], container):
                continue
            if isinstance(doc[name], dict):
                parts[name] = {k: x for k, x in ((k, _valid(items, x)) for k, x in doc[name].items()) if x is not None}
            else:
                parts[name] = [x for x in (_valid(items, x) for x in doc[name]) if x is not None]
    return None, parts, found


@functools.cache
def _item_adapter(name: str) -> tuple[type, TypeAdapter[Any] | None]:
    """For a top-level section that is a list or mapping of items: the container type and the
    validator of one item."""
    t: Any = ScenarioDoc.model_fields[name].annotation
    if get_origin(t) in (Union, types.UnionType):
        t = next(a for a in get_args(t) if a is not type(None))
    if get_origin(t) is list:
        return list, TypeAdapter(get_args(t)[0])
    if get_origin(t) is dict:
        return dict, TypeAdapter(get_args(t)[1])
    return object, None


def _valid(adapter: TypeAdapter[Any], x: Any) -> Any:
    try:
        return adapter.validate_python(x, strict=True)
    except ValidationError:
        return None


def scenario_from_dict(doc: dict, origin: str = "<scenario>", path: str | os.PathLike | None = None) -> Scenario:
    """A scenario from its parsed YAML ``doc``; ``origin`` names it in errors, ``path`` is the
    file it stands for (``extends`` and relative table paths are resolved against its folder).

    The declared schema checks the structure (types, ranges, required and unknown fields); what
    needs the data is checked here: the circulaire, maatstaven, base filing, the drivers each
    section names, the years of the horizon, the correlation matrix. Every problem of both
    kinds is reported at once (a check that needs an invalid section is skipped)."""
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise ScenarioError(f"{origin}: path: expected a file path, got {type(path).__name__}")
    path = Path(path) if path is not None else None
    if not isinstance(doc, dict):
        raise ScenarioError(f"{origin}: expected a mapping with name, fund and drivers, got {type(doc).__name__}")
    doc = _resolve_extends(doc, path)
    full, parts, found = validate_scenario_doc(doc, origin)
    base_dir = path.parent if path else None
    v = _V(origin)
    problems_ = _Problems()
    problems_.messages.extend(found)
    proposal = problems_.run(_proposal_path, v.at("proposal"), parts["proposal"], base_dir) if parts.get("proposal") else None
    budget_m: Budget | None = parts.get("budget")
    circ_id: str | None = None
    if "circulaire" in parts and ("budget" in parts or parts["circulaire"] != "booked"):
        circ_id = parts["circulaire"] or newest_circulaire()
        if circ_id == "booked":
            circ_id = problems_.run(_booked_circulaire, v, budget_m)
        if circ_id is not None:
            circ_id = problems_.run(_check_circulaire, v, circ_id)
    years = None
    if circ_id is not None and "horizon" in parts and "budget" in parts:
        years = _years(int(circ_id.split("_")[1]), parts["horizon"], budget_m is not None and budget_m.base.first_year == "base")

    fund: Fund | None = parts.get("fund")
    mutations = []
    if fund is not None and years is not None:
        mutations = [(problems_.run(v.at("fund").at("policy_mutations").at(i).at("year").year, pm.year, years),
                      float(pm.amount), pm.source) for i, pm in enumerate(fund.policy_mutations or [])]
    periods: tuple[tuple[int, str, str], ...] = ()
    if fund is not None and fund.periods:
        periods = tuple((y, fund.periods[y].rule, fund.periods[y].source) for y in sorted(fund.periods))
        growth_years = (years or [])[1:] if budget_m is not None and budget_m.base.first_year == "base" else (years or [])
        if growth_years and periods[0][0] > growth_years[0]:
            problems_.run(v.at("fund").at("periods").fail, f"the first period starts in {periods[0][0]}; expected one "
                          f"from {growth_years[0]} or earlier, the first year the fund grows")
    # Declared names count for the checks below even when a driver itself is invalid, so one
    # mistake is reported once rather than again wherever the driver is referred to.
    driver_names = [str(k) for k in doc["drivers"]] if isinstance(doc.get("drivers"), dict) else []
    drivers = []
    if "drivers" in parts and circ_id is not None:
        # A booked fund has no maatstaven; the drivers still name those of the verdeelmodel
        # (they drive the budget's volumes), checked against the newest circulaire.
        known = list(maatstaf_codes(newest_circulaire() if is_booked(circ_id) else circ_id))
        owner: dict[str, str] = {}
        for dname, spec in parts["drivers"].items():
            d = problems_.run(_driver, v.at("drivers").at(dname), dname, spec, known, owner)
            if d is not None:
                drivers.append(d)
    budget = None
    if budget_m is not None and circ_id is not None:
        budget = problems_.run(parse_budget, v.at("budget"), budget_m, driver_names, circ_id)
    shocks: list[ShockSpec] = []
    comps: list[CompensationSpec] = []
    if years is not None:
        shocks = [problems_.run(parse_shock, v.at("shocks").at(i), x, years) for i, x in enumerate(parts.get("shocks") or [])]
        comps = [problems_.run(parse_compensation, v.at("compensation").at(i), x, years, base_dir)
                 for i, x in enumerate(parts.get("compensation") or [])]
    names = _shock_names(doc, driver_names)
    for i, c in enumerate(parts.get("correlation") or []):
        for p in c.between:
            if p not in names:
                close = difflib.get_close_matches(p, names, n=1, cutoff=0.6)
                problems_.run(v.at("correlation").at(i).at("between").fail, f"unknown variable {p!r}; expected one of "
                              f"{names}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    if problems_.messages:
        raise ScenarioError("\n".join(problems_.messages), problems_.messages)
    assert full is not None and circ_id is not None and fund is not None
    corr = tuple((c.between[0], c.between[1], float(c.value), c.source) for c in full.correlation or [])
    scen = Scenario(full.name, full.description, circ_id, full.horizon, fund.rule, fund.source or "", fund.growth.spec(),
                    fund.price.spec() if fund.price is not None else None, tuple(mutations), tuple(drivers), corr, path,
                    doc, budget, tuple(shocks), tuple(comps), proposal,
                    fund.growth.history.spec() if fund.growth.history is not None else None, periods)
    try:  # the core's check, the one a run makes
        check_correlation(scen.correlation_matrix(), list(names))
    except InputError as exc:
        v.at("correlation").fail(str(exc).removeprefix("correlation: "))
    return scen


def _shock_names(doc: dict, driver_names: list[str]) -> list[str]:
    """The correlated variables the file declares (whether or not their sections are valid: an
    invalid section is reported once, not again as an unknown correlation variable); in the
    order of :attr:`Scenario.shock_names`."""
    fund, budget = doc.get("fund"), doc.get("budget")
    shocks = doc["shocks"] if isinstance(doc.get("shocks"), list) else []
    return correlated_names(isinstance(fund, dict) and fund.get("rule") == "gdp", driver_names, budget is not None,
                            [str(s.get("name")) for s in shocks if isinstance(s, dict)],
                            isinstance(budget, dict) and budget.get("realisation") is not None)


def correlated_names(gdp: bool, drivers: list[str], budget: bool, shocks: list[str], realisation: bool) -> list[str]:
    """The macro shocks in the order of the core's correlation matrix: fund growth (and the GDP
    deflator), the drivers, then with a budget the wage/price index, the domains' excess growth,
    the shock events and the realisation's year component."""
    names = ["growth"] + (["price"] if gdp else []) + list(drivers)
    if budget:
        names += ["wage_price"] + [f"excess.{d}" for d in DOMAIN_NAMES] + [f"shock.{s}" for s in shocks]
        if realisation:
            names.append("realisation")
    return names


def _proposal_path(pv: _V, x: str, base_dir: Path | None) -> Path:
    from ..proposal import load_proposal
    from ..errors import ProposalError

    try:
        p = resolve(x, "proposal", base_dir)
    except FileNotFoundError as exc:
        pv.fail(str(exc))
    try:
        load_proposal(p)
    except ProposalError as exc:
        pv.fail(str(exc))
    return p


def _years(base_year: int, horizon: int, base_first: bool) -> list[int]:
    """The output years: ``horizon`` years from the base year itself or from the year after."""
    first = base_year if base_first else base_year + 1
    return list(range(first, first + horizon))


def _check_circulaire(v: _V, circ_id: str) -> str:
    if circ_id not in circulaires() and circ_id not in booked_ids():
        close = difflib.get_close_matches(circ_id, circulaires(), n=1, cutoff=0.6)
        v.at("circulaire").fail(f"unknown circulaire {circ_id!r}; shipped: {circulaires()}, or 'booked' "
                                "(the gemeentefonds as the budget.base filing booked it)"
                                + (f" (did you mean {close[0]!r}?)" if close else ""))
    return circ_id


def _booked_circulaire(v: _V, budget: Budget | None) -> str:
    """``circulaire: booked``: the gemeentefonds as booked in the ``budget.base`` filing."""
    if budget is None:
        v.at("circulaire").fail("'booked' takes the gemeentefonds as the budget.base filing booked it; "
                                "expected a budget section with base: {document, year}")
    doc, year = budget.base.document, budget.base.year
    cid = booked_id(doc, year)
    if cid is None or cid not in booked_ids():
        v.at("circulaire").fail(f"no booked gemeentefonds for the {doc} {year}: Iv3 has it (rijk) for the begrotingen "
                                "2017–2024 and the jaarrekeningen 2017–2022")
    return cid


def _driver(dvv: _V, dname: str, spec: DriverModel, known: list[str], owner: dict[str, str]) -> Driver:
    for i, code in enumerate(spec.maatstaven):
        if code not in known:
            close = difflib.get_close_matches(str(code), known, n=3)
            dvv.at("maatstaven").at(i).fail(
                f"unknown maatstaf {code!r}" + (f"; did you mean {close}?" if close else f"; known: {known}"))
        if code in owner:
            dvv.at("maatstaven").at(i).fail(f"maatstaf {code!r} is already driven by {owner[code]!r}")
    for code in spec.maatstaven:
        owner[code] = dname
    return Driver(dname, tuple(spec.maatstaven), spec.national.spec(), spec.municipal_sd.spec(), spec.average_years)


def scenarios() -> list[str]:
    """The names of the shipped scenarios (``load_scenario(name)`` loads one)."""
    return shipped_names("scenario")


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario YAML file (safe loader; nothing in it is evaluated), or a
    shipped scenario by name: ``load_scenario("baseline")`` (``gemfin.scenarios()`` lists them)."""
    try:
        p = resolve(path, "scenario")
    except FileNotFoundError as exc:
        raise ScenarioError(str(exc)) from None
    doc = load_yaml_mapping(p, ScenarioError)
    return scenario_from_dict(doc, origin=str(p), path=p)


def as_scenario(x: Any) -> Scenario:
    if isinstance(x, Scenario):
        return x
    if isinstance(x, (str, Path)):
        return load_scenario(x)
    raise ScenarioError(f"expected a Scenario or a path to a scenario YAML file, got {type(x).__name__}")
