"""The building blocks of gemfin's declared file schemas (pydantic v2), and the one way their
problems are reported.

Every section of a scenario or proposal is a :class:`Section`: strict types (a number is a
number, not the string ``"0.5"``; ``true`` is not 1), no NaN or infinity, and unknown keys
named with the closest expected one. :func:`problems` turns a pydantic ``ValidationError`` into
gemfin's messages, one per problem, each with its file and field path
(``scenarios/x.yaml: drivers.bijstand.national.params: ...``), so a file is reported whole.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import numbers
import types
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, Tag, ValidationError, ValidationInfo, create_model, field_validator
from pydantic_core import PydanticCustomError

from ..engine import distribution_catalogue, distribution_mean

Text = Annotated[str, Field(min_length=1, pattern=r"\S")]
"""A non-empty string (not only blanks)."""
Number = Annotated[float, Field(allow_inf_nan=False)]
"""A finite real number; an integer is accepted, a bool or a numeric string is not."""

#: kind → number of parameters, from the core's catalogue (the one list of distributions).
DISTRIBUTIONS = {kind: len(names) for kind, names in distribution_catalogue().items()}


def is_finite_number(x: object) -> bool:
    """A real number (not a bool), finite; an int beyond the float range is not."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return False
    try:
        return math.isfinite(x)
    except OverflowError:
        return False


class Section(BaseModel):
    """A mapping in a gemfin file: strict types, finite numbers, no unknown keys (each named with
    its closest expected key by :func:`problems`)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False,
                              str_strip_whitespace=True)


class _Structural:
    """Marks a field (``Annotated[type, STRUCTURAL]``) whose value changes what a run is built
    from — the circulaire, the municipalities, the grouping of maatstaven, the base filing —
    rather than a number inside it. A sensitivity batch rebuilds its base for a set that changes
    one; a scenario's :meth:`~gemfin.scenario.Scenario.structure` lists their values."""

    def __repr__(self) -> str:
        return "STRUCTURAL"


STRUCTURAL = _Structural()


def structural_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    """The dotted paths of the STRUCTURAL fields of ``model`` and its sections, ``*`` standing
    for any key of a mapping (``drivers.*.maatstaven``)."""
    out: list[str] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        if any(m is STRUCTURAL for m in info.metadata):
            out.append(path)
            continue
        for inner, wildcard in _sections_in(info.annotation):
            out.extend(structural_paths(inner, f"{path}.*." if wildcard else f"{path}."))
    return out


def _sections_in(annotation) -> list[tuple[type[BaseModel], bool]]:
    """The Section classes an annotation holds: directly, optionally, or as a mapping's values
    (then ``True``: the path has a key in between)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(annotation, False)]
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is dict and len(args) == 2:
        return [(cls, True) for cls, _ in _sections_in(args[1])]
    if origin is Annotated:
        return _sections_in(args[0])
    out: list[tuple[type[BaseModel], bool]] = []
    for a in args:  # Optional / Union
        out.extend(_sections_in(a))
    return out


# --- numbers with a source -------------------------------------------------------------------------

class ParamBase(Section):
    """A number with its source: ``{value: 0.5, source: "..."}``; a source is a citation or
    starts with ``assumption``."""

    value: float
    source: Text


def _bound_name(x: float) -> str:
    # A name of letters, digits and _: pydantic names JSON Schema definitions after the model,
    # and a "." would cut the name to its last part ("Param_minus0.5_to_0.5" became "5").
    return "inf" if math.isinf(x) else f"{x:g}".replace("-", "minus").replace(".", "p").replace("+", "")


@functools.cache
def param(lo: float = -math.inf, hi: float = math.inf) -> type[ParamBase]:
    """The model of a sourced number in [lo, hi] (one model per range, so the JSON Schema
    states the range)."""
    bounds: dict[str, float] = {}
    if math.isfinite(lo):
        bounds["ge"] = lo
    if math.isfinite(hi):
        bounds["le"] = hi
    name = "Param" if not bounds else f"Param_{_bound_name(lo)}_to_{_bound_name(hi)}"
    return create_model(name, __base__=ParamBase, __module__=__name__,
                        value=(Annotated[float, Field(allow_inf_nan=False, **bounds)], ...))  # type: ignore[call-overload]


def dated(lo: float = -math.inf, hi: float = math.inf) -> Any:
    """The type of a dated parameter: ``{YEAR: {value, source}, ...}``, at least one year; each
    value holds from its year until the next (OpenFisca-style)."""
    year: Any = Annotated[int, Field(ge=1900, le=2200)]
    value: Any = param(lo, hi)
    return Annotated[dict[year, value], Field(min_length=1)]


P = TypeVar("P")


def value_at(dated_values: Mapping[int, P], year: int) -> P:
    """The value of a dated parameter in force in ``year`` (the one of the latest listed year up
    to it); a year before the first listed one is a ValueError."""
    current = None
    for y in sorted(dated_values):
        if y <= year:
            current = dated_values[y]
    if current is None:
        raise ValueError(f"no value before {min(dated_values)} (asked for {year})")
    return current


# --- distributions ---------------------------------------------------------------------------------

class DistBase(Section):
    """A distribution with its source: ``{distribution: normal, params: [0.0, 0.01], source}``."""

    distribution: str
    params: list[float]
    source: Text

    @field_validator("params")
    @classmethod
    def _core_accepts(cls, params: list[float], info: ValidationInfo) -> list[float]:
        # The core's catalogue decides what is valid (and builds the distribution, cached, as a
        # run will): one set of rules, not a copy here.
        from ..engine import core_distribution
        from ..errors import InputError

        kind = info.data.get("distribution")
        if kind is None:
            return params
        try:
            core_distribution(kind, tuple(params))
        except InputError as exc:
            raise PydanticCustomError("invalid_distribution", "invalid {kind} parameters {params}: {why}",
                                      {"kind": kind, "params": str(params),
                                       "why": str(exc).removeprefix("distribution: ")}) from None
        return params

    @property
    def kind(self) -> str:
        return self.distribution

    @property
    def mean(self) -> float:
        """The distribution's mean, computed by the core (the same bits on every CPU)."""
        return distribution_mean(self.distribution, tuple(float(p) for p in self.params))


