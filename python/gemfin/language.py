"""Labels in English (the default) or Dutch (``lang="nl"``) for workbooks and figures.

gemfin labels in English with the Dutch term where it is the official name (algemene uitkering,
uitkeringsfactor, saldo, artikel 12). With ``lang="nl"`` the English words of column headers,
sheet names, axis labels and titles are replaced by their Dutch equivalents from
:data:`PHRASES`; numbers, codes and names of municipalities, maatstaven and clusters are left as
they are. The definitions sheet's explanations stay in English.
"""

from __future__ import annotations

import re

from .errors import InputError

LANGUAGES = ("en", "nl")

#: English phrase → Dutch, applied longest first, on word boundaries, case as written.
PHRASES: dict[str, str] = {
    # units
    "EUR per inhabitant": "EUR per inwoner",
    "probability": "kans",
    "persons": "personen",
    "fraction": "fractie",
    "count": "aantal",
    "share": "aandeel",
    # quantities
    "share of municipalities in deficit": "aandeel gemeenten met een tekort",
    "share of municipalities with a deficit": "aandeel gemeenten met een tekort",
    "municipalities in deficit": "gemeenten met een tekort",
    "expected share with exhausted reserves": "verwacht aandeel met uitgeputte reserves",
    "expected artikel-12 signals": "verwacht aantal artikel-12-signalen",
    "artikel 12 signal": "artikel-12-signaal",
    "reserves exhausted by": "reserves uitgeput uiterlijk in",
    "reserves exhausted": "reserves uitgeput",
    "expected shortfall": "verwacht tekort (ES)",
    "net shock effect": "netto effect van schokken",
    "expected share of municipalities planning a deficit": "verwacht aandeel gemeenten dat een tekort begroot",
    "total planned saldo": "totaal begroot saldo",
    "planned saldo": "begroot saldo",
    "planned deficit": "begroot tekort",
    "total saldo": "totaal saldo",
    "total lasten": "totale lasten",
    "lasten growth": "groei lasten",
    "of which for tasks": "waarvan voor taken",
    "mutations": "mutaties",
    "sources": "bronnen",
    "per inhabitant": "per inwoner",
    "inhabitants": "inwoners",
    "herverdeeleffect at full implementation": "herverdeeleffect bij volledige invoering",
    "phased-in effect": "effect na ingroei",
    "effect per inhabitant": "effect per inwoner",
    "smallest effect": "kleinste effect",
    "largest effect": "grootste effect",
    "winners": "voordeelgemeenten",
    "losers": "nadeelgemeenten",
    "change in mean": "verandering van het gemiddelde",
    "below": "onder",
    "deficit": "tekort",
    "size class": "grootteklasse",
    "province": "provincie",
    "name": "naam",
    "CBS code": "CBS-code",
    "year": "jaar",
    "mean": "gemiddelde",
    "median": "mediaan",
    "amount": "bedrag",
    "value": "waarde",
    "item": "onderdeel",
    "proposal": "voorstel",
    "baseline": "basis",
    "allocation": "verdeling",
    "rank": "rang",
    # sheet names
    "per municipality": "per gemeente",
    "national": "landelijk",
    "summary": "samenvatting",
    "definitions": "definities",
    "about": "herkomst",
    "by size class": "per grootteklasse",
    "by province": "per provincie",
    "by year": "per jaar",
    "budget national": "begroting landelijk",
    "budget by year": "begroting per jaar",
    "sheet": "blad",
    "column": "kolom",
    "meaning": "betekenis",
    "unit": "eenheid",
    "formula or source": "formule of bron",
    "most at risk": "grootste risico",
    "SIUDU items": "SIUDU-posten",
    # figures
    "Algemene uitkering, national": "Algemene uitkering, landelijk",
    "axis does not start at zero": "as begint niet bij nul",
    "before": "voor",
    "after": "na",
    "other": "overig",
    "Scale clipped at": "Schaal afgekapt op",
    "municipalities beyond": "gemeenten daarbuiten",
    "extremes": "uitersten",
    "percentiles": "percentielen",
    "percentile of the absolute values": "percentiel van de absolute waarden",
    "Per inhabitant by size class": "Per inwoner naar grootteklasse",
    "Per inhabitant by province": "Per inwoner naar provincie",
    "Phase-in": "Ingroei",
    "One-at-a-time sensitivity": "Gevoeligheid, één parameter tegelijk",
    "low value": "lage waarde",
    "high value": "hoge waarde",
    "Monte Carlo noise": "Monte Carlo-ruis",
}

_ORDER = sorted(PHRASES, key=len, reverse=True)
_PATTERN = re.compile("|".join(rf"(?<![\w-]){re.escape(p)}(?![\w-])" for p in _ORDER))


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise InputError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    return lang


def translate(text: str, lang: str = "en") -> str:
    """``text`` with its English phrases in ``lang`` ('en' returns it unchanged)."""
    if check_language(lang) == "en" or not text:
        return text
    return _PATTERN.sub(lambda m: PHRASES[m.group(0)], str(text))
