"""The engine room: the core's operations for the layers above (``gemfin._core``).

It runs the core's allocation and phase-in for gemfin.allocation and gemfin.compare, gives the
schema the core's catalogue of distributions (and builds each distribution once per kind and
parameters), maps the names a file uses onto the core's enums, checks run numbers, and starts
a simulation of a compiled model (gemfin.run.compile builds the model) for one set of run
options. Only this module and gemfin.run.compile import the core.
"""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass

import numpy as np

from . import _core
from .errors import InputError


def simd_targets() -> list[str]:
    """The SIMD targets of the core's kernels that this CPU supports, best first (``avx512``,
    ``avx2``, ``sse4``, ``scalar`` on x86-64; ``neon``, ``scalar`` on ARM64). Every target gives
    bitwise the same results; ``GEMFIN_SIMD=<name>`` in the environment, set before gemfin runs
    anything, forces one (docs/simd.md)."""
    return list(_core.simd_targets())


def simd_target() -> str:
    """The SIMD target in use: ``GEMFIN_SIMD`` if set (InputError if this CPU lacks it), else the
    best this CPU supports."""
    return str(_core.simd_target())


def kernel_version() -> int:
    """The version of the kernels' arithmetic: runs agree bit for bit when it (and the gemfin
    version) agree, whatever the instruction set."""
    return int(_core.kernel_version)


@functools.lru_cache(maxsize=1)
def distribution_catalogue() -> dict[str, tuple[str, ...]]:
    """The distributions the core knows: kind → the names of its parameters, in order."""
    return {str(k): tuple(str(n) for n in v) for k, v in _core.distribution_catalogue().items()}


def distribution_mean(kind: str, params: tuple[float, ...]) -> float:
    """The mean of a distribution of the core's catalogue, computed by the core (NaN where it
    has none: a Student-t with df ≤ 1), on the distribution a run would build. Raises
    InputError for invalid parameters."""
    return float(core_distribution(kind, tuple(float(p) for p in params)).mean())


def fixed_exp(x) -> np.ndarray:
    """exp of every element with the core's fixed IEEE operations: the same bits on every CPU
    (numpy's exp uses CPU-specific vector routines). For values that feed the core."""
    return np.asarray(_core.fixed_exp(np.asarray(x, dtype=np.float64)))


def fixed_power(x, exponent: float) -> np.ndarray:
    """``x ** exponent`` for x > 0 with the core's fixed IEEE operations (same bits on every CPU);
    NaN where x ≤ 0 or not finite."""
    return np.asarray(_core.fixed_power(np.asarray(x, dtype=np.float64), float(exponent)))


def allocate_arrays(volumes: np.ndarray, rates: np.ndarray, ozb_mask, uitkeringsfactor: float | None,
                    au_budget: float | None) -> dict:
    """The core's allocation of one circulaire (gemfin.allocation.allocate builds its result):
    volumes municipality × maatstaf, rates maatstaf × cluster, one of uitkeringsfactor and
    au_budget."""
    return _core.allocate(f64(volumes), f64(rates), [bool(x) for x in ozb_mask],
                          uitkeringsfactor=uitkeringsfactor, au_budget=au_budget)


def phase_in(effect: np.ndarray, inhabitants: np.ndarray, cumulative_caps) -> np.ndarray:
    """The core's capped phase-in of a herverdeeleffect (gemfin.compare)."""
    return np.asarray(_core.phase_in(f64(effect), f64(inhabitants), [float(c) for c in cumulative_caps]))


def check_int(name: str, value, lo: int, hi: int) -> int:
    """``value`` as an int in [lo, hi], else an InputError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not lo <= int(value) <= hi:
        raise InputError(f"{name} must be an integer from {lo:,} to {hi:,}, got {value!r}")
    return int(value)


#: The bounds of a run's numbers, checked in one place (simulate, a sensitivity batch).
RUN_BOUNDS = {"paths": (1, 2**32 - 1), "seed": (0, 2**64 - 1), "threads": (1, 1024), "bins": (16, 65_534),
              "block_size": (64, 16384)}


def check_run_number(name: str, value) -> int:
    """``value`` as an int within RUN_BOUNDS[name], else an InputError naming ``name``. A block
    size is a power of two: blocks are whole subtrees of the fixed tree the moments merge up
    (docs/monte-carlo.md), so that the block size only schedules the work."""
    lo, hi = RUN_BOUNDS[name]
    value = check_int(name, value, lo, hi)
    if name == "block_size" and value & (value - 1):
        raise InputError(f"block_size must be a power of two from {lo:,} to {hi:,}, got {value!r}")
    return value


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
    balance: bool = False  # also the social clusters' balance (model inputs with their arrays)


#: The scenario's shock targets (scenario_budget.SHOCK_TARGETS) as the core's enum.
SHOCK_TARGETS = {"OZB": _core.ShockTarget.OZB, "Overige belastingen": _core.ShockTarget.OTHER_TAXES,
                 "Overige baten": _core.ShockTarget.OTHER_BATEN, "Jeugd": _core.ShockTarget.JEUGD,
                 "Wmo": _core.ShockTarget.WMO, "Participatie": _core.ShockTarget.PARTICIPATIE,
                 "Overig": _core.ShockTarget.OVERIG}


#: The scenario's fund rules (fund.rule) as the core's enum.
FUND_RULES = {"ngru": _core.FundRule.NGRU, "gdp": _core.FundRule.GDP}
#: The accres periods (fund.periods) as the core's enum.
ACCRES_PERIODS = {"gdp": _core.AccresPeriod.GDP, "trap_op_trap_af": _core.AccresPeriod.TRAP_OP_TRAP_AF,
                  "fixed": _core.AccresPeriod.FIXED, "frozen_volume": _core.AccresPeriod.FROZEN_VOLUME,
                  "published": _core.AccresPeriod.PUBLISHED}


def f64(x) -> np.ndarray:
    """``x`` as the contiguous float64 array the core's constructors take."""
    return np.ascontiguousarray(x, dtype=np.float64)


@functools.lru_cache(maxsize=512)
def core_distribution(kind: str, params: tuple[float, ...]) -> "_core.Distribution":
    """A core distribution, built (and its copula table verified) once per (kind, params): a
    Student-t's table costs about 2 ms, and a sensitivity batch builds the same ones per set.
    An InputError says what the core's catalogue expects (the scenario's validation uses it)."""
    return _core.Distribution(kind, list(params))


def check_correlation(matrix: np.ndarray, names: list[str]) -> None:
    """InputError unless ``matrix`` is a valid correlation matrix of ``names`` (the core's check)."""
    _core.check_correlation(f64(matrix), names)


def simulation(model: "_core.ProjectionModel", opts: RunOptions) -> "_core.Simulation":
    """The core's simulation of ``model`` (gemfin.run.compile) with the run options ``opts``."""
    options = _core.SimulationOptions(paths=opts.paths, seed=opts.seed, threads=opts.threads, antithetic=opts.antithetic,
                                      quantiles=list(opts.quantiles), keep=list(opts.keep), bins=opts.bins,
                                      block_size=opts.block_size)
    return _core.Simulation(model=model, options=options)
