"""Subcommands that run the model: ``run``, ``report``, ``backtest``, ``sensitivity`` and
``calibrate``."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from ..errors import InputError
from ..io import check_output
from ..provenance import record


def _cmd_run(args) -> None:
    from ..results.tables import write_results
    from ..scenario import load_scenario
    from ..run.simulation import simulate

    check_output(args.out, directory=True)
    scen = load_scenario(args.scenario)
    if args.scheduler is None:
        res = simulate(scen, paths=args.paths, seed=args.seed, threads=args.threads,
                       progress=not args.no_progress, partitions=args.partitions, balance=args.balance)
    else:
        from ..run.cluster import connect

        with connect(args.scheduler) as client:
            res = simulate(scen, paths=args.paths, seed=args.seed, threads=args.threads,
                           progress=not args.no_progress, client=client, partitions=args.partitions,
                           balance=args.balance)
    files = write_results(res, args.out, args.lang)
    nat = res.national()
    last = res.years[-1]
    print(f"gemfin run {res.scenario.name}: {res.paths:,} paths, seed {res.seed}")
    print(f"  AU budget {last}: mean EUR {nat[('budget', 'mean')].iloc[-1] / 1e9:,.2f} bn")
    if res.finances is not None:
        share = res.finances.national()["share in deficit mean"]
        trend = f" -> {share.iloc[-1]:.0%} ({last})" if len(share) > 1 else ""
        print(f"  share of municipalities in deficit: {share.iloc[0]:.0%} ({res.years[0]}){trend}")
        top = res.finances.risk_table(n=5)
        print(f"  most at risk (P reserves exhausted by {last}; ties by expected shortfall per inhabitant): " +
              ", ".join(f"{r['name']} {r['P(reserves exhausted)']:.0%}" for _, r in top.iterrows()))
    for f in files:
        print(f"  written: {f}")


def _cmd_backtest(args) -> None:
    from ..backtest import backtest, write_backtest

    check_output(args.out, directory=True)
    res = backtest(args.target_year, paths=args.paths, seed=args.seed, data=args.data)
    n = res.national.iloc[0]
    print(f"gemfin backtest {res.target_year}: {len(res.predictions)} municipalities, {res.paths:,} paths, seed {res.seed}; "
          f"model estimated on {res.model.years[0]}-{res.model.years[-1]}")
    print(f"  share in deficit: forecast {n['share_deficit_mean']:.1%} (90% interval {n['share_deficit_q5']:.1%}-"
          f"{n['share_deficit_q95']:.1%})")
    if res.scores is not None:
        sc = res.scores.iloc[0]
        print(f"  realised {sc['realised_share']:.1%} ({'inside' if sc['realised_share_in_interval'] else 'OUTSIDE'} "
              f"the interval); Brier {sc['brier']:.3f} (climatology {sc['brier_climatology']:.3f}, persistence "
              f"{sc['brier_persistence']:.3f}); AUC {sc['auc']:.3f}; CRPS {sc['crps_per_inhabitant']:.1f} EUR/inh")
    else:
        print("  no jaarrekening in the data for this year: forecasts only")
    for code, row in res.filled.iterrows():
        print(f"  filled {code}: {row['reason']}; used {row['used']}")
    for code in res.missing:
        print(f"  no forecast for {code}: no begroting in {res.target_year} or before")
    for note in res.model.notes:
        print(f"  model: {note}")
    about = record(command="gemfin backtest", target_year=res.target_year, seed=res.seed, paths=res.paths,
                   trained_on=list(res.model.years), model=res.model.parameters(), model_notes=list(res.model.notes),
                   filled=res.filled.to_dict("index"), missing=list(res.missing), unscored=list(res.unscored))
    for f in write_backtest(res, args.out, about):
        print(f"  written: {f}")


def _cmd_sensitivity(args) -> None:
    import contextlib

    from .. import sensitivity as gs
    from ..io import write_csv, write_directory, write_json
    from ..scenario import load_scenario

    check_output(args.out, directory=True)
    scen = load_scenario(args.scenario)
    ranges = gs.load_ranges(args.parameters)
    label, output = gs.output_by_name(args.output)
    output.check(scen)  # before any run: a year outside the projection, a budget output without a budget
    gs.check_ranges(scen, ranges)  # a bad range is an error naming the field
    if args.scheduler is not None:
        from ..run.cluster import connect

        ctx = connect(args.scheduler)
    else:
        ctx = contextlib.nullcontext()
    common = dict(paths=args.paths, seed=args.seed, threads=args.threads, progress=not args.no_progress)
    with ctx as client:
        if args.method == "sobol":
            n = args.samples or 64
            if n & (n - 1):
                raise InputError(f"--samples {n}: Sobol' sampling needs a power of two (e.g. 64, 128, 256)")
            res = gs.sobol(scen, ranges, output, n=n, client=client, full=True, **common)
            table, samples, extra = res.indices, res.samples, {"convergence.csv": res.convergence}
        else:
            table, samples = gs.morris(scen, ranges, output, trajectories=args.samples or 8, client=client,
                                       full=True, **common)
            extra = {}
    rebuilt = int(samples["rebuilt"].sum())
    print(f"gemfin sensitivity {scen.name}: {args.method}, {len(ranges)} parameters, {len(samples):,} sets x "
          f"{args.paths:,} paths, output {label}" + (f"; {rebuilt} sets rebuilt the model" if rebuilt else ""))
    print(table.round(3).to_string())
    about = record(scenario=scen, seed=args.seed, paths=args.paths, command="gemfin sensitivity", method=args.method,
                   output=label, parameters={k: list(v) for k, v in ranges.items()}, sets=len(samples))
    tables = {"indices.csv": table, "samples.csv": samples, **extra}
    files: dict[str, Callable[[Path], object]] = {name: partial(write_csv, df=df) for name, df in tables.items()}
    files["run.json"] = lambda p: write_json(p, about)
    for f in write_directory(args.out, files):
        print(f"  written: {f}")


def _cmd_report(args) -> None:
    from ..report import REPORT_FORMATS, write_report
    from ..scenario import load_scenario
    from ..run.simulation import simulate

    check_output(args.out, suffixes=REPORT_FORMATS)
    scen = load_scenario(args.scenario)
    base_scen = load_scenario(args.baseline) if args.baseline else None
    # The report shows the social clusters' balance wherever the scenario allows it.
    res = simulate(scen, paths=args.paths, seed=args.seed, progress=not args.no_progress,
                   balance=balance_available(scen))
    base = None
    if base_scen is not None:
        from ..run.difference import _check_pair

        base = simulate(base_scen, paths=args.paths, seed=args.seed, progress=not args.no_progress)
        _check_pair(res, base)
    written = write_report(res, args.out, base, args.lang)
    if res.finances is not None:
        nat = res.finances.national()
        first, last = nat.index[0], nat.index[-1]
        print(f"gemfin report {res.scenario.name} ({args.paths:,} paths, seed {args.seed}): share of municipalities in "
              f"deficit {nat['share in deficit mean'].iloc[0]:.2f} ({first}) → {nat['share in deficit mean'].iloc[-1]:.2f} "
              f"({last}); expected artikel-12 signals {nat['expected artikel-12 signals'].iloc[0]:.1f} ({first}) → "
              f"{nat['expected artikel-12 signals'].iloc[-1]:.1f} ({last})")
    print(f"gemfin report {res.scenario.name}: written {written}")


def balance_available(scen) -> bool:
    """Whether a run of ``scen`` can follow the social clusters' balance: a budget section and
    a circulaire with cluster weights."""
    from ..circulaire import siudu_clusters
    from ..errors import GemfinError

    if scen.budget is None:
        return False
    try:
        siudu_clusters(scen.prepared_circulaire())
    except GemfinError:
        return False
    return True


def _cmd_calibrate(args) -> None:
    import yaml

    from .. import calibrate

    if args.what == "realisation":
        out = {"realisation": calibrate.realisation_parameters(args.last_year or 2022)}
    elif args.what == "gaps":  # a section of scenarios/realisation.yaml, not of a scenario's budget
        table = calibrate.gap_distributions(args.last_year or 2022)
        print(yaml.safe_dump({"gap_distributions": table}, sort_keys=False, allow_unicode=True, width=200), end="")
        return
    elif args.what == "response":
        out = {"response": calibrate.response_parameters(args.last_year or 2024)}
    else:
        out = {"domains": calibrate.excess_parameters(args.last_year or 2024)}
    print(yaml.safe_dump({"budget": out}, sort_keys=False, allow_unicode=True, width=200), end="")
