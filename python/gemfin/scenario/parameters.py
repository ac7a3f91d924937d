"""The numbers of a scenario: a sourced value (Param), a sourced distribution (Dist), an
AR(1) process (Process) and the link of costs to the fund's price (FundPriceLinkSpec). Shared
by the scenario and its budget part, so neither imports the other for them."""

from __future__ import annotations

from dataclasses import dataclass

import math
import numbers

from ..engine import distribution_catalogue, distribution_mean

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


@dataclass(frozen=True)
class Param:
    value: float
    source: str


@dataclass(frozen=True)
class DatedParam:
    """A parameter whose value changes by year (OpenFisca-style): ``{2026: {value, source},
    2028: {value, source}}``; each value holds from its year until the next listed one."""

    values: tuple[tuple[int, Param], ...]  # ascending years

    def at(self, year: int) -> Param:
        """The value in force in ``year``; a year before the first listed one is an error."""
        current = None
        for y, p in self.values:
            if y <= year:
                current = p
        if current is None:
            raise ValueError(f"no value before {self.values[0][0]} (asked for {year})")
        return current


@dataclass(frozen=True)
class Dist:
    kind: str
    params: tuple[float, ...]
    source: str

    def as_core(self) -> dict:
        return {"kind": self.kind, "params": list(self.params)}

    @property
    def mean(self) -> float:
        """The distribution's mean, computed by the core (the same bits on every CPU)."""
        return distribution_mean(self.kind, self.params)


@dataclass(frozen=True)
class Process:
    mean: Param
    persistence: Param
    start: Param
    shock: Dist


@dataclass(frozen=True)
class FundPriceLinkSpec:
    """Costs and prices follow the fund's GDP deflator plus ``wedge`` a year (budget.wage_price:
    {follows: fund.price, wedge})."""

    wedge: Param
