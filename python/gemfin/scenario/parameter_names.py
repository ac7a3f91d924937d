"""Human names, with units, for the numbers of a scenario file, by field path.

Sensitivity tables and tornado charts name a parameter by its field path
(``budget.domains.Wmo.excess_growth.params.0``), which says where it is, not what it does.
:func:`describe` turns a path into a name a reader can check against the model, reading the
scenario where the meaning depends on it: a distribution's parameters are named after its
kind (the second parameter of a normal is its sd, of a Student-t its location), and a
domain's excess cost growth says how fast it fades (ψ), since with ψ near 0 "excess growth"
lasts one year only.
"""

from __future__ import annotations

import re
from typing import Any

from ..engine import distribution_catalogue

#: What each parameter of a distribution is, by kind (the order of ``params``): the core's names.
DIST_PARAMETERS: dict[str, tuple[str, ...]] = distribution_catalogue()

_RATE = "per year (0.01 = 1%)"
_SHARE = "share (0.1 = 10%)"

#: Field path (regular expression) → (name, unit). ``{1}``, ``{2}`` are the groups of the match;
#: a trailing ``.params.N`` of a distribution is named by :data:`DIST_PARAMETERS`.
NAMES: tuple[tuple[str, str, str], ...] = (
    (r"horizon", "years projected", "years"),
    (r"fund\.growth\.mean", "real GDP growth, long-run mean (drives the fund's accres)", _RATE),
    (r"fund\.growth\.persistence", "real GDP growth, persistence (AR(1) coefficient)", "coefficient 0–1"),
    (r"fund\.growth\.start", "real GDP growth of the base year (the AR(1)'s start)", _RATE),
    (r"fund\.growth\.history", "real GDP growth of the base year and the years before (the GDP rule's window)", _RATE),
    (r"fund\.growth\.history\.(\d+)", "real GDP growth in {1} (the GDP rule's window)", _RATE),
    (r"fund\.periods\.(\d+)\.accres", "accres of {1} as a circulaire published it", _RATE),
    (r"fund\.periods\.(\d+)\.price", "deflator of {1} that the published accres assumed", _RATE),
    (r"fund\.growth\.shock", "real GDP growth, yearly shock", _RATE),
    (r"fund\.price\.mean", "GDP deflator, long-run mean (the fund's price part)", _RATE),
    (r"fund\.price\.persistence", "GDP deflator, persistence (AR(1) coefficient)", "coefficient 0–1"),
    (r"fund\.price\.start", "GDP deflator before the base year", _RATE),
    (r"fund\.price\.shock", "GDP deflator, yearly shock", _RATE),
    (r"fund\.policy_mutations\.(\d+)\.amount", "policy mutation {1} of the fund", "EUR"),
    (r"drivers\.(\w+)\.national", "{1}: national growth", _RATE),
    (r"drivers\.(\w+)\.municipal_sd", "{1}: spread of municipal growth around the national", _RATE),
    (r"drivers\.(\w+)\.average_years", "{1}: years averaged", "years"),
    (r"correlation\.(\d+)", "correlation {1} of the shocks", "correlation −1–1"),
    (r"budget\.bestemmingsreserves_share", "share of bestemmingsreserves counted as free", _SHARE),
    (r"budget\.wage_price\.wedge", "municipal wages and prices above the GDP deflator, every year", _RATE),
    (r"budget\.domains\.(\w+)\.volume\.(\w+)", "{1}: weight of driver {2} in its volume", "weight"),
    (r"budget\.domains\.(\w+)\.excess_persistence", "{1}: how much of the excess cost growth carries to the "
                                                    "next year (ψ)", "coefficient 0–1"),
    (r"budget\.domains\.(\w+)\.error\.mu", "{1}: mean budget error (realised over planned lasten)", _SHARE),
    (r"budget\.domains\.(\w+)\.error\.sigma", "{1}: spread of the budget error between municipalities", _SHARE),
    (r"budget\.ozb\.pass_through", "OZB: share of a municipality's own WOZ change passed on to its yield", _SHARE),
    (r"budget\.ozb\.policy_growth", "OZB: tariff growth above prices", _RATE),
    (r"budget\.buig\.vangnet_threshold", "BUIG vangnet: deficit share where it starts", _SHARE),
    (r"budget\.buig\.vangnet_full", "BUIG vangnet: deficit share where it pays in full", _SHARE),
    (r"budget\.buig\.vangnet_share", "BUIG vangnet: share paid between the two thresholds", _SHARE),
    (r"budget\.artikel12_threshold", "artikel 12: deficit that signals, as a share of the algemene uitkering", _SHARE),
    (r"budget\.artikel12_horizon", "artikel 12: years of deficit that signal", "years"),
    (r"budget\.ingroei\.first_cap", "ingroei: cap of the first year", "EUR per inhabitant"),
    (r"budget\.ingroei\.step\.(\d+)", "ingroei: step of the cap in {1}", "EUR per inhabitant"),
    (r"budget\.response\.speed", "response: share of a planned gap closed a year", _SHARE),
    (r"budget\.response\.max_step", "response: largest measure in one year, share of lasten", _SHARE),
    (r"budget\.response\.tax_share", "response: share of the measures taken through taxes", _SHARE),
    (r"budget\.realisation\.beta", "realisation: share of the planned saldo that is realised", _SHARE),
    (r"budget\.realisation\.gap_persistence", "realisation: persistence of a municipality's gap", "coefficient"),
    (r"budget\.realisation\.year", "realisation: the year's common gap (share of lasten)", _SHARE),
    (r"budget\.realisation\.residual", "realisation: a municipality's own gap (share of lasten)", _SHARE),
    (r"budget\.realisation\.size_elasticity", "realisation: elasticity of the gap's spread to size", "elasticity"),
    (r"budget\.realisation\.reference_inhabitants", "realisation: size of reference", "inhabitants"),
)


