"""Sensitivity analysis over scenario parameters, with common random numbers.

Parameters are named by their field path in the scenario file, e.g.
``"budget.domains.Jeugd.excess_growth.params.0"`` or ``"fund.growth.mean.value"``. Every
evaluation uses the same seed: with counter-based random numbers and inverse-transform
sampling, each parameter vector sees the same random draws, so differences between outputs are
the parameters' effect, not noise.

- :func:`evaluate`: the batched entry point, N parameter vectors → outputs, the scenario
  built once and the sets run concurrently, here or on a Dask cluster
  (:mod:`gemfin.sensitivity_batch`).
- :func:`one_at_a_time`: tornado screening (low/high per parameter around the scenario).
- :func:`morris`, :func:`sobol`: global methods, sampled and analysed by SALib; ``sobol``
  also reports how its indices converge as sets are added.

Parameter ranges are checked before any run: each end must give a valid scenario, else an
InputError names the field and the domain it allows.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any
from dataclasses import dataclass

import pandas as pd

from .errors import GemfinWarning, InputError
from .sensitivity_batch import DEFAULT_BINS, DEFAULT_BLOCK_SIZE, with_parameters  # noqa: F401  (with_parameters re-exported)
from .scenario import Scenario, as_scenario
from .simulation import SimulationResult, simulate

Output = Callable[[SimulationResult], float]


def evaluate(scenario, parameter_sets: pd.DataFrame, outputs: Mapping[str, Output], paths: int = 2000,
             seed: int = 1, threads: int | None = None, client=None, bins: int = DEFAULT_BINS,
             progress=False, groups: int | None = None, block_size: int = DEFAULT_BLOCK_SIZE) -> pd.DataFrame:
    """Run the scenario for each row of ``parameter_sets`` (columns: field paths) with the same
    seed and return the outputs (one column per name in ``outputs``) next to the parameters,
    and ``rebuilt``: whether the set changed the model's structure. The scenario is built once;
    the sets run concurrently on ``threads`` cores (all by default) or, with a Dask ``client``,
    as ``groups`` tasks on its workers. A set's outputs are bitwise those of
    ``simulate(with_parameters(scenario, set), paths, seed, bins=bins, block_size=block_size)``."""
    from .sensitivity_batch import Batch, evaluate_local, evaluate_on_cluster

    if not isinstance(parameter_sets, pd.DataFrame) or parameter_sets.empty:
        raise InputError("parameter_sets must be a non-empty DataFrame with one column per field path")
    if not outputs:
        raise InputError("outputs: give at least one name → function of a SimulationResult")
    batch = Batch(scenario, paths, seed, bins, block_size)
    if client is None:
        out = evaluate_local(batch, parameter_sets, outputs, threads, progress)
    else:
        out = evaluate_on_cluster(client, batch, parameter_sets, outputs, groups, progress)
    return pd.concat([parameter_sets.reset_index(drop=True), out], axis=1)


def check_ranges(scenario, ranges: Mapping[str, tuple[float, float]]) -> None:
    """Each range is (low, high) with low < high, and both ends give a valid scenario; else an
    InputError naming the field."""
    scen = as_scenario(scenario)
    if not ranges:
        raise InputError("give at least one parameter range")
    for path, bounds in ranges.items():
        try:
            low, high = (float(b) for b in bounds)
        except (TypeError, ValueError):
            raise InputError(f"parameter {path!r}: expected a range [low, high] of numbers, got {bounds!r}") from None
        if not low < high:
            raise InputError(f"parameter {path!r}: expected low < high, got [{low}, {high}]")
        for end in (low, high):
            with_parameters(scen, {path: end})


def _current(scen: Scenario, path: str) -> float:
    node: Any = scen.raw
    for k in path.split("."):
        node = node[int(k)] if isinstance(node, list) else node[k]
    return float(node)


def one_at_a_time(scenario, ranges: Mapping[str, tuple[float, float]], output: Output, paths: int = 2000,
                  seed: int = 1, threads: int | None = None, client=None, bins: int = DEFAULT_BINS,
                  progress=False) -> pd.DataFrame:
    """Tornado screening: the output at the scenario's own values and with each parameter at
    its low and high value (others unchanged). Rows sorted by swing |high − low|."""
    scen = as_scenario(scenario)
    check_ranges(scen, ranges)
    names = list(ranges)
    current = {p: _current(scen, p) for p in names}
    sets = [dict(current)]
    for p in names:
        for end in ranges[p]:
            sets.append({**current, p: float(end)})
    y = evaluate(scen, pd.DataFrame(sets, columns=names), {"y": output}, paths=paths, seed=seed, threads=threads,
                 client=client, bins=bins, progress=progress)["y"].to_numpy()
    rows = []
    for i, p in enumerate(names):
        low, high = (float(b) for b in ranges[p])
        lo, hi = y[1 + 2 * i], y[2 + 2 * i]
        rows.append({"parameter": p, "value": current[p], "low value": low, "high value": high,
                     "base": y[0], "output at low": lo, "output at high": hi, "swing": abs(hi - lo)})
    return pd.DataFrame(rows).sort_values("swing", ascending=False).reset_index(drop=True)


def _problem(ranges: Mapping[str, tuple[float, float]]) -> dict:
    if not ranges:
        raise InputError("give at least one parameter range")
    return {"num_vars": len(ranges), "names": list(ranges), "bounds": [list(map(float, b)) for b in ranges.values()]}


def morris(scenario, ranges: Mapping[str, tuple[float, float]], output: Output, trajectories: int = 8,
           paths: int = 1000, seed: int = 1, num_levels: int = 4, threads: int | None = None, client=None,
           bins: int = DEFAULT_BINS, progress=False, full: bool = False):
    """Morris elementary effects (SALib): mu*, mu and sigma per parameter (with ``full=True``
    also the samples: (table, samples))."""
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    check_ranges(scenario, ranges)
    problem = _problem(ranges)
    x = sample.sample(problem, trajectories, num_levels=num_levels, seed=seed)
    samples = evaluate(scenario, pd.DataFrame(x, columns=problem["names"]), {"y": output}, paths=paths, seed=seed,
                       threads=threads, client=client, bins=bins, progress=progress)
    si = analyze.analyze(problem, x, samples["y"].to_numpy(), num_levels=num_levels, seed=seed)
    table = pd.DataFrame({"mu_star": si["mu_star"], "mu": si["mu"], "sigma": si["sigma"],
                          "mu_star_conf": si["mu_star_conf"]}, index=pd.Index(problem["names"], name="parameter")) \
        .sort_values("mu_star", ascending=False)
    return (table, samples) if full else table


@dataclass(frozen=True)
class SobolResult:
    """indices: per parameter S1, ST and their 95% confidence half-widths (SALib's bootstrap);
    convergence: the same indices from the first quarter, half and all base samples;
    samples: the parameter sets and outputs; wide: parameters whose interval is wider than
    the index itself (named in a GemfinWarning)."""

    indices: pd.DataFrame
    convergence: pd.DataFrame
    samples: pd.DataFrame
    wide: tuple[str, ...]

    def _repr_html_(self) -> str:
        from . import repr_html

        return (repr_html.heading("Sobol' indices") + repr_html.frame(self.indices)
                + repr_html.items("Intervals wider than the index:", self.wide))


def sobol(scenario, ranges: Mapping[str, tuple[float, float]], output: Output, n: int = 16, paths: int = 500,
          seed: int = 1, threads: int | None = None, client=None, bins: int = DEFAULT_BINS,
          full: bool = False, progress=False):
    """First-order and total Sobol' indices (SALib, Saltelli sampling; n·(k+2) runs, n a power
    of two). Returns the indices table, or with ``full=True`` a :class:`SobolResult` with their
    convergence over the first quarter, half and all base samples. A GemfinWarning names the
    parameters whose confidence interval is wider than the index."""
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    check_ranges(scenario, ranges)
    problem = _problem(ranges)
    k = problem["num_vars"]
    x = sample.sample(problem, n, calc_second_order=False, seed=seed)
    samples = evaluate(scenario, pd.DataFrame(x, columns=problem["names"]), {"y": output}, paths=paths, seed=seed,
                       threads=threads, client=client, bins=bins, progress=progress)
    y = samples["y"].to_numpy()

    def indices(m: int) -> pd.DataFrame:
        # Saltelli's design is n blocks of k + 2 rows; the first m blocks are a design of m.
        si = analyze.analyze(problem, y[: m * (k + 2)], calc_second_order=False, seed=seed)
        return pd.DataFrame({"S1": si["S1"], "ST": si["ST"], "S1_conf": si["S1_conf"], "ST_conf": si["ST_conf"]},
                            index=pd.Index(problem["names"], name="parameter"))

    table = indices(n).sort_values("ST", ascending=False)
    steps = sorted({max(2, n // 4), max(2, n // 2), n})
    convergence = pd.concat({m: indices(m) for m in steps}, names=["base samples"])
    wide = tuple(str(p) for p, r in table.iterrows() if r["ST_conf"] > abs(r["ST"]) or r["S1_conf"] > abs(r["S1"]))
    if wide:
        warnings.warn(f"Sobol' indices of {list(wide)} have a 95% interval wider than the index itself: "
                      f"more base samples than n={n} (or more paths than {paths}) are needed to tell them apart "
                      "from zero", GemfinWarning, stacklevel=2)
    if full:
        return SobolResult(table, convergence, samples, wide)
    return table


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


OUTPUTS = {"share_in_deficit": share_in_deficit, "au_budget": au_budget}


def output_by_name(spec: str) -> tuple[str, Output]:
    """``"share_in_deficit"`` or ``"au_budget:2030"`` → (label, output function)."""
    name, _, year = spec.partition(":")
    if name not in OUTPUTS:
        raise InputError(f"unknown output {name!r}; expected one of {list(OUTPUTS)}, optionally with :YEAR")
    if year and not year.isdigit():
        raise InputError(f"output {spec!r}: the year after ':' must be a number, e.g. {name}:2030")
    return spec, OUTPUTS[name](int(year) if year else None)


def load_ranges(path) -> dict[str, tuple[float, float]]:
    """A parameter file: a YAML mapping field path → [low, high] (optionally under a top-level
    ``parameters:`` key), loaded safely."""
    from ._yaml import load_yaml_mapping

    doc = load_yaml_mapping(path, InputError)
    doc = doc.get("parameters", doc) if isinstance(doc.get("parameters"), dict) else doc
    out = {}
    for key, value in doc.items():
        if not (isinstance(value, list) and len(value) == 2 and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
            raise InputError(f"{path}: {key}: expected [low, high] (two numbers), got {value!r}")
        out[str(key)] = (float(value[0]), float(value[1]))
    if not out:
        raise InputError(f"{path}: no parameters; expected lines like 'fund.growth.mean.value: [0.005, 0.025]'")
    return out
