"""Reform proposals for the verdeelmodel, written as data (YAML in ``scenarios/proposals``).

A proposal is a list of changes applied, in order, to the bedragen per eenheid (and, for
added maatstaven, the volumes) of a circulaire::

    name: Jeugd: kwart van het lage-inkomensbedrag naar jongeren
    source: assumption (illustrative proposal)
    changes:
      - type: shift          # move an amount between maatstaven within one cluster
        cluster: Individuele voorzieningen Jeugd
        from: lidr_w_nw
        to: jong
        fraction: 0.25       # or amount: euros at the circulaire's uitkeringsfactor

Change types
------------
``scale``  maatstaf, factor, [cluster]    bedrag × factor (in one cluster or all)
``set``    maatstaf, cluster, bedrag      bedrag per eenheid in that cluster (EUR, before UF)
``add``    maatstaf, cluster, delta       bedrag + delta (EUR per unit, before UF)
``shift``  cluster, from, to, amount|fraction
           moves a national amount from one maatstaf to another in the cluster, keeping the
           cluster's uitkeringsbasis equal: ``amount`` in euros at the circulaire's
           uitkeringsfactor, or ``fraction`` of the ``from`` maatstaf's amount in the cluster
``add_maatstaf``  code, name, cluster, bedrag, volume: {from: CODE} | {file, column[, code_column]}
           a new maatstaf; its volume is an existing maatstaf's or a CSV column per CBS code
``remove_maatstaf``  maatstaf                 drops the maatstaf from every cluster

Fixed amounts are maatstaven with volume 1 (``vast``, ``Amsterdam``, ``Rotterdam``,
``Den Haag``): change them with ``scale``/``set``/``add``.
"""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._tables import read_table
from ._yaml import load_yaml_mapping
from .circulaire import Circulaire, is_ozb_maatstaf
from .errors import ProposalError
from .parameters import is_finite_number

_CHANGE_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    # type: (required fields, optional fields)
    "scale": ({"maatstaf", "factor"}, {"cluster", "note"}),
    "set": ({"maatstaf", "cluster", "bedrag"}, {"note"}),
    "add": ({"maatstaf", "cluster", "delta"}, {"note"}),
    "shift": ({"cluster", "from", "to"}, {"amount", "fraction", "note"}),
    "add_maatstaf": ({"code", "name", "cluster", "bedrag", "volume"}, {"note"}),
    "remove_maatstaf": ({"maatstaf"}, {"note"}),
}


@dataclass(frozen=True)
class Proposal:
    """A validated reform proposal. ``changes`` are plain dicts as in the YAML file."""

    name: str
    changes: tuple[dict, ...]
    description: str = ""
    source: str = ""
    path: Path | None = field(default=None, compare=False)

    @classmethod
    def from_dict(cls, doc: dict, *, origin: str = "<proposal>", base_dir: Path | None = None) -> "Proposal":
        """Validate ``doc`` (every structural problem is reported at once, each with its field
        path and, for a misspelt key, the closest expected one)."""
        problems: list[str] = []
        if not isinstance(doc, dict):
            raise ProposalError(f"{origin}: expected a mapping with name and changes, got {type(doc).__name__}")
        _unknown_keys(doc, {"name", "description", "source", "changes"}, origin, "top-level field", problems)
        name = doc.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{origin}: field 'name' must be a non-empty string")
        changes = doc.get("changes")
        checked = []
        if not isinstance(changes, list) or not changes:
            problems.append(f"{origin}: field 'changes' must be a non-empty list of changes")
            changes = []
        for i, ch in enumerate(changes):
            where = f"{origin}: changes[{i}]"
            if not isinstance(ch, dict):
                problems.append(f"{where}: expected a mapping with a 'type' field, got {ch!r}")
                continue
            kind = ch.get("type")
            if not isinstance(kind, str) or kind not in _CHANGE_FIELDS:
                close = difflib.get_close_matches(str(kind), sorted(_CHANGE_FIELDS), n=1, cutoff=0.6)
                problems.append(f"{where}.type: {kind!r} is not a change type; expected one of {sorted(_CHANGE_FIELDS)}"
                                + (f" (did you mean {close[0]!r}?)" if close else ""))
                continue
            required, optional = _CHANGE_FIELDS[kind]
            before = len(problems)
            _unknown_keys(ch, required | optional | {"type"}, where, f"field for a {kind!r} change", problems)
            missing = required - set(ch)
            if missing:
                problems.append(f"{where}: a {kind!r} change needs field(s) {sorted(missing)}")
            if kind == "shift" and ("amount" in ch) == ("fraction" in ch):
                problems.append(f"{where}: a 'shift' change needs exactly one of 'amount' and 'fraction'")
            ch = dict(ch)
            if kind == "add_maatstaf" and isinstance(ch.get("volume"), dict) and "file" in ch["volume"]:
                vol = dict(ch["volume"])
                if not isinstance(vol["file"], str):
                    problems.append(f"{where}.volume.file: expected a path string")
                else:
                    path = Path(vol["file"])
                    vol["file"] = str(path if path.is_absolute() or base_dir is None else (base_dir / path).resolve())
                    ch["volume"] = vol
            if len(problems) == before:
                checked.append(ch)
        if problems:
            raise ProposalError("\n".join(problems), problems)
        assert isinstance(name, str)
        return cls(name=name.strip(), changes=tuple(checked), description=str(doc.get("description", "")),
                   source=str(doc.get("source", "")), path=None)

    def apply(self, circ: Circulaire) -> Circulaire:
        """The circulaire with this proposal's bedragen per eenheid (UF not yet re-solved)."""
        rates = circ.rates.copy()
        volumes = circ.volumes.copy()
        meta = circ.maatstaven.copy()
        origin = str(self.path) if self.path else self.name
        for i, ch in enumerate(self.changes):
            where = f"{origin}: changes[{i}]"
            rates, volumes, meta = _apply_change(ch, where, rates, volumes, meta, circ)
        meta["bedrag"] = rates.sum(axis=1)
        meta["is_ozb"] = meta["is_ozb"].astype(bool)
        return circ.with_rates(rates, volumes=volumes, maatstaven=meta, proposal=self.name)

    def _repr_html_(self) -> str:
        items = "".join(f"<li><code>{html.escape(_describe(c))}</code></li>" for c in self.changes)
        return (f"<b>Proposal: {html.escape(self.name)}</b><br>{html.escape(self.description)}"
                f"<br><i>Source: {html.escape(self.source or 'not stated')}</i><ol>{items}</ol>")


