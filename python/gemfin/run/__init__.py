"""Running a scenario: the engine room that talks to the compiled core (engine), the base built
once per structure (base), local and distributed runs (simulation, cluster) and a scenario against
another with common random numbers (difference)."""
