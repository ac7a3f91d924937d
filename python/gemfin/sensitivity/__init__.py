"""Sensitivity analysis over scenario parameters, with common random numbers.

Parameters are named by their field path in the scenario file, e.g.
``"budget.domains.Jeugd.excess_growth.params.0"`` or ``"fund.growth.mean.value"``. Every
evaluation uses the same seed: with counter-based random numbers and inverse-transform
sampling, each parameter vector sees the same random draws, so differences between outputs are
the parameters' effect, not noise.

- :func:`evaluate`: the batched entry point, N parameter vectors → outputs, the scenario
  built once and the sets run concurrently, here or on a Dask cluster
  (:mod:`gemfin.sensitivity.batch`).
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

from ..errors import GemfinWarning, InputError
from .batch import DEFAULT_BINS, DEFAULT_BLOCK_SIZE, with_parameters  # noqa: F401  (with_parameters re-exported)
from ..scenario import Scenario, as_scenario
from ..run.simulation import SimulationResult, simulate

Output = Callable[[SimulationResult], float]


def evaluate(scenario, parameter_sets: pd.DataFrame, outputs: Mapping[str, Output | str], paths: int = 2000,
             seed: int = 1, threads: int | None = None, client=None, bins: int = DEFAULT_BINS,
             progress=False, groups: int | None = None, block_size: int = DEFAULT_BLOCK_SIZE) -> pd.DataFrame:
    """Run the scenario for each row of ``parameter_sets`` (columns: field paths) with the same
    seed and return the outputs (one column per name in ``outputs``) next to the parameters,
    and ``rebuilt``: whether the set changed the model's structure. The scenario is built once;
    the sets run concurrently on ``threads`` cores (all by default) or, with a Dask ``client``,
    as ``groups`` tasks on its workers. A set's outputs are bitwise those of
    ``simulate(with_parameters(scenario, set), paths, seed, bins=bins, block_size=block_size)``."""
    from .batch import Batch, evaluate_local, evaluate_on_cluster

    if not isinstance(parameter_sets, pd.DataFrame) or parameter_sets.empty:
        raise InputError("parameter_sets must be a non-empty DataFrame with one column per field path")
    if not outputs:
        raise InputError("outputs: give at least one name → function of a SimulationResult")
    scenario = as_scenario(scenario)
    checked: dict[str, Output] = {}
    for key, out_fn in outputs.items():  # names and ready-made outputs against the scenario, before any set
        resolved = _resolved_output(scenario, out_fn)
        if resolved is None:
            raise InputError(f"outputs[{key!r}]: expected a function of a SimulationResult or an output name, "
                             f"got {type(out_fn).__name__}")
        checked[key] = resolved
    outputs = checked
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
    node: Any = scen.to_dict()
    for k in path.split("."):
        node = node[int(k)] if isinstance(node, list) else node[k]
    return float(node)


def one_at_a_time(scenario, ranges: Mapping[str, tuple[float, float]], output: Output | str, paths: int = 2000,
                  seed: int = 1, threads: int | None = None, client=None, bins: int = DEFAULT_BINS,
                  progress=False) -> pd.DataFrame:
    """Tornado screening: the output at the scenario's own values and with each parameter at
    its low and high value (others unchanged). Rows sorted by swing, the absolute difference of the outputs at high and low; ``label``
    names each parameter with its unit (:mod:`gemfin.scenario.parameter_names`), ``noise`` is the Monte
    Carlo standard error of the output at ``paths`` paths (from :data:`NOISE_SEEDS` seeds), and
    a GemfinWarning names the parameters whose swing is below it."""
    from ..scenario.parameter_names import label

    scen = as_scenario(scenario)
    check_ranges(scen, ranges)
    output = checked_output(scen, output, seed)
    names = list(ranges)
    current = {p: _current(scen, p) for p in names}
    sets = [dict(current)]
    for p in names:
        for end in ranges[p]:
            sets.append({**current, p: float(end)})
    y = evaluate(scen, pd.DataFrame(sets, columns=names), {"y": output}, paths=paths, seed=seed, threads=threads,
                 client=client, bins=bins, progress=progress)["y"].to_numpy()
    noise = monte_carlo_noise(scen, output, paths, seed, y[0], threads=threads, client=client, bins=bins)
    rows = []
    for i, p in enumerate(names):
        low, high = (float(b) for b in ranges[p])
        lo, hi = y[1 + 2 * i], y[2 + 2 * i]
        rows.append({"parameter": p, "label": label(p, scen.to_dict()), "value": current[p], "low value": low,
                     "high value": high, "base": y[0], "output at low": lo, "output at high": hi,
                     "swing": abs(hi - lo), "noise": noise})
    table = pd.DataFrame(rows).sort_values("swing", ascending=False).reset_index(drop=True)
    _warn_below_noise(table["parameter"][table["swing"] < noise].tolist(), "swing", noise, paths)
    return table


#: Extra seeds run at the scenario's own values to measure the Monte Carlo noise of an output.
NOISE_SEEDS = 3


def monte_carlo_noise(scen: Scenario, output: Output, paths: int, seed: int, at_seed: float | None, *,
                      threads: int | None = None, client=None, bins: int = DEFAULT_BINS) -> float:
    """The Monte Carlo standard error of ``output`` at ``paths`` paths: the standard deviation of
    the output over ``seed`` (``at_seed`` when already run, else run here) and :data:`NOISE_SEEDS`
    more seeds, the scenario's own values throughout (its base built once). With common random numbers a parameter's effect is
    measured more precisely than this, but an effect below it would change with the seed: it
    cannot be told from zero at this number of paths."""
    import numpy as np

    from ..run.base import build_base

    base = build_base(scen)
    ys = [] if at_seed is None else [at_seed]
    for k in range(0 if at_seed is None else 1, NOISE_SEEDS + 1):
        res = simulate(scen, paths=paths, seed=seed + k, threads=threads, progress=False, bins=bins,
                       block_size=DEFAULT_BLOCK_SIZE, client=client, base=base)
        ys.append(float(output(res)))
    return float(np.std(ys, ddof=1))


def _warn_below_noise(names: list[str], what: str, noise: float, paths: int) -> None:
    if names:
        warnings.warn(f"the {what} of {names} is below the Monte Carlo noise of the output ({noise:.3g} at {paths:,} "
                      "paths): at this number of paths their effect cannot be told from zero; use more paths or "
                      "wider ranges", GemfinWarning, stacklevel=3)


def _problem(ranges: Mapping[str, tuple[float, float]]) -> dict:
    if not ranges:
        raise InputError("give at least one parameter range")
    return {"num_vars": len(ranges), "names": list(ranges), "bounds": [list(map(float, b)) for b in ranges.values()]}


def morris(scenario, ranges: Mapping[str, tuple[float, float]], output: Output | str, trajectories: int = 8,
           paths: int = 1000, seed: int = 1, num_levels: int = 4, threads: int | None = None, client=None,
           bins: int = DEFAULT_BINS, progress=False, full: bool = False):
    """Morris elementary effects (SALib): mu*, mu and sigma per parameter (with ``full=True``
    also the samples: (table, samples))."""
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    scenario = as_scenario(scenario)
    check_ranges(scenario, ranges)
    output = checked_output(scenario, output, seed)
    problem = _problem(ranges)
    x = sample.sample(problem, trajectories, num_levels=num_levels, seed=seed)
    samples = evaluate(scenario, pd.DataFrame(x, columns=problem["names"]), {"y": output}, paths=paths, seed=seed,
                       threads=threads, client=client, bins=bins, progress=progress)
    si = analyze.analyze(problem, x, samples["y"].to_numpy(), num_levels=num_levels, seed=seed)
    from ..scenario.parameter_names import label

    noise = monte_carlo_noise(scenario, output, paths, seed, None, threads=threads, client=client, bins=bins)
    table = pd.DataFrame({"label": [label(p, scenario.to_dict()) for p in problem["names"]],
                          "mu_star": si["mu_star"], "mu": si["mu"], "sigma": si["sigma"],
                          "mu_star_conf": si["mu_star_conf"], "noise": noise},
                         index=pd.Index(problem["names"], name="parameter")).sort_values("mu_star", ascending=False)
    _warn_below_noise([str(p) for p in table.index[table["mu_star"] < noise]], "mu*", noise, paths)
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
        from .. import repr_html

        return (repr_html.heading("Sobol' indices") + repr_html.frame(self.indices)
                + repr_html.items("Intervals wider than the index:", self.wide))


def sobol(scenario, ranges: Mapping[str, tuple[float, float]], output: Output | str, n: int = 16, paths: int = 500,
          seed: int = 1, threads: int | None = None, client=None, bins: int = DEFAULT_BINS,
          full: bool = False, progress=False):
    """First-order and total Sobol' indices (SALib, Saltelli sampling; n·(k+2) runs, n a power
    of two). Returns the indices table, or with ``full=True`` a :class:`SobolResult` with their
    convergence over the first quarter, half and all base samples. A GemfinWarning names the
    parameters whose confidence interval is wider than the index."""
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    scenario = as_scenario(scenario)
    check_ranges(scenario, ranges)
    output = checked_output(scenario, output, seed)
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

    from ..scenario.parameter_names import label

    table = indices(n).sort_values("ST", ascending=False)
    table.insert(0, "label", [label(str(p), scenario.to_dict()) for p in table.index])
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

@dataclass(frozen=True)
class NamedOutput:
    """A ready-made output: ``name`` of the year ``year`` (None: the last). Checked against a
    scenario before any set runs (:meth:`check`), so a wrong year or a scenario without a
    budget fails at once, not after the batch."""

    name: str
    year: int | None
    needs_budget: bool
    unit: str

    @property
    def label(self) -> str:
        return self.name if self.year is None else f"{self.name}:{self.year}"

    def check(self, scen: Scenario) -> None:
        if self.needs_budget and scen.budget is None:
            raise InputError(f"output {self.label}: needs a scenario with a budget section; {scen.name!r} has none "
                             "(au_budget works without one)")
        if self.year is not None and self.year not in scen.years:
            raise InputError(f"output {self.label}: {self.year} is not a projected year of {scen.name!r}; "
                             f"expected one of {scen.years[0]}–{scen.years[-1]}")

    def __call__(self, res: SimulationResult) -> float:
        if self.name == "share_in_deficit":
            if res.finances is None:
                raise InputError("share_in_deficit needs a scenario with a budget section")
            series = res.finances.national()["share in deficit mean"]
        else:
            series = res.budget["mean"] / 1e9
        if self.year is not None and self.year not in series.index:
            raise InputError(f"output {self.label}: {self.year} is not a projected year; expected one of "
                             f"{int(series.index[0])}–{int(series.index[-1])}")
        return float(series.iloc[-1] if self.year is None else series.loc[self.year])


def share_in_deficit(year: int | None = None) -> NamedOutput:
    """Mean share of municipalities with a deficit in ``year`` (default: the last)."""
    return NamedOutput("share_in_deficit", year, True, "share of municipalities")


def au_budget(year: int | None = None) -> NamedOutput:
    """Mean algemene-uitkering budget (EUR bn) in ``year`` (default: the last)."""
    return NamedOutput("au_budget", year, False, "EUR bn")


OUTPUTS = {"share_in_deficit": share_in_deficit, "au_budget": au_budget}


def output_by_name(spec: str) -> tuple[str, NamedOutput]:
    """``"share_in_deficit"`` or ``"au_budget:2030"`` → (label, output function)."""
    if not isinstance(spec, str):
        raise InputError(f"output: expected a name such as 'share_in_deficit:2030' or a function of a "
                         f"SimulationResult, got {type(spec).__name__}")
    name, _, year = spec.partition(":")
    if name not in OUTPUTS:
        raise InputError(f"unknown output {name!r}; expected one of {list(OUTPUTS)}, optionally with :YEAR")
    if year and not year.isdigit():
        raise InputError(f"output {spec!r}: the year after ':' must be a number, e.g. {name}:2030")
    return spec, OUTPUTS[name](int(year) if year else None)


def _resolved_output(scen: Scenario, output) -> Output | None:
    """A name as its ready-made output, a ready-made output checked against the scenario (its
    year, its budget section), any other callable as it is; None for what is neither."""
    if isinstance(output, str):
        output = output_by_name(output)[1]
    if isinstance(output, NamedOutput):
        output.check(scen)
        return output
    return output if callable(output) else None


def checked_output(scen: Scenario, output: "Output | str", seed: int = 1) -> Output:
    """``output`` as a function, checked before any set runs: a name (``"share_in_deficit:2035"``)
    or a ready-made output against the scenario's years and sections; any other function on a
    small trial run of the scenario (64 paths), so that an output that cannot be read fails
    before the batch, naming the function."""
    resolved = _resolved_output(scen, output)
    if resolved is None:
        raise InputError(f"output: expected a name such as 'share_in_deficit:2030' or a function of a "
                         f"SimulationResult, got {type(output).__name__}")
    if isinstance(resolved, NamedOutput):
        return resolved
    trial = simulate(scen, paths=64, seed=seed, progress=False)
    name = getattr(resolved, "__name__", repr(resolved))
    try:
        value = float(resolved(trial))
    except Exception as exc:  # any failure of the user's function, reported before the batch
        raise InputError(f"output {name}: fails on a trial run of {scen.name!r} ({type(exc).__name__}: {exc}); "
                         "it must return a number from a SimulationResult") from None
    if value != value:
        raise InputError(f"output {name}: returns NaN on a trial run of {scen.name!r}")
    return resolved


def load_ranges(path) -> dict[str, tuple[float, float]]:
    """A parameter file: a YAML mapping field path → [low, high] (optionally under a top-level
    ``parameters:`` key), loaded safely."""
    from .._yaml import load_yaml_mapping

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
