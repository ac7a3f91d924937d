"""The ``gemfin`` command line.

    gemfin circulaires
    gemfin allocate [--circulaire ID] [--uitkeringsfactor UF | --au-budget EUR] [--out FILE]
    gemfin compare --proposal FILE [--circulaire ID] [--cap EUR | --caps A,B,C | --no-cap]
                   [--years N] [--out FILE]

Output files are CSV or Excel by extension and written atomically.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from .allocation import allocate
from .circulaire import circulaires, load_circulaire, newest_circulaire
from .compare import compare
from .errors import GemfinError
from .io import write_tables


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gemfin",
        description="gemfin: the gemeentefonds verdeelmodel, reform proposals and stress tests "
                    "for every Dutch municipality.",
    )
    p.add_argument("--data", metavar="DIR", help="data directory (default: the shipped data; or $GEMFIN_DATA)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("circulaires", help="list the shipped circulaires (newest last)")

    a = sub.add_parser("allocate", help="allocate the algemene uitkering and gemeentefonds of a circulaire")
    a.add_argument("--circulaire", metavar="ID", help="circulaire id, e.g. S2024_2025 (default: the newest shipped)")
    uf = a.add_mutually_exclusive_group()
    uf.add_argument("--uitkeringsfactor", type=float, metavar="UF",
                    help="use this uitkeringsfactor (default: the published one)")
    uf.add_argument("--au-budget", type=float, metavar="EUR",
                    help="solve the uitkeringsfactor so that the algemene uitkering totals EUR")
    a.add_argument("--out", metavar="FILE", help="write the allocation per municipality to FILE (.csv or .xlsx)")

    c = sub.add_parser("compare", help="herverdeeleffecten of a reform proposal with a capped phase-in")
    c.add_argument("--proposal", required=True, metavar="FILE", help="proposal YAML (see scenarios/proposals)")
    c.add_argument("--circulaire", metavar="ID", help="circulaire id (default: the newest shipped)")
    cap = c.add_mutually_exclusive_group()
    cap.add_argument("--cap", type=float, default=15.0, metavar="EUR",
                     help="yearly phase-in cap in euros per inhabitant (default 15, Bfv art. 29)")
    cap.add_argument("--caps", metavar="A,B,...", help="one cap per phase-in year, e.g. 7.5,15,15")
    cap.add_argument("--no-cap", action="store_true", help="no phase-in: the full effect at once")
    c.add_argument("--years", type=int, metavar="N",
                   help="number of phase-in years (default: until the largest effect is phased in)")
    c.add_argument("--out", metavar="FILE", help="write the comparison to FILE (.csv or .xlsx)")

    v = sub.add_parser("validate", help="check a scenario file and list every problem with its field path")
    v.add_argument("scenario", metavar="FILE")

    r = sub.add_parser("run", help="run a scenario (Monte Carlo) and write its results")
    r.add_argument("scenario", metavar="FILE", help="scenario YAML (see scenarios/)")
    r.add_argument("--paths", type=int, default=10_000, help="number of paths (default 10,000)")
    r.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    r.add_argument("--threads", type=int, default=None, help="worker threads (default: all cores; results do not depend on it)")
    r.add_argument("--out", metavar="DIR", required=True,
                   help="directory for summary.csv, results.xlsx and results.nc (written atomically)")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (workers need gemfin installed; the result "
                        "is bitwise the local one)")
    r.add_argument("--partitions", type=int, default=None,
                   help="number of Dask tasks (with --scheduler; default: one per chunk of 16 blocks)")

    rep = sub.add_parser("report", help="run a scenario and write a report (self-contained HTML, or Excel)")
    rep.add_argument("scenario", metavar="FILE", help="scenario YAML")
    rep.add_argument("--paths", type=int, default=5_000, help="number of paths (default 5,000)")
    rep.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    rep.add_argument("--out", metavar="FILE", required=True, help="report.html or report.xlsx")
    rep.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def _fmt_mln(x: float) -> str:
    return f"EUR {x / 1e6:,.1f} mln"


def _cmd_allocate(args) -> None:
    cid = args.circulaire or newest_circulaire(args.data)
    circ = load_circulaire(cid, args.data)
    alloc = allocate(circ, uitkeringsfactor=args.uitkeringsfactor, au_budget=args.au_budget)
    pi = alloc.per_inhabitant["algemene_uitkering"].sort_values()
    names = circ.municipalities["name"]
    print(f"gemfin allocate {cid}: {len(circ.municipalities)} municipalities, "
          f"{circ.municipalities['inhabitants'].sum():,.0f} inhabitants")
    print(f"  uitkeringsfactor   {alloc.uitkeringsfactor:.6f}" + (" (solved)" if alloc.uitkeringsfactor_solved else " (published)"))
    print(f"  algemene uitkering {_fmt_mln(alloc.au_total)}")
    print(f"  SIUDU              {_fmt_mln(alloc.siudu.sum())}")
    print(f"  gemeentefonds      {_fmt_mln(alloc.gemeentefonds.sum())}")
    print(f"  AU per inhabitant  median EUR {pi.median():,.0f}; lowest {names[pi.index[0]]} {pi.iloc[0]:,.0f}; "
          f"highest {names[pi.index[-1]]} {pi.iloc[-1]:,.0f}")
    if args.out:
        national = alloc.national().rename("euros").to_frame()
        path = write_tables(args.out, {
            "per gemeente": alloc.to_frame(),
            "landelijk": national,
            "samenvatting": alloc.summary(),
            "siudu": circ.fixed_items.join(circ.municipalities["name"]),
        })
        print(f"  written: {path}")


def _cmd_compare(args) -> None:
    cid = args.circulaire or newest_circulaire(args.data)
    circ = load_circulaire(cid, args.data)
    if args.no_cap:
        cap = None
    elif args.caps:
        try:
            cap = [float(x) for x in args.caps.split(",")]
        except ValueError:
            raise GemfinError(f"--caps: {args.caps!r} is not a comma-separated list of numbers") from None
    else:
        cap = args.cap
    cmp = compare(circ, Path(args.proposal), cap_per_inhabitant=cap, years=args.years)
    he = cmp.per_inhabitant.sort_values()
    names = circ.municipalities["name"]
    print(f"gemfin compare {cid}: {cmp.proposal.name}")
    print(f"  uitkeringsfactor {cmp.baseline.uitkeringsfactor:.6f} -> {cmp.reform.uitkeringsfactor:.6f} (equal AU budget)")
    print(f"  winners {int((he > 0).sum())}, losers {int((he < 0).sum())}; moved "
          f"{_fmt_mln(cmp.herverdeeleffect.clip(lower=0).sum())}")
    print(f"  largest loss {names[he.index[0]]} {he.iloc[0]:+,.2f} EUR/inh; largest gain "
          f"{names[he.index[-1]]} {he.iloc[-1]:+,.2f} EUR/inh")
    print(f"  phase-in {cmp.years[0]}-{cmp.years[-1]} ({len(cmp.years)} years)")
    with pd.option_context("display.width", 120, "display.max_columns", 20):
        print(cmp.by_size_class.round(2).to_string())
    if args.out:
        path = write_tables(args.out, {
            "per gemeente": cmp.to_frame(),
            "grootteklasse": cmp.by_size_class,
            "provincie": cmp.by_province,
            "ingroei per inwoner": cmp.phase_in_per_inhabitant.join(names),
            "suppletie totaal": cmp.phase_in_cost.to_frame(),
        })
        print(f"  written: {path}")


def _cmd_validate(args) -> int:
    from .scenario import ScenarioError, load_scenario

    try:
        scen = load_scenario(args.scenario)
    except ScenarioError as exc:
        print(f"{args.scenario}: {len(exc.problems)} problem(s)")
        for p in exc.problems:
            print(f"  - {p}")
        return 1
    budget = "with municipal budgets" if scen.budget else "allocation only"
    print(f"{args.scenario}: valid ({scen.name}; {scen.circulaire} + {scen.horizon} years, {len(scen.drivers)} drivers, "
          f"{budget}, {len(scen.shocks)} shocks, {len(scen.compensation)} compensation components)")
    return 0


def _cmd_run(args) -> None:
    from .results_io import write_results
    from .simulation import simulate

    if args.scheduler is None:
        res = simulate(args.scenario, paths=args.paths, seed=args.seed, threads=args.threads,
                       progress=not args.no_progress, partitions=args.partitions)
    else:
        from .cluster import connect

        with connect(args.scheduler) as client:
            res = simulate(args.scenario, paths=args.paths, seed=args.seed, threads=args.threads,
                           progress=not args.no_progress, client=client, partitions=args.partitions)
    files = write_results(res, args.out)
    nat = res.national()
    last = res.years[-1]
    print(f"gemfin run {res.scenario.name}: {res.paths:,} paths, seed {res.seed}")
    print(f"  AU budget {last}: mean EUR {nat[('budget', 'mean')].iloc[-1] / 1e9:,.2f} bn")
    if res.finances is not None:
        share = res.finances.national()["share in deficit mean"]
        print(f"  share of municipalities in deficit: {share.iloc[0]:.0%} ({res.years[0]}) -> {share.iloc[-1]:.0%} ({last})")
        top = res.finances.risk_table(n=5)
        print("  most at risk (P reserves exhausted by " + str(last) + "): " +
              ", ".join(f"{r['name']} {r['P(reserves exhausted)']:.0%}" for _, r in top.iterrows()))
    for f in files:
        print(f"  written: {f}")


def _cmd_report(args) -> None:
    from .report import write_report
    from .simulation import simulate

    res = simulate(args.scenario, paths=args.paths, seed=args.seed, progress=not args.no_progress)
    print(f"gemfin report {res.scenario.name}: written {write_report(res, args.out)}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "circulaires":
            for cid in circulaires(args.data):
                print(cid)
        elif args.command == "allocate":
            _cmd_allocate(args)
        elif args.command == "compare":
            _cmd_compare(args)
        elif args.command == "validate":
            return _cmd_validate(args)
        elif args.command == "run":
            _cmd_run(args)
        elif args.command == "report":
            _cmd_report(args)
    except GemfinError as exc:
        print(f"gemfin: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gemfin: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
