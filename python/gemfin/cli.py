"""The ``gemfin`` command line.

    gemfin circulaires
    gemfin allocate [--circulaire ID] [--uitkeringsfactor UF | --au-budget EUR] [--out FILE]
    gemfin compare --proposal FILE [--circulaire ID] [--cap EUR | --caps A,B,C | --no-cap]
                   [--years N] [--out FILE] [--fit [--filing DOC:YEAR]]
    gemfin maatstaven [--circulaire ID] [--format table|csv|markdown]
    gemfin balance [--circulaire ID] [--filing begroting:2025] [--overhead KEY] [--out FILE]
    gemfin validate FILE [--kind scenario|proposal]
    gemfin run SCENARIO --out DIR [--paths N] [--seed S]
    gemfin report SCENARIO --out report.html|report.xlsx
    gemfin backtest --target-year Y --out DIR [--paths N] [--seed S]

Output files are CSV or Excel by extension, checked before any work and written atomically,
each with its provenance. Bad input exits with code 2 and a message naming what was wrong.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pandas as pd

from .allocation import allocate
from .booked import load_circulaire
from .circulaire import circulaires, newest_circulaire
from .compare import compare
from .errors import GemfinError, InputError
from .io import TABLE_FORMATS, check_output, write_tables
from .provenance import git_commit, record, version
from .scan.netto_lasten import DEFAULT_OVERHEAD, OVERHEAD_KEYS


#: Commas as thousands separators only: 10,000 and 41,000,000,000, not 41,5e9 or 2,5.
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?([eE][+-]?\d+)?$")


def _plain(text: str) -> str:
    """``text`` without thousands separators (, or _); ArgumentTypeError for a comma that is not
    one (a Dutch decimal comma: 2,5 is two and a half, not 25)."""
    t = text.strip()
    if "," in t and not _GROUPED.match(t):
        raise argparse.ArgumentTypeError(
            f"{text!r}: a comma here is read as a thousands separator (10,000), but {text!r} does not group "
            "digits by three; for a decimal write a dot (2.5, 41.5e9), not the Dutch decimal comma")
    return t.replace(",", "").replace("_", "")


def count(text: str) -> int:
    """A count as people write it: 10000, 10,000, 10_000, 1e6 (a whole number)."""
    t = _plain(text)
    try:
        value = float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number such as 10000, 10,000 or 1e6, got {text!r}") from None
    if not value.is_integer() or value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return int(value)


def count_or_zero(text: str) -> int:
    """A whole number ≥ 0 (a seed), written as :func:`count` accepts."""
    return 0 if text.strip() == "0" else count(text)


def _version_text() -> str:
    commit = git_commit()
    return f"gemfin {version()}" + (f" (commit {commit[:12]})" if commit else "")


def euros(text: str) -> float:
    """An amount in euros: 41e9, 41000000000, 41,000,000,000 or 41_000_000_000."""
    t = _plain(text)
    try:
        return float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an amount in euros such as 41e9, got {text!r}") from None


_NUMBER = re.compile(r"^-[\d.][\d.,_]*([eE][+-]?\d+)?$")


def _join_negative_values(argv: list[str], options: set[str]) -> list[str]:
    """``--au-budget -41e9`` → ``--au-budget=-41e9``: argparse takes '-41e9' for an option
    (it only recognises plain negative integers and decimals as numbers)."""
    out, i = [], 0
    while i < len(argv):
        a = argv[i]
        if a in options and i + 1 < len(argv) and _NUMBER.match(argv[i + 1]):
            out.append(f"{a}={argv[i + 1]}")
            i += 2
        else:
            out.append(a)
            i += 1
    return out


_NUMERIC_OPTIONS = {"--au-budget", "--uitkeringsfactor", "--cap", "--seed", "--paths", "--years", "--threads"}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gemfin",
        description="gemfin: the gemeentefonds verdeelmodel, reform proposals and stress tests "
                    "for every Dutch municipality.",
    )
    p.add_argument("--version", action="version", version=_version_text())
    p.add_argument("--data", metavar="DIR", help="data directory (default: the shipped data; or $GEMFIN_DATA)")
    p.add_argument("--lang", choices=("en", "nl"), default="en",
                   help="language of workbook sheet names and headers (default en; nl: Dutch)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("circulaires", help="list the shipped circulaires (newest last)")
    sub.add_parser("scenarios", help="list the shipped scenarios (load one by name: gemfin run baseline)")
    sub.add_parser("proposals", help="list the shipped reform proposals (gemfin compare --proposal NAME)")
    nw = sub.add_parser("new", help="copy a shipped scenario or proposal to NAME.yaml as a starting point to edit")
    nw.add_argument("kind", choices=("scenario", "proposal"))
    nw.add_argument("name", metavar="NAME", help="the new file's name (NAME.yaml in the current folder or --dir)")
    nw.add_argument("--from", dest="source", metavar="SHIPPED",
                    help="the shipped file to start from (default: baseline, or the first shipped proposal)")
    nw.add_argument("--dir", metavar="DIR", help="write it into DIR (created if missing) instead of the current folder")
    nw.add_argument("--force", action="store_true", help="overwrite NAME.yaml if it exists")

    a = sub.add_parser("allocate", help="allocate the algemene uitkering and gemeentefonds of a circulaire")
    a.add_argument("--circulaire", metavar="ID", help="circulaire id, e.g. S2024_2025 (default: the newest shipped)")
    uf = a.add_mutually_exclusive_group()
    uf.add_argument("--uitkeringsfactor", type=euros, metavar="UF",
                    help="use this uitkeringsfactor (default: the published one)")
    uf.add_argument("--au-budget", type=euros, metavar="EUR",
                    help="solve the uitkeringsfactor so that the algemene uitkering totals EUR, in euros "
                         "(41e9, 41,000,000,000; not millions)")
    a.add_argument("--out", metavar="FILE", help="write the allocation per municipality to FILE (.csv or .xlsx)")

    c = sub.add_parser("compare", help="herverdeeleffecten of a reform proposal with a capped phase-in")
    c.add_argument("--proposal", required=True, metavar="FILE",
                   help="a proposal YAML file, or a shipped proposal by name (gemfin proposals lists them)")
    c.add_argument("--circulaire", metavar="ID", help="circulaire id (default: the newest shipped)")
    cap = c.add_mutually_exclusive_group()
    cap.add_argument("--cap", type=euros, default=15.0, metavar="EUR",
                     help="yearly phase-in cap in euros per inhabitant (default 15, Bfv art. 29)")
    cap.add_argument("--caps", metavar="A,B,...", help="one cap per phase-in year, e.g. 7.5,15,15")
    cap.add_argument("--no-cap", action="store_true", help="no phase-in: the full effect at once")
    c.add_argument("--years", type=count, metavar="N",
                   help="number of phase-in years (default: until the largest effect is phased in)")
    c.add_argument("--out", metavar="FILE", help="write the comparison to FILE (.csv or .xlsx); with --fit the fit")
    c.add_argument("--fit", action="store_true",
                   help="the fit of the allocation to netto lasten before and after, per cluster (R², mean "
                        "|difference| per inhabitant); --out then writes it with a 'cluster' column")
    c.add_argument("--filing", metavar="DOC:YEAR", help="netto lasten of this filing for --fit (default: the newest, "
                                                        "begroting:2025)")

    bl = sub.add_parser("balance", help="the scan: allocation per cluster against the netto lasten of a filing, "
                                        "per municipality, with the fit per cluster")
    bl.add_argument("--circulaire", metavar="ID", help="circulaire id (default: the newest shipped)")
    bl.add_argument("--filing", metavar="DOC:YEAR", help="begroting:2017..2025 or jaarrekening:2017..2023 "
                                                         "(default: begroting:2025)")
    bl.add_argument("--overhead", choices=OVERHEAD_KEYS, default=DEFAULT_OVERHEAD,
                    help="where taakveld 0.4 Overhead goes: Bestuur en ondersteuning (default), or spread over "
                         "the spending clusters by lasten or wages")
    bl.add_argument("--threshold", type=euros, default=50.0, metavar="EUR",
                    help="'share beyond' counts municipalities with |allocation − netto lasten| above this, per "
                         "inhabitant (default 50)")
    bl.add_argument("--out", metavar="FILE", help="write gm_code, name, cluster, allocation, netto_lasten, balance, "
                                                  "per_inhabitant to FILE (.csv; .xlsx adds national, fit and groups)")

    ms = sub.add_parser("maatstaven", help="list the maatstaven of a circulaire: code, name, clusters, "
                                          "bedrag per eenheid, national volume")
    ms.add_argument("--circulaire", metavar="ID", help="circulaire id (default: the newest shipped)")
    ms.add_argument("--format", choices=("table", "csv", "markdown"), default="table",
                    help="plain table (default), CSV or a Markdown page")

    v = sub.add_parser("validate", help="check a scenario or proposal file and list every problem with its field path")
    v.add_argument("scenario", metavar="FILE")
    v.add_argument("--kind", choices=("scenario", "proposal"),
                   help="what the file is (default: a proposal if it has 'changes' and no 'fund', else a scenario)")

    sc = sub.add_parser("schema", help="print the JSON Schema of a scenario or proposal file (for editors that "
                                       "validate YAML as it is typed)")
    sc.add_argument("kind", choices=("scenario", "proposal"))
    sc.add_argument("--out", metavar="FILE", help="write it to FILE instead of standard output")

    r = sub.add_parser("run", help="run a scenario (Monte Carlo) and write its results")
    r.add_argument("scenario", metavar="FILE", help="scenario YAML (see scenarios/)")
    r.add_argument("--paths", type=count, default=10_000, help="number of paths (default 10,000; 1e6 and 10_000 work too)")
    r.add_argument("--seed", type=count_or_zero, default=1, help="random seed (default 1)")
    r.add_argument("--threads", type=count, default=None, help="worker threads (default: all cores; results do not depend on it)")
    r.add_argument("--out", metavar="DIR", required=True,
                   help="directory for summary.csv, results.xlsx and results.nc (written atomically)")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.add_argument("--balance", action="store_true",
                   help="also follow the social clusters' balance (allocation − netto lasten of Jeugd, Wmo, "
                        "Participatie) per path and year: sheets 'social balance' in results.xlsx")
    r.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (workers need gemfin installed; the result "
                        "is bitwise the local one)")
    r.add_argument("--partitions", type=count, default=None,
                   help="number of Dask tasks (with --scheduler; default: one per chunk of 16 blocks)")

    bt = sub.add_parser("backtest", help="forecast the realised saldo of a year from what was known at its start, "
                                         "and score it against the jaarrekening")
    bt.add_argument("--target-year", type=count, required=True, metavar="Y",
                    help="year whose jaarrekening is forecast (uses the begroting of Y, jaarrekeningen up to Y-2)")
    bt.add_argument("--paths", type=count, default=10_000, help="number of paths (default 10,000)")
    bt.add_argument("--seed", type=count_or_zero, default=1, help="random seed (default 1)")
    bt.add_argument("--out", metavar="DIR", required=True,
                    help="directory for predictions.csv, national.csv, scores.csv (with a realisation) and run.json")

    se = sub.add_parser("sensitivity", help="global sensitivity of an output to scenario parameters (Sobol' or Morris, "
                                            "through SALib), parameter sets in batches, here or on Dask")
    se.add_argument("scenario", metavar="FILE", help="scenario YAML")
    se.add_argument("--method", choices=("sobol", "morris"), required=True)
    se.add_argument("--parameters", metavar="FILE", required=True,
                    help="YAML: field path → [low, high], e.g. 'fund.growth.mean.value: [0.005, 0.025]'")
    se.add_argument("--output", default="share_in_deficit", metavar="NAME[:YEAR]",
                    help="share_in_deficit or au_budget, of the last year or of YEAR (default share_in_deficit)")
    se.add_argument("--samples", type=count, default=None, metavar="N",
                    help="Sobol': base samples (a power of two; default 64); Morris: trajectories (default 8)")
    se.add_argument("--paths", type=count, default=500, help="paths per parameter set (default 500)")
    se.add_argument("--seed", type=count_or_zero, default=1, help="random seed, the same for every set (default 1)")
    se.add_argument("--threads", type=count, default=None, help="sets run at once (default: all cores)")
    se.add_argument("--scheduler", metavar="ADDRESS", help="run the sets on a Dask cluster")
    se.add_argument("--out", metavar="DIR", required=True,
                    help="directory for indices.csv, samples.csv, convergence.csv (Sobol') and run.json")
    se.add_argument("--no-progress", action="store_true", help="no progress bar")

    cal = sub.add_parser("calibrate", help="re-estimate the DERIVED parameters of the budget model from the data "
                                           "and print them as the scenario section (YAML)")
    cal.add_argument("what", choices=("realisation", "response", "excess", "gaps"),
                     help="realisation: budget.realisation; response: budget.response; excess: the excess growth "
                          "of Jeugd and Wmo (budget.domains.*.excess_growth/excess_persistence); gaps: the "
                          "gap_distributions of scenarios/realisation.yaml")
    cal.add_argument("--last-year", type=count, default=None, metavar="Y",
                     help="last year of data used (default: realisation and gaps 2022, response and excess 2024)")

    rep = sub.add_parser("report", help="run a scenario and write a report (self-contained HTML, or Excel)")
    rep.add_argument("scenario", metavar="FILE", help="a scenario YAML file, or a shipped scenario by name")
    rep.add_argument("--baseline", metavar="FILE",
                     help="also run this scenario (a file or a shipped name, e.g. baseline) with the same seed and "
                          "paths, and add the paired difference with its Monte Carlo intervals")
    rep.add_argument("--paths", type=count, default=5_000, help="number of paths (default 5,000)")
    rep.add_argument("--seed", type=count_or_zero, default=1, help="random seed (default 1)")
    rep.add_argument("--out", metavar="FILE", required=True, help="report.html or report.xlsx")
    rep.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def _fmt_mln(x: float) -> str:
    return f"EUR {x / 1e6:,.1f} mln"


def _cmd_allocate(args) -> None:
    if args.out:
        check_output(args.out, suffixes=TABLE_FORMATS)
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
        about = record(command="gemfin allocate", circulaire=cid, uitkeringsfactor=alloc.uitkeringsfactor,
                       au_budget=args.au_budget)
        for path in write_tables(args.out, alloc.tables(), about, args.lang):
            print(f"  written: {path}")


def _cmd_compare(args) -> None:
    if args.out:
        check_output(args.out, suffixes=TABLE_FORMATS)
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
    if args.filing and not args.fit:
        raise GemfinError("--filing goes with --fit")
    cmp = compare(circ, Path(args.proposal), cap_per_inhabitant=cap, years=args.years)
    if args.fit:
        _compare_fit(cmp, cid, args)
        return
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
        about = record(command="gemfin compare", circulaire=cid, proposal=str(args.proposal),
                       proposal_name=cmp.proposal.name, yearly_caps=list(cmp.yearly_caps))
        for path in write_tables(args.out, cmp.tables(), about, args.lang):
            print(f"  written: {path}")


def _compare_fit(cmp, cid: str, args) -> None:
    fit = cmp.fit(filing=args.filing)
    print(f"gemfin compare --fit {cid}: {cmp.proposal.name}, against the netto lasten of the {fit.attrs['filing']}")
    with pd.option_context("display.width", 120, "display.max_columns", 20):
        print(fit.round(3).to_string())
    if args.out:
        about = record(command="gemfin compare --fit", circulaire=cid, proposal=str(args.proposal),
                       proposal_name=cmp.proposal.name, filing=fit.attrs["filing"],
                       columns="r2: inhabitant-weighted R² of the allocation per inhabitant against netto lasten per "
                               "inhabitant; mad: inhabitant-weighted mean |allocation − netto lasten|, EUR per inhabitant")
        for path in write_tables(args.out, {"fit": fit.reset_index()}, about, args.lang):
            print(f"  written: {path}")


def _cmd_balance(args) -> None:
    from .scan import balance

    if args.out:
        check_output(args.out, suffixes=TABLE_FORMATS)
    cid = args.circulaire or newest_circulaire(args.data)
    bal = balance(cid, args.filing, overhead=args.overhead, threshold=args.threshold, data=args.data)
    print(f"gemfin balance {cid} against the netto lasten of the {bal.filing} "
          f"({len(bal.municipalities)} municipalities; overhead: {bal.overhead_key})")
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(bal.national.round(1).to_string())
        print()
        print(bal.fit.round(3).to_string())
    for note in bal.notes:
        print(f"  note: {note}")
    if args.out:
        about = record(command="gemfin balance", circulaire=cid, filing=bal.filing, overhead=bal.overhead_key,
                       threshold_eur_per_inhabitant=bal.threshold, notes=" | ".join(bal.notes),
                       balance="allocation − netto lasten, euros; per_inhabitant in EUR per inhabitant")
        # the long table (one row per municipality and cluster) first; the provenance goes to "about"
        sheets = {"per municipality": bal.to_frame(),
                  **{k: v for k, v in bal.tables().items() if k not in ("per municipality", "about")}}
        for path in write_tables(args.out, sheets, about, args.lang):
            print(f"  written: {path}")


def _cmd_maatstaven(args) -> None:
    from .circulaire import maatstaven_table

    cid = args.circulaire or newest_circulaire(args.data)
    table = maatstaven_table(load_circulaire(cid, args.data))
    if args.format == "csv":
        sys.stdout.write(table.to_csv(index=False))
    elif args.format == "markdown":
        sys.stdout.write(maatstaven_markdown(table, cid))
    else:
        with pd.option_context("display.width", 200, "display.max_rows", None, "display.max_colwidth", 50):
            print(table.to_string(index=False, formatters={
                "bedrag per eenheid (EUR)": "{:,.6g}".format, "national volume": "{:,.0f}".format}))


def maatstaven_markdown(table: pd.DataFrame, cid: str) -> str:
    """The docs page docs/maatstaven.md (``gemfin maatstaven --format markdown``)."""
    lines = [
        "# Maatstaven of the verdeelmodel",
        "",
        f"Generated by `gemfin maatstaven --circulaire {cid} --format markdown`; do not edit by hand",
        "(`make test` checks that it is current). Use the codes in reform proposals",
        "(`scenarios/proposals/`) and in scenario drivers. Bedragen per eenheid are before the",
        "uitkeringsfactor, summed over the clusters listed; the three OZB maatstaven carry a",
        "rekentarief per euro WOZ value. Source: BZK, gemeentefonds circulaire (data/gemeentefonds/SOURCES.md).",
        "",
        "| code | name | clusters | bedrag per eenheid (EUR) | national volume |",
        "|---|---|---|---:|---:|",
    ]
    for r in table.itertuples(index=False):
        lines.append(f"| `{r[0]}` | {r[1]} | {r[2]} | {r[3]:,.6g} | {r[4]:,.0f} |")
    return "\n".join(lines) + "\n"


def _is_proposal(path: str) -> bool:
    """A proposal has 'changes' and no 'fund'/'drivers' (any unreadable file is a scenario:
    its loader then says what is wrong)."""
    from ._yaml import load_yaml_mapping
    from .scenario import ScenarioError
    from .shipped import shipped_path

    if not Path(path).exists():  # a shipped name
        return shipped_path("scenario", path) is None and shipped_path("proposal", path) is not None
    try:
        doc = load_yaml_mapping(path, ScenarioError)
    except ScenarioError:
        return False
    return "changes" in doc and "fund" not in doc and "drivers" not in doc


def _list_shipped(kind: str) -> None:
    """One line per shipped file: its name and the ``name:`` inside it."""
    from ._yaml import load_yaml_mapping
    from .shipped import names, shipped_path

    shipped = names(kind)
    width = max(len(n) for n in shipped)
    for n in shipped:
        path = shipped_path(kind, n)
        title = load_yaml_mapping(path, GemfinError).get("name", "") if path else ""
        print(f"{n:<{width}}  {title}")


def _cmd_new(args) -> None:
    from .shipped import names, new_file

    source = args.source or ("baseline" if args.kind == "scenario" else names("proposal")[0])
    directory = Path(args.dir) if args.dir else None
    target = new_file(args.kind, args.name, source, directory, force=args.force)
    print(f"wrote {target} (a copy of the shipped {args.kind} '{source}'); check it with: gemfin validate {target}")


def _cmd_validate(args) -> int:
    from .scenario import ScenarioError, load_scenario

    kind = args.kind or ("proposal" if _is_proposal(args.scenario) else "scenario")
    if kind == "proposal":
        from .errors import ProposalError
        from .proposal import load_proposal

        try:
            prop = load_proposal(args.scenario)
            prop.apply(load_circulaire(newest_circulaire(args.data), args.data))
        except ProposalError as exc:
            print(f"{args.scenario}: {len(exc.problems)} problem(s) (proposal)")
            for p in exc.problems:
                print(f"  - {p}")
            return 1
        print(f"{args.scenario}: valid proposal ({prop.name}; {len(prop.changes)} change(s), "
              f"applies to {newest_circulaire(args.data)})")
        return 0
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
    from .results.tables import write_results
    from .scenario import load_scenario
    from .run.simulation import simulate

    check_output(args.out, directory=True)
    scen = load_scenario(args.scenario)
    if args.scheduler is None:
        res = simulate(scen, paths=args.paths, seed=args.seed, threads=args.threads,
                       progress=not args.no_progress, partitions=args.partitions, balance=args.balance)
    else:
        from .run.cluster import connect

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
    from .backtest import backtest, write_backtest

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

    from . import sensitivity as gs
    from .io import write_csv, write_directory, write_json
    from .scenario import load_scenario

    check_output(args.out, directory=True)
    scen = load_scenario(args.scenario)
    ranges = gs.load_ranges(args.parameters)
    label, output = gs.output_by_name(args.output)
    output.check(scen)  # before any run: a year outside the projection, a budget output without a budget
    gs.check_ranges(scen, ranges)  # a bad range is an error naming the field
    if args.scheduler is not None:
        from .run.cluster import connect

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
    from .report import REPORT_FORMATS, write_report
    from .scenario import load_scenario
    from .run.simulation import simulate

    check_output(args.out, suffixes=REPORT_FORMATS)
    scen = load_scenario(args.scenario)
    base_scen = load_scenario(args.baseline) if args.baseline else None
    # The report shows the social clusters' balance wherever the scenario allows it.
    res = simulate(scen, paths=args.paths, seed=args.seed, progress=not args.no_progress,
                   balance=balance_available(scen))
    base = None
    if base_scen is not None:
        from .run.difference import _check_pair

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
    from .circulaire import siudu_clusters
    from .errors import GemfinError

    if scen.budget is None:
        return False
    try:
        siudu_clusters(scen.prepared_circulaire())
    except GemfinError:
        return False
    return True


def _cmd_schema(args) -> None:
    from .schema import proposal as schema_proposal, scenario as schema_scenario
    from .io import atomic_write

    text = schema_json(schema_scenario.json_schema() if args.kind == "scenario" else schema_proposal.json_schema())
    if args.out:
        out = atomic_write(args.out, lambda p: p.write_text(text, encoding="utf-8"))
        print(f"gemfin schema {args.kind}: written {out}")
    else:
        print(text, end="")


def schema_json(schema: dict) -> str:
    """A JSON Schema as the files in docs/schemas hold it (sorted keys, 2-space indent)."""
    import json

    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _cmd_calibrate(args) -> None:
    import yaml

    from . import calibrate

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


_COMMANDS = {"new": _cmd_new, "scenarios": lambda args: _list_shipped("scenario"),
             "proposals": lambda args: _list_shipped("proposal"), "allocate": _cmd_allocate, "compare": _cmd_compare, "balance": _cmd_balance, "maatstaven": _cmd_maatstaven, "run": _cmd_run,
             "report": _cmd_report, "backtest": _cmd_backtest, "sensitivity": _cmd_sensitivity,
             "calibrate": _cmd_calibrate, "schema": _cmd_schema}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(_join_negative_values(argv, _NUMERIC_OPTIONS))
    # A plausibility warning reads as one line, as errors do (not file:line plus source).
    warnings.formatwarning = lambda message, category, *_a, **_k: f"gemfin: warning: {message}\n"
    try:
        if args.command == "circulaires":
            for cid in circulaires(args.data):
                print(cid)
        elif args.command == "validate":
            return _cmd_validate(args)  # 1 when the file has problems
        else:
            _COMMANDS[args.command](args)
    except GemfinError as exc:
        print(f"gemfin: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `gemfin maatstaven | head`: the reader left; no traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit must not fail again
        return 0
    except KeyboardInterrupt:
        print("gemfin: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
