"""Calibration figures derived from the shipped data, cited by the scenario files.

Every number in ``scenarios/*.yaml`` that says ``source: DERIVED gemfin.calibrate...`` can be
recomputed with these functions (tests/python/test_scenario.py checks they agree).
"""

from __future__ import annotations

from .budget import (excess_growth, excess_parameters, gap_distributions, realisation_bias, realisation_model,
                     realisation_parameters, response_model, response_parameters)
from .lasten import lasten_growth, real_lasten_growth
from .population import bzk_volume_update, population_growth, population_series
from .revenue import HEFFINGEN, belastingen_history, heffingen_growth, ozb_growth, ozb_parameters

__all__ = [
    "HEFFINGEN", "belastingen_history", "bzk_volume_update", "excess_growth", "excess_parameters",
    "gap_distributions", "heffingen_growth", "lasten_growth", "ozb_growth", "ozb_parameters", "population_growth",
    "population_series", "real_lasten_growth", "realisation_bias", "realisation_model", "realisation_parameters",
    "response_model", "response_parameters"
]
