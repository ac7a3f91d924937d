"""Validating a scenario document: ``extends`` resolved, the document checked against the
declared schema (gemfin.schema.scenario) and then against the data — every problem of the file
reported at once, each with its field path (``scenarios/x.yaml: drivers.bijstand.national.params:
...``) — and its references resolved (the circulaire, the proposal file)."""

from __future__ import annotations

import copy
import difflib
import functools
import os
import types
from pathlib import Path
from typing import Annotated, Any, NoReturn, Union, get_args, get_origin

from pydantic import TypeAdapter, ValidationError

from .._yaml import load_yaml_mapping
from ..booked import available as booked_ids, booked_id, is_booked
from ..circulaire import circulaires, maatstaf_codes, newest_circulaire
from ..engine import check_correlation
from ..envelopes import check_envelope
from ..errors import InputError, ScenarioError
from ..schema.base import problems
import numpy as np

from ..schema.scenario import DOMAIN_NAMES, Budget, DriverModel, Fund, ScenarioDoc
from ..shipped import resolve
from .budget import check_budget


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


def _mapping_kind(d: dict) -> str:
    """"dated" (year keys), "parameter" (a value or a distribution) or "section"."""
    if any(isinstance(k, int) and not isinstance(k, bool) for k in d):
        return "dated"
    return "parameter" if "value" in d or "distribution" in d else "section"


def _merge(base: dict, over: dict) -> dict:
    """``base`` with ``over`` laid on it: sections merge key by key and dated parameters year by
    year; a parameter, and a mapping of another kind than the one it replaces (a single value
    over a dated one), replaces the parent's whole."""
    out = copy.deepcopy(base)
    for k, v in over.items():
        b = out.get(k)
        if isinstance(v, dict) and isinstance(b, dict) and _mapping_kind(v) == _mapping_kind(b) != "parameter":
            out[k] = _merge(b, v)
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


def checked_document(doc: dict, origin: str = "<scenario>",
                     path: str | os.PathLike | None = None) -> tuple[ScenarioDoc, str, Path | None, Path | None]:
    """The validated document of a parsed scenario file ``doc``, the circulaire it names (the
    newest shipped one when none, the booked fund's id for ``booked``), its proposal's file and
    ``path`` as a Path; ``origin`` names the file in errors, ``path`` is the file it stands for
    (``extends`` and relative references are resolved against its folder).

    The declared schema checks the structure (types, ranges, required and unknown fields); what
    needs the data is checked here: the circulaire, maatstaven, base filing, the drivers each
    section names, the years of the horizon, the correlation matrix, the published envelopes
    that compensation components name. Every problem of both kinds is reported at once (a check
    that needs an invalid section is skipped)."""
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
        years = output_years(int(circ_id.split("_")[1]), parts["horizon"],
                             budget_m is not None and budget_m.base.first_year == "base")
    fund: Fund | None = parts.get("fund")
    if fund is not None and years is not None:
        # A published path may reach beyond the horizon (a projection from an earlier base year
        # ends sooner); before the first projected year a mutation has no year to enter.
        for i, pm in enumerate(fund.policy_mutations or []):
            if pm.year <= years[-1]:
                problems_.run(v.at("fund").at("policy_mutations").at(i).at("year").year, pm.year, years)
    if fund is not None and fund.periods:
        first = min(fund.periods)
        growth_years = (years or [])[1:] if budget_m is not None and budget_m.base.first_year == "base" else (years or [])
        if growth_years and first > growth_years[0]:
            problems_.run(v.at("fund").at("periods").fail, f"the first period starts in {first}; expected one "
                          f"from {growth_years[0]} or earlier, the first year the fund grows")
    # Declared names count for the checks below even when a driver itself is invalid, so one
    # mistake is reported once rather than again wherever the driver is referred to.
    driver_names = [str(k) for k in doc["drivers"]] if isinstance(doc.get("drivers"), dict) else []
    if "drivers" in parts and circ_id is not None:
        # A booked fund has no maatstaven; the drivers still name those of the verdeelmodel
        # (they drive the budget's volumes), checked against the newest circulaire.
        known = list(maatstaf_codes(newest_circulaire() if is_booked(circ_id) else circ_id))
        owner: dict[str, str] = {}
        for dname, spec in parts["drivers"].items():
            problems_.run(_check_driver, v.at("drivers").at(dname), dname, spec, known, owner)
    if budget_m is not None and circ_id is not None:
        problems_.run(check_budget, v.at("budget"), budget_m, driver_names, circ_id)
    if years is not None:
        for section in ("shocks", "compensation"):
            for i, x in enumerate(parts.get(section) or []):
                problems_.run(v.at(section).at(i).at("year").year, x.year, years)
    for i, x in enumerate(parts.get("compensation") or []):
        if x.envelope is not None and (problem := check_envelope(x.envelope)) is not None:
            problems_.run(v.at("compensation").at(i).at("envelope").fail, problem)
    names = _shock_names(doc, driver_names)
    for i, c in enumerate(parts.get("correlation") or []):
        for p in c.between:
            if p not in names:
                close = difflib.get_close_matches(p, names, n=1, cutoff=0.6)
                problems_.run(v.at("correlation").at(i).at("between").fail, f"unknown variable {p!r}; expected one of "
                              f"{names}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    if problems_.messages:
        raise ScenarioError("\n".join(problems_.messages), problems_.messages)
    assert full is not None and circ_id is not None
    try:  # the core's check, the one a run makes
        check_correlation(correlation_matrix(full, names), list(names))
    except InputError as exc:
        v.at("correlation").fail(str(exc).removeprefix("correlation: "))
    return full, circ_id, proposal, path


def correlation_matrix(doc: ScenarioDoc, names: list[str]) -> np.ndarray:
    """The correlation matrix of the macro shocks ``names`` (in the core's order) the document
    declares: 1 on the diagonal, the listed pairs, 0 elsewhere."""
    r = np.eye(len(names))
    for c in doc.correlation or []:
        i, j = names.index(c.between[0]), names.index(c.between[1])
        r[i, j] = r[j, i] = c.value
    return r


def output_years(base_year: int, horizon: int, base_first: bool) -> list[int]:
    """The output years: ``horizon`` years from the base year itself or from the year after."""
    first = base_year if base_first else base_year + 1
    return list(range(first, first + horizon))


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


def _shock_names(doc: dict, driver_names: list[str]) -> list[str]:
    """The correlated variables the file declares (whether or not their sections are valid: an
    invalid section is reported once, not again as an unknown correlation variable); in the
    order of :attr:`Scenario.shock_names`."""
    fund, budget = doc.get("fund"), doc.get("budget")
    shocks = doc["shocks"] if isinstance(doc.get("shocks"), list) else []
    return correlated_names(isinstance(fund, dict) and fund.get("rule") == "gdp", driver_names, budget is not None,
                            [str(s.get("name")) for s in shocks if isinstance(s, dict)],
                            isinstance(budget, dict) and budget.get("realisation") is not None)


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


def _check_driver(dvv: _V, dname: str, spec: DriverModel, known: list[str], owner: dict[str, str]) -> None:
    for i, code in enumerate(spec.maatstaven):
        if code not in known:
            close = difflib.get_close_matches(str(code), known, n=3)
            dvv.at("maatstaven").at(i).fail(
                f"unknown maatstaf {code!r}" + (f"; did you mean {close}?" if close else f"; known: {known}"))
        if code in owner:
            dvv.at("maatstaven").at(i).fail(f"maatstaf {code!r} is already driven by {owner[code]!r}")
    for code in spec.maatstaven:
        owner[code] = dname
