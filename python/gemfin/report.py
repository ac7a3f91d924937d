"""Self-contained reports of a simulation: HTML (images embedded) or an Excel workbook."""

from __future__ import annotations

import base64
import html
import io
from datetime import date
from pathlib import Path

import pandas as pd

from . import provenance
from .errors import InputError
from .io import atomic_write, check_output, write_workbook
from .results.tables import result_provenance, result_tables

REPORT_FORMATS = (".html", ".xlsx")


def parameter_sources(doc, path: str = "") -> list[tuple[str, str, str]]:
    """Every sourced parameter of a resolved scenario: (field path, value, source), in file
    order. A parameter is a mapping with a ``source`` (a value, a distribution, a shock, …)."""
    out: list[tuple[str, str, str]] = []
    if isinstance(doc, dict):
        if "source" in doc and path:
            shown = {k: v for k, v in doc.items() if k not in ("source", "note")}
            value = (f"{shown['distribution']}{shown.get('params', '')}" if "distribution" in shown else
                     str(shown["value"]) if set(shown) == {"value"} else
                     ", ".join(f"{k}={v}" for k, v in shown.items() if not isinstance(v, (dict, list))))
            out.append((path, value, str(doc["source"])))
        for k, v in doc.items():
            if k != "source":
                out.extend(parameter_sources(v, f"{path}.{k}" if path else str(k)))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.extend(parameter_sources(v, f"{path}[{i}]"))
    return out


def _sources_section(res) -> str:
    rows = parameter_sources(res.scenario.to_dict())
    table = pd.DataFrame(rows, columns=["parameter", "value", "source"])
    data = ("<p>Data: the datasets shipped with gemfin (BZK gemeentefonds circulaires, CBS Iv3 begrotingen, "
            "jaarrekeningen and balance sheets, CBS municipality lists and population, CBS/PDOK boundaries); "
            "each folder of <code>data/</code> has a SOURCES.md with publisher, licence and conversion. "
            f"Data fingerprint (SHA-256) <code>{provenance.data_fingerprint()}</code>.</p>")
    return (f"<p>Every parameter of the scenario as resolved (after <code>extends:</code>), {len(rows)} in all, "
            "with the source its scenario file gives (a citation, an assumption, or "
            "<code>DERIVED gemfin.calibrate.…</code> for estimates from data).</p>"
            + table.to_html(index=False, border=0, classes="t src", escape=True) + data)


def _footer(about: dict) -> str:
    items = [f"{html.escape(k)}: {html.escape(str(v))}" for k, v in about.items() if k != "scenario"]
    return ("<footer><hr><p class='prov'>" + " · ".join(items) + "</p><details><summary>Resolved scenario</summary>"
            f"<pre>{html.escape(about.get('scenario', ''))}</pre></details></footer>")


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return "<img src='data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii") + "'/>"


def _flat(df: pd.DataFrame) -> pd.DataFrame:
    """Two-level columns (measure, statistic) as one level, for a workbook."""
    out = df.copy()
    out.columns = [f"{col[0]}: {col[1]}" for col in df.columns]
    return out


def _table(df: pd.DataFrame) -> str:
    return df.to_html(float_format=lambda x: f"{x:,.3f}", border=0, classes="t")


def _scan(res):
    """The scan of the scenario's circulaire against the newest filing, or the reason there is
    none (a fund as booked or a circulaire without cluster weights)."""
    from .errors import GemfinError
    from .scan import balance

    try:
        return balance(res.scenario.circulaire), None
    except GemfinError as exc:
        return None, str(exc)