def _unknown_keys(d: dict, allowed: set[str], where: str, what: str, problems: list[str]) -> None:
    """A problem for every key of ``d`` not in ``allowed``, with the closest allowed key."""
    for k in d:
        if k in allowed:
            continue
        close = difflib.get_close_matches(str(k), sorted(a for a in allowed if a not in d), n=1, cutoff=0.6)
        problems.append(f"{where}: unknown {what} {k!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
                        + f"; expected {sorted(allowed)}")


def _describe(ch: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in ch.items() if k != "note")


def load_proposal(path: str | Path) -> Proposal:
    """Load and validate a proposal YAML file (safe loader; nothing is evaluated)."""
    p = Path(path)
    doc = load_yaml_mapping(p, ProposalError)
    proposal = Proposal.from_dict(doc, origin=str(p), base_dir=p.parent)
    object.__setattr__(proposal, "path", p)
    return proposal


def _number(ch: dict, key: str, where: str, *, positive: bool = False, nonnegative: bool = False) -> float:
    value = ch[key]
    if not is_finite_number(value):
        raise ProposalError(f"{where}.{key}: expected a finite number, got {value!r}")
    if positive and value <= 0:
        raise ProposalError(f"{where}.{key}: expected a positive number, got {value!r}")
    if nonnegative and value < 0:
        raise ProposalError(f"{where}.{key}: expected a number ≥ 0, got {value!r}")
    return float(value)


def _known(value: Any, known: list[str], where: str, what: str) -> str:
    if isinstance(value, str) and value in known:
        return value
    close = difflib.get_close_matches(str(value), known, n=3)
    hint = f"; did you mean {close}?" if close else f"; known: {known}"
    raise ProposalError(f"{where}: unknown {what} {value!r}{hint}")


