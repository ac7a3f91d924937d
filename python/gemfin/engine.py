"""The engine room: the only module that talks to the compiled simulation (``_core.Simulation``).

It turns a scenario's model inputs (``Scenario.model_inputs``: arrays and plain dicts) into the
core's arguments — contiguous float64 arrays, and the core's distributions, built once per
(kind, parameters) — and builds the engine for one set of run options. ``gemfin.simulation``
(local runs), ``gemfin.cluster`` (Dask workers) and ``gemfin.sensitivity_batch`` all come
through here.
"""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass

import numpy as np

from . import _core
from .errors import InputError


def check_int(name: str, value, lo: int, hi: int) -> int:
    """``value`` as an int in [lo, hi], else an InputError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not lo <= int(value) <= hi:
        raise InputError(f"{name} must be an integer from {lo:,} to {hi:,}, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class RunOptions:
    """The validated options of one run: the same on the client and on every Dask worker.
    ``keep`` holds row indices of the municipalities whose paths are kept."""

    paths: int
    seed: int
    threads: int  # 0 = all cores
    antithetic: bool
    quantiles: tuple[float, ...]
    keep: tuple[int, ...]
    bins: int
    block_size: int


#: The scenario's shock targets (scenario_budget.SHOCK_TARGETS) as the core's enum.
SHOCK_TARGETS = {"OZB": _core.ShockTarget.OZB, "Overige belastingen": _core.ShockTarget.OTHER_TAXES,
                 "Overige baten": _core.ShockTarget.OTHER_BATEN, "Jeugd": _core.ShockTarget.JEUGD,
                 "Wmo": _core.ShockTarget.WMO, "Participatie": _core.ShockTarget.PARTICIPATIE,
                 "Overig": _core.ShockTarget.OVERIG}


def _budget_arrays(b: dict | None) -> dict | None:
    if b is None:
        return None
    out = dict(b)
    out["shocks"] = [{**s, "target": SHOCK_TARGETS[s["target"]]} for s in b["shocks"]]
    out["lasten"] = [np.ascontiguousarray(x, dtype=np.float64) for x in b["lasten"]]
    for k in ("ozb", "other_taxes", "other_baten", "buig_baten", "buig_lasten", "siudu", "reserves"):
        out[k] = np.ascontiguousarray(b[k], dtype=np.float64)
    out["volume_weights"] = np.ascontiguousarray(b["volume_weights"], dtype=np.float64)
    out["compensation"] = np.ascontiguousarray(b["compensation"], dtype=np.float64)
    if b.get("realisation") is not None:
        out["realisation"] = {k: b["realisation"][k] for k in ("year", "residual")}
        for k in ("offset", "residual_factor"):
            out["realisation"][k] = np.ascontiguousarray(b["realisation"][k], dtype=np.float64)
    return out


@functools.lru_cache(maxsize=512)
def _core_distribution(kind: str, params: tuple[float, ...]) -> "_core.Distribution":
    """A core distribution, built (and its copula table verified) once per (kind, params): a
    Student-t's table costs about 2 ms, and a sensitivity batch builds the same ones per set."""
    return _core.Distribution(kind, list(params))


def _with_core_distributions(x):
    """``x`` with every {"kind", "params"} dict replaced by its cached core distribution."""
    if isinstance(x, dict):
        if set(x) == {"kind", "params"}:
            return _core_distribution(x["kind"], tuple(float(p) for p in x["params"]))
        return {k: _with_core_distributions(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_with_core_distributions(v) for v in x]
    return x


def build_engine(scen, opts: RunOptions, inputs: dict | None = None) -> "_core.Simulation":
    """The compiled simulation of ``scen`` (inputs from ``scen.model_inputs()`` unless given)."""
    inputs = scen.model_inputs() if inputs is None else inputs
    return _core.Simulation(
        np.ascontiguousarray(inputs["c_basis"]), np.ascontiguousarray(inputs["c_ozb"]),
        _with_core_distributions(inputs["drivers"]), _with_core_distributions(inputs["fund"]),
        np.ascontiguousarray(inputs["correlation"]), inputs["correlation_names"],
        inputs["years"], opts.paths, opts.seed, opts.threads, opts.antithetic, list(opts.quantiles),
        list(opts.keep), opts.bins, opts.block_size, _with_core_distributions(_budget_arrays(inputs["budget"])))
