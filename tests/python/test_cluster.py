"""Runs on a Dask LocalCluster (2 worker processes): bitwise the local result for any
partition, also when a worker dies mid-run; clear errors for bad arguments and foreign workers."""

import logging
import os
import signal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gemfin
from gemfin.run.cluster import chunk_ranges, run_part, validate_partitions
from gemfin.engine import simulation
from gemfin.run.base import build_base
from gemfin.run.compile import compile_model, fingerprint
from gemfin.errors import CorruptPartError, IncompatibleWorkerError, InputError
from gemfin.run.simulation import RunOptions

from conftest import REPO

distributed = pytest.importorskip("distributed")

# Three chunks of 16,384 paths, the last one short (blocks of 64).
CHUNK = 16_384
RUN = dict(paths=2 * CHUNK + 64, seed=21, block_size=64, keep=["GM0014"], progress=False)


@pytest.fixture(scope="module")
def scen():
    return gemfin.load_scenario(REPO / "scenarios" / "baseline.yaml")


@pytest.fixture(scope="module")
def local(scen):
    return gemfin.simulate(scen, **RUN)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as cluster, distributed.Client(cluster) as c:
        yield c


def assert_identical(a, b):
    assert np.array_equal(a.au_mean, b.au_mean)
    assert np.array_equal(a.au_sd, b.au_sd)
    assert np.array_equal(a.au_quantiles, b.au_quantiles)
    assert np.array_equal(a.p_below_base, b.p_below_base)
    assert a.budget.equals(b.budget) and a.uitkeringsfactor.equals(b.uitkeringsfactor)
    assert a.kept_paths["GM0014"].equals(b.kept_paths["GM0014"])
    fa, fb = a.finances, b.finances
    for name in ("saldo_mean", "saldo_sd", "saldo_quantiles", "p_deficit", "shortfall", "p_exhausted", "p_art12",
                 "net_shock", "reserves_mean"):
        assert np.array_equal(getattr(fa, name), getattr(fb, name), equal_nan=True), name
    assert fa.share_deficit.equals(fb.share_deficit)


@pytest.mark.parametrize("partitions", [None, 1, 3])
def test_cluster_run_is_bitwise_the_local_run(scen, local, client, partitions):
    seen = []
    res = gemfin.simulate(scen, client=client, partitions=partitions, **{**RUN, "progress": seen.append})
    assert_identical(res, local)
    assert seen == sorted(seen) and seen[-1] == RUN["paths"]


def test_a_worker_killed_mid_run_is_retried_without_changing_the_result(scen, local, client):
    killed = []

    def kill_a_busy_worker(done):
        if killed:
            return
        busy = [addr for addr, keys in client.processing().items() if keys]
        if busy:
            pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(busy[0])

    # 4 chunks: 4 tasks on 2 workers, so another is running when one ends.
    run = {**RUN, "paths": 3 * CHUNK + 64, "progress": kill_a_busy_worker}
    res = gemfin.simulate(scen, client=client, **run)
    assert killed, "no worker was busy when the first part finished"
    assert_identical(res, gemfin.simulate(scen, **{**run, "progress": False}))
    client.wait_for_workers(2, timeout=60)  # the nanny restarts the killed worker


def test_cli_run_on_the_scheduler_writes_the_local_summary(client, tmp_path, capsys):
    from gemfin.cli import main

    base = ["run", str(REPO / "scenarios" / "baseline.yaml"), "--paths", "2048", "--seed", "4", "--no-progress"]
    assert main([*base, "--out", str(tmp_path / "local")]) == 0
    assert main([*base, "--out", str(tmp_path / "dask"), "--scheduler", client.scheduler.address,
                 "--partitions", "2"]) == 0
    local = (tmp_path / "local" / "summary.csv").read_bytes()
    assert local == (tmp_path / "dask" / "summary.csv").read_bytes()
    assert main([*base, "--out", str(tmp_path / "x"), "--partitions", "2"]) == 2  # no scheduler
    assert "only meaningful with a Dask client" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_partitions_are_validated(scen, client):
    with pytest.raises(InputError, match="partitions"):
        gemfin.simulate(scen, client=client, partitions=0, **RUN)
    with pytest.raises(InputError, match="only meaningful with a Dask client"):
        gemfin.simulate(scen, partitions=2, **RUN)


def _engine(scen, opts):
    return simulation(compile_model(scen, build_base(scen)), opts)


def test_a_worker_with_another_model_refuses_to_run(scen):
    opts = RunOptions(paths=1024, seed=1, threads=1, antithetic=False, quantiles=(0.5,), keep=(), bins=64,
                      block_size=64)
    with pytest.raises(IncompatibleWorkerError, match="differs from the client's"):
        run_part(scen, opts, "0" * 64, 0, 1)
    # With the right fingerprint the part is the local engine's part, byte for byte.
    model = compile_model(scen, build_base(scen))
    assert run_part(scen, opts, fingerprint(model), 0, 1) == simulation(model, opts).run_chunks(0, 1)