def _apply_change(ch: dict, where: str, rates: pd.DataFrame, volumes: pd.DataFrame,
                  meta: pd.DataFrame, circ: Circulaire):
    kind = ch["type"]
    clusters = list(rates.columns)
    codes = list(rates.index)
    if kind in ("scale", "set", "add"):
        m = _known(ch["maatstaf"], codes, f"{where}.maatstaf", "maatstaf")
        cols = clusters if kind == "scale" and "cluster" not in ch else [_known(ch["cluster"], clusters, f"{where}.cluster", "cluster")]
        if kind == "scale":
            rates.loc[m, cols] *= _number(ch, "factor", where, nonnegative=True)
        elif kind == "set":
            rates.loc[m, cols] = _number(ch, "bedrag", where)
        else:
            rates.loc[m, cols] += _number(ch, "delta", where)
    elif kind == "shift":
        k = _known(ch["cluster"], clusters, f"{where}.cluster", "cluster")
        src = _known(ch["from"], codes, f"{where}.from", "maatstaf")
        dst = _known(ch["to"], codes, f"{where}.to", "maatstaf")
        if src == dst:
            raise ProposalError(f"{where}: 'from' and 'to' are the same maatstaf {src!r}")
        if meta.loc[src, "is_ozb"] or meta.loc[dst, "is_ozb"]:
            raise ProposalError(f"{where}: cannot shift to or from an OZB maatstaf (rekentarief on WOZ, outside the UF)")
        v_src, v_dst = float(volumes[src].to_numpy().sum()), float(volumes[dst].to_numpy().sum())
        if v_dst <= 0:
            raise ProposalError(f"{where}.to: maatstaf {dst!r} has a national volume of 0; nothing to distribute on")
        national_src = float(rates[k].to_numpy()[codes.index(src)]) * v_src  # basis euros before UF
        if "fraction" in ch:
            frac = _number(ch, "fraction", where, nonnegative=True)
            if frac > 1:
                raise ProposalError(f"{where}.fraction: {frac} exceeds 1 (the whole amount of {src!r} in {k!r})")
            basis_amount = frac * national_src
        else:
            if circ.uitkeringsfactor is None:
                raise ProposalError(f"{where}.amount: circulaire {circ.id} has no published uitkeringsfactor "
                                    "to convert euros to basis; use 'fraction'")
            basis_amount = _number(ch, "amount", where) / circ.uitkeringsfactor
            if abs(basis_amount) > abs(national_src) + 1e-6:
                raise ProposalError(
                    f"{where}.amount: EUR {ch['amount']:,.0f} exceeds the amount of {src!r} in cluster {k!r} "
                    f"(EUR {national_src * circ.uitkeringsfactor:,.0f} at UF {circ.uitkeringsfactor})")
        if v_src <= 0:
            raise ProposalError(f"{where}.from: maatstaf {src!r} has a national volume of 0")
        rates.loc[src, [k]] -= basis_amount / v_src
        rates.loc[dst, [k]] += basis_amount / v_dst
    elif kind == "add_maatstaf":
        code = ch["code"]
        if not isinstance(code, str) or not code.strip():
            raise ProposalError(f"{where}.code: expected a non-empty string")
        if code in codes:
            raise ProposalError(f"{where}.code: maatstaf {code!r} already exists; use 'set' or 'scale'")
        k = _known(ch["cluster"], clusters, f"{where}.cluster", "cluster")
        bedrag = _number(ch, "bedrag", where)
        vol = _added_volume(ch["volume"], f"{where}.volume", volumes)
        rates.loc[code] = 0.0
        rates.loc[code, k] = bedrag
        volumes[code] = vol
        meta.loc[code] = {"name": str(ch["name"]), "is_ozb": is_ozb_maatstaf(code), "bedrag": bedrag}
    elif kind == "remove_maatstaf":
        m = _known(ch["maatstaf"], codes, f"{where}.maatstaf", "maatstaf")
        rates = rates.drop(index=m)
        volumes = volumes.drop(columns=m)
        meta = meta.drop(index=m)
    return rates, volumes, meta


def _added_volume(spec: Any, where: str, volumes: pd.DataFrame) -> pd.Series:
    if not isinstance(spec, dict) or ("from" in spec) == ("file" in spec):
        raise ProposalError(f"{where}: expected a mapping with either 'from: <maatstaf>' or 'file: <csv>' and 'column'")
    if "from" in spec:
        src = _known(spec["from"], list(volumes.columns), f"{where}.from", "maatstaf")
        return volumes[src].copy()
    if "column" not in spec:
        raise ProposalError(f"{where}: a volume 'file' needs a 'column'")
    path = Path(spec["file"])
    table = read_table(path, sep=",")
    code_col = spec.get("code_column", "gemeente")
    ci = table.header.index(code_col) if code_col in table.header else None
    vi = table.header.index(spec["column"]) if spec["column"] in table.header else None
    if ci is None or vi is None:
        raise ProposalError(f"{where}: {path} needs columns {code_col!r} and {spec['column']!r}; it has {table.header}")
    values = {}
    for row, lineno in zip(table.rows, table.line_numbers):
        try:
            v = float(row[vi])
        except ValueError:
            raise ProposalError(f"{path}, line {lineno}, column {spec['column']!r}: {row[vi]!r} is not a number") from None
        if not np.isfinite(v) or v < 0:
            raise ProposalError(f"{path}, line {lineno}, municipality {row[ci]}: volume {v} must be finite and ≥ 0")
        values[row[ci]] = v
    missing = [g for g in volumes.index if g not in values]
    if missing:
        raise ProposalError(f"{where}: {path} has no value for municipality/municipalities {missing[:10]}")
    return pd.Series([values[g] for g in volumes.index], index=volumes.index)
