"""Subcommands about the fund itself: ``allocate``, ``compare`` (a reform proposal, optionally its
fit), ``balance`` (the scan of clusters against netto lasten), ``fund-path`` (a scenario's fund
year by year) and ``maatstaven``."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from ..allocation import allocate
from ..booked import load_circulaire
from ..circulaire import newest_circulaire
from ..comparison import compare
from ..errors import GemfinError
from ..io import TABLE_FORMATS, check_output, write_tables
from ..provenance import record


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
    from ..scan import balance

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


def _cmd_fund_path(args) -> None:
    from ..run.fund_path import fund_path
    from ..scenario import load_scenario

    if args.out:
        check_output(args.out, suffixes=TABLE_FORMATS)
    scen = load_scenario(args.scenario)
    path = fund_path(scen)
    print(f"gemfin fund-path {scen.name}: the fund without uncertainty, {path.index[0]}–{path.index[-1]}")
    shown = path.drop(columns="sources").assign(accres=100 * path["accres"]).rename(columns={"accres": "accres (%)"})
    with pd.option_context("display.width", 160):
        print(shown.to_string(float_format="{:,.2f}".format))
    for year, text in path["sources"].items():
        if text:
            print(f"  {year}: {text}")
    if args.out:
        about = record(command="gemfin fund-path", scenario=scen, run="deterministic: every shock at its mean")
        for written in write_tables(args.out, {"fund path": path.reset_index()}, about, args.lang):
            print(f"  written: {written}")


def _cmd_maatstaven(args) -> None:
    from ..circulaire import maatstaven_table

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
