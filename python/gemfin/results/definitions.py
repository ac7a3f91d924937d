"""What each column of gemfin's workbooks means: the "definitions" sheet.

A column header carries its year and unit ("saldo 2035 q5 (EUR)"); :func:`define` reads the
header, takes the unit from its parentheses, names the statistic (mean, sd, a quantile over
the Monte Carlo paths) and looks the quantity up in :data:`RULES`: meaning, and the formula or
source it comes from. Dutch terms are the official names; docs/glossary.md explains them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from ..circulaire import CLUSTERS

_AU = ("the algemene uitkering: Σ over maatstaven of volume × bedrag per eenheid × uitkeringsfactor, "
       "minus the OZB equalisation (OZB maatstaven: volume × negative bedrag, without the factor)")
_PATHS = "over the Monte Carlo paths"

#: (pattern on the header without unit, year and statistic; meaning; formula or source)
RULES: tuple[tuple[str, str, str], ...] = (
    (r"CBS code|gm_code", "the municipality's CBS code (GM + four digits)", "CBS, Gemeentelijke indeling"),
    (r"name", "the municipality's name", "CBS, Gemeentelijke indeling of the year"),
    (r"province", "the province", "CBS, Gemeentelijke indeling"),
    (r"size class", "size class by inhabitants (0–20k … >250k)", "inhabitants of the circulaire's Volumina file"),
    (r"0–20k|20–50k|50–100k|100–250k|>250k", "size class by inhabitants", "inhabitants of the circulaire"),
    (r"rank", "rank in the table (1 = most at risk)", "ordered by P(reserves exhausted), then shortfall, saldo"),
    (r"year", "the year (uitkeringsjaar or projected year)", ""),
    (r"item", "what the row holds (its unit in parentheses)", ""),
    (r"cluster( \(balance per inhabitant, EUR\))?", "cluster of the verdeelmodel (taakveld group)",
     "BZK, the clusters of the gemeentefonds circulaire"),
    (r"municipalities", "number of municipalities", ""),
    (r"inhabitants", "inhabitants on 1 January", "the circulaire's Volumina file (maatstaf inwo)"),
    (r"algemene uitkering( per inhabitant)?", "the algemene uitkering" , _AU),
    (r"algemene uitkering per inhabitant", "the algemene uitkering per inhabitant", _AU + ", ÷ inhabitants"),
    (r"gemeentefonds( per inhabitant)?", "the municipality's part of the gemeentefonds",
     "algemene uitkering + IU + DU + suppleties (SIUDU) of the circulaire"),
    (r"SIUDU (IU|DU|suppletie|other)", "sum of the uitkeringen of this type outside the verdeelmodel",
     "the circulaire's SIUDU file; a suppletie can be negative: an amount taken back (e.g. the herijking's "
     "ingroei)"),
    (r"amount", "national total of the row's item", "sum over municipalities"),
    (r"value", "the row's value (its unit in the item's parentheses)", ""),
    (r"change in mean", "change of the mean algemene uitkering from the base year", "(mean − base) ÷ base"),
    (r"P\(algemene uitkering below\)", "probability that the algemene uitkering falls below the base year's",
     "share of paths " + _PATHS),
    (r"rule", "how the year's accres is set: the fund.periods entry in force (trap_op_trap_af, fixed, "
     "frozen_volume, gdp, published), else the fund's rule", "the scenario's fund.periods and fund.rule "
     "(docs/budget-model.md, 'The fund's indexation by period')"),
    (r"accres", "growth of the algemene-uitkering budget in the year, before the year's policy mutations",
     "the scenario's run without uncertainty (every shock at its mean)"),
    (r"mutations", "policy mutations added to the algemene-uitkering budget in the year", "fund.policy_mutations"),
    (r"of which for tasks", "the part of the year's mutations that pays for a task: the councils' lasten of its "
     "domain rise with it", "fund.policy_mutations with a task (docs/budget-model.md, 'Tasks the fund pays for')"),
    (r"sources", "the sources of the year's published accres and policy mutations", "the scenario file"),
    (r"AU budget", "the national algemene-uitkering budget (the fund)", "fund rule of the scenario (fund.rule), "
     "statistic " + _PATHS),
    (r"uitkeringsfactor", "the uitkeringsfactor", "re-solved each path and year so that the allocation adds up to "
     "the AU budget"),
    (r"saldo( per inhabitant)?", "exploitatiesaldo: baten − lasten, excluding reserve mutations; below 0 is a "
     "deficit", "budget model (docs/budget-model.md), statistic " + _PATHS),
    (r"saldo per inhabitant", "exploitatiesaldo per inhabitant", "saldo ÷ inhabitants of the base filing"),
    (r"planned saldo( per inhabitant)?", "the planned exploitatiesaldo of the same paths: what a begroting shows "
     "(no shock events, no compensation for them, no realisation step)", "budget model (docs/budget-model.md, "
     "'Plan and result'), statistic " + _PATHS),
    (r"planned saldo per inhabitant", "planned exploitatiesaldo per inhabitant", "planned saldo ÷ inhabitants of "
     "the base filing"),
    (r"total planned saldo", "sum of the municipalities' planned exploitatiesaldo", "Σ planned saldo, mean " + _PATHS),
    (r"P\(planned deficit\)", "probability that the plan shows a deficit (planned saldo < 0) in the year",
     "share of paths " + _PATHS),
    (r"expected share of municipalities planning a deficit", "expected share of municipalities whose plan shows a "
     "deficit", "mean of P(planned deficit)"),
    (r"total saldo", "sum of the municipalities' exploitatiesaldo", "Σ saldo, mean " + _PATHS),
    (r"lasten", "the municipality's total lasten of the plan: the four budget domains (with the tasks the fund pays "
     "for) and the BUIG benefits", "budget model (docs/budget-model.md), mean " + _PATHS),
    (r"total lasten", "sum of the municipalities' total lasten", "Σ lasten, mean " + _PATHS),
    (r"lasten growth", "growth of the total lasten on the year before (the first projected year's on the base "
     "filing)", "Σ lasten ÷ Σ lasten of the year before − 1, means " + _PATHS),
    (r"lasten (Jeugd|Wmo|Participatie|Overig)", "the municipalities' lasten of the budget domain (Participatie "
     "with the BUIG benefits), national", "budget model (docs/budget-model.md), Σ over municipalities, mean " + _PATHS),
    (r"lasten growth (Jeugd|Wmo|Participatie|Overig)", "growth of the domain's national lasten on the year before "
     "(the first projected year's on the base filing)", "Σ lasten ÷ Σ lasten of the year before − 1, means "
     + _PATHS),
    (r"expected shortfall 5% per inhabitant", "ES 5%: the mean saldo of the worst 5% of paths, per inhabitant",
     "mean of the saldo below its 5% quantile, ÷ inhabitants"),
    (r"P\(deficit\)", "probability of a deficit (saldo < 0) in the year", "share of paths " + _PATHS),
    (r"P\(reserves exhausted by( year)?\)", "probability that the reserves fell below zero in some year up to "
     "this one", "share of paths; free reserves of the base balance sheet plus the saldi"),
    (r"P\(artikel 12 signal\)", "probability of an artikel-12 signal: a structural deficit of the plan of at "
     "least the threshold × (tax capacity + AU + IU/DU) this year and expected three years on",
     "docs/budget-model.md, 'Artikel 12'; share of paths"),
    (r"expected artikel-12 signals", "expected number of municipalities with an artikel-12 signal",
     "Σ P(artikel 12 signal)"),
    (r"net shock effect", "shock losses and extra costs minus compensation (mean)", "the scenario's shocks and "
     "compensation packages"),
    (r"reserves", "free reserves at the end of the year (mean)", "base balance sheet (Iv3) plus the saldi"),
    (r"share of municipalities in deficit,?", "share of municipalities with saldo < 0",
     "per path the share; statistic " + _PATHS),
    (r"share in deficit", "share of municipalities with saldo < 0 (mean " + _PATHS + ")", ""),
    (r"expected share with exhausted reserves", "expected share of municipalities whose reserves are exhausted",
     "mean of P(reserves exhausted)"),
    (r"measures|of which belastingen|of which spending", "the measures councils take to close planned gaps",
     "response rule of the budget model (budget.response)"),
    (r"kengetal (.+)", "BBV kengetal of the base filing, as the municipality filed it", "Iv3 (CBS), base filing"),
    (r"allocation", "allocation to the cluster: its algemene uitkering plus the IU/DU the circulaire assigns to it",
     "docs/fund-balance.md"),
    (r"netto lasten|netto_lasten", "netto lasten of the cluster's taakvelden: lasten − baten",
     "Iv3 (CBS), docs/fund-balance.md"),
    (r"balance( per inhabitant)?", "allocation − netto lasten: positive means the fund gives the cluster more "
     "than is spent on it", "docs/fund-balance.md"),
    (r"per_inhabitant", "the row's amount per inhabitant", "÷ inhabitants"),
    (r"r2(_before|_after|_distribution)?", "inhabitant-weighted R² of allocation per inhabitant against netto "
     "lasten per inhabitant (before/after a proposal; _distribution: of the distribution only)", "docs/fund-balance.md"),
    (r"mad(_before|_after)?", "mean absolute difference between allocation and netto lasten per inhabitant",
     "docs/fund-balance.md"),
    (r"share_beyond|share beyond ±.*", "share of municipalities whose balance per inhabitant lies beyond the "
     "threshold", "docs/fund-balance.md"),
    (r"social balance( per inhabitant)?|per inhabitant", "allocation − netto lasten of the social cluster (Jeugd, Wmo, "
     "Participatie) in the projected year", "cluster allocation at each path's uitkeringsfactor against netto lasten "
     "grown with the domain's lasten (docs/fund-balance.md)"),
    (r"P\(balance < 0\)", "probability that the social clusters' balance is negative", "share of paths"),
    (r"algemene uitkering (baseline|proposal)", "the algemene uitkering without / with the proposal", _AU
     + "; with the proposal at equal AU budget (the uitkeringsfactor re-solved)"),
    (r"(herverdeeleffect|effect)( at full implementation| per inhabitant)?",
     "change of the algemene uitkering by the proposal at full implementation (herverdeeleffect)",
     "proposal − baseline allocation at equal AU budget"),
    (r"(smallest|largest) effect per inhabitant", "the smallest / largest herverdeeleffect per inhabitant in the "
     "group", "gemfin.compare"),
    (r"winners|losers", "number of municipalities that gain / lose by the proposal", "herverdeeleffect > 0 / < 0"),
    (r"phased-in effect", "the change paid in the year under the phase-in: the herverdeeleffect capped per "
     "inhabitant, cumulatively, the rest bridged by a suppletie", "gemfin.compare (cap_per_inhabitant)"),
    (r"suppletie, net total", "net cost of the phase-in's suppleties in the year (positive: paid to losers "
     "more than withheld from winners)", "gemfin.compare"),
    (r"municipality", "the municipality's CBS code (GM + four digits)", "CBS, Gemeentelijke indeling"),
    (r".*: (difference|low|high)", "a scenario against the baseline: difference (a − b) and its 95% Monte Carlo "
     "interval", "gemfin.difference (docs/difference.md)"),
)

_STATS = {"mean": "mean " + _PATHS, "sd": "standard deviation " + _PATHS}
_UNIT = re.compile(r"\s*\(([^()]*)\)\s*$")


def _parts(header: str) -> tuple[str, str, str]:
    """(quantity, statistic, unit) of a header."""
    text = str(header).strip()
    unit = ""
    m = _UNIT.search(text)
    if m:
        unit, text = m.group(1), text[: m.start()].strip()
    text = re.sub(r"\b(19|20)\d\d\b(–(19|20)\d\d)?", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+\)", ")", text)
    if text.startswith("change in mean"):
        return "change in mean", "", unit
    stat = ""
    for word in text.split():
        w = word.strip(",")
        if w in _STATS or re.fullmatch(r"q\d{1,2}", w):
            stat = w
    if stat:
        text = re.sub(rf"(,\s*)?\b{stat}\b", "", text)
        text = re.sub(r"\s+", " ", text).strip(" ,")
    return text, stat, unit


def define(header: str, sheet: str = "") -> tuple[str, str, str] | None:
    """(meaning, unit, formula or source) of a column, or None when no rule knows it."""
    quantity, stat, unit = _parts(header)
    if not quantity and sheet.startswith("social balance"):
        quantity = "social balance"
    if sheet == "SIUDU items" and quantity not in ("CBS code", "name"):
        return (f"the uitkering '{quantity}' outside the verdeelmodel (IU, DU or suppletie) for the year",
                unit, "the circulaire's SIUDU file as published; a suppletie can be negative: an amount taken back")
    if quantity in CLUSTERS:
        return (f"the algemene uitkering on the maatstaven of the cluster {quantity} (for Overige eigen middelen "
                "and Onroerendezaakbelasting: the negative equalisation of own revenue)", unit,
                "Σ volume × the cluster's bedrag per eenheid × uitkeringsfactor (BZK circulaire)")
    for pattern, meaning, source in RULES:
        if re.fullmatch(pattern, quantity):
            if stat:
                meaning += f"; {_STATS.get(stat, f'{stat[1:]}% quantile ' + _PATHS)}"
            return meaning, unit, source
    return None


def definitions_table(sheets: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per column header (first sheet it appears in, then the others): sheet(s),
    column, meaning, unit, formula or source."""
    rows: dict[str, dict[str, str]] = {}
    for sheet, df in sheets.items():
        for col in df.columns:
            key = str(col)
            if key in rows:
                rows[key]["sheet"] += f", {sheet}"
                continue
            found = define(key, sheet)
            meaning, unit, source = found if found else ("see docs/glossary.md", _parts(key)[2], "")
            rows[key] = {"sheet": sheet, "column": key, "meaning": meaning, "unit": unit, "formula or source": source}
    return pd.DataFrame(list(rows.values()), columns=["sheet", "column", "meaning", "unit", "formula or source"])