def _scan_section(res) -> str:
    import matplotlib.pyplot as plt

    bal, why = _scan(res)
    if bal is None:
        return f"<p>No scan for this circulaire: {html.escape(why or '')}</p>"
    fig, ax = plt.subplots(figsize=(11, 5), layout="constrained")
    bal.plot_heatmap(ax=ax)
    return (f"<p>Circulaire {html.escape(bal.circulaire_id)}: allocation per cluster (algemene uitkering plus the "
            f"IU/DU the circulaire assigns to the cluster) against the netto lasten of the {html.escape(bal.filing)} "
            "(lasten − baten on the cluster's taakvelden), EUR mln; balance = allocation − netto lasten. "
            "Fit: inhabitant-weighted R² of the allocation per inhabitant against netto lasten per inhabitant, "
            "mean absolute difference (mad, EUR per inhabitant), share of municipalities beyond ±EUR "
            f"{bal.threshold:g} per inhabitant. Definitions: docs/fund-balance.md.</p>"
            + _table(bal.national) + _table(bal.fit) + _png(fig))


def _difference_section(diff) -> str:
    import matplotlib.pyplot as plt

    nat = diff.national
    measures = list(dict.fromkeys(nat.columns.get_level_values(0)))
    fig, axes = plt.subplots(1, len(measures), figsize=(3.6 * len(measures), 3.4), layout="constrained", squeeze=False)
    for ax, m in zip(axes[0], measures):
        years = list(nat.index)
        ax.fill_between(years, nat[(m, "low")], nat[(m, "high")], alpha=0.3, label="95% Monte Carlo interval")
        ax.plot(years, nat[(m, "difference")], marker=".", label="difference")
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_title(m, fontsize=9)
        ax.tick_params(labelsize=8)
    axes[0][0].legend(fontsize=7)
    last = int(nat.index[-1])
    measure = "saldo" if "saldo" in diff.by_municipality.columns.get_level_values(0) else "algemene uitkering"
    top = diff.summary(last, measure=measure, n=20)
    shared = ", ".join(diff.shared) or "none"
    text = (f"<p>{html.escape(diff.a)} − {html.escape(diff.b)}, both with seed {diff.seed} and {diff.paths:,} paths: "
            "common random numbers, so path <i>p</i> of both runs sees the same draws of every shock they share "
            f"({html.escape(shared)})"
            + (f"; drawn for one scenario only: {html.escape(', '.join(diff.not_shared))}" if diff.not_shared else "")
            + f". The 95% Monte Carlo intervals come from {diff.groups} replicate pairs of {diff.group_paths:,} paths "
            "(docs/difference.md). Amounts in EUR mln; the share in deficit as a fraction of municipalities; "
            "artikel-12 signals as an expected number of municipalities.</p>")
    return (text + _png(fig) + _table(nat)
            + f"<p>The 20 municipalities whose mean {measure} changes most in {last} (euros a year; significant: "
            "the 95% interval excludes zero):</p>" + _table(top))


