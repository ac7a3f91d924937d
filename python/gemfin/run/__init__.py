"""Running a scenario: the base built once per structure (base), local and distributed runs
(simulation, cluster) and a scenario against another with common random numbers (difference).
They reach the compiled core through gemfin.engine."""
