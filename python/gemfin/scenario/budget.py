"""The municipal-budget part of a scenario: ``budget``, ``shocks`` and ``compensation``.

Schema (all numbers with a source, as elsewhere in the scenario files)::

    budget:
      base: {document: begroting, year: 2025,         # Iv3 base filing (docs/budget-model.md, calendar)
             first_year: next,                        # next: project from year + 1; base: from the
                                                      # begroting's own year (its realised result)
             revenue_lines_from: {document, year}}    # optional, base 2017–2022: split its own baten
                                                      # over the revenue lines in this filing's shares
      bestemmingsreserves_share: NUM                  # reserves = algemene reserve + this share of the
                                                      # bestemmingsreserves (the freely available part)
      include_bestemmingsreserves: BOOL               # older form: true = share 1, false = share 0
      wage_price: {mean, persistence, start, shock}   # yearly wage/price growth, or
                  {follows: fund.price, wedge}      # the fund's GDP deflator + a wedge
      domains:                                        # Jeugd, Wmo, Participatie, Overig
        Jeugd:
          volume: {jongeren: 1.0}                     # weights over the scenario's drivers
          excess_growth: DIST                         # national cost growth above wages/prices
          excess_persistence: NUM                     # optional: the excess fades as ψ^k (default 1)
          error: {mu: NUM, sigma: NUM}                # municipal lognormal budget-vs-outcome error
      ozb: {woz_driver: woz_woningen, pass_through: NUM, policy_growth: NUM, price_indexed: {value, source}}
      revenue_volume_driver: inwoners                 # optional: other taxes and baten grow with
                                                      # prices times this driver (default: prices)
      buig: {driver: bijstand, vangnet_threshold: NUM, vangnet_full: NUM, vangnet_share: NUM}
      artikel12_threshold: NUM                        # structural deficit ÷ (tax capacity + AU + IU/DU)
      artikel12_horizon: NUM                          # ... expected to last this many years more
      ingroei: {from: S2024_2024,                     # the herijking's suppletie carried forward
                first_year: YEAR, first_cap: NUM,     # cumulative cap per inhabitant in first_year
                step: {YEAR: NUM, ...}}               # dated: added to the cap each later year
      response: none | {rule: calibrated,             # the municipality closes its budget gap:
                        speed: NUM,                   # share of the gap closed per year
                        max_step: NUM,                # new measures per year ≤ this × lasten
                        tax_share: NUM}               # part of the measures as higher belastingen
      realisation:                                    # begroting base only: from plan to result
        beta: NUM                                     # share of the planned relative saldo realised
        gap_persistence: NUM                          # × the realisation gap's score (2 years back)
        year: DIST                                    # year component (fraction of lasten)
        residual: DIST                                # municipal residual at the reference size
        size_elasticity: NUM                          # residual scale ∝ (inhabitants / reference)^γ
        reference_inhabitants: NUM
    shocks:
      - {name, year, target, fraction: DIST, municipal_sd: NUM}
        # target: OZB, Overige belastingen, Overige baten (revenue lost) or a domain (extra cost)
    compensation:
      - {name, package, year, amount: NUM, key}
        # key: per_inhabitant | {revenue: [lines]} | {cluster: name} | {siudu: item} | {table: csv}
        #      | {lasten: [domains or taakvelden]}: the base filing's lasten there
"""

from __future__ import annotations

from ..schema.scenario import DOMAIN_NAMES, Budget, Ingroei


def base_filings() -> list[tuple[str, int]]:
    """The Iv3 filings a budget can start from: a taakveld file or the summary with baten."""
    from ..iv3 import IV3_FILES
    from ..iv3.history import SUMMARY_FILINGS

    both = set(IV3_FILES) | {(doc, y) for doc, years in SUMMARY_FILINGS.items() for y in years}
    return sorted(both, key=lambda k: (k[1], k[0]))


