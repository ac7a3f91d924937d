"""Reading a scenario: a file (safe YAML loader; nothing in it is evaluated) or a shipped
scenario by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .._yaml import load_yaml_mapping
from ..errors import ScenarioError
from ..shipped import names as shipped_names, resolve
from .model import Scenario, scenario_from_dict


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
