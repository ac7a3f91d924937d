"""A validated scenario: the scenario file's document (:class:`gemfin.schema.scenario.ScenarioDoc`,
frozen) with what its references resolved to — the circulaire, the proposal file and the file
the scenario came from. The document is the one description of a scenario: everything a run
reads (gemfin.run.compile), every label and every variant is read from it or derived from it
by :meth:`Scenario.with_values`."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..circulaire import Circulaire
from ..schema.scenario import (STRUCTURAL_PATHS, Budget, Compensation, CorrelationModel, DriverModel, Fund,
                               ScenarioDoc, Shock)
from .fields import set_field, values_at
from .validate import checked_document, correlated_names, correlation_matrix, output_years


@dataclass(frozen=True)
class Scenario:
    """A validated scenario (``gemfin.load_scenario``). ``doc`` is the file as validated (with
    ``extends`` resolved); ``circulaire`` the base circulaire it names (the newest shipped one
    when it names none, the booked fund's id for ``booked``), ``proposal`` the reform proposal's
    file, ``path`` the scenario's own file (relative references are resolved against it)."""

    doc: ScenarioDoc
    circulaire: str
    path: Path | None = field(default=None, compare=False)
    proposal: Path | None = None

    # --- the document's sections, as written -----------------------------------------------------
    @property
    def name(self) -> str:
        return self.doc.name

    @property
    def description(self) -> str:
        return self.doc.description

    @property
    def horizon(self) -> int:
        return self.doc.horizon

    @property
    def fund(self) -> Fund:
        return self.doc.fund

    @property
    def drivers(self) -> Mapping[str, DriverModel]:
        """The volume drivers by name, in the file's order (the order of the core's drivers)."""
        return self.doc.drivers

    @property
    def budget(self) -> Budget | None:
        return self.doc.budget

    @property
    def shocks(self) -> tuple[Shock, ...]:
        return tuple(self.doc.shocks or ())

    @property
    def compensation(self) -> tuple[Compensation, ...]:
        return tuple(self.doc.compensation or ())

    @property
    def correlation(self) -> tuple[CorrelationModel, ...]:
        return tuple(self.doc.correlation or ())

    # --- derived ----------------------------------------------------------------------------------
    @property
    def base_year(self) -> int:
        return int(self.circulaire.split("_")[1])

    @property
    def base_year_first(self) -> bool:
        """Whether the first output year is the base year itself (``budget.base.first_year: base``)."""
        return self.budget is not None and self.budget.base.first_year == "base"

    @property
    def years(self) -> list[int]:
        return output_years(self.base_year, self.horizon, self.base_year_first)

    @property
    def shock_names(self) -> list[str]:
        """Names of the macro shocks, in the order of the core's correlation matrix."""
        b = self.budget
        return correlated_names(self.fund.rule == "gdp", list(self.drivers), b is not None,
                                [s.name for s in self.shocks], b is not None and b.realisation is not None)

    def correlation_matrix(self) -> np.ndarray:
        return correlation_matrix(self.doc, self.shock_names)

    def to_dict(self) -> dict:
        """The document as a mapping of what the file sets (``extends`` resolved, defaults left
        out): what :meth:`with_values` edits and the provenance of an output records."""
        return self.doc.model_dump(by_alias=True, exclude_unset=True)

    def structure(self) -> tuple:
        """What a run's base depends on besides the data (gemfin.run.base): the values of the
        fields the schema marks STRUCTURAL, the proposal as the file it resolved to."""
        d = self.to_dict()
        values = tuple((p, json.dumps(values_at(d, p.split(".")), default=str)) for p in STRUCTURAL_PATHS)
        return values, str(self.proposal)

    def with_values(self, values: Mapping[str, Any], name: str | None = None) -> "Scenario":
        """A variant of this scenario: each field path (``"budget.response"``,
        ``"fund.growth.mean.value"``, ``"budget.domains.Jeugd.excess_growth"``) set to its value
        (a number, a string, a whole section as a dict, or None to drop an optional section), and
        the result validated like a scenario file; ``name`` renames it. The scenario itself is
        not changed. A path must exist in the scenario, except for the last key of a section
        (a field the scenario leaves at its default)::

            unchanged_policy = gemfin.load_scenario("baseline").with_values({"budget.response": "none"})
        """
        doc = self.to_dict()
        for path, value in values.items():
            set_field(doc, path, copy.deepcopy(value), create=True)
        if name is not None:
            doc["name"] = name
        return scenario_from_dict(doc, origin=f"{self.path or self.name} with {sorted(values)}", path=self.path)

    def deterministic(self) -> "Scenario":
        """The same scenario with every distribution fixed at its mean and no municipal spread
        (municipal_sd and the domains' error sigma 0)."""
        from ..engine import distribution_mean

        def fixed(node: Any, key: str = "") -> Any:
            if isinstance(node, dict):
                if "distribution" in node:
                    mean = distribution_mean(node["distribution"], tuple(node["params"]))
                    return {"distribution": "fixed", "params": [mean], "source": "deterministic"}
                if key in ("municipal_sd", "sigma"):
                    return {"value": 0.0, "source": "deterministic"}
                return {k: fixed(v, str(k)) for k, v in node.items()}
            if isinstance(node, list):
                return [fixed(v) for v in node]
            return node

        doc = fixed(self.to_dict())
        doc["name"] = self.name + " (deterministic)"
        return scenario_from_dict(doc, origin=f"{self.path or self.name} (deterministic)", path=self.path)

    def prepared_circulaire(self) -> Circulaire:
        """The circulaire a run of this scenario allocates: the base circulaire, in the indeling of
        the base filing when there is a budget, with the scenario's reform proposal applied."""
        from ..booked import load_circulaire

        circ = load_circulaire(self.circulaire)
        if self.budget is not None:  # in the division of the base filing (docs/budget-model.md)
            circ = circ.in_indeling(self.budget.base.year)
        if self.proposal is not None:
            from ..proposal import load_proposal

            circ = load_proposal(self.proposal).apply(circ)
        return circ

    def table_path(self, c: Compensation) -> Path:
        """The file of a compensation key ``{table: file}``, relative to the scenario's folder."""
        p = Path(c.key_kind[1])
        return p if p.is_absolute() or self.path is None else (self.path.parent / p).resolve()

    def __reduce__(self):
        # Pickled (for a Dask worker) as its document, validated again where it is unpickled.
        return scenario_from_dict, (self.to_dict(), str(self.path or self.name), self.path)

    def _repr_html_(self) -> str:
        import pandas as pd

        from .. import repr_html

        drivers = pd.DataFrame([{"driver": n, "maatstaven": ", ".join(d.maatstaven),
                                 "national log-growth": f"{d.national.kind}{list(d.national.params)}",
                                 "municipal sd": d.municipal_sd.value, "source": d.national.source}
                                for n, d in self.drivers.items()])
        periods = self.fund.periods or {}
        return repr_html.fields("gemfin Scenario", [
            ("Scenario", self.name), ("Base circulaire", self.circulaire),
            ("Years", f"{self.years[0]}–{self.years[-1]}"),
            ("Fund rule", f"{self.fund.rule} ({self.fund.source or ''})"),
        ] + ([("Accres periods", ", ".join(f"{periods[y].rule} from {y}" for y in sorted(periods)))]
             if periods else [])) + repr_html.frame(drivers, digits=None)


def scenario_from_dict(doc: dict, origin: str = "<scenario>", path: str | os.PathLike | None = None) -> Scenario:
    """A scenario from its parsed YAML ``doc``; ``origin`` names it in errors, ``path`` is the
    file it stands for (``extends`` and relative table paths are resolved against its folder).

    The declared schema checks the structure (types, ranges, required and unknown fields); what
    needs the data is checked too (gemfin.scenario.validate): the circulaire, maatstaven, base
    filing, the drivers each section names, the years of the horizon, the correlation matrix.
    Every problem of both kinds is reported at once, in one ScenarioError."""
    full, circulaire, proposal, file = checked_document(doc, origin, path)
    return Scenario(full, circulaire, file, proposal)
