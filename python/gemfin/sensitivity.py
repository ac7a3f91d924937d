"""Sensitivity analysis over scenario parameters, with common random numbers.

Parameters are named by their field path in the scenario file, e.g.
``"budget.domains.Jeugd.excess_growth.params.0"`` or ``"fund.growth.mean.value"``. Every
evaluation uses the same seed: with counter-based random numbers and inverse-transform
sampling, each parameter vector sees the same random draws, so differences between outputs are
the parameters' effect, not noise.

- :func:`evaluate`: the batched entry point, N parameter vectors → outputs.
- :func:`one_at_a_time`: tornado screening (low/high per parameter around the scenario).
- :func:`morris`, :func:`sobol`: global methods, sampled and analysed by SALib.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping

import pandas as pd

from .errors import InputError
from .scenario import Scenario, ScenarioError, as_scenario, scenario_from_dict
from .simulation import SimulationResult, simulate

Output = Callable[[SimulationResult], float]


def _set(doc: dict, path: str, value) -> None:
    keys = path.split(".")
    node = doc
    for i, k in enumerate(keys[:-1]):
        key = int(k) if isinstance(node, list) else k
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            raise InputError(f"parameter {path!r}: the scenario has no field {'.'.join(keys[:i + 1])!r}") from None
    last = keys[-1]
    if isinstance(node, list):
        idx = int(last)
        if not 0 <= idx < len(node):
            raise InputError(f"parameter {path!r}: index {idx} outside the list of {len(node)}")
        node[idx] = value
    elif isinstance(node, dict) and last in node:
        node[last] = value
    else:
        raise InputError(f"parameter {path!r}: the scenario has no field {path!r}")


def with_parameters(scenario: Scenario, values: Mapping[str, float]) -> Scenario:
    """The scenario with the given fields replaced, validated like a scenario file."""
    doc = copy.deepcopy(scenario.raw)
    for path, value in values.items():
        _set(doc, path, float(value))
    origin = f"{scenario.path or scenario.name} with {dict(values)}"
    try:
        return scenario_from_dict(doc, origin=origin, path=scenario.path)
    except ScenarioError as exc:
        raise InputError(f"parameter values {dict(values)} make the scenario invalid: {exc}") from None


def evaluate(scenario, parameter_sets: pd.DataFrame, outputs: Mapping[str, Output], paths: int = 2000,
             seed: int = 1, threads: int | None = None) -> pd.DataFrame:
    """Run the scenario for each row of ``parameter_sets`` (columns: field paths) with the same
    seed and return the outputs (one column per name in ``outputs``) next to the parameters."""
    scen = as_scenario(scenario)
    if not isinstance(parameter_sets, pd.DataFrame) or parameter_sets.empty:
        raise InputError("parameter_sets must be a non-empty DataFrame with one column per field path")
    rows = []
    for _, row in parameter_sets.iterrows():
        res = simulate(with_parameters(scen, row.to_dict()), paths=paths, seed=seed, threads=threads, progress=False)
        rows.append({name: float(fn(res)) for name, fn in outputs.items()})
    return pd.concat([parameter_sets.reset_index(drop=True), pd.DataFrame(rows)], axis=1)


def _current(scen: Scenario, path: str) -> float:
    node = scen.raw
    for k in path.split("."):
        node = node[int(k)] if isinstance(node, list) else node[k]
    return float(node)


def one_at_a_time(scenario, ranges: Mapping[str, tuple[float, float]], output: Output, paths: int = 2000,
                  seed: int = 1) -> pd.DataFrame:
    """Tornado screening: the output at the scenario's own values and with each parameter at
    its low and high value (others unchanged). Rows sorted by swing |high − low|."""
    scen = as_scenario(scenario)
    base = float(output(simulate(scen, paths=paths, seed=seed, progress=False)))
    rows = []
    for path, (low, high) in ranges.items():
        current = _current(scen, path)
        lo = float(output(simulate(with_parameters(scen, {path: low}), paths=paths, seed=seed, progress=False)))
        hi = float(output(simulate(with_parameters(scen, {path: high}), paths=paths, seed=seed, progress=False)))
        rows.append({"parameter": path, "value": current, "low value": low, "high value": high,
                     "base": base, "output at low": lo, "output at high": hi, "swing": abs(hi - lo)})
    return pd.DataFrame(rows).sort_values("swing", ascending=False).reset_index(drop=True)


def _problem(ranges: Mapping[str, tuple[float, float]]) -> dict:
    if not ranges:
        raise InputError("give at least one parameter range")
    return {"num_vars": len(ranges), "names": list(ranges), "bounds": [list(map(float, b)) for b in ranges.values()]}


def morris(scenario, ranges: Mapping[str, tuple[float, float]], output: Output, trajectories: int = 8,
           paths: int = 1000, seed: int = 1, num_levels: int = 4) -> pd.DataFrame:
    """Morris elementary effects (SALib): mu*, mu and sigma per parameter."""
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    problem = _problem(ranges)
    x = sample.sample(problem, trajectories, num_levels=num_levels, seed=seed)
    y = evaluate(scenario, pd.DataFrame(x, columns=problem["names"]), {"y": output}, paths=paths, seed=seed)["y"]
    si = analyze.analyze(problem, x, y.to_numpy(), num_levels=num_levels, seed=seed)
    return pd.DataFrame({"mu_star": si["mu_star"], "mu": si["mu"], "sigma": si["sigma"],
                         "mu_star_conf": si["mu_star_conf"]}, index=pd.Index(problem["names"], name="parameter")) \
        .sort_values("mu_star", ascending=False)


def sobol(scenario, ranges: Mapping[str, tuple[float, float]], output: Output, n: int = 16, paths: int = 500,
          seed: int = 1) -> pd.DataFrame:
    """First-order and total Sobol' indices (SALib, Saltelli sampling; n·(k+2) runs)."""
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    problem = _problem(ranges)
    x = sample.sample(problem, n, calc_second_order=False, seed=seed)
    y = evaluate(scenario, pd.DataFrame(x, columns=problem["names"]), {"y": output}, paths=paths, seed=seed)["y"]
    si = analyze.analyze(problem, y.to_numpy(), calc_second_order=False, seed=seed)
    return pd.DataFrame({"S1": si["S1"], "ST": si["ST"], "S1_conf": si["S1_conf"], "ST_conf": si["ST_conf"]},
                        index=pd.Index(problem["names"], name="parameter")).sort_values("ST", ascending=False)


# Ready-made outputs ------------------------------------------------------------------------

def share_in_deficit(year: int | None = None) -> Output:
    """Mean share of municipalities with a deficit in ``year`` (default: the last)."""
    def out(res: SimulationResult) -> float:
        if res.finances is None:
            raise InputError("share_in_deficit needs a scenario with a budget section")
        nat = res.finances.national()["share in deficit mean"]
        return float(nat.iloc[-1] if year is None else nat.loc[year])
    return out


def au_budget(year: int | None = None) -> Output:
    """Mean algemene-uitkering budget (EUR bn) in ``year`` (default: the last)."""
    def out(res: SimulationResult) -> float:
        s = res.budget["mean"]
        return float((s.iloc[-1] if year is None else s.loc[year]) / 1e9)
    return out
