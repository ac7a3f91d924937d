"""Results of a run, labelled by CBS code, year and statistic: the algemene uitkering
(simulation), the municipal budgets (budget), the tables and files written from them (tables) and
what each column means (definitions)."""
