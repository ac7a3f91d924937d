"""The command line's arguments: the parser of every subcommand and the readers of numbers as
people type them (``10,000``, ``41e9``, ``-0.5``)."""

from __future__ import annotations

import argparse
import re

from ..provenance import git_commit, version
from ..scan.netto_lasten import DEFAULT_OVERHEAD, OVERHEAD_KEYS

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

    fp = sub.add_parser("fund-path", help="the fund's path of a scenario year by year without uncertainty: the rule "
                                          "in force, accres, policy mutations, AU budget and their sources")
    fp.add_argument("scenario", metavar="SCENARIO", nargs="?", default="baseline",
                    help="a shipped scenario's name or a scenario file (default: baseline)")
    fp.add_argument("--out", metavar="FILE", help="write the table to FILE (.csv or .xlsx)")

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
                   help="number of Dask tasks (with --scheduler; default: one per chunk of 16,384 paths)")

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
