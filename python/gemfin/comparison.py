"""Herverdeeleffecten of a reform proposal at equal AU budget, with a capped phase-in
(ingroeiregeling, Bfv art. 29; docs/domain.md §2.7)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .allocation import Allocation, allocate
from .circulaire import Circulaire
from .engine import phase_in
from .errors import InputError
from .schema.base import is_finite_number
from .proposal import Proposal, load_proposal

#: Longest phase-in that ``compare`` derives by itself when ``years`` is not given.
MAX_DEFAULT_PHASE_IN_YEARS = 30


@dataclass(frozen=True)
class Comparison:
    """Outcome of :func:`compare`.

    - ``herverdeeleffect``: reform AU − baseline AU at full implementation, euros (sums to 0).
    - ``phase_in``: euros of that effect allowed in each phase-in year (columns = years), after
      the cumulative cap of ± cap·inhabitants.
    - ``suppletie``: phase_in − herverdeeleffect (paid outside the uitkeringsfactor).
    - ``phase_in_cost``: Σ suppletie per year (the net cost of the ingroeiregeling; not zero,
      because capping is not symmetric in euros).
    """

    proposal: Proposal
    baseline: Allocation
    reform: Allocation
    years: tuple[int, ...]
    yearly_caps: tuple[float, ...]
    phase_in: pd.DataFrame

    @property
    def inhabitants(self) -> pd.Series:
        return self.baseline.inhabitants

    @property
    def herverdeeleffect(self) -> pd.Series:
        return (self.reform.algemene_uitkering - self.baseline.algemene_uitkering).rename("herverdeeleffect")

    @property
    def per_inhabitant(self) -> pd.Series:
        return (self.herverdeeleffect / self.inhabitants).rename("herverdeeleffect per inhabitant")

    @property
    def phase_in_per_inhabitant(self) -> pd.DataFrame:
        return self.phase_in.div(self.inhabitants, axis=0)

    @property
    def suppletie(self) -> pd.DataFrame:
        return self.phase_in.sub(self.herverdeeleffect, axis=0)

    @property
    def phase_in_cost(self) -> pd.Series:
        return self.suppletie.sum().rename("suppletie total")

    def _summary_by(self, key: pd.Series) -> pd.DataFrame:
        df = pd.DataFrame({"key": key, "effect": self.herverdeeleffect, "inw": self.inhabitants,
                           "pi": self.per_inhabitant})
        g = df.groupby("key", observed=True, sort=True)
        out = pd.DataFrame({
            "municipalities": g.size(),
            "inhabitants": g["inw"].sum(),
            "effect (EUR mln)": g["effect"].sum() / 1e6,
            "effect per inhabitant (EUR)": g["effect"].sum() / g["inw"].sum(),
            "min per inhabitant (EUR)": g["pi"].min(),
            "max per inhabitant (EUR)": g["pi"].max(),
            "winners": g["effect"].apply(lambda s: int((s > 0).sum())),
            "losers": g["effect"].apply(lambda s: int((s < 0).sum())),
        })
        out.index.name = key.name
        return out

    def fit(self, filing=None, by: str | None = None, *, overhead: str | None = None) -> pd.DataFrame:
        """How well the allocation follows netto lasten before and after the proposal, per
        cluster and ``total``: columns r2_before, r2_after, mad_before, mad_after
        (inhabitant-weighted R² of the allocation against netto lasten; mean absolute
        difference, EUR per inhabitant; :mod:`gemfin.scan.fit`). Against the newest filing
        unless ``filing`` is given (e.g. ``("jaarrekening", 2023)``); ``by`` (``size_class``,
        ``province``, ``centrumfunctie``, ``sociale_structuur``) gives the same per group."""
        from .scan.netto_lasten import DEFAULT_OVERHEAD, netto_lasten
        from .scan.result import NEWEST_FILING, balance_of

        nl = netto_lasten(filing or NEWEST_FILING, overhead=overhead or DEFAULT_OVERHEAD)
        before, after = balance_of(self.baseline, nl), balance_of(self.reform, nl)
        b, a = (before.fit, after.fit) if by is None else (before.fit_by(by), after.fit_by(by))
        out = pd.DataFrame({"r2_before": b["r2"], "r2_after": a["r2"], "mad_before": b["mad"], "mad_after": a["mad"]})
        out.attrs["filing"] = before.filing
        return out

    @property
    def by_size_class(self) -> pd.DataFrame:
        return self._summary_by(self.baseline.circulaire.municipalities["size_class"])

    @property
    def by_province(self) -> pd.DataFrame:
        return self._summary_by(self.baseline.circulaire.municipalities["province"])

    def to_frame(self) -> pd.DataFrame:
        """Per municipality: baseline and reform AU, effect, and the phase-in path (euros)."""
        m = self.baseline.circulaire.municipalities
        out = pd.concat(
            [
                m[["name", "province", "inhabitants", "size_class"]],
                self.baseline.algemene_uitkering.rename("AU baseline"),
                self.reform.algemene_uitkering.rename("AU reform"),
                self.herverdeeleffect,
                self.per_inhabitant,
                self.phase_in.add_prefix("ingroei "),
            ],
            axis=1,
        )
        out.index.name = "gemeente"
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """The comparison as tables for people, by sheet name: English headers with the
        uitkeringsjaar and the unit in each (see gemfin.io)."""
        year = self.baseline.circulaire.uitkeringsjaar
        m = self.baseline.circulaire.municipalities
        per = pd.DataFrame({"name": m["name"], "province": m["province"], "size class": m["size_class"],
                            f"inhabitants {year} (persons)": m["inhabitants"],
                            f"algemene uitkering {year} baseline (EUR)": self.baseline.algemene_uitkering,
                            f"algemene uitkering {year} proposal (EUR)": self.reform.algemene_uitkering,
                            "herverdeeleffect at full implementation (EUR)": self.herverdeeleffect,
                            "herverdeeleffect per inhabitant (EUR per inhabitant)": self.per_inhabitant})
        for y in self.years:
            per[f"phased-in effect {y} (EUR)"] = self.phase_in[y]
        per.index.name = "CBS code"

        def grouped(df: pd.DataFrame) -> pd.DataFrame:
            return df.rename(columns={
                "municipalities": "municipalities (count)", "inhabitants": "inhabitants (persons)",
                "effect (EUR mln)": "effect (EUR mln)", "effect per inhabitant (EUR)": "effect per inhabitant (EUR per inhabitant)",
                "min per inhabitant (EUR)": "smallest effect per inhabitant (EUR per inhabitant)",
                "max per inhabitant (EUR)": "largest effect per inhabitant (EUR per inhabitant)",
                "winners": "winners (count)", "losers": "losers (count)"})

        path = self.phase_in_per_inhabitant.rename(columns=lambda y: f"phased-in effect {y} (EUR per inhabitant)")
        path = pd.concat([m[["name"]], path], axis=1).rename_axis("CBS code")
        cost = self.phase_in_cost.rename("suppletie, net total (EUR)").rename_axis("year").to_frame()
        out = {"per municipality": per, "by size class": grouped(self.by_size_class).rename_axis("size class"),
               "by province": grouped(self.by_province), "phase-in per inhabitant": path, "suppletie": cost}
        fit, _ = self._fit_or_reason()
        if fit is not None:
            out[f"fit, {fit.attrs['filing']}"] = fit.rename(columns={
                "mad_before": "mad_before (EUR per inhabitant)", "mad_after": "mad_after (EUR per inhabitant)"})
        return out

    def _fit_or_reason(self) -> tuple[pd.DataFrame | None, str]:
        """:meth:`fit` against the newest filing, or why there is none (a circulaire without
        cluster weights)."""
        from .errors import GemfinError

        try:
            return self.fit(), ""
        except GemfinError as exc:
            return None, str(exc)

    def __repr__(self) -> str:
        return (f"Comparison({self.proposal.name!r} on {self.baseline.circulaire.id}: UF "
                f"{self.baseline.uitkeringsfactor:.4f} → {self.reform.uitkeringsfactor:.4f}, "
                f"{int((self.herverdeeleffect > 0).sum())} winners, {int((self.herverdeeleffect < 0).sum())} losers)")

    def _repr_html_(self) -> str:
        from html import escape

        from . import repr_html

        pi = self.per_inhabitant.sort_values()
        names = self.baseline.circulaire.municipalities["name"]

        def who(idx):
            return ", ".join(f"{names[g]} ({pi[g]:+,.0f})" for g in idx)
        html = repr_html.fields("gemfin Comparison", [
            ("Proposal", self.proposal.name),
            ("Circulaire", self.baseline.circulaire.id),
            ("Uitkeringsfactor", f"{self.baseline.uitkeringsfactor:.4f} → {self.reform.uitkeringsfactor:.4f}"),
            ("Winners / losers", f"{int((pi > 0).sum())} / {int((pi < 0).sum())}"),
            ("Moved between municipalities", f"EUR {self.herverdeeleffect.clip(lower=0).sum() / 1e6:,.1f} mln"),
            ("Largest losses (EUR/inh)", who(pi.index[:3])),
            ("Largest gains (EUR/inh)", who(pi.index[::-1][:3])),
            ("Phase-in", f"{len(self.years)} years ({self.years[0]}–{self.years[-1]}), caps {list(self.yearly_caps)} EUR/inh"),
        ]) + repr_html.frame(self.by_size_class[["municipalities", "effect per inhabitant (EUR)", "winners", "losers"]], digits=2)
        fit, why = self._fit_or_reason()
        if fit is None:
            return html + f"<p>No fit to netto lasten: {escape(why)}</p>"
        return (html + f"<p>Fit to the netto lasten of the {escape(fit.attrs['filing'])} (R² inhabitant-weighted; "
                "mad: mean |allocation − netto lasten|, EUR per inhabitant)</p>" + repr_html.frame(fit, digits=3))


def _yearly_caps(cap_per_inhabitant, n_years: int | None, max_abs_per_inh: float) -> list[float]:
    """Per-year caps (EUR/inh) for each phase-in year; a scalar cap repeats every year."""
    if cap_per_inhabitant is None:
        return [math.inf] * (n_years or 1)
    if isinstance(cap_per_inhabitant, numbers.Real) and not isinstance(cap_per_inhabitant, bool):
        cap = float(cap_per_inhabitant)
        if not np.isfinite(cap) or cap <= 0:
            raise InputError(f"cap_per_inhabitant must be a positive number of euros, got {cap_per_inhabitant!r}")
        if n_years is None:
            n_years = max(1, math.ceil(max_abs_per_inh / cap - 1e-9))
            if n_years > MAX_DEFAULT_PHASE_IN_YEARS:
                raise InputError(
                    f"phasing in the largest effect (EUR {max_abs_per_inh:,.2f} per inhabitant) at EUR {cap} per "
                    f"inhabitant per year takes {n_years} years; pass years= explicitly or a larger cap")
        return [cap] * n_years
    if isinstance(cap_per_inhabitant, Sequence) and not isinstance(cap_per_inhabitant, str):
        caps = []
        for i, c in enumerate(cap_per_inhabitant):
            if not is_finite_number(c) or c < 0:
                raise InputError(f"cap_per_inhabitant[{i}] must be a number of euros ≥ 0, got {c!r}")
            caps.append(float(c))
        if not caps:
            raise InputError("cap_per_inhabitant is an empty list; give one cap per phase-in year")
        if n_years is not None and n_years != len(caps):
            raise InputError(f"cap_per_inhabitant has {len(caps)} yearly caps but years has {n_years} years")
        return caps
    raise InputError(f"cap_per_inhabitant must be a number, a list of numbers or None, got {cap_per_inhabitant!r}")


def compare(circ: Circulaire, proposal: Proposal | str | Path, cap_per_inhabitant=15.0,
            years: int | Sequence[int] | None = None) -> Comparison:
    """Herverdeeleffect of ``proposal`` on ``circ`` at equal algemene uitkering.

    The baseline uses the circulaire's published uitkeringsfactor; the reform re-solves the
    uitkeringsfactor so that the AU budget is unchanged, so the effects sum to zero.

    cap_per_inhabitant: the yearly change cap in euros per inhabitant (default 15, the Bfv
        art. 29 maximum), a list of yearly caps (e.g. ``[7.5, 15, 15]`` as in the 2023
        herijking), or None for no phase-in. Caps accumulate: year t allows Σ caps[:t+1].
    years: number of phase-in years, or the list of years (labels). Default: starting in the
        circulaire's uitkeringsjaar, as many years as the largest effect needs.
    """
    if not isinstance(circ, Circulaire):
        raise InputError(f"compare expects a Circulaire, got {type(circ).__name__}")
    if isinstance(proposal, (str, Path)):
        proposal = load_proposal(proposal)
    if not isinstance(proposal, Proposal):
        raise InputError(f"proposal must be a Proposal or a path to a YAML file, got {type(proposal).__name__}")
    baseline = allocate(circ)
    reform = allocate(proposal.apply(circ), au_budget=baseline.au_total)

    labels: list[int] | None = None
    n_years: int | None = None
    if years is not None:
        if isinstance(years, numbers.Integral) and not isinstance(years, bool):
            if years < 1:
                raise InputError(f"years must be at least 1, got {years}")
            n_years = int(years)
        elif isinstance(years, Sequence) and not isinstance(years, str) and len(years) > 0 and all(
                isinstance(y, numbers.Integral) and not isinstance(y, bool) for y in years):
            labels = [int(y) for y in years]
            if any(b <= a for a, b in zip(labels, labels[1:])):
                raise InputError(f"years must be increasing, got {labels}")
            n_years = len(labels)
        else:
            raise InputError(f"years must be a positive int or a list of years, got {years!r}")

    effect = (reform.algemene_uitkering - baseline.algemene_uitkering).to_numpy()
    inhabitants = baseline.inhabitants.to_numpy(dtype=np.float64)
    caps = _yearly_caps(cap_per_inhabitant, n_years, float(np.max(np.abs(effect / inhabitants))))
    if labels is None:
        labels = list(range(circ.uitkeringsjaar, circ.uitkeringsjaar + len(caps)))
    cumulative = np.cumsum(caps)
    # No cap (None) means infinite caps; the core wants finite ones, and 1e296 euros per
    # inhabitant never binds.
    finite_cap = np.where(np.isinf(cumulative), np.finfo(np.float64).max / 1e12, cumulative)
    allowed = phase_in(effect, inhabitants, finite_cap)
    phase = pd.DataFrame(allowed, index=baseline.algemene_uitkering.index, columns=pd.Index(labels, name="jaar"))
    return Comparison(proposal=proposal, baseline=baseline, reform=reform, years=tuple(labels),
                      yearly_caps=tuple(caps), phase_in=phase)
