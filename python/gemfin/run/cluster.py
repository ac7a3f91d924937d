"""Running one simulation on a Dask cluster (``gemfin.simulate(..., client=client)``).

The paths of a run form chunks of 16,384, computed in blocks (``block_size`` paths). The
chunks are split into contiguous ranges, one Dask task each. A task ships only the scenario
(its document) and the run options; the worker compiles the model from its own copy of the
shipped data, runs the pilot (the first 1,024 paths) and its chunks with the compiled core,
and returns the part as bytes (moments per chunk, histogram counts, threshold counts, kept paths). The
client folds the parts chunk by chunk, in order, exactly as a local run does, so the result is
bitwise the local one for any number of workers and partitions.

A worker checks that the model it built matches the client's (a fingerprint of the
compiled model, the gemfin version and the kernels' version) before it runs: a worker with other data
or another gemfin fails with a clear error instead of contributing different numbers. Workers
on different CPUs (AVX-512, AVX2, ARM64, ...) may share a run: every SIMD target of the kernels
gives the same bits. A task lost with its
worker is recomputed by Dask; as every part is a pure function of (scenario, options, chunk
range), the result does not change.
"""

from __future__ import annotations

import math
import numbers
import os
import threading
import uuid
from typing import TYPE_CHECKING, Any


from ..errors import GemfinError, IncompatibleWorkerError, InputError

if TYPE_CHECKING:  # for annotations only
    from .. import _core

# Engines built on this worker process, by (fingerprint, options): consecutive tasks of one
# run reuse the model and its pilot. A process-local cache, bounded to two runs.
_ENGINES: dict[tuple, Any] = {}  # key → _core.Simulation
_ENGINES_LOCK = threading.Lock()


def connect(address: str, timeout: float = 10.0):
    """A ``distributed.Client`` for the scheduler at ``address`` (GemfinError if unreachable)."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise GemfinError("running on a Dask cluster needs dask.distributed: pip install 'gemfin[dask]'") from exc
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise GemfinError(f"cannot reach the Dask scheduler at {address!r} within {timeout:g} s: {exc}") from exc


def validate_partitions(partitions, chunks: int) -> int:
    if partitions is None:
        return chunks
    if isinstance(partitions, bool) or not isinstance(partitions, numbers.Integral) or partitions < 1:
        raise InputError(f"partitions must be a positive integer, got {partitions!r}")
    return min(int(partitions), chunks)


def chunk_ranges(chunks: int, partitions: int) -> list[tuple[int, int]]:
    """``partitions`` contiguous, near-equal ranges covering chunks 0 … chunks−1."""
    bounds = [math.floor(i * chunks / partitions) for i in range(partitions + 1)]
    return [(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def _worker_threads(requested: int) -> int:
    """Threads for one task: as requested, else this machine's cores shared by the worker's
    concurrent tasks (a worker with 2 threads on 8 cores runs each task on 4)."""
    if requested:
        return requested
    try:
        from distributed import get_worker

        slots = get_worker().state.nthreads
    except (ImportError, ValueError, AttributeError):
        slots = 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores // max(1, slots))


def run_part(scenario, opts, expected: str, begin: int, end: int) -> bytes:
    """Runs chunks [begin, end) of the run (on a Dask worker) and returns the part as bytes."""
    from dataclasses import replace

    from ..engine import simulation
    from .base import build_base
    from .compile import compile_model, fingerprint

    opts = replace(opts, threads=_worker_threads(opts.threads))
    key = (expected, opts)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
    if engine is None:
        model = compile_model(scenario, build_base(scenario), balance=opts.balance)
        got = fingerprint(model)
        if got != expected:
            raise IncompatibleWorkerError(
                f"the model this worker built from scenario {scenario.name!r} differs from the client's "
                f"(fingerprint {got[:12]} vs {expected[:12]}): install the same gemfin version, with the same "
                "data, on the client and every worker")
        engine = simulation(model, opts)
        with _ENGINES_LOCK:
            while len(_ENGINES) >= 2:
                _ENGINES.pop(next(iter(_ENGINES)))
            _ENGINES[key] = engine
    return engine.run_chunks(begin, end)


def run_on_cluster(client, scenario, opts, engine, model, partitions: int,
                   progress=None) -> "_core.SimulationOutput":
    """Runs ``engine``'s chunks (of the compiled ``model``) as tasks on ``client``'s workers and
    finalizes them here."""
    from distributed import as_completed

    from .compile import fingerprint

    expected = fingerprint(model)
    ranges = chunk_ranges(engine.chunks, partitions)
    run_id = uuid.uuid4().hex[:8]
    futures = [client.submit(run_part, scenario, opts, expected, a, b, pure=False,
                             key=f"gemfin-{scenario.name}-{run_id}-chunks-{a}-{b}")
               for a, b in ranges]
    index = {f.key: i for i, f in enumerate(futures)}
    parts: list[bytes | None] = [None] * len(ranges)
    done = 0
    try:
        for fut in as_completed(futures):
            i = index[fut.key]
            parts[i] = fut.result()  # re-raises a task's error (e.g. a fingerprint mismatch)
            a, b = ranges[i]
            done += sum(engine.chunk_paths(c) for c in range(a, b))
            if progress is not None:
                progress(done)
    except BaseException:
        # Ctrl-C, a failed task, or an error in `progress`: leave nothing running.
        client.cancel(futures)
        raise
    return engine.finalize(parts)
