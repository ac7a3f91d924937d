"""Self-contained reports of a simulation: HTML (images embedded) or an Excel workbook."""

from __future__ import annotations

import base64
import html
import io
from datetime import date
from pathlib import Path

import pandas as pd

from .errors import InputError
from .io import atomic_write
from .results_io import result_tables, write_excel


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return "<img src='data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii") + "'/>"


def _table(df: pd.DataFrame) -> str:
    return df.to_html(float_format=lambda x: f"{x:,.3f}", border=0, classes="t")


def html_report(res) -> str:
    """The HTML text of a report on a SimulationResult."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import plot as gp

    scen = res.scenario
    sections = []
    nat = res.national()
    last = res.years[-1]
    summary = pd.DataFrame({
        "scenario": [scen.name], "base circulaire": [scen.circulaire], "years": [f"{res.years[0]}–{last}"],
        "paths": [f"{res.paths:,}"], "seed": [res.seed],
        f"AU budget {last}, mean (EUR bn)": [nat[("budget", "mean")].iloc[-1] / 1e9],
        f"uitkeringsfactor {last}, mean": [nat[("uitkeringsfactor", "mean")].iloc[-1]],
    }).T.rename(columns={0: ""})
    sections.append(("Summary", f"<p>{html.escape(scen.description)}</p>" + _table(summary)))
    fig, ax = plt.subplots(figsize=(7, 4))
    gp.result_fan(res, None, ax=ax)
    sections.append(("Algemene uitkering", _png(fig) + _table(res.national()["budget"].div(1e6).round(1))))
    if res.finances is not None:
        f = res.finances
        fig, ax = plt.subplots(figsize=(7, 8))
        gp.municipality_map(pd.Series(f.p_deficit[:, -1], index=f.municipalities.index), ax=ax, unit="probability",
                            title=f"P(deficit) {last}", diverging=False, cmap="Reds")
        sections.append(("Maps", _png(fig)))
        share = f.national()
        fig, ax = plt.subplots(figsize=(7, 4))
        ax.plot(list(share.index), share["share in deficit mean"], marker=".")
        ax.set_ylabel("share of municipalities in deficit")
        sections.append(("Deficits nationally", _png(fig) + _table(share)))
        top = f.risk_table(n=25)
        worst = top.index[0]
        fig, ax = plt.subplots(figsize=(7, 4))
        gp.result_fan(res, worst, output="saldo", ax=ax, per_inhabitant=True)
        sections.append(("Fan charts", _png(fig)))
        sections.append(("Top risk", _table(top)))
    body = "".join(f"<h2 id='{html.escape(t.lower().replace(' ', '-'))}'>{html.escape(t)}</h2>{c}" for t, c in sections)
    sources = "; ".join(sorted({d.national.source for d in scen.drivers})[:5])
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>gemfin report: {html.escape(scen.name)}</title>"
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}table.t{border-collapse:collapse;font-size:12px}"
        "table.t td,table.t th{padding:2px 6px;border-bottom:1px solid #ddd;text-align:right}</style></head><body>"
        f"<h1>gemfin report: {html.escape(scen.name)}</h1><p>Generated {date.today().isoformat()} by gemfin.</p>"
        f"{body}<h2>Sources</h2><p>{html.escape(sources)} …; every parameter's source is in the scenario file.</p>"
        "</body></html>"
    )


def write_report(res, out: str | Path) -> Path:
    """Write ``report.html`` (self-contained) or ``report.xlsx`` (tables) atomically."""
    target = Path(out)
    suffix = target.suffix.lower()
    if suffix == ".html":
        text = html_report(res)
        return atomic_write(target, lambda p: p.write_text(text, encoding="utf-8"))
    if suffix == ".xlsx":
        tables = result_tables(res)
        return atomic_write(target, lambda p: write_excel(tables, p))
    raise InputError(f"cannot write a report to {target}: expected a .html or .xlsx file")
