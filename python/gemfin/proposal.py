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

The structure is declared in :mod:`gemfin.schema.proposal` (a union of change models told
apart by ``type``; JSON Schema in ``docs/schemas``); :meth:`Proposal.apply` checks what needs
the circulaire.

Fixed amounts are maatstaven with volume 1 (``vast``, ``Amsterdam``, ``Rotterdam``,
``Den Haag``): change them with ``scale``/``set``/``add``.
"""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from ._tables import read_table
from ._yaml import load_yaml_mapping
from .circulaire import Circulaire, is_ozb_maatstaf
from .errors import ProposalError
from .schema.base import problems
from .shipped import names, resolve
from .schema.proposal import Add, AddMaatstaf, Change, ProposalDoc, Scale, Set, Shift, VolumeFile, VolumeFrom

@dataclass(frozen=True)
class Proposal:
    """A validated reform proposal; ``changes`` are the declared change models
    (:mod:`gemfin.schema.proposal`), in order."""

    name: str
    changes: tuple[Change, ...]
    description: str = ""
    source: str = ""
    path: Path | None = field(default=None, compare=False)

    @classmethod
    def from_dict(cls, doc: dict, *, origin: str = "<proposal>", base_dir: Path | None = None) -> "Proposal":
        """Validate ``doc`` against the declared schema: every problem is reported at once, each
        with its field path and, for a misspelt key or change type, the closest expected one."""
        if not isinstance(doc, dict):
            raise ProposalError(f"{origin}: expected a mapping with name and changes, got {type(doc).__name__}")
        try:
            m = ProposalDoc.model_validate(doc)
        except ValidationError as exc:
            found = problems(exc, doc, origin, ProposalDoc)
            raise ProposalError("\n".join(found), found) from None
        changes = []
        for ch in m.changes:
            if isinstance(ch, AddMaatstaf) and isinstance(ch.volume, VolumeFile) and base_dir is not None:
                path = Path(ch.volume.file)
                if not path.is_absolute():  # a relative file is the proposal file's neighbour
                    ch = ch.model_copy(update={"volume": ch.volume.model_copy(update={"file": str((base_dir / path).resolve())})})
            changes.append(ch)
        return cls(name=m.name, changes=tuple(changes), description=m.description, source=m.source, path=None)

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


def _describe(ch: Change) -> str:
    return ", ".join(f"{k}={v}" for k, v in ch.model_dump(by_alias=True, exclude_none=True).items() if k != "note")


def load_proposal(path: str | Path) -> Proposal:
    """Load and validate a proposal YAML file (safe loader; nothing is evaluated), or a shipped
    proposal by name: ``load_proposal("jeugd-naar-jongeren")`` (``gemfin.proposals()`` lists them)."""
    try:
        p = resolve(path, "proposal")
    except FileNotFoundError as exc:
        raise ProposalError(str(exc)) from None
    doc = load_yaml_mapping(p, ProposalError)
    proposal = Proposal.from_dict(doc, origin=str(p), base_dir=p.parent)
    object.__setattr__(proposal, "path", p)
    return proposal



def proposals() -> list[str]:
    """The names of the shipped proposals (``load_proposal(name)`` loads one)."""
    return names("proposal")


def _known(value: str, known: list[str], where: str, what: str) -> str:
    if value in known:
        return value
    close = difflib.get_close_matches(value, known, n=3)
    hint = f"; did you mean {close}?" if close else f"; known: {known}"
    raise ProposalError(f"{where}: unknown {what} {value!r}{hint}")


def _apply_change(ch: Change, where: str, rates: pd.DataFrame, volumes: pd.DataFrame,
                  meta: pd.DataFrame, circ: Circulaire):
    clusters = list(rates.columns)
    codes = list(rates.index)
    if isinstance(ch, (Scale, Set, Add)):
        m = _known(ch.maatstaf, codes, f"{where}.maatstaf", "maatstaf")
        cols = clusters if ch.cluster is None else [_known(ch.cluster, clusters, f"{where}.cluster", "cluster")]
        if isinstance(ch, Scale):
            rates.loc[m, cols] *= ch.factor
        elif isinstance(ch, Set):
            rates.loc[m, cols] = ch.bedrag
        else:
            rates.loc[m, cols] += ch.delta
    elif isinstance(ch, Shift):
        k = _known(ch.cluster, clusters, f"{where}.cluster", "cluster")
        src = _known(ch.from_, codes, f"{where}.from", "maatstaf")
        dst = _known(ch.to, codes, f"{where}.to", "maatstaf")
        if meta.loc[src, "is_ozb"] or meta.loc[dst, "is_ozb"]:
            raise ProposalError(f"{where}: cannot shift to or from an OZB maatstaf (rekentarief on WOZ, outside the UF)")
        v_src, v_dst = float(volumes[src].to_numpy().sum()), float(volumes[dst].to_numpy().sum())
        if v_dst <= 0:
            raise ProposalError(f"{where}.to: maatstaf {dst!r} has a national volume of 0; nothing to distribute on")
        if v_src <= 0:
            raise ProposalError(f"{where}.from: maatstaf {src!r} has a national volume of 0")
        national_src = float(rates[k].to_numpy()[codes.index(src)]) * v_src  # basis euros before UF
        if ch.fraction is not None:
            basis_amount = ch.fraction * national_src
        else:
            assert ch.amount is not None  # the schema asks for exactly one of the two
            if circ.uitkeringsfactor is None:
                raise ProposalError(f"{where}.amount: circulaire {circ.id} has no published uitkeringsfactor "
                                    "to convert euros to basis; use 'fraction'")
            basis_amount = ch.amount / circ.uitkeringsfactor
            if abs(basis_amount) > abs(national_src) + 1e-6:
                raise ProposalError(
                    f"{where}.amount: EUR {ch.amount:,.0f} exceeds the amount of {src!r} in cluster {k!r} "
                    f"(EUR {national_src * circ.uitkeringsfactor:,.0f} at UF {circ.uitkeringsfactor})")
        rates.loc[src, [k]] -= basis_amount / v_src
        rates.loc[dst, [k]] += basis_amount / v_dst
    elif isinstance(ch, AddMaatstaf):
        if ch.code in codes:
            raise ProposalError(f"{where}.code: maatstaf {ch.code!r} already exists; use 'set' or 'scale'")
        k = _known(ch.cluster, clusters, f"{where}.cluster", "cluster")
        vol = _added_volume(ch.volume, f"{where}.volume", volumes)
        rates.loc[ch.code] = 0.0
        rates.loc[ch.code, k] = ch.bedrag
        volumes[ch.code] = vol
        meta.loc[ch.code] = {"name": ch.name, "is_ozb": is_ozb_maatstaf(ch.code), "bedrag": ch.bedrag}
    else:
        m = _known(ch.maatstaf, codes, f"{where}.maatstaf", "maatstaf")
        rates = rates.drop(index=m)
        volumes = volumes.drop(columns=m)
        meta = meta.drop(index=m)
    return rates, volumes, meta


def _added_volume(spec: VolumeFrom | VolumeFile, where: str, volumes: pd.DataFrame) -> pd.Series:
    if isinstance(spec, VolumeFrom):
        src = _known(spec.from_, list(volumes.columns), f"{where}.from", "maatstaf")
        return volumes[src].copy()
    path = Path(spec.file)
    table = read_table(path, sep=",")
    ci = table.header.index(spec.code_column) if spec.code_column in table.header else None
    vi = table.header.index(spec.column) if spec.column in table.header else None
    if ci is None or vi is None:
        raise ProposalError(f"{where}: {path} needs columns {spec.code_column!r} and {spec.column!r}; it has {table.header}")
    values = {}
    for row, lineno in zip(table.rows, table.line_numbers):
        try:
            v = float(row[vi])
        except ValueError:
            raise ProposalError(f"{path}, line {lineno}, column {spec.column!r}: {row[vi]!r} is not a number") from None
        if not np.isfinite(v) or v < 0:
            raise ProposalError(f"{path}, line {lineno}, municipality {row[ci]}: volume {v} must be finite and ≥ 0")
        values[row[ci]] = v
    missing = [g for g in volumes.index if g not in values]
    if missing:
        raise ProposalError(f"{where}: {path} has no value for municipality/municipalities {missing[:10]}")
    return pd.Series([values[g] for g in volumes.index], index=volumes.index)