def _node(raw: Any, parts: list[str]) -> Any:
    node = raw
    for k in parts:
        if isinstance(node, list):
            if not k.isdigit() or int(k) >= len(node):
                return None
            node = node[int(k)]
        elif isinstance(node, dict) and k in node:
            node = node[k]
        else:
            return None
    return node


def describe(path: str, raw: dict | None = None) -> tuple[str, str]:
    """(name, unit) of the scenario field ``path``; ``raw`` is the scenario's document
    (``Scenario.to_dict()``), read for the kind of a distribution and a domain's ψ. A path the table
    does not know is returned as its own name, with an empty unit."""
    parts = path.split(".")
    # A distribution's parameter: name the parameter after the distribution's kind.
    param = ""
    stem = path
    if len(parts) >= 2 and parts[-2] == "params" and parts[-1].isdigit():
        stem = ".".join(parts[:-2])
        dist = _node(raw, parts[:-2]) if raw is not None else None
        kind = dist.get("distribution") if isinstance(dist, dict) else None
        names = DIST_PARAMETERS.get(str(kind), ())
        i = int(parts[-1])
        param = names[i] if i < len(names) else f"parameter {i}"
    elif parts[-1] == "value":
        stem = ".".join(parts[:-1])
    domain = re.fullmatch(r"budget\.domains\.(\w+)\.excess_growth", stem)
    corr = re.fullmatch(r"correlation\.(\d+)", stem)
    if domain:
        name, unit = _excess(domain.group(1), param, raw), _RATE
        param = "" if param in ("mean", "sd") else param
    elif corr and isinstance(pair := _node(raw, ["correlation", corr.group(1), "between"]), list):
        name, unit = f"correlation of the shocks to {' and '.join(map(str, pair))}", "correlation −1–1"
    elif m := re.fullmatch(r"(shocks|compensation)\.(\d+)\.(fraction|municipal_sd|amount|key_published\.total|"
                           r"fixed_per_municipality|key_published\.municipalities\.(GM\d{4}))", stem):
        item = _node(raw, [m.group(1), m.group(2)]) or {}
        what = f"{item.get('name', m.group(2))} ({item.get('year', '')})" if isinstance(item, dict) else m.group(2)
        if m.group(3) == "key_published.total":
            name, unit = f"compensation {what}: national total of its key's base, as published", "EUR"
        elif m.group(4):
            name, unit = f"compensation {what}: {m.group(4)}'s part of its key's base, as published", "EUR"
        elif m.group(3) == "fixed_per_municipality":
            name, unit = f"compensation {what}: fixed amount per municipality before the key", "EUR"
        elif m.group(1) == "compensation":
            name, unit = f"compensation {what}: national amount", "EUR"
        elif m.group(3) == "fraction":
            target = item.get("target", "") if isinstance(item, dict) else ""
            name, unit = f"shock {what}: fraction of {target or 'its line'} lost", _SHARE
        else:
            name, unit = f"shock {what}: spread of the fraction between municipalities", _SHARE
    else:
        for pattern, template, unit in NAMES:
            m = re.fullmatch(pattern, stem)
            if m:
                name = template.format(None, *m.groups())
                break
        else:
            return path, ""
    if param in ("df", "shape", "alpha", "beta"):
        unit = ""
    return (f"{name} — {param}" if param else name), unit


def _excess(domain: str, param: str, raw: dict | None) -> str:
    """Excess cost growth in projection year k is drawn around μ·ψ^k (``params.0`` = μ) with a
    yearly spread (``params.1``)."""
    what = f"{domain}: cost growth above wages and prices"
    if param == "sd":
        return f"{what}, yearly spread"
    if param != "mean":
        return f"{what}, {param}"
    psi = _node(raw, ["budget", "domains", domain, "excess_persistence", "value"]) if raw is not None else None
    if psi is None or float(psi) >= 0.999:
        return f"{what}, mean, every year"
    psi = float(psi)
    if psi < 0.1:
        return f"{what}, mean, first year only (fades ×{psi:.2g} a year)"
    return f"{what}, mean, first year, fading ×{psi:.2g} a year"


def label(path: str, raw: dict | None = None) -> str:
    """``describe`` as one string: 'name (unit)'."""
    name, unit = describe(path, raw)
    return f"{name} ({unit})" if unit else name
