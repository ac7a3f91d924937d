"""Many parameter sets against one built scenario: the engine room of gemfin.sensitivity.

A :class:`Batch` builds the scenario once: it validates it, loads (and, for a reform, changes)
the circulaire, reads the base budget and the realisation gaps, and the core keeps the
distributions it built (``engine.core_distribution``). A parameter set then costs what
its numbers cost: the scenario document with the new values is validated again (about a
millisecond, so a value outside a field's domain is an error naming the field), the model
inputs are assembled from the cached parts, and the engine runs. A set that changes the
*structure* — the circulaire, the proposal, the base filing, the horizon, which maatstaven a
driver moves — rebuilds the circulaire, and its row says so (``rebuilt``).

Sets run concurrently, each on one core (the engine's result does not depend on its thread
count), so a batch of small runs keeps every core busy where one small run would use one.
Every set uses the batch's seed: common random numbers, and a set's outputs are bitwise those
of ``simulate(scenario with those values, paths, seed, bins=..., block_size=...)``.

On Dask (``client=``) the sets are split into contiguous groups, one task each; a worker
builds the batch once per process (checking that its model matches the client's) and runs its
groups; the rows come back in order, identical to a local run.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from ..errors import IncompatibleWorkerError, InputError, ScenarioError
from ..scenario import Scenario, as_scenario, set_field
from ..schema.scenario import STRUCTURAL_PATHS
from ..results.simulation import SimulationResult

#: Field paths (prefixes) that change the model's structure rather than its numbers.
#: Histogram bins and block size of a batch's runs (simulate's defaults: 2,048 and 1,024). A
#: run allocates a histogram per municipality, year and output and a buffer per block of paths;
#: for a run of a few hundred paths that is the main fixed cost. Measured on a 500-path set of
#: the baseline on one thread (benchmarks/sensitivity.py's machine): 56.8 ms with blocks of
#: 1,024 paths, 46.6 ms with 128; 64 bins instead of 256 took the batch from 76% to 83% of a
#: large run's paths/s. The results do not depend on the block size (bit for bit); quantile
#: outputs resolve 1/64 of the pilot's range (pass bins=2048 for finer quantiles).
DEFAULT_BINS = 64
DEFAULT_BLOCK_SIZE = 128

Output = Callable[[SimulationResult], float]


def with_parameters(scenario: Scenario, values: Mapping[str, float]) -> Scenario:
    """The scenario with the given fields set to numbers (Scenario.with_values), an InputError
    naming the parameter where a path is not a field of the scenario or a value invalid."""
    numbers = {path: float(value) for path, value in values.items()}
    doc = scenario.to_dict()
    for path in numbers:  # a parameter names an existing field; with_values may add one
        try:
            set_field(doc, path, 0.0)
        except InputError as exc:
            raise InputError(f"parameter {exc}") from None
    try:
        return scenario.with_values(numbers)
    except ScenarioError as exc:
        raise InputError(f"parameter values {dict(values)} make the scenario invalid: {exc}") from None


def is_structural(path: str) -> bool:
    """Whether changing ``path`` changes what the run is built from: a field the schema marks
    STRUCTURAL (gemfin.schema.scenario.STRUCTURAL_PATHS), or a part of one."""
    parts = path.split(".")
    for pattern in STRUCTURAL_PATHS:
        keys = pattern.split(".")
        if len(parts) >= len(keys) and all(k in ("*", p) for k, p in zip(keys, parts)):
            return True
    return False


class Batch:
    """A scenario built once for many parameter sets (module docstring)."""

    def __init__(self, scenario, paths: int, seed: int, bins: int = DEFAULT_BINS,
                 block_size: int = DEFAULT_BLOCK_SIZE):
        from ..engine import check_run_number

        self.scenario: Scenario = as_scenario(scenario)
        self.paths = check_run_number("paths", paths)
        self.seed = check_run_number("seed", seed)
        self.bins = check_run_number("bins", bins)
        self.block_size = check_run_number("block_size", block_size)
        from ..run.base import build_base

        self.base = build_base(self.scenario)  # read by every set of the same structure, never changed

    def fingerprint(self) -> str:
        from ..run.compile import compile_model, fingerprint

        return fingerprint(compile_model(self.scenario, self.base))

    def run(self, values: Mapping[str, float], threads: int = 1):
        """(SimulationResult, rebuilt) for one parameter set."""
        from ..run.simulation import simulate

        scen = with_parameters(self.scenario, values)
        rebuilt = any(is_structural(p) for p in values)
        # A set that changes the structure gets its own base (simulate builds it).
        res = simulate(scen, paths=self.paths, seed=self.seed, threads=threads, progress=False, bins=self.bins,
                       block_size=self.block_size, base=None if rebuilt else self.base)
        return res, rebuilt

    def outputs(self, values: Mapping[str, float], outputs: Mapping[str, Output], threads: int = 1) -> dict:
        res, rebuilt = self.run(values, threads)
        row = {name: float(fn(res)) for name, fn in outputs.items()}
        row["rebuilt"] = rebuilt
        return row


def _rows(parameter_sets: pd.DataFrame) -> list[dict]:
    return [{k: float(v) for k, v in row.items()} for row in parameter_sets.to_dict(orient="records")]


def evaluate_local(batch: Batch, parameter_sets: pd.DataFrame, outputs: Mapping[str, Output],
                   threads: int | None, progress=True) -> pd.DataFrame:
    """The outputs of every set, sets running concurrently on ``threads`` cores (all by
    default), in the order of ``parameter_sets``. Ctrl-C stops after the running sets."""
    rows = _rows(parameter_sets)
    if not threads:
        threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = max(1, min(int(threads), len(rows)))
    bar = _bar(progress, len(rows), batch.scenario.name)
    lock = threading.Lock()

    def one(values):
        out = batch.outputs(values, outputs)
        if bar is not None:
            with lock:
                bar.update(1)
        return out

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gemfin-sensitivity")
    try:
        results = list(pool.map(one, rows))
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)
        if bar is not None:
            bar.close()
    return pd.DataFrame(results)


def _bar(progress, total: int, name: str):
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="set", desc=f"gemfin sensitivity {name}", leave=False)


# Batches built on this Dask worker process, by (fingerprint, paths, seed, bins, block size): the tasks of
# one analysis reuse one. A process-local cache, bounded to two analyses.
_BATCHES: dict[tuple, Batch] = {}
_BATCHES_LOCK = threading.Lock()


def run_group(scenario: Scenario, paths: int, seed: int, bins: int, block_size: int, expected: str, sets: pd.DataFrame,
              outputs: Mapping[str, Output]) -> pd.DataFrame:
    """One Dask task: the outputs of a group of sets, on a worker."""
    from ..run.cluster import _worker_threads

    key = (expected, paths, seed, bins, block_size)
    with _BATCHES_LOCK:
        batch = _BATCHES.get(key)
    if batch is None:
        batch = Batch(scenario, paths, seed, bins, block_size)
        got = batch.fingerprint()
        if got != expected:
            raise IncompatibleWorkerError(
                f"the model this worker built from scenario {scenario.name!r} differs from the client's "
                f"(fingerprint {got[:12]} vs {expected[:12]}): install the same gemfin version, with the same "
                "data, on the client and every worker")
        with _BATCHES_LOCK:
            while len(_BATCHES) >= 2:
                _BATCHES.pop(next(iter(_BATCHES)))
            _BATCHES[key] = batch
    return evaluate_local(batch, sets, outputs, threads=_worker_threads(0), progress=False)


def evaluate_on_cluster(client, batch: Batch, parameter_sets: pd.DataFrame, outputs: Mapping[str, Output],
                        groups: int | None = None, progress=True) -> pd.DataFrame:
    """The outputs of every set, in groups of contiguous sets as Dask tasks; in order."""
    from distributed import as_completed

    n = len(parameter_sets)
    if groups is None:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        groups = min(n, 4 * workers)
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise InputError(f"groups must be a positive integer, got {groups!r}")
    bounds = np.linspace(0, n, min(int(groups), n) + 1).round().astype(int)
    expected = batch.fingerprint()
    futures = {}
    for a, b in zip(bounds[:-1], bounds[1:]):
        if b > a:
            f = client.submit(run_group, batch.scenario, batch.paths, batch.seed, batch.bins, batch.block_size, expected,
                              parameter_sets.iloc[a:b].reset_index(drop=True), dict(outputs), pure=False)
            futures[f] = a
    bar = _bar(progress, n, batch.scenario.name)
    parts = {}
    try:
        for f in as_completed(list(futures)):
            part = f.result()
            parts[futures[f]] = part
            if bar is not None:
                bar.update(len(part))
    except BaseException:
        client.cancel(list(futures))
        raise
    finally:
        if bar is not None:
            bar.close()
    return pd.concat([parts[a] for a in sorted(parts)], ignore_index=True)