def test_corrupt_parts_are_an_input_error(scen):
    opts = RunOptions(paths=CHUNK + 64, seed=1, threads=1, antithetic=False, quantiles=(0.5,), keep=(), bins=64,
                      block_size=1024)
    engine = _engine(scen, opts)
    a, b = engine.run_chunks(0, 1), engine.run_chunks(1, 2)
    with pytest.raises(CorruptPartError, match="corrupt"):
        engine.finalize([a, b[: len(b) // 2]])
    with pytest.raises(CorruptPartError, match="in order"):
        engine.finalize([b, a])
    assert engine.finalize([a, b]).paths_done == CHUNK + 64


@pytest.fixture(scope="module")
def small_parts(scen):
    opts = RunOptions(paths=CHUNK + 64, seed=1, threads=1, antithetic=False, quantiles=(0.5,), keep=(0,), bins=16,
                      block_size=1024)
    engine = _engine(scen, opts)
    return engine, engine.run_chunks(0, 1), engine.run_chunks(1, 2)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_changed_or_cut_part_is_an_input_error(small_parts, data):
    engine, a, b = small_parts
    i = data.draw(st.integers(0, len(b) - 1))
    flip = data.draw(st.integers(1, 255))
    changed = b[:i] + bytes([b[i] ^ flip]) + b[i + 1:]
    with pytest.raises(CorruptPartError, match="corrupt or incompatible"):
        engine.finalize([a, changed])
    with pytest.raises(CorruptPartError, match="corrupt or incompatible"):
        engine.finalize([a, b[:i]])


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 500), st.integers(1, 600))
def test_chunk_ranges_cover_every_chunk_once_in_order(chunks, partitions):
    p = validate_partitions(partitions, chunks)
    ranges = chunk_ranges(chunks, p)
    assert len(ranges) == p
    assert ranges[0][0] == 0 and ranges[-1][1] == chunks
    assert all(a < b for a, b in ranges)
    assert all(x[1] == y[0] for x, y in zip(ranges, ranges[1:]))
    sizes = [b - a for a, b in ranges]
    assert max(sizes) - min(sizes) <= 1


def test_sensitivity_sets_on_the_cluster_equal_a_local_batch(scen, client):
    import pandas as pd

    import gemfin.sensitivity as gs
    from gemfin.sensitivity.batch import run_group

    sets = pd.DataFrame({"budget.domains.Jeugd.excess_growth.params.0": [0.01, 0.02, 0.03, 0.04, 0.05],
                         "fund.growth.mean.value": [0.010, 0.012, 0.014, 0.016, 0.018]})
    outputs = {"share": gs.share_in_deficit(), "au": gs.au_budget()}
    local = gs.evaluate(scen, sets, outputs, paths=128, seed=4)
    for groups in (1, 3, 5):
        remote = gs.evaluate(scen, sets, outputs, paths=128, seed=4, client=client, groups=groups)
        pd.testing.assert_frame_equal(local, remote, check_exact=True)
    with pytest.raises(IncompatibleWorkerError, match="differs from the client's"):
        run_group(scen, 128, 4, 256, 128, "0" * 64, sets.iloc[:1], outputs)



def test_core_errors_map_one_to_one_to_python_classes():
    """The core's exception classes arrive as their own gemfin.errors classes; all are
    GemfinErrors, and a corrupt part is also an InputError (bad bytes handed to finalize)."""
    from gemfin import errors

    assert issubclass(errors.CorruptPartError, errors.InputError)
    assert issubclass(errors.IncompatibleWorkerError, errors.GemfinError)
    assert not issubclass(errors.IncompatibleWorkerError, errors.InputError)
    assert issubclass(errors.IncompatibleWorkerError, RuntimeError) and issubclass(errors.InputError, ValueError)
    assert issubclass(errors.ScenarioError, errors.GemfinError)
    # the classes the core raises are these very classes, registered when gemfin._core is imported
    for name in ("InputError", "CorruptPartError", "IncompatibleWorkerError"):
        assert getattr(gemfin._core, name) is getattr(errors, name)
    with pytest.raises(errors.InputError) as bad:
        gemfin._core.Distribution("student_t", [-1.0, 0.0, 1.0])
    assert type(bad.value) is errors.InputError


def test_cluster_run_follows_the_social_balance_bitwise(scen, client):
    run = {**RUN, "paths": CHUNK + 64, "keep": ()}
    local = gemfin.simulate(scen, balance=True, **run)
    remote = gemfin.simulate(scen, balance=True, client=client, partitions=2, **run)
    a, b = local.balance(), remote.balance()
    assert a.national.equals(b.national) and a.by_municipality.equals(b.by_municipality)