def _funds_for(doc: str, year: int) -> list[str]:
    """What a scenario's ``circulaire`` may be for a base filing: the shipped circulaires of
    that uitkeringsjaar (in the year's division: M2022_2023 with Voorne aan Zee's predecessors
    summed), and ``booked`` where the filing has rijk."""
    from ..booked import available, booked_id
    from ..circulaire import circulaires, read_circulaire
    from ..municipalities import load_municipalities

    division = set(load_municipalities(year).index)
    out = [c for c in circulaires() if c.endswith(f"_{year}")
           and set(read_circulaire(c).in_indeling(year).municipalities.index) == division]
    if booked_id(doc, year) in available():
        out.append("booked")
    return out


def check_budget(v, m: Budget, driver_names: list[str], circ_id: str) -> None:
    """Checks the budget section against the data: the base filing, the circulaire it goes with,
    the drivers it names; raises ScenarioError (through ``v``) naming the field."""
    doc, year = m.base.document, m.base.year
    shipped = base_filings()
    if (doc, year) not in shipped:
        listed = ", ".join(f"{d} {y}" for d, y in shipped)
        v.at("base").fail(f"no Iv3 {doc} {year} is shipped; expected one of: {listed}")
    # The calendar (docs/budget-model.md): the base filing's year is the year of the fund the
    # projection starts from, so it must be the circulaire's uitkeringsjaar.
    uj = int(circ_id.split("_")[1])
    if year != uj:
        fits = _funds_for(doc, year)
        v.at("base").fail(f"the {doc} {year} does not go with circulaire {circ_id} (uitkeringsjaar {uj}): the base "
                          f"year is the year of the fund the projection starts from; "
                          + (f"for the {doc} {year} use circulaire: {' or '.join(fits)}" if fits else
                             f"no circulaire or booked gemeentefonds in the data goes with the {doc} {year}"))

    def driver(where, name: str | None) -> str | None:
        if name is not None and name not in driver_names:
            where.fail(f"unknown driver {name!r}; expected one of {driver_names}")
        return name

    driver(v.at("buig").at("driver"), m.buig.driver)
    for name in DOMAIN_NAMES:
        for k in getattr(m.domains, name).volume:
            driver(v.at("domains").at(name).at("volume").at(k), k)
    driver(v.at("ozb").at("woz_driver"), m.ozb.woz_driver)
    driver(v.at("revenue_volume_driver"), m.revenue_volume_driver)
    if m.ingroei is not None:
        _check_ingroei(v.at("ingroei"), m.ingroei, year, circ_id)
    _check_revenue_lines_from(v.at("base").at("revenue_lines_from"), m)


def _check_revenue_lines_from(v, m: Budget) -> None:
    from ..iv3 import IV3_FILES

    ref = m.base.revenue_lines_from
    if ref is None:
        return
    if (m.base.document, m.base.year) in IV3_FILES:
        v.fail(f"the {m.base.document} {m.base.year} has its revenue lines from its taakveld file; only a base "
               "from the Iv3 summary (2017–2022) takes them from another filing")
    if (ref.document, ref.year) not in IV3_FILES:
        listed = ", ".join(f"{d} {y}" for d, y in sorted(IV3_FILES, key=lambda k: (k[1], k[0])))
        v.fail(f"the {ref.document} {ref.year} has no revenue lines (no taakveld file); expected one of: {listed}")


def _check_ingroei(v, m: Ingroei, base_year: int, circ_id: str) -> None:
    from ..ingroei import COLUMN, PUBLISHED_CAPS

    if m.from_ not in PUBLISHED_CAPS:
        v.at("from").fail(f"expected a circulaire that publishes {COLUMN!r}: one of {sorted(PUBLISHED_CAPS)}, "
                          f"got {m.from_!r}")
    if circ_id in PUBLISHED_CAPS:
        v.fail(f"circulaire {circ_id} publishes its own suppletie ({COLUMN!r}); the ingroei carries it forward for "
               "circulaires that do not: remove budget.ingroei")
    if m.first_year > base_year:
        v.at("first_year").fail(f"expected a year up to the base year {base_year}, got {m.first_year!r} (for a base "
                                "year before the herijking's circulaires without suppletie, remove budget.ingroei)")
