"""The engine room: the only module that talks to the compiled core (``gemfin._core``).

It runs the core's allocation and phase-in for gemfin.allocation and gemfin.compare, and
turns a scenario's model inputs (``Scenario.model_inputs``: arrays and plain dicts) into the
core's typed model (``_core.ProjectionModel`` and its parts, keyword constructors; contiguous
float64 arrays; the core's distributions, built once per (kind, parameters)) and builds the
engine for one set of run options (``_core.SimulationOptions``). ``gemfin.run.simulation``
(local runs), ``gemfin.run.cluster`` (Dask workers) and ``gemfin.sensitivity.batch`` all come
through here.
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
    return _core.allocate(_f64(volumes), _f64(rates), [bool(x) for x in ozb_mask],
                          uitkeringsfactor=uitkeringsfactor, au_budget=au_budget)


def phase_in(effect: np.ndarray, inhabitants: np.ndarray, cumulative_caps) -> np.ndarray:
    """The core's capped phase-in of a herverdeeleffect (gemfin.compare)."""
    return np.asarray(_core.phase_in(_f64(effect), _f64(inhabitants), [float(c) for c in cumulative_caps]))


def check_int(name: str, value, lo: int, hi: int) -> int:
    """``value`` as an int in [lo, hi], else an InputError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not lo <= int(value) <= hi:
        raise InputError(f"{name} must be an integer from {lo:,} to {hi:,}, got {value!r}")
    return int(value)


#: The bounds of a run's numbers, checked in one place (simulate, a sensitivity batch).
RUN_BOUNDS = {"paths": (1, 2**32 - 1), "seed": (0, 2**64 - 1), "threads": (1, 1024), "bins": (16, 1 << 20),
              "block_size": (1, 1 << 24)}


def check_run_number(name: str, value) -> int:
    """``value`` as an int within RUN_BOUNDS[name], else an InputError naming ``name``."""
    lo, hi = RUN_BOUNDS[name]
    return check_int(name, value, lo, hi)


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
                  "fixed": _core.AccresPeriod.FIXED, "frozen_volume": _core.AccresPeriod.FROZEN_VOLUME}


def _f64(x) -> np.ndarray:
    return np.ascontiguousarray(x, dtype=np.float64)


@functools.lru_cache(maxsize=512)
def core_distribution(kind: str, params: tuple[float, ...]) -> "_core.Distribution":
    """A core distribution, built (and its copula table verified) once per (kind, params): a
    Student-t's table costs about 2 ms, and a sensitivity batch builds the same ones per set.
    An InputError says what the core's catalogue expects (the scenario's validation uses it)."""
    return _core.Distribution(kind, list(params))


def check_correlation(matrix: np.ndarray, names: list[str]) -> None:
    """InputError unless ``matrix`` is a valid correlation matrix of ``names`` (the core's check)."""
    _core.check_correlation(_f64(matrix), names)


def _dist(d: dict) -> "_core.Distribution":
    return core_distribution(d["kind"], tuple(float(p) for p in d["params"]))


def _process(p: dict) -> "_core.MacroProcess":
    return _core.MacroProcess(mean=p["mean"], persistence=p["persistence"], start=p["start"], shock=_dist(p["shock"]))


def _wage_price(w: dict) -> tuple["_core.MacroProcess", bool, float]:
    """The budget's wage/price process, whether it follows the fund's deflator, and the wedge: its
    own process, or the deflator + a wedge (the process slot then holds a fixed zero: its shock is
    drawn and not used)."""
    if "follows" in w:
        zero = _core.MacroProcess(mean=0.0, persistence=0.0, start=0.0, shock=core_distribution("fixed", (0.0,)))
        return zero, True, float(w["wedge"])
    return _process(w), False, 0.0


def _fund(f: dict) -> "_core.FundSpec":
    # the rule's name was checked by the scenario's schema, whose choices are these keys
    return _core.FundSpec(rule=FUND_RULES[f["rule"]], budget0=float(f["budget0"]), growth=_process(f["growth"]),
                          price=_process(f["price"]) if "price" in f else None,
                          policy_mutations=[float(x) for x in f["policy_mutations"]],
                          growth_history=f.get("growth_history"),
                          periods=[ACCRES_PERIODS[p] for p in f.get("periods", ())])


def _budget(b: dict | None) -> "_core.BudgetModel | None":
    if b is None:
        return None
    real, resp = b.get("realisation"), b.get("response")
    balance = b.get("balance")
    wp = _wage_price(b["wage_price"])
    return _core.BudgetModel(
        lasten=[_f64(x) for x in b["lasten"]],
        **{k: _f64(b[k]) for k in ("ozb", "other_taxes", "other_baten", "buig_baten", "buig_lasten", "siudu", "reserves",
                                   "volume_weights", "compensation")},
        bijstand_driver=b["bijstand_driver"], woz_driver=b["woz_driver"],
        revenue_volume_driver=b.get("revenue_volume_driver", -1),
        ozb_pass_through=b["ozb_pass_through"], ozb_policy_growth=b["ozb_policy_growth"],
        ozb_price_indexed=b.get("ozb_price_indexed", False),
        wage_price=wp[0], wage_price_follows_fund=wp[1], wage_price_wedge=wp[2], excess=[_dist(x) for x in b["excess"]],
        excess_persistence=list(b.get("excess_persistence", [1.0] * len(b["excess"]))),
        error_mu=list(b["error_mu"]), error_sigma=list(b["error_sigma"]),
        vangnet_threshold=b["vangnet"][0], vangnet_full=b["vangnet"][1], vangnet_share=b["vangnet"][2],
        artikel12_threshold=b["artikel12_threshold"], artikel12_horizon=b.get("artikel12_horizon", 3),
        balance=_f64(balance) if balance is not None else np.zeros(0),
        shocks=[_core.ShockEvent(name=s["name"], year=s["year"], target=SHOCK_TARGETS[s["target"]],
                                 fraction=_dist(s["fraction"]), municipal_sd=s["municipal_sd"]) for s in b["shocks"]],
        realisation=None if real is None else _core.Realisation(
            offset=_f64(real["offset"]), year=_dist(real["year"]), residual=_dist(real["residual"]),
            residual_factor=_f64(real["residual_factor"])),
        suppletie=_f64(b["suppletie"]) if b.get("suppletie") is not None else np.zeros((0, 0)),
        response=None if resp is None else _core.Response(target=_f64(resp["target"]), speed=resp["speed"],
                                                          max_step=resp["max_step"]),
        cluster_balance=None if b.get("cluster_balance") is None else _core.ClusterBalance(
            **{k: _f64(b["cluster_balance"][k]) for k in ("basis", "fixed", "siudu", "netto0")}),
    )


def core_model(inputs: dict) -> "_core.ProjectionModel":
    """The core's typed model of ``Scenario.model_inputs()``."""
    f = inputs["fund"]
    return _core.ProjectionModel(
        c_basis=_f64(inputs["c_basis"]), c_ozb=_f64(inputs["c_ozb"]),
        drivers=[_core.DriverSpec(name=d["name"], national=_dist(d["national"]), municipal_sd=d["municipal_sd"],
                                  average_years=d["average_years"]) for d in inputs["drivers"]],
        fund=_fund(f), correlation=_f64(inputs["correlation"]), correlation_names=list(inputs["correlation_names"]),
        years=inputs["years"], budget=_budget(inputs["budget"]), base_year_first=bool(f.get("base_year_first", False)))


def build_engine(scen, opts: RunOptions, inputs: dict | None = None) -> "_core.Simulation":
    """The compiled simulation of ``scen`` (inputs from ``scen.model_inputs()`` unless given)."""
    inputs = scen.model_inputs() if inputs is None else inputs
    options = _core.SimulationOptions(paths=opts.paths, seed=opts.seed, threads=opts.threads, antithetic=opts.antithetic,
                                      quantiles=list(opts.quantiles), keep=list(opts.keep), bins=opts.bins,
                                      block_size=opts.block_size)
    return _core.Simulation(model=core_model(inputs), options=options)