def html_report(res, baseline=None) -> str:
    """The HTML text of a report on a SimulationResult; with ``baseline`` (a run of another
    scenario with the same seed and paths) a section on the paired difference."""
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
    sections.append(("Algemene uitkering", _png(fig) + "<p>The algemene uitkering nationally per year, EUR mln "
                     "(mean, standard deviation and quantiles over the paths).</p>"
                     + _table(res.national()["budget"].div(1e6).round(1))))
    if res.finances is not None:
        f = res.finances
        fig, ax = plt.subplots(figsize=(7, 8))
        try:
            gp.municipality_map(pd.Series(f.p_deficit[:, -1], index=f.municipalities.index), ax=ax,
                                unit="probability", title=f"P(deficit) {last}", diverging=False, cmap="Reds")
            sections.append(("Maps", _png(fig)))
        except InputError as exc:  # no boundaries for this division (a base year 2017–2019 or 2022)
            plt.close(fig)
            sections.append(("Maps", f"<p>No map: {html.escape(str(exc))}</p>"))
        share = f.national()
        sd = f.share_deficit
        fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
        years = list(sd.index)
        ax.fill_between(years, sd["q5"], sd["q95"], color="tab:red", alpha=0.2, linewidth=0, label="5–95% of paths")
        ax.fill_between(years, sd["q25"], sd["q75"], color="tab:red", alpha=0.35, linewidth=0, label="25–75% of paths")
        ax.plot(years, sd["mean"], color="tab:red", marker=".", label="mean")
        ax.plot(years, share["expected share planning a deficit"], color="tab:gray", linestyle="--",
                label="planning a deficit (the plan: no shocks, no realisation)")
        ax.set_ylim(0, max(0.5, float(sd["q95"].max()) * 1.1))
        from matplotlib.ticker import PercentFormatter

        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylabel("municipalities in deficit")
        ax.set_title("Share of municipalities with a deficit (exploitatiesaldo < 0)", fontsize=10)
        ax.legend(fontsize=8, loc="upper left")
        sections.append(("Deficits nationally", _png(fig) + _table(share)))
        top = f.risk_table(n=25)
        worst = top.index[0]
        fig, ax = plt.subplots(figsize=(7, 4))
        gp.result_fan(res, worst, output="saldo", ax=ax, per_inhabitant=True)
        sections.append(("Fan charts", _png(fig)))
        sections.append((f"Top risk in {last}", "<p>The 25 municipalities most at risk in the last projected year, "
                         "ranked by the probability that their reserves are exhausted; saldo and expected shortfall "
                         "in EUR per inhabitant.</p>" + _table(top)))
    if baseline is not None:
        from .run.difference import difference

        diff = difference(res, baseline, progress=False)
        sections.append((f"Against {baseline.scenario.name}", _difference_section(diff)))
    sections.append(("Fund against netto lasten", _scan_section(res)))
    if res.social_balance is not None:
        sb = res.social_balance
        fig, axes = plt.subplots(1, 3, figsize=(13, 4), layout="constrained")
        for ax, cluster in zip(axes, sb.national.index.get_level_values("cluster").unique()):
            sb.plot(cluster, ax=ax)
        text = ("<p>Allocation − netto lasten of the social clusters per year over the paths (EUR mln): the "
                "cluster's algemene uitkering and IU/DU at each path's uitkeringsfactor and fund, against its netto "
                f"lasten of the {html.escape(sb.filing)} grown as the budget model's lasten of the domain. "
                "Mean and 5–95% band.</p>")
        sections.append(("Social clusters under uncertainty", text + _png(fig) + _table(sb.national)))
    body = "".join(f"<h2 id='{html.escape(t.lower().replace(' ', '-'))}'>{html.escape(t)}</h2>{c}" for t, c in sections)
    about = result_provenance(res)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>gemfin report: {html.escape(scen.name)}</title>"
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}table.t{border-collapse:collapse;font-size:12px}"
        "table.t td,table.t th{padding:2px 6px;border-bottom:1px solid #ddd;text-align:right}"
        "table.src td,table.src th{text-align:left;vertical-align:top}p.prov{font-size:11px;color:#555}</style></head><body>"
        f"<h1>gemfin report: {html.escape(scen.name)}</h1><p>Generated {date.today().isoformat()} by gemfin "
        f"{html.escape(about['gemfin_version'])}.</p>"
        f"{body}<h2 id='sources'>Sources</h2>{_sources_section(res)}{_footer(about)}"
        "</body></html>"
    )


def write_report(res, out: str | Path, baseline=None, lang: str = "en") -> Path:
    """Write ``report.html`` (self-contained) or ``report.xlsx`` (tables; ``lang="nl"``: Dutch
    headers) atomically; with ``baseline`` (a run with the same seed and paths) the paired
    difference is added."""
    from .language import check_language

    check_language(lang)
    target = check_output(out, suffixes=REPORT_FORMATS)
    if target.suffix.lower() == ".html":
        text = html_report(res, baseline)
        return atomic_write(target, lambda p: p.write_text(text, encoding="utf-8"))
    sheets = dict(result_tables(res))
    if baseline is not None:
        from .run.difference import difference

        diff = difference(res, baseline, progress=False)
        sheets[f"vs {baseline.scenario.name}"[:31]] = _flat(diff.national)
        sheets["difference by municipality"] = _flat(diff.by_municipality).reset_index()
    bal, _ = _scan(res)
    if bal is not None:
        sheets["scan national"] = bal.national
        sheets["scan fit"] = bal.fit
    return write_workbook(target, sheets, result_provenance(res), lang)