def _dist_model(kind: str, n: int) -> type[DistBase]:
    return create_model(f"Dist_{kind}", __base__=DistBase, __module__=__name__,
                        distribution=(Literal[kind], ...),  # type: ignore[arg-type]
                        params=(Annotated[list[Number], Field(min_length=n, max_length=n)], ...))


DIST_MODELS = tuple(_dist_model(k, n) for k, n in DISTRIBUTIONS.items())
if TYPE_CHECKING:
    DistModel = DistBase
else:
    DistModel = Annotated[Union[DIST_MODELS], Field(discriminator="distribution")]
"""A sourced distribution of the core's catalogue; ``params`` has the kind's number of values."""


# --- reporting -------------------------------------------------------------------------------------

def _walk(loc: tuple, doc: Any) -> tuple[str, Any, str | None]:
    """The field path of ``loc`` in ``doc`` as written (union tags, which pydantic puts in the
    location, are not keys of the file and are left out), the node there, and the last key
    when it is absent from the file (a missing field)."""
    path, node, absent = "", doc, None
    for i, k in enumerate(loc):
        if isinstance(node, dict) and k in node:
            path += f".{k}" if path else str(k)
            node = node[k]
        elif isinstance(node, list) and isinstance(k, int) and 0 <= k < len(node):
            path += f"[{k}]"
            node = node[k]
        elif i == len(loc) - 1 and isinstance(node, dict) and k != "[key]":
            absent = str(k)
    return path, node, absent


_WHAT = {"float": "a number", "int": "an integer", "string": "a string", "bool": "true or false",
         "list": "a list", "dict": "a mapping", "model": "a mapping", "model_attributes": "a mapping",
         "tuple": "a list", "literal": "one of the listed values"}


def _got(x: Any) -> str:
    return f"got {type(x).__name__} {x!r}" if not isinstance(x, (dict, list)) else f"got a {type(x).__name__}"


def _quoted(s: str) -> list[str]:
    return re.findall(r"'([^']*)'", s)


def _message(e: dict, node_path: str) -> tuple[str, str]:
    """(path, message) of one pydantic error."""
    typ, ctx, x = e["type"], e.get("ctx") or {}, e.get("input")
    if typ in ("invalid_distribution", "gemfin", "response", "compensation_key", "volume"):
        at = ctx.get("at", "")
        return (f"{node_path}.{at}" if node_path and at else node_path or at), e["msg"]
    if e["loc"] and e["loc"][-1] == "[key]":
        if typ == "string_pattern_mismatch":  # the only keys with a pattern are CBS codes
            return node_path, f"expected a CBS code such as GM0363 as key, got {x!r}"
        return node_path, f"expected a year (an integer from 1900 to 2200) as key, got {x!r}"
    for stem, what in _WHAT.items():
        if typ in (f"{stem}_type", f"{stem}_parsing", f"{stem}_from_float"):
            return node_path, f"expected {what}, {_got(x)}"
    if typ == "finite_number":
        return node_path, f"expected a finite number, got {x!r}"
    bounds = {"greater_than_equal": ("≥", "ge"), "greater_than": (">", "gt"),
              "less_than_equal": ("≤", "le"), "less_than": ("<", "lt")}
    if typ in bounds:
        sign, key = bounds[typ]
        return node_path, f"expected a number {sign} {ctx[key]}, got {x!r}"
    if typ == "string_too_short":
        return node_path, "expected a non-empty string"
    if typ in ("too_short", "too_long"):
        lo, hi = ctx.get("min_length"), ctx.get("max_length")
        n = ctx.get("actual_length")
        if isinstance(x, str):
            return node_path, "expected a non-empty string"
        return node_path, (f"expected {lo if typ == 'too_short' else hi} item(s)" if lo == hi or hi is None or lo is None
                           else f"expected {lo} to {hi} items") + f", got {n}"
    if typ == "string_pattern_mismatch":
        return node_path, "expected a non-empty string"
    if typ == "literal_error":
        options = _quoted(ctx.get("expected", ""))
        close = difflib.get_close_matches(str(x), options, n=1, cutoff=0.6)
        expected = f"{options[0]!r}" if len(options) == 1 else f"one of {options}"
        return node_path, (f"expected {expected}, got {x!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    if typ == "union_tag_invalid":
        field = ctx["discriminator"].strip("'")
        options = _quoted(ctx["expected_tags"])
        close = difflib.get_close_matches(str(ctx["tag"]), options, n=1, cutoff=0.6)
        return (f"{node_path}.{field}" if node_path else field,
                f"unknown {field} {ctx['tag']!r}; expected one of {options}"
                + (f" (did you mean {close[0]!r}?)" if close else ""))
    if typ == "union_tag_not_found":
        return node_path, f"missing field(s) [{ctx['discriminator']}]"
    return node_path, e["msg"].removeprefix("Value error, ")


def _strip(t: Any) -> tuple[Any, tuple]:
    """``t`` without ``Annotated``, and the metadata it had."""
    meta: tuple = ()
    while get_origin(t) is Annotated:
        meta += tuple(get_args(t)[1:])
        t = get_args(t)[0]
    return t, meta


def _tag_of(member: Any) -> str | None:
    t, meta = _strip(member)
    for m in meta:
        if isinstance(m, Tag):
            return m.tag
    if isinstance(t, type) and issubclass(t, BaseModel):
        for f in t.model_fields.values():  # a discriminated model: its Literal field
            if get_origin(f.annotation) is Literal and len(get_args(f.annotation)) == 1:
                return str(get_args(f.annotation)[0])
    return None


def expected_keys(root: type[BaseModel], loc: tuple) -> list[str] | None:
    """The keys the declared schema allows in the mapping at ``loc`` (pydantic's location, with
    union tags), or None if it is not a section."""
    t: Any = root
    i = 0
    while True:
        t, _ = _strip(t)
        if get_origin(t) in (Union, types.UnionType):
            members = [m for m in get_args(t) if m is not type(None)]
            if len(members) == 1:
                t = members[0]
                continue
            if i < len(loc):
                match = [m for m in members if _tag_of(m) == loc[i]]
                if match:
                    t, i = match[0], i + 1
                    continue
            return None
        if i == len(loc):
            break
        k, i = loc[i], i + 1
        if isinstance(t, type) and issubclass(t, BaseModel):
            by_alias = {f.alias or n: f for n, f in t.model_fields.items()}
            if k not in by_alias:
                return None
            t = by_alias[k].annotation
        elif get_origin(t) in (list, tuple):
            t = get_args(t)[0]
        elif get_origin(t) is dict:
            t = get_args(t)[1]
        else:
            return None
    if isinstance(t, type) and issubclass(t, BaseModel):
        return [f.alias or n for n, f in t.model_fields.items()]
    return None


def problems(exc: ValidationError, doc: Any, origin: str, root: type[BaseModel]) -> list[str]:
    """gemfin's messages for the problems in ``exc`` (raised validating ``doc`` as ``root``):
    ``origin: field.path: what is wrong``. The unknown and missing fields of one mapping are
    said together, an unknown one with its closest expected key (a misspelt key shows as an
    unknown one, and the "missing" field it stands for is a consequence)."""
    out: list[str] = []
    missing: dict[str, list[str]] = {}
    unknown: dict[str, tuple[tuple, set, list[str]]] = {}
    for e in exc.errors(include_url=False):
        loc = tuple(e["loc"])
        path, _, absent = _walk(loc, doc)
        if e["type"] == "missing" and absent is not None:
            missing.setdefault(path, []).append(absent)
            continue
        if e["type"] == "extra_forbidden":
            parent, node, _ = _walk(loc[:-1], doc)
            present = set(node) if isinstance(node, dict) else set()
            unknown.setdefault(parent, (loc[:-1], present, []))[2].append(str(loc[-1]))
            continue
        where, msg = _message(dict(e), path)
        out.append(f"{origin}: {where or '<top>'}: {msg}")
    for parent, (loc, present, keys) in unknown.items():
        allowed = expected_keys(root, loc) or []
        absent_keys = missing.pop(parent, [])
        said = []
        for k in keys:
            close = difflib.get_close_matches(k, [a for a in allowed if a not in present], n=1, cutoff=0.6)
            said.append(f"{k!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        out.append(f"{origin}: {parent or '<top>'}: unknown field(s) {', '.join(said)}; expected {sorted(allowed)}"
                   + (f"; missing {absent_keys}" if absent_keys else ""))
    out.extend(f"{origin}: {p or '<top>'}: missing field(s) {names}" for p, names in missing.items())
    return out


def gemfin_error(message: str, at: str = "") -> PydanticCustomError:
    """A problem found by a validator of a section, reported with its message as written;
    ``at`` is the field it concerns, below the section (``"growth.history"``)."""
    return PydanticCustomError("gemfin", "{message}", {"message": message, "at": at})
